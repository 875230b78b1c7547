// Package storetest opens fresh, migrated databases for tests: SQLite in a
// temporary directory, and PostgreSQL in a schema of its own on the server
// named by the environment variable VERBUND_TEST_POSTGRES.
//
// Every call returns an empty database that is removed when the test ends,
// so tests may run in parallel and never see each other's rows.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/verbund/verbund/internal/store"
)

// EnvPostgres names the environment variable with the URL of the PostgreSQL
// server for tests, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvPostgres = "VERBUND_TEST_POSTGRES"

// Each runs fn as the subtests "sqlite" and "postgres", each with a fresh
// database. The PostgreSQL subtest is skipped, or fails in CI, as Postgres
// describes.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run(string(store.SQLite), func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run(string(store.Postgres), func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated SQLite database in a file under t.TempDir.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "verbund.db"))
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate SQLite: %v", err)
	}
	return db
}

// Postgres returns a migrated PostgreSQL database in a schema of its own,
// dropped with everything in it when t ends. Without VERBUND_TEST_POSTGRES
// it skips t, or fails it when the environment variable CI is "true": a CI
// run must not pass by testing one engine only.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	// Cleanup runs after the test's context is cancelled: use our own.
	ctx := context.Background()
	db, err := store.Open(ctx, PostgresURL(t))
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	t.Cleanup(func() { db.Close() }) // registered after the drop, so it runs before it
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate PostgreSQL: %v", err)
	}
	return db
}

// PostgresURL creates an empty schema of its own on the server named by
// VERBUND_TEST_POSTGRES and returns a URL whose connections work in it, for
// tests that open the database themselves (the end-to-end test passes it to
// `verbund serve --db`). The schema is dropped with everything in it when t
// ends; whoever opens the URL must close its connections before. Without
// the variable it skips or fails t as Postgres does.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		const how = EnvPostgres + " is not set; to test PostgreSQL, set it to a server URL, e.g. " +
			"postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		if os.Getenv("CI") == "true" {
			t.Fatal(how)
		}
		t.Skip(how)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", EnvPostgres, err)
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := "t_" + randomHex(8)
	// The name is ours and of hex digits only: safe to splice in.
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	// pgx passes URL parameters it does not know to the server as run-time
	// parameters, so every connection of the pool works in the schema.
	params := u.Query()
	params.Set("search_path", schema)
	u.RawQuery = params.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails
	return hex.EncodeToString(b)
}
