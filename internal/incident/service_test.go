package incident_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

const pw = "correct horse battery staple"

// fixture: the office with an analyst, two energy utilities and a bank, all
// active and bound by the agreement.
type fixture struct {
	db                          *store.DB
	now                         time.Time
	svc                         *incident.Service
	analyst, sw, swMember, wind identity.Principal
	bank                        identity.Principal
	office                      identity.Organisation
	door                        *sharing.Door
}

// service returns the incident service of the fixture, taking reports
// from the public or not.
func (f *fixture) service(public bool) *incident.Service {
	return incident.NewService(f.db.Incidents(), f.door, incident.Config{Now: func() time.Time { return f.now }, Public: public,
		MailHeld: true, BaseURL: "https://verbund.example", Text: func(lang, key string, args ...any) string { return key + fmt.Sprint(args) }})
}

func newFixture(t *testing.T, db *store.DB, public bool) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{db: db, now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	icfg := identity.DefaultConfig()
	icfg.Now, icfg.Argon2, icfg.MailHeld = clock, identity.FastArgon2, true
	ids := identity.NewService(db.Identity(), icfg)
	mcfg := membership.DefaultConfig()
	mcfg.Now, mcfg.Argon2, mcfg.MailHeld = clock, identity.FastArgon2, true
	mem := membership.NewService(db.Membership(), mcfg)
	des := designation.NewService(db.Designation(), designation.Config{Now: clock})
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	f.door = sharing.New(pol, mem, des, des, ids, clock)
	f.svc = f.service(public)
	sys := identity.SystemPrincipal()
	org := func(name string, kind identity.OrgKind, sectors ...string) identity.Organisation {
		o, err := ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: name, Kind: kind, Country: "DE", Sectors: sectors})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	user := func(o identity.Organisation, email string, roles ...identity.Role) identity.Principal {
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
	f.office = org("Office", identity.KindOffice)
	admin := user(f.office, "admin@office.example", identity.RoleOfficeAdmin)
	f.analyst = user(f.office, "analyst@office.example", identity.RoleAnalyst)
	sw, wind, bank := org("Stadtwerke", identity.KindMember, "energy"), org("Windpark", identity.KindMember, "energy"),
		org("Bank", identity.KindMember, "finance")
	f.sw = user(sw, "ciso@sw.example", identity.RoleOrgAdmin)
	f.swMember = user(sw, "soc@sw.example", identity.RoleOrgMember)
	f.wind = user(wind, "it@wind.example", identity.RoleOrgAdmin)
	f.bank = user(bank, "sec@bank.example", identity.RoleOrgAdmin)
	agr, err := mem.PublishAgreement(ctx, admin, map[string]string{"de": "V", "nl": "O", "en": "A"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []identity.Principal{f.sw, f.wind, f.bank} {
		if _, err := mem.Sign(ctx, p, p.Org.ID, agr.Version, "en"); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) draft() incident.Report {
	return incident.Report{
		Title: "Ransomware on file servers", Description: "Two file servers were encrypted overnight.",
		Classification: incident.Classification{Class: "information-content-security", Type: "unauthorised-information-modification"},
		Sectors:        []string{"energy"}, Impact: incident.ImpactHigh,
		Timeline: incident.Timeline{Started: f.now.Add(-30 * time.Hour), Detected: f.now.Add(-2 * time.Hour)},
		Marking:  policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"energy"}}},
		NIS2:     true, Stage: incident.EarlyWarning, RelayAllowed: true,
	}
}

