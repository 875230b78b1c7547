package policy

import (
	"maps"
	"slices"
	"testing"

	"github.com/verbund/verbund"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		m      Marking
		fields []string // the fields the form marks; none: valid
	}{
		{"a public warning is valid", Marking{TLP: Clear}, nil},
		{"a public warning for the energy sector is valid", Marking{TLP: Clear, Audience: Audience{Sectors: []string{"energy"}}}, nil},
		{"a GREEN warning for the community is valid", Marking{TLP: Green, Audience: Audience{Community: true}}, nil},
		{"an AMBER report for a sector and a circle is valid", Marking{TLP: Amber, Audience: Audience{Sectors: []string{"energy"}, Circles: []string{"c1"}}}, nil},
		{"an AMBER+STRICT report for two organisations is valid", Marking{TLP: AmberStrict, Audience: Audience{Orgs: []string{"a", "b"}}}, nil},
		{"a RED note for two people is valid", Marking{TLP: Red, Audience: Audience{Users: []string{"u1", "u2"}}}, nil},
		{"confidential identifiable information for ISPs is valid", Marking{TLP: Amber, Audience: Audience{Orgs: []string{"a"}},
			Confidential: true, Identifiable: true, Purpose: PurposeInformUsers}, nil},

		{"a marking without level is refused", Marking{Audience: Audience{Community: true}}, []string{"tlp"}},
		{"a level beyond RED is refused", Marking{TLP: 6, Audience: Audience{Community: true}}, []string{"tlp"}},
		{"confidential CLEAR is refused", Marking{TLP: Clear, Confidential: true}, []string{"confidential"}},
		{"identifiable CLEAR is refused", Marking{TLP: Clear, Confidential: true, Identifiable: true}, []string{"confidential", "identifiable"}},
		{"GREEN without audience is refused", Marking{TLP: Green}, []string{"audience"}},
		{"AMBER without audience is refused", Marking{TLP: Amber}, []string{"audience"}},
		{"AMBER for the community is refused", Marking{TLP: Amber, Audience: Audience{Community: true}}, []string{"audience", "audience.community"}},
		{"AMBER+STRICT for a sector is refused", Marking{TLP: AmberStrict, Audience: Audience{Sectors: []string{"energy"}, Orgs: []string{"a"}}}, []string{"audience.sectors"}},
		{"AMBER+STRICT for a circle is refused", Marking{TLP: AmberStrict, Audience: Audience{Circles: []string{"c"}}}, []string{"audience", "audience.circles"}},
		{"AMBER+STRICT for the community is refused", Marking{TLP: AmberStrict, Audience: Audience{Community: true, Orgs: []string{"a"}}}, []string{"audience.community"}},
		{"RED without named users is refused", Marking{TLP: Red}, []string{"audience.users"}},
		{"RED for an organisation is refused", Marking{TLP: Red, Audience: Audience{Orgs: []string{"a"}, Users: []string{"u"}}}, []string{"audience"}},
		{"an empty organisation id is refused", Marking{TLP: Amber, Audience: Audience{Orgs: []string{"a", ""}}}, []string{"audience.orgs"}},
		{"an empty user id is refused", Marking{TLP: Red, Audience: Audience{Users: []string{""}}}, []string{"audience.users"}},
		{"identifiable without confidential is refused", Marking{TLP: Amber, Audience: Audience{Orgs: []string{"a"}}, Identifiable: true}, []string{"confidential"}},
		{"an unknown purpose is refused", Marking{TLP: Amber, Audience: Audience{Orgs: []string{"a"}}, Purpose: "marketing"}, []string{"purpose"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.m)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if !verbund.IsKind(err, verbund.Invalid) {
				t.Fatalf("Validate = %v, want an Invalid error", err)
			}
			got := slices.Sorted(maps.Keys(verbund.ErrorFields(err)))
			if !slices.Equal(got, tc.fields) {
				t.Errorf("fields %v, want %v (%v)", got, tc.fields, err)
			}
		})
	}
}

func TestValidateObject(t *testing.T) {
	red := Marking{TLP: Red, Audience: Audience{Users: []string{"u-named"}}}
	for _, tc := range []struct {
		name   string
		o      Object
		fields []string
	}{
		{"a RED note naming its author is valid", object(KindWarning, Marking{TLP: Red, Audience: Audience{Users: []string{"u-author"}}}), nil},
		{"a RED note that locks out its author is refused", object(KindWarning, red), []string{"audience.users"}},
		{"a RED note written by a token needs no author among the named", Object{Kind: KindSTIX, OwnerOrg: "o", Marking: red}, nil},
		{"an object without kind and owner is refused", Object{Marking: Marking{TLP: Clear}}, []string{"kind", "owner_org"}},
		{"an object's bad marking is reported", object(KindWarning, Marking{TLP: Amber}), []string{"audience"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateObject(&tc.o)
			got := slices.Sorted(maps.Keys(verbund.ErrorFields(err)))
			if (err == nil) != (tc.fields == nil) || !slices.Equal(got, tc.fields) {
				t.Errorf("ValidateObject = %v; fields %v, want %v", err, got, tc.fields)
			}
		})
	}
}
