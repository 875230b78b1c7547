package demo_test

import (
	"encoding/json"
	"testing"

	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// checkIntel checks the demo's threat intelligence, seeded by TestSeed:
// two collections, the alliance's with every kind of object the pages
// show, members' sightings attributed and anonymous.
func checkIntel(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	cs, err := db.STIX().STIXCollections(ctx)
	if err != nil || len(cs) != 2 {
		t.Fatalf("collections: %d, %v", len(cs), err)
	}
	types := map[string]int{}
	attributed, anonymous := 0, 0
	for _, c := range cs {
		vs, err := db.STIX().ScanSTIX(ctx, c.ID, cti.Filter{}, 0, 1000, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			types[v.Type]++
			if v.Type != "sighting" {
				continue
			}
			var s map[string]any
			if err := json.Unmarshal(v.Raw, &s); err != nil {
				t.Fatal(err)
			}
			if _, named := s["created_by_ref"]; named {
				attributed++
			} else if _, where := s["where_sighted_refs"]; !where {
				anonymous++
			}
		}
	}
	for _, typ := range []string{"indicator", "malware", "attack-pattern", "relationship", "identity"} {
		if types[typ] == 0 {
			t.Errorf("the demo has no %s: %v", typ, types)
		}
	}
	if attributed == 0 || anonymous == 0 {
		t.Errorf("sightings: %d attributed, %d anonymous; want both", attributed, anonymous)
	}
}
