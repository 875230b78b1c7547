package sharing

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/policy"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

const report = `{
  "title": "Ransomware bei Stadtwerken",
  "reporter_org": "org-123",
  "reporter_name": "Klaus Terhorst",
  "reporter_email": "klaus@stadtwerke.example",
  "summary": "Verschlüsselung der Leitstelle; Rückfragen an klaus@stadtwerke.example oder +49 5931 555 210. Indikator 203.0.113.7.",
  "affected_hosts": ["leitstelle-01.stadtwerke.example"],
  "rsit": "malicious-code/ransomware",
  "started": "2026-11-20T03:12:00Z"
}`

func TestSanitiseIncident(t *testing.T) {
	s := NewSanitiser(DefaultRules(), []byte("installation key"))
	orig := decode(t, report)
	before := decode(t, report)
	got, applied := s.Sanitise(policy.KindIncident, orig)

	if !reflect.DeepEqual(orig, before) {
		t.Fatal("Sanitise changed the original document")
	}
	for _, gone := range []string{"reporter_name", "reporter_email", "affected_hosts"} {
		if _, ok := got[gone]; ok {
			t.Errorf("%s was not removed", gone)
		}
	}
	p, _ := got["reporter_org"].(string)
	if !strings.HasPrefix(p, "pseudonym-") || strings.Contains(p, "org-123") {
		t.Errorf("reporter_org = %q, want a pseudonym", p)
	}
	summary := got["summary"].(string)
	if strings.Contains(summary, "klaus@") || strings.Contains(summary, "555 210") {
		t.Errorf("summary still identifies the reporter: %q", summary)
	}
	if !strings.Contains(summary, "203.0.113.7") || !strings.Contains(summary, "Leitstelle") {
		t.Errorf("scrubbing removed what analysts need: %q", summary)
	}
	if got["rsit"] != "malicious-code/ransomware" || got["started"] != "2026-11-20T03:12:00Z" {
		t.Error("fields without rules changed")
	}
	want := []string{"affected_hosts", "reporter_email", "reporter_name", "reporter_org", "summary"}
	if !reflect.DeepEqual(applied, want) {
		t.Errorf("applied = %v, want %v", applied, want)
	}
}

func TestPseudonymsAreStableAndKeyed(t *testing.T) {
	a := NewSanitiser(DefaultRules(), []byte("key one"))
	b := NewSanitiser(DefaultRules(), []byte("key two"))
	d1, _ := a.Sanitise(policy.KindIncident, map[string]any{"reporter_org": "org-1"})
	d2, _ := a.Sanitise(policy.KindIncident, map[string]any{"reporter_org": "org-1"})
	d3, _ := a.Sanitise(policy.KindIncident, map[string]any{"reporter_org": "org-2"})
	d4, _ := b.Sanitise(policy.KindIncident, map[string]any{"reporter_org": "org-1"})
	if d1["reporter_org"] != d2["reporter_org"] {
		t.Error("the same reporter gets different pseudonyms")
	}
	if d1["reporter_org"] == d3["reporter_org"] {
		t.Error("two reporters share a pseudonym")
	}
	if d1["reporter_org"] == d4["reporter_org"] {
		t.Error("pseudonyms do not depend on the installation's key")
	}
}

func TestSanitiseArrays(t *testing.T) {
	s := NewSanitiser(Rules{"x": {{"refs[*].contact", Remove}, {"refs[*].note", Scrub}, {"tags", Pseudonymise}}}, []byte("k"))
	got, applied := s.Sanitise("x", decode(t, `{"refs":[{"contact":"a@b.example","note":"call +49 30 1234567"},{"note":"nothing"}],"tags":["a","b"]}`))
	refs := got["refs"].([]any)
	if _, ok := refs[0].(map[string]any)["contact"]; ok {
		t.Error("refs[0].contact not removed")
	}
	if n := refs[0].(map[string]any)["note"]; n != "call [phone removed]" {
		t.Errorf("refs[0].note = %q", n)
	}
	if len(got["tags"].([]any)) != 2 {
		t.Error("pseudonymised list lost elements")
	}
	want := []string{"refs[0].contact", "refs[0].note", "tags"}
	if !reflect.DeepEqual(applied, want) {
		t.Errorf("applied = %v, want %v", applied, want)
	}
}

func TestPrepareRelay(t *testing.T) {
	s := NewSanitiser(DefaultRules(), []byte("k"))
	ceiling := policy.Marking{TLP: policy.Green, Confidential: true, Identifiable: true, Audience: policy.Audience{Sectors: []string{"energy", "water"}}}
	for _, c := range []struct {
		name    string
		kind    string
		derived policy.Marking
		code    string // "" when the relay is allowed
	}{
		{"the same audience, sanitised, may drop identifiable", policy.KindIncident,
			policy.Marking{TLP: policy.Green, Confidential: true, Audience: policy.Audience{Sectors: []string{"energy", "water"}}}, ""},
		{"a narrower audience and a stricter level", policy.KindIncident,
			policy.Marking{TLP: policy.Amber, Confidential: true, Audience: policy.Audience{Sectors: []string{"water"}}}, ""},
		{"another sector than the reporter allowed widens", policy.KindIncident,
			policy.Marking{TLP: policy.Green, Confidential: true, Audience: policy.Audience{Sectors: []string{"finance"}}}, "relay-widens"},
		{"the whole community widens", policy.KindIncident,
			policy.Marking{TLP: policy.Green, Confidential: true, Audience: policy.Audience{Community: true}}, "relay-widens"},
		{"a wider level widens", policy.KindIncident,
			policy.Marking{TLP: policy.Clear}, "relay-widens"},
		{"dropping confidential widens", policy.KindIncident,
			policy.Marking{TLP: policy.Green, Audience: policy.Audience{Sectors: []string{"energy"}}}, "relay-widens"},
		{"a kind without rules cannot shed identifiable", "document",
			policy.Marking{TLP: policy.Green, Confidential: true, Audience: policy.Audience{Sectors: []string{"energy"}}}, "relay-not-sanitisable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := s.Prepare(RelayPlan{Kind: c.kind, ID: "obj-1", Ceiling: ceiling, Derived: c.derived, Document: decode(t, report)})
			if c.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if r.SourceID != "obj-1" || r.SourceKind != c.kind || r.Document["reporter_name"] != nil {
					t.Errorf("relayed %+v", r)
				}
				return
			}
			if got := verbund.ErrorCode(err); got != c.code {
				t.Fatalf("code %q (%v), want %q", got, err, c.code)
			}
		})
	}
}

func FuzzScrub(f *testing.F) {
	f.Add("mail me at a.b@c.example or +49 30 1234567")
	f.Add("version 1.2.3 from 2026-11-23")
	f.Fuzz(func(t *testing.T, s string) {
		out := scrub(s)
		if emailPattern.MatchString(out) {
			t.Fatalf("an e-mail address survived: %q → %q", s, out)
		}
	})
}
