package policy

import "fmt"

// codeInfo lists every code with the step it belongs to and whether it
// allows. The package doc holds the same table for readers; a test keeps the
// two in step.
var codeInfo = []struct {
	code  Code
	step  Step
	allow bool
}{
	{CodeOwner, StepOwner, true},
	{CodeClear, StepTLP, true},
	{CodeShared, StepAudience, true},
	{CodeOfficeRole, StepOffice, true},
	{CodeDraft, StepOwner, false},
	{CodeTokenKind, StepStanding, false},
	{CodeTokenScope, StepStanding, false},
	{CodeOrgPending, StepStanding, false},
	{CodeOrgSuspended, StepStanding, false},
	{CodeOrgTerminated, StepStanding, false},
	{CodeOrgNotActive, StepStanding, false},
	{CodeTLPUnknown, StepTLP, false},
	{CodePublic, StepTLP, false},
	{CodeAgreement, StepTLP, false},
	{CodeRedNotNamed, StepTLP, false},
	{CodeRedToken, StepTLP, false},
	{CodeAmberCommunity, StepTLP, false},
	{CodeAmberStrict, StepTLP, false},
	{CodeAudienceEmpty, StepAudience, false},
	{CodeAudienceNotIncl, StepAudience, false},
	{CodeDesignationMissing, StepLegal, false},
	{CodeDesignationCat, StepLegal, false},
	{CodeDesignationNotYet, StepLegal, false},
	{CodeDesignationExpired, StepLegal, false},
	{CodeDesignationRevoked, StepLegal, false},
	{CodeNotSectorWide, StepLegal, false},
	{CodeISPPurpose, StepLegal, false},
	{CodeOfficeDraft, StepOffice, false},
}

// Codes returns every decision code, allowing ones first, for catalogues
// that translate explanations.
func Codes() []Code {
	cs := make([]Code, len(codeInfo))
	for i, c := range codeInfo {
		cs[i] = c.code
	}
	return cs
}

// String is a compact form for logs: "deny tlp tlp-red-not-named".
func (d Decision) String() string {
	verdict := "deny"
	if d.Allow {
		verdict = "allow"
	}
	s := verdict + " " + d.Step.String() + " " + string(d.Code)
	if d.Via != ViaNone {
		s += " via " + d.Via.String()
	}
	if d.Param != "" {
		s += " (" + d.Param + ")"
	}
	return s
}

// Explain renders the decision as one English sentence for the viewer:
// "shared with your sector energy under TLP:AMBER". It is built only when
// asked for; translations key on Code and fill in Param, TLP and Kind.
func (d Decision) Explain() string {
	level := d.TLP.String()
	kind := d.Kind
	if kind == "" {
		kind = "object"
	}
	switch d.Code {
	case CodeOwner:
		return fmt.Sprintf("your organisation owns this %s (%s)", kind, level)
	case CodeClear:
		return "TLP:CLEAR: anyone may see it, also without logging in"
	case CodeShared:
		switch d.Via {
		case ViaUser:
			return "shared with you by name under " + level
		case ViaOrg:
			return "shared with your organisation under " + level
		case ViaCircle:
			return fmt.Sprintf("shared with your circle %s under %s", d.Param, level)
		case ViaSector:
			return fmt.Sprintf("shared with your sector %s under %s", d.Param, level)
		case ViaCommunity:
			return "shared with the whole community under " + level
		}
		return "shared with you under " + level
	case CodeOfficeRole:
		return fmt.Sprintf("your office role %s covers %s objects (%s)", d.Param, kind, level)
	case CodeDraft:
		return fmt.Sprintf("this %s is an unpublished draft; only its owner sees it", kind)
	case CodeOfficeDraft:
		return fmt.Sprintf("this is a draft of the office; only its author and the office roles that work on %s objects see it", kind)
	case CodeTokenKind:
		return fmt.Sprintf("%s objects are not served to API tokens", kind)
	case CodeTokenScope:
		return fmt.Sprintf("this API token lacks the scope %s", d.Param)
	case CodeOrgPending:
		return "your organisation's membership is still pending; until it is active you see only TLP:CLEAR information"
	case CodeOrgSuspended:
		return "your organisation is suspended and sees only TLP:CLEAR information"
	case CodeOrgTerminated:
		return "your organisation's membership has ended; it sees only TLP:CLEAR information"
	case CodeOrgNotActive:
		return "your organisation is not an active member; it sees only TLP:CLEAR information"
	case CodeTLPUnknown:
		return "this object has no valid TLP level, so only its owner sees it"
	case CodePublic:
		return fmt.Sprintf("%s information is for logged-in members only", level)
	case CodeAgreement:
		return "your organisation has not accepted the current agreement on the handling of confidential information; until it does, you see only TLP:CLEAR information"
	case CodeRedNotNamed:
		return "TLP:RED: only the people named on it may see it"
	case CodeRedToken:
		return "TLP:RED information is for named people only and is never served to API tokens"
	case CodeAmberCommunity:
		return "TLP:AMBER goes to named recipients only, and the community as a whole is not one"
	case CodeAmberStrict:
		return fmt.Sprintf("TLP:AMBER+STRICT goes to named organisations only; being in %s %s is not enough", d.Via, d.Param)
	case CodeAudienceEmpty:
		return fmt.Sprintf("this %s has no audience, so it reaches nobody beyond its owner", kind)
	case CodeAudienceNotIncl:
		return fmt.Sprintf("this %s is not shared with you, your organisation, its sectors or its circles", kind)
	case CodeDesignationMissing:
		return "this is confidential information, which goes only to organisations with a valid designation, and yours has none"
	case CodeDesignationCat:
		return fmt.Sprintf("this is confidential information, and your organisation's designation as %s is not a category that may receive it", d.Param)
	case CodeDesignationNotYet:
		return fmt.Sprintf("this is confidential information, and your organisation's designation as %s is not valid yet", d.Param)
	case CodeDesignationExpired:
		return fmt.Sprintf("this is confidential information, and your organisation's designation as %s has expired", d.Param)
	case CodeDesignationRevoked:
		return fmt.Sprintf("this is confidential information, and your organisation's designation as %s has been revoked", d.Param)
	case CodeNotSectorWide:
		return "this information can be traced to persons or organisations; only CSIRTs designated for a whole sector receive it"
	case CodeISPPurpose:
		return "your organisation receives confidential information as an internet access provider, only to inform its users, and this object is not for that purpose"
	}
	if d.Allow {
		return "allowed (" + string(d.Code) + ")"
	}
	return "not allowed (" + string(d.Code) + ")"
}
