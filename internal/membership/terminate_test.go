package membership_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

func TestTerminateEndsEverythingAtOnce(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		org, admin := f.member(t, "SecureIT", "secureit.example")
		other, otherAdmin := f.member(t, "Other", "other.example")
		member := f.user(t, org.ID, "staff@secureit.example", identity.RoleOrgMember)

		// A partner with a directory entry, an open application and an open contribution.
		a, _ := f.svc.Apply(ctx, admin, partnerApplication(org.ID))
		if _, err := f.svc.DecideApplication(ctx, f.reviewer, a.ID, membership.Decision{Approve: true, Reason: "ok"}); err != nil {
			t.Fatal(err)
		}
		c, _ := f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "tool", Title: "T"})
		if _, err := f.svc.DecideContribution(ctx, f.reviewer, c.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		open, _ := f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "event", Title: "E"})
		multi, err := f.svc.Apply(ctx, admin, membership.NewApplication{OrgID: org.ID, Kind: membership.Multiplier, OrgType: "network", Description: "d"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetNetworkVisible(ctx, admin, org.ID, true); err != nil {
			t.Fatal(err)
		}
		login, err := f.ids.Login(ctx, member.User.Email, pw)
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := f.ids.CreateToken(ctx, admin, identity.NewToken{OrgID: org.ID, Name: "feed", Scopes: []identity.Scope{identity.ScopeIntelRead}})
		if err != nil {
			t.Fatal(err)
		}
		otherLogin, _ := f.ids.Login(ctx, otherAdmin.User.Email, pw)
		bs, _ := f.svc.Badges(ctx, admin, org.ID)
		if len(bs) != 2 {
			t.Fatalf("badges = %+v, want participant and partner", bs)
		}

		// Refused: a member who is not an admin, and another organisation's admin.
		wantErr(t, f.svc.Terminate(ctx, member, org.ID, ""), verbund.NotFound, "")
		wantErr(t, f.svc.Terminate(ctx, otherAdmin, org.ID, "hostile"), verbund.NotFound, "")
		if es := f.audits(t, "membership.terminate", audit.Denied); len(es) != 2 || es[0].ActorUser != otherAdmin.User.ID || es[0].ObjectID != org.ID {
			t.Errorf("denied terminations audited = %+v", es)
		}
		if f.org(t, org.ID).Status != identity.StatusActive {
			t.Fatal("a refused termination changed the organisation")
		}

		if err := f.svc.Terminate(ctx, admin, org.ID, "we merge"); err != nil {
			t.Fatal(err)
		}
		if got := f.org(t, org.ID).Status; got != identity.StatusTerminated {
			t.Errorf("status = %s, want terminated", got)
		}
		if _, err := f.ids.Authenticate(ctx, login.Secret); err == nil {
			t.Error("a session of the terminated organisation still works")
		}
		if _, err := f.db.Session(ctx, login.Session.ID); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("session row = %v, want deleted", err)
		}
		if _, err := f.ids.AuthenticateToken(ctx, token); err == nil {
			t.Error("an API token of the terminated organisation still works")
		}
		if tks, _ := f.db.ListTokens(ctx, org.ID); len(tks) != 1 || tks[0].RevokedAt.IsZero() {
			t.Errorf("tokens = %+v, want revoked", tks)
		}
		if _, err := f.ids.Authenticate(ctx, otherLogin.Secret); err != nil {
			t.Errorf("another organisation's session ended too: %v", err)
		}
		for _, b := range bs {
			if chk, _ := f.svc.VerifyBadge(ctx, b.ID); chk.Valid || !chk.RevokedAt.Equal(f.clk.Now()) {
				t.Errorf("badge %s after termination = %+v, want revoked at once", b.ID, chk)
			}
		}
		if cur, _ := f.db.ListStatuses(ctx, membership.StatusFilter{OrgID: org.ID, CurrentOnly: true}); len(cur) != 0 {
			t.Errorf("statuses still current: %+v", cur)
		}
		if ps, _ := f.svc.PartnerDirectory(ctx, ""); len(ps) != 0 {
			t.Errorf("directory = %+v, want it gone", ps)
		}
		if nw, _ := f.svc.Network(ctx, otherAdmin); slices.ContainsFunc(nw, func(e membership.NetworkEntry) bool { return e.OrgID == org.ID }) {
			t.Error("the terminated organisation is still in the network")
		}
		for _, id := range []string{open.ID} {
			if got, _ := f.db.Contribution(ctx, id); got.State != membership.Withdrawn {
				t.Errorf("open contribution = %s, want withdrawn", got.State)
			}
		}
		if got, _ := f.db.Application(ctx, multi.ID); got.State != membership.Withdrawn {
			t.Errorf("open application = %s, want withdrawn", got.State)
		}
		if !slices.Equal(f.hooked, []string{org.ID}) {
			t.Errorf("termination hooks ran for %v, want [%s]", f.hooked, org.ID)
		}
		f.lastMail(t, "contact@secureit.example", "mail.status.terminated")
		if len(f.audits(t, "membership.terminate", audit.Success)) != 1 || len(f.audits(t, "badge.revoke", audit.Success)) != 1 {
			t.Error("termination or revocation not audited")
		}
		if _, err := f.ids.Login(ctx, admin.User.Email, pw); err == nil {
			t.Error("users of the terminated organisation can still log in")
		}
		wantErr(t, f.svc.Terminate(ctx, admin, org.ID, ""), verbund.Conflict, "terminated")
		wantErr(t, f.svc.Reinstate(ctx, f.admin, org.ID, "undo"), verbund.Conflict, "terminated")
		_, err = f.svc.Sign(ctx, admin, org.ID, 1, "en")
		wantErr(t, err, verbund.Conflict, "terminated")
		_, err = f.svc.Apply(ctx, admin, partnerApplication(org.ID))
		wantErr(t, err, verbund.Conflict, "not-active")
		if f.org(t, other.ID).Status != identity.StatusActive {
			t.Error("another organisation was touched")
		}
	})
}

