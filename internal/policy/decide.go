package policy

import (
	"time"
)

// Step is a step of the decision, in the order it is taken.
type Step uint8

const (
	StepNone     Step = iota
	StepOwner         // 1: the owning organisation sees its object
	StepStanding      // 2: organisation status and token scope
	StepTLP           // 3: the ceiling the TLP level sets
	StepAudience      // 4: the audience narrows
	StepLegal         // 5: designations in a designated-hub regime
	StepOffice        // 6: office roles see what their task needs
)

var stepNames = [...]string{"none", "owner", "standing", "tlp", "audience", "legal", "office"}

func (s Step) String() string {
	if int(s) < len(stepNames) {
		return stepNames[s]
	}
	return "unknown"
}

// Via is what granted access, so that a page can say why the viewer sees an
// object. A deny may carry a Via too: the path that would have granted
// access had the level allowed it (a sector, for TLP:AMBER+STRICT).
type Via uint8

const (
	ViaNone       Via = iota
	ViaOwner          // the viewer's organisation owns the object
	ViaPublic         // TLP:CLEAR: everyone
	ViaCommunity      // the audience is the whole community
	ViaSector         // one of the organisation's sectors; Param names it
	ViaCircle         // one of the organisation's circles; Param is its id
	ViaOrg            // the organisation is named; Param is its id
	ViaUser           // the user is named
	ViaOfficeRole     // an office role; Param names it
)

var viaNames = [...]string{"none", "owner", "public", "community", "sector", "circle", "org", "user", "office-role"}

func (v Via) String() string {
	if int(v) < len(viaNames) {
		return viaNames[v]
	}
	return "unknown"
}

// Code is the stable, machine-readable reason of a decision. Codes are
// listed in the package doc; they never change meaning once released, so
// that translations, API clients and audit searches can rely on them.
type Code string

// Codes of decisions that allow.
const (
	CodeOwner      Code = "owner"
	CodeClear      Code = "clear"
	CodeShared     Code = "shared"
	CodeOfficeRole Code = "office-role"
)

// Codes of decisions that deny.
const (
	CodeTokenKind          Code = "token-kind-not-served"
	CodeTokenScope         Code = "token-scope-missing"
	CodeOrgPending         Code = "org-pending"
	CodeOrgSuspended       Code = "org-suspended"
	CodeOrgTerminated      Code = "org-terminated"
	CodeOrgNotActive       Code = "org-not-active"
	CodeDraft              Code = "draft-unpublished"
	CodeOfficeDraft        Code = "office-draft-role"
	CodeTLPUnknown         Code = "tlp-unknown"
	CodePublic             Code = "public-not-clear"
	CodeAgreement          Code = "agreement-not-accepted"
	CodeRedNotNamed        Code = "tlp-red-not-named"
	CodeRedToken           Code = "tlp-red-token"
	CodeAmberCommunity     Code = "tlp-amber-community"
	CodeAmberStrict        Code = "tlp-amber-strict-not-named"
	CodeAudienceEmpty      Code = "audience-empty"
	CodeAudienceNotIncl    Code = "audience-not-included"
	CodeDesignationMissing Code = "designation-missing"
	CodeDesignationCat     Code = "designation-category"
	CodeDesignationNotYet  Code = "designation-not-yet-valid"
	CodeDesignationExpired Code = "designation-expired"
	CodeDesignationRevoked Code = "designation-revoked"
	CodeNotSectorWide      Code = "designation-not-sector-wide"
	CodeISPPurpose         Code = "isp-purpose"
)

// Decision is the outcome of Decide. For an allow, Step is the step that
// granted access and Via the path; for a deny, Step is the first step that
// denied. Code and Param are what Explain renders; they are plain values, so
// that deciding allocates nothing.
type Decision struct {
	Allow bool
	Step  Step
	Via   Via
	Code  Code
	// Param is the one value the explanation names: a sector, circle id,
	// organisation id, office role, token scope or designation category.
	Param string
	TLP   TLP    // the object's level
	Kind  string // the object's kind
}

func (d Decision) deny(s Step, c Code, param string) Decision {
	d.Allow, d.Step, d.Code, d.Param = false, s, c, param
	return d
}

func (d Decision) allow(s Step, v Via, c Code, param string) Decision {
	d.Allow, d.Step, d.Via, d.Code, d.Param = true, s, v, c, param
	return d
}

