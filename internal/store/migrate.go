package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/verbund/verbund"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one embedded schema change. Both dialects have the same
// versions with the same meaning; only the DDL differs.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations of dialect d in version order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	// One line of history: every installation applies the same migrations
	// in the same order, so versions run 1, 2, 3, … without gaps.
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration versions must be 1, 2, 3, …: found %d at position %d", m.Version, i+1)
		}
	}
	return ms, nil
}

// MigrationStatus is a migration and when it was applied (zero: pending).
type MigrationStatus struct {
	Migration
	AppliedAt time.Time
}

// Migrate applies every pending migration, each in its own transaction, and
// returns the ones it applied. On PostgreSQL an advisory lock keeps several
// nodes starting at once from migrating twice. Like every advisory lock of
// the store, it is taken per schema (the second key is the schema's hash):
// nodes of one installation share a schema and so the lock, and
// installations or tests in other schemas of the same database do not wait
// for each other.
func (db *DB) Migrate(ctx context.Context) ([]Migration, error) {
	const op = "store.Migrate"
	ms, err := Migrations(db.dialect)
	if err != nil {
		return nil, verbund.Errorf(op, err)
	}
	if db.dialect == Postgres {
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return nil, mapErr(op, err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7311042, hashtext(current_schema()))"); err != nil {
			return nil, mapErr(op, err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7311042, hashtext(current_schema()))")
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return nil, mapErr(op, err)
	}
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var done []Migration
	for _, m := range ms {
		if _, ok := applied[m.Version]; ok {
			continue
		}
		err := db.InTx(ctx, func(q *Queries) error {
			if _, err := q.q.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
			_, err := q.q.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return done, verbund.Errorf(op, err)
		}
		done = append(done, m)
	}
	for v := range applied {
		if v > len(ms) {
			return done, &verbund.Error{Op: op, Kind: verbund.Invalid,
				Msg: fmt.Sprintf("the database has migration %d, which this version of Verbund does not know (it knows %d): upgrade Verbund", v, len(ms))}
		}
	}
	return done, nil
}

// MigrationStatus lists every known migration with the time it was applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	ms, err := Migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		applied = map[int]time.Time{} // no table yet: everything pending
	}
	out := make([]MigrationStatus, len(ms))
	for i, m := range ms {
		out[i] = MigrationStatus{Migration: m, AppliedAt: applied[m.Version]}
	}
	return out, nil
}

func (db *DB) appliedMigrations(ctx context.Context) (map[int]time.Time, error) {
	rows, err := db.write.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, mapErr("store.appliedMigrations", err)
	}
	defer rows.Close()
	applied := map[int]time.Time{}
	for rows.Next() {
		var v int
		var at int64
		if err := rows.Scan(&v, &at); err != nil {
			return nil, mapErr("store.appliedMigrations", err)
		}
		applied[v] = fromMicros(at)
	}
	return applied, mapErr("store.appliedMigrations", rows.Err())
}
