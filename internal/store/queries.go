package store

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/verbund/verbund"
)

// Listing limits shared by every paged listing of the store.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// clampLimit returns n bounded to (0, maxLimit], with defaultLimit for n <= 0.
func clampLimit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}

// writable returns an Internal error unless q runs inside a transaction.
// Every change goes through DB.InTx so that it is atomic with the rows and
// audit entries that belong to it on both engines (outside one, SQLite's read
// pool refuses writes while PostgreSQL would quietly commit each statement).
func (q *Queries) writable(op string) error {
	if q.inTx {
		return nil
	}
	return &verbund.Error{Op: op, Kind: verbund.Internal, Msg: "must run inside a transaction"}
}

// notFound returns a NotFound error of op saying that what does not exist.
func notFound(op, what string) error {
	return &verbund.Error{Op: op, Kind: verbund.NotFound, Msg: what + " does not exist", Err: sql.ErrNoRows}
}

// conflict maps err like mapErr, and gives a Conflict the message msg and
// the field problems fields, which say what is taken better than a driver can.
func conflict(op string, err error, msg string, fields map[string]string) error {
	err = mapErr(op, err)
	var ve *verbund.Error
	if errors.As(err, &ve) && ve.Kind == verbund.Conflict {
		return &verbund.Error{Op: op, Kind: verbund.Conflict, Msg: msg, Fields: fields, Err: ve.Err}
	}
	return err
}

// requireTime returns an Invalid error when t is zero. The store keeps the
// zero time as 0, which means "never": a revocation, use or sending at the
// zero time would silently be no change at all.
func requireTime(op, field string, t time.Time) error {
	if t.IsZero() {
		return verbund.InvalidFields(op, map[string]string{field: "a time is required"})
	}
	return nil
}

// rowsAffected returns how many rows the UPDATE or DELETE that returned res
// and err changed.
func rowsAffected(op string, res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, mapErr(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapErr(op, err)
	}
	return int(n), nil
}

// where collects the conditions and arguments of a query whose filters are
// optional. Placeholders are numbered in the order arguments are added, so
// one query text serves both dialects.
type where struct {
	conds []string
	args  []any
}

// add appends cond, in which each "?" stands for the placeholder of the next
// of args.
func (w *where) add(cond string, args ...any) {
	for _, a := range args {
		cond = strings.Replace(cond, "?", w.arg(a), 1)
	}
	w.conds = append(w.conds, cond)
}

// arg appends a to the arguments and returns its placeholder.
func (w *where) arg(a any) string {
	w.args = append(w.args, a)
	return "$" + strconv.Itoa(len(w.args))
}

// String returns the WHERE clause, or "" without conditions.
func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
