package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
)

var (
	_ audit.Store = (*DB)(nil)
	_ audit.Store = (*Queries)(nil)
)

// auditLockKey is the PostgreSQL advisory lock that serialises appends to the
// audit log (7311042 guards migrations). SQLite needs none: its one writer
// connection already runs one transaction at a time.
const auditLockKey = 7311043

// walkBatch is how many entries WalkAudit holds in memory at once.
const walkBatch = 1000

const auditColumns = `seq, at, actor_user, actor_token, actor_org, action, object_type,
	object_id, outcome, reason, request_id, ip, prev_hash, hash`

// AppendAudit seals e onto the last entry of the log and stores it; it
// returns the sealed entry. It must run inside a transaction, so that the
// entry is stored exactly when the change it records is. Appends are
// serialised until commit: concurrent transactions never seal onto the same
// predecessor.
func (q *Queries) AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error) {
	const op = "store.AppendAudit"
	if err := q.writable(op); err != nil {
		return audit.Entry{}, err
	}
	if err := requireTime(op, "at", e.At); err != nil {
		return audit.Entry{}, err
	}
	if e.Action == "" {
		return audit.Entry{}, verbund.InvalidFields(op, map[string]string{"action": "is required"})
	}
	if q.dialect == Postgres {
		// Held until the transaction ends; in READ COMMITTED the next
		// statement then sees the entry of whoever held it before.
		if _, err := q.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, auditLockKey); err != nil {
			return audit.Entry{}, mapErr(op, err)
		}
	}
	var prev audit.Entry
	err := q.q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).
		Scan(&prev.Seq, &prev.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return audit.Entry{}, mapErr(op, err)
	}
	e = e.Seal(prev)
	_, err = q.q.ExecContext(ctx, `INSERT INTO audit_log (`+auditColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		e.Seq, micros(e.At), e.ActorUser, e.ActorToken, e.ActorOrg, e.Action, e.ObjectType,
		e.ObjectID, e.Outcome, e.Reason, e.RequestID, e.IP, e.PrevHash, e.Hash)
	if err != nil {
		return audit.Entry{}, mapErr(op, err)
	}
	return e, nil
}

// ListAudit returns the entries matching f, newest first. An Action ending
// in "." matches every action it prefixes, case-sensitively on both engines.
// Since is inclusive, Until exclusive.
func (q *Queries) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var w where
	switch {
	case strings.HasSuffix(f.Action, "."):
		// substr, unlike LIKE, has no wildcards to escape and compares
		// case-sensitively on SQLite too.
		w.add(`substr(action, 1, ?) = ?`, utf8.RuneCountInString(f.Action), f.Action)
	case f.Action != "":
		w.add(`action = ?`, f.Action)
	}
	if f.ActorUser != "" {
		w.add(`actor_user = ?`, f.ActorUser)
	}
	if f.ActorOrg != "" {
		w.add(`actor_org = ?`, f.ActorOrg)
	}
	if f.ObjectID != "" {
		w.add(`object_id = ?`, f.ObjectID)
	}
	if f.Outcome != "" {
		w.add(`outcome = ?`, f.Outcome)
	}
	if !f.Since.IsZero() {
		w.add(`at >= ?`, micros(f.Since))
	}
	if !f.Until.IsZero() {
		w.add(`at < ?`, micros(f.Until))
	}
	if f.BeforeSeq > 0 {
		w.add(`seq < ?`, f.BeforeSeq)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_log` + w.String() +
		` ORDER BY seq DESC LIMIT ` + w.arg(clampLimit(f.Limit))
	return q.queryAudit(ctx, "store.ListAudit", query, w.args...)
}

// WalkAudit calls fn for every entry in sequence order, oldest first, and
// returns the first error fn returns, unchanged. It reads walkBatch entries
// at a time and calls fn with no query open, so fn may itself use the
// database, and a log of millions of entries never sits in memory.
// Entries appended during the walk are included.
func (q *Queries) WalkAudit(ctx context.Context, fn func(audit.Entry) error) error {
	const op = "store.WalkAudit"
	// Start below any sequence number, so that a forged entry with a seq of
	// 0 or less is walked too and fails verification.
	after := int64(math.MinInt64)
	for {
		batch, err := q.queryAudit(ctx, op, `SELECT `+auditColumns+` FROM audit_log
			WHERE seq > $1 ORDER BY seq LIMIT $2`, after, walkBatch)
		if err != nil {
			return err
		}
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(batch) < walkBatch {
			return nil
		}
		after = batch[len(batch)-1].Seq
	}
}

func (q *Queries) queryAudit(ctx context.Context, op, query string, args ...any) ([]audit.Entry, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var (
			e  audit.Entry
			at int64
		)
		if err := rows.Scan(&e.Seq, &at, &e.ActorUser, &e.ActorToken, &e.ActorOrg, &e.Action,
			&e.ObjectType, &e.ObjectID, &e.Outcome, &e.Reason, &e.RequestID, &e.IP,
			&e.PrevHash, &e.Hash); err != nil {
			return nil, mapErr(op, err)
		}
		e.At = fromMicros(at)
		out = append(out, e)
	}
	return out, mapErr(op, rows.Err())
}