func TestOfficePowers(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		org, admin := f.member(t, "Stadtwerke", "stadtwerke.example")

		wantErr(t, f.svc.Suspend(ctx, admin, org.ID, "self"), verbund.Forbidden, "")
		wantErr(t, f.svc.Suspend(ctx, f.reviewer, org.ID, "not mine to do"), verbund.Forbidden, "")
		wantErr(t, f.svc.Suspend(ctx, f.admin, org.ID, ""), verbund.Invalid, "")
		wantErr(t, f.svc.Reinstate(ctx, f.admin, org.ID, "not suspended"), verbund.Conflict, "not-suspended")
		if len(f.audits(t, "membership.suspend", audit.Denied)) != 2 {
			t.Error("refused suspensions are not audited")
		}

		if err := f.svc.Suspend(ctx, f.admin, org.ID, "leaked AMBER information"); err != nil {
			t.Fatal(err)
		}
		if got := f.org(t, org.ID).Status; got != identity.StatusSuspended {
			t.Fatalf("status = %s, want suspended", got)
		}
		f.lastMail(t, "contact@stadtwerke.example", "mail.status.suspended")
		wantErr(t, f.svc.Suspend(ctx, f.admin, org.ID, "again"), verbund.Conflict, "not-active")
		_, err := f.svc.Network(ctx, admin)
		wantErr(t, err, verbund.Forbidden, "")
		if err := f.svc.Reinstate(ctx, f.admin, org.ID, "explained"); err != nil {
			t.Fatal(err)
		}
		if got := f.org(t, org.ID).Status; got != identity.StatusActive {
			t.Fatalf("status = %s, want active", got)
		}
		f.lastMail(t, "contact@stadtwerke.example", "mail.status.reinstated")

		wantErr(t, f.svc.Expel(ctx, f.reviewer, org.ID, "bad"), verbund.Forbidden, "")
		wantErr(t, f.svc.Expel(ctx, f.admin, org.ID, " "), verbund.Invalid, "")
		wantErr(t, f.svc.Expel(ctx, f.admin, f.office.ID, "the office"), verbund.NotFound, "")
		if err := f.svc.Expel(ctx, f.admin, org.ID, "repeated leaks"); err != nil {
			t.Fatal(err)
		}
		if got := f.org(t, org.ID).Status; got != identity.StatusTerminated {
			t.Errorf("status = %s, want terminated", got)
		}
		m := f.lastMail(t, "contact@stadtwerke.example", "mail.status.expelled")
		if want := "repeated leaks"; !slices.Contains(strings.Split(m.Text, " | "), want) {
			t.Errorf("expulsion mail %q does not give the reason", m.Text)
		}
		es := f.audits(t, "membership.expel", audit.Success)
		if len(es) != 1 || es[0].ActorUser != f.admin.User.ID || es[0].Reason != "repeated leaks" {
			t.Errorf("expulsion audit = %+v", es)
		}
		if bs, _ := f.db.ListBadges(ctx, org.ID); len(bs) == 0 || slices.ContainsFunc(bs, func(b membership.Badge) bool { return !b.Revoked() }) {
			t.Errorf("badges after expulsion = %+v, want all revoked", bs)
		}
		wantErr(t, f.svc.Expel(ctx, f.admin, org.ID, "again"), verbund.Conflict, "terminated")
	})
}
