package policy

import (
	"slices"
	"testing"

	"github.com/verbund/verbund"
)

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"a hub that may pass confidential information to nobody is refused", func(c *Config) { c.Regime = Regime{Mode: DesignatedHub} }},
		{"an unknown regime is refused", func(c *Config) { c.Regime.Mode = 7 }},
		{"an unknown category is refused", func(c *Config) { c.Regime = Regime{Mode: DesignatedHub, Confidential: []Category{9}} }},
		{"a read scope for no kind is refused", func(c *Config) { c.ReadScopes[""] = "x:read" }},
		{"an empty read scope is refused", func(c *Config) { c.ReadScopes["forum"] = "" }},
		{"a grant to an unknown role is refused", func(c *Config) { c.OfficeGrants = append(c.OfficeGrants, OfficeGrant{Role: 3, Kind: "x"}) }},
		{"a grant for no kind is refused", func(c *Config) { c.OfficeGrants = append(c.OfficeGrants, OfficeGrant{Role: RoleAnalyst}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			if _, err := New(c); !verbund.IsKind(err, verbund.Invalid) {
				t.Errorf("New = %v, want an Invalid error", err)
			}
		})
	}
	t.Run("the policy keeps its own copy of the scopes", func(t *testing.T) {
		c := DefaultConfig()
		p := mustPolicy(t, c)
		delete(c.ReadScopes, KindWarning)
		if s, ok := p.ReadScope(KindWarning); !ok || s != "warnings:read" {
			t.Errorf("ReadScope(warning) = %q, %v after the caller changed its map", s, ok)
		}
	})
}

func TestRoles(t *testing.T) {
	rs := RolesOf("analyst", "org-admin", "publisher", "nonsense")
	if !rs.Has(RoleAnalyst) || !rs.Has(RolePublisher) || rs.Has(RoleOfficeAdmin) || rs.Has(0) {
		t.Errorf("RolesOf = %b", rs)
	}
	for _, n := range roleNames {
		if r, ok := ParseRole(n.r.String()); !ok || r != n.r {
			t.Errorf("role %s does not round-trip", n.name)
		}
	}
	for c := CategoryOKTT; c <= CategoryISP; c++ {
		if got, err := ParseCategory(c.String()); err != nil || got != c {
			t.Errorf("category %v does not round-trip: %v, %v", c, got, err)
		}
	}
	if _, err := ParseCategory("csirt"); !verbund.IsKind(err, verbund.Invalid) {
		t.Errorf("ParseCategory(csirt) = %v", err)
	}
}

type warning struct {
	Title string
	Obj   Object
}

func TestFilter(t *testing.T) {
	p := openPolicy(t)
	v := member("u-e1", "energy-org", "energy")
	mk := func(id string, m Marking) Object {
		o := object(KindWarning, m)
		o.ID = id
		return o
	}
	objs := []Object{
		mk("clear", Marking{TLP: Clear}),
		mk("finance", Marking{TLP: Amber, Audience: Audience{Sectors: []string{"finance"}}}),
		mk("energy", Marking{TLP: Amber, Audience: Audience{Sectors: []string{"energy"}}}),
		mk("red", Marking{TLP: Red, Audience: Audience{Users: []string{"u-author"}}}),
		mk("community", Marking{TLP: Green, Audience: Audience{Community: true}}),
	}
	t.Run("a member of the energy sector gets the warnings for it, in order", func(t *testing.T) {
		got := p.Filter(&v, slices.Clone(objs), now)
		var ids []string
		for _, o := range got {
			ids = append(ids, o.ID)
		}
		if want := []string{"clear", "energy", "community"}; !slices.Equal(ids, want) {
			t.Errorf("Filter kept %v, want %v", ids, want)
		}
	})
	t.Run("a read path filters its own type the same way", func(t *testing.T) {
		ws := make([]warning, len(objs))
		for i, o := range objs {
			ws[i] = warning{Title: "about " + o.ID, Obj: o}
		}
		got := FilterFunc(p, &v, ws, func(w *warning) *Object { return &w.Obj }, now)
		var titles []string
		for _, w := range got {
			titles = append(titles, w.Title)
		}
		if want := []string{"about clear", "about energy", "about community"}; !slices.Equal(titles, want) {
			t.Errorf("FilterFunc kept %v, want %v", titles, want)
		}
	})
	t.Run("a visitor gets only the public warning", func(t *testing.T) {
		got := p.Filter(&Viewer{}, slices.Clone(objs), now)
		if len(got) != 1 || got[0].ID != "clear" {
			t.Errorf("Filter kept %v", got)
		}
	})
}
