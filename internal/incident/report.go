package incident

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
)

// Impact is how badly an incident hits the reporter's services.
type Impact string

// The impact levels, from the least.
const (
	ImpactLow      Impact = "low"      // no noticeable effect on services
	ImpactMedium   Impact = "medium"   // services degraded
	ImpactHigh     Impact = "high"     // services disrupted for users
	ImpactCritical Impact = "critical" // services down, or harm beyond the organisation
)

// Impacts lists the levels in order, for forms and catalogues.
func Impacts() []Impact { return []Impact{ImpactLow, ImpactMedium, ImpactHigh, ImpactCritical} }

// Valid reports whether i is a known level.
func (i Impact) Valid() bool { return slices.Contains(Impacts(), i) }

// Report is one report of an incident: a member's, with its organisation
// and user, or one from the public without an account. A report is a draft
// until submitted; a draft keeps whatever was typed, so nothing is lost, and
// only its reporter sees it.
type Report struct {
	ID     string
	CaseID string // the case that links the stages of one incident
	// Stage is the NIS2 stage this report submits; "" outside NIS2.
	Stage Stage

	OrgID  string // "" for a report from the public
	UserID string
	// ContactEmail is how the office reaches a reporter from the public;
	// optional, since such a reporter may stay anonymous.
	ContactEmail string

	Title          string
	Description    string
	Classification Classification
	Sectors        []string // the sectors affected
	Services       string   // the services affected, in the reporter's words
	Impact         Impact
	Timeline       Timeline
	CrossBorder    bool
	Countries      []string // ISO 3166-1 alpha-2 codes of the countries affected besides the reporter's
	Indicators     []stix.Observable

	Marking policy.Marking
	// RelayAllowed lets the office relay a sanitised summary to others.
	RelayAllowed bool
	// NIS2 says the reporter falls under the NIS2 directive, so the case
	// follows the stages and deadlines of its article 23.
	NIS2         bool
	TrustService bool

	Draft       bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SubmittedAt time.Time // zero for a draft
}

// Limits of a report's text fields, in characters.
const (
	maxTitle       = 200
	maxDescription = 20000
	maxServices    = 2000
)

// Object returns the policy's view of r.
func (r *Report) Object() policy.Object {
	return policy.Object{Kind: policy.KindIncident, ID: r.ID, OwnerOrg: r.OrgID, CreatedBy: r.UserID,
		Draft: r.Draft, Marking: r.Marking}
}

// CheckDraft checks what a draft must satisfy to be kept: only limits, so
// that a half-written report is never refused.
func (r *Report) CheckDraft() error {
	f := map[string]string{}
	r.checkLengths(f)
	return fields("incident.Report", f)
}

// CheckSubmission checks that r can be submitted at now: every required
// field present and valid, the timeline possible, the marking valid. Every
// problem is named by its field.
func (r *Report) CheckSubmission(now time.Time, sectors []string) error {
	f := map[string]string{}
	r.checkLengths(f)
	if strings.TrimSpace(r.Title) == "" {
		f["title"] = "give the report a title"
	}
	if strings.TrimSpace(r.Description) == "" {
		f["description"] = "describe what happened"
	}
	if err := r.Classification.Validate(); err != nil {
		for k, v := range verbund.ErrorFields(err) {
			f[k] = v
		}
	}
	if !r.Impact.Valid() {
		f["impact"] = "choose the impact: low, medium, high or critical"
	}
	for _, s := range r.Sectors {
		if !slices.Contains(sectors, s) {
			f["sectors"] = "unknown sector " + s
			break
		}
	}
	if err := r.Timeline.Validate(now); err != nil {
		for k, v := range verbund.ErrorFields(err) {
			f[k] = v
		}
	}
	switch {
	case r.CrossBorder && len(r.Countries) == 0:
		f["countries"] = "name the countries affected across the border"
	case !r.CrossBorder && len(r.Countries) > 0:
		f["countries"] = "countries are named only for an incident with effects across the border"
	}
	for _, c := range r.Countries {
		if len(c) != 2 || strings.ToUpper(c) != c || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			f["countries"] = "use two-letter country codes (ISO 3166-1), e.g. NL"
			break
		}
	}
	if err := policy.Validate(r.Marking); err != nil {
		for k, v := range verbund.ErrorFields(err) {
			f["marking."+k] = v
		}
		if len(verbund.ErrorFields(err)) == 0 {
			f["marking"] = verbund.ErrorMessage(err)
		}
	}
	if r.NIS2 && r.OrgID == "" {
		f["nis2"] = "NIS2 reports come from a member organisation; log in to report under NIS2"
	}
	if r.Stage != "" && !r.NIS2 {
		f["stage"] = "only NIS2 reports have stages"
	}
	if r.Stage != "" && !slices.Contains(Stages(), r.Stage) {
		f["stage"] = "not a stage of article 23"
	}
	return fields("incident.Report", f)
}

func (r *Report) checkLengths(f map[string]string) {
	for _, c := range []struct {
		field, value string
		max          int
	}{{"title", r.Title, maxTitle}, {"description", r.Description, maxDescription}, {"services", r.Services, maxServices}} {
		switch {
		case !utf8.ValidString(c.value):
			f[c.field] = "is not valid text"
		case utf8.RuneCountInString(c.value) > c.max:
			f[c.field] = "is longer than the limit"
		}
	}
	if len(r.Indicators) > MaxIndicatorLines {
		f["indicators"] = "too many indicators; send a STIX bundle instead"
	}
	if r.ContactEmail != "" && (!strings.Contains(r.ContactEmail, "@") || len(r.ContactEmail) > 254) {
		f["contact_email"] = "is not an e-mail address"
	}
}

func fields(op string, f map[string]string) error {
	if len(f) == 0 {
		return nil
	}
	return verbund.InvalidFields(op, f)
}
