package warning_test

import (
	"context"
	"slices"
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
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/warning"
)

const pw = "correct horse battery staple"

type fixture struct {
	db   *store.DB
	svc  *warning.Service
	door *sharing.Door
	ids  *identity.Service
	now  time.Time

	office, energy, water, partner, unsigned identity.Organisation

	pub1, pub2, officeAdmin, analyst   identity.Principal
	energyUser, waterUser, partnerUser identity.Principal
	unsignedUser                       identity.Principal
	partners                           map[string]bool
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{db: db, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), partners: map[string]bool{}}
	clock := func() time.Time { return f.now }
	icfg := identity.DefaultConfig()
	icfg.Now, icfg.Argon2, icfg.MailHeld = clock, identity.FastArgon2, true
	f.ids = identity.NewService(db.Identity(), icfg)
	mcfg := membership.DefaultConfig()
	mcfg.Now, mcfg.Argon2, mcfg.MailHeld = clock, identity.FastArgon2, true
	mem := membership.NewService(db.Membership(), mcfg)
	dcfg := designation.DefaultConfig()
	dcfg.Now = clock
	des := designation.NewService(db.Designation(), dcfg)
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	f.door = sharing.New(pol, mem, des, des, f.ids, clock)
	f.svc = warning.NewService(db.Warnings(), f.door, warning.Config{Now: clock,
		IsPartner: func(_ context.Context, org string) (bool, error) { return f.partners[org], nil }})

	sys := identity.SystemPrincipal()
	org := func(name string, kind identity.OrgKind, sectors ...string) identity.Organisation {
		o, err := f.ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: name, Kind: kind, Country: "DE", Sectors: sectors})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	user := func(o identity.Organisation, email string, roles ...identity.Role) identity.Principal {
		u, err := f.ids.CreateUser(ctx, sys, identity.NewUser{OrgID: o.ID, Email: email, Name: email, Password: pw, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.ids.Principal(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.office = org("Office", identity.KindOffice)
	f.energy = org("Stadtwerke", identity.KindMember, "energy")
	f.water = org("Wasserverband", identity.KindMember, "water")
	f.partner = org("CERT Partner", identity.KindMember, "ict-services")
	f.unsigned = org("Not Signed", identity.KindMember, "energy")
	f.pub1 = user(f.office, "pub1@office.example", identity.RolePublisher)
	f.pub2 = user(f.office, "pub2@office.example", identity.RolePublisher)
	f.officeAdmin = user(f.office, "admin@office.example", identity.RoleOfficeAdmin)
	f.analyst = user(f.office, "analyst@office.example", identity.RoleAnalyst)
	f.energyUser = user(f.energy, "soc@energy.example", identity.RoleOrgAdmin)
	f.waterUser = user(f.water, "soc@water.example", identity.RoleOrgAdmin)
	f.partnerUser = user(f.partner, "analyst@partner.example", identity.RoleOrgAdmin)
	f.unsignedUser = user(f.unsigned, "it@unsigned.example", identity.RoleOrgAdmin)
	f.partners[f.partner.ID] = true
	agr, err := mem.PublishAgreement(ctx, f.officeAdmin, map[string]string{"de": "V", "nl": "V", "en": "A"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []identity.Principal{f.energyUser, f.waterUser, f.partnerUser} {
		if _, err := mem.Sign(ctx, p, p.Org.ID, agr.Version, "en"); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) viewer(t *testing.T, p identity.Principal) *policy.Viewer {
	t.Helper()
	v, err := f.door.Viewer(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

// complete returns the input of a warning with every required field.
func complete(tlp policy.TLP, a policy.Audience) warning.Input {
	return warning.Input{
		Content: warning.Content{Lang: "en", Texts: map[string]warning.Text{
			"en": {Title: "Remote code execution in SCADA gateway", Summary: "Patch now.", Details: "## Details\nAn attacker…",
				Recommendations: "- Update to 4.2.1"},
			"de": {Title: "Codeausführung im SCADA-Gateway", Summary: "Sofort patchen."},
		},
			CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CVEs: []string{"cve-2026-12345", "CVE-2026-12345"},
			Products: []warning.Product{{Vendor: "Acme", Name: "Gateway", Versions: "< 4.2.1",
				CPE: "cpe:2.3:o:acme:gateway_firmware:*:*:*:*:*:*:*:*"}},
			References: []string{"https://acme.example/psirt/2026-01"}},
		Marking: policy.Marking{TLP: tlp, Audience: a},
	}
}

func ids(ws []warning.Warning) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.TrackingID
	}
	return out
}

func TestWorkflowFromDraftToWithdrawal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		in := complete(policy.Amber, policy.Audience{Sectors: []string{"energy"}})
		w, err := f.svc.Create(ctx, f.pub1, in)
		if err != nil {
			t.Fatal(err)
		}
		if w.TrackingID != "VB-2026-0001" || w.State != warning.Draft {
			t.Fatalf("created %s in %s", w.TrackingID, w.State)
		}
		if got := w.Draft.CVEs; !slices.Equal(got, []string{"CVE-2026-12345"}) {
			t.Errorf("CVE ids %v, want one upper-case id", got)
		}
		if w.Draft.Severity != warning.SeverityCritical {
			t.Errorf("severity %q, want critical from the CVSS vector", w.Draft.Severity)
		}

		// The draft is not out: the energy member does not see it, the
		// other publisher does.
		if _, err := f.svc.Get(ctx, f.energyUser, f.viewer(t, f.energyUser), w.ID); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("a member read a draft: %v", err)
		}
		if _, err := f.svc.Get(ctx, f.pub2, f.viewer(t, f.pub2), w.ID); err != nil {
			t.Errorf("the second publisher cannot read the draft: %v", err)
		}

		// Four eyes: not published before approval, not approved by its author.
		if _, err := f.svc.Publish(ctx, f.pub1, w.ID); verbund.ErrorCode(err) != "warning-state" {
			t.Errorf("published without approval: %v", err)
		}
		if _, err := f.svc.Submit(ctx, f.pub1, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(ctx, f.pub1, w.ID); verbund.ErrorCode(err) != "four-eyes" {
			t.Errorf("the author approved the own warning: %v", err)
		}
		if _, err := f.svc.Approve(ctx, f.analyst, w.ID); err == nil {
			t.Error("an analyst approved a warning")
		}
		if _, err := f.svc.Approve(ctx, f.pub2, w.ID); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(time.Hour)
		w, err = f.svc.Publish(ctx, f.pub1, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if w.State != warning.Published || w.Revision() != 1 || !w.PublishedAt.Equal(f.now) {
			t.Fatalf("after publishing: %s, revision %d, at %v", w.State, w.Revision(), w.PublishedAt)
		}
		// Now energy sees it; water (another sector) and the member that
		// did not sign the agreement do not.
		if _, err := f.svc.Get(ctx, f.energyUser, f.viewer(t, f.energyUser), w.ID); err != nil {
			t.Errorf("energy cannot read the published warning: %v", err)
		}
		for _, p := range []identity.Principal{f.waterUser, f.unsignedUser, {}} {
			if _, err := f.svc.Get(ctx, p, f.viewer(t, p), w.ID); !verbund.IsKind(err, verbund.NotFound) {
				t.Errorf("%s read an AMBER warning for energy: %v", p.OrgID(), err)
			}
		}

		// An update adds revision 2; revision 1 stays.
		f.now = f.now.Add(24 * time.Hour)
		upd := in
		upd.Content.Texts = map[string]warning.Text{"en": {Title: "RCE in SCADA gateway (exploited)", Summary: "Exploited.",
			Details: "Now exploited.", Recommendations: "Update to 4.2.2"}}
		if _, err := f.svc.Update(ctx, f.pub1, w.ID, upd, " "); !verbund.IsKind(err, verbund.Invalid) || verbund.ErrorFields(err)["changes"] == "" {
			t.Errorf("an update without a list of changes: %v", err)
		}
		w, err = f.svc.Update(ctx, f.pub1, w.ID, upd, "Exploitation observed; fixed version 4.2.2")
		if err != nil {
			t.Fatal(err)
		}
		if w.Revision() != 2 || w.Revisions[0].Content.Original().Title != "Remote code execution in SCADA gateway" ||
			w.Current().Original().Title != "RCE in SCADA gateway (exploited)" || w.Revisions[1].Summary != "Exploitation observed; fixed version 4.2.2" {
			t.Errorf("revisions after the update: %+v", w.Revisions)
		}

		// Withdrawal needs a reason.
		if _, err := f.svc.Withdraw(ctx, f.pub1, w.ID, ""); !verbund.IsKind(err, verbund.Invalid) {
			t.Errorf("withdrawn without a reason: %v", err)
		}
		w, err = f.svc.Withdraw(ctx, f.pub2, w.ID, "duplicate of VB-2026-0002")
		if err != nil {
			t.Fatal(err)
		}
		if w.State != warning.Withdrawn || w.WithdrawReason != "duplicate of VB-2026-0002" {
			t.Errorf("after withdrawal: %s %q", w.State, w.WithdrawReason)
		}

		// Every transition is in the audit log.
		entries, err := db.ListAudit(ctx, audit.Filter{Action: "warning."})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if e.ObjectID == w.ID {
				actions = append(actions, e.Action)
				if strings.Contains(e.Reason, "SCADA") {
					t.Errorf("the audit log holds the content of an AMBER warning: %q", e.Reason)
				}
			}
		}
		for _, a := range []string{"warning.create", "warning.submit", "warning.approve", "warning.publish", "warning.update", "warning.withdraw"} {
			if !slices.Contains(actions, a) {
				t.Errorf("no %s in the audit log: %v", a, actions)
			}
		}
	})
}

func TestPublishingNamesTheMissingFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		if err := f.svc.SetFourEyes(ctx, f.pub1, false); !verbund.IsKind(err, verbund.Forbidden) {
			t.Errorf("a publisher switched the four-eyes rule: %v", err)
		}
		if err := f.svc.SetFourEyes(ctx, f.officeAdmin, false); err != nil {
			t.Fatal(err)
		}
		w, err := f.svc.Create(ctx, f.pub1, warning.Input{Content: warning.Content{Lang: "de",
			Texts: map[string]warning.Text{"de": {Title: "Nur ein Titel"}}},
			Marking: policy.Marking{TLP: policy.Clear}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Publish(ctx, f.pub1, w.ID)
		if verbund.ErrorCode(err) != "warning-incomplete" {
			t.Fatalf("published an incomplete warning: %v", err)
		}
		fields := verbund.ErrorFields(err)
		for _, k := range []string{"summary", "details", "recommendations", "severity", "products"} {
			if fields[k] == "" {
				t.Errorf("the error does not name %s: %v", k, fields)
			}
		}
		if fields["title"] != "" {
			t.Errorf("the title is there, but the error names it: %v", fields)
		}
		// With the four-eyes rule off, a complete draft is published by its author.
		in := complete(policy.Clear, policy.Audience{})
		if w, err = f.svc.Edit(ctx, f.pub1, w.ID, in); err != nil {
			t.Fatal(err)
		}
		if w, err = f.svc.Publish(ctx, f.pub1, w.ID); err != nil || w.State != warning.Published {
			t.Fatalf("publish without four eyes: %v", err)
		}
		// TLP:CLEAR is public.
		if _, err := f.svc.Get(ctx, identity.Principal{}, &policy.Viewer{}, w.ID); err != nil {
			t.Errorf("the public cannot read a CLEAR warning: %v", err)
		}
	})
}

func TestBadInputIsNamedPerField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		in := complete(policy.Amber, policy.Audience{Community: true})
		in.Content.CVEs = []string{"CVE-2026-1", "CVE-2026-4711"}
		in.Content.CVSS = "CVSS:3.0/AV:N"
		in.Content.Products = append(in.Content.Products, warning.Product{Vendor: "Acme", Name: "HMI", CPE: "cpe:2.3:q:acme"},
			warning.Product{Vendor: "Acme", Name: "Lib", PURL: "npm/acme"})
		in.Content.References = []string{"javascript:alert(1)"}
		in.Content.Texts["xx"] = warning.Text{Title: "?"}
		_, err := f.svc.Create(t.Context(), f.pub1, in)
		fields := verbund.ErrorFields(err)
		for k, want := range map[string]string{"cves": "CVE-2026-1", "cvss": "3.1", "products": "product 2 (Acme HMI)",
			"references": "javascript:alert(1)", "texts": "xx"} {
			if !strings.Contains(fields[k], want) {
				t.Errorf("%s: %q, want it to name %q", k, fields[k], want)
			}
		}
		if !strings.Contains(fields["products"], "product 3 (Acme Lib)") {
			t.Errorf("products: %q does not name the third product", fields["products"])
		}
		// The marking is the policy's to validate: AMBER is not for the community.
		in = complete(policy.Amber, policy.Audience{Community: true})
		_, err = f.svc.Create(t.Context(), f.pub1, in)
		if verbund.ErrorFields(err)["audience.community"] == "" {
			t.Errorf("an AMBER warning for the community: %v", err)
		}
	})
}

