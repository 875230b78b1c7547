package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// STIX objects served over TAXII. stix_objects holds one row per version of
// an object in a collection, ordered by seq; its marking is a row of
// object_markings (kind 'stix', id cti.MarkingID), so that the sharing
// policy decides every version the way it decides every other object. The
// default marking of a collection is a row of kind cti.KindCollection.

// Compile-time proof that the store implements the cti interfaces.
var (
	_ cti.Tx    = (*Queries)(nil)
	_ cti.Store = stixStore{}
)

// stixStore adapts a DB to cti.Store.
type stixStore struct{ *DB }

// STIX returns db as the storage of the collections TAXII serves.
func (db *DB) STIX() cti.Store { return stixStore{db} }

// Update runs fn in one transaction; see cti.Store.
func (s stixStore) Update(ctx context.Context, fn func(cti.Tx) error) error {
	return s.InTx(ctx, func(q *Queries) error { return fn(q) })
}

const stixCollectionColumns = `id, title, description, alias, media_types, owner_org, readers_write, created_by, created_at`

// STIXCollection returns collection id with its default marking.
func (q *Queries) STIXCollection(ctx context.Context, id string) (cti.Collection, error) {
	const op = "store.STIXCollection"
	cs, err := q.stixCollections(ctx, ` WHERE id = $1`, id)
	if err != nil {
		return cti.Collection{}, err
	}
	if len(cs) == 0 {
		return cti.Collection{}, notFound(op, "the collection")
	}
	return cs[0], nil
}

