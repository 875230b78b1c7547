// Package identity holds organisations, users, their roles, sessions, API
// tokens and second factors, and the service that authenticates them.
//
// It knows nothing of HTTP or SQL: transports call the Service, and the store
// package implements Store against SQLite and PostgreSQL.
package identity

import (
	"slices"
	"time"
)

// OrgKind tells the office that runs the alliance from its members.
type OrgKind string

const (
	KindOffice OrgKind = "office"
	KindMember OrgKind = "member"
)

// OrgStatus is where an organisation stands in the alliance. Only an active
// organisation acts as a member; suspended and terminated ones see only what
// is public (the sharing policy reads this).
type OrgStatus string

const (
	StatusPending    OrgStatus = "pending"
	StatusActive     OrgStatus = "active"
	StatusSuspended  OrgStatus = "suspended"
	StatusTerminated OrgStatus = "terminated"
)

// Valid reports whether s is a known status.
func (s OrgStatus) Valid() bool {
	switch s {
	case StatusPending, StatusActive, StatusSuspended, StatusTerminated:
		return true
	}
	return false
}

// Sectors an organisation may belong to. The list follows the NIS2 annexes,
// shortened to what an alliance sorts its members by.
var Sectors = []string{
	"energy", "transport", "finance", "health", "water", "digital-infrastructure",
	"ict-services", "public-administration", "space", "postal", "waste",
	"chemicals", "food", "manufacturing", "digital-providers", "research", "education",
}

// ValidSector reports whether s is a known sector.
func ValidSector(s string) bool { return slices.Contains(Sectors, s) }

// Organisation is an office or member organisation.
type Organisation struct {
	ID           string
	Name         string
	Kind         OrgKind
	Status       OrgStatus
	Country      string // ISO 3166-1 alpha-2
	Sectors      []string
	ContactName  string
	ContactEmail string
	ContactPhone string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Role is what a user may do. Office roles belong to users of the office;
// organisation roles to users of a member organisation.
type Role string

const (
	RoleOfficeAdmin Role = "office-admin"
	RoleReviewer    Role = "reviewer"  // partner and multiplier decisions
	RoleAssessor    Role = "assessor"  // designations of recipients
	RolePublisher   Role = "publisher" // warnings
	RoleAnalyst     Role = "analyst"   // triage, relay, situational picture
	RoleOrgAdmin    Role = "org-admin" // an organisation's users, tokens, termination
	RoleOrgMember   Role = "org-member"
)

// OfficeRoles are the roles only users of the office can hold.
var OfficeRoles = []Role{RoleOfficeAdmin, RoleReviewer, RoleAssessor, RolePublisher, RoleAnalyst}

// OrgRoles are the roles of a user within its own organisation.
var OrgRoles = []Role{RoleOrgAdmin, RoleOrgMember}

// IsOffice reports whether r is an office role.
func (r Role) IsOffice() bool { return slices.Contains(OfficeRoles, r) }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.IsOffice() || slices.Contains(OrgRoles, r) }

// User is a person who logs in. A user belongs to exactly one organisation and
// holds one or more roles in it.
type User struct {
	ID           string
	OrgID        string
	Email        string // lower-case, unique
	Name         string
	Lang         string // preferred UI language; empty: from the browser
	PasswordHash string // Argon2id in PHC string format
	Roles        []Role
	TOTPSecret   string // base32; set during enrolment
	TOTPEnabled  bool
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Has reports whether u holds role r.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// HasOfficeRole reports whether u holds any office role.
func (u User) HasOfficeRole() bool {
	return slices.ContainsFunc(u.Roles, Role.IsOffice)
}

// Session is a server-side login session. The browser holds a random secret;
// the store keeps only its SHA-256 (ID), so a leaked database cannot be used
// to ride sessions.
type Session struct {
	ID         string // hex SHA-256 of the cookie secret
	UserID     string
	CSRFToken  string // per-session secret for form tokens
	MFAPassed  bool   // false while the second factor is still owed
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute end, whatever the activity
	IP         string
	UserAgent  string
}

// Scope is one permission an API token may carry.
type Scope string

// The scopes known to Verbund. Each read path checks the scope for the kind of
// object it returns; a token without it gets nothing of that kind.
const (
	ScopeProfileRead    Scope = "profile:read"
	ScopeOrgRead        Scope = "organisation:read"
	ScopeOrgWrite       Scope = "organisation:write"
	ScopeIntelRead      Scope = "intel:read"
	ScopeIntelWrite     Scope = "intel:write"
	ScopeWarningsRead   Scope = "warnings:read"
	ScopeWarningsWrite  Scope = "warnings:write"
	ScopeIncidentsRead  Scope = "incidents:read"
	ScopeIncidentsWrite Scope = "incidents:write"
	ScopeAuditRead      Scope = "audit:read"
)

// Scopes lists every scope with a short description in English; the web UI
// translates the scope names through its catalogue.
var Scopes = []Scope{
	ScopeProfileRead, ScopeOrgRead, ScopeOrgWrite, ScopeIntelRead, ScopeIntelWrite,
	ScopeWarningsRead, ScopeWarningsWrite, ScopeIncidentsRead, ScopeIncidentsWrite, ScopeAuditRead,
}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return slices.Contains(Scopes, s) }

// Token is an API token. It is bound to one organisation and carries explicit
// scopes. The secret is shown once at creation; the store keeps its SHA-256.
// The token string is "vbd_" + Prefix + "_" + secret; Prefix identifies the
// row without revealing the secret.
type Token struct {
	ID         string
	OrgID      string
	CreatedBy  string // user id
	Name       string
	Prefix     string
	Hash       []byte // SHA-256 of the whole token string
	Scopes     []Scope
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	RevokedAt  time.Time // zero: not revoked
	LastUsedAt time.Time // zero: never used
}

// Has reports whether t carries scope s.
func (t Token) Has(s Scope) bool { return slices.Contains(t.Scopes, s) }

// Active reports whether t may be used at now.
func (t Token) Active(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// Principal is who is making a request: a user through a session, or an
// organisation through an API token. Exactly one of User and Token is set for
// an authenticated principal; neither for the public.
type Principal struct {
	User    *User
	Token   *Token
	Org     *Organisation
	Session *Session
	// System marks the installation itself acting: the command line
	// (admin create-user) and the demo seed. It is never the result of a
	// request.
	System bool
}

// SystemPrincipal returns the principal of the installation itself.
func SystemPrincipal() Principal { return Principal{System: true} }

// Authenticated reports whether p is anybody but the public.
func (p Principal) Authenticated() bool { return p.User != nil || p.Token != nil }

// Has reports whether p holds role r. Tokens hold no roles.
func (p Principal) Has(r Role) bool { return p.User != nil && p.User.Has(r) }

// HasScope reports whether p may use scope s. A user in a session holds every
// scope; what the user may see is then decided by roles and the policy.
func (p Principal) HasScope(s Scope) bool {
	if p.Token != nil {
		return p.Token.Has(s)
	}
	return p.User != nil
}

// OrgID returns the organisation p acts for, or "".
func (p Principal) OrgID() string {
	if p.Org != nil {
		return p.Org.ID
	}
	return ""
}
