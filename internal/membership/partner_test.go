package membership_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

func partnerApplication(orgID string) membership.NewApplication {
	return membership.NewApplication{OrgID: orgID, Kind: membership.Partner,
		Expertise: []string{" Incident Response ", "OT security", "incident response", ""}, Description: "We run a CERT."}
}

func TestPartnerLifecycle(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		org, admin := f.member(t, "SecureIT", "secureit.example")
		member := f.user(t, org.ID, "staff@secureit.example", identity.RoleOrgMember)
		tool := membership.NewContribution{OrgID: org.ID, Type: "tool", Title: "Log checker", Link: "github.com/secureit/logcheck"}

		_, err := f.svc.Contribute(ctx, admin, tool)
		wantErr(t, err, verbund.Conflict, "no-approved-application")

		_, err = f.svc.Apply(ctx, member, partnerApplication(org.ID))
		wantErr(t, err, verbund.NotFound, "")
		bad := partnerApplication(org.ID)
		bad.Expertise, bad.Description = nil, ""
		_, err = f.svc.Apply(ctx, admin, bad)
		wantErr(t, err, verbund.Invalid, "")
		if fs := verbund.ErrorFields(err); fs["expertise"] == "" || fs["description"] == "" {
			t.Errorf("fields = %v", fs)
		}

		a, err := f.svc.Apply(ctx, admin, partnerApplication(org.ID))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Expertise, []string{"Incident Response", "OT security"}) || a.State != membership.Pending {
			t.Errorf("application = %+v, want trimmed tags without repeats, pending", a)
		}
		_, err = f.svc.Apply(ctx, admin, partnerApplication(org.ID))
		wantErr(t, err, verbund.Conflict, "application-pending")

		_, err = f.svc.DecideApplication(ctx, admin, a.ID, membership.Decision{Approve: true, Reason: "we are great"})
		wantErr(t, err, verbund.Forbidden, "")
		_, err = f.svc.DecideApplication(ctx, f.reviewer, a.ID, membership.Decision{Approve: false})
		wantErr(t, err, verbund.Invalid, "")
		rej, err := f.svc.DecideApplication(ctx, f.reviewer, a.ID, membership.Decision{Reason: "please describe your team"})
		if err != nil || rej.State != membership.Rejected {
			t.Fatalf("reject = %+v, %v", rej, err)
		}
		_, err = f.svc.DecideApplication(ctx, f.admin, a.ID, membership.Decision{Approve: true, Reason: "overrule"})
		wantErr(t, err, verbund.Conflict, "already-decided")
		apps, err := f.svc.Applications(ctx, member, org.ID)
		if err != nil || len(apps) != 1 || apps[0].Reason != "please describe your team" || apps[0].DecidedBy != f.reviewer.User.ID {
			t.Errorf("the applicant reads %+v, %v; want the reason", apps, err)
		}
		f.lastMail(t, "contact@secureit.example", "mail.application.rejected")
		_, err = f.svc.Contribute(ctx, admin, tool)
		wantErr(t, err, verbund.Conflict, "no-approved-application")

		a, err = f.svc.Apply(ctx, admin, partnerApplication(org.ID))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DecideApplication(ctx, f.reviewer, a.ID, membership.Decision{Approve: true, Reason: "strong team"}); err != nil {
			t.Fatal(err)
		}
		// The status is named in the organisation's language, from the
		// catalogue, not as the program's English label.
		if m := f.lastMail(t, "contact@secureit.example", "mail.application.approved"); !strings.Contains(m.Text, " | mstatus.partner") {
			t.Errorf("approval mail = %q, want the status as the catalogue's mstatus.partner", m.Text)
		}
		if sts, _ := f.svc.Statuses(ctx, admin, org.ID); len(sts) != 1 {
			t.Errorf("statuses after approval = %+v, want participant only: partner starts with the first contribution", sts)
		}
		if ps, _ := f.svc.PartnerDirectory(ctx, ""); len(ps) != 0 {
			t.Errorf("directory before the first contribution = %+v", ps)
		}

		_, err = f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "social-media", Title: "Posts"})
		wantErr(t, err, verbund.Conflict, "no-approved-application")
		_, err = f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "bribe", Title: ""})
		wantErr(t, err, verbund.Invalid, "")
		c1, err := f.svc.Contribute(ctx, member, tool)
		if err != nil {
			t.Fatal(err)
		}
		if c1.Link != "https://github.com/secureit/logcheck" || c1.Kind != membership.Partner || c1.ApplicationID != a.ID {
			t.Errorf("contribution = %+v", c1)
		}
		_, err = f.svc.DecideContribution(ctx, f.reviewer, c1.ID, false, "")
		wantErr(t, err, verbund.Invalid, "")
		_, err = f.svc.DecideContribution(ctx, admin, c1.ID, true, "")
		wantErr(t, err, verbund.Forbidden, "")

		f.clk.Add(72 * time.Hour)
		acceptedAt := f.clk.Now()
		if _, err := f.svc.DecideContribution(ctx, f.reviewer, c1.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.DecideContribution(ctx, f.reviewer, c1.ID, false, "no")
		wantErr(t, err, verbund.Conflict, "already-decided")
		f.lastMail(t, "contact@secureit.example", "mail.status.partner")

		f.clk.Add(time.Hour)
		c2, err := f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "event", Title: "Workshop"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DecideContribution(ctx, f.admin, c2.ID, true, "good"); err != nil {
			t.Fatal(err)
		}
		c3, _ := f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "publication", Title: "Spam"})
		if _, err := f.svc.DecideContribution(ctx, f.reviewer, c3.ID, false, "off topic"); err != nil {
			t.Fatal(err)
		}

		sts, _ := f.svc.Statuses(ctx, admin, org.ID)
		var partner []membership.StatusRecord
		for _, s := range sts {
			if s.Status == membership.Partner {
				partner = append(partner, s)
			}
		}
		if len(partner) != 1 || !partner[0].Since.Equal(acceptedAt) {
			t.Errorf("partner statuses = %+v, want one since the first acceptance %v", partner, acceptedAt)
		}
		cs, _ := f.svc.Contributions(ctx, admin, org.ID)
		if len(cs) != 3 {
			t.Errorf("contributions = %+v, want all three listed", cs)
		}
		_, err = f.svc.Apply(ctx, admin, partnerApplication(org.ID))
		wantErr(t, err, verbund.Conflict, "already-partner")

		for _, tc := range []struct {
			query string
			want  int
		}{{"", 1}, {"incident", 1}, {"OT SEC", 1}, {"cloud", 0}} {
			ps, err := f.svc.PartnerDirectory(ctx, tc.query)
			if err != nil || len(ps) != tc.want {
				t.Errorf("PartnerDirectory(%q) = %+v, %v; want %d", tc.query, ps, err, tc.want)
			}
		}
		ps, _ := f.svc.PartnerDirectory(ctx, "incident")
		if p := ps[0]; p.Name != "SecureIT" || p.Website != "https://secureit.example" || len(p.Contributions) != 2 ||
			p.Contributions[0].ID != c1.ID || !p.Since.Equal(acceptedAt) {
			t.Errorf("directory entry = %+v, want name, website and the two accepted contributions", p)
		}
		for _, a := range []string{"application.submit", "application.reject", "application.approve", "contribution.submit", "contribution.accept", "contribution.reject"} {
			if len(f.audits(t, a, audit.Success)) == 0 {
				t.Errorf("no audit entry %s", a)
			}
		}
	})
}

