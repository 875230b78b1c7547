package cti

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
)

// MediaTypeSTIX is the media type of the objects Verbund keeps: STIX 2.1
// alone, because stix.Parse refuses every other version.
const MediaTypeSTIX = "application/stix+json;version=2.1"

// SpecVersion is the STIX version of every stored object. An SCO that
// leaves spec_version out is STIX 2.1 (STIX 2.1 section 3.2).
const SpecVersion = "2.1"

// KindCollection is the kind under which a collection's default marking is
// stored; objects are stored under policy.KindSTIX.
const KindCollection = "stix-collection"

// Collection is a TAXII collection: a channel of STIX objects with an
// owner and a default marking.
type Collection struct {
	ID          string // a UUID
	Title       string
	Description string
	Alias       string // "" or unique among collections
	MediaTypes  []string
	OwnerOrg    string
	// Default is the marking of objects added to the collection: its
	// audience and flags always, its TLP level for objects that name none.
	Default policy.Marking
	// ReadersWrite lets every viewer that may read the collection add to
	// it, not only its owner.
	ReadersWrite bool
	CreatedBy    string // user id, "" for a token or the system
	CreatedAt    time.Time
}

// Object returns the policy's view of c: what can_read is decided on.
func (c *Collection) Object() policy.Object {
	return policy.Object{Kind: policy.KindSTIX, ID: "collection/" + c.ID, OwnerOrg: c.OwnerOrg, Marking: c.Default}
}

// Version is one stored version of a STIX object in a collection.
type Version struct {
	Collection  string
	Seq         int64     // position in the collection, strictly increasing
	DateAdded   time.Time // strictly increasing with Seq, microsecond precision
	ID          string    // the STIX id
	Type        string
	SpecVersion string
	Version     time.Time // modified, else created, else DateAdded
	// Latest and Earliest say whether this is the newest or oldest version
	// of the object in the collection, whoever may see it.
	Latest, Earliest bool
	// Raw is the object's JSON as it was received; nil when a listing did
	// not ask for it.
	Raw json.RawMessage
	// Marked is the stored marking with the owner, under kind
	// policy.KindSTIX and the id MarkingID(Collection, ID, Version).
	Marked designation.Marked
}

// Object returns the policy's view of v.
func (v *Version) Object() policy.Object { return v.Marked.Object(false) }

// Position is where an object sits in its collection.
type Position struct {
	Seq       int64
	DateAdded time.Time
}

// MarkingID is the id under which the marking of one version is stored:
// "<collection>/<stix id>@<version>", so that the policy decides every
// version of an object in every collection on its own.
func MarkingID(collection, stixID string, version time.Time) string {
	return collection + "/" + stixID + "@" + FormatTimestamp(version)
}

// FormatTimestamp writes t as a STIX timestamp in UTC with at least
// millisecond and at most microsecond precision, the precision Verbund
// keeps: 2016-05-12T08:17:27.123Z, 2016-05-12T08:17:27.123456Z.
func FormatTimestamp(t time.Time) string {
	t = t.UTC().Truncate(time.Microsecond)
	if t.Nanosecond()%int(time.Millisecond) == 0 {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.Format("2006-01-02T15:04:05.000000Z")
}

// FormatDateAdded writes a date_added with its full microsecond precision,
// as the X-TAXII-Date-Added headers and manifests carry it.
func FormatDateAdded(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z")
}

// Filter narrows a listing of versions by what the database can see. Zero
// fields do not filter; the values of one field are alternatives.
type Filter struct {
	AddedAfter   time.Time // date_added strictly after
	IDs          []string
	Types        []string
	SpecVersions []string
	// Versions keeps only these versions; set by the service when the
	// selection names timestamps only.
	Versions []time.Time
}

// Status is the TAXII status of one request that added objects. Verbund
// adds synchronously, so a stored status is always complete.
type Status struct {
	ID               string
	Collection       string
	OrgID            string // the organisation that asked; only it reads the status
	RequestedBy      string // user or token id
	RequestTimestamp time.Time
	Successes        []StatusDetail
	Failures         []StatusDetail
}

// Total is the number of objects the request carried.
func (s *Status) Total() int { return len(s.Successes) + len(s.Failures) }

// StatusDetail names one object of a request and, for a failure, why.
type StatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// ObjectRef names an object in a collection.
type ObjectRef struct {
	Collection string
	ID         string
}

// Reader is what the service reads outside a transaction. Lookups of one
// thing return a verbund.NotFound error when it does not exist.
type Reader interface {
	// STIXCollection returns collection id with its default marking.
	STIXCollection(ctx context.Context, id string) (Collection, error)
	// STIXCollections returns every collection by title, then id.
	STIXCollections(ctx context.Context) ([]Collection, error)
	// ScanSTIX returns up to n versions of collection matching f with a seq
	// greater than after, in the order of seq, each with its marking and,
	// if raw, its JSON.
	ScanSTIX(ctx context.Context, collection string, f Filter, after int64, n int, raw bool) ([]Version, error)
	// STIXVersionsOf returns every version of the given objects in the
	// collection with its marking but without JSON, by id, then version.
	STIXVersionsOf(ctx context.Context, collection string, ids []string) ([]Version, error)
	// STIXStatus returns the status resource id.
	STIXStatus(ctx context.Context, id string) (Status, error)
	// STIXObservableRefs returns the objects whose pattern compares o.
	STIXObservableRefs(ctx context.Context, o stix.Observable) ([]ObjectRef, error)
	// ScanSTIXBefore returns up to n versions of collection matching the
	// ids and types of f, added strictly before before (zero: from the
	// newest), newest first, each with its marking and JSON.
	ScanSTIXBefore(ctx context.Context, collection string, f Filter, before time.Time, n int) ([]Version, error)
}

// Tx is what the service changes atomically, with the audit entry that
// records the change.
type Tx interface {
	designation.MarkingTx

	// CreateSTIXCollection stores c; its default marking is stored apart
	// (designation.SaveMarking). A verbund.Conflict error when the id or
	// the alias is taken.
	CreateSTIXCollection(ctx context.Context, c Collection) error
	// ReserveSTIX locks collection until the transaction ends and returns
	// n positions after every position taken before: seq one apart, each
	// date_added at least now and after the one before it. NotFound when
	// the collection does not exist.
	ReserveSTIX(ctx context.Context, collection string, n int, now time.Time) ([]Position, error)
	// STIXVersionsTx returns every version of one object in the collection,
	// with JSON and marking, by version.
	STIXVersionsTx(ctx context.Context, collection, id string) ([]Version, error)
	// InsertSTIX stores v, whose marking must be stored already, and keeps
	// Latest and Earliest of the object's versions true to their versions;
	// a verbund.Conflict error when the collection holds that version.
	InsertSTIX(ctx context.Context, v Version) error
	// DeleteSTIX removes the given versions of an object with their
	// markings, and its observables when no version remains.
	DeleteSTIX(ctx context.Context, collection, id string, versions []time.Time) error
	// AddSTIXObservables records that object id of collection compares the
	// observables; values recorded already are kept once.
	AddSTIXObservables(ctx context.Context, collection, id string, obs []stix.Observable) error
	// PutSTIXStatus stores s.
	PutSTIXStatus(ctx context.Context, s Status) error

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

// validAlias reports whether s may be a collection alias: 1 to 64
// lower-case letters, digits and hyphens, so that it reads well in a URL.
func validAlias(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
	}) < 0
}
