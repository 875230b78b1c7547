package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/warning"
)

// Warnings and advisories. A warning's row holds its workflow state and the
// draft; warning_revisions every published revision; the marking is a row
// of object_markings (kind 'warning'), which the foreign key requires to
// exist before the warning does.

// Compile-time proof that the store implements the warning interfaces.
var (
	_ warning.Tx    = (*Queries)(nil)
	_ warning.Store = warningStore{}
)

// warningStore adapts a DB to warning.Store.
type warningStore struct{ *DB }

// Warnings returns db as the storage of the warning service.
func (db *DB) Warnings() warning.Store { return warningStore{db} }

// Update runs fn in one transaction; see warning.Store.
func (s warningStore) Update(ctx context.Context, fn func(warning.Tx) error) error {
	return s.InTx(ctx, func(q *Queries) error { return fn(q) })
}

const warningColumns = `id, tracking_id, owner_org, created_by, contribution, state, draft, created_at, updated_at,
	edited_by, submitted_by, submitted_at, approved_by, approved_at, published_at, withdrawn_at, withdrawn_by, withdraw_reason`

// Warning returns warning id with its marking and revisions.
func (q *Queries) Warning(ctx context.Context, id string) (warning.Warning, error) {
	return q.oneWarning(ctx, "store.Warning", id, "")
}

// LockWarning is Warning, holding the row until the transaction ends. On
// SQLite the one writer connection already serialises every change.
func (q *Queries) LockWarning(ctx context.Context, id string) (warning.Warning, error) {
	const op = "store.LockWarning"
	if err := q.writable(op); err != nil {
		return warning.Warning{}, err
	}
	lock := ""
	if q.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	return q.oneWarning(ctx, op, id, lock)
}

func (q *Queries) oneWarning(ctx context.Context, op, id, lock string) (warning.Warning, error) {
	ws, err := q.warnings(ctx, ` WHERE id = $1`+lock, id)
	if err != nil {
		return warning.Warning{}, err
	}
	if len(ws) == 0 {
		return warning.Warning{}, notFound(op, "the warning")
	}
	return ws[0], nil
}

// WarningsByID returns the warnings of ids that exist, in no particular
// order.
func (q *Queries) WarningsByID(ctx context.Context, ids []string) ([]warning.Warning, error) {
	var out []warning.Warning
	for len(ids) > 0 {
		n := min(len(ids), 500)
		var w where
		ph := make([]string, n)
		for i, id := range ids[:n] {
			ph[i] = w.arg(id)
		}
		ws, err := q.warnings(ctx, ` WHERE id IN (`+strings.Join(ph, ", ")+`)`, w.args...)
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
		ids = ids[n:]
	}
	return out, nil
}

