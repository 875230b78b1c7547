package demo_test

import (
	"encoding/json"
	"testing"

	"github.com/verbund/verbund/internal/demo"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The demo's threat intelligence: two collections, the alliance's with
// every kind of object the pages show, members' sightings attributed and
// anonymous, and the circle's at TLP:AMBER.
func TestSeedIntel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		st := demo.Stores{Identity: db.Identity(), Membership: db.Membership(), Designation: db.Designation(), STIX: db.STIX()}
		if _, err := demo.Seed(ctx, st, func(lang, key string, args ...any) string { return key }); err != nil {
			t.Fatalf("seeding: %v", err)
		}
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
	})
}
