package incident

import (
	"slices"

	"github.com/verbund/verbund"
)

// The Reference Security Incident Taxonomy (RSIT) of the ENISA and
// TF-CSIRT working group, in the machine-readable values its machine tag
// (namespace "rsit") uses: a class ("intrusions") and, within it, a type
// ("system-compromise"). Texts for people are in the catalogue under
// "rsit.<class>" and "rsit.<class>.<type>", with a description under
// "….desc".

// Class is an RSIT class with its incident types, in the taxonomy's order.
type Class struct {
	ID    string
	Types []string
}

// Taxonomy lists every class and type of the RSIT.
var Taxonomy = []Class{
	{"abusive-content", []string{"spam", "harmful-speech", "violence"}},
	{"malicious-code", []string{"infected-system", "c2-server", "malware-distribution", "malware-configuration"}},
	{"information-gathering", []string{"scanner", "sniffing", "social-engineering"}},
	{"intrusion-attempts", []string{"ids-alert", "brute-force", "exploit"}},
	{"intrusions", []string{"privileged-account-compromise", "unprivileged-account-compromise",
		"application-compromise", "system-compromise", "burglary"}},
	{"availability", []string{"dos", "ddos", "misconfiguration", "sabotage", "outage"}},
	{"information-content-security", []string{"unauthorised-information-access",
		"unauthorised-information-modification", "data-loss", "data-leak"}},
	{"fraud", []string{"unauthorised-use-of-resources", "copyright", "masquerade", "phishing"}},
	{"vulnerable", []string{"weak-crypto", "ddos-amplifier", "potentially-unwanted-accessible",
		"information-disclosure", "vulnerable-system"}},
	{"other", []string{"other", "undetermined"}},
	{"test", []string{"test"}},
}

// Classification is one report's place in the taxonomy.
type Classification struct {
	Class string
	Type  string
}

// Key returns the catalogue key of the type: "rsit.intrusions.burglary".
func (c Classification) Key() string { return "rsit." + c.Class + "." + c.Type }

// MachineTag returns the classification as the RSIT machine tag that
// MISP, IntelMQ and other tools exchange: rsit:intrusions="burglary".
func (c Classification) MachineTag() string { return "rsit:" + c.Class + `="` + c.Type + `"` }

// Validate reports whether c names a class and a type of that class.
func (c Classification) Validate() error {
	const op = "incident.Classification"
	i := slices.IndexFunc(Taxonomy, func(k Class) bool { return k.ID == c.Class })
	switch {
	case c.Class == "":
		return verbund.InvalidFields(op, map[string]string{"class": "choose the class of the incident"})
	case i < 0:
		return verbund.InvalidFields(op, map[string]string{"class": "not a class of the Reference Security Incident Taxonomy"})
	case c.Type == "":
		return verbund.InvalidFields(op, map[string]string{"type": "choose the type of the incident"})
	case !slices.Contains(Taxonomy[i].Types, c.Type):
		return verbund.InvalidFields(op, map[string]string{"type": "not a type of the class " + c.Class})
	}
	return nil
}

// Classifications returns every class and type pair, in taxonomy order.
func Classifications() []Classification {
	var out []Classification
	for _, k := range Taxonomy {
		for _, t := range k.Types {
			out = append(out, Classification{k.ID, t})
		}
	}
	return out
}