// warnings returns the warnings the where clause selects, each with its
// marking and revisions.
func (q *Queries) warnings(ctx context.Context, cond string, args ...any) ([]warning.Warning, error) {
	const op = "store.Warnings"
	rows, err := q.q.QueryContext(ctx, `SELECT `+warningColumns+` FROM warnings`+cond, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	var ws []warning.Warning
	for rows.Next() {
		var (
			w                                                       warning.Warning
			state, draft                                            string
			created, updated, submitted, approved, published, wdrwn int64
		)
		if err := rows.Scan(&w.ID, &w.TrackingID, &w.OwnerOrg, &w.CreatedBy, &w.Contribution, &state, &draft,
			&created, &updated, &w.EditedBy, &w.SubmittedBy, &submitted, &w.ApprovedBy, &approved, &published,
			&wdrwn, &w.WithdrawnBy, &w.WithdrawReason); err != nil {
			rows.Close()
			return nil, mapErr(op, err)
		}
		if err := json.Unmarshal([]byte(draft), &w.Draft); err != nil {
			rows.Close()
			return nil, verbund.Errorf(op, err)
		}
		w.State = warning.State(state)
		w.CreatedAt, w.UpdatedAt, w.SubmittedAt = fromMicros(created), fromMicros(updated), fromMicros(submitted)
		w.ApprovedAt, w.PublishedAt, w.WithdrawnAt = fromMicros(approved), fromMicros(published), fromMicros(wdrwn)
		ws = append(ws, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	if len(ws) == 0 {
		return nil, nil
	}
	index := map[string]int{}
	var w where
	ph := make([]string, len(ws))
	for i := range ws {
		index[ws[i].ID] = i
		ph[i] = w.arg(ws[i].ID)
		m, err := q.Marking(ctx, "warning", ws[i].ID)
		if err != nil {
			return nil, err
		}
		ws[i].Marking = m.Marking
	}
	rows, err = q.q.QueryContext(ctx, `SELECT warning_id, number, at, by_user, summary, content FROM warning_revisions
		WHERE warning_id IN (`+strings.Join(ph, ", ")+`) ORDER BY warning_id, number`, w.args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, content string
			r           warning.Revision
			at          int64
		)
		if err := rows.Scan(&id, &r.Number, &at, &r.By, &r.Summary, &content); err != nil {
			return nil, mapErr(op, err)
		}
		if err := json.Unmarshal([]byte(content), &r.Content); err != nil {
			return nil, verbund.Errorf(op, err)
		}
		r.At = fromMicros(at)
		i := index[id]
		ws[i].Revisions = append(ws[i].Revisions, r)
	}
	return ws, mapErr(op, rows.Err())
}

// NextTrackingNumber returns the next number of the tracking ids of year.
func (q *Queries) NextTrackingNumber(ctx context.Context, year int) (int, error) {
	const op = "store.NextTrackingNumber"
	if err := q.writable(op); err != nil {
		return 0, err
	}
	var n int
	err := q.q.QueryRowContext(ctx, `INSERT INTO warning_tracking (year, last) VALUES ($1, 1)
		ON CONFLICT (year) DO UPDATE SET last = warning_tracking.last + 1 RETURNING last`, year).Scan(&n)
	return n, mapErr(op, err)
}

// CreateWarning stores w without revisions.
func (q *Queries) CreateWarning(ctx context.Context, w warning.Warning) error {
	const op = "store.CreateWarning"
	if err := q.writable(op); err != nil {
		return err
	}
	draft, err := json.Marshal(w.Draft)
	if err != nil {
		return verbund.Errorf(op, err)
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO warnings (`+warningColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		w.ID, w.TrackingID, w.OwnerOrg, w.CreatedBy, w.Contribution, string(w.State), string(draft),
		micros(w.CreatedAt), micros(w.UpdatedAt), w.EditedBy, w.SubmittedBy, micros(w.SubmittedAt), w.ApprovedBy,
		micros(w.ApprovedAt), micros(w.PublishedAt), micros(w.WithdrawnAt), w.WithdrawnBy, w.WithdrawReason)
	return conflict(op, err, "a warning with this id or tracking id exists", map[string]string{"tracking_id": "is taken"})
}

// UpdateWarning replaces the state, draft and workflow fields of w.
func (q *Queries) UpdateWarning(ctx context.Context, w warning.Warning) error {
	const op = "store.UpdateWarning"
	if err := q.writable(op); err != nil {
		return err
	}
	draft, err := json.Marshal(w.Draft)
	if err != nil {
		return verbund.Errorf(op, err)
	}
	res, err := q.q.ExecContext(ctx, `UPDATE warnings SET state = $2, draft = $3, updated_at = $4, edited_by = $5,
		submitted_by = $6, submitted_at = $7, approved_by = $8, approved_at = $9, published_at = $10,
		withdrawn_at = $11, withdrawn_by = $12, withdraw_reason = $13 WHERE id = $1`,
		w.ID, string(w.State), string(draft), micros(w.UpdatedAt), w.EditedBy, w.SubmittedBy, micros(w.SubmittedAt),
		w.ApprovedBy, micros(w.ApprovedAt), micros(w.PublishedAt), micros(w.WithdrawnAt), w.WithdrawnBy, w.WithdrawReason)
	n, err := rowsAffected(op, res, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(op, "the warning")
	}
	return nil
}

// AddRevision appends r to warning id.
func (q *Queries) AddRevision(ctx context.Context, id string, r warning.Revision) error {
	const op = "store.AddRevision"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "at", r.At); err != nil {
		return err
	}
	content, err := json.Marshal(r.Content)
	if err != nil {
		return verbund.Errorf(op, err)
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO warning_revisions (warning_id, number, at, by_user, summary, content)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, r.Number, micros(r.At), r.By, r.Summary, string(content))
	return conflict(op, err, "the revision exists already", nil)
}

// PutAcknowledgement stores a, replacing the organisation's earlier one.
func (q *Queries) PutAcknowledgement(ctx context.Context, a warning.Acknowledgement) error {
	const op = "store.PutAcknowledgement"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO warning_acks (warning_id, org_id, status, by_user, at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (warning_id, org_id) DO UPDATE SET status = excluded.status,
		by_user = excluded.by_user, at = excluded.at`, a.WarningID, a.OrgID, string(a.Status), a.By, micros(a.At))
	return mapErr(op, err)
}

// Acknowledgements returns every organisation's acknowledgement of warning
// id, by organisation id.
func (q *Queries) Acknowledgements(ctx context.Context, id string) ([]warning.Acknowledgement, error) {
	return q.acks(ctx, `WHERE warning_id = $1 ORDER BY org_id`, id)
}

// AcknowledgementOf returns orgID's acknowledgement of warning id.
func (q *Queries) AcknowledgementOf(ctx context.Context, id, orgID string) (warning.Acknowledgement, error) {
	as, err := q.acks(ctx, `WHERE warning_id = $1 AND org_id = $2`, id, orgID)
	if err != nil {
		return warning.Acknowledgement{}, err
	}
	if len(as) == 0 {
		return warning.Acknowledgement{}, notFound("store.AcknowledgementOf", "the acknowledgement")
	}
	return as[0], nil
}

func (q *Queries) acks(ctx context.Context, cond string, args ...any) ([]warning.Acknowledgement, error) {
	const op = "store.Acknowledgements"
	rows, err := q.q.QueryContext(ctx, `SELECT warning_id, org_id, status, by_user, at FROM warning_acks `+cond, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []warning.Acknowledgement
	for rows.Next() {
		var (
			a      warning.Acknowledgement
			status string
			at     int64
		)
		if err := rows.Scan(&a.WarningID, &a.OrgID, &status, &a.By, &at); err != nil {
			return nil, mapErr(op, err)
		}
		a.Status, a.At = warning.Ack(status), fromMicros(at)
		out = append(out, a)
	}
	return out, mapErr(op, rows.Err())
}