func TestPartnerContributionAndListing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		if _, err := f.svc.Create(ctx, f.energyUser, complete(policy.Green, policy.Audience{Community: true})); !verbund.IsKind(err, verbund.Forbidden) {
			t.Errorf("a member that is no partner wrote a warning: %v", err)
		}
		c, err := f.svc.Create(ctx, f.partnerUser, complete(policy.Green, policy.Audience{Community: true}))
		if err != nil {
			t.Fatal(err)
		}
		if !c.Contribution || c.OwnerOrg != f.partner.ID {
			t.Errorf("contribution %v owned by %s", c.Contribution, c.OwnerOrg)
		}
		if _, err := f.svc.Submit(ctx, f.partnerUser, c.ID); err != nil {
			t.Fatal(err)
		}
		// In review, the partner may no longer change it; the office may.
		if _, err := f.svc.Edit(ctx, f.partnerUser, c.ID, complete(policy.Green, policy.Audience{Community: true})); !verbund.IsKind(err, verbund.Forbidden) {
			t.Errorf("the partner changed its contribution in review: %v", err)
		}
		if _, err := f.svc.Approve(ctx, f.pub1, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Publish(ctx, f.pub1, c.ID); err != nil {
			t.Fatal(err)
		}

		f.now = f.now.Add(time.Hour)
		low := complete(policy.Clear, policy.Audience{})
		low.Content.CVSS, low.Content.Severity, low.Content.CVEs = "", warning.SeverityLow, []string{"CVE-2025-0001"}
		low.Content.Products = []warning.Product{{Vendor: "Wasser AG", Name: "Pumpensteuerung", PURL: "pkg:generic/wasser/pumpe@1.0"}}
		clear := publish(t, f, low)
		f.now = f.now.Add(time.Hour)
		water := publish(t, f, complete(policy.Amber, policy.Audience{Sectors: []string{"water"}}))
		draft, err := f.svc.Create(ctx, f.pub1, complete(policy.Clear, policy.Audience{}))
		if err != nil {
			t.Fatal(err)
		}

		list := func(p identity.Principal, flt warning.Filter) []string {
			t.Helper()
			ws, err := f.svc.List(ctx, f.viewer(t, p), flt)
			if err != nil {
				t.Fatal(err)
			}
			return ids(ws)
		}
		all := warning.Filter{}
		if got, want := list(f.energyUser, all), []string{clear.TrackingID, c.TrackingID}; !slices.Equal(got, want) {
			t.Errorf("energy sees %v, want %v (newest first)", got, want)
		}
		if got, want := list(f.waterUser, all), []string{water.TrackingID, clear.TrackingID, c.TrackingID}; !slices.Equal(got, want) {
			t.Errorf("water sees %v, want %v", got, want)
		}
		if got, want := list(identity.Principal{}, all), []string{clear.TrackingID}; !slices.Equal(got, want) {
			t.Errorf("the public sees %v, want %v", got, want)
		}
		if got := list(f.unsignedUser, all); !slices.Equal(got, []string{clear.TrackingID}) {
			t.Errorf("an organisation without the agreement sees %v", got)
		}
		for flt, want := range map[warning.Filter][]string{
			{Severity: warning.SeverityHigh}: {water.TrackingID, c.TrackingID},
			{Sector: "water"}:                {water.TrackingID},
			{CVE: "cve-2025-0001"}:           {clear.TrackingID},
			{Product: "pumpe"}:               {clear.TrackingID},
			{Product: "acme gateway"}:        {water.TrackingID, c.TrackingID},
		} {
			if got := list(f.waterUser, flt); !slices.Equal(got, want) {
				t.Errorf("filter %+v: %v, want %v", flt, got, want)
			}
		}
		// Drafts: only with the state asked for, and only for whom the policy lets see drafts.
		if got := list(f.pub2, warning.Filter{State: warning.Draft}); !slices.Equal(got, []string{draft.TrackingID}) {
			t.Errorf("a publisher's drafts: %v", got)
		}
		if got := list(f.waterUser, warning.Filter{State: warning.Draft}); len(got) != 0 {
			t.Errorf("a member sees drafts: %v", got)
		}

		// Acknowledgements and the rates the office sees.
		if _, err := f.svc.Acknowledge(ctx, f.energyUser, f.viewer(t, f.energyUser), water.ID, warning.AckSeen); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("energy acknowledged a warning it may not read: %v", err)
		}
		if _, err := f.svc.Acknowledge(ctx, f.waterUser, f.viewer(t, f.waterUser), water.ID, warning.AckAffected); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Acknowledge(ctx, f.waterUser, f.viewer(t, f.waterUser), c.ID, warning.AckSeen); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Acknowledge(ctx, f.energyUser, f.viewer(t, f.energyUser), c.ID, warning.AckSeen); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Acknowledge(ctx, f.energyUser, f.viewer(t, f.energyUser), c.ID, warning.AckFixed); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Acknowledge(ctx, f.energyUser, f.viewer(t, f.energyUser), c.ID, "ignored"); !verbund.IsKind(err, verbund.Invalid) {
			t.Errorf("an unknown acknowledgement: %v", err)
		}
		if _, _, err := f.svc.Rates(ctx, f.energyUser, c.ID); !verbund.IsKind(err, verbund.Forbidden) {
			t.Errorf("a member saw the rates: %v", err)
		}
		r, _, err := f.svc.Rates(ctx, f.pub1, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		// GREEN for the community: energy and water (signed); the partner
		// owns it; the unsigned member is no recipient.
		if r.Recipients != 2 || r.Acknowledged != 2 || r.Counts[warning.AckFixed] != 1 || r.Counts[warning.AckSeen] != 1 || r.Percent(r.Acknowledged) != 100 {
			t.Errorf("rates %+v", r)
		}
		r, _, err = f.svc.Rates(ctx, f.pub1, water.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Recipients != 1 || r.Counts[warning.AckAffected] != 1 {
			t.Errorf("rates of the water warning %+v", r)
		}
	})
}

func publish(t *testing.T, f *fixture, in warning.Input) warning.Warning {
	t.Helper()
	ctx := t.Context()
	w, err := f.svc.Create(ctx, f.pub1, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(ctx, f.pub1, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, f.pub2, w.ID); err != nil {
		t.Fatal(err)
	}
	if w, err = f.svc.Publish(ctx, f.pub1, w.ID); err != nil {
		t.Fatal(err)
	}
	return w
}
