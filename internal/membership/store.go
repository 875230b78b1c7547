package membership

import (
	"context"
	"time"

	"github.com/verbund/verbund/internal/identity"
)

// ProfileFilter narrows ListProfiles. Zero fields do not filter.
type ProfileFilter struct {
	OrgStatus   identity.OrgStatus // the organisation's status
	NetworkOnly bool               // only profiles visible in the member network
}

// ApplicationFilter narrows ListApplications. Zero fields do not filter.
type ApplicationFilter struct {
	OrgID string
	Kind  Status
	State State
}

// ContributionFilter narrows ListContributions. Zero fields do not filter.
type ContributionFilter struct {
	OrgID string
	Kind  Status
	State State
}

// StatusFilter narrows ListStatuses. Zero fields do not filter.
type StatusFilter struct {
	OrgID       string
	Status      Status
	CurrentOnly bool // only statuses that have not ended
}

// Reader is what the membership service reads outside a transaction.
//
// Every lookup of a single object returns a verbund.NotFound error when the
// object does not exist. Lists are ordered oldest first unless a method says
// otherwise.
type Reader interface {
	identity.Reader

	Profile(ctx context.Context, orgID string) (Profile, error)
	ListProfiles(ctx context.Context, f ProfileFilter) ([]Profile, error)
	// ContactEmailInUse reports whether an organisation other than
	// exceptOrgID whose membership has not ended names email (in any case)
	// as its contact address.
	ContactEmailInUse(ctx context.Context, email, exceptOrgID string) (bool, error)
	// Verification returns the verification link with the hash, used or
	// expired ones too: the service tells them apart.
	Verification(ctx context.Context, hash []byte) (Verification, error)

	// CurrentAgreement returns the agreement with the highest version.
	CurrentAgreement(ctx context.Context) (Agreement, error)
	Agreement(ctx context.Context, version int) (Agreement, error)
	Signature(ctx context.Context, id string) (Signature, error)
	// ListSignatures returns the signatures of an organisation, newest first.
	ListSignatures(ctx context.Context, orgID string) ([]Signature, error)
	// HasSigned reports whether the organisation signed the version.
	HasSigned(ctx context.Context, orgID string, version int) (bool, error)
	// Unsigned lists the member organisations whose membership has not ended
	// and that have not signed the version, by name.
	Unsigned(ctx context.Context, version int) ([]identity.Organisation, error)

	Application(ctx context.Context, id string) (Application, error)
	ListApplications(ctx context.Context, f ApplicationFilter) ([]Application, error)
	Contribution(ctx context.Context, id string) (Contribution, error)
	ListContributions(ctx context.Context, f ContributionFilter) ([]Contribution, error)
	ListStatuses(ctx context.Context, f StatusFilter) ([]StatusRecord, error)

	Badge(ctx context.Context, id string) (Badge, error)
	// ListBadges returns the badges of an organisation, newest first.
	ListBadges(ctx context.Context, orgID string) ([]Badge, error)

	MembershipCounts(ctx context.Context) (Counts, error)
}

// Tx is what the membership service changes atomically, together with the
// identity rows and the audit entries that belong to the change.
type Tx interface {
	identity.Tx
	Reader

	CreateProfile(ctx context.Context, p Profile) error
	// UpdateProfile replaces every field of p but its creation time.
	UpdateProfile(ctx context.Context, p Profile) error

	CreateVerification(ctx context.Context, v Verification) error
	// UseVerification marks the link used at at; false when it was used
	// already.
	UseVerification(ctx context.Context, hash []byte, at time.Time) (bool, error)

	// CreateAgreement stores a with its texts; a verbund.Conflict error when
	// the version exists.
	CreateAgreement(ctx context.Context, a Agreement) error
	CreateSignature(ctx context.Context, s Signature) error

	// CreateApplication stores a; a verbund.Conflict error when the
	// organisation has an open application of the same kind.
	CreateApplication(ctx context.Context, a Application) error
	// DecideApplication stores the state, decider, time, reason and checked
	// items of a, but only while it is pending; false when it was not.
	DecideApplication(ctx context.Context, a Application) (bool, error)
	CreateContribution(ctx context.Context, c Contribution) error
	// DecideContribution stores the state, decider, time and reason of c,
	// but only while it is pending; false when it was not.
	DecideContribution(ctx context.Context, c Contribution) (bool, error)
	// WithdrawOpen withdraws the pending applications and contributions of
	// an organisation; it returns how many.
	WithdrawOpen(ctx context.Context, orgID string, at time.Time) (int, error)

	// StartStatus stores r; a verbund.Conflict error when the organisation
	// holds the status already.
	StartStatus(ctx context.Context, r StatusRecord) error
	// EndStatuses ends every current status of an organisation; it returns
	// how many.
	EndStatuses(ctx context.Context, orgID string, at time.Time, reason string) (int, error)

	CreateBadge(ctx context.Context, b Badge) error
	// RevokeBadges revokes the unrevoked badges of an organisation for the
	// status, or for every status when status is ""; it returns how many.
	RevokeBadges(ctx context.Context, orgID string, status Status, at time.Time, reason string) (int, error)

	// EnsureSetting stores value under key unless the key is set, and
	// returns the value stored, which is the earlier one when there was one:
	// nodes that race to create a key all use the one that won.
	EnsureSetting(ctx context.Context, key, value string) (string, error)
}

// Store is the storage the membership service needs.
type Store interface {
	Reader
	// Update runs fn in one transaction: all of its changes and audit
	// entries are stored, or none.
	Update(ctx context.Context, fn func(Tx) error) error
}
