package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
)

// The SQL pre-filter. Listing every stored marking of a kind and deciding
// each one is exact but reads the whole table for every viewer. The
// pre-filter asks the database only for the candidates: the objects whose
// marking could let the viewer see them. It may return more than the policy
// allows — never less — and VisibleMarked then lets policy.Decide decide
// every candidate, so the policy stays the only decider. The differential
// test (prefilter_test.go) holds the two to the same answer on random data.
//
// Why each branch is safe, in the terms of the policy package doc (a
// candidate must be kept whenever some path of Decide could allow it; the
// store keeps no drafts, so every object is decided as published):
//
//   - A token without the read scope of the kind is denied every object,
//     its own included, before any other step: no candidates.
//   - CLEAR objects may be allowed to anyone, the public included (only the
//     legal step, which the pre-filter leaves to Decide, can deny them):
//     always candidates.
//   - Owner: a logged-in viewer of the owning organisation may see its
//     objects whatever its status: every owned object is a candidate.
//   - Any other non-CLEAR object needs, for a path through the audience, a
//     logged-in viewer of an active organisation that accepted the current
//     agreement, and the audience must reach it by a part that counts at the
//     object's level: a named user at GREEN, AMBER, AMBER+STRICT and RED (for
//     users, not tokens); the organisation at GREEN, AMBER and AMBER+STRICT;
//     a circle the viewer's organisation is in (v.Circles, already resolved
//     through nesting) or one of its sectors at GREEN and AMBER; the
//     community at GREEN only. This is Decide's match plus its TLP checks:
//     AMBER+STRICT passes only by user or organisation, AMBER not by the
//     community, RED only by a named user.
//   - Office: a user of an active office holding any office role may be
//     granted an object of any level but RED through an office grant, and a
//     RED one only when named. Which role grants which kind is the policy's
//     business; the pre-filter does not narrow by it and keeps every such
//     object.
//
// The legal step (designations in a hub) only ever denies, so it does not
// narrow here.

// The levels at which each part of an audience can let in a viewer who does
// not own the object. They are fixed tables, never changed.
var (
	levelsNamedUser = []policy.TLP{policy.Green, policy.Amber, policy.AmberStrict, policy.Red}
	levelsOrg       = []policy.TLP{policy.Green, policy.Amber, policy.AmberStrict}
	levelsGroup     = []policy.TLP{policy.Green, policy.Amber} // circles and sectors
	levelsCommunity = []policy.TLP{policy.Green}
)

// tlpIn returns "m.tlp IN ('GREEN', …)" for levels. The labels are the
// policy's constants, never outside input, so they are spliced in: the
// planner then sees them as the constants they are.
func tlpIn(levels []policy.TLP) string {
	labels := make([]string, len(levels))
	for i, l := range levels {
		labels[i] = "'" + l.Label() + "'"
	}
	return "m.tlp IN (" + strings.Join(labels, ", ") + ")"
}

// candidateQuery builds the query of markedCandidates: the ids of the
// candidates as the union of one index-driven branch per path, then every
// candidate's marking with its audience, one row per audience part, in no
// particular order. The CROSS JOIN makes SQLite take the candidates as the
// outer loop, looking each marking up by its key; PostgreSQL plans it as the
// inner join it is. ok is false when no object can be a candidate.
func candidateQuery(pol *policy.Policy, v *policy.Viewer, kind string) (query string, args []any, ok bool) {
	var w where
	k := w.arg(kind)
	loggedIn := v.Kind == policy.ViewerUser || v.Kind == policy.ViewerToken
	if v.Kind == policy.ViewerToken {
		scope, served := pol.ReadScope(kind)
		if !served || !v.Scopes.Has(scope) {
			return "", nil, false
		}
	}
	active := loggedIn && v.OrgStatus == policy.StatusActive
	member := active && v.AcceptedCurrentAgreement
	office := active && v.IsOffice && v.Kind == policy.ViewerUser && v.OfficeRoles != 0
	user := v.Kind == policy.ViewerUser && v.UserID != ""

	branches := []string{`SELECT object_id FROM object_markings WHERE kind = ` + k + ` AND tlp = 'CLEAR'`}
	if loggedIn && v.OrgID != "" {
		branches = append(branches, `SELECT object_id FROM object_markings WHERE kind = `+k+` AND owner_org = `+w.arg(v.OrgID))
	}
	if office {
		branches = append(branches, `SELECT object_id FROM object_markings WHERE kind = `+k+` AND tlp NOT IN ('CLEAR', 'RED')`)
	}
	// One branch per audience row that could reach v, so that each is a
	// search of object_audience_member on both engines (an IN list makes
	// SQLite scan the kind's rows instead).
	audience := func(typ string, ids []string, levels []policy.TLP) {
		for _, id := range ids {
			branches = append(branches, `SELECT a.object_id FROM object_audience a
			JOIN object_markings m ON m.kind = a.kind AND m.object_id = a.object_id
			WHERE a.member_type = '`+typ+`' AND a.member_id = `+w.arg(id)+` AND a.kind = `+k+` AND `+tlpIn(levels))
		}
	}
	switch {
	case office && user:
		// Every level but RED is a candidate already.
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
		// The community row has the member id ''.
		audience(audienceCommunity, []string{""}, levelsCommunity)
	}
	query = `WITH c (object_id) AS (` + strings.Join(branches, "\nUNION ") + `)
		SELECT m.object_id, m.tlp, m.confidential, m.identifiable, m.purpose, m.owner_org, m.created_by,
			COALESCE(a.member_type, ''), COALESCE(a.member_id, '')
		FROM c CROSS JOIN object_markings m
		LEFT JOIN object_audience a ON a.kind = m.kind AND a.object_id = m.object_id
		WHERE m.kind = ` + k + ` AND m.object_id = c.object_id`
	return query, w.args, true
}

