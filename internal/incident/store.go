package incident

import (
	"context"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
)

// Case is one incident as the office handles it.
type Case struct {
	ID        string
	Reference string // quoted by reporter and office alike: "VB-7K3Q-9MXT"
	OrgID     string // the reporting organisation; "" for a report from the public
	// NIS2 cases follow the stages of article 23; TrustService shortens
	// the notification to 24 hours; TimeZone is the organisation's, for
	// periods in months.
	NIS2         bool
	TrustService bool
	TimeZone     string
	Status       Status
	Assignee     string // user id of the analyst handling it
	Lessons      string
	FollowUp     []byte    // hash of the follow-up secret of a public report
	Aware        time.Time // when the reporter became aware of the incident
	Handled      time.Time // when the reporter said the incident ended; zero while ongoing
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ClosedAt     time.Time
}

// CaseQuery narrows ListCases. Zero fields do not filter.
type CaseQuery struct {
	OrgID    string
	Status   Status
	Assignee string
	NIS2     bool      // only cases that follow article 23
	Since    time.Time // only cases opened at or after it
	Limit    int       // default 100, at most 1000
}

// ReportQuery narrows ListReports. Zero fields do not filter.
type ReportQuery struct {
	OrgID  string
	UserID string
	CaseID string
	Drafts *bool
	Limit  int // default 100, at most 1000
}

// Reader is what the incident service reads outside a transaction. Lookups
// of one object return a verbund.NotFound error when it does not exist.
type Reader interface {
	identity.Reader
	Report(ctx context.Context, id string) (Report, error)
	// ListReports returns reports newest first (by last change).
	ListReports(ctx context.Context, q ReportQuery) ([]Report, error)
	Case(ctx context.Context, id string) (Case, error)
	CaseByReference(ctx context.Context, ref string) (Case, error)
	// ListCases returns cases newest first.
	ListCases(ctx context.Context, q CaseQuery) ([]Case, error)
	// Messages returns the thread of a case, oldest first.
	Messages(ctx context.Context, caseID string) ([]Message, error)
	// Attachments lists the attachments of a report, oldest first, without
	// their content.
	Attachments(ctx context.Context, reportID string) ([]AttachmentInfo, error)
	// Attachment returns one attachment with its content.
	Attachment(ctx context.Context, id string) (AttachmentFile, error)
	// Marking returns the stored marking of a submitted report.
	Marking(ctx context.Context, kind, id string) (designation.Marked, error)
}

// Tx is what the incident service changes atomically, with the audit
// entries and mail that record the change.
type Tx interface {
	identity.Tx
	designation.MarkingTx
	Reader
	// PutReport stores r, replacing an earlier version with its id.
	PutReport(ctx context.Context, r Report) error
	// PutCase stores c, replacing an earlier version with its id; a
	// verbund.Conflict error when its reference is taken.
	PutCase(ctx context.Context, c Case) error
	AddMessage(ctx context.Context, m Message) error
	// ClaimReminder records that the reminder of kind ("due-soon" or
	// "overdue") for the deadline due of a case's stage is sent at at; false
	// when it was recorded already, by this node or another.
	ClaimReminder(ctx context.Context, caseID string, stage Stage, due time.Time, kind DeadlineState, at time.Time) (bool, error)
	AddAttachment(ctx context.Context, a AttachmentFile) error
}

// Store is the storage of the incident service.
type Store interface {
	Reader
	// Update runs fn in one transaction: everything or nothing.
	Update(ctx context.Context, fn func(Tx) error) error
}

// Reporting returns what the NIS2 deadlines of c depend on, with the
// submission times of its reports by stage.
func (c *Case) Reporting(reports []Report) Reporting {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	r := Reporting{Aware: c.Aware, Location: loc, TrustService: c.TrustService,
		Submitted: map[Stage]time.Time{}, Handled: c.Handled}
	for _, rep := range reports {
		if rep.Draft || rep.Stage == "" {
			continue
		}
		if at, ok := r.Submitted[rep.Stage]; !ok || rep.SubmittedAt.Before(at) {
			r.Submitted[rep.Stage] = rep.SubmittedAt
		}
	}
	return r
}
