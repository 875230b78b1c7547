package sharing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/policy"
)

// Action is what sanitisation does to a field.
type Action string

const (
	// Remove deletes the field.
	Remove Action = "remove"
	// Pseudonymise replaces the value by a stable pseudonym: the same value
	// gets the same pseudonym in every relay of the installation, so
	// analysts can see that two reports came from one reporter without
	// learning who it is.
	Pseudonymise Action = "pseudonymise"
	// Scrub keeps free text but replaces e-mail addresses and telephone
	// numbers in it.
	Scrub Action = "scrub"
)

// FieldRule says what happens to one field of a document. Path is dotted,
// with "[*]" for every element of an array: "reporter.email",
// "affected[*].contact", "external_references[*].description".
type FieldRule struct {
	Path   string
	Action Action
}

// Rules are the sanitisation rules per kind of object. They are
// configuration; DefaultRules is what an installation starts with.
type Rules map[string][]FieldRule

// DefaultRules remove or pseudonymise what identifies a reporter or a
// victim in the kinds of object the office relays.
func DefaultRules() Rules {
	return Rules{
		policy.KindIncident: {
			{"reporter_org", Pseudonymise}, {"reporter_org_name", Remove},
			{"reporter_name", Remove}, {"reporter_email", Remove}, {"reporter_phone", Remove},
			{"contact", Remove}, {"victims", Remove}, {"affected_hosts", Remove},
			{"attachments", Remove}, {"follow_up_secret", Remove},
			{"title", Scrub}, {"summary", Scrub}, {"description", Scrub}, {"impact", Scrub},
		},
		policy.KindSTIX: {
			{"created_by_ref", Pseudonymise}, {"where_sighted_refs", Remove}, {"observed_data_refs", Remove},
			{"sighting_of_ref", Pseudonymise}, {"x_verbund_reporter", Remove},
			{"description", Scrub}, {"name", Scrub}, {"external_references[*].description", Scrub},
		},
		policy.KindIndicator: {
			{"created_by_ref", Pseudonymise}, {"description", Scrub},
		},
	}
}

// Sanitiser applies rules with a keyed pseudonym function.
type Sanitiser struct {
	rules Rules
	key   []byte
}

// NewSanitiser returns a sanitiser with rules; key keeps pseudonyms secret
// and stable (the installation's secret, never logged).
func NewSanitiser(rules Rules, key []byte) *Sanitiser {
	return &Sanitiser{rules: rules, key: key}
}

// Covers reports whether there are sanitisation rules for kind: only then
// can a relay of that kind be made non-identifiable.
func (s *Sanitiser) Covers(kind string) bool { return len(s.rules[kind]) > 0 }

// pseudonym returns the stable pseudonym of value within field.
func (s *Sanitiser) pseudonym(field, value string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(field))
	m.Write([]byte{0})
	m.Write([]byte(value))
	sum := m.Sum(nil)
	return "pseudonym-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

var (
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	// Telephone numbers: an optional +, then at least 7 digits with the
	// usual separators; dates and version numbers are too short to match.
	phonePattern = regexp.MustCompile(`(?:\+|\b0)\d[\d /().\-]{6,}\d`)
)

// scrub replaces e-mail addresses and telephone numbers in text.
func scrub(text string) string {
	text = emailPattern.ReplaceAllString(text, "[e-mail removed]")
	return phonePattern.ReplaceAllString(text, "[phone removed]")
}

// Sanitise returns a sanitised deep copy of doc (a decoded JSON object) for
// kind, and the paths it changed, sorted. doc itself is not changed.
func (s *Sanitiser) Sanitise(kind string, doc map[string]any) (map[string]any, []string) {
	out := deepCopy(doc).(map[string]any)
	var applied []string
	for _, r := range s.rules[kind] {
		for _, p := range apply(out, strings.Split(r.Path, "."), r, s, "") {
			applied = append(applied, p)
		}
	}
	sort.Strings(applied)
	return out, applied
}