func (f *fixture) mails(t *testing.T, to string) []string {
	t.Helper()
	ms, err := f.db.ListMail(t.Context(), mail.Filter{To: to})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

func (f *fixture) audited(t *testing.T, action, id string) []audit.Entry {
	t.Helper()
	es, err := f.db.ListAudit(t.Context(), audit.Filter{Action: action, ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func wantKind(t *testing.T, err error, k verbund.Kind, code string) {
	t.Helper()
	if !verbund.IsKind(err, k) || code != "" && verbund.ErrorCode(err) != code {
		t.Fatalf("err = %v (code %q), want %s %q", err, verbund.ErrorCode(err), k, code)
	}
}

func TestReportAndTriage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		ctx := t.Context()

		// A half-written draft with an impossible timeline is kept.
		d := f.draft()
		d.Timeline.Detected = d.Timeline.Started.Add(-time.Hour)
		d.Description = ""
		saved, err := f.svc.SaveDraft(ctx, f.swMember, d)
		if err != nil {
			t.Fatalf("save an incomplete draft: %v", err)
		}
		if _, err := f.svc.Report(ctx, f.wind, saved.ID); !verbund.IsKind(err, verbund.NotFound) {
			t.Fatalf("another organisation reads a draft: %v", err)
		}
		if mine, _ := f.svc.Mine(ctx, f.sw); len(mine) != 1 || !mine[0].Draft {
			t.Fatalf("the organisation's reports = %+v, want the draft", mine)
		}
		// Submitting names every problem.
		_, _, err = f.svc.Submit(ctx, f.swMember, saved.ID)
		wantKind(t, err, verbund.Invalid, "")
		if fs := verbund.ErrorFields(err); fs["description"] == "" || fs["detected"] == "" {
			t.Fatalf("problems = %v, want description and detected", fs)
		}
		// Fixed, it opens a case in the office's queue.
		d = f.draft()
		d.ID = saved.ID
		if _, err := f.svc.SaveDraft(ctx, f.swMember, d); err != nil {
			t.Fatal(err)
		}
		r, c, err := f.svc.Submit(ctx, f.swMember, saved.ID)
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		if r.Draft || c.Status != incident.StatusNew || !strings.HasPrefix(c.Reference, "VB-") || c.TimeZone != "Europe/Berlin" {
			t.Fatalf("report %+v in case %+v", r, c)
		}
		if _, err := f.svc.SaveDraft(ctx, f.swMember, r); verbund.ErrorCode(err) != "submitted" {
			t.Errorf("editing a submitted report: %v", err)
		}
		if got := f.mails(t, "analyst@office.example"); len(got) != 1 || !strings.Contains(got[0], "mail.incident.submitted") {
			t.Errorf("analyst mail = %v", got)
		}
		if len(f.audited(t, "incident.submit", r.ID)) != 1 {
			t.Error("the submission is not audited")
		}

		// The energy sector reads it under TLP:AMBER; the bank does not,
		// and its attempt is audited.
		if got, err := f.svc.Report(ctx, f.wind, r.ID); err != nil || got.Title != r.Title {
			t.Errorf("an energy member reads %+v, %v", got, err)
		}
		_, err = f.svc.Report(ctx, f.bank, r.ID)
		wantKind(t, err, verbund.NotFound, "")
		bankDenied := 0
		for _, e := range f.audited(t, "read.denied", r.ID) {
			if e.ActorOrg == f.bank.Org.ID {
				bankDenied++
			}
		}
		if bankDenied != 1 {
			t.Errorf("the bank's refused read is audited %d times, want once", bankDenied)
		}
		// Analysts read it by their office role.
		if _, err := f.svc.Report(ctx, f.analyst, r.ID); err != nil {
			t.Errorf("the analyst cannot read the report: %v", err)
		}

		// Triage: the queue, assignment, a question and an answer.
		q, err := f.svc.Queue(ctx, f.analyst, incident.CaseQuery{Status: incident.StatusNew})
		if err != nil || len(q) != 1 || q[0].ID != c.ID {
			t.Fatalf("queue = %+v, %v", q, err)
		}
		_, err = f.svc.Queue(ctx, f.sw, incident.CaseQuery{})
		wantKind(t, err, verbund.Forbidden, "")
		if _, err := f.svc.Assign(ctx, f.analyst, c.ID, f.sw.User.ID); verbund.ErrorFields(err)["assignee"] == "" {
			t.Errorf("assigned to a member: %v", err)
		}
		if _, err := f.svc.Assign(ctx, f.analyst, c.ID, f.analyst.User.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetStatus(ctx, f.analyst, c.ID, incident.StatusTriaged, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Post(ctx, f.analyst, c.ID, "Which VPN appliance do you run?"); err != nil {
			t.Fatal(err)
		}
		if got := f.mails(t, "soc@sw.example"); len(got) != 1 || !strings.Contains(got[0], "mail.incident.question") {
			t.Errorf("reporter mail = %v", got)
		}
		if _, err := f.svc.Post(ctx, f.wind, c.ID, "Not my case"); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("another member posts to the case: %v", err)
		}
		if _, err := f.svc.Post(ctx, f.sw, c.ID, "  "); verbund.ErrorFields(err)["body"] == "" {
			t.Errorf("an empty message: %v", err)
		}
		if _, err := f.svc.Post(ctx, f.sw, c.ID, "A FortiGate 100F, firmware 7.2.4."); err != nil {
			t.Fatal(err)
		}
		cv, err := f.svc.Case(ctx, f.sw, c.ID)
		if err != nil || len(cv.Messages) != 2 || !cv.Messages[0].Office || cv.Messages[1].Office || len(cv.Reports) != 1 {
			t.Fatalf("the reporter's view = %+v, %v", cv, err)
		}
		if _, err := f.svc.Case(ctx, f.wind, c.ID); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("another member opens the case: %v", err)
		}

		// Closing needs the lessons; a closed case cannot go back to new.
		_, err = f.svc.SetStatus(ctx, f.analyst, c.ID, incident.StatusClosed, "")
		wantKind(t, err, verbund.Invalid, "")
		if _, err := f.svc.SetStatus(ctx, f.analyst, c.ID, incident.StatusClosed, "Patch edge devices within 48 hours."); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SetStatus(ctx, f.analyst, c.ID, incident.StatusNew, "")
		wantKind(t, err, verbund.Conflict, "status-change")
		if es := f.audited(t, "incident.status", c.ID); len(es) != 2 {
			t.Errorf("%d status changes audited, want 2", len(es))
		}
	})
}

// The stages of a NIS2 report are one case, and its deadlines follow them.
func TestNIS2Stages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		ctx := t.Context()
		d, err := f.svc.SaveDraft(ctx, f.sw, f.draft())
		if err != nil {
			t.Fatal(err)
		}
		_, c, err := f.svc.Submit(ctx, f.sw, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(40 * time.Hour)
		next := f.draft()
		next.CaseID, next.Stage = c.ID, incident.Notification
		d2, err := f.svc.SaveDraft(ctx, f.sw, next)
		if err != nil {
			t.Fatal(err)
		}
		if _, c2, err := f.svc.Submit(ctx, f.sw, d2.ID); err != nil || c2.ID != c.ID {
			t.Fatalf("the notification opened case %+v (%v), want %s", c2, err, c.ID)
		}
		cv, err := f.svc.Case(ctx, f.analyst, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		states := map[incident.Stage]incident.DeadlineState{}
		for _, dl := range cv.Deadlines {
			states[dl.Stage] = dl.State
		}
		if states[incident.EarlyWarning] != incident.OnTime || states[incident.Notification] != incident.OnTime ||
			states[incident.Progress] != incident.Open || states[incident.Final] != incident.Waiting {
			t.Errorf("deadlines = %+v", cv.Deadlines)
		}
		// A follow-up for another organisation's case is refused.
		other := f.draft()
		other.CaseID = c.ID
		if _, err := f.svc.SaveDraft(ctx, f.wind, other); verbund.ErrorFields(err)["case"] == "" {
			t.Errorf("a follow-up to a foreign case: %v", err)
		}
	})
}

func TestPublicReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		f := newFixture(t, db, false)
		r := f.draft()
		r.NIS2, r.Stage = false, ""
		_, _, _, err := f.svc.SubmitPublic(ctx, r)
		wantKind(t, err, verbund.Forbidden, "public-reports-off")

		f.svc = f.service(true)
		r.ContactEmail = "finder@example.org"
		got, c, fu, err := f.svc.SubmitPublic(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if got.OrgID != "" || got.Marking.TLP != policy.Amber || c.FollowUp == nil || fu.Secret == "" {
			t.Fatalf("public report %+v, case %+v", got, c)
		}
		// Only the office reads it.
		if _, err := f.svc.Report(ctx, f.sw, got.ID); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("a member reads a public report: %v", err)
		}
		if _, err := f.svc.Report(ctx, f.analyst, got.ID); err != nil {
			t.Errorf("the analyst cannot read the public report: %v", err)
		}
		// The reporter follows up with the secret, and only with it.
		_, err = f.svc.FollowUp(ctx, c.Reference, "WRONG")
		wantKind(t, err, verbund.NotFound, "follow-up-invalid")
		if es, _ := f.db.ListAudit(ctx, audit.Filter{Action: "incident.follow-up"}); len(es) != 1 || es[0].Outcome != audit.Denied {
			t.Errorf("the wrong secret is not audited: %+v", es)
		}
		if _, err := f.svc.Post(ctx, f.analyst, c.ID, "Can you send the mail headers?"); err != nil {
			t.Fatal(err)
		}
		if got := f.mails(t, "finder@example.org"); len(got) != 1 {
			t.Errorf("the public reporter got %v, want the question", got)
		}
		if _, err := f.svc.PostPublic(ctx, strings.ToLower(c.Reference), fu.Secret, "Headers attached below."); err != nil {
			t.Fatal(err)
		}
		cv, err := f.svc.FollowUp(ctx, c.Reference, fu.Secret)
		if err != nil || len(cv.Messages) != 2 || len(cv.Reports) != 1 || cv.Messages[1].Office {
			t.Fatalf("follow-up view = %+v, %v", cv, err)
		}
	})
}

