package sharing

import (
	"context"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
)

// Requests for access. A member user that may see that an object exists but
// may not read it (see Door.ExistenceShows) asks the owner for access with a
// reason; an administrator of the owning organisation (for objects of the
// office: an office administrator) grants or refuses it with a reason. A
// grant adds the requesting organisation to the object's audience, so the
// policy lets it in at once — and only it. Every request, decision and
// refused attempt lands in the audit log; the owner's deciders hear of a
// request, the requester of the decision, by e-mail through the outbox.

// RequestState is where an access request stands.
type RequestState string

// The states of an access request. Only an open request is decided; a
// decided one is a record.
const (
	RequestOpen    RequestState = "open"
	RequestGranted RequestState = "granted"
	RequestRefused RequestState = "refused"
)

// Valid reports whether s is a known state.
func (s RequestState) Valid() bool {
	return s == RequestOpen || s == RequestGranted || s == RequestRefused
}

// AccessRequest is one organisation's request for access to one object.
type AccessRequest struct {
	ID            string
	Kind          string // of the object: policy.KindWarning, …
	ObjectID      string
	OwnerOrg      string // the organisation that owned the object when asked
	RequesterOrg  string
	RequesterUser string
	Reason        string // why the requester needs it; required
	State         RequestState
	CreatedAt     time.Time
	DecidedBy     string    // user id; "" while open
	DecidedAt     time.Time // zero while open
	Decision      string    // the decider's reason; required for every decision
}

// RequestQuery narrows ListAccessRequests. Zero fields do not filter.
type RequestQuery struct {
	OwnerOrg      string
	RequesterOrg  string
	RequesterUser string
	Kind          string
	ObjectID      string
	State         RequestState
	Limit         int // default 50, at most 500
}

// AccessReader is what the access service reads outside a transaction.
// Every lookup of a single object returns a verbund.NotFound error when the
// object does not exist.
type AccessReader interface {
	identity.Reader
	// Marking returns the stored marking of an object.
	Marking(ctx context.Context, kind, id string) (designation.Marked, error)
	AccessRequest(ctx context.Context, id string) (AccessRequest, error)
	// ListAccessRequests returns the requests matching q, newest first.
	ListAccessRequests(ctx context.Context, q RequestQuery) ([]AccessRequest, error)
}

// AccessTx is what the access service changes atomically, together with the
// audit entries and mail that record the change.
type AccessTx interface {
	identity.Tx
	designation.MarkingTx
	AccessReader
	// CreateAccessRequest stores r; a verbund.Conflict error when the
	// requesting organisation has an open request for the object.
	CreateAccessRequest(ctx context.Context, r AccessRequest) error
	// DecideAccessRequest records the state, decider, time and reason of
	// r; false when the request is no longer open.
	DecideAccessRequest(ctx context.Context, r AccessRequest) (bool, error)
}

// AccessStore is the storage the access service needs.
type AccessStore interface {
	AccessReader
	// Update runs fn in one transaction: all of its changes, audit entries
	// and mail are stored, or none.
	Update(ctx context.Context, fn func(AccessTx) error) error
}

// AccessConfig holds the settings of the access service. Zero values take
// defaults: the door's clock, the key itself as text, a local base URL.
type AccessConfig struct {
	Now func() time.Time
	// MailHeld keeps mail in the outbox for reading in the UI instead of
	// sending it (no SMTP configured, or demo mode).
	MailHeld bool
	// BaseURL is for links in e-mail, without trailing slash.
	BaseURL string
	// Text translates a message key for e-mail into lang.
	Text func(lang, key string, args ...any) string
	// IsDraft asks the capability that owns objects of kind whether object
	// id is a draft, which nobody but its owner may know exists. Nil: no
	// kind with stored markings has drafts.
	IsDraft func(ctx context.Context, kind, id string) (bool, error)
}

// Access runs requests for access to objects. Every method checks itself
// that the principal may do what it asks.
type Access struct {
	door  *Door
	store AccessStore
	cfg   AccessConfig
}

// NewAccess returns the access service in front of door on store.
func NewAccess(door *Door, store AccessStore, cfg AccessConfig) *Access {
	if cfg.Now == nil {
		cfg.Now = door.now
	}
	if cfg.Text == nil {
		cfg.Text = func(lang, key string, args ...any) string { return key }
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://127.0.0.1:8080"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Access{door: door, store: store, cfg: cfg}
}

// RequestFilter narrows AccessRequests. The zero value lists the
// principal's own requests in every state.
type RequestFilter struct {
	// Incoming lists the requests for objects of the principal's
	// organisation, for those who decide them; otherwise the principal's
	// own requests (all of its organisation's for its administrators).
	Incoming bool
	State    RequestState
	Limit    int
}