// apply runs rule r on the path segments below node and returns the
// concrete paths it changed.
func apply(node map[string]any, segs []string, r FieldRule, s *Sanitiser, prefix string) []string {
	name, each := strings.CutSuffix(segs[0], "[*]")
	v, ok := node[name]
	if !ok {
		return nil
	}
	here := prefix + name
	if each {
		list, ok := v.([]any)
		if !ok {
			return nil
		}
		var changed []string
		for i, el := range list {
			elPath := here + "[" + itoa(i) + "]"
			if len(segs) == 1 {
				if nv, ok := act(el, r, s, elPath); ok {
					list[i] = nv
					changed = append(changed, elPath)
				}
				continue
			}
			if m, ok := el.(map[string]any); ok {
				changed = append(changed, apply(m, segs[1:], r, s, elPath+".")...)
			}
		}
		if len(segs) == 1 && r.Action == Remove {
			delete(node, name)
			return []string{here}
		}
		return changed
	}
	if len(segs) > 1 {
		if m, ok := v.(map[string]any); ok {
			return apply(m, segs[1:], r, s, here+".")
		}
		return nil
	}
	if r.Action == Remove {
		delete(node, name)
		return []string{here}
	}
	if nv, ok := act(v, r, s, here); ok {
		node[name] = nv
		return []string{here}
	}
	return nil
}

// act transforms one value; ok is false when nothing changed.
func act(v any, r FieldRule, s *Sanitiser, path string) (any, bool) {
	switch r.Action {
	case Pseudonymise:
		switch x := v.(type) {
		case string:
			return s.pseudonym(r.Path, x), true
		case []any:
			out := make([]any, len(x))
			for i, el := range x {
				b, _ := json.Marshal(el)
				out[i] = s.pseudonym(r.Path, string(b))
			}
			return out, true
		default:
			b, _ := json.Marshal(x)
			return s.pseudonym(r.Path, string(b)), true
		}
	case Scrub:
		if x, ok := v.(string); ok {
			if y := scrub(x); y != x {
				return y, true
			}
		}
	}
	return v, false
}

// RelayPlan is what the office asks for: an object of Kind and ID, its
// Ceiling (the widest marking its owner allowed for sanitised onward
// sharing), and the marking the derived object is to carry.
type RelayPlan struct {
	Kind, ID string
	Ceiling  policy.Marking
	Derived  policy.Marking
	Document map[string]any
}

// Relayed is a sanitised derived document with its provenance.
type Relayed struct {
	Document   map[string]any
	Marking    policy.Marking
	Applied    []string // the fields sanitisation changed
	SourceKind string   // provenance: the original's kind and id
	SourceID   string
}

// Prepare sanitises a relay and checks its marking. The derived marking may
// not reach anybody the ceiling does not: a relay that would give some viewer
// more than the owner allowed is refused with the fields that widen. Because
// sanitisation removes what identifies reporters and victims, the derived
// object need not keep the identifiable flag when rules for its kind exist.
func (s *Sanitiser) Prepare(plan RelayPlan) (Relayed, error) {
	const op = "sharing.Prepare"
	if plan.Kind == "" || plan.ID == "" {
		return Relayed{}, verbund.InvalidFields(op, map[string]string{"object": "name the object to relay"})
	}
	ceiling := plan.Ceiling
	if s.Covers(plan.Kind) {
		ceiling.Identifiable = false
	} else if plan.Derived.Identifiable != ceiling.Identifiable {
		return Relayed{}, &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "relay-not-sanitisable",
			Msg: "there are no sanitisation rules for objects of kind " + plan.Kind + "; it cannot be relayed without its identifiable flag"}
	}
	if err := policy.CheckRelay(ceiling, plan.Derived); err != nil {
		return Relayed{}, err
	}
	doc, applied := s.Sanitise(plan.Kind, plan.Document)
	return Relayed{Document: doc, Marking: plan.Derived, Applied: applied, SourceKind: plan.Kind, SourceID: plan.ID}, nil
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}
