package policy

import (
	"time"

	"github.com/verbund/verbund"
)

// ViewerKind tells who is asking. The zero value is the public, so a Viewer
// nobody filled in sees only TLP:CLEAR; a value outside the constants is
// treated as the public too.
type ViewerKind uint8

const (
	ViewerPublic ViewerKind = iota // no login
	ViewerUser                     // a person in a session
	ViewerToken                    // a machine client with an API token
)

func (k ViewerKind) String() string {
	switch k {
	case ViewerPublic:
		return "public"
	case ViewerUser:
		return "user"
	case ViewerToken:
		return "token"
	}
	return "unknown"
}

// OrgStatus is where the viewer's organisation stands. The values are those
// of the organisations table; anything but StatusActive sees only CLEAR
// information it does not own.
type OrgStatus string

const (
	StatusPending    OrgStatus = "pending"
	StatusActive     OrgStatus = "active"
	StatusSuspended  OrgStatus = "suspended"
	StatusTerminated OrgStatus = "terminated"
)

// Role is one office role. Roles grant access by the kind of object (see
// OfficeGrant), never by organisation.
type Role uint8

// The office roles; their names are those of the identity package.
const (
	RoleOfficeAdmin Role = 1 << iota // "office-admin": runs the installation; sees no more by default
	RoleReviewer                     // "reviewer": partner and multiplier decisions
	RoleAssessor                     // "assessor": designations of recipients
	RolePublisher                    // "publisher": warnings
	RoleAnalyst                      // "analyst": triage, relay, situational picture
)

var roleNames = []struct {
	r    Role
	name string
}{
	{RoleOfficeAdmin, "office-admin"},
	{RoleReviewer, "reviewer"},
	{RoleAssessor, "assessor"},
	{RolePublisher, "publisher"},
	{RoleAnalyst, "analyst"},
}

func (r Role) String() string {
	for _, n := range roleNames {
		if n.r == r {
			return n.name
		}
	}
	return "unknown"
}

// ParseRole returns the office role called name.
func ParseRole(name string) (Role, bool) {
	for _, n := range roleNames {
		if n.name == name {
			return n.r, true
		}
	}
	return 0, false
}

// Roles is a set of office roles.
type Roles uint8

// RolesOf returns the office roles among names. Names of other roles
// ("org-admin", "org-member") are skipped: they are an organisation's own
// business and the policy does not read them.
func RolesOf(names ...string) Roles {
	var rs Roles
	for _, n := range names {
		if r, ok := ParseRole(n); ok {
			rs |= Roles(r)
		}
	}
	return rs
}

// Has reports whether rs contains r.
func (rs Roles) Has(r Role) bool { return r != 0 && rs&Roles(r) == Roles(r) }

// Category is the legal category of a designated recipient (art. 3.2 Wbni
// and comparable regimes).
type Category uint8

const (
	CategoryOKTT            Category = iota + 1 // a collaboration whose objectively knowable task is to inform others
	CategoryEUNationalCSIRT                     // the national CSIRT of an EU member state
	CategoryDesignatedCSIRT                     // a CSIRT designated by ministerial regulation
	CategoryISP                                 // an internet access provider, only to inform its users
)

var categoryNames = [...]string{"", "oktt", "eu-national-csirt", "designated-csirt", "isp"}

func (c Category) String() string {
	if c >= CategoryOKTT && c <= CategoryISP {
		return categoryNames[c]
	}
	return "unknown"
}

// ParseCategory reads a category name as String writes it.
func ParseCategory(s string) (Category, error) {
	for c := CategoryOKTT; c <= CategoryISP; c++ {
		if categoryNames[c] == s {
			return c, nil
		}
	}
	return 0, &verbund.Error{Op: "policy.ParseCategory", Kind: verbund.Invalid, Code: "category-unknown",
		Msg: "unknown designation category " + quote(s) + "; use oktt, eu-national-csirt, designated-csirt or isp"}
}

// Designation makes an organisation a recipient of confidential information
// in a designated-hub regime. It is decided by an assessment and may expire
// or be revoked; either ends access at that instant.
type Designation struct {
	Category   Category
	SectorWide bool      // a designated CSIRT serving a whole sector; may receive identifiable information
	ValidFrom  time.Time // zero: valid since ever
	ValidUntil time.Time // zero: open-ended; the designation is no longer valid at this instant
	RevokedAt  time.Time // zero: not revoked; the designation is no longer valid at this instant
}

type designationState uint8

const (
	designationValid designationState = iota
	designationNotYetValid
	designationExpired
	designationRevoked
)

func (d *Designation) state(at time.Time) designationState {
	switch {
	case !d.RevokedAt.IsZero() && !at.Before(d.RevokedAt):
		return designationRevoked
	case !d.ValidUntil.IsZero() && !at.Before(d.ValidUntil):
		return designationExpired
	case !d.ValidFrom.IsZero() && at.Before(d.ValidFrom):
		return designationNotYetValid
	}
	return designationValid
}

// Valid reports whether d is in force at the instant at: on or after
// ValidFrom, before ValidUntil and before RevokedAt.
func (d Designation) Valid(at time.Time) bool { return d.state(at) == designationValid }

// Viewer is who asks to see objects: the public, a user or an API token,
// with everything about its organisation the decision reads. Build it once
// per request; Decide only reads it. The zero Viewer is the public.
type Viewer struct {
	Kind   ViewerKind
	UserID string // users only; tokens act for the organisation, not a person
	OrgID  string

	OrgStatus OrgStatus
	// AcceptedCurrentAgreement is whether the organisation has accepted the
	// current agreement on the handling of confidential information. Set it
	// for the office too: the office is bound by the agreement it issues.
	AcceptedCurrentAgreement bool
	OrgSectors               Set
	Circles                  Set // from Circles.Of(OrgID)
	Designations             []Designation

	// IsOffice is whether OrgID is the office that runs the alliance.
	IsOffice    bool
	OfficeRoles Roles // users of the office only; tokens hold no roles

	Scopes Set // tokens only: the scopes the token carries
}

// loggedIn reports whether v is a user or a token; anything else is the
// public.
func (v *Viewer) loggedIn() bool { return v.Kind == ViewerUser || v.Kind == ViewerToken }
