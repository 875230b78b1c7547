package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
)

// Markings. object_markings holds the level and flags of an object, keyed by
// its kind and id; object_audience one row per part of its audience, so that
// a SQL pre-filter can join on (member_type, member_id) for the parts that
// reach a viewer. The community is the row ('community', '').

// The member types of object_audience.
const (
	audienceCommunity = "community"
	audienceSector    = "sector"
	audienceCircle    = "circle"
	audienceOrg       = "org"
	audienceUser      = "user"
)

// Marking returns the stored marking of object kind/id with its audience
// lists sorted, nil when empty; NotFound when none is stored.
func (q *Queries) Marking(ctx context.Context, kind, id string) (designation.Marked, error) {
	const op = "store.Marking"
	m := designation.Marked{Kind: kind, ObjectID: id}
	var tlp string
	err := q.q.QueryRowContext(ctx, `SELECT tlp, confidential, identifiable, purpose, owner_org, created_by
		FROM object_markings WHERE kind = $1 AND object_id = $2`, kind, id).Scan(&tlp,
		&m.Marking.Confidential, &m.Marking.Identifiable, &m.Marking.Purpose, &m.OwnerOrg, &m.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return designation.Marked{}, notFound(op, "the marking")
	}
	if err != nil {
		return designation.Marked{}, mapErr(op, err)
	}
	if m.Marking.TLP, err = policy.ParseTLP(tlp); err != nil {
		return designation.Marked{}, mapErr(op, err)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT member_type, member_id FROM object_audience
		WHERE kind = $1 AND object_id = $2 ORDER BY member_type, member_id`, kind, id)
	if err != nil {
		return designation.Marked{}, mapErr(op, err)
	}
	defer rows.Close()
	a := &m.Marking.Audience
	for rows.Next() {
		var typ, member string
		if err := rows.Scan(&typ, &member); err != nil {
			return designation.Marked{}, mapErr(op, err)
		}
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
	return m, mapErr(op, rows.Err())
}

// PutMarking stores m, replacing any earlier marking of the object with its
// whole audience. Duplicates in the audience are stored once. It does not
// validate beyond what the schema enforces: callers go through
// designation.SaveMarking.
func (q *Queries) PutMarking(ctx context.Context, m designation.Marked) error {
	const op = "store.PutMarking"
	if err := q.writable(op); err != nil {
		return err
	}
	if !m.Marking.TLP.Valid() {
		return verbund.InvalidFields(op, map[string]string{"tlp": "no TLP level set"})
	}
	mk := &m.Marking
	_, err := q.q.ExecContext(ctx, `INSERT INTO object_markings (kind, object_id, tlp, confidential,
		identifiable, purpose, owner_org, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (kind, object_id) DO UPDATE SET tlp = excluded.tlp, confidential = excluded.confidential,
		identifiable = excluded.identifiable, purpose = excluded.purpose, owner_org = excluded.owner_org,
		created_by = excluded.created_by`,
		m.Kind, m.ObjectID, mk.TLP.Label(), mk.Confidential, mk.Identifiable, mk.Purpose, m.OwnerOrg, m.CreatedBy)
	if err != nil {
		return mapErr(op, checkViolation(op, err))
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM object_audience WHERE kind = $1 AND object_id = $2`,
		m.Kind, m.ObjectID); err != nil {
		return mapErr(op, err)
	}
	a := &mk.Audience
	type part struct{ typ, id string }
	parts := []part{}
	if a.Community {
		parts = append(parts, part{audienceCommunity, ""})
	}
	for _, l := range []struct {
		typ string
		ids []string
	}{{audienceSector, a.Sectors}, {audienceCircle, a.Circles}, {audienceOrg, a.Orgs}, {audienceUser, a.Users}} {
		for _, id := range sortedSet(l.ids) {
			parts = append(parts, part{l.typ, id})
		}
	}
	for _, p := range parts {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO object_audience (kind, object_id, member_type, member_id)
			VALUES ($1, $2, $3, $4)`, m.Kind, m.ObjectID, p.typ, p.id); err != nil {
			return mapErr(op, checkViolation(op, err))
		}
	}
	return nil
}
