package store

import (
	"context"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/mail"
)

// Queries implements mail.Store inside a transaction; DB implements it on
// its own, running each change in a transaction of its own.
var (
	_ mail.Store = (*DB)(nil)
	_ mail.Store = (*Queries)(nil)
)

const mailColumns = `id, to_addr, subject, text_body, html_body, status, attempts,
	next_attempt_at, last_error, created_at, sent_at`

// EnqueueMail stores m in the outbox; its ID, CreatedAt and Status must be
// set. A zero NextAttempt makes it due at once.
func (q *Queries) EnqueueMail(ctx context.Context, m mail.Message) error {
	const op = "store.EnqueueMail"
	if err := q.writable(op); err != nil {
		return err
	}
	problems := map[string]string{}
	if m.ID == "" {
		problems["id"] = "is required"
	}
	if m.CreatedAt.IsZero() {
		problems["created_at"] = "is required"
	}
	if m.Status == "" {
		problems["status"] = "is required"
	}
	if len(problems) > 0 {
		return verbund.InvalidFields(op, problems)
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO mail_outbox (`+mailColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		m.ID, m.To, m.Subject, m.Text, m.HTML, m.Status, m.Attempts, micros(m.NextAttempt),
		m.LastError, micros(m.CreatedAt), micros(m.SentAt))
	return mapErr(op, err)
}

// ListMail returns the messages matching f, newest first. To matches the
// address exactly.
func (q *Queries) ListMail(ctx context.Context, f mail.Filter) ([]mail.Message, error) {
	var w where
	if f.Status != "" {
		w.add(`status = ?`, f.Status)
	}
	if f.To != "" {
		w.add(`to_addr = ?`, f.To)
	}
	query := `SELECT ` + mailColumns + ` FROM mail_outbox` + w.String() +
		` ORDER BY created_at DESC, id DESC LIMIT ` + w.arg(clampLimit(f.Limit)) +
		` OFFSET ` + w.arg(max(f.Offset, 0))
	return q.queryMail(ctx, "store.ListMail", query, w.args...)
}

// Mail returns the message with id; NotFound when there is none.
func (q *Queries) Mail(ctx context.Context, id string) (mail.Message, error) {
	const op = "store.Mail"
	ms, err := q.queryMail(ctx, op, `SELECT `+mailColumns+` FROM mail_outbox WHERE id = $1`, id)
	if err != nil {
		return mail.Message{}, err
	}
	if len(ms) == 0 {
		return mail.Message{}, notFound(op, "the message")
	}
	return ms[0], nil
}

// DueMail returns up to limit (default 50, at most 500) pending messages
// whose next attempt is at or before now, oldest first.
func (q *Queries) DueMail(ctx context.Context, now time.Time, limit int) ([]mail.Message, error) {
	return q.queryMail(ctx, "store.DueMail", `SELECT `+mailColumns+` FROM mail_outbox
		WHERE status = $1 AND next_attempt_at <= $2 ORDER BY created_at, id LIMIT $3`,
		mail.Pending, micros(now), clampLimit(limit))
}

// MarkMailSent records that message id was accepted at at; NotFound when it
// does not exist.
func (q *Queries) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	const op = "store.MarkMailSent"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "at", at); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE mail_outbox SET status = $2, sent_at = $3, last_error = ''
		WHERE id = $1`, id, mail.Sent, micros(at))
	n, err := rowsAffected(op, res, err)
	if err == nil && n == 0 {
		return notFound(op, "the message")
	}
	return err
}

// MarkMailFailed records a failed attempt at message id: the number of
// attempts, the time of the next, the error and the resulting status, which
// must be Pending or Failed; NotFound when the message does not exist.
func (q *Queries) MarkMailFailed(ctx context.Context, id string, attempts int, next time.Time, lastErr string, status mail.Status) error {
	const op = "store.MarkMailFailed"
	if err := q.writable(op); err != nil {
		return err
	}
	if status != mail.Pending && status != mail.Failed {
		return verbund.InvalidFields(op, map[string]string{"status": "must be pending or failed"})
	}
	res, err := q.q.ExecContext(ctx, `UPDATE mail_outbox SET attempts = $2, next_attempt_at = $3,
		last_error = $4, status = $5 WHERE id = $1`, id, attempts, micros(next), lastErr, status)
	n, err := rowsAffected(op, res, err)
	if err == nil && n == 0 {
		return notFound(op, "the message")
	}
	return err
}

// ClaimMail takes message id for one sending attempt: it moves the next
// attempt to until, so no other worker picks it up meanwhile, and reports
// whether the claim succeeded. It fails when the message is no longer
// pending and due at now (another worker claimed or sent it first).
func (q *Queries) ClaimMail(ctx context.Context, id string, now, until time.Time) (bool, error) {
	const op = "store.ClaimMail"
	if err := q.writable(op); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE mail_outbox SET next_attempt_at = $4
		WHERE id = $1 AND status = $2 AND next_attempt_at <= $3`, id, mail.Pending, micros(now), micros(until))
	n, err := rowsAffected(op, res, err)
	return n == 1, err
}

func (q *Queries) queryMail(ctx context.Context, op, query string, args ...any) ([]mail.Message, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []mail.Message
	for rows.Next() {
		var (
			m                   mail.Message
			next, created, sent int64
		)
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Text, &m.HTML, &m.Status, &m.Attempts,
			&next, &m.LastError, &created, &sent); err != nil {
			return nil, mapErr(op, err)
		}
		m.NextAttempt, m.CreatedAt, m.SentAt = fromMicros(next), fromMicros(created), fromMicros(sent)
		out = append(out, m)
	}
	return out, mapErr(op, rows.Err())
}

// The changes of mail.Store on a DB: the mail worker runs outside any other
// transaction, and DB's own Queries read from a pool that may not write.

// EnqueueMail stores m in the outbox in a transaction of its own.
func (db *DB) EnqueueMail(ctx context.Context, m mail.Message) error {
	return db.InTx(ctx, func(q *Queries) error { return q.EnqueueMail(ctx, m) })
}

// MarkMailSent records that message id was accepted at at.
func (db *DB) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	return db.InTx(ctx, func(q *Queries) error { return q.MarkMailSent(ctx, id, at) })
}

// MarkMailFailed records a failed attempt at message id; see
// Queries.MarkMailFailed.
func (db *DB) MarkMailFailed(ctx context.Context, id string, attempts int, next time.Time, lastErr string, status mail.Status) error {
	return db.InTx(ctx, func(q *Queries) error {
		return q.MarkMailFailed(ctx, id, attempts, next, lastErr, status)
	})
}

// ClaimMail takes message id for one attempt; see Queries.ClaimMail.
func (db *DB) ClaimMail(ctx context.Context, id string, now, until time.Time) (bool, error) {
	var ok bool
	err := db.InTx(ctx, func(q *Queries) error {
		var err error
		ok, err = q.ClaimMail(ctx, id, now, until)
		return err
	})
	return ok, err
}
