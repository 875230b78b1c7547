// Package designation decides who may receive what beyond the community:
// the recipients of the designated-hub model, the circles (sharing groups)
// of every model, and the stored markings that name them.
//
// # Designations
//
// An organisation becomes a recipient of confidential information in a
// policy.Category only through an [Assessment] by the office. An assessor (or
// an office administrator) opens it for an organisation and a category,
// records a [Finding] for each [Criterion] — the task to inform others (or,
// for a CSIRT, to assist its affiliated organisations), the guarantee of
// confidentiality, lawful processing for the given purpose only — attaches
// [Evidence], and decides: designate, only when every criterion is met, for
// a validity period with a review date inside it; or refuse, with a reason.
// There is no other way to create a [Designation]. A designation ends at
// ValidUntil or when the office revokes it, at that instant: the policy reads
// both. Renewal is a new assessment.
//
// # Circles
//
// A [Circle] is a named group of organisations and other circles, owned by
// the office or by an organisation. Only its owner changes it: an office
// administrator for the office's circles, the owning organisation's
// administrators for theirs. Nesting a circle into one it is contained in is
// refused; [Service.CircleDefs] feeds policy.NewCircles, which also tolerates
// cycles should one ever be stored.
//
// # Markings
//
// [SaveMarking] stores the policy.Marking of an information object of any
// kind, for the capabilities that own such objects; the store's Marking
// reads it back as a [Marked].
//
// Every change lands in the audit log in the transaction that makes it.
package designation

import (
	"time"

	"github.com/verbund/verbund/internal/policy"
)

// Criterion is one of the three questions an assessment answers.
type Criterion string

// The criteria of an assessment (art. 3.2 Wbni and comparable regimes).
const (
	// CriterionTask: the organisation has the task to inform other
	// organisations or the public, or as a CSIRT to assist its affiliated
	// organisations.
	CriterionTask Criterion = "task"
	// CriterionConfidentiality: it can guarantee the confidentiality of what
	// it receives.
	CriterionConfidentiality Criterion = "confidentiality"
	// CriterionLawful: it processes the data lawfully under the GDPR and only
	// for the purpose it was given for.
	CriterionLawful Criterion = "lawful"
)

// Criteria lists every criterion in the order an assessment presents them.
var Criteria = []Criterion{CriterionTask, CriterionConfidentiality, CriterionLawful}

// Valid reports whether c is a known criterion.
func (c Criterion) Valid() bool {
	return c == CriterionTask || c == CriterionConfidentiality || c == CriterionLawful
}

// State is where an assessment stands.
type State string

// The states of an assessment. Only an open assessment changes; a decided
// one is a record.
const (
	StateOpen       State = "open"
	StateDesignated State = "designated"
	StateRefused    State = "refused"
)

// Valid reports whether s is a known state.
func (s State) Valid() bool { return s == StateOpen || s == StateDesignated || s == StateRefused }

// Finding is the assessor's answer to one criterion.
type Finding struct {
	Criterion  Criterion
	Met        bool
	Note       string // why; required
	RecordedBy string // user id
	RecordedAt time.Time
}

// Evidence is a document an assessment rests on: a reference (a file number,
// a link, a letter) or an uploaded file, of which the store keeps the
// SHA-256 and, up to a size limit, the content.
type Evidence struct {
	ID           string
	AssessmentID string
	Title        string
	Reference    string // where the document is, when it is not uploaded
	FileName     string // the uploaded file's name, "" without a file
	ContentType  string
	SHA256       string // hex, lower case; "" when neither a file nor a hash was given
	Size         int64  // bytes of the uploaded file
	Stored       bool   // the content is stored and can be downloaded
	AddedBy      string
	AddedAt      time.Time
}

// Assessment is the office's examination of an organisation for one
// designation category.
type Assessment struct {
	ID         string
	OrgID      string
	Category   policy.Category
	SectorWide bool // for CategoryDesignatedCSIRT: it is assessed as serving a whole sector
	State      State
	OpenedBy   string
	OpenedAt   time.Time
	UpdatedAt  time.Time
	DecidedBy  string
	DecidedAt  time.Time // zero while open
	Reason     string    // the decision's reasoning; required for a refusal
	// Findings and Evidence are loaded for a single assessment, not in
	// lists. Findings are in the order of Criteria, evidence oldest first.
	Findings []Finding
	Evidence []Evidence
}

// Finding returns the finding on c, if one is recorded.
func (a *Assessment) Finding(c Criterion) (Finding, bool) {
	for _, f := range a.Findings {
		if f.Criterion == c {
			return f, true
		}
	}
	return Finding{}, false
}

// Designation makes an organisation a recipient in a category for a period.
// It is the decision of exactly one assessment.
type Designation struct {
	ID           string
	AssessmentID string
	OrgID        string
	Category     policy.Category
	SectorWide   bool
	ValidFrom    time.Time
	ValidUntil   time.Time // no longer valid at this instant
	ReviewAt     time.Time // the office reviews it by then; inside the validity
	DesignatedBy string
	DesignatedAt time.Time
	RevokedAt    time.Time // zero: not revoked; no longer valid at this instant
	RevokedBy    string
	RevokeReason string
}

// Policy returns d as the sharing policy reads it.
func (d Designation) Policy() policy.Designation {
	return policy.Designation{
		Category: d.Category, SectorWide: d.SectorWide,
		ValidFrom: d.ValidFrom, ValidUntil: d.ValidUntil, RevokedAt: d.RevokedAt,
	}
}

// Valid reports whether d is in force at the instant at.
func (d Designation) Valid(at time.Time) bool { return d.Policy().Valid(at) }

// Circle is a named sharing group. Orgs and Circles are its direct members;
// the policy resolves nested circles transitively.
type Circle struct {
	ID          string
	Name        string
	Description string
	OwnerOrg    string // the office or an organisation
	// HideMembers keeps the membership from the members: only the owner
	// (and the office) see who is in it.
	HideMembers bool
	// Orgs and Circles are sorted; both are nil when the membership is hidden
	// from whoever asked (see HideMembers).
	Orgs      []string
	Circles   []string
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Def returns c as the policy reads it.
func (c Circle) Def() policy.CircleDef {
	return policy.CircleDef{ID: c.ID, Orgs: c.Orgs, Circles: c.Circles}
}

// Marked is the stored marking of an information object, with the owner
// the policy reads.
type Marked struct {
	Kind      string // policy.KindWarning, …
	ObjectID  string
	OwnerOrg  string
	CreatedBy string // user id; "" when a token or the system created it
	// Marking comes back from the store with every audience list sorted and
	// without duplicates, nil when empty.
	Marking policy.Marking
}

// Object returns m as a policy.Object. Whether the object is a draft is the
// owning capability's state, not part of the marking.
func (m Marked) Object(draft bool) policy.Object {
	return policy.Object{Kind: m.Kind, ID: m.ObjectID, OwnerOrg: m.OwnerOrg, CreatedBy: m.CreatedBy,
		Draft: draft, Marking: m.Marking}
}
