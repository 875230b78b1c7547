package store

import (
	"context"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/membership"
)

// The statuses organisations hold, and the badges that show them.

const statusSelect = `SELECT id, org_id, status, since, ended_at, end_reason FROM membership_statuses`

// ListStatuses returns the status records matching f, oldest first.
func (q *Queries) ListStatuses(ctx context.Context, f membership.StatusFilter) ([]membership.StatusRecord, error) {
	const op = "store.ListStatuses"
	var w where
	if f.OrgID != "" {
		w.add(`org_id = ?`, f.OrgID)
	}
	if f.Status != "" {
		w.add(`status = ?`, f.Status)
	}
	if f.CurrentOnly {
		w.add(`ended_at = 0`)
	}
	rows, err := q.q.QueryContext(ctx, statusSelect+w.String()+` ORDER BY since, id`, w.args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []membership.StatusRecord
	for rows.Next() {
		var (
			r            membership.StatusRecord
			since, ended int64
		)
		if err := rows.Scan(&r.ID, &r.OrgID, &r.Status, &since, &ended, &r.EndReason); err != nil {
			return nil, mapErr(op, err)
		}
		r.Since, r.EndedAt = fromMicros(since), fromMicros(ended)
		out = append(out, r)
	}
	return out, mapErr(op, rows.Err())
}

// StartStatus stores r, which must not have ended; Conflict when its
// organisation holds the status already.
func (q *Queries) StartStatus(ctx context.Context, r membership.StatusRecord) error {
	const op = "store.StartStatus"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "since", r.Since); err != nil {
		return err
	}
	if !r.EndedAt.IsZero() {
		return verbund.InvalidFields(op, map[string]string{"ended_at": "a new status has not ended"})
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO membership_statuses (id, org_id, status, since, ended_at, end_reason)
		VALUES ($1, $2, $3, $4, 0, '')`, r.ID, r.OrgID, r.Status, micros(r.Since))
	return conflict(op, err, "the organisation holds this status already", nil)
}

// EndStatuses ends every current status of organisation orgID at at with
// reason; it returns how many it ended.
func (q *Queries) EndStatuses(ctx context.Context, orgID string, at time.Time, reason string) (int, error) {
	const op = "store.EndStatuses"
	if err := q.writable(op); err != nil {
		return 0, err
	}
	if err := requireTime(op, "at", at); err != nil {
		return 0, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE membership_statuses SET ended_at = $2, end_reason = $3
		WHERE org_id = $1 AND ended_at = 0`, orgID, micros(at), reason)
	return rowsAffected(op, res, err)
}

const badgeSelect = `SELECT b.id, b.org_id, COALESCE(o.name, ''), b.status, b.since, b.issued_at,
	b.statement, b.signature, b.revoked_at, b.revoke_reason
FROM membership_badges b LEFT JOIN organisations o ON o.id = b.org_id`

func (q *Queries) queryBadges(ctx context.Context, op, query string, args ...any) ([]membership.Badge, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []membership.Badge
	for rows.Next() {
		var (
			b                      membership.Badge
			since, issued, revoked int64
		)
		if err := rows.Scan(&b.ID, &b.OrgID, &b.OrgName, &b.Status, &since, &issued, &b.Statement,
			&b.Signature, &revoked, &b.RevokeReason); err != nil {
			return nil, mapErr(op, err)
		}
		b.Since, b.IssuedAt, b.RevokedAt = fromMicros(since), fromMicros(issued), fromMicros(revoked)
		out = append(out, b)
	}
	return out, mapErr(op, rows.Err())
}

// Badge returns the badge with id, with the current name of its
// organisation; NotFound when there is none.
func (q *Queries) Badge(ctx context.Context, id string) (membership.Badge, error) {
	const op = "store.Badge"
	bs, err := q.queryBadges(ctx, op, badgeSelect+` WHERE b.id = $1`, id)
	if err != nil {
		return membership.Badge{}, err
	}
	if len(bs) == 0 {
		return membership.Badge{}, notFound(op, "the badge")
	}
	return bs[0], nil
}

// ListBadges returns the badges of organisation orgID, newest first.
func (q *Queries) ListBadges(ctx context.Context, orgID string) ([]membership.Badge, error) {
	return q.queryBadges(ctx, "store.ListBadges", badgeSelect+` WHERE b.org_id = $1 ORDER BY b.issued_at DESC, b.id DESC`, orgID)
}

// CreateBadge stores b; Conflict when its id is taken. OrgName is not
// stored: it is read from the organisation.
func (q *Queries) CreateBadge(ctx context.Context, b membership.Badge) error {
	const op = "store.CreateBadge"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "issued_at", b.IssuedAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO membership_badges (id, org_id, status, since, issued_at,
		statement, signature, revoked_at, revoke_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		b.ID, b.OrgID, b.Status, micros(b.Since), micros(b.IssuedAt), b.Statement, b.Signature,
		micros(b.RevokedAt), b.RevokeReason)
	return conflict(op, err, "a badge with this id exists", nil)
}

// RevokeBadges revokes the unrevoked badges of organisation orgID for
// status, or for all statuses when status is "", at at with reason; it
// returns how many it revoked.
func (q *Queries) RevokeBadges(ctx context.Context, orgID string, status membership.Status, at time.Time, reason string) (int, error) {
	const op = "store.RevokeBadges"
	if err := q.writable(op); err != nil {
		return 0, err
	}
	if err := requireTime(op, "at", at); err != nil {
		return 0, err
	}
	var w where
	set := `UPDATE membership_badges SET revoked_at = ` + w.arg(micros(at)) + `, revoke_reason = ` + w.arg(reason)
	w.add(`org_id = ?`, orgID)
	w.add(`revoked_at = 0`)
	if status != "" {
		w.add(`status = ?`, status)
	}
	res, err := q.q.ExecContext(ctx, set+w.String(), w.args...)
	return rowsAffected(op, res, err)
}
