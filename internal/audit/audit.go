// Package audit defines the append-only, hash-chained audit log.
//
// Each entry commits to its predecessor's hash and to its own canonical
// content, so that changing, removing or reordering any stored entry breaks the
// chain at that entry. Verify names the first entry that does not fit.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Outcome says how an action ended.
type Outcome string

const (
	Success Outcome = "success"
	Failure Outcome = "failure"
	Denied  Outcome = "denied"
)

// Entry is one record of the audit log. Seq, PrevHash and Hash are set by the
// store when the entry is appended.
type Entry struct {
	Seq        int64
	At         time.Time // stored with microsecond precision, in UTC
	ActorUser  string    // user id, "" for the public or a token
	ActorToken string    // token id when a machine client acted
	ActorOrg   string    // organisation the actor acted for
	Action     string    // dotted verb: "auth.login", "token.create"
	ObjectType string
	ObjectID   string
	Outcome    Outcome
	Reason     string // why, in words an auditor understands; never secrets
	RequestID  string
	IP         string
	PrevHash   string // hex SHA-256 of the previous entry, "" for the first
	Hash       string // hex SHA-256 over PrevHash and the canonical content
}

// Genesis is the PrevHash of the first entry.
const Genesis = ""

// canonical is the content an entry's hash commits to: every field but Hash,
// in a fixed order, with the time as integer microseconds.
func (e Entry) canonical() []byte {
	fields := []string{
		strconv.FormatInt(e.Seq, 10),
		strconv.FormatInt(e.At.UTC().UnixMicro(), 10),
		e.ActorUser, e.ActorToken, e.ActorOrg, e.Action, e.ObjectType, e.ObjectID,
		string(e.Outcome), e.Reason, e.RequestID, e.IP, e.PrevHash,
	}
	// A JSON array of strings is unambiguous: no field can bleed into the next.
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err) // strings always marshal
	}
	return b
}

// ComputeHash returns the hash e must carry given its other fields.
func (e Entry) ComputeHash() string {
	sum := sha256.Sum256(e.canonical())
	return hex.EncodeToString(sum[:])
}

// Seal sets e's sequence number, predecessor hash and own hash; the store calls
// it with the last stored entry (or a zero Entry for the first).
func (e Entry) Seal(prev Entry) Entry {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Seq = prev.Seq + 1
	e.PrevHash = prev.Hash
	e.Hash = e.ComputeHash()
	return e
}

// Break describes where the chain does not hold.
type Break struct {
	Seq    int64
	Reason string
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", b.Seq, b.Reason)
}

// Verifier checks entries one at a time, in sequence order.
type Verifier struct {
	prev  Entry
	count int64
}

// Next checks e against the entries seen before; it returns a *Break at the
// first entry that does not fit.
func (v *Verifier) Next(e Entry) error {
	switch {
	case e.Seq != v.prev.Seq+1:
		return &Break{Seq: e.Seq, Reason: fmt.Sprintf("expected sequence number %d (an entry is missing or was inserted)", v.prev.Seq+1)}
	case e.PrevHash != v.prev.Hash:
		return &Break{Seq: e.Seq, Reason: "does not commit to the previous entry's hash"}
	case !bytes.Equal([]byte(e.Hash), []byte(e.ComputeHash())):
		return &Break{Seq: e.Seq, Reason: "content does not match its hash (the entry was changed)"}
	}
	v.prev = e
	v.count++
	return nil
}

// Count returns how many entries were verified.
func (v *Verifier) Count() int64 { return v.count }

// Filter narrows a listing of the log. Zero fields do not filter.
type Filter struct {
	Action    string // exact action, or a prefix ending in "." ("auth.")
	ActorUser string
	ActorOrg  string
	ObjectID  string
	Outcome   Outcome
	Since     time.Time
	Until     time.Time
	BeforeSeq int64 // page backwards: entries with Seq < BeforeSeq
	Limit     int   // default 50, at most 500
}

// Store reads the log. Appending happens inside the transactions of the
// domain services (their Tx interfaces carry AppendAudit).
type Store interface {
	// ListAudit returns entries matching f, newest first.
	ListAudit(ctx context.Context, f Filter) ([]Entry, error)
	// WalkAudit calls fn for every entry in sequence order, oldest first,
	// stopping at the first error fn returns.
	WalkAudit(ctx context.Context, fn func(Entry) error) error
}

// Verify walks the whole log and returns the number of entries checked and,
// when the chain does not hold, a *Break naming the first bad entry.
func Verify(ctx context.Context, s Store) (int64, error) {
	var v Verifier
	err := s.WalkAudit(ctx, v.Next)
	return v.Count(), err
}

// Request is the request-scoped information every audit entry carries.
type Request struct {
	ID        string
	IP        string
	UserAgent string
}

type requestKey struct{}

// WithRequest returns ctx carrying r; transports call it once per request.
func WithRequest(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the request information of ctx, or a zero Request.
func RequestFrom(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}

// New returns an entry for action at time at, filled with the request
// information of ctx. Actor fields are set by the caller.
func New(ctx context.Context, at time.Time, action string, outcome Outcome) Entry {
	r := RequestFrom(ctx)
	return Entry{At: at, Action: action, Outcome: outcome, RequestID: r.ID, IP: r.IP}
}
