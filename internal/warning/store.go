package warning

import (
	"context"
	"time"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// Reader is what the warning service reads outside a transaction. Single
// lookups return a verbund.NotFound error when the object does not exist.
type Reader interface {
	// Warning returns warning id with its revisions, oldest first.
	Warning(ctx context.Context, id string) (Warning, error)
	// WarningsByID returns the warnings of ids that exist, with their
	// revisions, in no particular order.
	WarningsByID(ctx context.Context, ids []string) ([]Warning, error)
	// Acknowledgements returns the newest acknowledgement of every
	// organisation for warning id, by organisation id.
	Acknowledgements(ctx context.Context, warningID string) ([]Acknowledgement, error)
	// AcknowledgementOf returns orgID's acknowledgement of warning id;
	// NotFound when it gave none.
	AcknowledgementOf(ctx context.Context, warningID, orgID string) (Acknowledgement, error)
	// ListOrganisations lists organisations (for the acknowledgement rates).
	ListOrganisations(ctx context.Context, f identity.OrgFilter) ([]identity.Organisation, error)
	// Setting returns an installation setting, "" when unset.
	Setting(ctx context.Context, key string) (string, error)
	// VisibleMarked lists the markings of kind v may see (sharing.Lister).
	VisibleMarked(ctx context.Context, pol *policy.Policy, v *policy.Viewer, kind string, now time.Time) ([]designation.Marked, error)
}

// Tx is what the service changes atomically, with the marking and the
// audit entry of every change.
type Tx interface {
	Reader
	designation.MarkingTx
	// LockWarning returns warning id and holds it against concurrent
	// changes until the transaction ends.
	LockWarning(ctx context.Context, id string) (Warning, error)
	// NextTrackingNumber returns the next free sequence number of the
	// tracking ids of year, starting at 1.
	NextTrackingNumber(ctx context.Context, year int) (int, error)
	// CreateWarning stores w without revisions; Conflict when its id or
	// tracking id is taken.
	CreateWarning(ctx context.Context, w Warning) error
	// UpdateWarning replaces the state, draft and workflow fields of w.
	UpdateWarning(ctx context.Context, w Warning) error
	// AddRevision appends r to warning id; Conflict when the number exists.
	AddRevision(ctx context.Context, id string, r Revision) error
	// PutAcknowledgement stores a, replacing the organisation's earlier one.
	PutAcknowledgement(ctx context.Context, a Acknowledgement) error
	SetSetting(ctx context.Context, key, value string) error
	AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error)
}

// Store is the storage of the warning service.
type Store interface {
	Reader
	// Update runs fn in one transaction: all of its changes are stored, or
	// none.
	Update(ctx context.Context, fn func(Tx) error) error
}
