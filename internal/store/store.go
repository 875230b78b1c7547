// Package store keeps Verbund's data in SQLite (embedded, the default) or
// PostgreSQL. Both run the same SQL through database/sql: SQLite accepts the
// $1 placeholders PostgreSQL uses, times are integer microseconds since the
// Unix epoch (0 for "never"), and where the dialects differ (DDL, locking)
// the difference is handled here and nowhere else.
//
// The store implements the Store interfaces of the domain packages; one
// conformance suite (conformance_test.go) runs against both databases.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/verbund/verbund"
)

// Dialect names the database engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Queries runs every query of the store against a querier: the read pool
// outside a transaction, the transaction inside one. Its methods implement
// the domain packages' Reader and Tx interfaces.
type Queries struct {
	q       querier
	dialect Dialect
	inTx    bool
}

// DB is an open database.
type DB struct {
	*Queries         // reads outside transactions
	read     *sql.DB // SQLite: a pool of read-only connections; PostgreSQL: the pool
	write    *sql.DB // SQLite: the one writer connection; PostgreSQL: same as read
	dialect  Dialect
	dsn      string
}

// Dialect returns the engine of db.
func (db *DB) Dialect() Dialect { return db.dialect }

// Open opens the database named by dsn: a postgres:// or postgresql:// URL,
// or else the path of a SQLite file (created with its directory if missing).
// It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	const op = "store.Open"
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, &verbund.Error{Op: op, Kind: verbund.Invalid, Msg: "the PostgreSQL URL is not valid", Err: err}
		}
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(10)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db := &DB{read: pool, write: pool, dialect: Postgres, dsn: dsn}
		db.Queries = &Queries{q: pool, dialect: Postgres}
		if err := db.Ping(ctx); err != nil {
			pool.Close()
			return nil, err
		}
		return db, nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
	if path == "" {
		return nil, verbund.E(op, verbund.Invalid, "no database given")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, &verbund.Error{Op: op, Kind: verbund.Unavailable, Msg: "cannot create the data directory " + dir, Err: err}
		}
	}
	params := url.Values{}
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "synchronous(NORMAL)")
	params.Set("_txlock", "immediate")
	base := "file:" + path + "?"
	write, err := sql.Open("sqlite", base+params.Encode())
	if err != nil {
		return nil, verbund.Errorf(op, err)
	}
	// One writer: SQLite serialises writes anyway; one connection makes the
	// order ours instead of a busy-wait.
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	params.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", base+params.Encode())
	if err != nil {
		write.Close()
		return nil, verbund.Errorf(op, err)
	}
	read.SetMaxOpenConns(8)
	db := &DB{read: read, write: write, dialect: SQLite, dsn: path}
	db.Queries = &Queries{q: read, dialect: SQLite}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return &verbund.Error{Op: "store.Ping", Kind: verbund.Unavailable, Msg: "the database does not answer", Err: err}
	}
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Stats returns the pool statistics of the connection pool that serves reads.
func (db *DB) Stats() sql.DBStats { return db.read.Stats() }

// InTx runs fn in a transaction on the writer and commits when fn returns nil.
// A panic or error in fn rolls everything back.
func (db *DB) InTx(ctx context.Context, fn func(*Queries) error) (err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return mapErr("store.InTx", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(&Queries{q: tx, dialect: db.dialect, inTx: true}); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return mapErr("store.InTx", err)
	}
	return nil
}

// micros converts t to the stored form: microseconds since the epoch, 0 for
// the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros; times come back in UTC.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// mapErr turns driver errors into verbund errors: unique violations become
// Conflict, no rows NotFound, connection failures Unavailable.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &verbund.Error{Op: op, Kind: verbund.NotFound, Msg: "not found", Err: err}
	}
	var ve *verbund.Error
	if errors.As(err, &ve) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03", // shutdown, cannot connect now
			pgErr.Code == "53300": // too many connections
			return &verbund.Error{Op: op, Kind: verbund.Unavailable, Msg: "the database does not answer", Err: err}
		}
		switch pgErr.Code {
		case "23505":
			return &verbund.Error{Op: op, Kind: verbund.Conflict, Msg: "already exists", Err: err}
		case "23503":
			return &verbund.Error{Op: op, Kind: verbund.Invalid, Msg: "refers to something that does not exist", Err: err}
		}
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &verbund.Error{Op: op, Kind: verbund.Conflict, Msg: "already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &verbund.Error{Op: op, Kind: verbund.Invalid, Msg: "refers to something that does not exist", Err: err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return &verbund.Error{Op: op, Kind: verbund.Unavailable, Msg: "the database is not available", Err: err}
		}
	}
	// A connection that broke or could not be made: the database is away,
	// which the client should hear as 503, not as our fault.
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err) || errors.Is(err, syscall.ECONNREFUSED) {
		return &verbund.Error{Op: op, Kind: verbund.Unavailable, Msg: "the database does not answer", Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &verbund.Error{Op: op, Kind: verbund.Unavailable, Msg: "the request was cancelled", Err: err}
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return &verbund.Error{Op: op, Kind: verbund.Unavailable, Msg: "the database does not answer", Err: err}
	}
	return &verbund.Error{Op: op, Kind: verbund.Internal, Err: fmt.Errorf("%w", err)}
}
