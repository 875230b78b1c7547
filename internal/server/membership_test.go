package server_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

func esc(s string) string { return template.HTMLEscapeString(s) }

func (r *response) wantContains(t *testing.T, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Errorf("%s (%d) does not contain %q\n%.3000s", r.url.Path, r.status, p, between(r.body, "<main", "</main>"))
		}
	}
}

// api calls the API with a token, or with the browser's session (and its
// CSRF token) when token is "".
func (b *browser) api(method, path, token, body string) *response {
	b.t.Helper()
	var rd io.Reader = http.NoBody
	if body != "" {
		rd = strings.NewReader(body)
	}
	return b.do(method, path, rd, func(r *http.Request) {
		r.Header.Set("Accept", "application/json")
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		} else {
			r.Header.Set("X-CSRF-Token", b.csrf)
		}
	})
}

// audited reports whether the audit log has a denied entry of action by
// user about object.
func (f *fixture) audited(t *testing.T, action, userID, object string) bool {
	t.Helper()
	entries, err := f.db.ListAudit(t.Context(), audit.Filter{Action: action, ActorUser: userID, Outcome: audit.Denied, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if object == "" || e.ObjectID == object {
			return true
		}
	}
	return false
}

// Registration through the web: problems beside the fields with what was
// typed kept, the answers for names and addresses in use, a polite refusal
// for other countries, confirmation, and the limit per address.
func TestRegistration(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	anon := f.browser(t)

	r := anon.get("/register")
	r.wantStatus(t, http.StatusOK)
	r.wantContains(t, esc(agreementTexts["en"]), `name="agreement_version" value="1"`, `<option value="DE"`, `<option value="NL"`)

	// Problems beside the fields; typed values kept, passwords not.
	bad := registration("Werft Nord", "werft.example")
	bad.Set("password2", "something else entirely")
	bad.Del("accept_agreement")
	bad.Set("website", "not a website")
	r = anon.post("/register", bad)
	r.wantStatus(t, http.StatusBadRequest)
	r.wantContains(t, `id="e-password2"`, `id="e-accept_agreement"`, `id="e-website"`, `value="Werft Nord"`,
		esc(f.cat.T("en", "msg.the two passwords differ")))
	if strings.Contains(r.body, password) {
		t.Error("the password is shown again")
	}
	if _, err := f.db.UserByEmail(ctx, "ada@werft.example"); err == nil {
		t.Fatal("a registration with problems was stored")
	}

	// Another country: a polite refusal that names the countries.
	other := registration("Werft Nord", "werft.example")
	other.Set("country", "XX")
	r = anon.post("/register", other)
	r.wantStatus(t, http.StatusBadRequest)
	r.wantContains(t, esc(f.cat.T("en", "register.country.thanks")), esc(f.cat.T("en", "register.country.refused", "Germany, Netherlands")))

	// A registration that works, then its confirmation.
	r = anon.post("/register", registration("Werft Nord", "werft.example"))
	r.wantStatus(t, http.StatusOK)
	if r.url.Path != "/register/sent" {
		t.Fatalf("ended at %s", r.url)
	}
	u, err := f.db.UserByEmail(ctx, "ada@werft.example")
	if err != nil {
		t.Fatal(err)
	}
	org, _ := f.db.Organisation(ctx, u.OrgID)
	if org.Status != identity.StatusPending {
		t.Errorf("before confirmation the organisation is %s", org.Status)
	}
	link := f.verifyPath(t, "ada@werft.example")
	r = anon.get(link)
	r.wantStatus(t, http.StatusOK)
	r.wantContains(t, `data-status="active"`, esc(f.cat.T("en", "register.verify.active", "Werft Nord")))
	// The link works once.
	anon.get(link).wantStatus(t, http.StatusBadRequest)

	// The same organisation again, and an address in use: what to do.
	again := registration("Werft Nord", "werft2.example")
	r = anon.post("/register", again)
	r.wantStatus(t, http.StatusConflict)
	r.wantContains(t, esc(f.cat.T("en", "register.conflict.org")), `href="/reset"`, `id="e-name"`)
	inUse := registration("Werft Süd", "werft2.example")
	inUse.Set("user_email", "admin@stadtwerke.example")
	r = anon.post("/register", inUse)
	r.wantStatus(t, http.StatusConflict)
	r.wantContains(t, esc(f.cat.T("en", "register.conflict.email")), `id="e-user_email"`)

	// Every attempt that reached the database counts: ten an hour.
	for i := 0; i < 7; i++ {
		anon.post("/register", again).wantStatus(t, http.StatusConflict)
	}
	r = anon.post("/register", registration("Werft West", "werft3.example"))
	r.wantStatus(t, http.StatusTooManyRequests)
	if got := r.header.Get("Retry-After"); got != "3600" {
		t.Errorf("Retry-After: %q, want 3600", got)
	}
	r.wantContains(t, esc(f.cat.T("en", "msg.too many registrations from your address; please try again in an hour, or ask the office")))
	if _, err := f.db.UserByEmail(ctx, "ada@werft3.example"); err == nil {
		t.Error("a registration over the limit was stored")
	}
	// The API shares the limit.
	r = anon.api(http.MethodPost, "/api/v1/registrations", "", `{"name":"x"}`)
	r.wantProblem(t, http.StatusTooManyRequests, "registration-throttled")
}

// A verification link that expired says so and offers a new one, which
// works.
func TestVerificationExpired(t *testing.T) {
	f := newFixture(t)
	anon := f.browser(t)
	anon.get("/register")
	anon.post("/register", registration("Deichbau", "deich.example")).wantStatus(t, http.StatusOK)
	old := f.verifyPath(t, "ada@deich.example")

	f.clock.Add(49 * time.Hour)
	r := anon.get(old)
	r.wantStatus(t, http.StatusBadRequest)
	r.wantContains(t, esc(f.cat.T("en", "register.verify.expired")), `action="/register/resend"`,
		esc(f.cat.T("en", "msg.this link has expired; ask for a new one and use it within 48 hours")))

	r = anon.post("/register/resend", url.Values{"email": {"ada@deich.example"}})
	r.wantStatus(t, http.StatusOK)
	r.wantContains(t, esc(f.cat.T("en", "register.resent")))
	fresh := f.verifyPath(t, "ada@deich.example")
	if fresh == old {
		t.Fatal("no new link was sent")
	}
	anon.get(fresh).wantContains(t, `data-status="active"`)
	// An address without a waiting registration gets the same answer.
	anon.get("/register/resend")
	anon.post("/register/resend", url.Values{"email": {"nobody@nowhere.example"}}).wantContains(t, esc(f.cat.T("en", "register.resent")))
}

// The refusals of the membership pages: each is refused with a message the
// user can act on, changes nothing, and what crosses organisations is
// audited.
func TestMembershipRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	org, admin := f.joined(t, "Hafen Logistik", "hafen.example")
	u, _ := f.db.UserByEmail(ctx, "ada@hafen.example")
	other, _ := f.joined(t, "Fährlinie", "faehre.example")
	reviewer := f.loggedIn(t, f.reviewer)

	apply := func(t *testing.T) string {
		admin.get("/member/partner")
		admin.post("/member/partner/apply", url.Values{"expertise": {"incident response"}, "description": {"We run a CERT."}}).wantStatus(t, http.StatusOK)
		apps, err := f.db.ListApplications(ctx, membership.ApplicationFilter{OrgID: org.ID, State: membership.Pending})
		if err != nil || len(apps) != 1 {
			t.Fatalf("applications: %v %v", apps, err)
		}
		return apps[0].ID
	}

	for _, c := range []struct {
		name   string
		do     func(t *testing.T) *response
		status int
		want   string // English message shown (translated through msg.)
		audit  string // action of a denied audit entry by the admin
	}{
		{"contribution without an approved application", func(t *testing.T) *response {
			admin.get("/member/partner")
			return admin.post("/member/partner/contributions", url.Values{"type": {"tool"}, "title": {"Log checker"}})
		}, http.StatusConflict, "the office has not approved an application of your organisation as partner; apply first", ""},
		{"an activity type on the partner page", func(t *testing.T) *response {
			admin.get("/member/partner")
			return admin.post("/member/partner/contributions", url.Values{"type": {"social-media"}, "title": {"Posts"}})
		}, http.StatusBadRequest, "choose one of the types offered", ""},
		{"deciding twice", func(t *testing.T) *response {
			id := apply(t)
			reviewer.get("/office/membership")
			reviewer.post("/office/applications/"+id+"/decision", url.Values{"decision": {"approve"}, "reason": {"good"}}).wantStatus(t, http.StatusOK)
			reviewer.get("/office/membership")
			return reviewer.post("/office/applications/"+id+"/decision", url.Values{"decision": {"reject"}, "reason": {"changed my mind"}})
		}, http.StatusConflict, "this application was decided already", ""},
		{"a decision without a reason", func(t *testing.T) *response {
			admin.get("/member/multiplier")
			admin.post("/member/multiplier/apply", url.Values{"org_type": {"network"}, "description": {"We reach ports."}}).wantStatus(t, http.StatusOK)
			apps, _ := f.db.ListApplications(ctx, membership.ApplicationFilter{OrgID: org.ID, Kind: membership.Multiplier})
			reviewer.get("/office/membership")
			return reviewer.post("/office/applications/"+apps[0].ID+"/decision", url.Values{"decision": {"approve"}})
		}, http.StatusBadRequest, "required: say why", ""},
		{"a multiplier without the checklist", func(t *testing.T) *response {
			apps, _ := f.db.ListApplications(ctx, membership.ApplicationFilter{OrgID: org.ID, Kind: membership.Multiplier})
			reviewer.get("/office/membership")
			return reviewer.post("/office/applications/"+apps[0].ID+"/decision", url.Values{"decision": {"approve"}, "reason": {"fine"},
				"checked": {membership.DefaultChecklist[0]}})
		}, http.StatusBadRequest, "confirm every item", ""},
		{"forged organisation in the termination form", func(t *testing.T) *response {
			admin.get("/member")
			return admin.post("/org/"+other.ID+"/terminate", url.Values{"confirm": {"Fährlinie"}})
		}, http.StatusNotFound, "", "access.denied"},
		{"forged organisation in the network form", func(t *testing.T) *response {
			admin.get("/member/network")
			return admin.post("/org/"+other.ID+"/network", url.Values{"visible": {"on"}})
		}, http.StatusNotFound, "", "access.denied"},
		{"forged organisation in an API application", func(t *testing.T) *response {
			admin.get("/member")
			return admin.api(http.MethodPost, "/api/v1/organisations/"+other.ID+"/applications", "", `{"kind":"partner","expertise":["x"],"description":"y"}`)
		}, http.StatusNotFound, "", "application.submit"},
		{"a member deciding as the office", func(t *testing.T) *response {
			admin.get("/member")
			return admin.post("/office/applications/x/decision", url.Values{"decision": {"approve"}, "reason": {"me"}})
		}, http.StatusForbidden, "you do not have the role this page needs", "access.denied"},
		{"an unaccepted new agreement", func(t *testing.T) *response {
			if _, err := f.mem.PublishAgreement(ctx, identity.SystemPrincipal(), map[string]string{"de": "2", "nl": "2", "en": "2"}); err != nil {
				t.Fatal(err)
			}
			// The partner application is approved: only the agreement is missing.
			admin.get("/member/partner")
			return admin.post("/member/partner/contributions", url.Values{"type": {"tool"}, "title": {"Log checker"}})
		}, http.StatusConflict, "accept the current agreement first", ""},
		{"an expired verification link", func(t *testing.T) *response {
			anon := f.browser(t)
			form := registration("Deichbau", "deich.example")
			form.Set("agreement_version", "2")
			anon.get("/register")
			anon.post("/register", form).wantStatus(t, http.StatusOK)
			f.clock.Add(49 * time.Hour)
			return anon.get(f.verifyPath(t, "ada@deich.example"))
		}, http.StatusBadRequest, "this link has expired; ask for a new one and use it within 48 hours", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := c.do(t)
			if r.status != c.status {
				t.Fatalf("status %d, want %d\n%.3000s", r.status, c.status, between(r.body, "<main", "</main>"))
			}
			if c.want != "" {
				r.wantContains(t, esc(f.cat.T("en", "msg."+c.want)))
			}
			if c.audit != "" && !f.audited(t, c.audit, u.ID, "") {
				t.Errorf("no denied %s entry by the admin", c.audit)
			}
		})
	}
	if cs, _ := f.db.ListContributions(ctx, membership.ContributionFilter{OrgID: org.ID}); len(cs) != 0 {
		t.Errorf("refused contributions were stored: %v", cs)
	}
	// The other organisation is untouched.
	o, _ := f.db.Organisation(ctx, other.ID)
	if o.Status != identity.StatusActive {
		t.Errorf("the other organisation is %s", o.Status)
	}
	if apps, _ := f.db.ListApplications(ctx, membership.ApplicationFilter{OrgID: other.ID}); len(apps) != 0 {
		t.Errorf("the other organisation got applications: %v", apps)
	}
}

