package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/federation"
)

// Compile-time proof that the store implements the federation's storage.
var (
	_ federation.Tx    = (*Queries)(nil)
	_ federation.Store = remotesStore{}
)

// remotesStore adapts a DB to federation.Store.
type remotesStore struct{ *DB }

// Federation returns db as the storage of the federation service.
func (db *DB) Federation() federation.Store { return remotesStore{db} }

// Update runs fn in one transaction; see federation.Store.
func (s remotesStore) Update(ctx context.Context, fn func(federation.Tx) error) error {
	return s.InTx(ctx, func(q *Queries) error { return fn(q) })
}

const remoteColumns = `id, name, url, remote_collection, direction, auth_kind, username, secret,
	local_collection, recipient_org, interval_seconds, enabled, created_by, created_at, updated_at,
	last_run_at, last_success_at, last_error, failures, last_count, next_run_at, pull_cursor,
	push_position, rejected, lease_owner, lease_until`

func (q *Queries) queryRemotes(ctx context.Context, op, query string, args ...any) ([]federation.Stored, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []federation.Stored
	for rows.Next() {
		var (
			r                                           federation.Stored
			interval, created, updated, lastRun, lastOK int64
			next, leaseUntil                            int64
			rejected                                    string
		)
		if err := rows.Scan(&r.ID, &r.Name, &r.URL, &r.Collection, &r.Direction, &r.Auth, &r.Username, &r.Sealed,
			&r.LocalCollection, &r.Recipient, &interval, &r.Enabled, &r.CreatedBy, &created, &updated,
			&lastRun, &lastOK, &r.State.LastError, &r.State.Failures, &r.State.LastCount, &next, &r.State.Cursor,
			&r.State.Position, &rejected, &r.LeaseOwner, &leaseUntil); err != nil {
			return nil, mapErr(op, err)
		}
		r.Interval = time.Duration(interval) * time.Second
		r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
		r.State.LastRun, r.State.LastSuccess, r.State.NextRun = fromMicros(lastRun), fromMicros(lastOK), fromMicros(next)
		r.LeaseUntil = fromMicros(leaseUntil)
		if len(r.Sealed) == 0 {
			r.Sealed = nil
		}
		r.HasSecret = r.Sealed != nil
		if err := json.Unmarshal([]byte(rejected), &r.State.Rejected); err != nil {
			return nil, mapErr(op, err)
		}
		if len(r.State.Rejected) == 0 {
			r.State.Rejected = nil
		}
		out = append(out, r)
	}
	return out, mapErr(op, rows.Err())
}

// Remotes returns every remote by name, then id.
func (q *Queries) Remotes(ctx context.Context) ([]federation.Stored, error) {
	return q.queryRemotes(ctx, "store.Remotes", `SELECT `+remoteColumns+` FROM taxii_remotes ORDER BY lower(name), id`)
}

// Remote returns remote id; NotFound when there is none.
func (q *Queries) Remote(ctx context.Context, id string) (federation.Stored, error) {
	const op = "store.Remote"
	rs, err := q.queryRemotes(ctx, op, `SELECT `+remoteColumns+` FROM taxii_remotes WHERE id = $1`, id)
	if err != nil {
		return federation.Stored{}, err
	}
	if len(rs) == 0 {
		return federation.Stored{}, notFound(op, "the TAXII remote")
	}
	return rs[0], nil
}

// DueRemotes returns up to limit enabled remotes due at now and not leased,
// the longest due first.
func (q *Queries) DueRemotes(ctx context.Context, now time.Time, limit int) ([]federation.Stored, error) {
	return q.queryRemotes(ctx, "store.DueRemotes", `SELECT `+remoteColumns+` FROM taxii_remotes
		WHERE enabled AND next_run_at <= $1 AND lease_until <= $1 ORDER BY next_run_at, id LIMIT $2`,
		micros(now), clampLimit(limit))
}