// Reminders of NIS2 deadlines go out once each, before a stage is due and
// when it is overdue, whichever node gets there first.
func TestNIS2Reminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		ctx := t.Context()
		d, err := f.svc.SaveDraft(ctx, f.sw, f.draft()) // aware two hours ago
		if err != nil {
			t.Fatal(err)
		}
		_, c, err := f.svc.Submit(ctx, f.sw, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		remind := func(svc *incident.Service, want int) {
			t.Helper()
			if n, err := svc.Remind(ctx); err != nil || n != want {
				t.Fatalf("Remind at %v = %d, %v; want %d", f.now, n, err, want)
			}
		}
		reminders := func(kind string) int {
			n := 0
			for _, s := range f.mails(t, "ciso@sw.example") {
				if strings.HasPrefix(s, "mail.incident."+kind+".subject["+c.Reference+" nis2.stage.notification") {
					n++
				}
			}
			return n
		}
		remind(f.svc, 0) // the notification is due in 70 hours
		f.now = f.now.Add(50 * time.Hour)
		remind(f.svc, 1)
		remind(f.svc, 0)
		remind(f.service(false), 0) // another node finds it sent
		if reminders("reminder") != 1 {
			t.Errorf("reminder mails = %v", f.mails(t, "ciso@sw.example"))
		}
		f.now = f.now.Add(30 * time.Hour) // 78 hours after awareness
		remind(f.svc, 1)
		remind(f.svc, 0)
		if reminders("overdue") != 1 {
			t.Errorf("overdue mails = %v", f.mails(t, "ciso@sw.example"))
		}
		if es := f.audited(t, "incident.remind", c.ID); len(es) != 2 {
			t.Errorf("%d reminders audited, want 2", len(es))
		}
		// Once the notification is in, nothing is due for a month.
		next := f.draft()
		next.CaseID, next.Stage = c.ID, incident.Notification
		d2, err := f.svc.SaveDraft(ctx, f.sw, next)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Submit(ctx, f.sw, d2.ID); err != nil {
			t.Fatal(err)
		}
		remind(f.svc, 0)
	})
}