// A new version of the agreement: administrators of organisations that
// have not accepted it see a banner on every page, cannot advance until
// they accept, and get a receipt with the hash of what they read.
func TestAgreementUnaccepted(t *testing.T) {
	f := newFixture(t)
	office := f.loggedIn(t, f.officeAdmin)
	office.get("/office/agreement").wantContains(t, esc(agreementTexts["de"]))
	v2 := url.Values{"text_de": {"Fassung 2."}, "text_nl": {"Versie 2."}, "text_en": {"Version 2: keep it secret."}}
	r := office.post("/office/agreement", v2)
	r.wantStatus(t, http.StatusOK)
	r.wantContains(t, esc(f.cat.T("en", "office.agreement.published", "2")), "Stadtwerke")

	admin := f.loggedIn(t, f.orgAdmin)
	banner := `class="agreement-banner"`
	for _, p := range []string{"/", "/account", "/member"} {
		admin.get(p).wantContains(t, banner)
	}
	if r := f.loggedIn(t, f.orgMbr).get("/"); strings.Contains(r.body, banner) {
		t.Error("a member who cannot accept sees the banner")
	}
	if r := office.get("/"); strings.Contains(r.body, banner) {
		t.Error("the office sees the banner")
	}
	// Statuses beyond participant need the current agreement.
	admin.get("/member/partner")
	r = admin.post("/member/partner/apply", url.Values{"expertise": {"x"}, "description": {"y"}})
	r.wantStatus(t, http.StatusConflict)
	r.wantContains(t, esc(f.cat.T("en", "msg.accept the current agreement first")))

	r = admin.get("/agreement?lang=en")
	r.wantContains(t, "Version 2: keep it secret.", `action="/agreement/accept"`)
	r = admin.post("/agreement/accept", url.Values{"version": {"2"}, "lang": {"en"}})
	r.wantStatus(t, http.StatusBadRequest) // the box was not ticked
	r = admin.post("/agreement/accept", url.Values{"version": {"1"}, "lang": {"en"}, "accept": {"on"}})
	r.wantStatus(t, http.StatusConflict)
	r.wantContains(t, esc(f.cat.T("en", "msg.a newer version of the agreement was published: please read it and accept it")))
	r = admin.post("/agreement/accept", url.Values{"version": {"2"}, "lang": {"en"}, "accept": {"on"}})
	r.wantStatus(t, http.StatusOK)
	if strings.Contains(r.body, banner) {
		t.Error("the banner stays after accepting")
	}
	receipt := r.find(t, `href="(/agreement/receipt/[^"]+)"`)
	r = admin.get(receipt)
	r.wantStatus(t, http.StatusOK)
	sum := sha256.Sum256([]byte("Version 2: keep it secret."))
	r.wantContains(t, hex.EncodeToString(sum[:]), "Version 2: keep it secret.")
	// Nobody else's receipt.
	other, b := f.joined(t, "Kai Werke", "kai.example")
	_ = other
	if r := b.get(receipt); r.status != http.StatusNotFound {
		t.Errorf("another organisation reads the receipt: %d", r.status)
	}
}

