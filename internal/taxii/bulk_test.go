package taxii_test

import (
	"fmt"
	"testing"

	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii"
)

// One envelope mixes objects new to the collection (stored in bulk) with a
// new version of a stored object, an object sent twice, two versions of one
// new object, and a refused one: each gets the outcome it would get alone,
// and first and last versions come out right.
func TestAddMixedEnvelope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAlliance(t, db, taxii.Config{})
		newA, twice, stored, two, red := "indicator--"+uuid4(), "indicator--"+uuid4(), "indicator--"+uuid4(),
			"indicator--"+uuid4(), "indicator--"+uuid4()
		a.post(a.community, "energy", indicator(stored, 1, "", "198.51.100.1"))
		st := a.post(a.community, "energy",
			indicator(newA, 1, "", "198.51.100.2"),
			indicator(twice, 1, "", "198.51.100.3"),
			indicator(stored, 2, "", "198.51.100.1"),
			indicator(two, 3, "", "198.51.100.4"),
			indicator(twice, 1, "", "198.51.100.3"),
			indicator(two, 1, "", "198.51.100.4"),
			indicator(red, 1, stix.TLP2Red, "198.51.100.5"),
		)
		if st.SuccessCount != 6 || st.FailureCount != 1 || st.Failures[0].ID != red {
			t.Fatalf("status: %d successes, failures %+v; want 6 and the RED one", st.SuccessCount, st.Failures)
		}
		objs := objectsPath(a.community)
		for params, want := range map[string][]string{
			"match[version]=all": {stored + "@" + stixTime(1), newA + "@" + stixTime(1), twice + "@" + stixTime(1),
				stored + "@" + stixTime(2), two + "@" + stixTime(3), two + "@" + stixTime(1)},
			"match[version]=last":  {newA + "@" + stixTime(1), twice + "@" + stixTime(1), stored + "@" + stixTime(2), two + "@" + stixTime(3)},
			"match[version]=first": {stored + "@" + stixTime(1), newA + "@" + stixTime(1), twice + "@" + stixTime(1), two + "@" + stixTime(1)},
		} {
			if got := versionsOf(t, a.get(objs+"?"+params, "cert")); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s:\n got %v\nwant %v", params, got, want)
			}
		}
		// The bulk-stored object is found by its observable.
		if got := a.lookup("cert", "198.51.100.2"); got[0] != "ipv4-addr 198.51.100.2: "+newA+" bad address via 198.51.100.2" {
			t.Errorf("lookup of a bulk-stored indicator: %s", got[0])
		}
	})
}