// ClaimRemote leases remote id to owner until until if it is enabled, due
// and unleased at now; see federation.Reader. It writes, so on SQLite it
// runs on the writer.
func (q *Queries) ClaimRemote(ctx context.Context, id, owner string, now, until time.Time) (bool, error) {
	const op = "store.ClaimRemote"
	if err := q.writable(op); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE taxii_remotes SET lease_owner = $2, lease_until = $4
		WHERE id = $1 AND enabled AND next_run_at <= $3 AND lease_until <= $3`, id, owner, micros(now), micros(until))
	n, err := rowsAffected(op, res, err)
	return n == 1, err
}

// ClaimRemote leases a remote in a transaction of its own.
func (db *DB) ClaimRemote(ctx context.Context, id, owner string, now, until time.Time) (ok bool, err error) {
	err = db.InTx(ctx, func(q *Queries) error {
		ok, err = q.ClaimRemote(ctx, id, owner, now, until)
		return err
	})
	return ok, err
}

// InsertRemote stores a new remote with an empty state but its next run.
func (q *Queries) InsertRemote(ctx context.Context, r federation.Stored) error {
	const op = "store.InsertRemote"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO taxii_remotes (id, name, url, remote_collection, direction,
		auth_kind, username, secret, local_collection, recipient_org, interval_seconds, enabled, created_by,
		created_at, updated_at, next_run_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		r.ID, r.Name, r.URL, r.Collection, r.Direction, r.Auth, r.Username, sealedArg(r.Sealed), r.LocalCollection,
		r.Recipient, int64(r.Interval/time.Second), r.Enabled, r.CreatedBy, micros(r.CreatedAt), micros(r.UpdatedAt),
		micros(r.State.NextRun))
	return mapErr(op, err)
}

// UpdateRemote stores the configuration of r.
func (q *Queries) UpdateRemote(ctx context.Context, r federation.Stored) error {
	const op = "store.UpdateRemote"
	if err := q.writable(op); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE taxii_remotes SET name = $2, url = $3, remote_collection = $4,
		direction = $5, auth_kind = $6, username = $7, secret = $8, local_collection = $9, recipient_org = $10,
		interval_seconds = $11, enabled = $12, updated_at = $13 WHERE id = $1`,
		r.ID, r.Name, r.URL, r.Collection, r.Direction, r.Auth, r.Username, sealedArg(r.Sealed), r.LocalCollection,
		r.Recipient, int64(r.Interval/time.Second), r.Enabled, micros(r.UpdatedAt))
	n, err := rowsAffected(op, res, err)
	if err == nil && n == 0 {
		return notFound(op, "the TAXII remote")
	}
	return err
}

// sealedArg stores no secret as NULL.
func sealedArg(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// DeleteRemote removes remote id.
func (q *Queries) DeleteRemote(ctx context.Context, id string) error {
	const op = "store.DeleteRemote"
	if err := q.writable(op); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM taxii_remotes WHERE id = $1`, id)
	n, err := rowsAffected(op, res, err)
	if err == nil && n == 0 {
		return notFound(op, "the TAXII remote")
	}
	return err
}

// SaveRemoteState stores the state of remote id; see federation.Tx.
func (q *Queries) SaveRemoteState(ctx context.Context, id, owner string, st federation.State, leaseUntil time.Time) error {
	const op = "store.SaveRemoteState"
	if err := q.writable(op); err != nil {
		return err
	}
	rejected := st.Rejected
	if rejected == nil {
		rejected = []federation.Rejected{}
	}
	rj, err := json.Marshal(rejected)
	if err != nil {
		return mapErr(op, err)
	}
	set := `last_run_at = $2, last_success_at = $3, last_error = $4, failures = $5, last_count = $6,
		next_run_at = $7, pull_cursor = $8, push_position = $9, rejected = $10`
	args := []any{id, micros(st.LastRun), micros(st.LastSuccess), st.LastError, st.Failures, st.LastCount,
		micros(st.NextRun), st.Cursor, st.Position, string(rj)}
	query := `UPDATE taxii_remotes SET ` + set + ` WHERE id = $1`
	if owner != "" {
		holder := owner
		if leaseUntil.IsZero() {
			holder = ""
		}
		query = `UPDATE taxii_remotes SET ` + set + `, lease_owner = $12, lease_until = $13
			WHERE id = $1 AND lease_owner = $11`
		args = append(args, owner, holder, micros(leaseUntil))
	}
	res, err := q.q.ExecContext(ctx, query, args...)
	n, err := rowsAffected(op, res, err)
	if err == nil && n == 0 {
		if _, err := q.Remote(ctx, id); err != nil {
			return err
		}
		return &verbund.Error{Op: op, Kind: verbund.Conflict, Msg: "the lease of the TAXII remote was lost to another node"}
	}
	return err
}

// ScheduleRemote moves the next run of remote id to at.
func (q *Queries) ScheduleRemote(ctx context.Context, id string, at time.Time) error {
	const op = "store.ScheduleRemote"
	if err := q.writable(op); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE taxii_remotes SET next_run_at = $2 WHERE id = $1`, id, micros(at))
	n, err := rowsAffected(op, res, err)
	if err == nil && n == 0 {
		return notFound(op, "the TAXII remote")
	}
	return err
}
