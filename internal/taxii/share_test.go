package taxii_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii"
)

// Organisations with different places in a collection's audience read the
// same collection, and each gets exactly its share: the policy decides
// every version.
func TestEachOrganisationGetsItsShare(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAlliance(t, db, taxii.Config{})
		c := a.shared // GREEN to the sectors energy and finance and the organisation cert
		g1, s1, c1, x, r1, a1 := "indicator--"+uuid4(), "indicator--"+uuid4(), "malware--"+uuid4(), "indicator--"+uuid4(), "indicator--"+uuid4(), "indicator--"+uuid4()
		g2, s2, g3 := "indicator--"+uuid4(), "indicator--"+uuid4(), "indicator--"+uuid4()
		clear := strings.Replace(malware(c1, 1), `"is_family":true`, `"is_family":true,"object_marking_refs":["`+stix.TLP2Clear+`"]`, 1)
		st := a.post(c, "energy",
			indicator(g1, 1, "", "192.0.2.1"),                   // GREEN by default
			indicator(s1, 1, stix.TLP2AmberStrict, "192.0.2.2"), // to cert alone: sectors do not count
			clear,                            // public
			indicator(x, 1, "", "192.0.2.3"), // version 1 GREEN …
			indicator(r1, 1, stix.TLP2Red, "192.0.2.4"),   // RED needs named users: refused
			indicator(a1, 1, stix.TLP1Amber, "192.0.2.5")) // TLP 1.0 AMBER: the sectors and cert
		if st.SuccessCount != 5 || st.FailureCount != 1 || st.Failures[0].ID != r1 || !strings.Contains(st.Failures[0].Message, "TLP:RED") {
			t.Fatalf("status %+v", st)
		}
		a.post(c, "cert", indicator(g2, 1, stix.TLP2Green, "192.0.2.6"), indicator(s2, 1, stix.TLP2AmberStrict, "192.0.2.7"))
		a.post(c, "finance", indicator(g3, 1, "", "192.0.2.8"))
		a.post(c, "energy", indicator(x, 2, stix.TLP2AmberStrict, "192.0.2.3")) // … version 2 to cert alone

		xv1, xv2 := x+"@"+stixTime(1), x+"@"+stixTime(2)
		at := func(id string) string { return id + "@" + stixTime(1) }
		shares := map[string][]string{
			// energy owns g1, s1, c1, x and a1, and is of the sector energy.
			"energy": {at(g1), at(s1), at(c1), at(a1), at(g2), at(g3), xv2},
			// cert is named: it sees everything, and its own s2.
			"cert": {at(g1), at(s1), at(c1), at(a1), at(g2), at(s2), at(g3), xv2},
			// finance is of a sector: no AMBER+STRICT, so version 1 of x is
			// the newest it may see.
			"finance": {at(g1), at(c1), xv1, at(a1), at(g2), at(g3)},
			// The office owns the collection but is not in its audience.
			"office": {at(c1)},
		}
		for who, want := range shares {
			t.Run(who, func(t *testing.T) {
				if got := versionsOf(t, a.get(objectsPath(c), who)); !slices.Equal(got, want) {
					t.Errorf("objects: %v\nwant %v", got, want)
				}
				// Page by page, two at a time: the same share.
				var got []string
				next := ""
				for range 20 {
					r := a.get(objectsPath(c)+"?limit=2"+next, who)
					got = append(got, versionsOf(t, r)...)
					var env envelopeResource
					r.json(t, &env)
					if !env.More {
						break
					}
					next = "&next=" + env.Next
				}
				if !slices.Equal(got, want) {
					t.Errorf("paged: %v\nwant %v", got, want)
				}
				var man struct {
					Objects []struct {
						ID      string `json:"id"`
						Version string `json:"version"`
					} `json:"objects"`
				}
				a.get("/taxii2/api/collections/"+c.ID+"/manifest/", who).json(t, &man)
				var mids []string
				for _, o := range man.Objects {
					mids = append(mids, o.ID+"@"+o.Version)
				}
				if !slices.Equal(mids, want) {
					t.Errorf("manifest: %v\nwant %v", mids, want)
				}
			})
		}

		t.Run("one object", func(t *testing.T) {
			a.get(objectsPath(c)+s1+"/", "finance").taxiiError(t, http.StatusNotFound)
			// The refused read of a named object is audited, with the version.
			denied, err := a.db.ListAudit(t.Context(), audit.Filter{Action: "read.denied", ActorOrg: a.finance.ID})
			if err != nil || len(denied) != 1 || denied[0].ObjectType != "stix" || !strings.Contains(denied[0].ObjectID, s1+"@") {
				t.Errorf("audit of the refused read: %+v, %v", denied, err)
			}
			a.get(objectsPath(c)+s2+"/versions/", "energy").taxiiError(t, http.StatusNotFound)
			if got := versionsOf(t, a.get(objectsPath(c)+s1+"/", "cert")); !slices.Equal(got, []string{at(s1)}) {
				t.Errorf("cert reads s1: %v", got)
			}
			r := a.get(objectsPath(c)+x+"/versions/", "finance")
			var vs struct{ Versions []string }
			r.json(t, &vs)
			if !slices.Equal(vs.Versions, []string{stixTime(1)}) {
				t.Errorf("finance sees the versions %v of x, want only the first", vs.Versions)
			}
			if got := versionsOf(t, a.get(objectsPath(c)+x+"/?match[version]=all", "cert")); !slices.Equal(got, []string{xv1, xv2}) {
				t.Errorf("cert sees the versions %v of x", got)
			}
			// finance cannot delete what it cannot see.
			a.req("DELETE", objectsPath(c)+s1+"/", "finance", nil).taxiiError(t, http.StatusNotFound)
		})

		t.Run("late has not signed", func(t *testing.T) {
			a.get(objectsPath(c), "late").taxiiError(t, http.StatusNotFound)
		})

		t.Run("a page decides a bounded number of versions", func(t *testing.T) {
			a.svc.SetMaxScan(2)
			defer a.svc.SetMaxScan(0)
			var got []string
			next, pages := "", 0
			for ; pages < 50; pages++ {
				r := a.get(objectsPath(c)+"?limit=5"+next, "finance")
				got = append(got, versionsOf(t, r)...)
				var env envelopeResource
				r.json(t, &env)
				if !env.More {
					break
				}
				next = "&next=" + env.Next
			}
			// Six versions for finance, two decided per page: at least
			// three pages with more, and one that ends the listing.
			if !slices.Equal(got, shares["finance"]) || pages < 3 {
				t.Errorf("finance in %d pages: %v\nwant %v", pages+1, got, shares["finance"])
			}
		})
	})
}
