package store

import (
	"context"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/sharing"
)

// Compile-time proof that the store implements the interfaces of the
// sharing door and its access service.
var (
	_ sharing.AccessTx    = (*Queries)(nil)
	_ sharing.AccessStore = accessStore{}
	_ sharing.Lister      = (*Queries)(nil)
)

// accessStore adapts a DB to sharing.AccessStore.
type accessStore struct{ *DB }

// Access returns db as the storage of the access service.
func (db *DB) Access() sharing.AccessStore { return accessStore{db} }

// Update runs fn in one transaction; see sharing.AccessStore.
func (s accessStore) Update(ctx context.Context, fn func(sharing.AccessTx) error) error {
	return s.InTx(ctx, func(q *Queries) error { return fn(q) })
}

const accessRequestSelect = `SELECT id, kind, object_id, owner_org, requester_org, requester_user,
	reason, state, created_at, decided_by, decided_at, decision_reason FROM access_requests`

func (q *Queries) queryAccessRequests(ctx context.Context, op, query string, args ...any) ([]sharing.AccessRequest, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []sharing.AccessRequest
	for rows.Next() {
		var (
			r                  sharing.AccessRequest
			created, decidedAt int64
		)
		if err := rows.Scan(&r.ID, &r.Kind, &r.ObjectID, &r.OwnerOrg, &r.RequesterOrg, &r.RequesterUser,
			&r.Reason, &r.State, &created, &r.DecidedBy, &decidedAt, &r.Decision); err != nil {
			return nil, mapErr(op, err)
		}
		r.CreatedAt, r.DecidedAt = fromMicros(created), fromMicros(decidedAt)
		out = append(out, r)
	}
	return out, mapErr(op, rows.Err())
}

// AccessRequest returns request id; NotFound when there is none.
func (q *Queries) AccessRequest(ctx context.Context, id string) (sharing.AccessRequest, error) {
	const op = "store.AccessRequest"
	rs, err := q.queryAccessRequests(ctx, op, accessRequestSelect+` WHERE id = $1`, id)
	if err != nil {
		return sharing.AccessRequest{}, err
	}
	if len(rs) == 0 {
		return sharing.AccessRequest{}, notFound(op, "the request for access")
	}
	return rs[0], nil
}

// ListAccessRequests returns the requests matching f, newest first (by
// creation time, then id), at most f.Limit of them.
func (q *Queries) ListAccessRequests(ctx context.Context, f sharing.RequestQuery) ([]sharing.AccessRequest, error) {
	var w where
	for _, c := range []struct{ col, val string }{
		{"owner_org", f.OwnerOrg}, {"requester_org", f.RequesterOrg}, {"requester_user", f.RequesterUser},
		{"kind", f.Kind}, {"object_id", f.ObjectID}, {"state", string(f.State)},
	} {
		if c.val != "" {
			w.add(c.col+` = ?`, c.val)
		}
	}
	return q.queryAccessRequests(ctx, "store.ListAccessRequests", accessRequestSelect+w.String()+
		` ORDER BY created_at DESC, id DESC LIMIT `+w.arg(clampLimit(f.Limit)), w.args...)
}

// CreateAccessRequest stores r, which must be open; Conflict when its
// organisation has an open request for the object, Invalid when an
// organisation or user it names does not exist.
func (q *Queries) CreateAccessRequest(ctx context.Context, r sharing.AccessRequest) error {
	const op = "store.CreateAccessRequest"
	if err := q.writable(op); err != nil {
		return err
	}
	if r.State != sharing.RequestOpen {
		return verbund.InvalidFields(op, map[string]string{"state": "a new request is open"})
	}
	if err := requireTime(op, "created_at", r.CreatedAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO access_requests (id, kind, object_id, owner_org,
		requester_org, requester_user, reason, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, r.Kind, r.ObjectID, r.OwnerOrg, r.RequesterOrg, r.RequesterUser, r.Reason, string(r.State), micros(r.CreatedAt))
	return conflict(op, checkViolation(op, err), "the organisation has an open request for the object", nil)
}

// DecideAccessRequest records the state, decider, time and reason of r if
// the request is open, and reports whether it was; NotFound when there is
// no request r.ID. The check and the write are one statement, so two
// deciders racing cannot both decide.
func (q *Queries) DecideAccessRequest(ctx context.Context, r sharing.AccessRequest) (bool, error) {
	const op = "store.DecideAccessRequest"
	if err := q.writable(op); err != nil {
		return false, err
	}
	if r.State != sharing.RequestGranted && r.State != sharing.RequestRefused {
		return false, verbund.InvalidFields(op, map[string]string{"state": "a decision grants or refuses"})
	}
	if err := requireTime(op, "decided_at", r.DecidedAt); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE access_requests SET state = $2, decided_by = $3,
		decided_at = $4, decision_reason = $5 WHERE id = $1 AND state = 'open'`,
		r.ID, string(r.State), r.DecidedBy, micros(r.DecidedAt), r.Decision)
	n, err := rowsAffected(op, res, checkViolation(op, err))
	if err != nil || n > 0 {
		return n > 0, err
	}
	if _, err := q.AccessRequest(ctx, r.ID); err != nil {
		return false, err
	}
	return false, nil
}
