package stix

import (
	"testing"

	"github.com/verbund/verbund"
)

// TestTLPMarkingIDs pins every fixed TLP marking-definition id to its level:
// the TLP 1.0 ids of STIX 2.1 section 7.2.1.4 and the TLP 2.0 ids of the
// OASIS TLP 2.0 extension. A typo here would mislabel shared intelligence.
func TestTLPMarkingIDs(t *testing.T) {
	want := map[string]string{
		"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "CLEAR", // TLP:WHITE
		"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "GREEN",
		"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "AMBER",
		"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "RED",
		"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "CLEAR",
		"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "GREEN",
		"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "AMBER",
		"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "AMBER+STRICT",
		"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "RED",
	}
	for id, level := range want {
		if got, ok := TLPLevel(id); !ok || got != level {
			t.Errorf("TLPLevel(%s) = %q, %v; want %q", id, got, ok, level)
		}
		if _, _, err := ParseID(id); err != nil {
			t.Errorf("%s is not a valid identifier: %v", id, err)
		}
	}
	if len(tlpMarkings) != len(want) {
		t.Errorf("%d TLP markings known, want %d", len(tlpMarkings), len(want))
	}
	for level, id := range map[string]string{TLPClear: TLP2Clear, TLPGreen: TLP2Green, TLPAmber: TLP2Amber, TLPAmberStrict: TLP2AmberStrict, TLPRed: TLP2Red} {
		if got, ok := TLPMarkingID(level); !ok || got != id {
			t.Errorf("TLPMarkingID(%s) = %s, want %s", level, got, id)
		}
	}
	if _, ok := TLPMarkingID("WHITE"); ok {
		t.Error("WHITE has no TLP 2.0 marking")
	}
}

func TestTLPOf(t *testing.T) {
	const statement = "marking-definition--5a2d4c6e-8f1b-4d3a-9c5e-7b1d3f5a7c9e"
	tests := []struct {
		name     string
		refs     []string
		granular []string
		level    string
		ok       bool
		problem  bool
	}{
		{"none", nil, nil, "", false, false},
		{"only a statement", []string{statement}, nil, "", false, false},
		{"TLP 1.0 white is CLEAR", []string{TLP1White}, nil, TLPClear, true, false},
		{"TLP 2.0 clear", []string{TLP2Clear}, nil, TLPClear, true, false},
		{"TLP 2.0 green and a statement", []string{statement, TLP2Green}, nil, TLPGreen, true, false},
		{"white and clear agree", []string{TLP1White, TLP2Clear}, nil, TLPClear, true, false},
		{"amber 1.0 and 2.0 agree", []string{TLP1Amber, TLP2Amber}, nil, TLPAmber, true, false},
		{"amber+strict", []string{TLP2AmberStrict}, nil, TLPAmberStrict, true, false},
		{"red 1.0", []string{TLP1Red}, nil, TLPRed, true, false},
		{"green and red conflict, red wins", []string{TLP2Green, TLP1Red}, nil, TLPRed, true, true},
		{"amber and amber+strict conflict", []string{TLP2AmberStrict, TLP1Amber}, nil, TLPAmberStrict, true, true},
		{"granular red narrows green", []string{TLP2Green}, []string{TLP2Red}, TLPRed, true, true},
		{"granular only", nil, []string{TLP1Green}, TLPGreen, true, false},
		{"malformed reference", []string{TLP2Green, "identity--0f7a3c1e-5d2b-4c8e-9a61-2b7d4e8f1c35"}, nil, TLPGreen, true, true},
		{"only a malformed reference", []string{"TLP:RED"}, nil, "", false, true},
	}
	for _, tc := range tests {
		obj := Object{ObjectMarkingRefs: tc.refs}
		for _, g := range tc.granular {
			obj.GranularMarkings = append(obj.GranularMarkings, GranularMarking{MarkingRef: g, Selectors: []string{"description"}})
		}
		level, ok, err := TLPOf(obj)
		if level != tc.level || ok != tc.ok {
			t.Errorf("%s: TLPOf = %q, %v; want %q, %v", tc.name, level, ok, tc.level, tc.ok)
		}
		if tc.problem != (err != nil) {
			t.Errorf("%s: err = %v, want a problem reported: %v", tc.name, err, tc.problem)
		}
		if err != nil && (!verbund.IsKind(err, verbund.Invalid) || verbund.ErrorFields(err)["object_marking_refs"] == "") {
			t.Errorf("%s: err %v is not Invalid with an object_marking_refs field", tc.name, err)
		}
	}
}

// TestTLPOfParsedObject reads the level from a parsed document, as callers do.
func TestTLPOfParsedObject(t *testing.T) {
	obj, err := Parse([]byte(`{"type":"domain-name","id":"domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5","value":"example.com",
		"object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if level, ok, err := TLPOf(obj); level != TLPAmber || !ok || err != nil {
		t.Errorf("TLPOf = %q, %v, %v; want AMBER", level, ok, err)
	}
}

// TestTLPMarkingDefinitions accepts each fixed definition as STIX publishes it.
func TestTLPMarkingDefinitions(t *testing.T) {
	v1 := func(id, name, tlp string) string {
		return `{"type":"marking-definition","spec_version":"2.1","id":"` + id + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"` + name + `","definition":{"tlp":"` + tlp + `"}}`
	}
	v2 := func(id, name, tlp string) string {
		return `{"type":"marking-definition","spec_version":"2.1","id":"` + id + `","created":"2022-10-01T00:00:00.000Z","name":"` + name + `","extensions":{"` + TLP2Extension + `":{"extension_type":"property-extension","tlp_2_0":"` + tlp + `"}}}`
	}
	docs := []string{
		v1(TLP1White, "TLP:WHITE", "white"), v1(TLP1Green, "TLP:GREEN", "green"), v1(TLP1Amber, "TLP:AMBER", "amber"), v1(TLP1Red, "TLP:RED", "red"),
		v2(TLP2Clear, "TLP:CLEAR", "clear"), v2(TLP2Green, "TLP:GREEN", "green"), v2(TLP2Amber, "TLP:AMBER", "amber"),
		v2(TLP2AmberStrict, "TLP:AMBER+STRICT", "amber+strict"), v2(TLP2Red, "TLP:RED", "red"),
	}
	for _, d := range docs {
		if _, err := Parse([]byte(d)); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
	// A TLP 1.0 id dressed as TLP 2.0, and the reverse, are refused.
	for _, d := range []string{v2(TLP1Red, "TLP:RED", "red"), v1(TLP2Red, "TLP:RED", "red"), v1(TLP1Green, "TLP:AMBER", "green")} {
		if _, err := Parse([]byte(d)); err == nil {
			t.Errorf("accepted %s", d)
		}
	}
}

// TestTLP1IDWithOtherDefinition refuses a TLP 1.0 id carrying a statement.
func TestTLP1IDWithOtherDefinition(t *testing.T) {
	_, err := Parse([]byte(`{"type":"marking-definition","spec_version":"2.1","id":"` + TLP1White + `","created":"2017-01-20T00:00:00.000Z",
		"definition_type":"statement","definition":{"statement":"public"}}`))
	if f := verbund.ErrorFields(err); f["definition_type"] == "" {
		t.Errorf("got %v, want definition_type refused", err)
	}
}
