package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/server"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/sharing/stixrelay"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/cti"
	"github.com/verbund/verbund/internal/warning"
)

// password is the password of every user the fixture creates.
const password = "correct horse battery staple"

// fixture is a server on a real SQLite database with an office, one member
// organisation and a user of each kind, and version 1 of the agreement,
// which the member has accepted.
type fixture struct {
	db  *store.DB
	ids *identity.Service
	mem *membership.Service
	cat *i18n.Catalog
	des *designation.Service
	// door, stix, access and inc are the sharing door and the services behind
	// it; inc takes reports from the public.
	door   *sharing.Door
	stix   *cti.Service
	access *sharing.Access
	inc    *incident.Service
	srv    *server.Server
	ts     *httptest.Server

	// warn is the warning service; partners lists the organisations it
	// takes for partners.
	warn     *warning.Service
	partners map[string]bool
	// clock is the membership service's time: tests move it on to let
	// verification links expire.
	clock *clock

	office, member                          identity.Organisation
	officeAdmin, reviewer, orgAdmin, orgMbr identity.User
}

// clock is a time that tests can move on.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.off) }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// agreementTexts is version 1 of the fixture's agreement.
var agreementTexts = map[string]string{
	"de": "Vereinbarung: Vertrauliches bleibt vertraulich.",
	"nl": "Overeenkomst: vertrouwelijk blijft vertrouwelijk.",
	"en": "Agreement: what is confidential stays confidential.",
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{db: storetest.SQLite(t), cat: i18n.MustLoad(), clock: &clock{}}
	cfg := identity.DefaultConfig()
	cfg.Argon2 = identity.FastArgon2
	cfg.MailHeld = true
	cfg.Text = f.cat.T
	cfg.BaseURL = "http://verbund.test"
	f.ids = identity.NewService(f.db.Identity(), cfg)
	f.des = designation.NewService(f.db.Designation(), designation.DefaultConfig())

	sys := identity.SystemPrincipal()
	var err error
	if f.office, err = f.ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: "Office", Kind: identity.KindOffice, Country: "DE",
		Sectors: []string{"public-administration"}}); err != nil {
		t.Fatal(err)
	}
	if f.member, err = f.ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: "Stadtwerke", Country: "DE",
		Sectors: []string{"energy", "water"}, ContactName: "Klaus", ContactEmail: "klaus@stadtwerke.example"}); err != nil {
		t.Fatal(err)
	}
	user := func(org identity.Organisation, email string, roles ...identity.Role) identity.User {
		u, err := f.ids.CreateUser(ctx, sys, identity.NewUser{OrgID: org.ID, Email: email, Name: email, Password: password, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.officeAdmin = user(f.office, "admin@office.example", identity.RoleOfficeAdmin, identity.RoleOrgAdmin)
	f.reviewer = user(f.office, "reviewer@office.example", identity.RoleReviewer)
	f.orgAdmin = user(f.member, "admin@stadtwerke.example", identity.RoleOrgAdmin)
	f.orgMbr = user(f.member, "soc@stadtwerke.example", identity.RoleOrgMember)

	mcfg := membership.DefaultConfig()
	mcfg.Now, mcfg.Argon2, mcfg.MailHeld, mcfg.Text, mcfg.BaseURL = f.clock.Now, identity.FastArgon2, true, f.cat.T, cfg.BaseURL
	mcfg.AllowedCountries = []string{"DE", "NL"}
	f.mem = membership.NewService(f.db.Membership(), mcfg)
	if _, err := f.mem.PublishAgreement(ctx, sys, agreementTexts); err != nil {
		t.Fatal(err)
	}
	if _, err := f.mem.Sign(ctx, f.principal(t, f.orgAdmin), f.member.ID, 1, "de"); err != nil {
		t.Fatal(err)
	}

	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	f.door = sharing.New(pol, f.mem, f.des, f.des, f.ids, f.clock.Now)
	f.stix = cti.NewService(f.db.STIX(), f.door, nil)
	f.access = sharing.NewAccess(f.door, f.db.Access(), sharing.AccessConfig{MailHeld: true, BaseURL: cfg.BaseURL, Text: f.cat.T})
	f.partners = map[string]bool{}
	f.warn = warning.NewService(f.db.Warnings(), f.door, warning.Config{
		IsPartner: func(_ context.Context, org string) (bool, error) { return f.partners[org], nil }})
	f.inc = incident.NewService(f.db.Incidents(), f.door, incident.Config{Now: f.clock.Now, Public: true,
		MailHeld: true, BaseURL: cfg.BaseURL, Text: f.cat.T})

	var h http.Handler
	f.srv, h, err = server.NewServer(server.Config{BaseURL: cfg.BaseURL, Version: "test"}, server.Deps{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Identity: f.ids, Membership: f.mem, Designation: f.des,
		Audit: f.db, Mail: f.db, DB: f.db, Catalog: f.cat, CSRFKey: []byte("0123456789abcdef0123456789abcdef"),
		Door: f.door, STIX: f.stix, Access: f.access, Explainer: sharing.NewExplainer(f.door, f.db.Access(), nil),
		Relay:    stixrelay.New(f.door, f.stix, sharing.NewSanitiser(sharing.DefaultRules(), []byte("relay key")), f.ids, nil),
		Warnings: f.warn, Incidents: f.inc,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(h)
	t.Cleanup(f.ts.Close)
	return f
}

// principal returns the principal of u, as a session of u has it.
func (f *fixture) principal(t *testing.T, u identity.User) identity.Principal {
	t.Helper()
	p, err := f.ids.Principal(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// registration returns the form of a valid registration of name, with
// addresses at domain.
func registration(name, domain string) url.Values {
	return url.Values{
		"name": {name}, "legal_form": {"GmbH"}, "street": {"Hafenstraße 3"}, "postcode": {"26122"}, "city": {"Oldenburg"},
		"country": {"DE"}, "sectors": {"energy", "ict-services"}, "size_class": {"50-249"}, "website": {domain},
		"contact_name": {"Carla Contact"}, "contact_function": {"CISO"}, "contact_email": {"contact@" + domain},
		"contact_phone": {"+49 441 1234"}, "user_name": {"Ada Admin"}, "user_email": {"ada@" + domain},
		"password": {password}, "password2": {password}, "agreement_version": {"1"}, "agreement_lang": {"en"},
		"accept_agreement": {"on"},
	}
}

var verifyLink = regexp.MustCompile(`http://verbund\.test(/register/verify/[A-Za-z0-9_-]+)`)

// verifyPath returns the path of the newest verification link mailed to
// addr.
func (f *fixture) verifyPath(t *testing.T, addr string) string {
	t.Helper()
	msgs, err := f.db.ListMail(t.Context(), mail.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs { // newest first
		if m.To == addr {
			if l := verifyLink.FindStringSubmatch(m.Text); l != nil {
				return l[1]
			}
		}
	}
	t.Fatalf("no verification link mailed to %s", addr)
	return ""
}

// joined registers name through the web form, confirms the address and
// returns the organisation, now an active participant, and a browser
// logged in as its first user (its administrator).
func (f *fixture) joined(t *testing.T, name, domain string) (identity.Organisation, *browser) {
	t.Helper()
	b := f.browser(t)
	form := registration(name, domain)
	if m := regexp.MustCompile(`name="agreement_version" value="(\d+)"`).FindStringSubmatch(b.get("/register").body); m != nil {
		form.Set("agreement_version", m[1])
	}
	r := b.post("/register", form)
	r.wantStatus(t, http.StatusOK)
	if r.url.Path != "/register/sent" {
		t.Fatalf("registration ended at %s\n%.3000s", r.url, between(r.body, "<main", "</main>"))
	}
	b.get(f.verifyPath(t, "ada@"+domain)).wantStatus(t, http.StatusOK)
	u, err := f.db.UserByEmail(t.Context(), "ada@"+domain)
	if err != nil {
		t.Fatal(err)
	}
	org, err := f.db.Organisation(t.Context(), u.OrgID)
	if err != nil || org.Status != identity.StatusActive {
		t.Fatalf("after verification the organisation is %+v, %v", org, err)
	}
	b.get("/login")
	if r := b.post("/login", url.Values{"email": {u.Email}, "password": {password}}); r.url.Path != "/" {
		t.Fatalf("login of %s ended at %s", u.Email, r.url)
	}
	return org, b
}

// browser is a client with a cookie jar that follows redirects and keeps
// the CSRF token of the last page it saw.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func (f *fixture) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: f.ts.URL, c: &http.Client{Jar: jar}}
}

// loggedIn returns a browser with a session of u.
func (f *fixture) loggedIn(t *testing.T, u identity.User) *browser {
	b := f.browser(t)
	b.get("/login")
	r := b.post("/login", url.Values{"email": {u.Email}, "password": {password}})
	if r.url.Path != "/" {
		t.Fatalf("login of %s ended at %s with %d", u.Email, r.url, r.status)
	}
	return b
}

type response struct {
	status int
	header http.Header
	body   string
	url    *url.URL
	json   map[string]any
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(method, path string, body io.Reader, edit func(*http.Request)) *response {
	t := b.t
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, b.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(req)
	}
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	r := &response{status: res.StatusCode, header: res.Header, body: string(raw), url: res.Request.URL}
	if ct := res.Header.Get("Content-Type"); strings.Contains(ct, "json") && len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.json); err != nil {
			t.Fatalf("%s %s: %s is not JSON: %v", method, path, ct, err)
		}
	}
	if m := csrfField.FindStringSubmatch(r.body); m != nil {
		b.csrf = m[1]
	}
	return r
}

func (b *browser) get(path string) *response { return b.do(http.MethodGet, path, nil, nil) }

// post sends a form with the CSRF token of the last page seen.
func (b *browser) post(path string, vals url.Values) *response {
	if vals == nil {
		vals = url.Values{}
	}
	vals.Set("csrf", b.csrf)
	return b.do(http.MethodPost, path, strings.NewReader(vals.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	})
}

// postJSON sends body to the API with the session's CSRF token as header.
func (b *browser) postJSON(path string, body io.Reader) *response {
	return b.do(http.MethodPost, path, body, func(r *http.Request) {
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-CSRF-Token", b.csrf)
	})
}

func (r *response) wantStatus(t *testing.T, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d\n%.3000s", r.url.Path, r.status, want, r.body)
	}
}

func (r *response) wantProblem(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status || r.header.Get("Content-Type") != "application/problem+json" || r.json["code"] != code {
		t.Errorf("%s: %d %s %v, want %d problem %q", r.url.Path, r.status, r.header.Get("Content-Type"), r.json, status, code)
	}
}
