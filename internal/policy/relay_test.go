package policy

import (
	"maps"
	"slices"
	"testing"

	"github.com/verbund/verbund"
)

func TestCheckRelay(t *testing.T) {
	amberEnergy := Marking{TLP: Amber, Audience: Audience{Sectors: []string{"energy"}, Orgs: []string{"a", "b"}, Users: []string{"u1"}},
		Confidential: true}
	for _, tc := range []struct {
		name     string
		original Marking
		derived  Marking
		fields   []string // none: the relay is allowed
	}{
		{"relaying AMBER to the same audience is allowed", amberEnergy, amberEnergy, nil},
		{"relaying AMBER as AMBER+STRICT to one of its organisations is allowed", amberEnergy,
			Marking{TLP: AmberStrict, Audience: Audience{Orgs: []string{"a"}}, Confidential: true}, nil},
		{"relaying AMBER as RED to a named user of the original is allowed", amberEnergy,
			Marking{TLP: Red, Audience: Audience{Users: []string{"u1"}}, Confidential: true, Identifiable: true}, nil},
		{"relaying GREEN for the community as AMBER to any sector is allowed",
			Marking{TLP: Green, Audience: Audience{Community: true}},
			Marking{TLP: Amber, Audience: Audience{Sectors: []string{"finance"}}}, nil},
		{"relaying CLEAR as anything is allowed", Marking{TLP: Clear},
			Marking{TLP: Green, Audience: Audience{Community: true}}, nil},
		{"relaying AMBER as GREEN is refused", amberEnergy,
			Marking{TLP: Green, Audience: amberEnergy.Audience, Confidential: true}, []string{"tlp"}},
		{"relaying AMBER as CLEAR is refused", Marking{TLP: Amber, Audience: Audience{Orgs: []string{"a"}}},
			Marking{TLP: Clear}, []string{"tlp"}},
		{"relaying to another sector is refused", amberEnergy,
			Marking{TLP: Amber, Audience: Audience{Sectors: []string{"energy", "finance"}}, Confidential: true}, []string{"audience.sectors"}},
		{"relaying to another organisation and user is refused", amberEnergy,
			Marking{TLP: Amber, Audience: Audience{Orgs: []string{"c"}, Users: []string{"u9"}}, Confidential: true}, []string{"audience.orgs", "audience.users"}},
		{"relaying to the community is refused", Marking{TLP: Green, Audience: Audience{Sectors: []string{"energy"}}},
			Marking{TLP: Green, Audience: Audience{Community: true}}, []string{"audience.community"}},
		{"dropping the confidential flag is refused", amberEnergy,
			Marking{TLP: Amber, Audience: Audience{Orgs: []string{"a"}}}, []string{"confidential"}},
		{"dropping the identifiable flag is refused",
			Marking{TLP: Amber, Audience: Audience{Orgs: []string{"a"}}, Confidential: true, Identifiable: true},
			Marking{TLP: Amber, Audience: Audience{Orgs: []string{"a"}}, Confidential: true}, []string{"identifiable"}},
		{"adding the ISP purpose is refused, because it lets ISPs in", amberEnergy,
			Marking{TLP: Amber, Audience: Audience{Orgs: []string{"a"}}, Confidential: true, Purpose: PurposeInformUsers}, []string{"purpose"}},
		{"relaying to an organisation the original reached only through a sector is refused", amberEnergy,
			Marking{TLP: AmberStrict, Audience: Audience{Orgs: []string{"energy-org"}}, Confidential: true}, []string{"audience.orgs"}},
		{"relaying an AMBER+STRICT original to a sector it names by mistake is refused",
			Marking{TLP: AmberStrict, Audience: Audience{Sectors: []string{"energy"}, Orgs: []string{"a"}}},
			Marking{TLP: AmberStrict, Audience: Audience{Orgs: []string{"a"}, Users: []string{"u1"}}}, []string{"audience.users"}},
		{"relaying an original without level is refused", Marking{},
			Marking{TLP: Red, Audience: Audience{Users: []string{"u1"}}}, []string{"tlp"}},
		{"an invalid derived marking is refused as invalid", amberEnergy,
			Marking{TLP: Red, Confidential: true}, []string{"audience.users"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckRelay(tc.original, tc.derived)
			got := slices.Sorted(maps.Keys(verbund.ErrorFields(err)))
			if (err == nil) != (tc.fields == nil) || !slices.Equal(got, tc.fields) {
				t.Fatalf("CheckRelay = %v; fields %v, want %v", err, got, tc.fields)
			}
			if err != nil && !verbund.IsKind(err, verbund.Invalid) {
				t.Errorf("kind %v, want Invalid", verbund.ErrorKind(err))
			}
			if w, refused := Widens(tc.original, tc.derived), verbund.ErrorCode(err) == "relay-widens"; w != refused {
				t.Errorf("Widens = %v, but CheckRelay's code is %q", w, verbund.ErrorCode(err))
			}
		})
	}
}