// Decide decides whether v may see o at the instant now, and why. It is a
// pure function of its arguments and p's configuration: it reads v and o,
// never changes them, and allocates nothing. The steps are taken in the
// order of the package doc; the first that denies wins.
func (p *Policy) Decide(v *Viewer, o *Object, now time.Time) Decision {
	d := Decision{TLP: o.Marking.TLP, Kind: o.Kind}
	// The scope is a limit of the credential, not of the organisation, so it
	// binds a token of the owner too.
	if v.Kind == ViewerToken {
		scope, ok := p.readScopes[o.Kind]
		if !ok {
			return d.deny(StepStanding, CodeTokenKind, o.Kind)
		}
		if !v.Scopes.Has(scope) {
			return d.deny(StepStanding, CodeTokenScope, scope)
		}
	}
	if v.loggedIn() && v.OrgID != "" && v.OrgID == o.OwnerOrg {
		return p.owner(v, o, d)
	}
	if o.Draft {
		if r := p.officeRole(v, o); r != 0 {
			return byRole(v, o, r, d)
		}
		return d.deny(StepOwner, CodeDraft, "")
	}
	sd := p.shared(v, o, now, d)
	if !sd.Allow && sd.Step != StepStanding {
		if r := p.officeRole(v, o); r != 0 {
			if rd := byRole(v, o, r, d); rd.Allow {
				return rd
			}
		}
	}
	return sd
}

// owner is step 1 for a viewer of the owning organisation.
func (p *Policy) owner(v *Viewer, o *Object, d Decision) Decision {
	if o.Marking.TLP == Red {
		if v.Kind == ViewerToken {
			return d.deny(StepTLP, CodeRedToken, "")
		}
		if !contains(o.Marking.Audience.Users, v.UserID) {
			return d.deny(StepTLP, CodeRedNotNamed, "")
		}
	}
	// The office is one organisation, but its drafts are the work in
	// progress of a role: its author and the roles granted drafts of the
	// kind see them, other office users only once published.
	if o.Draft && v.IsOffice {
		if v.Kind == ViewerUser && v.UserID != "" && v.UserID == o.CreatedBy {
			return d.allow(StepOwner, ViaOwner, CodeOwner, "")
		}
		if r := p.officeRole(v, o); r != 0 {
			return d.allow(StepOffice, ViaOfficeRole, CodeOfficeRole, r.String())
		}
		return d.deny(StepOffice, CodeOfficeDraft, "")
	}
	return d.allow(StepOwner, ViaOwner, CodeOwner, "")
}

// byRole is step 6: an office grant, which passes over the audience and the
// legal regime (the office is the hub, not a recipient) but not over the
// standing of the office or a TLP:RED list of names.
func byRole(v *Viewer, o *Object, r Role, d Decision) Decision {
	if c := standing(v.OrgStatus); c != "" {
		return d.deny(StepStanding, c, "")
	}
	switch {
	case !o.Marking.TLP.Valid():
		return d.deny(StepTLP, CodeTLPUnknown, "")
	case o.Marking.TLP == Red && !contains(o.Marking.Audience.Users, v.UserID):
		return d.deny(StepTLP, CodeRedNotNamed, "")
	}
	return d.allow(StepOffice, ViaOfficeRole, CodeOfficeRole, r.String())
}

func standing(s OrgStatus) Code {
	switch s {
	case StatusActive:
		return ""
	case StatusPending:
		return CodeOrgPending
	case StatusSuspended:
		return CodeOrgSuspended
	case StatusTerminated:
		return CodeOrgTerminated
	}
	return CodeOrgNotActive
}