// collect returns the items of s.
func collect(s policy.Set) []string {
	out := make([]string, 0, s.Len())
	for it := range s.All() {
		out = append(out, it)
	}
	return out
}

// markedCandidates returns the stored markings of the objects of kind that
// pol could let v see, in byte order of the object ids: every object Decide
// allows v, and possibly others. Callers must decide each one;
// VisibleMarked does.
func (q *Queries) markedCandidates(ctx context.Context, pol *policy.Policy, v *policy.Viewer, kind string) ([]designation.Marked, error) {
	const op = "store.MarkedCandidates"
	if pol == nil || v == nil {
		return nil, verbund.E(op, verbund.Internal, "a listing needs a policy and a viewer")
	}
	query, args, ok := candidateQuery(pol, v, kind)
	if !ok {
		return nil, nil
	}
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var (
		out   []designation.Marked
		index = map[string]int{} // object id → its place in out
		// Raw columns: a marking comes once per part of its audience, and
		// only its first row is converted.
		id, tlp, purpose, owner, by, typ, member sql.RawBytes
		conf, ident                              bool
	)
	for rows.Next() {
		if err := rows.Scan(&id, &tlp, &conf, &ident, &purpose, &owner, &by, &typ, &member); err != nil {
			return nil, mapErr(op, err)
		}
		i, ok := index[string(id)]
		if !ok {
			m := designation.Marked{Kind: kind, ObjectID: string(id), OwnerOrg: string(owner), CreatedBy: string(by)}
			m.Marking.Confidential, m.Marking.Identifiable, m.Marking.Purpose = conf, ident, string(purpose)
			if m.Marking.TLP, err = policy.ParseTLP(string(tlp)); err != nil {
				return nil, mapErr(op, err)
			}
			i = len(out)
			index[m.ObjectID] = i
			out = append(out, m)
		}
		a := &out[i].Marking.Audience
		switch string(typ) {
		case audienceCommunity:
			a.Community = true
		case audienceSector:
			a.Sectors = append(a.Sectors, string(member))
		case audienceCircle:
			a.Circles = append(a.Circles, string(member))
		case audienceOrg:
			a.Orgs = append(a.Orgs, string(member))
		case audienceUser:
			a.Users = append(a.Users, string(member))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	// The database's collation orders ids its way; the listing and its
	// audiences are in byte order on both engines.
	slices.SortFunc(out, func(a, b designation.Marked) int { return strings.Compare(a.ObjectID, b.ObjectID) })
	for i := range out {
		a := &out[i].Marking.Audience
		slices.Sort(a.Sectors)
		slices.Sort(a.Circles)
		slices.Sort(a.Orgs)
		slices.Sort(a.Users)
	}
	return out, nil
}

// VisibleMarked returns the stored markings of the objects of kind that v
// may see at now, in byte order of the object ids: exactly the objects for which
// pol.Decide allows v, no more and no less. The database narrows the
// candidates (see the comment at the top of this file); pol decides every
// one of them. Objects are decided as published: the markings table does
// not know drafts, which the capability owning an object must decide with
// their draft state. The result is nil when v may see nothing.
func (q *Queries) VisibleMarked(ctx context.Context, pol *policy.Policy, v *policy.Viewer, kind string, now time.Time) ([]designation.Marked, error) {
	ms, err := q.markedCandidates(ctx, pol, v, kind)
	if err != nil {
		return nil, err
	}
	n := 0
	for i := range ms {
		o := ms[i].Object(false)
		if pol.Decide(v, &o, now).Allow {
			ms[n] = ms[i]
			n++
		}
	}
	clear(ms[n:])
	if n == 0 {
		return nil, nil
	}
	return ms[:n], nil
}
