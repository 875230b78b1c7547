package membership_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

var texts2 = map[string]string{
	"de": "# Vereinbarung 2\nNeu.", "nl": "# Overeenkomst 2\nNieuw.", "en": "# Agreement 2\nNew.",
}

func TestNewAgreementVersionNeedsReacceptance(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		org, admin := f.member(t, "Stadtwerke", "stadtwerke.example")
		if ok, err := f.svc.AcceptedCurrent(ctx, org.ID); !ok || err != nil {
			t.Fatalf("AcceptedCurrent before = %v, %v", ok, err)
		}
		if ok, _ := f.svc.AcceptedCurrent(ctx, f.office.ID); !ok {
			t.Error("the office is bound by its own agreement: AcceptedCurrent must be true")
		}

		_, err := f.svc.PublishAgreement(ctx, admin, texts2)
		wantErr(t, err, verbund.Forbidden, "")
		_, err = f.svc.PublishAgreement(ctx, f.reviewer, texts2)
		wantErr(t, err, verbund.Forbidden, "")
		if n := len(f.audits(t, "agreement.publish", audit.Denied)); n != 2 {
			t.Errorf("%d denied publications audited, want 2", n)
		}
		_, err = f.svc.PublishAgreement(ctx, f.admin, map[string]string{"de": "nur Deutsch", "fr": "non"})
		wantErr(t, err, verbund.Invalid, "")
		if fs := verbund.ErrorFields(err); fs["text_en"] == "" || fs["text_nl"] == "" || fs["text_fr"] == "" {
			t.Errorf("fields = %v, want problems with en, nl and fr", fs)
		}

		f.clk.Add(time.Hour)
		a2, err := f.svc.PublishAgreement(ctx, f.admin, texts2)
		if err != nil || a2.Version != 2 {
			t.Fatalf("PublishAgreement = %+v, %v", a2, err)
		}
		if cur, _ := f.svc.CurrentAgreement(ctx); cur.Version != 2 || cur.Texts["nl"] != texts2["nl"] {
			t.Errorf("CurrentAgreement = %+v, want version 2", cur)
		}
		if ok, _ := f.svc.AcceptedCurrent(ctx, org.ID); ok {
			t.Error("AcceptedCurrent is still true after a new version")
		}
		if got := f.org(t, org.ID).Status; got != identity.StatusActive {
			t.Errorf("status after a new version = %s, want it kept (active)", got)
		}
		if na, err := f.svc.NotAccepted(ctx, f.reviewer); err != nil || len(na) != 1 || na[0].ID != org.ID {
			t.Errorf("NotAccepted = %+v, %v", na, err)
		}
		_, err = f.svc.NotAccepted(ctx, admin)
		wantErr(t, err, verbund.Forbidden, "")
		f.lastMail(t, "contact@stadtwerke.example", "mail.agreement.new")

		_, err = f.svc.Sign(ctx, admin, org.ID, 1, "de")
		wantErr(t, err, verbund.Conflict, "agreement-outdated")
		_, err = f.svc.Sign(ctx, admin, org.ID, 2, "fr")
		wantErr(t, err, verbund.Invalid, "")
		member := f.user(t, org.ID, "member@stadtwerke.example", identity.RoleOrgMember)
		_, err = f.svc.Sign(ctx, member, org.ID, 2, "de")
		wantErr(t, err, verbund.NotFound, "")

		sig, err := f.svc.Sign(withIP(ctx, "203.0.113.9"), admin, org.ID, 2, "nl")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := f.svc.AcceptedCurrent(ctx, org.ID); !ok {
			t.Error("AcceptedCurrent is false after accepting the new version")
		}
		again, err := f.svc.Sign(ctx, admin, org.ID, 2, "de")
		if err != nil || again.ID != sig.ID {
			t.Errorf("signing again = %+v, %v; want the earlier signature", again, err)
		}
		if na, _ := f.svc.NotAccepted(ctx, f.reviewer); len(na) != 0 {
			t.Errorf("NotAccepted after re-acceptance = %+v", na)
		}

		rc, err := f.svc.Receipt(ctx, admin, sig.ID)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(rc.Text))
		if rc.Text != texts2["nl"] || rc.TextSHA256 != hex.EncodeToString(sum[:]) || rc.Version != 2 || rc.Lang != "nl" ||
			rc.IP != "203.0.113.9" || !rc.SignedAt.Equal(f.clk.Now()) || rc.OrgName != "Stadtwerke" ||
			rc.UserEmail != "ada@stadtwerke.example" || rc.UserID != admin.User.ID {
			t.Errorf("receipt = %+v", rc)
		}
		if _, err := f.svc.Receipt(ctx, f.reviewer, sig.ID); err != nil {
			t.Errorf("the office reads receipts: %v", err)
		}
		if sigs, err := f.svc.Signatures(ctx, member, org.ID); err != nil || len(sigs) != 2 || sigs[0].ID != sig.ID {
			t.Errorf("Signatures = %+v, %v; want both, newest first", sigs, err)
		}
	})
}

