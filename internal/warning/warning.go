// Package warning holds warnings and advisories: what the office (or a
// partner, as a contribution the office reviews) tells the alliance about a
// vulnerability or a threat, the workflow from draft to publication, every
// published revision, and the acknowledgements of the organisations that
// received it.
//
// A warning carries what a CSAF 2.0 csaf_security_advisory needs: a
// tracking id, the revision history with numbers, dates and summaries, the
// affected products with CPE or PURL, CVE ids, a CVSS v3.1 vector,
// recommendations (remediations), references and the TLP marking.
//
// The marking is stored with designation.SaveMarking under
// policy.KindWarning, so the sharing policy decides every read: drafts,
// warnings in review and approved ones are the policy's drafts (only the
// owner and the office's publishers see them).
package warning

import (
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
)

// Severity is the qualitative severity as CVSS and CSAF know it.
type Severity string

// The severities, from none to critical.
const (
	SeverityNone     Severity = "none"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Severities lists the severities, lowest first.
var Severities = []Severity{SeverityNone, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// Valid reports whether s is one of Severities.
func (s Severity) Valid() bool {
	for _, v := range Severities {
		if v == s {
			return true
		}
	}
	return false
}

// Rank orders severities: none is 0, critical 4, an unknown one -1.
func (s Severity) Rank() int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// State is where a warning stands in its workflow.
type State string

// The states. A published warning that was updated stays Published with a
// revision number above 1.
const (
	Draft     State = "draft"     // being written; the author's organisation and publishers see it
	Review    State = "review"    // submitted; waiting for a second person's approval
	Approved  State = "approved"  // approved; a publisher may publish it
	Published State = "published" // out: the marking decides who reads it
	Withdrawn State = "withdrawn" // taken back, with a reason; still readable as withdrawn
)

// States lists every state in workflow order.
var States = []State{Draft, Review, Approved, Published, Withdrawn}

// Languages are the languages a warning can be written and translated in.
var Languages = []string{"de", "nl", "en"}

// Text is the language-dependent part of a warning. Details and
// Recommendations are Markdown.
type Text struct {
	Title           string `json:"title"`
	Summary         string `json:"summary"`
	Details         string `json:"details"`
	Recommendations string `json:"recommendations"`
}

// IsZero reports whether t has no text at all.
func (t Text) IsZero() bool { return t == Text{} }

// Product is one affected product. Versions is free text as a vendor
// writes it ("< 4.2.1", "all"); CPE (2.3 formatted string) and PURL
// identify the product for machines; either may be empty.
type Product struct {
	Vendor   string `json:"vendor"`
	Name     string `json:"name"`
	Versions string `json:"versions"`
	CPE      string `json:"cpe,omitempty"`
	PURL     string `json:"purl,omitempty"`
}

// Content is what a revision of a warning says. Texts holds the original in
// Lang and any translations.
type Content struct {
	Lang       string          `json:"lang"`
	Texts      map[string]Text `json:"texts"`
	Severity   Severity        `json:"severity"`
	CVSS       string          `json:"cvss,omitempty"` // a CVSS v3.1 vector
	CVEs       []string        `json:"cves,omitempty"`
	Products   []Product       `json:"products,omitempty"`
	References []string        `json:"references,omitempty"` // absolute http(s) URLs
}

// Original returns the text in the original language.
func (c Content) Original() Text { return c.Texts[c.Lang] }

// In returns the text in lang when there is a translation with a title,
// else the original, and the language of what it returns.
func (c Content) In(lang string) (Text, string) {
	if t, ok := c.Texts[lang]; ok && t.Title != "" {
		return t, lang
	}
	return c.Original(), c.Lang
}

// Score returns the CVSS base score, and false when there is no valid
// vector.
func (c Content) Score() (float64, bool) {
	if c.CVSS == "" {
		return 0, false
	}
	v, err := ParseCVSS(c.CVSS)
	if err != nil {
		return 0, false
	}
	return v.BaseScore(), true
}

// Revision is one published version of a warning. Number 1 is the first
// publication; every update adds one. Revisions are never changed.
type Revision struct {
	Number  int
	At      time.Time
	By      string // user id
	Summary string // what changed; "Initial release" for number 1
	Content Content
}

// Warning is a warning or advisory.
type Warning struct {
	ID         string
	TrackingID string // stable, human-readable: "VB-2026-0042"; the CSAF tracking id
	OwnerOrg   string // the office, or the partner that contributed it
	CreatedBy  string
	// Contribution marks a warning a partner wrote for the office to review.
	Contribution bool
	State        State
	Marking      policy.Marking
	// Draft is the content being written or reviewed: the whole warning
	// before its first publication, the next revision's candidate never
	// (updates are published at once as a new revision).
	Draft     Content
	CreatedAt time.Time
	UpdatedAt time.Time
	EditedBy  string // the last user who changed the content

	SubmittedBy string
	SubmittedAt time.Time
	ApprovedBy  string
	ApprovedAt  time.Time

	PublishedAt time.Time // first publication; zero before
	// Revisions are the published versions, oldest first; Current is the
	// newest.
	Revisions []Revision

	WithdrawnAt    time.Time
	WithdrawnBy    string
	WithdrawReason string
}

// IsDraft reports whether w is not out yet: the policy decides it as a
// draft.
func (w *Warning) IsDraft() bool { return w.State != Published && w.State != Withdrawn }

// Current returns the content readers see: the newest revision once
// published, the draft before.
func (w *Warning) Current() Content {
	if n := len(w.Revisions); n > 0 {
		return w.Revisions[n-1].Content
	}
	return w.Draft
}

// Revision returns the number of the newest revision, 0 before publication.
func (w *Warning) Revision() int { return len(w.Revisions) }

// Changed returns the time of the newest change readers see: the newest
// revision's, or the last update before publication.
func (w *Warning) Changed() time.Time {
	if n := len(w.Revisions); n > 0 {
		return w.Revisions[n-1].At
	}
	return w.UpdatedAt
}

// Marked returns w's marking as the store keeps it.
func (w *Warning) Marked() designation.Marked {
	return designation.Marked{Kind: policy.KindWarning, ObjectID: w.ID, OwnerOrg: w.OwnerOrg, CreatedBy: w.CreatedBy, Marking: w.Marking}
}

// Object returns the policy's view of w.
func (w *Warning) Object() policy.Object { return w.Marked().Object(w.IsDraft()) }

// Ack is what an organisation says about a warning it received.
type Ack string

// The acknowledgements, in the order an organisation goes through them.
const (
	AckSeen     Ack = "seen"     // we have seen it
	AckAffected Ack = "affected" // we are affected
	AckFixed    Ack = "fixed"    // we have fixed it
)

// Acks lists the acknowledgements.
var Acks = []Ack{AckSeen, AckAffected, AckFixed}

// Valid reports whether a is one of Acks.
func (a Ack) Valid() bool { return a == AckSeen || a == AckAffected || a == AckFixed }

// Acknowledgement is the newest acknowledgement of one organisation.
type Acknowledgement struct {
	WarningID string
	OrgID     string
	Status    Ack
	By        string // user id
	At        time.Time
}

// Rates sums up the acknowledgements of one warning.
type Rates struct {
	// Recipients is how many active member organisations the policy lets
	// read the warning (the office and the owner not counted).
	Recipients int
	Counts     map[Ack]int
	// Acknowledged is how many organisations said anything.
	Acknowledged int
}

// Percent returns part of the recipients as a whole percentage.
func (r Rates) Percent(n int) int {
	if r.Recipients == 0 {
		return 0
	}
	return n * 100 / r.Recipients
}

// Filter narrows a listing. Zero fields do not filter.
type Filter struct {
	Severity Severity // this severity or higher
	Sector   string   // warnings whose audience names the sector
	Product  string   // a vendor, product, CPE or PURL containing this, any case
	CVE      string   // exactly this CVE id
	State    State    // this state; zero: published and withdrawn for readers
	Query    string   // title or summary containing this, any case
}
