package demo_test

import (
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/demo"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The demo shows the sharing policy at work: an indicator for a circle
// with an open request for access from outside it, a granted and a
// refused request, and a sanitised relay with its provenance.
func TestSeedSharing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		st := demo.Stores{Identity: db.Identity(), Membership: db.Membership(), Designation: db.Designation(), STIX: db.STIX(), Access: db.Access()}
		if _, err := demo.Seed(ctx, st, func(lang, key string, args ...any) string { return key }); err != nil {
			t.Fatalf("seeding: %v", err)
		}
		owner, err := db.UserByEmail(ctx, "admin@nordsee-netz.example")
		if err != nil {
			t.Fatal(err)
		}
		rs, err := db.ListAccessRequests(ctx, sharing.RequestQuery{OwnerOrg: owner.OrgID})
		if err != nil {
			t.Fatal(err)
		}
		states := map[sharing.RequestState]int{}
		for _, r := range rs {
			states[r.State]++
			if r.Kind != policy.KindSTIX || r.Reason == "" || (r.State != sharing.RequestOpen && r.Decision == "") {
				t.Errorf("request %+v", r)
			}
		}
		if states[sharing.RequestOpen] != 1 || states[sharing.RequestGranted] != 1 || states[sharing.RequestRefused] != 1 {
			t.Errorf("requests to Nordsee Netz by state: %v", states)
		}
		open := rs[0]
		if open.State != sharing.RequestOpen {
			t.Fatalf("the newest request is %s", open.State)
		}
		m, err := db.Marking(ctx, policy.KindSTIX, open.ObjectID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Marking.TLP != policy.Amber || len(m.Marking.Audience.Circles) != 1 || len(m.Marking.Audience.Sectors) != 0 || len(m.Marking.Audience.Orgs) != 0 {
			t.Errorf("the indicator asked for is marked %+v", m.Marking)
		}

		colls, err := db.STIX().STIXCollections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var health *cti.Collection
		for i := range colls {
			if colls[i].Title == "Weitergaben Gesundheitswesen" {
				health = &colls[i]
			}
		}
		if health == nil {
			t.Fatal("no collection of relays")
		}
		vs, err := db.STIX().ScanSTIX(ctx, health.ID, cti.Filter{}, 0, 10, true)
		if err != nil || len(vs) != 1 {
			t.Fatalf("relayed objects: %d %v", len(vs), err)
		}
		raw := string(vs[0].Raw)
		if !strings.Contains(raw, `"source_name":"verbund-relay"`) || strings.Contains(raw, "soc@klinikum-weserbergland.example") || strings.Contains(raw, "404 112") {
			t.Errorf("the relayed copy: %s", raw)
		}
	})
}
