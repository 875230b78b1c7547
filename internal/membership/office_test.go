package membership_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

func TestNetwork(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		shown, shownAdmin := f.member(t, "Shown", "shown.example")
		_, hiddenAdmin := f.member(t, "Hidden", "hidden.example")
		pending := f.register(t, registration("Pending", "pending.example"))

		if nw, err := f.svc.Network(ctx, hiddenAdmin); err != nil || len(nw) != 0 {
			t.Errorf("network before anybody opted in = %+v, %v", nw, err)
		}
		if err := f.svc.SetNetworkVisible(ctx, shownAdmin, shown.ID, true); err != nil {
			t.Fatal(err)
		}
		nw, err := f.svc.Network(ctx, hiddenAdmin)
		want := []membership.NetworkEntry{{OrgID: shown.ID, Name: "Shown", Country: "DE", City: "Berlin",
			Website: "https://shown.example", Sectors: []string{"energy", "water"}, Statuses: []membership.Status{membership.Participant}}}
		if err != nil || !reflect.DeepEqual(nw, want) {
			t.Errorf("Network = %+v, %v\nwant %+v", nw, err, want)
		}
		if nw, _ := f.svc.Network(ctx, f.reviewer); len(nw) != 1 {
			t.Errorf("the office sees %d entries, want 1", len(nw))
		}
		_, err = f.svc.Network(ctx, identity.Principal{})
		wantErr(t, err, verbund.Unauthenticated, "")
		_, err = f.svc.Network(ctx, f.principal(t, pending.User.ID))
		wantErr(t, err, verbund.Forbidden, "")

		if err := f.svc.SetNetworkVisible(ctx, shownAdmin, shown.ID, false); err != nil {
			t.Fatal(err)
		}
		if nw, _ := f.svc.Network(ctx, hiddenAdmin); len(nw) != 0 {
			t.Errorf("network after opting out = %+v", nw)
		}
		if n := len(f.audits(t, "membership.network", audit.Success)); n != 2 {
			t.Errorf("%d visibility changes audited, want 2", n)
		}
	})
}

// TestForgedOrganisationIDs tries every method that acts on an organisation
// with another organisation's id: each is refused, changes nothing, and
// leaves a denied entry in the audit log.
func TestForgedOrganisationIDs(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		victim, victimAdmin := f.member(t, "Victim", "victim.example")
		_, attacker := f.member(t, "Attacker", "attacker.example")
		sigs, _ := f.svc.Signatures(ctx, victimAdmin, victim.ID)
		token, _, err := f.ids.CreateToken(ctx, attacker, identity.NewToken{OrgID: attacker.User.OrgID, Name: "t", Scopes: []identity.Scope{identity.ScopeOrgRead}})
		if err != nil {
			t.Fatal(err)
		}
		tokenP, err := f.ids.AuthenticateToken(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		id := victim.ID
		for _, tc := range []struct {
			name string
			p    identity.Principal
			call func(p identity.Principal) error
		}{
			{"sign", attacker, func(p identity.Principal) error { _, err := f.svc.Sign(ctx, p, id, 1, "en"); return err }},
			{"apply", attacker, func(p identity.Principal) error { _, err := f.svc.Apply(ctx, p, partnerApplication(id)); return err }},
			{"contribute", attacker, func(p identity.Principal) error {
				_, err := f.svc.Contribute(ctx, p, membership.NewContribution{OrgID: id, Type: "tool", Title: "x"})
				return err
			}},
			{"network visibility", attacker, func(p identity.Principal) error { return f.svc.SetNetworkVisible(ctx, p, id, true) }},
			{"terminate", attacker, func(p identity.Principal) error { return f.svc.Terminate(ctx, p, id, "") }},
			{"profile", attacker, func(p identity.Principal) error { _, err := f.svc.Profile(ctx, p, id); return err }},
			{"statuses", attacker, func(p identity.Principal) error { _, err := f.svc.Statuses(ctx, p, id); return err }},
			{"badges", attacker, func(p identity.Principal) error { _, err := f.svc.Badges(ctx, p, id); return err }},
			{"applications", attacker, func(p identity.Principal) error { _, err := f.svc.Applications(ctx, p, id); return err }},
			{"contributions", attacker, func(p identity.Principal) error { _, err := f.svc.Contributions(ctx, p, id); return err }},
			{"signatures", attacker, func(p identity.Principal) error { _, err := f.svc.Signatures(ctx, p, id); return err }},
			{"receipt", attacker, func(p identity.Principal) error { _, err := f.svc.Receipt(ctx, p, sigs[0].ID); return err }},
			{"badges by token", tokenP, func(p identity.Principal) error { _, err := f.svc.Badges(ctx, p, id); return err }},
			{"profile by the public", identity.Principal{}, func(p identity.Principal) error { _, err := f.svc.Profile(ctx, p, id); return err }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := len(f.audits(t, "", audit.Denied))
				err := tc.call(tc.p)
				wantErr(t, err, verbund.NotFound, "")
				es := f.audits(t, "", audit.Denied)
				if len(es) != before+1 {
					t.Fatalf("%d denied entries, want %d", len(es), before+1)
				}
				if e := es[0]; e.ActorOrg != tc.p.OrgID() || (e.ObjectID != id && e.ObjectID != sigs[0].ID) {
					t.Errorf("denied entry = %+v, want the attacker and the victim's object", e)
				}
			})
		}
		if got := f.org(t, victim.ID).Status; got != identity.StatusActive {
			t.Errorf("victim status = %s", got)
		}
		if prof, _ := f.db.Profile(ctx, victim.ID); prof.NetworkVisible {
			t.Error("the attacker changed the victim's visibility")
		}
		if apps, _ := f.db.ListApplications(ctx, membership.ApplicationFilter{OrgID: victim.ID}); len(apps) != 0 {
			t.Error("the attacker applied for the victim")
		}
		// Its own records the token may read.
		if _, err := f.svc.Badges(ctx, tokenP, attacker.User.OrgID); err != nil {
			t.Errorf("token reading its own badges: %v", err)
		}
	})
}