func TestNewVersionBeforeVerification(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		r := f.register(t, registration("Stadtwerke", "stadtwerke.example"))
		if _, err := f.svc.PublishAgreement(ctx, f.admin, texts2); err != nil {
			t.Fatal(err)
		}
		org, err := f.svc.Verify(ctx, f.link(t, r.User.Email))
		if err != nil {
			t.Fatal(err)
		}
		if org.Status != identity.StatusPending {
			t.Fatalf("verified without accepting the current agreement: %s, want pending", org.Status)
		}
		if _, err := f.svc.Sign(ctx, f.principal(t, r.User.ID), org.ID, 2, "en"); err != nil {
			t.Fatal(err)
		}
		if got := f.org(t, org.ID).Status; got != identity.StatusActive {
			t.Errorf("after accepting version 2 the organisation is %s, want active", got)
		}
	})
}

func TestActivationByOffice(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		r := f.register(t, registration("Stadtwerke", "stadtwerke.example"))
		admin := f.principal(t, r.User.ID)

		_, err := f.svc.Activate(ctx, f.reviewer, r.Org.ID, "looks fine")
		wantErr(t, err, verbund.Conflict, "email-unverified")

		org, err := f.svc.Verify(ctx, f.link(t, r.User.Email))
		if err != nil || org.Status != identity.StatusPending {
			t.Fatalf("in office activation, verification leaves the organisation pending: %+v, %v", org, err)
		}
		q, err := f.svc.Queue(ctx, f.reviewer)
		if err != nil || len(q.Registrations) != 1 || !q.Registrations[0].Verified || !q.Registrations[0].Accepted {
			t.Errorf("queue = %+v, %v; want the verified registration", q.Registrations, err)
		}

		_, err = f.svc.Activate(ctx, admin, r.Org.ID, "I activate myself")
		wantErr(t, err, verbund.Forbidden, "")
		if es := f.audits(t, "membership.activate", audit.Denied); len(es) != 1 || es[0].ActorUser != r.User.ID {
			t.Errorf("denied activation audit = %+v", es)
		}
		_, err = f.svc.Activate(ctx, f.reviewer, r.Org.ID, "  ")
		wantErr(t, err, verbund.Invalid, "")

		if _, err := f.svc.PublishAgreement(ctx, f.admin, texts2); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Activate(ctx, f.reviewer, r.Org.ID, "looks fine")
		wantErr(t, err, verbund.Conflict, "agreement-not-accepted")
		if _, err := f.svc.Sign(ctx, admin, r.Org.ID, 2, "de"); err != nil {
			t.Fatal(err)
		}
		if got := f.org(t, r.Org.ID).Status; got != identity.StatusPending {
			t.Fatalf("signing activated the organisation in office mode: %s", got)
		}

		f.clk.Add(24 * time.Hour)
		org, err = f.svc.Activate(ctx, f.reviewer, r.Org.ID, "registry entry checked")
		if err != nil || org.Status != identity.StatusActive {
			t.Fatalf("Activate = %+v, %v", org, err)
		}
		sts, _ := f.db.ListStatuses(ctx, membership.StatusFilter{OrgID: org.ID, CurrentOnly: true})
		if len(sts) != 1 || sts[0].Status != membership.Participant || !sts[0].Since.Equal(f.clk.Now()) {
			t.Errorf("statuses = %+v, want participant since the activation", sts)
		}
		es := f.audits(t, "membership.activate", audit.Success)
		if len(es) != 1 || es[0].ActorUser != f.reviewer.User.ID || es[0].Reason != "registry entry checked" {
			t.Errorf("activation audit = %+v", es)
		}
		if m := f.lastMail(t, "contact@stadtwerke.example", "mail.status.active"); m.Text == "" {
			t.Error("no mail about the activation")
		}
		_, err = f.svc.Activate(ctx, f.reviewer, r.Org.ID, "again")
		wantErr(t, err, verbund.Conflict, "not-pending")
		_, err = f.svc.Activate(ctx, f.reviewer, f.office.ID, "the office")
		wantErr(t, err, verbund.NotFound, "")
	}, func(c *membership.Config) { c.Activation = membership.ActivateByOffice })
}
