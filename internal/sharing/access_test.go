package sharing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// accessFixture is an alliance in which the Stadtwerke (energy) own
// objects at every level, the CERT (ict-services) and the Bank (finance)
// have signed the agreement, and the Newcomer has not.
type accessFixture struct {
	db     *store.DB
	now    *time.Time
	door   *sharing.Door
	access *sharing.Access

	office, owner, cert, bank, newcomer                                    identity.Organisation
	officeAdmin, officeAssessor                                            identity.Principal
	ownerAdmin, ownerMember, certUser, certAdmin, bankAdmin, newcomerAdmin identity.Principal
	certToken                                                              identity.Principal
}

func newAccessFixture(t *testing.T, db *store.DB) *accessFixture {
	t.Helper()
	ctx := t.Context()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f := &accessFixture{db: db, now: &now}
	clock := func() time.Time { return *f.now }
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
	f.access = sharing.NewAccess(f.door, db.Access(), sharing.AccessConfig{MailHeld: true, BaseURL: "https://verbund.example/",
		Text: func(lang, key string, args ...any) string { return lang + ":" + key + fmt.Sprint(args) }})

	sys := identity.SystemPrincipal()
	mkOrg := func(name string, kind identity.OrgKind, sectors ...string) identity.Organisation {
		o, err := ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: name, Kind: kind, Country: "DE", Sectors: sectors,
			ContactName: "Contact", ContactEmail: "contact@" + strings.ToLower(name) + ".example"})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	mkUser := func(o identity.Organisation, email string, roles ...identity.Role) identity.Principal {
		// Accounts of the Stadtwerke read German, the others Dutch.
		lang := "nl"
		if o.ID == f.owner.ID {
			lang = "de"
		}
		u, err := ids.CreateUser(ctx, sys, identity.NewUser{OrgID: o.ID, Email: email, Name: email, Lang: lang, Password: pw, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		p, err := ids.Principal(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.office = mkOrg("Office", identity.KindOffice)
	f.owner = mkOrg("Stadtwerke", identity.KindMember, "energy")
	f.cert = mkOrg("CERT", identity.KindMember, "ict-services")
	f.bank = mkOrg("Bank", identity.KindMember, "finance")
	f.newcomer = mkOrg("Newcomer", identity.KindMember, "finance")
	f.officeAdmin = mkUser(f.office, "admin@office.example", identity.RoleOfficeAdmin)
	f.officeAssessor = mkUser(f.office, "assessor@office.example", identity.RoleAssessor)
	f.ownerAdmin = mkUser(f.owner, "admin@sw.example", identity.RoleOrgAdmin)
	f.ownerMember = mkUser(f.owner, "member@sw.example", identity.RoleOrgMember)
	f.certUser = mkUser(f.cert, "analyst@cert.example", identity.RoleOrgMember)
	f.certAdmin = mkUser(f.cert, "admin@cert.example", identity.RoleOrgAdmin)
	f.bankAdmin = mkUser(f.bank, "admin@bank.example", identity.RoleOrgAdmin)
	f.newcomerAdmin = mkUser(f.newcomer, "admin@new.example", identity.RoleOrgAdmin)
	_, tok, err := ids.CreateToken(ctx, f.certAdmin, identity.NewToken{OrgID: f.cert.ID, Name: "siem", Scopes: []identity.Scope{identity.ScopeIntelRead}})
	if err != nil {
		t.Fatal(err)
	}
	f.certToken = identity.Principal{Token: &tok, Org: &f.cert}

	agr, err := mem.PublishAgreement(ctx, f.officeAdmin, map[string]string{"de": "Vertraulichkeit", "nl": "Vertrouwelijkheid", "en": "Confidentiality"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []identity.Principal{f.ownerAdmin, f.certAdmin, f.bankAdmin} {
		if _, err := mem.Sign(ctx, p, p.Org.ID, agr.Version, "en"); err != nil {
			t.Fatal(err)
		}
	}

	energy := policy.Audience{Sectors: []string{"energy"}}
	for _, o := range []struct {
		id    string
		owner identity.Organisation
		m     policy.Marking
	}{
		{"amber", f.owner, policy.Marking{TLP: policy.Amber, Audience: energy}},
		{"amber-2", f.owner, policy.Marking{TLP: policy.Amber, Audience: energy}},
		{"green", f.owner, policy.Marking{TLP: policy.Green, Audience: energy}},
		{"red", f.owner, policy.Marking{TLP: policy.Red, Audience: policy.Audience{Users: []string{f.ownerAdmin.User.ID}}}},
		{"strict", f.owner, policy.Marking{TLP: policy.AmberStrict, Audience: policy.Audience{Orgs: []string{f.bank.ID}}}},
		{"identifiable", f.owner, policy.Marking{TLP: policy.Amber, Confidential: true, Identifiable: true, Audience: energy}},
		{"clear", f.owner, policy.Marking{TLP: policy.Clear}},
		{"office-green", f.office, policy.Marking{TLP: policy.Green, Audience: energy}},
	} {
		f.mark(t, o.id, o.owner.ID, o.m)
	}
	return f
}

// mark stores the marking of indicator id.
func (f *accessFixture) mark(t *testing.T, id, owner string, m policy.Marking) {
	t.Helper()
	err := f.db.Designation().Update(t.Context(), func(tx designation.Tx) error {
		return designation.SaveMarking(t.Context(), tx, policy.KindIndicator, id, owner, "", m)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// decide asks the policy, through the door, whether p may read indicator
// id as it is stored now.
func (f *accessFixture) decide(t *testing.T, p identity.Principal, id string) policy.Decision {
	t.Helper()
	v, err := f.door.Viewer(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.db.Marking(t.Context(), policy.KindIndicator, id)
	if err != nil {
		t.Fatal(err)
	}
	o := m.Object(false)
	return f.door.Decide(&v, &o)
}

// auditOf returns the entries of action about indicator id, newest first.
func (f *accessFixture) auditOf(t *testing.T, action, id string) []audit.Entry {
	t.Helper()
	es, err := f.db.ListAudit(t.Context(), audit.Filter{Action: action, ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// mailTo returns the subjects of the mail to address, newest first.
func (f *accessFixture) mailTo(t *testing.T, address string) []string {
	t.Helper()
	ms, err := f.db.ListMail(t.Context(), mail.Filter{To: address})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

func wantErr(t *testing.T, err error, k verbund.Kind, code string) {
	t.Helper()
	if !verbund.IsKind(err, k) || (code != "" && verbund.ErrorCode(err) != code) {
		t.Fatalf("error = %v (code %q), want %s %q", err, verbund.ErrorCode(err), k, code)
	}
}

func TestRequestAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAccessFixture(t, db)
		ctx := t.Context()
		ind := policy.KindIndicator

		// The CERT may not read what is shared with the energy sector; it
		// asks, with a reason.
		if d := f.decide(t, f.certUser, "amber"); d.Allow || d.Step != policy.StepAudience {
			t.Fatalf("before the request: %v", d)
		}
		asked := *f.now
		r, err := f.access.RequestAccess(ctx, f.certUser, ind, "amber", "  we run the same SCADA software  ")
		if err != nil {
			t.Fatal(err)
		}
		want := sharing.AccessRequest{ID: r.ID, Kind: ind, ObjectID: "amber", OwnerOrg: f.owner.ID, RequesterOrg: f.cert.ID,
			RequesterUser: f.certUser.User.ID, Reason: "we run the same SCADA software", State: sharing.RequestOpen, CreatedAt: asked}
		if r != want {
			t.Errorf("request = %+v\nwant %+v", r, want)
		}
		if es := f.auditOf(t, "access.request", "amber"); len(es) != 1 || es[0].Outcome != audit.Success ||
			es[0].ActorUser != f.certUser.User.ID || !strings.Contains(es[0].Reason, r.ID) {
			t.Errorf("audit of the request: %+v", es)
		}
		// The owner's administrator hears of it, in the language of the
		// account; members who do not decide do not.
		link := "https://verbund.example/access-requests/" + r.ID
		wantSubject := "de:mail.access.requested.subject[CERT analyst@cert.example indicator amber AMBER we run the same SCADA software " + link + "]"
		if got := f.mailTo(t, "admin@sw.example"); !slices.Equal(got, []string{wantSubject}) {
			t.Errorf("mail to the owner's admin = %q\nwant %q", got, wantSubject)
		}
		if got := f.mailTo(t, "member@sw.example"); len(got) != 0 {
			t.Errorf("mail to a member who does not decide: %q", got)
		}

		t.Run("one open request per organisation", func(t *testing.T) {
			_, err := f.access.RequestAccess(ctx, f.certAdmin, ind, "amber", "again")
			wantErr(t, err, verbund.Conflict, "request-open")
		})
		t.Run("existence hidden: as if the object did not exist", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				p    identity.Principal
				id   string
			}{
				{"RED", f.certUser, "red"},
				{"AMBER+STRICT", f.certUser, "strict"},
				{"identifiable", f.certUser, "identifiable"},
				{"no such object", f.certUser, "missing"},
				{"agreement not accepted", f.newcomerAdmin, "green"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := f.access.RequestAccess(ctx, tc.p, ind, tc.id, "need it")
					wantErr(t, err, verbund.NotFound, "")
					if es := f.auditOf(t, "access.request", tc.id); len(es) == 0 || es[0].Outcome != audit.Denied || es[0].ActorUser != tc.p.User.ID {
						t.Errorf("the refused attempt is not audited: %+v", es)
					}
				})
			}
		})
		t.Run("already visible", func(t *testing.T) {
			_, err := f.access.RequestAccess(ctx, f.bankAdmin, ind, "strict", "need it")
			wantErr(t, err, verbund.Conflict, "already-visible")
			_, err = f.access.RequestAccess(ctx, f.certUser, ind, "clear", "need it")
			wantErr(t, err, verbund.Conflict, "already-visible")
		})
		t.Run("only people of active members", func(t *testing.T) {
			_, err := f.access.RequestAccess(ctx, f.certToken, ind, "green", "need it")
			wantErr(t, err, verbund.Forbidden, "")
			_, err = f.access.RequestAccess(ctx, identity.Principal{}, ind, "green", "need it")
			wantErr(t, err, verbund.Unauthenticated, "")
			if es := f.auditOf(t, "access.request", "green"); len(es) < 2 || es[0].Outcome != audit.Denied || es[0].ActorOrg != "" ||
				es[1].Outcome != audit.Denied || es[1].ActorToken != f.certToken.Token.ID {
				t.Errorf("refused attempts on green: %+v", es)
			}
		})
		t.Run("a reason is required", func(t *testing.T) {
			_, err := f.access.RequestAccess(ctx, f.certUser, ind, "green", " ")
			wantErr(t, err, verbund.Invalid, "")
			if verbund.ErrorFields(err)["reason"] == "" {
				t.Errorf("fields = %v", verbund.ErrorFields(err))
			}
		})

		// Only the owner's administrator decides.
		*f.now = f.now.Add(time.Hour)
		for _, tc := range []struct {
			name string
			p    identity.Principal
			kind verbund.Kind
		}{
			{"another organisation's admin", f.bankAdmin, verbund.NotFound},
			{"the requesting organisation's admin", f.certAdmin, verbund.Forbidden},
			{"a member of the owner who is no admin", f.ownerMember, verbund.Forbidden},
			{"the office", f.officeAdmin, verbund.NotFound},
		} {
			t.Run("may not decide: "+tc.name, func(t *testing.T) {
				_, err := f.access.DecideAccess(ctx, tc.p, r.ID, true, "sure")
				wantErr(t, err, tc.kind, "")
				if es := f.auditOf(t, "access.decide", "amber"); len(es) == 0 || es[0].Outcome != audit.Denied || es[0].ActorUser != tc.p.User.ID {
					t.Errorf("the refused decision is not audited: %+v", es)
				}
			})
		}
		if d := f.decide(t, f.certUser, "amber"); d.Allow {
			t.Fatalf("a refused decision changed the audience: %v", d)
		}

		// The grant lets the CERT in at once, and nobody else.
		decided := *f.now
		g, err := f.access.DecideAccess(ctx, f.ownerAdmin, r.ID, true, "they operate the same plant type")
		if err != nil {
			t.Fatal(err)
		}
		if g.State != sharing.RequestGranted || g.DecidedBy != f.ownerAdmin.User.ID || !g.DecidedAt.Equal(decided) ||
			g.Decision != "they operate the same plant type" {
			t.Errorf("granted request = %+v", g)
		}
		for _, p := range []identity.Principal{f.certUser, f.certAdmin} {
			if d := f.decide(t, p, "amber"); !d.Allow || d.Via != policy.ViaOrg {
				t.Errorf("after the grant, %s: %v", p.User.Email, d)
			}
		}
		if d := f.decide(t, f.bankAdmin, "amber"); d.Allow {
			t.Errorf("the grant let the Bank in too: %v", d)
		}
		if d := f.decide(t, f.certUser, "amber-2"); d.Allow {
			t.Errorf("the grant let the CERT into another object: %v", d)
		}
		if m, _ := db.Marking(ctx, ind, "amber"); !slices.Equal(m.Marking.Audience.Orgs, []string{f.cert.ID}) ||
			!slices.Equal(m.Marking.Audience.Sectors, []string{"energy"}) || m.Marking.TLP != policy.Amber {
			t.Errorf("marking after the grant: %+v", m.Marking)
		}
		if es := f.auditOf(t, "access.grant", "amber"); len(es) != 1 || es[0].ActorUser != f.ownerAdmin.User.ID ||
			!strings.Contains(es[0].Reason, f.cert.ID) {
			t.Errorf("audit of the grant: %+v", es)
		}
		if got := f.mailTo(t, "analyst@cert.example"); len(got) != 1 ||
			got[0] != "nl:mail.access.granted.subject[Stadtwerke indicator amber they operate the same plant type "+link+"]" {
			t.Errorf("mail to the requester: %q", got)
		}
		_, err = f.access.DecideAccess(ctx, f.ownerAdmin, r.ID, false, "on second thought")
		wantErr(t, err, verbund.Conflict, "already-decided")

		t.Run("refusal", func(t *testing.T) {
			*f.now = f.now.Add(time.Minute)
			q, err := f.access.RequestAccess(ctx, f.bankAdmin, ind, "green", "finance is affected too")
			if err != nil {
				t.Fatal(err)
			}
			q, err = f.access.DecideAccess(ctx, f.ownerAdmin, q.ID, false, "not relevant for banks")
			if err != nil || q.State != sharing.RequestRefused {
				t.Fatalf("refuse = %+v, %v", q, err)
			}
			if d := f.decide(t, f.bankAdmin, "green"); d.Allow {
				t.Errorf("a refusal let the Bank in: %v", d)
			}
			if es := f.auditOf(t, "access.refuse", "green"); len(es) != 1 {
				t.Errorf("audit of the refusal: %+v", es)
			}
			if got := f.mailTo(t, "admin@bank.example"); len(got) != 1 || !strings.Contains(got[0], "mail.access.refused.subject") {
				t.Errorf("mail to the refused requester: %q", got)
			}
		})
		t.Run("a grant never breaks the marking", func(t *testing.T) {
			*f.now = f.now.Add(time.Minute)
			q, err := f.access.RequestAccess(ctx, f.bankAdmin, ind, "amber-2", "need it")
			if err != nil {
				t.Fatal(err)
			}
			// Meanwhile the owner narrows the object to named organisations.
			f.mark(t, "amber-2", f.owner.ID, policy.Marking{TLP: policy.AmberStrict, Audience: policy.Audience{Orgs: []string{f.owner.ID}}})
			_, err = f.access.DecideAccess(ctx, f.ownerAdmin, q.ID, true, "fine")
			wantErr(t, err, verbund.Conflict, "grant-breaks-marking")
			if d := f.decide(t, f.bankAdmin, "amber-2"); d.Allow {
				t.Errorf("the refused grant let the Bank in: %v", d)
			}
			if es := f.auditOf(t, "access.grant", "amber-2"); len(es) != 0 {
				t.Errorf("a failed grant is audited as done: %+v", es)
			}
			// The request stays open and can be refused.
			if _, err := f.access.DecideAccess(ctx, f.ownerAdmin, q.ID, false, "narrowed since"); err != nil {
				t.Error(err)
			}
		})
		t.Run("objects of the office: an office admin decides", func(t *testing.T) {
			*f.now = f.now.Add(time.Minute)
			q, err := f.access.RequestAccess(ctx, f.certUser, ind, "office-green", "need it")
			if err != nil {
				t.Fatal(err)
			}
			if got := f.mailTo(t, "admin@office.example"); len(got) != 1 {
				t.Errorf("mail to the office admin: %q", got)
			}
			_, err = f.access.DecideAccess(ctx, f.officeAssessor, q.ID, true, "fine")
			wantErr(t, err, verbund.Forbidden, "")
			if _, err := f.access.DecideAccess(ctx, f.officeAdmin, q.ID, true, "fine"); err != nil {
				t.Fatal(err)
			}
			if d := f.decide(t, f.certUser, "office-green"); !d.Allow {
				t.Errorf("after the office's grant: %v", d)
			}
		})
		t.Run("listing", func(t *testing.T) {
			list := func(p identity.Principal, filter sharing.RequestFilter) []string {
				t.Helper()
				rs, err := f.access.AccessRequests(ctx, p, filter)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, r := range rs {
					out = append(out, r.ObjectID+":"+string(r.State))
				}
				return out
			}
			if got := list(f.ownerAdmin, sharing.RequestFilter{Incoming: true}); !slices.Equal(got, []string{"amber-2:refused", "green:refused", "amber:granted"}) {
				t.Errorf("incoming for the owner = %v", got)
			}
			if got := list(f.ownerAdmin, sharing.RequestFilter{Incoming: true, State: sharing.RequestGranted}); !slices.Equal(got, []string{"amber:granted"}) {
				t.Errorf("granted incoming = %v", got)
			}
			if got := list(f.certUser, sharing.RequestFilter{}); !slices.Equal(got, []string{"office-green:granted", "amber:granted"}) {
				t.Errorf("own requests = %v", got)
			}
			if got := list(f.certAdmin, sharing.RequestFilter{}); !slices.Equal(got, []string{"office-green:granted", "amber:granted"}) {
				t.Errorf("the organisation's requests for its admin = %v", got)
			}
			if got := list(f.bankAdmin, sharing.RequestFilter{Incoming: true}); len(got) != 0 {
				t.Errorf("incoming for the Bank = %v", got)
			}
			_, err := f.access.AccessRequests(ctx, f.ownerMember, sharing.RequestFilter{Incoming: true})
			wantErr(t, err, verbund.Forbidden, "")
			_, err = f.access.AccessRequests(ctx, f.certToken, sharing.RequestFilter{})
			wantErr(t, err, verbund.Forbidden, "")
			if _, err := f.access.Request(ctx, f.ownerAdmin, r.ID); err != nil {
				t.Errorf("the owner's admin reads the request: %v", err)
			}
			_, err = f.access.Request(ctx, f.bankAdmin, r.ID)
			wantErr(t, err, verbund.NotFound, "")
		})
	})
}
