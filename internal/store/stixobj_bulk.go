package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// Bulk writes of a TAXII request: the new objects of an envelope go in a
// few multi-row statements instead of several statements per object. The
// cost of a statement is mostly its preparation (the embedded SQLite has no
// statement cache) and, on PostgreSQL, its round trip; rows are cheap.

var _ cti.BulkTx = (*Queries)(nil)

// bulkParams is the most parameters one multi-row statement takes, below
// SQLite's 32,766 and PostgreSQL's 65,535.
const bulkParams = 30000

// STIXStored returns which of ids have a version in collection; see
// cti.BulkTx.
func (q *Queries) STIXStored(ctx context.Context, collection string, ids []string) (map[string]bool, error) {
	const op = "store.STIXStored"
	out := map[string]bool{}
	const chunk = 5000
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		var b strings.Builder
		args := make([]any, 0, len(part)+1)
		args = append(args, collection)
		b.WriteString(`SELECT DISTINCT stix_id FROM stix_objects WHERE collection_id = ` + q.placeholder(1) + ` AND stix_id IN (`)
		for i, id := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(q.placeholder(i + 2))
			args = append(args, id)
		}
		b.WriteString(")")
		rows, err := q.q.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return nil, mapErr(op, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, mapErr(op, err)
			}
			out[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(op, err)
		}
	}
	return out, nil
}

// InsertSTIXNew stores the first versions of objects new to their
// collection, with their markings and observables; see cti.BulkTx.
func (q *Queries) InsertSTIXNew(ctx context.Context, vs []cti.NewVersion) error {
	const op = "store.InsertSTIXNew"
	if err := q.writable(op); err != nil {
		return err
	}
	var markings, audience, objects, observables rowsInsert
	markings.head = `INSERT INTO object_markings (kind, object_id, tlp, confidential, identifiable, purpose, owner_org, created_by) VALUES `
	audience.head = `INSERT INTO object_audience (kind, object_id, member_type, member_id) VALUES `
	objects.head = `INSERT INTO stix_objects (collection_id, seq, date_added, stix_id, type, spec_version, version, latest, earliest,
		marking_id, raw) VALUES `
	observables.head = `INSERT INTO stix_observables (type, value, collection_id, stix_id) VALUES `
	observables.tail = ` ON CONFLICT DO NOTHING`
	for i := range vs {
		v := &vs[i].Version
		if v.Version.IsZero() || v.DateAdded.IsZero() {
			return verbund.InvalidFields(op, map[string]string{"version": "a version and a date_added are required"})
		}
		m := &v.Marked
		if !vs[i].MarkingStored {
			mk := &m.Marking
			if !mk.TLP.Valid() {
				return verbund.InvalidFields(op, map[string]string{"tlp": "no TLP level set"})
			}
			markings.add(policy.KindSTIX, m.ObjectID, mk.TLP.Label(), mk.Confidential, mk.Identifiable, mk.Purpose, m.OwnerOrg, m.CreatedBy)
			a := &mk.Audience
			if a.Community {
				audience.add(policy.KindSTIX, m.ObjectID, audienceCommunity, "")
			}
			for _, l := range []struct {
				typ string
				ids []string
			}{{audienceSector, a.Sectors}, {audienceCircle, a.Circles}, {audienceOrg, a.Orgs}, {audienceUser, a.Users}} {
				for _, id := range sortedSet(l.ids) {
					audience.add(policy.KindSTIX, m.ObjectID, l.typ, id)
				}
			}
		}
		objects.add(v.Collection, v.Seq, micros(v.DateAdded), v.ID, v.Type, v.SpecVersion, micros(v.Version), v.Latest, v.Earliest,
			m.ObjectID, []byte(v.Raw))
		for _, o := range vs[i].Observables {
			observables.add(o.Type, o.Value, v.Collection, v.ID)
		}
	}
	// Markings before the objects that refer to them.
	for _, r := range []*rowsInsert{&markings, &audience, &objects, &observables} {
		if err := r.exec(ctx, q); err != nil {
			return mapErr(op, checkViolation(op, err))
		}
	}
	return nil
}

// rowsInsert collects the rows of one multi-row INSERT.
type rowsInsert struct {
	head, tail string
	width      int // parameters per row
	args       []any
}

func (r *rowsInsert) add(vals ...any) {
	r.width = len(vals)
	r.args = append(r.args, vals...)
}

// exec runs the INSERT in as few statements as the parameter limit allows.
func (r *rowsInsert) exec(ctx context.Context, q *Queries) error {
	if len(r.args) == 0 {
		return nil
	}
	per := max(bulkParams/r.width, 1) * r.width
	for start := 0; start < len(r.args); start += per {
		part := r.args[start:min(start+per, len(r.args))]
		var b strings.Builder
		b.Grow(len(r.head) + len(part)*6)
		b.WriteString(r.head)
		for i := range part {
			switch {
			case i == 0:
				b.WriteString("(")
			case i%r.width == 0:
				b.WriteString("), (")
			default:
				b.WriteString(", ")
			}
			b.WriteString(q.placeholder(i + 1))
		}
		b.WriteString(")" + r.tail)
		if _, err := q.q.ExecContext(ctx, b.String(), part...); err != nil {
			return err
		}
	}
	return nil
}

// placeholder returns the placeholder of the nth parameter of a long
// statement whose parameters appear in their order: "?" on SQLite, where a
// numbered one costs a search of every name before it (quadratic in a
// statement of thousands), "$n" on PostgreSQL.
func (q *Queries) placeholder(n int) string {
	if q.dialect == SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(n)
}