func TestOfficeQueueAndCounts(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		org, admin := f.member(t, "SecureIT", "secureit.example")
		in := registration("Klinikum", "klinikum.example")
		in.Sectors, in.SizeClass = []string{"health"}, "1000+"
		pending := f.register(t, in)
		a, _ := f.svc.Apply(ctx, admin, partnerApplication(org.ID))

		q, err := f.svc.Queue(ctx, f.reviewer)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Registrations) != 1 || q.Registrations[0].Org.ID != pending.Org.ID || q.Registrations[0].Verified || !q.Registrations[0].Accepted {
			t.Errorf("registrations = %+v, want the unverified one", q.Registrations)
		}
		if len(q.Applications) != 1 || q.Applications[0].ID != a.ID || len(q.Contributions) != 0 {
			t.Errorf("queue = %+v", q)
		}
		if _, err := f.svc.DecideApplication(ctx, f.reviewer, a.ID, membership.Decision{Approve: true, Reason: "ok"}); err != nil {
			t.Fatal(err)
		}
		c, _ := f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "publication", Title: "Paper"})
		if q, _ = f.svc.Queue(ctx, f.admin); len(q.Applications) != 0 || len(q.Contributions) != 1 || q.Contributions[0].ID != c.ID {
			t.Errorf("queue after the decision = %+v", q)
		}
		_, err = f.svc.Queue(ctx, admin)
		wantErr(t, err, verbund.Forbidden, "")

		counts, err := f.svc.Counts(ctx, f.reviewer)
		if err != nil {
			t.Fatal(err)
		}
		want := membership.Counts{
			ByStatus: map[string]int{"active": 1, "pending": 1},
			BySector: map[string]int{"energy": 1, "water": 1, "health": 1},
			BySize:   map[string]int{"50-249": 1, "1000+": 1},
		}
		if !reflect.DeepEqual(counts, want) {
			t.Errorf("Counts = %+v\nwant %+v", counts, want)
		}
		_, err = f.svc.Counts(ctx, admin)
		wantErr(t, err, verbund.Forbidden, "")
	})
}

func TestMailIsQueuedWhenNotHeld(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		r := f.register(t, registration("Stadtwerke", "stadtwerke.example"))
		if m := f.lastMail(t, r.User.Email, "mail.verify"); m.Status != "pending" || m.Subject == "" {
			t.Errorf("verification mail = %+v, want pending for the worker", m)
		}
	}, func(c *membership.Config) { c.MailHeld = false })
}

func TestTerminationHookFailureRollsBack(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		org, admin := f.member(t, "Stadtwerke", "stadtwerke.example")
		err := f.svc.Terminate(t.Context(), admin, org.ID, "")
		wantErr(t, err, verbund.Unavailable, "")
		if got := f.org(t, org.ID).Status; got != identity.StatusActive {
			t.Errorf("status = %s after a failed hook, want active: termination is all or nothing", got)
		}
	}, func(c *membership.Config) {
		c.OnTermination = []membership.TerminationHook{func(context.Context, membership.Tx, string, time.Time) error {
			return verbund.E("reports.pseudonymise", verbund.Unavailable, "reports store down")
		}}
	})
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		c  membership.Config
		ok bool
	}{
		{membership.DefaultConfig(), true},
		{membership.Config{}, true},
		{membership.Config{Activation: membership.ActivateByOffice, AllowedCountries: []string{"de", " NL "}}, true},
		{membership.Config{Activation: "whenever"}, false},
		{membership.Config{AllowedCountries: []string{"Germany"}}, false},
		{membership.Config{AllowedCountries: []string{"D1"}}, false},
		{membership.Config{VerifyTTL: -time.Hour}, false},
	} {
		if err := tc.c.Validate(); (err == nil) != tc.ok {
			t.Errorf("Validate(%+v) = %v, want ok %v", tc.c, err, tc.ok)
		}
	}
}
