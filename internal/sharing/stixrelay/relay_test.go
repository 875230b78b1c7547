package stixrelay_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/sharing/stixrelay"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/cti"
)

const pw = "correct horse battery staple"

const original = `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
"created":"2026-11-02T09:30:00.000Z","modified":"2026-11-02T09:30:00.000Z",
"created_by_ref":"identity--0f7a3c1e-5d2b-4c8e-9a61-2b7d4e8f1c35",
"name":"C2 server","description":"Seen by soc@stadtwerke.example, call +49 441 1234567",
"pattern":"[ipv4-addr:value = '203.0.113.7']","pattern_type":"stix","valid_from":"2026-11-02T09:30:00Z"}`

// The office relays a member's indicator to a narrower audience: the copy
// is sanitised, has a new id and a provenance reference, carries the
// collection's marking and reaches its audience; a relay that would widen
// is refused with what widens, and stores nothing.
func TestRelay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		icfg := identity.DefaultConfig()
		icfg.Now, icfg.Argon2, icfg.MailHeld = clock, identity.FastArgon2, true
		ids := identity.NewService(db.Identity(), icfg)
		mcfg := membership.DefaultConfig()
		mcfg.Now, mcfg.Argon2, mcfg.MailHeld = clock, identity.FastArgon2, true
		mem := membership.NewService(db.Membership(), mcfg)
		des := designation.NewService(db.Designation(), designation.DefaultConfig())
		pol, err := policy.New(policy.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		door := sharing.New(pol, mem, des, des, ids, clock)
		stixSvc := cti.NewService(db.STIX(), door, clock)
		relay := stixrelay.New(door, stixSvc, sharing.NewSanitiser(sharing.DefaultRules(), []byte("key")), ids, clock)

		sys := identity.SystemPrincipal()
		mkOrg := func(name string, kind identity.OrgKind, sectors ...string) identity.Organisation {
			o, err := ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: name, Kind: kind, Country: "DE", Sectors: sectors})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		mkUser := func(o identity.Organisation, email string, roles ...identity.Role) identity.Principal {
			u, err := ids.CreateUser(ctx, sys, identity.NewUser{OrgID: o.ID, Email: email, Name: email, Password: pw, Roles: roles})
			if err != nil {
				t.Fatal(err)
			}
			p, err := ids.Principal(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		office := mkOrg("Office", identity.KindOffice)
		energy := mkOrg("Stadtwerke", identity.KindMember, "energy")
		water := mkOrg("Wasserverband", identity.KindMember, "water")
		admin := mkUser(office, "admin@office.example", identity.RoleOfficeAdmin)
		analyst := mkUser(office, "analyst@office.example", identity.RoleAnalyst)
		reviewer := mkUser(office, "reviewer@office.example", identity.RoleReviewer)
		energyAdmin := mkUser(energy, "admin@sw.example", identity.RoleOrgAdmin)
		waterAdmin := mkUser(water, "admin@wv.example", identity.RoleOrgAdmin)
		agr, err := mem.PublishAgreement(ctx, admin, map[string]string{"de": "V", "nl": "V", "en": "A"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []identity.Principal{energyAdmin, waterAdmin} {
			if _, err := mem.Sign(ctx, p, p.Org.ID, agr.Version, "de"); err != nil {
				t.Fatal(err)
			}
		}
		coll := func(owner identity.Organisation, m policy.Marking) cti.Collection {
			c, err := stixSvc.CreateCollection(ctx, sys, cti.NewCollection{Title: "c " + identity.NewID(), OwnerOrg: owner.ID, Default: m})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		amber := func(sectors []string, orgs ...string) policy.Marking {
			return policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: sectors, Orgs: orgs}}
		}
		src := coll(energy, amber([]string{"energy", "water"}, office.ID))
		v, _ := door.Viewer(ctx, energyAdmin)
		if st, err := stixSvc.Add(ctx, energyAdmin, &v, &src, []json.RawMessage{json.RawMessage(original)}); err != nil || len(st.Failures) > 0 {
			t.Fatalf("adding the original: %v %+v", err, st.Failures)
		}
		mid := cti.MarkingID(src.ID, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC))

		toWater := coll(office, amber([]string{"water"}))
		res, err := relay.Relay(ctx, analyst, stixrelay.Request{MarkingID: mid, Collection: toWater.ID, TLP: "TLP:AMBER+STRICT"})
		if err == nil {
			t.Fatalf("a relay to a sector under AMBER+STRICT, which leaves no audience, was stored: %+v", res)
		}
		res, err = relay.Relay(ctx, analyst, stixrelay.Request{MarkingID: mid, Collection: toWater.ID})
		if err != nil {
			t.Fatal(err)
		}
		if res.ID == "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f" || !strings.HasPrefix(res.ID, "indicator--") {
			t.Errorf("the copy's id is %s", res.ID)
		}
		wv, _ := door.Viewer(ctx, waterAdmin)
		page, err := stixSvc.Page(ctx, &wv, &toWater, cti.Query{}, cti.Position{}, 10, true)
		if err != nil || len(page.Versions) != 1 {
			t.Fatalf("the water sector does not see the copy: %v %d", err, len(page.Versions))
		}
		got := string(page.Versions[0].Raw)
		for _, gone := range []string{"soc@stadtwerke.example", "1234567", "0f7a3c1e-5d2b-4c8e-9a61-2b7d4e8f1c35"} {
			if strings.Contains(got, gone) {
				t.Errorf("the copy still contains %q: %s", gone, got)
			}
		}
		var doc struct {
			ExternalReferences []map[string]string `json:"external_references"`
			ObjectMarkingRefs  []string            `json:"object_marking_refs"`
		}
		if err := json.Unmarshal(page.Versions[0].Raw, &doc); err != nil {
			t.Fatal(err)
		}
		if n := len(doc.ExternalReferences); n == 0 || doc.ExternalReferences[n-1]["source_name"] != stixrelay.ProvenanceSource ||
			doc.ExternalReferences[n-1]["external_id"] != "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f" {
			t.Errorf("no provenance: %+v", doc.ExternalReferences)
		}
		if m := page.Versions[0].Marked.Marking; m.TLP != policy.Amber || len(m.Audience.Sectors) != 1 || m.Audience.Sectors[0] != "water" {
			t.Errorf("the copy is marked %+v", m)
		}

		// Widening: to the community, to a sector the original does not name.
		for _, tc := range []struct {
			m     policy.Marking
			tlp   string
			field string
		}{
			{policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}, "GREEN", "tlp"},
			{amber([]string{"health"}), "", "audience.sectors"},
		} {
			c := coll(office, tc.m)
			_, err := relay.Relay(ctx, analyst, stixrelay.Request{MarkingID: mid, Collection: c.ID, TLP: tc.tlp})
			if verbund.ErrorCode(err) != "relay-widens" || verbund.ErrorFields(err)[tc.field] == "" {
				t.Errorf("relay to %+v: %v %v, want relay-widens naming %s", tc.m, err, verbund.ErrorFields(err), tc.field)
			}
			ov, _ := door.Viewer(ctx, admin)
			if p, _ := stixSvc.Page(ctx, &ov, &c, cti.Query{}, cti.Position{}, 10, false); len(p.Versions) != 0 {
				t.Error("a refused relay stored something")
			}
		}
		if _, err := relay.Relay(ctx, reviewer, stixrelay.Request{MarkingID: mid, Collection: toWater.ID}); !verbund.IsKind(err, verbund.Forbidden) {
			t.Errorf("a reviewer relays: %v", err)
		}
		if _, err := relay.Relay(ctx, analyst, stixrelay.Request{MarkingID: mid + "x", Collection: toWater.ID}); err == nil {
			t.Error("a relay of an object that does not exist")
		}
		entries, _ := db.ListAudit(ctx, audit.Filter{Action: "sharing.relay"})
		outcomes := map[audit.Outcome]int{}
		for _, e := range entries {
			outcomes[e.Outcome]++
		}
		if outcomes[audit.Success] != 1 || outcomes[audit.Failure] < 2 || outcomes[audit.Denied] != 1 {
			t.Errorf("audited relays: %v", outcomes)
		}
	})
}