// shared takes steps 2 to 5 for a viewer that does not own o.
func (p *Policy) shared(v *Viewer, o *Object, now time.Time, d Decision) Decision {
	m := &o.Marking
	switch {
	case m.TLP == Clear:
		// A confidential CLEAR object is a contradiction Validate refuses;
		// should one be stored anyway, the legal regime still holds.
		if p.hub && !v.IsOffice && (m.Confidential || m.Identifiable) {
			if c, param := p.legal(v, m, now); c != "" {
				return d.deny(StepLegal, c, param)
			}
		}
		return d.allow(StepTLP, ViaPublic, CodeClear, "")
	case !m.TLP.Valid():
		return d.deny(StepTLP, CodeTLPUnknown, "")
	case !v.loggedIn():
		return d.deny(StepTLP, CodePublic, "")
	}
	if c := standing(v.OrgStatus); c != "" {
		return d.deny(StepStanding, c, "")
	}
	if !v.AcceptedCurrentAgreement {
		return d.deny(StepTLP, CodeAgreement, "")
	}
	var via Via
	var param string
	if m.TLP == Red {
		if v.Kind == ViewerToken {
			return d.deny(StepTLP, CodeRedToken, "")
		}
		if v.Kind != ViewerUser || !contains(m.Audience.Users, v.UserID) {
			return d.deny(StepTLP, CodeRedNotNamed, "")
		}
		via = ViaUser
	} else {
		via, param = match(v, &m.Audience)
		switch {
		case via == ViaNone && m.Audience.IsEmpty():
			return d.deny(StepAudience, CodeAudienceEmpty, "")
		case via == ViaNone:
			return d.deny(StepAudience, CodeAudienceNotIncl, "")
		case m.TLP == AmberStrict && (via == ViaSector || via == ViaCircle || via == ViaCommunity):
			d.Via = via
			return d.deny(StepTLP, CodeAmberStrict, param)
		case m.TLP == Amber && via == ViaCommunity:
			d.Via = via
			return d.deny(StepTLP, CodeAmberCommunity, "")
		}
	}
	if p.hub && !v.IsOffice && (m.Confidential || m.Identifiable) {
		if c, lp := p.legal(v, m, now); c != "" {
			d.Via = via
			return d.deny(StepLegal, c, lp)
		}
	}
	return d.allow(StepAudience, via, CodeShared, param)
}

// match returns the most specific part of a that reaches v, and the value
// that names it: a named user before the organisation, the organisation
// before its circles, circles before sectors, and the community last.
func match(v *Viewer, a *Audience) (Via, string) {
	if v.Kind == ViewerUser && contains(a.Users, v.UserID) {
		return ViaUser, ""
	}
	if contains(a.Orgs, v.OrgID) {
		return ViaOrg, v.OrgID
	}
	if v.Circles.Len() > 0 {
		for _, c := range a.Circles {
			if v.Circles.Has(c) {
				return ViaCircle, c
			}
		}
	}
	if v.OrgSectors.Len() > 0 {
		for _, s := range a.Sectors {
			if v.OrgSectors.Has(s) {
				return ViaSector, s
			}
		}
	}
	if a.Community {
		return ViaCommunity, ""
	}
	return ViaNone, ""
}

// legal is step 5 in a designated-hub regime for a confidential or
// identifiable object. It returns "" when one of v's designations carries
// the object, else the most helpful reason it does not: a lapsed designation
// that would otherwise have carried it, then the ISP purpose, a CSIRT that
// is not sector-wide, a category the regime does not allow, no designation.
func (p *Policy) legal(v *Viewer, m *Marking, now time.Time) (Code, string) {
	var (
		timed      Code
		timedCat   Category
		ispPurpose bool
		notSW      bool
		wrongCat   Category
		wrong      bool
	)
	for i := range v.Designations {
		d := &v.Designations[i]
		st := d.state(now)
		switch {
		case p.allowed&(1<<d.Category) == 0:
			if st == designationValid && !wrong {
				wrong, wrongCat = true, d.Category
			}
			continue
		case m.Identifiable && (d.Category != CategoryDesignatedCSIRT || !d.SectorWide):
			notSW = notSW || st == designationValid
			continue
		case d.Category == CategoryISP && m.Purpose != PurposeInformUsers:
			ispPurpose = ispPurpose || st == designationValid
			continue
		}
		var c Code
		switch st {
		case designationValid:
			return "", ""
		case designationRevoked:
			c = CodeDesignationRevoked
		case designationExpired:
			c = CodeDesignationExpired
		case designationNotYetValid:
			c = CodeDesignationNotYet
		}
		if timed == "" || timedRank(c) > timedRank(timed) {
			timed, timedCat = c, d.Category
		}
	}
	switch {
	case timed != "":
		return timed, timedCat.String()
	case ispPurpose:
		return CodeISPPurpose, ""
	case notSW:
		return CodeNotSectorWide, ""
	case wrong:
		return CodeDesignationCat, wrongCat.String()
	}
	return CodeDesignationMissing, ""
}

// timedRank orders the reasons a designation lapsed by how final they are.
func timedRank(c Code) int {
	switch c {
	case CodeDesignationRevoked:
		return 3
	case CodeDesignationExpired:
		return 2
	}
	return 1
}
