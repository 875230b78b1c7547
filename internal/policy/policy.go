package policy

import (
	"fmt"
	"maps"

	"github.com/verbund/verbund"
)

// Mode is the legal model an installation runs.
type Mode uint8

const (
	// OpenAlliance: membership and the agreement are the whole test; the
	// confidential, identifiable and purpose flags are recorded but do not
	// restrict.
	OpenAlliance Mode = iota
	// DesignatedHub: a government CSIRT that may pass confidential
	// information only to designated recipients (art. 3.2 Wbni).
	DesignatedHub
)

func (m Mode) String() string {
	switch m {
	case OpenAlliance:
		return "open-alliance"
	case DesignatedHub:
		return "designated-hub"
	}
	return "unknown"
}

// Regime is the legal regime of an installation.
type Regime struct {
	Mode Mode
	// Confidential lists the designation categories that may receive
	// confidential information in DesignatedHub mode. It must not be empty
	// there: a hub that may pass nothing on is a configuration mistake.
	Confidential []Category
}

// HubRegime returns the designated-hub regime with the four categories of
// art. 3.2 Wbni.
func HubRegime() Regime {
	return Regime{Mode: DesignatedHub, Confidential: []Category{
		CategoryOKTT, CategoryEUNationalCSIRT, CategoryDesignatedCSIRT, CategoryISP,
	}}
}

// OfficeGrant lets users of the office holding Role see objects of Kind that
// are not shared with them, because their task needs it: analysts triage
// incident reports, publishers edit warnings before they are published.
// Grants never reach TLP:RED objects the user is not named on.
type OfficeGrant struct {
	Role   Role
	Kind   string
	Drafts bool // drafts as well as published objects
}

// Config is the installation's policy configuration.
type Config struct {
	Regime Regime
	// ReadScopes maps an object kind to the scope a token needs to read it.
	// A kind missing here is never served to tokens.
	ReadScopes map[string]string
	// OfficeGrants lists what office roles see beyond their audience.
	OfficeGrants []OfficeGrant
}

// DefaultConfig returns an open alliance with the scopes of the identity
// package and the office grants the design names: analysts see incident
// reports, publishers see warnings including drafts, assessors see
// assessments including drafts. The office admin and reviewers have no
// grant: they see what is shared with the office like any member.
func DefaultConfig() Config {
	return Config{
		Regime: Regime{Mode: OpenAlliance},
		ReadScopes: map[string]string{
			KindWarning:   "warnings:read",
			KindIncident:  "incidents:read",
			KindIndicator: "intel:read",
			KindSTIX:      "intel:read",
		},
		OfficeGrants: []OfficeGrant{
			{Role: RoleAnalyst, Kind: KindIncident},
			{Role: RolePublisher, Kind: KindWarning, Drafts: true},
			{Role: RoleAssessor, Kind: KindAssessment, Drafts: true},
		},
	}
}

// Policy decides visibility. It holds only configuration, is immutable once
// built and safe for concurrent use; every decision is a pure function of
// its arguments.
type Policy struct {
	hub        bool
	allowed    uint8 // bit c set: Category c may receive confidential information
	readScopes map[string]string
	grants     map[string]grant // kind → roles with a grant
}

type grant struct {
	published Roles // roles that see published objects of the kind
	drafts    Roles // roles that also see its drafts
}

// New checks c and builds the policy from it.
func New(c Config) (*Policy, error) {
	const op = "policy.New"
	bad := func(format string, args ...any) error {
		return &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "policy-config", Msg: fmt.Sprintf(format, args...)}
	}
	p := &Policy{readScopes: maps.Clone(c.ReadScopes), grants: map[string]grant{}}
	if p.readScopes == nil {
		p.readScopes = map[string]string{}
	}
	switch c.Regime.Mode {
	case OpenAlliance:
	case DesignatedHub:
		p.hub = true
		if len(c.Regime.Confidential) == 0 {
			return nil, bad("a designated hub must allow at least one designation category to receive confidential information")
		}
	default:
		return nil, bad("unknown regime mode %d", c.Regime.Mode)
	}
	for _, cat := range c.Regime.Confidential {
		if cat < CategoryOKTT || cat > CategoryISP {
			return nil, bad("unknown designation category %d", cat)
		}
		p.allowed |= 1 << cat
	}
	for kind, scope := range p.readScopes {
		if kind == "" || scope == "" {
			return nil, bad("read scope %q for kind %q: kind and scope must not be empty", scope, kind)
		}
	}
	for _, g := range c.OfficeGrants {
		if g.Role.String() == "unknown" {
			return nil, bad("office grant for kind %q names an unknown role %d", g.Kind, g.Role)
		}
		if g.Kind == "" {
			return nil, bad("office grant for role %s names no kind", g.Role)
		}
		gr := p.grants[g.Kind]
		gr.published |= Roles(g.Role)
		if g.Drafts {
			gr.drafts |= Roles(g.Role)
		}
		p.grants[g.Kind] = gr
	}
	return p, nil
}

// Hub reports whether p runs the designated-hub regime.
func (p *Policy) Hub() bool { return p.hub }

// ReadScope returns the scope a token needs to read objects of kind.
func (p *Policy) ReadScope(kind string) (string, bool) {
	s, ok := p.readScopes[kind]
	return s, ok
}

// officeRole returns the first office role of v that grants access to o, or
// 0. It does not look at the marking.
func (p *Policy) officeRole(v *Viewer, o *Object) Role {
	if !v.IsOffice || v.Kind != ViewerUser || v.OfficeRoles == 0 {
		return 0
	}
	g, ok := p.grants[o.Kind]
	if !ok {
		return 0
	}
	rs := g.published
	if o.Draft {
		rs = g.drafts
	}
	rs &= v.OfficeRoles
	if rs == 0 {
		return 0
	}
	return Role(rs & -rs) // lowest bit: a stable choice for the explanation
}