func TestAdvancingNeedsCurrentAgreementAndActiveStatus(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		r := f.register(t, registration("Pending AG", "pending.example"))
		_, err := f.svc.Apply(ctx, f.principal(t, r.User.ID), partnerApplication(r.Org.ID))
		wantErr(t, err, verbund.Conflict, "not-active")

		org, admin := f.member(t, "SecureIT", "secureit.example")
		a, err := f.svc.Apply(ctx, admin, partnerApplication(org.ID))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DecideApplication(ctx, f.reviewer, a.ID, membership.Decision{Approve: true, Reason: "ok"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.PublishAgreement(ctx, f.admin, texts2); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "tool", Title: "T"})
		wantErr(t, err, verbund.Conflict, "agreement-not-accepted")
		_, err = f.svc.Apply(ctx, admin, membership.NewApplication{OrgID: org.ID, Kind: membership.Multiplier, OrgType: "network", Description: "d"})
		wantErr(t, err, verbund.Conflict, "agreement-not-accepted")
		if _, err := f.svc.Sign(ctx, admin, org.ID, 2, "en"); err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "tool", Title: "T"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Suspend(ctx, f.admin, org.ID, "unpaid fines"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.DecideContribution(ctx, f.reviewer, c.ID, true, "")
		wantErr(t, err, verbund.Conflict, "not-active")
	})
}

