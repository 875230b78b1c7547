package designation

import (
	"context"
	"time"

	"github.com/verbund/verbund/internal/identity"
)

// AssessmentFilter narrows ListAssessments. Zero fields do not filter.
type AssessmentFilter struct {
	OrgID string
	State State
}

// DesignationFilter narrows ListDesignations. Zero fields do not filter.
type DesignationFilter struct {
	OrgID string
	// InForceAt keeps designations not revoked and not yet ended at this
	// instant (they may still start later).
	InForceAt time.Time
	// ReviewBy keeps designations whose review date is at or before it.
	ReviewBy time.Time
	// EndsBy keeps designations whose validity ends at or before it.
	EndsBy time.Time
	// LapsedSince keeps designations that neither ended nor were revoked
	// before it.
	LapsedSince time.Time
}

// Reader is what the designation service reads outside a transaction.
//
// Every lookup of a single object returns a verbund.NotFound error when the
// object does not exist.
type Reader interface {
	identity.Reader

	// Assessment returns the assessment with its findings and evidence.
	Assessment(ctx context.Context, id string) (Assessment, error)
	// ListAssessments returns assessments without findings and evidence,
	// newest first.
	ListAssessments(ctx context.Context, f AssessmentFilter) ([]Assessment, error)
	Evidence(ctx context.Context, id string) (Evidence, error)
	// EvidenceContent returns the stored file of evidence id; NotFound when
	// none is stored.
	EvidenceContent(ctx context.Context, id string) ([]byte, error)

	DesignationByID(ctx context.Context, id string) (Designation, error)
	// ListDesignations returns designations ordered by the start of their
	// validity, then id.
	ListDesignations(ctx context.Context, f DesignationFilter) ([]Designation, error)

	// Circle returns the circle with its direct members.
	Circle(ctx context.Context, id string) (Circle, error)
	// ListCircles returns every circle with its direct members, by owner,
	// then name regardless of case.
	ListCircles(ctx context.Context) ([]Circle, error)

	// Marking returns the stored marking of an object.
	Marking(ctx context.Context, kind, id string) (Marked, error)
}

// MarkingTx is what SaveMarking needs of a transaction. Capabilities that
// store information objects embed it in their own Tx.
type MarkingTx interface {
	Organisation(ctx context.Context, id string) (identity.Organisation, error)
	User(ctx context.Context, id string) (identity.User, error)
	Circle(ctx context.Context, id string) (Circle, error)
	// PutMarking stores m, replacing any earlier marking of the object.
	PutMarking(ctx context.Context, m Marked) error
}

// Tx is what the designation service changes atomically, together with the
// audit entries that record the change.
type Tx interface {
	identity.Tx
	Reader
	MarkingTx

	// CreateAssessment stores a new assessment without findings and
	// evidence; a verbund.Conflict error when the organisation already has
	// an open assessment in the category.
	CreateAssessment(ctx context.Context, a Assessment) error
	// LockOpenAssessment sets the update time of assessment id to at if it
	// is open, and holds it against concurrent changes until the transaction
	// ends; false when it is not open.
	LockOpenAssessment(ctx context.Context, id string, at time.Time) (bool, error)
	// PutFinding stores f, replacing an earlier finding on its criterion.
	PutFinding(ctx context.Context, assessmentID string, f Finding) error
	// AddEvidence stores e, and content when it is not nil.
	AddEvidence(ctx context.Context, e Evidence, content []byte) error
	// DecideAssessment records the state, decider, time and reason of a;
	// false when the assessment is no longer open.
	DecideAssessment(ctx context.Context, a Assessment) (bool, error)

	// CreateDesignation stores d; its assessment must exist, and a second
	// designation from one assessment is a verbund.Conflict error.
	CreateDesignation(ctx context.Context, d Designation) error
	// RevokeDesignation records the revocation of designation id; false
	// when it was revoked already.
	RevokeDesignation(ctx context.Context, id string, at time.Time, by, reason string) (bool, error)

	// LockCircles serialises changes of circle nesting until the
	// transaction ends, so that two concurrent nestings cannot together
	// form a cycle that each alone would not.
	LockCircles(ctx context.Context) error
	// CreateCircle stores c without members; a verbund.Conflict error when
	// its owner has a circle of that name (in any case).
	CreateCircle(ctx context.Context, c Circle) error
	// UpdateCircle replaces the name, description, hiding flag and update
	// time of c; Conflict as CreateCircle.
	UpdateCircle(ctx context.Context, c Circle) error
	// AddCircleOrg puts organisation orgID into circle id; Conflict when it
	// is in already.
	AddCircleOrg(ctx context.Context, id, orgID, by string, at time.Time) error
	// RemoveCircleOrg takes orgID out of circle id; false when it was not in.
	RemoveCircleOrg(ctx context.Context, id, orgID string) (bool, error)
	// AddCircleCircle makes circle member a member of circle id; Conflict
	// when it is one already.
	AddCircleCircle(ctx context.Context, id, member, by string, at time.Time) error
	// RemoveCircleCircle takes circle member out of circle id; false when it
	// was not in.
	RemoveCircleCircle(ctx context.Context, id, member string) (bool, error)
}

// Store is the storage the designation service needs.
type Store interface {
	Reader
	// Update runs fn in one transaction: all of its changes and audit
	// entries are stored, or none.
	Update(ctx context.Context, fn func(Tx) error) error
}
