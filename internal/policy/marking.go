package policy

import (
	"github.com/verbund/verbund"
)

// PurposeInformUsers is the purpose of information an internet access
// provider may receive in a designated-hub regime: to inform its own users.
const PurposeInformUsers = "inform-own-users"

// Object kinds the default configuration knows. Kinds are plain strings so
// that a new capability can add one without changing this package; a kind
// no token scope is configured for is never served to tokens, and a kind no
// office grant names is seen by office roles only through its audience.
const (
	KindWarning    = "warning"
	KindIncident   = "incident"
	KindIndicator  = "indicator"
	KindSTIX       = "stix"
	KindDocument   = "document"
	KindAssessment = "assessment"
)

// Audience says whom an object is shared with. The parts are a union, and
// which parts count depends on the TLP level (see the package doc): the
// community only for GREEN, sectors and circles up to AMBER, organisations up
// to AMBER+STRICT, named users at every level. An empty audience reaches
// nobody beyond the owner (CLEAR aside).
type Audience struct {
	Community bool     // every active member that accepted the current agreement
	Sectors   []string // sector names
	Circles   []string // circle ids, resolved transitively through Circles
	Orgs      []string // organisation ids
	Users     []string // user ids
}

// IsEmpty reports whether a names nobody.
func (a *Audience) IsEmpty() bool {
	return !a.Community && len(a.Sectors) == 0 && len(a.Circles) == 0 && len(a.Orgs) == 0 && len(a.Users) == 0
}

// Marking is what every information object carries: its TLP level, its
// audience and the flags the legal regime reads.
type Marking struct {
	TLP      TLP
	Audience Audience
	// Confidential marks confidential information in the legal sense: in a
	// designated-hub regime only designated recipients may receive it.
	Confidential bool
	// Identifiable marks information traceable to persons or organisations:
	// in a designated-hub regime only CSIRTs designated for a whole sector
	// may receive it. It implies Confidential.
	Identifiable bool
	// Purpose is what the information may be used for; "" or
	// PurposeInformUsers.
	Purpose string
}

// Object is an information object as the policy sees it: warning, incident
// report, indicator or other STIX object, document, forum post…
type Object struct {
	Kind      string // KindWarning, KindIncident, …
	ID        string
	OwnerOrg  string // the organisation that created or reported it
	CreatedBy string // the user who wrote it; "" when a token or the system did
	Draft     bool   // not yet published or submitted
	Marking   Marking
}

// Validate checks that m is a marking one may store: a known TLP level, an
// audience that fits the level, and consistent flags. It returns an
// *verbund.Error of kind Invalid whose Fields name each problem.
func Validate(m Marking) error {
	fields := validate(&m)
	if len(fields) == 0 {
		return nil
	}
	e := verbund.InvalidFields("policy.Validate", fields)
	e.Code = "marking-invalid"
	return e
}

// ValidateObject validates o's marking and what the object adds: a kind, an
// owner, and — for TLP:RED — its author among the named users, so that
// nobody marks something RED and locks themselves out of it.
func ValidateObject(o *Object) error {
	fields := validate(&o.Marking)
	if fields == nil {
		fields = map[string]string{}
	}
	if o.Kind == "" {
		fields["kind"] = "an object needs a kind"
	}
	if o.OwnerOrg == "" {
		fields["owner_org"] = "an object needs an owning organisation"
	}
	if o.Marking.TLP == Red && o.CreatedBy != "" && !contains(o.Marking.Audience.Users, o.CreatedBy) {
		set(fields, "audience.users", "the author of a TLP:RED object must be among its named users")
	}
	if len(fields) == 0 {
		return nil
	}
	e := verbund.InvalidFields("policy.ValidateObject", fields)
	e.Code = "marking-invalid"
	return e
}

// set records the first problem of a field; later ones would only repeat it.
func set(fields map[string]string, k, v string) {
	if _, ok := fields[k]; !ok {
		fields[k] = v
	}
}

func validate(m *Marking) map[string]string {
	f := map[string]string{}
	a := &m.Audience
	for _, l := range []struct {
		field string
		ids   []string
	}{{"audience.sectors", a.Sectors}, {"audience.circles", a.Circles}, {"audience.orgs", a.Orgs}, {"audience.users", a.Users}} {
		if containsEmpty(l.ids) {
			set(f, l.field, "an entry is empty")
		}
	}
	named := len(a.Sectors) > 0 || len(a.Circles) > 0 || len(a.Orgs) > 0 || len(a.Users) > 0
	switch m.TLP {
	case Clear:
		if m.Confidential {
			set(f, "confidential", "confidential information cannot be TLP:CLEAR")
		}
		if m.Identifiable {
			set(f, "identifiable", "information traceable to persons or organisations cannot be TLP:CLEAR")
		}
	case Green:
		if !a.Community && !named {
			set(f, "audience", "TLP:GREEN needs an audience: the community, sectors, circles, organisations or users")
		}
	case Amber:
		if a.Community {
			set(f, "audience.community", "TLP:AMBER goes to named recipients and the community is not one; use TLP:GREEN for the community")
		}
		if !named {
			set(f, "audience", "TLP:AMBER needs named recipients: sectors, circles, organisations or users")
		}
	case AmberStrict:
		if a.Community {
			set(f, "audience.community", "TLP:AMBER+STRICT goes to named organisations only, not to the community")
		}
		if len(a.Sectors) > 0 {
			set(f, "audience.sectors", "TLP:AMBER+STRICT goes to named organisations only; name them instead of sectors")
		}
		if len(a.Circles) > 0 {
			set(f, "audience.circles", "TLP:AMBER+STRICT goes to named organisations only; name them instead of circles")
		}
		if len(a.Orgs) == 0 && len(a.Users) == 0 {
			set(f, "audience", "TLP:AMBER+STRICT needs named organisations")
		}
	case Red:
		if a.Community || len(a.Sectors) > 0 || len(a.Circles) > 0 || len(a.Orgs) > 0 {
			set(f, "audience", "TLP:RED goes to named users only; remove the community, sectors, circles and organisations")
		}
		if len(a.Users) == 0 {
			set(f, "audience.users", "TLP:RED needs at least one named user")
		}
	default:
		set(f, "tlp", "choose a TLP level: CLEAR, GREEN, AMBER, AMBER+STRICT or RED")
	}
	if m.Identifiable && !m.Confidential {
		set(f, "confidential", "information traceable to persons or organisations is confidential; mark it confidential too")
	}
	if m.Purpose != "" && m.Purpose != PurposeInformUsers {
		set(f, "purpose", "unknown purpose "+quote(m.Purpose)+"; leave it empty or use "+PurposeInformUsers)
	}
	if len(f) == 0 {
		return nil
	}
	return f
}

func containsEmpty(ids []string) bool {
	for _, id := range ids {
		if id == "" {
			return true
		}
	}
	return false
}
