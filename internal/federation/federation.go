// Package federation connects Verbund to other TAXII 2.1 servers: remotes
// that a collection is pulled from or pushed to on a schedule.
//
// A remote's credential is sealed with AES-256-GCM under a key the
// installation derives and never stores, with the remote's id as associated
// data, so that a sealed credential copied to another remote does not open.
// It is opened only to talk to the remote, and never shown again.
//
// Pulling stores every object through cti.Service.Add, acting for the owner
// of the local collection, so that each is validated and marked like any
// other; the cursor (the remote's last date_added) advances only after the
// page it ends is stored. Pushing is a read path: it sends only what the
// door lets the remote's recipient organisation see, and the position (the
// last local sequence sent) advances only after the remote's status says
// the page is complete. Runs are leased in the database, so that of several
// nodes only one runs a remote at a time.
package federation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/verbund/verbund/internal/audit"
)

// Direction says which way a remote's objects travel.
type Direction string

const (
	Pull Direction = "pull" // from the remote into a local collection
	Push Direction = "push" // from a local collection to the remote
)

// AuthKind says how Verbund authenticates to a remote.
type AuthKind string

const (
	AuthNone   AuthKind = "none"
	AuthBasic  AuthKind = "basic"  // HTTP Basic with a user name and a password
	AuthBearer AuthKind = "bearer" // a bearer token
)

// Remote is another TAXII 2.1 server and one collection on it.
type Remote struct {
	ID   string
	Name string
	// URL is the remote's discovery URL or the URL of its API root.
	URL string
	// Collection is the id of the collection on the remote.
	Collection string
	Direction  Direction
	Auth       AuthKind
	Username   string // for AuthBasic
	// HasSecret says whether a password or token is stored; the secret
	// itself never leaves the service.
	HasSecret bool
	// LocalCollection is the local collection pulled into or pushed from.
	LocalCollection string
	// Recipient is the organisation whose view a push sends: only what the
	// door lets it see leaves the installation. "" for a pull.
	Recipient string
	Interval  time.Duration
	Enabled   bool
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	State     State
}

// State is what the runs of a remote left behind.
type State struct {
	LastRun     time.Time // when the last run ended; zero: never
	LastSuccess time.Time
	LastError   string // of the last run; "" when it succeeded
	// Failures counts the runs that failed since the last success; the
	// next run waits longer with each.
	Failures int
	NextRun  time.Time
	// LastCount is how many objects the last run stored (pull) or sent
	// (push).
	LastCount int
	// Cursor is, for a pull, the remote's date_added of the last object
	// stored, as the remote wrote it: the next run asks for what was added
	// after it.
	Cursor string
	// Position is, for a push, the local sequence of the last object the
	// remote accepted.
	Position int64
	// Rejected lists, for a push, the objects the remote refused in the
	// last run, and for a pull the objects refused here.
	Rejected []Rejected
}

// Rejected is one object a run could not deliver, and why.
type Rejected struct {
	ID      string `json:"id"`
	Version string `json:"version,omitempty"`
	Message string `json:"message"`
}

// Stored is a remote as the store keeps it: with its sealed credential and
// its lease.
type Stored struct {
	Remote
	Sealed     []byte // nil: no secret
	LeaseOwner string
	LeaseUntil time.Time
}

// Reader is what the service reads outside a transaction. Lookups of one
// remote return a verbund.NotFound error when there is none.
type Reader interface {
	// Remotes returns every remote by name.
	Remotes(ctx context.Context) ([]Stored, error)
	// Remote returns remote id.
	Remote(ctx context.Context, id string) (Stored, error)
	// DueRemotes returns up to limit enabled remotes whose next run is at
	// or before now and whose lease has ended, the longest due first.
	DueRemotes(ctx context.Context, now time.Time, limit int) ([]Stored, error)
	// ClaimRemote leases remote id to owner until until, if it is still
	// enabled, due and unleased at now, and reports whether it did.
	ClaimRemote(ctx context.Context, id, owner string, now, until time.Time) (bool, error)
}

// Tx is what the service changes atomically, with the audit entry that
// records the change.
type Tx interface {
	// InsertRemote stores a new remote; a verbund.Conflict error when its
	// name is taken.
	InsertRemote(ctx context.Context, r Stored) error
	// UpdateRemote stores the configuration of r (not its state or lease);
	// NotFound when it does not exist, Conflict when its name is taken.
	UpdateRemote(ctx context.Context, r Stored) error
	// DeleteRemote removes remote id; NotFound when it does not exist.
	DeleteRemote(ctx context.Context, id string) error
	// SaveRemoteState stores st as the state of remote id. With an owner,
	// only while owner holds the lease (a verbund.Conflict error when it
	// lost it), and the lease then runs until leaseUntil, or ends when
	// leaseUntil is zero.
	SaveRemoteState(ctx context.Context, id, owner string, st State, leaseUntil time.Time) error
	// ScheduleRemote moves the next run of remote id to at.
	ScheduleRemote(ctx context.Context, id string, at time.Time) error
	// AppendAudit adds e to the hash-chained audit log in this transaction.
	AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error)
}

// Store is the storage of the service.
type Store interface {
	Reader
	// Update runs fn in one transaction: all of its changes are stored, or
	// none.
	Update(ctx context.Context, fn func(Tx) error) error
}

// Endpoint is what it takes to talk to a remote: where it is and the
// opened credential.
type Endpoint struct {
	URL, Collection string
	Auth            AuthKind
	Username        string
	Secret          string
}

// String hides the secret.
func (e Endpoint) String() string { return e.URL + " collection " + e.Collection }

// Peer is a remote collection as the service uses it.
type Peer interface {
	// Pull returns the page of objects added after addedAfter ("" from the
	// start), continuing a listing at next ("" for the first page).
	Pull(ctx context.Context, addedAfter, next string, limit int) (PulledPage, error)
	// Push adds objects to the remote collection and waits until the
	// remote's status is complete.
	Push(ctx context.Context, objects []json.RawMessage) (Pushed, error)
}

// PulledPage is one page of a pull.
type PulledPage struct {
	Objects []json.RawMessage
	More    bool
	Next    string
	// DateAddedLast is the remote's date_added of the last object of the
	// page, "" when it did not say.
	DateAddedLast string
}

// Pushed is the remote's final status of one push.
type Pushed struct {
	Complete  bool
	Successes int
	Failures  []Rejected
}

// Connector returns the peer that e names.
type Connector func(ctx context.Context, e Endpoint) (Peer, error)
