package store

import (
	"context"
	"strings"

	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The paging of a TAXII collection narrowed in SQL. ScanSTIX hands every
// stored version to the service, which lets the door decide each; for a
// viewer who sees a small share, most rows are read, decoded and refused.
// ScanSTIXFor adds to the scan a condition on each version's marking that
// keeps every version the policy could allow the viewer, by the same
// reasoning as the pre-filter of VisibleMarked (see the comment at the top
// of prefilter.go): it may keep more than the policy allows, never less,
// and the service still lets the door decide every version it gets. The
// differential test (stixobj_prefilter_test.go) holds the narrowed listing
// to the unnarrowed one on random data.

var _ cti.NarrowReader = stixStore{}

// ScanSTIXFor is ScanSTIX narrowed to the versions whose marking could let
// v see them under pol; see cti.NarrowReader.
func (q *Queries) ScanSTIXFor(ctx context.Context, pol *policy.Policy, v *policy.Viewer, collection string, f cti.Filter, after int64, n int, raw bool) ([]cti.Version, error) {
	if pol == nil || v == nil {
		return q.ScanSTIX(ctx, collection, f, after, n, raw)
	}
	var w where
	cond, ok := stixCandidate(pol, v, &w)
	if !ok {
		return nil, nil
	}
	return q.scanSTIX(ctx, collection, f, after, n, raw, &w, cond)
}

// stixCandidate returns the condition on the marking m of a version under
// which the version may be allowed to v, with its arguments added to w; ok
// is false when no version can be. Each branch is a branch of
// candidateQuery, as a condition on one marking instead of a union over
// all of them.
func stixCandidate(pol *policy.Policy, v *policy.Viewer, w *where) (cond string, ok bool) {
	loggedIn := v.Kind == policy.ViewerUser || v.Kind == policy.ViewerToken
	if v.Kind == policy.ViewerToken {
		scope, served := pol.ReadScope(policy.KindSTIX)
		if !served || !v.Scopes.Has(scope) {
			return "", false
		}
	}
	active := loggedIn && v.OrgStatus == policy.StatusActive
	member := active && v.AcceptedCurrentAgreement
	office := active && v.IsOffice && v.Kind == policy.ViewerUser && v.OfficeRoles != 0
	user := v.Kind == policy.ViewerUser && v.UserID != ""

	branches := []string{`m.tlp = 'CLEAR'`}
	if loggedIn && v.OrgID != "" {
		branches = append(branches, `m.owner_org = `+w.arg(v.OrgID))
	}
	if office {
		branches = append(branches, `m.tlp NOT IN ('CLEAR', 'RED')`)
	}
	// One probe of object_audience's primary key per audience part that
	// could reach v, guarded by the levels at which that part counts. The
	// probe is a scalar sub-query with LIMIT rather than EXISTS, which
	// PostgreSQL may turn into a hash of every matching audience row of
	// the kind, built for each page: a cost that grows with the store.
	audience := func(typ string, ids []string, levels []policy.TLP) {
		if len(ids) == 0 {
			return
		}
		ph := make([]string, len(ids))
		for i, id := range ids {
			ph[i] = w.arg(id)
		}
		branches = append(branches, `(`+tlpIn(levels)+` AND (SELECT 1 FROM object_audience a
			WHERE a.kind = m.kind AND a.object_id = m.object_id AND a.member_type = '`+typ+`'
			AND a.member_id IN (`+strings.Join(ph, ", ")+`) LIMIT 1) IS NOT NULL)`)
	}
	switch {
	case office && user:
		audience(audienceUser, []string{v.UserID}, []policy.TLP{policy.Red})
	case member && user:
		audience(audienceUser, []string{v.UserID}, levelsNamedUser)
	}
	if member && !office {
		if v.OrgID != "" {
			audience(audienceOrg, []string{v.OrgID}, levelsOrg)
		}
		audience(audienceCircle, collect(v.Circles), levelsGroup)
		audience(audienceSector, collect(v.OrgSectors), levelsGroup)
		audience(audienceCommunity, []string{""}, levelsCommunity)
	}
	return `(` + strings.Join(branches, " OR ") + `)`, true
}