// The way to partner: apply, approval, contribution, acceptance; then the
// directory lists the partner and its badge verifies, also offline with
// the published key; the office suspends and reinstates it.
func TestPartnerWay(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	org, admin := f.joined(t, "Hafen Logistik", "hafen.example")
	reviewer := f.loggedIn(t, f.reviewer)

	admin.get("/member/partner")
	admin.post("/member/partner/apply", url.Values{"expertise": {"OT forensics, incident response"}, "description": {"We run a CERT."}}).wantStatus(t, http.StatusOK)
	r := reviewer.get("/office/membership")
	r.wantContains(t, "OT forensics, incident response", "Hafen Logistik")
	apps, _ := f.db.ListApplications(ctx, membership.ApplicationFilter{OrgID: org.ID})
	reviewer.post("/office/applications/"+apps[0].ID+"/decision", url.Values{"decision": {"approve"}, "reason": {"Strong team."}}).wantStatus(t, http.StatusOK)

	r = admin.get("/member/partner")
	r.wantContains(t, "Strong team.", `action="/member/partner/contributions"`)
	admin.post("/member/partner/contributions", url.Values{"type": {"tool"}, "title": {"Log checker"}, "link": {"hafen.example/tool"}}).wantStatus(t, http.StatusOK)
	contribs, _ := f.db.ListContributions(ctx, membership.ContributionFilter{OrgID: org.ID})
	reviewer.get("/office/membership")
	reviewer.post("/office/contributions/"+contribs[0].ID+"/decision", url.Values{"decision": {"accept"}}).wantStatus(t, http.StatusOK)

	anon := f.browser(t)
	anon.get("/partners?q=forensics").wantContains(t, "Hafen Logistik", "Log checker", "https://hafen.example/tool")
	if r := anon.get("/partners?q=gardening"); strings.Contains(r.body, "Hafen Logistik") {
		t.Error("the search finds the partner by an expertise it has not")
	}
	var badge membership.Badge
	badges, _ := f.db.ListBadges(ctx, org.ID)
	for _, b := range badges {
		if b.Status == membership.Partner {
			badge = b
		}
	}
	if badge.ID == "" {
		t.Fatal("no partner badge")
	}
	anon.get("/verify/"+badge.ID).wantContains(t, `data-valid="true"`, esc(f.cat.T("en", "verify.valid", "Hafen Logistik", "Partner")))
	anon.get("/verify?id="+strings.ToUpper(badge.ID)).wantContains(t, `data-valid="true"`)
	svg := anon.get("/badges/" + badge.ID + ".svg")
	if svg.status != http.StatusOK || svg.header.Get("Content-Type") != "image/svg+xml" ||
		svg.header.Get("Content-Security-Policy") == "" || !strings.Contains(svg.body, "PARTNER") {
		t.Errorf("the logo: %d %s %q", svg.status, svg.header.Get("Content-Type"), svg.body)
	}
	anon.get("/badges/"+badge.ID).wantStatus(t, http.StatusNotFound)

	// Offline: the statement's signature checks with the published key.
	check := anon.api(http.MethodGet, "/api/v1/badges/"+badge.ID, "", "")
	check.wantStatus(t, http.StatusOK)
	if check.json["valid"] != true || check.json["status"] != "partner" {
		t.Errorf("the badge check: %v", check.json)
	}
	key := anon.get("/.well-known/verbund-badge-key")
	block, _ := pem.Decode([]byte(key.body))
	if block == nil {
		t.Fatalf("the key is no PEM: %q", key.body)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(check.json["signature"].(string))
	if !ed25519.Verify(pub.(ed25519.PublicKey), []byte(check.json["statement"].(string)), sig) {
		t.Error("the badge's signature does not check with the published key")
	}
	if j := anon.get("/.well-known/verbund-badge-key.json"); j.json["alg"] != "Ed25519" {
		t.Errorf("the key as JSON: %v", j.json)
	}
	list := anon.api(http.MethodGet, "/api/v1/partners?q=FORENSICS", "", "")
	if ps, _ := list.json["partners"].([]any); len(ps) != 1 {
		t.Errorf("the API's directory: %v", list.json)
	}

	// The office suspends it: the badge is revoked at once, the logo gone;
	// reinstated, it has new badges.
	office := f.loggedIn(t, f.officeAdmin)
	office.get("/org/"+org.ID).wantContains(t, `action="/office/organisations/`+org.ID+`/suspend"`)
	r = office.post("/office/organisations/"+org.ID+"/suspend", url.Values{})
	r.wantStatus(t, http.StatusBadRequest)
	r.wantContains(t, esc(f.cat.T("en", "msg.required: say why")))
	office.post("/office/organisations/"+org.ID+"/suspend", url.Values{"reason": {"unpaid bills"}}).wantStatus(t, http.StatusOK)
	anon.get("/verify/"+badge.ID).wantContains(t, `data-valid="false"`)
	anon.get("/badges/"+badge.ID+".svg").wantStatus(t, http.StatusNotFound)
	anon.get("/partners").wantStatus(t, http.StatusOK)
	if r := anon.get("/partners"); strings.Contains(r.body, "Hafen Logistik") {
		t.Error("a suspended partner stays in the directory")
	}
	office.get("/org/" + org.ID)
	office.post("/office/organisations/"+org.ID+"/reinstate", url.Values{"reason": {"paid"}}).wantStatus(t, http.StatusOK)
	r = admin.get("/member")
	if n := strings.Count(r.body, `data-revoked="false"`); n != 2 {
		t.Errorf("after reinstatement %d valid badges, want 2", n)
	}
}

// Ending the membership: the name must be typed, the session ends, the
// goodbye page is public, tokens stop working, and the API needs a
// session for it.
func TestTermination(t *testing.T) {
	f := newFixture(t)
	org, admin := f.joined(t, "Hafen Logistik", "hafen.example")

	admin.get("/org/" + org.ID + "/tokens")
	r := admin.post("/org/"+org.ID+"/tokens", url.Values{"name": {"SIEM"}, "scopes": {"organisation:read"}})
	r.wantStatus(t, http.StatusCreated)
	token := r.find(t, `<code class="secret" id="new-token">(vbd_[^<]+)</code>`)
	client := f.browser(t)
	m := client.api(http.MethodGet, "/api/v1/organisations/"+org.ID+"/membership", token, "")
	m.wantStatus(t, http.StatusOK)
	if m.json["organisation_status"] != "active" {
		t.Errorf("membership via the token: %v", m.json)
	}
	// A token cannot end the membership.
	client.api(http.MethodDelete, "/api/v1/organisations/"+org.ID+"/membership", token, `{"confirm":"Hafen Logistik"}`).
		wantProblem(t, http.StatusForbidden, "token-not-allowed")

	admin.get("/org/"+org.ID+"/terminate").wantContains(t, `name="confirm"`)
	r = admin.post("/org/"+org.ID+"/terminate", url.Values{"confirm": {"hafen logistik"}})
	r.wantStatus(t, http.StatusBadRequest)
	r.wantContains(t, `id="e-confirm"`, `value="hafen logistik"`)
	r = admin.post("/org/"+org.ID+"/terminate", url.Values{"confirm": {"Hafen Logistik"}, "reason": {"moving on"}})
	r.wantStatus(t, http.StatusOK)
	if r.url.Path != "/goodbye" || strings.Contains(r.body, `action="/logout"`) {
		t.Errorf("after terminating: at %s, logged in: %v", r.url, strings.Contains(r.body, `action="/logout"`))
	}
	if r := admin.get("/member"); r.url.Path != "/login" {
		t.Errorf("the session survived the termination: at %s", r.url)
	}
	client.api(http.MethodGet, "/api/v1/organisations/"+org.ID+"/membership", token, "").wantStatus(t, http.StatusUnauthorized)
	o, _ := f.db.Organisation(t.Context(), org.ID)
	if o.Status != identity.StatusTerminated {
		t.Errorf("the organisation is %s", o.Status)
	}
}

// The membership API: a member reads its own membership and applies; the
// office decides through the API too.
func TestMembershipAPI(t *testing.T) {
	f := newFixture(t)
	org, admin := f.joined(t, "Hafen Logistik", "hafen.example")
	admin.get("/member")
	r := admin.api(http.MethodGet, "/api/v1/organisations/"+org.ID+"/membership", "", "")
	r.wantStatus(t, http.StatusOK)
	if ag, _ := r.json["agreement"].(map[string]any); ag["accepted"] != true || ag["current_version"] != float64(1) {
		t.Errorf("agreement state: %v", r.json["agreement"])
	}
	if st, _ := r.json["statuses"].([]any); len(st) != 1 {
		t.Errorf("statuses: %v", r.json["statuses"])
	}
	r = admin.api(http.MethodPost, "/api/v1/organisations/"+org.ID+"/applications", "", `{"kind":"multiplier","org_type":"network","description":"Ports."}`)
	r.wantStatus(t, http.StatusCreated)
	id, _ := r.json["id"].(string)
	admin.api(http.MethodPost, "/api/v1/organisations/"+org.ID+"/contributions", "", `{"type":"social-media","title":"Posts"}`).
		wantProblem(t, http.StatusConflict, "no-approved-application")

	reviewer := f.loggedIn(t, f.reviewer)
	reviewer.get("/")
	q := reviewer.api(http.MethodGet, "/api/v1/membership/queue", "", "")
	if apps, _ := q.json["applications"].([]any); len(apps) != 1 {
		t.Fatalf("queue: %v", q.json)
	}
	reviewer.api(http.MethodPost, "/api/v1/applications/"+id+"/decision", "", `{"approve":true,"reason":"ok"}`).
		wantProblem(t, http.StatusBadRequest, "checklist-incomplete")
	body := `{"approve":true,"reason":"ok","checked":["` + strings.Join(membership.DefaultChecklist, `","`) + `"]}`
	reviewer.api(http.MethodPost, "/api/v1/applications/"+id+"/decision", "", body).wantStatus(t, http.StatusOK)
	reviewer.api(http.MethodPost, "/api/v1/applications/"+id+"/decision", "", body).wantProblem(t, http.StatusConflict, "already-decided")
	r = admin.api(http.MethodPost, "/api/v1/organisations/"+org.ID+"/contributions", "", `{"type":"social-media","title":"Posts"}`)
	r.wantStatus(t, http.StatusCreated)
	// Another organisation's records are not found.
	admin.api(http.MethodGet, "/api/v1/organisations/"+f.member.ID+"/membership", "", "").wantProblem(t, http.StatusNotFound, "not-found")
	// Registration through the API follows the form's rules.
	anon := f.browser(t)
	anon.api(http.MethodPost, "/api/v1/registrations", "", `{"name":"Hafen Logistik","legal_form":"GmbH","street":"a","postcode":"1","city":"b","country":"FR",
		"sectors":["energy"],"size_class":"1-9","contact_name":"c","contact_email":"c@x.example","user_name":"d","user_email":"d@x.example",
		"password":"`+password+`","agreement_version":1,"agreement_lang":"en","accept_agreement":true}`).
		wantProblem(t, http.StatusBadRequest, "country-not-eligible")
	r = anon.api(http.MethodPost, "/api/v1/registrations", "", `{"name":"Neue Werft","legal_form":"GmbH","street":"a","postcode":"1","city":"b","country":"NL",
		"sectors":["energy"],"size_class":"1-9","contact_name":"c","contact_email":"c@werft.example","user_name":"d","user_email":"d@werft.example",
		"password":"`+password+`","agreement_version":1,"agreement_lang":"nl","accept_agreement":true}`)
	r.wantStatus(t, http.StatusCreated)
	if o, _ := r.json["organisation"].(map[string]any); o["status"] != "pending" {
		t.Errorf("registered through the API: %v", r.json)
	}
}

// find returns the first submatch of pattern in the body.
func (r *response) find(t *testing.T, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("%s: no match for %s\n%.3000s", r.url.Path, pattern, between(r.body, "<main", "</main>"))
	}
	return m[1]
}
