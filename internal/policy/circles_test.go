package policy

import (
	"fmt"
	"slices"
	"testing"

	"github.com/verbund/verbund"
)

func circleIDs(s Set) []string { return slices.Collect(s.All()) }

func TestCircles(t *testing.T) {
	t.Run("an organisation is in every circle that contains its circle, transitively", func(t *testing.T) {
		c := mustCircles([]CircleDef{
			{ID: "national", Circles: []string{"energy-isac"}},
			{ID: "energy-isac", Circles: []string{"grid"}, Orgs: []string{"utility"}},
			{ID: "grid", Orgs: []string{"tso"}},
			{ID: "water", Orgs: []string{"waterworks"}},
		})
		if got, want := circleIDs(c.Of("tso")), []string{"energy-isac", "grid", "national"}; !slices.Equal(got, want) {
			t.Errorf("tso is in %v, want %v", got, want)
		}
		if got, want := circleIDs(c.Of("utility")), []string{"energy-isac", "national"}; !slices.Equal(got, want) {
			t.Errorf("utility is in %v, want %v", got, want)
		}
		if got := c.Of("stranger").Len(); got != 0 {
			t.Errorf("an organisation in no circle is in %d", got)
		}
		if got, want := c.Orgs("national"), []string{"tso", "utility"}; !slices.Equal(got, want) {
			t.Errorf("national has %v, want %v", got, want)
		}
	})
	t.Run("cyclic circles terminate and share their members", func(t *testing.T) {
		c := mustCircles([]CircleDef{
			{ID: "a", Circles: []string{"b"}, Orgs: []string{"org-a"}},
			{ID: "b", Circles: []string{"c"}, Orgs: []string{"org-b"}},
			{ID: "c", Circles: []string{"a", "c"}, Orgs: []string{"org-c"}},
		})
		for _, org := range []string{"org-a", "org-b", "org-c"} {
			if got, want := circleIDs(c.Of(org)), []string{"a", "b", "c"}; !slices.Equal(got, want) {
				t.Errorf("%s is in %v, want %v", org, got, want)
			}
		}
	})
	t.Run("a long chain of circles resolves to its end", func(t *testing.T) {
		var defs []CircleDef
		const n = 500
		for i := range n {
			d := CircleDef{ID: fmt.Sprint("c", i)}
			if i+1 < n {
				d.Circles = []string{fmt.Sprint("c", i+1)}
			} else {
				d.Orgs = []string{"deep"}
				d.Circles = []string{"c0"} // and close the loop
			}
			defs = append(defs, d)
		}
		if got := mustCircles(defs).Of("deep").Len(); got != n {
			t.Errorf("deep is in %d circles, want %d", got, n)
		}
	})
	t.Run("a nil Circles has no members", func(t *testing.T) {
		var c *Circles
		if c.Of("x").Len() != 0 || c.Orgs("x") != nil {
			t.Error("nil Circles has members")
		}
	})
	for _, tc := range []struct {
		name string
		defs []CircleDef
	}{
		{"a circle without id is refused", []CircleDef{{Orgs: []string{"x"}}}},
		{"a circle defined twice is refused", []CircleDef{{ID: "a"}, {ID: "a"}}},
		{"a circle containing an unknown circle is refused", []CircleDef{{ID: "a", Circles: []string{"typo"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewCircles(tc.defs); !verbund.IsKind(err, verbund.Invalid) {
				t.Errorf("err = %v, want Invalid", err)
			}
		})
	}
}

func TestSet(t *testing.T) {
	big := make([]string, 100)
	for i := range big {
		big[i] = fmt.Sprint("s", i)
	}
	for _, items := range [][]string{{"b", "a", "b", ""}, big} {
		s := NewSet(items...)
		for _, it := range items {
			if it != "" && !s.Has(it) {
				t.Errorf("set of %d lacks %q", len(items), it)
			}
		}
		if s.Has("") || s.Has("zz") {
			t.Errorf("set of %d has what it was not given", len(items))
		}
	}
	if NewSet("b", "a", "b", "").Len() != 2 {
		t.Error("duplicates or empty ids kept")
	}
}
