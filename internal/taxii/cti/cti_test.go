package cti

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/policy"
)

func TestFormatTimestamp(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2016, 5, 12, 8, 17, 27, 0, time.UTC):                      "2016-05-12T08:17:27.000Z",
		time.Date(2016, 5, 12, 8, 17, 27, 123000000, time.UTC):              "2016-05-12T08:17:27.123Z",
		time.Date(2016, 5, 12, 8, 17, 27, 123456789, time.UTC):              "2016-05-12T08:17:27.123456Z",
		time.Date(2016, 5, 12, 10, 17, 27, 0, time.FixedZone("CEST", 7200)): "2016-05-12T08:17:27.000Z",
	} {
		if got := FormatTimestamp(in); got != want {
			t.Errorf("FormatTimestamp(%v) = %s, want %s", in, got, want)
		}
	}
	if got := FormatDateAdded(time.Date(2016, 5, 12, 8, 17, 27, 0, time.UTC)); got != "2016-05-12T08:17:27.000000Z" {
		t.Errorf("FormatDateAdded = %s", got)
	}
}

// narrow never widens: every part it keeps was in the marking, and what it
// keeps passes Validate whenever anybody remains.
func TestNarrow(t *testing.T) {
	full := policy.Audience{Community: true, Sectors: []string{"energy"}, Circles: []string{"c"}, Orgs: []string{"o"}, Users: []string{"u"}}
	for tlp, want := range map[policy.TLP]policy.Audience{
		policy.Clear:       full,
		policy.Green:       full,
		policy.Amber:       {Sectors: []string{"energy"}, Circles: []string{"c"}, Orgs: []string{"o"}, Users: []string{"u"}},
		policy.AmberStrict: {Orgs: []string{"o"}, Users: []string{"u"}},
		policy.Red:         {Users: []string{"u"}},
	} {
		m := narrow(policy.Marking{TLP: tlp, Audience: full})
		if a := m.Audience; a.Community != want.Community || len(a.Sectors) != len(want.Sectors) ||
			len(a.Circles) != len(want.Circles) || len(a.Orgs) != len(want.Orgs) || len(a.Users) != len(want.Users) {
			t.Errorf("%s: %+v, want %+v", tlp, a, want)
		}
		if err := policy.Validate(m); err != nil {
			t.Errorf("%s: narrowed marking is not valid: %v", tlp, err)
		}
	}
	m := narrow(policy.Marking{TLP: policy.Red, Audience: policy.Audience{Community: true}})
	if !m.Audience.IsEmpty() || policy.Validate(m) == nil {
		t.Errorf("RED for the community narrows to %+v and is not refused", m.Audience)
	}
}

func TestDescribeAndPeek(t *testing.T) {
	err := &verbund.Error{Kind: verbund.Invalid, Msg: "bad", Fields: map[string]string{"b": "is wrong", "a": "is missing"}}
	if got := describe("refused", err); got != "refused: a is missing; b is wrong" {
		t.Errorf("describe = %q", got)
	}
	if got := describe("refused", errors.New("secret internals")); strings.Contains(got, "secret") {
		t.Errorf("describe reveals an internal error: %q", got)
	}
	if got := describe("x", &verbund.Error{Kind: verbund.Invalid, Fields: map[string]string{"f": strings.Repeat("é", 900)}}); len(got) > 1004 {
		t.Errorf("describe is %d bytes long", len(got))
	}
	d := peek([]byte(`{"id":"indicator--x","created":"2020-01-01T00:00:00Z","modified":7}`))
	if d.ID != "indicator--x" || d.Version != "2020-01-01T00:00:00Z" {
		t.Errorf("peek = %+v", d)
	}
	if d := peek([]byte(`[1,2`)); d != (StatusDetail{}) {
		t.Errorf("peek of no object = %+v", d)
	}
}

func TestValidAlias(t *testing.T) {
	for alias, want := range map[string]bool{"indicators": true, "energy-2026": true, "": false, "Energy": false,
		"a b": false, "a/b": false, strings.Repeat("a", 65): false} {
		if validAlias(alias) != want {
			t.Errorf("validAlias(%q) = %v", alias, !want)
		}
	}
}