func TestMultiplierLifecycle(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		org, admin := f.member(t, "IHK Musterstadt", "ihk.example")
		list, err := f.svc.MultiplierChecklist(ctx)
		if err != nil || !slices.Equal(list, membership.DefaultChecklist) {
			t.Fatalf("checklist = %v, %v; want the default", list, err)
		}
		items := []string{"reaches at least 100 organisations", "names a contact person"}
		wantErr(t, f.svc.SetMultiplierChecklist(ctx, f.reviewer, items), verbund.Forbidden, "")
		wantErr(t, f.svc.SetMultiplierChecklist(ctx, f.admin, nil), verbund.Invalid, "")
		if err := f.svc.SetMultiplierChecklist(ctx, f.admin, append(items, " ", items[0])); err != nil {
			t.Fatal(err)
		}
		if list, _ := f.svc.MultiplierChecklist(ctx); !slices.Equal(list, items) {
			t.Errorf("checklist = %v, want %v", list, items)
		}

		_, err = f.svc.Apply(ctx, admin, membership.NewApplication{OrgID: org.ID, Kind: membership.Multiplier, OrgType: "company", Description: "d"})
		wantErr(t, err, verbund.Invalid, "")
		a, err := f.svc.Apply(ctx, admin, membership.NewApplication{OrgID: org.ID, Kind: membership.Multiplier, OrgType: "chamber", Description: "We are the chamber."})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.DecideApplication(ctx, f.reviewer, a.ID, membership.Decision{Approve: true, Reason: "ok", Checked: items[:1]})
		wantErr(t, err, verbund.Invalid, "checklist-incomplete")
		_, err = f.svc.DecideApplication(ctx, f.reviewer, a.ID, membership.Decision{Approve: true, Reason: "ok", Checked: append(items, "made up")})
		wantErr(t, err, verbund.Invalid, "")
		d, err := f.svc.DecideApplication(ctx, f.reviewer, a.ID, membership.Decision{Approve: true, Reason: "suitable", Checked: items})
		if err != nil || d.State != membership.Approved {
			t.Fatalf("approve = %+v, %v", d, err)
		}
		if got, _ := f.db.Application(ctx, a.ID); len(got.Checked) != 2 {
			t.Errorf("checked items recorded = %v, want both", got.Checked)
		}

		_, err = f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "tool", Title: "T"})
		wantErr(t, err, verbund.Conflict, "no-approved-application")
		act, err := f.svc.Contribute(ctx, admin, membership.NewContribution{OrgID: org.ID, Type: "member-event", Title: "Security day"})
		if err != nil {
			t.Fatal(err)
		}
		if act.Kind != membership.Multiplier {
			t.Errorf("activity kind = %s", act.Kind)
		}
		f.clk.Add(time.Hour)
		if _, err := f.svc.DecideContribution(ctx, f.reviewer, act.ID, true, "thanks"); err != nil {
			t.Fatal(err)
		}
		cur, _ := f.db.ListStatuses(ctx, membership.StatusFilter{OrgID: org.ID, Status: membership.Multiplier, CurrentOnly: true})
		if len(cur) != 1 || !cur[0].Since.Equal(f.clk.Now()) {
			t.Errorf("multiplier status = %+v, want one since the acceptance", cur)
		}
		bs, _ := f.svc.Badges(ctx, admin, org.ID)
		if len(bs) != 2 || bs[0].Status != membership.Multiplier {
			t.Errorf("badges = %+v, want participant and multiplier", bs)
		}
		f.lastMail(t, "contact@ihk.example", "mail.status.multiplier")
	})
}
