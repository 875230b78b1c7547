package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/verbund/verbund/internal/mail"
)

// The throttling message tells the user to reset the password: a throttled
// account must be able to ask for the link, and the reset lifts the
// throttle.
func TestThrottledAccountCanReset(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.get("/login")
	for range 6 {
		b.post("/login", url.Values{"email": {f.orgMbr.Email}, "password": {"wrong password"}})
	}
	b.get("/reset")
	r := b.post("/reset", url.Values{"email": {f.orgMbr.Email}})
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(r.body, f.cat.T("en", "reset.sent")) {
		t.Errorf("reset request page:\n%.3000s", r.body)
	}
	msgs, err := f.db.ListMail(t.Context(), mail.Filter{To: f.orgMbr.Email})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d messages to %s: %v", len(msgs), f.orgMbr.Email, err)
	}
	_, link, _ := strings.Cut(msgs[0].Text, "http://verbund.test")
	link = strings.Fields(link)[0]
	const next = "a brand new passphrase"
	b.get(link)
	b.post(link, url.Values{"password": {next}, "password2": {next}}).wantStatus(t, http.StatusOK)
	r = b.post("/login", url.Values{"email": {f.orgMbr.Email}, "password": {next}})
	if r.url.Path != "/" {
		t.Errorf("login after the reset: %d at %s", r.status, r.url)
	}
}

// A next parameter never leads away from the site, however it is written.
func TestRedirectsStayLocal(t *testing.T) {
	f := newFixture(t)
	// An anonymous browser: the session a login opens is not kept, so
	// every request below is made with the same cookie and token.
	b := f.browser(t)
	b.get("/login")
	// Browsers drop tabs and line breaks from URLs and read \ as /.
	seen := strings.NewReplacer("\t", "", "\r", "", "\n", "", "\\", "/")
	for _, next := range []string{
		"//evil.example", "/\\evil.example", "https://evil.example", "/\t/evil.example", "/\n/evil.example",
		"/\r\n/evil.example", "\t//evil.example", "/\x00/evil.example", "/ /evil.example",
	} {
		for _, path := range []string{"/login", "/lang"} {
			vals := url.Values{"email": {f.orgMbr.Email}, "password": {password}, "lang": {"en"}, "next": {next}, "csrf": {b.csrf}}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.ts.URL+path, strings.NewReader(vals.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range b.c.Jar.Cookies(req.URL) {
				req.AddCookie(c)
			}
			// The transport, unlike the client, does not read Location.
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			loc := seen.Replace(res.Header.Get("Location"))
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
				t.Errorf("POST %s with next %q: %d to %q", path, next, res.StatusCode, res.Header.Get("Location"))
			}
		}
	}
}

// When the office requires a second factor, a user without one reaches
// nothing but its set-up; the API refuses the session until then.
func TestRequiredSecondFactor(t *testing.T) {
	f := newFixture(t)
	admin := f.loggedIn(t, f.officeAdmin)
	admin.get("/office/settings")
	r := admin.post("/office/settings", url.Values{"require_2fa": {"on"}})
	if r.url.Path != "/account/2fa" || r.url.Query().Get("required") == "" {
		t.Fatalf("after requiring a second factor the admin is at %s", r.url)
	}

	b := f.loggedIn2FA(t)
	for _, path := range []string{"/", "/org/" + f.member.ID, "/org/" + f.member.ID + "/tokens"} {
		r := b.get(path)
		if r.url.Path != "/account/2fa" {
			t.Errorf("%s without a second factor: at %s", path, r.url)
		}
		if !strings.Contains(r.body, f.cat.T("en", "totp.required")) {
			t.Errorf("%s: the set-up page does not say that a second factor is required", path)
		}
	}
	b.get("/account").wantStatus(t, http.StatusOK) // the own account stays reachable
	b.do(http.MethodGet, "/api/v1/me", nil, nil).wantProblem(t, http.StatusForbidden, "forbidden")

	r = b.post("/account/2fa/begin", nil)
	secret := between(r.body, `<code class="secret">`, `</code>`)
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.post("/account/2fa/confirm", url.Values{"code": {code}}).wantStatus(t, http.StatusOK)
	if r := b.get("/account"); r.url.Path != "/account" {
		t.Errorf("after the set-up: at %s", r.url)
	}
	b.do(http.MethodGet, "/api/v1/me", nil, nil).wantStatus(t, http.StatusOK)
	// The second factor cannot be removed while it is required.
	r = b.post("/account/2fa/disable", url.Values{"password": {password}})
	r.wantStatus(t, http.StatusForbidden)
}

// loggedIn2FA logs in the org admin, who has no second factor.
func (f *fixture) loggedIn2FA(t *testing.T) *browser {
	b := f.browser(t)
	b.get("/login")
	b.post("/login", url.Values{"email": {f.orgAdmin.Email}, "password": {password}})
	return b
}

func between(s, start, end string) string {
	_, s, _ = strings.Cut(s, start)
	s, _, _ = strings.Cut(s, end)
	return s
}
