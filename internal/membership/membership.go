// Package membership runs the lifecycle of an open alliance's members:
// registration with e-mail verification, the versioned agreement on the
// handling of confidential information and its signatures, the statuses
// participant, partner and multiplier with their applications and
// contributions, signed badges that show a status, and the end of a
// membership by the organisation or the office.
//
// Organisations and users themselves belong to the identity package; this
// package adds what membership needs in tables of its own, keyed by the
// organisation's id, and changes identity rows only through identity.Tx in
// the same transaction. It knows nothing of HTTP or SQL: transports call the
// Service, and the store package implements Store.
package membership

import (
	"slices"
	"time"
)

// Status is a standing an organisation holds in the alliance, on top of its
// organisation status: every active member is a participant; partners and
// multipliers are participants the office accepted for more.
type Status string

// The statuses, each with its own badge.
const (
	Participant Status = "participant"
	Partner     Status = "partner"
	Multiplier  Status = "multiplier"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Participant || s == Partner || s == Multiplier }

// Label returns the name of s for people, in English.
func (s Status) Label() string {
	switch s {
	case Participant:
		return "Participant"
	case Partner:
		return "Partner"
	case Multiplier:
		return "Multiplier"
	}
	return "Member"
}

// Activation says when a registered organisation becomes an active
// participant.
type Activation string

const (
	// ActivateImmediately activates an organisation as soon as its first
	// user's e-mail address is verified and it has accepted the current
	// agreement.
	ActivateImmediately Activation = "immediate"
	// ActivateByOffice leaves it pending until a reviewer or office admin
	// activates it.
	ActivateByOffice Activation = "office"
)

// SizeClasses are the size classes an organisation chooses from, by number
// of employees.
var SizeClasses = []string{"1-9", "10-49", "50-249", "250-999", "1000+"}

// Languages are those an agreement text exists in.
var Languages = []string{"de", "nl", "en"}

// Profile is what membership keeps about an organisation beyond the
// identity.Organisation row: the seat, the size, the public website, the
// contact person's function, the language of mail to the contact, the
// opt-in to the member network, and the state of the registration.
type Profile struct {
	OrgID           string
	LegalForm       string
	Street          string
	Postcode        string
	City            string
	Website         string // normalised by NormaliseWebsite; "" when none
	SizeClass       string // one of SizeClasses
	ContactFunction string
	Lang            string // de, nl or en: the language of mail to the contact
	NetworkVisible  bool   // listed in the member network
	RegisteredBy    string // the first user, who registered the organisation
	VerifiedAt      time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Verified reports whether the registering user's e-mail address is
// confirmed.
func (p Profile) Verified() bool { return !p.VerifiedAt.IsZero() }

// Verification is a link that confirms a user's e-mail address. Hash is the
// SHA-256 of the secret in the link; the secret itself is never stored.
type Verification struct {
	Hash      []byte
	UserID    string
	OrgID     string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero: not used
}

// Agreement is one version of the agreement on the handling of confidential
// information. Texts maps a language (de, nl, en) to the exact text in it,
// Markdown or plain text.
type Agreement struct {
	Version     int
	Texts       map[string]string
	PublishedAt time.Time
	PublishedBy string // user id
}

// Signature records that a user accepted a version of the agreement for an
// organisation. TextSHA256 is the hex SHA-256 of the exact text the user
// read, so that the receipt proves which words were agreed to.
type Signature struct {
	ID         string
	OrgID      string
	UserID     string
	Version    int
	Lang       string
	TextSHA256 string
	SignedAt   time.Time
	IP         string
}

// State is where an application or a contribution stands.
type State string

// The states. Pending is where every application and contribution starts;
// the office moves it on, or ending the membership withdraws it.
const (
	Pending   State = "pending"
	Approved  State = "approved"  // applications
	Rejected  State = "rejected"  // applications and contributions
	Accepted  State = "accepted"  // contributions
	Withdrawn State = "withdrawn" // open when the membership ended
)

// OrgTypes are the kinds of organisation that may become multipliers.
var OrgTypes = []string{"association", "chamber", "club", "initiative", "network"}

// Application asks the office for partner or multiplier status.
type Application struct {
	ID          string
	OrgID       string
	Kind        Status   // Partner or Multiplier
	Expertise   []string // partners: areas of expertise, free tags
	OrgType     string   // multipliers: one of OrgTypes
	Description string
	State       State
	SubmittedBy string
	SubmittedAt time.Time
	DecidedBy   string
	DecidedAt   time.Time
	Reason      string   // the decision's reason; the applicant reads it
	Checked     []string // multipliers: the checklist items the office confirmed
}

// ContributionTypes lists, per status, the types of contribution (partners)
// or activity (multipliers) that start and keep it.
var ContributionTypes = map[Status][]string{
	Partner:    {"technical-content", "publication", "event", "tool"},
	Multiplier: {"social-media", "information-offer", "member-event", "experience-exchange"},
}

// KindOfContribution returns the status a contribution type belongs to.
func KindOfContribution(typ string) (Status, bool) {
	for k, types := range ContributionTypes {
		if slices.Contains(types, typ) {
			return k, true
		}
	}
	return "", false
}

// Contribution is a partner's contribution or a multiplier's activity. The
// first one the office accepts starts the status.
type Contribution struct {
	ID            string
	OrgID         string
	ApplicationID string
	Kind          Status // Partner or Multiplier
	Type          string // one of ContributionTypes[Kind]
	Title         string
	Description   string
	Link          string
	State         State
	SubmittedBy   string
	SubmittedAt   time.Time
	DecidedBy     string
	DecidedAt     time.Time
	Reason        string
}

// StatusRecord is one period in which an organisation held a status.
type StatusRecord struct {
	ID        string
	OrgID     string
	Status    Status
	Since     time.Time
	EndedAt   time.Time // zero while the status lasts
	EndReason string
}

// Current reports whether the status still lasts.
func (r StatusRecord) Current() bool { return r.EndedAt.IsZero() }

// Badge shows that an organisation holds a status. ID is random and
// unguessable; Statement is the canonical JSON the installation signed with
// its Ed25519 key, and Signature that signature in standard base64.
type Badge struct {
	ID           string
	OrgID        string
	OrgName      string // filled in by the store on reading
	Status       Status
	Since        time.Time
	IssuedAt     time.Time
	Statement    string
	Signature    string
	RevokedAt    time.Time // zero: not revoked
	RevokeReason string
}

// Revoked reports whether b no longer vouches for anything.
func (b Badge) Revoked() bool { return !b.RevokedAt.IsZero() }

// Counts are the office's figures on member organisations. ByStatus counts
// every member organisation; BySector and BySize count those whose
// membership has not ended, with "" for organisations without a size class.
type Counts struct {
	ByStatus map[string]int
	BySector map[string]int
	BySize   map[string]int
}