// STIXCollections returns every collection by title, then id.
func (q *Queries) STIXCollections(ctx context.Context) ([]cti.Collection, error) {
	cs, err := q.stixCollections(ctx, ``)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(cs, func(a, b cti.Collection) int {
		if c := strings.Compare(a.Title, b.Title); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return cs, nil
}

func (q *Queries) stixCollections(ctx context.Context, where string, args ...any) ([]cti.Collection, error) {
	const op = "store.STIXCollections"
	rows, err := q.q.QueryContext(ctx, `SELECT `+stixCollectionColumns+` FROM stix_collections`+where, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	var cs []cti.Collection
	for rows.Next() {
		var (
			c     cti.Collection
			media string
			at    int64
		)
		if err := rows.Scan(&c.ID, &c.Title, &c.Description, &c.Alias, &media, &c.OwnerOrg, &c.ReadersWrite,
			&c.CreatedBy, &at); err != nil {
			rows.Close()
			return nil, mapErr(op, err)
		}
		c.MediaTypes, c.CreatedAt = strings.Split(media, ","), fromMicros(at)
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	for i := range cs {
		m, err := q.Marking(ctx, cti.KindCollection, cs[i].ID)
		if err != nil {
			return nil, err
		}
		cs[i].Default = m.Marking
	}
	return cs, nil
}

// ScanSTIX returns up to n versions of collection matching f after seq
// after, in the order of seq; see cti.Reader.
func (q *Queries) ScanSTIX(ctx context.Context, collection string, f cti.Filter, after int64, n int, raw bool) ([]cti.Version, error) {
	return q.scanSTIX(ctx, collection, f, after, n, raw, &where{}, "")
}

// scanSTIX is ScanSTIX with one more condition, whose arguments w holds.
func (q *Queries) scanSTIX(ctx context.Context, collection string, f cti.Filter, after int64, n int, raw bool, w *where, extra string) ([]cti.Version, error) {
	w.add(`o.collection_id = ?`, collection)
	// With ids, the rows are few and found by (collection_id, stix_id):
	// the unary plus (here and in the order) keeps SQLite from walking the
	// collection in the order of seq instead, one row at a time, to save a
	// sort of a few rows.
	order := ` ORDER BY o.seq`
	if len(f.IDs) > 0 {
		w.add(`+o.seq > ?`, after)
		order = ` ORDER BY +o.seq`
	} else {
		w.add(`o.seq > ?`, after)
	}
	if !f.AddedAfter.IsZero() {
		w.add(`o.date_added > ?`, micros(f.AddedAfter))
	}
	in := func(col string, vals []any) {
		if len(vals) == 0 {
			return
		}
		ph := make([]string, len(vals))
		for i, v := range vals {
			ph[i] = w.arg(v)
		}
		w.conds = append(w.conds, col+` IN (`+strings.Join(ph, ", ")+`)`)
	}
	in(`o.stix_id`, anys(f.IDs))
	in(`o.type`, anys(f.Types))
	in(`o.spec_version`, anys(f.SpecVersions))
	versions := make([]any, len(f.Versions))
	for i, t := range f.Versions {
		versions[i] = micros(t)
	}
	in(`o.version`, versions)
	if extra != "" {
		w.conds = append(w.conds, extra)
	}
	return q.stixVersions(ctx, "store.ScanSTIX", w.String()+order+` LIMIT `+w.arg(max(n, 0)), w.args, raw)
}

// STIXVersionsOf returns every version of the objects ids in collection,
// without JSON, by id, then version.
func (q *Queries) STIXVersionsOf(ctx context.Context, collection string, ids []string) ([]cti.Version, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var w where
	w.add(`o.collection_id = ?`, collection)
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = w.arg(id)
	}
	w.conds = append(w.conds, `o.stix_id IN (`+strings.Join(ph, ", ")+`)`)
	vs, err := q.stixVersions(ctx, "store.STIXVersionsOf", w.String(), w.args, false)
	if err != nil {
		return nil, err
	}
	sortVersions(vs)
	return vs, nil
}

// STIXVersionsTx returns every version of one object, with JSON, by
// version.
func (q *Queries) STIXVersionsTx(ctx context.Context, collection, id string) ([]cti.Version, error) {
	vs, err := q.stixVersions(ctx, "store.STIXVersionsTx", ` WHERE o.collection_id = $1 AND o.stix_id = $2`,
		[]any{collection, id}, true)
	if err != nil {
		return nil, err
	}
	sortVersions(vs)
	return vs, nil
}

// sortVersions orders vs by id in byte order, then version, whatever the
// database's collation.
func sortVersions(vs []cti.Version) {
	slices.SortFunc(vs, func(a, b cti.Version) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return a.Version.Compare(b.Version)
	})
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// stixVersions runs the listing of versions with their markings: one query
// for the rows, one per chunk of markings for their audiences.
func (q *Queries) stixVersions(ctx context.Context, op, tail string, args []any, raw bool) ([]cti.Version, error) {
	return q.stixVersionsWith(ctx, op, "", "", tail, args, raw)
}

// stixVersionsWith is stixVersions with a WITH clause before the query and
// more tables joined after the object and its marking.
func (q *Queries) stixVersionsWith(ctx context.Context, op, with, join, tail string, args []any, raw bool) ([]cti.Version, error) {
	rawCol := `o.raw`
	if !raw {
		rawCol = `NULL`
	}
	rows, err := q.q.QueryContext(ctx, with+`SELECT o.collection_id, o.seq, o.date_added, o.stix_id, o.type, o.spec_version,
		o.version, o.latest, o.earliest, `+rawCol+`, m.object_id, m.tlp, m.confidential, m.identifiable, m.purpose,
		m.owner_org, m.created_by
		FROM `+join+`stix_objects o JOIN object_markings m ON m.kind = o.marking_kind AND m.object_id = o.marking_id`+tail, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var vs []cti.Version
	for rows.Next() {
		var (
			v              cti.Version
			added, version int64
			body           []byte
			tlp            string
			m              = &v.Marked
		)
		if err := rows.Scan(&v.Collection, &v.Seq, &added, &v.ID, &v.Type, &v.SpecVersion, &version, &v.Latest,
			&v.Earliest, &body, &m.ObjectID, &tlp, &m.Marking.Confidential, &m.Marking.Identifiable,
			&m.Marking.Purpose, &m.OwnerOrg, &m.CreatedBy); err != nil {
			return nil, mapErr(op, err)
		}
		v.DateAdded, v.Version = fromMicros(added), fromMicros(version)
		if raw {
			v.Raw = json.RawMessage(body)
		}
		m.Kind = policy.KindSTIX
		if m.Marking.TLP, err = policy.ParseTLP(tlp); err != nil {
			return nil, mapErr(op, err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	rows.Close()
	return vs, q.fillAudiences(ctx, op, vs)
}

// fillAudiences reads the audiences of the markings of vs; every version
// has a marking of its own.
func (q *Queries) fillAudiences(ctx context.Context, op string, vs []cti.Version) error {
	byID := make(map[string]*designation.Marked, len(vs))
	ids := make([]any, len(vs))
	for i := range vs {
		m := &vs[i].Marked
		byID[m.ObjectID], ids[i] = m, m.ObjectID
	}
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		ph := make([]string, len(part))
		for i := range part {
			ph[i] = q.placeholder(i + 2)
		}
		rows, err := q.q.QueryContext(ctx, `SELECT object_id, member_type, member_id FROM object_audience
			WHERE kind = `+q.placeholder(1)+` AND object_id IN (`+strings.Join(ph, ", ")+`)`, append([]any{policy.KindSTIX}, part...)...)
		if err != nil {
			return mapErr(op, err)
		}
		for rows.Next() {
			var id, typ, member string
			if err := rows.Scan(&id, &typ, &member); err != nil {
				rows.Close()
				return mapErr(op, err)
			}
			m := byID[id]
			if m == nil {
				continue
			}
			a := &m.Marking.Audience
			switch typ {
			case audienceCommunity:
				a.Community = true
			case audienceSector:
				a.Sectors = append(a.Sectors, member)
			case audienceCircle:
				a.Circles = append(a.Circles, member)
			case audienceOrg:
				a.Orgs = append(a.Orgs, member)
			case audienceUser:
				a.Users = append(a.Users, member)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapErr(op, err)
		}
	}
	for _, m := range byID {
		a := &m.Marking.Audience
		slices.Sort(a.Sectors)
		slices.Sort(a.Circles)
		slices.Sort(a.Orgs)
		slices.Sort(a.Users)
	}
	return nil
}

// STIXStatus returns status resource id.
func (q *Queries) STIXStatus(ctx context.Context, id string) (cti.Status, error) {
	const op = "store.STIXStatus"
	var (
		s       = cti.Status{ID: id}
		at      int64
		details []byte
	)
	err := q.q.QueryRowContext(ctx, `SELECT collection_id, org_id, requested_by, requested_at, details
		FROM stix_status WHERE id = $1`, id).Scan(&s.Collection, &s.OrgID, &s.RequestedBy, &at, &details)
	if errors.Is(err, sql.ErrNoRows) {
		return cti.Status{}, notFound(op, "the status")
	}
	if err != nil {
		return cti.Status{}, mapErr(op, err)
	}
	s.RequestTimestamp = fromMicros(at)
	var d statusDetails
	if err := json.Unmarshal(details, &d); err != nil {
		return cti.Status{}, verbund.Errorf(op, err)
	}
	s.Successes, s.Failures = d.Successes, d.Failures
	return s, nil
}

// statusDetails is the stored JSON of a status's details.
type statusDetails struct {
	Successes []cti.StatusDetail `json:"successes,omitempty"`
	Failures  []cti.StatusDetail `json:"failures,omitempty"`
}

// STIXObservableRefs returns the objects whose pattern compares o, by
// collection, then id.
func (q *Queries) STIXObservableRefs(ctx context.Context, o stix.Observable) ([]cti.ObjectRef, error) {
	const op = "store.STIXObservableRefs"
	rows, err := q.q.QueryContext(ctx, `SELECT collection_id, stix_id FROM stix_observables
		WHERE type = $1 AND value = $2`, o.Type, o.Value)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []cti.ObjectRef
	for rows.Next() {
		var r cti.ObjectRef
		if err := rows.Scan(&r.Collection, &r.ID); err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	slices.SortFunc(out, func(a, b cti.ObjectRef) int {
		if c := strings.Compare(a.Collection, b.Collection); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}
