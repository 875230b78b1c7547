package membership_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// clock is a settable time for the services under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const pw = "correct horse battery staple"

// texts is version 1 of the agreement.
var texts = map[string]string{
	"de": "# Vereinbarung\nVertrauliches bleibt vertraulich.",
	"nl": "# Overeenkomst\nVertrouwelijk blijft vertrouwelijk.",
	"en": "# Agreement\nWhat is confidential stays confidential.",
}

// fixture is the office with an admin and a reviewer, version 1 of the
// agreement, and the membership and identity services on a real database.
type fixture struct {
	db       *store.DB
	svc      *membership.Service
	ids      *identity.Service
	clk      *clock
	hooked   []string // organisations the termination hook ran for
	office   identity.Organisation
	admin    identity.Principal // office admin
	reviewer identity.Principal
}

// setup returns a fixture; change adjusts the membership configuration.
func setup(t *testing.T, db *store.DB, change ...func(*membership.Config)) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{db: db, clk: &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}}
	text := func(lang, key string, args ...any) string {
		parts := []string{lang, key}
		for _, a := range args {
			parts = append(parts, fmt.Sprint(a))
		}
		return strings.Join(parts, " | ")
	}
	icfg := identity.DefaultConfig()
	icfg.Now, icfg.Argon2, icfg.MailHeld, icfg.Text = f.clk.Now, identity.FastArgon2, true, text
	f.ids = identity.NewService(db.Identity(), icfg)
	cfg := membership.Config{
		Now: f.clk.Now, MailHeld: true, BaseURL: "https://verbund.example/", Text: text, Argon2: identity.FastArgon2,
		OnTermination: []membership.TerminationHook{func(_ context.Context, _ membership.Tx, orgID string, _ time.Time) error {
			f.hooked = append(f.hooked, orgID)
			return nil
		}},
	}
	for _, c := range change {
		c(&cfg)
	}
	f.svc = membership.NewService(db.Membership(), cfg)
	sys := identity.SystemPrincipal()
	var err error
	f.office, err = f.ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: "Alliance Office", Kind: identity.KindOffice, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	f.admin = f.user(t, f.office.ID, "admin@office.example", identity.RoleOfficeAdmin)
	f.reviewer = f.user(t, f.office.ID, "reviewer@office.example", identity.RoleReviewer)
	if _, err := f.svc.PublishAgreement(ctx, f.admin, texts); err != nil {
		t.Fatalf("publish the agreement: %v", err)
	}
	return f
}

// user creates a user with roles in org and returns its principal.
func (f *fixture) user(t *testing.T, orgID, email string, roles ...identity.Role) identity.Principal {
	t.Helper()
	u, err := f.ids.CreateUser(t.Context(), identity.SystemPrincipal(), identity.NewUser{OrgID: orgID, Email: email, Name: email, Password: pw, Roles: roles})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return f.principal(t, u.ID)
}

// principal loads the principal of user id as a session would.
func (f *fixture) principal(t *testing.T, userID string) identity.Principal {
	t.Helper()
	p, err := f.ids.Principal(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// registration returns a valid registration of name with addresses at
// domain.
func registration(name, domain string) membership.NewRegistration {
	return membership.NewRegistration{
		Name: name, LegalForm: "GmbH", Street: "Hauptstraße 1", Postcode: "10115", City: "Berlin", Country: "de",
		Sectors: []string{"energy", "water"}, SizeClass: "50-249", Website: domain,
		ContactName: "Clara Contact", ContactFunction: "CISO", ContactEmail: "contact@" + domain, ContactPhone: "+49 30 1234",
		UserName: "Ada Admin", UserEmail: "ada@" + domain, Password: pw,
		AgreementVersion: 1, AgreementLang: "en", AcceptAgreement: true,
	}
}

// register registers in and fails t on error.
func (f *fixture) register(t *testing.T, in membership.NewRegistration) membership.Registration {
	t.Helper()
	r, err := f.svc.Register(withIP(t.Context(), "198.51.100.7"), in)
	if err != nil {
		t.Fatalf("Register(%s): %v", in.Name, err)
	}
	return r
}

// link returns the secret of the newest verification link mailed to addr.
func (f *fixture) link(t *testing.T, addr string) string {
	t.Helper()
	m := f.lastMail(t, addr, "mail.verify")
	_, rest, ok := strings.Cut(m.Text, "https://verbund.example"+membership.VerifyPath)
	if !ok {
		t.Fatalf("no verification link in %q", m.Text)
	}
	secret, _, _ := strings.Cut(rest, " ")
	return secret
}

// lastMail returns the newest message to addr whose text comes from key.
func (f *fixture) lastMail(t *testing.T, addr, key string) mail.Message {
	t.Helper()
	ms := f.mails(t, addr, key)
	if len(ms) == 0 {
		t.Fatalf("no %s mail to %s", key, addr)
	}
	return ms[0]
}

// mails returns the messages to addr whose text comes from key, newest
// first.
func (f *fixture) mails(t *testing.T, addr, key string) []mail.Message {
	t.Helper()
	ms, err := f.db.ListMail(t.Context(), mail.Filter{To: addr, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []mail.Message
	for _, m := range ms {
		if strings.Contains(m.Text, " | "+key+".body") {
			out = append(out, m)
		}
	}
	return out
}

// member registers and verifies an organisation, which is then active in
// immediate activation, and returns it with its admin's principal.
func (f *fixture) member(t *testing.T, name, domain string) (identity.Organisation, identity.Principal) {
	t.Helper()
	r := f.register(t, registration(name, domain))
	org, err := f.svc.Verify(t.Context(), f.link(t, r.User.Email))
	if err != nil {
		t.Fatalf("verify %s: %v", name, err)
	}
	return org, f.principal(t, r.User.ID)
}

// audits returns the audit entries of action (exact, or a prefix ending in
// ".") with outcome, newest first.
func (f *fixture) audits(t *testing.T, action string, outcome audit.Outcome) []audit.Entry {
	t.Helper()
	es, err := f.db.ListAudit(t.Context(), audit.Filter{Action: action, Outcome: outcome, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func (f *fixture) org(t *testing.T, id string) identity.Organisation {
	t.Helper()
	o, err := f.db.Organisation(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func withIP(ctx context.Context, ip string) context.Context {
	return audit.WithRequest(ctx, audit.Request{ID: "req-" + ip, IP: ip})
}

// wantErr fails t unless err has kind k and, when code is not "", code.
func wantErr(t *testing.T, err error, k verbund.Kind, code string) {
	t.Helper()
	if err == nil || verbund.ErrorKind(err) != k || (code != "" && verbund.ErrorCode(err) != code) {
		t.Fatalf("error = %v (kind %v, code %q), want kind %v code %q", err, verbund.ErrorKind(err), verbund.ErrorCode(err), k, code)
	}
}

// each runs fn on SQLite and PostgreSQL with a fresh fixture.
func each(t *testing.T, fn func(t *testing.T, f *fixture), change ...func(*membership.Config)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) { fn(t, setup(t, db, change...)) })
}
