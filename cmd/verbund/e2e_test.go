package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/verbund/verbund/internal/demo"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/store/storetest"
)

// TestEndToEnd starts the real server with run(), as `verbund serve --demo`
// would, and walks through the foundation as a browser and as an API client
// would: login, CSRF, second factor, API tokens, languages, the audit log,
// password reset; then it stops the server and verifies the audit chain with
// `verbund audit verify`, before and after tampering with it.
func TestEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "e2e.db")
		testEndToEnd(t, path, func() (*sql.DB, error) { return sql.Open("sqlite", path) })
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dsn := storetest.PostgresURL(t)
		testEndToEnd(t, dsn, func() (*sql.DB, error) { return sql.Open("pgx", dsn) })
	})
}

// Demo accounts with the part each plays here.
const (
	officeAdmin = "admin@office.verbund.example"       // office-admin
	orgAdmin    = "admin@stadtwerke-emsland.example"   // org-admin of Stadtwerke Emsland
	orgMember   = "soc@stadtwerke-emsland.example"     // org-member of the same
	totpUser    = "soc@nordsee-netz.example"           // enrols a second factor
	resetUser   = "soc@klinikum-weserbergland.example" // resets the password
)

func testEndToEnd(t *testing.T, dsn string, openSQL func() (*sql.DB, error)) {
	cat := i18n.MustLoad()
	base, stop := startServer(t, dsn)

	var otherOrg string // Nordsee Netz, found by the second-factor step

	t.Run("login", func(t *testing.T) {
		b := newBrowser(t, base)
		r := b.get("/login")
		r.wantStatus(t, http.StatusOK)
		r = b.post("/login", url.Values{"email": {orgAdmin}, "password": {"not the password"}})
		r.wantStatus(t, http.StatusUnauthorized)
		// The problem above the form, the address kept in it.
		r.wantContains(t, `role="alert"><p>`+esc(cat.T("en", "msg.the e-mail address or the password is wrong"))+`</p>`,
			`name="email" type="email" value="`+orgAdmin+`"`)
		if strings.Contains(r.body, "not the password") {
			t.Error("the typed password is shown again")
		}
		r = b.post("/login", url.Values{"email": {orgAdmin}, "password": {demo.Password}})
		r.wantStatus(t, http.StatusOK)
		r.wantPath(t, "/")
		r.wantContains(t, `action="/logout"`, "Klaus Terhorst")
	})

	t.Run("csrf", func(t *testing.T) {
		b := newBrowser(t, base)
		b.get("/login")
		r := b.postRaw("/login", url.Values{"email": {orgAdmin}, "password": {demo.Password}})
		r.wantStatus(t, http.StatusForbidden)
		r.wantContains(t, esc(cat.T("en", "error.csrf")), `action="/login"`, esc(cat.T("en", "csrf.resend")),
			`name="email" value="`+orgAdmin+`"`)
		if strings.Contains(r.body, demo.Password) {
			t.Error("the CSRF page carries the password over")
		}
		// Sending it again from that page (with its fresh token) works,
		// apart from the password that was not kept.
		vals := url.Values{"email": {orgAdmin}, "password": {demo.Password}}
		r = b.post("/login", vals)
		r.wantStatus(t, http.StatusOK)
		r.wantPath(t, "/")
	})

	t.Run("second factor", func(t *testing.T) {
		b := newBrowser(t, base)
		b.login(totpUser, demo.Password).wantPath(t, "/")
		me := b.api(http.MethodGet, "/api/v1/me", "")
		me.wantStatus(t, http.StatusOK)
		if me.json["auth"] != "session" {
			t.Errorf("/api/v1/me with a session: auth %v", me.json["auth"])
		}
		otherOrg = jsonPath(me.json, "organisation", "id")

		b.get("/account/2fa")
		b.post("/account/2fa/begin", nil).wantStatus(t, http.StatusOK)
		r := b.get("/account/2fa")
		secret := r.find(t, `<code class="secret">([A-Z2-7]+)</code>`)
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r = b.post("/account/2fa/confirm", url.Values{"code": {wrongCode(t, secret)}})
		r.wantStatus(t, http.StatusBadRequest)
		r = b.post("/account/2fa/confirm", url.Values{"code": {code}})
		r.wantStatus(t, http.StatusOK)
		codes := regexp.MustCompile(`<li><code>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code></li>`).FindAllStringSubmatch(r.body, -1)
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes shown, want 10", len(codes))
		}

		b.post("/logout", nil).wantPath(t, "/login")
		r = b.login(totpUser, demo.Password)
		r.wantStatus(t, http.StatusOK)
		r.wantPath(t, "/login/2fa")
		// Nothing else is reachable until the second factor is given.
		b.get("/account").wantPath(t, "/login/2fa")
		b.api(http.MethodGet, "/api/v1/me", "").wantStatus(t, http.StatusUnauthorized)
		r = b.post("/login/2fa", url.Values{"code": {wrongCode(t, secret)}})
		r.wantStatus(t, http.StatusUnauthorized)
		r.wantContains(t, `aria-invalid="true"`)
		// The code of the next step (accepted for clock skew): the one used
		// to confirm the set-up may be the current one still.
		code, _ = totp.GenerateCode(secret, time.Now().Add(30*time.Second))
		r = b.post("/login/2fa", url.Values{"code": {code}})
		r.wantStatus(t, http.StatusOK)
		r.wantPath(t, "/")
		r.wantContains(t, `action="/logout"`)

		// A recovery code works once.
		recovery := codes[3][1]
		for i, want := range []int{http.StatusOK, http.StatusUnauthorized} {
			b.post("/logout", nil)
			b.login(totpUser, demo.Password).wantPath(t, "/login/2fa")
			r = b.post("/login/2fa", url.Values{"code": {strings.ToUpper(recovery)}})
			r.wantStatus(t, want)
			if i == 0 {
				r.wantPath(t, "/")
			}
		}
	})

	t.Run("api tokens", func(t *testing.T) {
		b := newBrowser(t, base)
		b.login(orgAdmin, demo.Password).wantPath(t, "/")
		org := jsonPath(b.api(http.MethodGet, "/api/v1/me", "").json, "organisation", "id")
		if org == "" || otherOrg == "" || org == otherOrg {
			t.Fatalf("organisations %q and %q", org, otherOrg)
		}
		b.get("/org/"+org+"/tokens").wantStatus(t, http.StatusOK)
		r := b.post("/org/"+org+"/tokens", url.Values{"name": {"SIEM"}, "scopes": {"profile:read", "organisation:read"}})
		r.wantStatus(t, http.StatusCreated)
		token := r.find(t, `<code class="secret" id="new-token">(vbd_[^<]+)</code>`)
		if again := b.get("/org/" + org + "/tokens"); strings.Contains(again.body, token) {
			t.Error("the token secret is shown a second time")
		}
		r = b.post("/org/"+org+"/tokens", url.Values{"name": {"profile only"}, "scopes": {"profile:read"}})
		r.wantStatus(t, http.StatusCreated)
		narrow := r.find(t, `<code class="secret" id="new-token">(vbd_[^<]+)</code>`)

		client := newBrowser(t, base) // no cookies: the token alone
		me := client.api(http.MethodGet, "/api/v1/me", token)
		me.wantStatus(t, http.StatusOK)
		if me.json["auth"] != "token" || jsonPath(me.json, "organisation", "id") != org {
			t.Errorf("/api/v1/me with the token: %v", me.json)
		}
		if me.json["user"] != nil {
			t.Errorf("/api/v1/me with a token names a user: %v", me.json["user"])
		}
		basic := client.do(http.MethodGet, "/api/v1/me", nil, func(r *http.Request) { r.SetBasicAuth("taxii-client", token) })
		basic.wantStatus(t, http.StatusOK)
		client.api(http.MethodGet, "/api/v1/organisations/"+org, token).wantStatus(t, http.StatusOK)
		client.api(http.MethodGet, "/api/v1/organisations/"+otherOrg, token).wantProblem(t, http.StatusNotFound, "not-found")
		client.api(http.MethodGet, "/api/v1/organisations/"+org, narrow).wantProblem(t, http.StatusForbidden, "missing-scope")
		client.api(http.MethodGet, "/api/v1/audit", token).wantProblem(t, http.StatusForbidden, "missing-scope")
		client.api(http.MethodGet, "/api/v1/me", "vbd_nonsense").wantProblem(t, http.StatusUnauthorized, "token-malformed")
		client.api(http.MethodGet, "/api/v1/me", "").wantProblem(t, http.StatusUnauthorized, "unauthenticated")

		var id string
		list := b.api(http.MethodGet, "/api/v1/organisations/"+org+"/tokens", "")
		list.wantStatus(t, http.StatusOK)
		for _, tok := range list.json["tokens"].([]any) {
			m := tok.(map[string]any)
			if p, _ := m["prefix"].(string); strings.HasPrefix(token, p+"_") {
				id, _ = m["id"].(string)
			}
		}
		if id == "" {
			t.Fatalf("the token is not in the list: %v", list.json)
		}
		b.post("/org/"+org+"/tokens/"+id+"/revoke", nil).wantPath(t, "/org/"+org+"/tokens")
		client.api(http.MethodGet, "/api/v1/me", token).wantProblem(t, http.StatusUnauthorized, "token-revoked")
		client.api(http.MethodGet, "/api/v1/me", narrow).wantStatus(t, http.StatusOK)
	})

	t.Run("languages", func(t *testing.T) {
		b := newBrowser(t, base)
		b.get("/login").wantContains(t, ">"+cat.T("en", "login.submit")+"</button>")
		for _, lang := range []string{"de", "nl"} {
			r := b.post("/lang", url.Values{"lang": {lang}, "next": {"/login"}})
			r.wantStatus(t, http.StatusOK)
			r.wantPath(t, "/login")
			r.wantContains(t, ">"+cat.T(lang, "login.submit")+"</button>", `<html lang="`+lang+`">`)
			if got := r.header.Get("Content-Language"); got != lang {
				t.Errorf("Content-Language %q, want %q", got, lang)
			}
		}
		if de := cat.T("de", "login.submit"); de != "Anmelden" {
			t.Errorf("the German login button says %q", de)
		}
		r := b.post("/lang", url.Values{"lang": {"fr"}, "next": {"/login"}})
		r.wantStatus(t, http.StatusBadRequest)
		r.wantContains(t, esc(cat.T("nl", "msg.unknown language: choose Deutsch, Nederlands or English")))

		fresh := newBrowser(t, base)
		r = fresh.do(http.MethodGet, "/login", nil, func(r *http.Request) { r.Header.Set("Accept-Language", "nl-BE,nl;q=0.9,en;q=0.5") })
		r.wantContains(t, ">"+cat.T("nl", "login.submit")+"</button>")
		if cookies := fresh.c.Jar.Cookies(mustURL(t, base)); hasCookie(cookies, "vb_lang") {
			t.Error("a language cookie was set without switching")
		}

		// A logged-in user's choice is kept with the account: it holds in
		// another browser that never switched.
		u := newBrowser(t, base)
		u.login(orgMember, demo.Password).wantContains(t, `<html lang="de">`)
		u.post("/lang", url.Values{"lang": {"nl"}, "next": {"/account"}}).wantContains(t, `<html lang="nl">`)
		again := newBrowser(t, base)
		again.login(orgMember, demo.Password).wantContains(t, `<html lang="nl">`)
	})

	t.Run("audit log", func(t *testing.T) {
		member := newBrowser(t, base)
		member.login(orgMember, demo.Password).wantPath(t, "/")
		memberID := jsonPath(member.api(http.MethodGet, "/api/v1/me", "").json, "user", "id")
		r := member.get("/office/audit")
		r.wantStatus(t, http.StatusForbidden)
		member.api(http.MethodGet, "/api/v1/audit", "").wantProblem(t, http.StatusForbidden, "missing-role")

		office := newBrowser(t, base)
		office.login(officeAdmin, demo.Password).wantPath(t, "/")
		r = office.get("/office/audit")
		r.wantStatus(t, http.StatusOK)
		r.wantContains(t, "<code>auth.login</code>")
		// The filter reaches back into the demo's history.
		r = office.get("/office/audit?action=membership.")
		r.wantStatus(t, http.StatusOK)
		r.wantContains(t, "<code>membership.register</code>", "<code>membership.activate</code>")
		r = office.api(http.MethodGet, "/api/v1/audit?action=access.denied&outcome=denied&limit=500", "")
		r.wantStatus(t, http.StatusOK)
		found := false
		for _, e := range r.json["entries"].([]any) {
			m := e.(map[string]any)
			found = found || (m["actor_user"] == memberID && m["object_id"] == "GET /office/audit")
		}
		if !found {
			t.Errorf("the member's denied visit of /office/audit is not in the audit log: %v", r.json)
		}
	})

	t.Run("password reset", func(t *testing.T) {
		anon := newBrowser(t, base)
		anon.get("/reset")
		r := anon.post("/reset", url.Values{"email": {resetUser}})
		r.wantStatus(t, http.StatusOK)
		r.wantContains(t, esc(cat.T("en", "reset.sent")))

		office := newBrowser(t, base)
		office.login(officeAdmin, demo.Password)
		r = office.get("/office/outbox")
		r.wantStatus(t, http.StatusOK)
		msgID := r.find(t, `<td>`+regexp.QuoteMeta(resetUser)+`</td>\s*<td><a href="/office/outbox/([^"]+)">`)
		r = office.get("/office/outbox/" + msgID)
		r.wantStatus(t, http.StatusOK)
		link := mustURL(t, r.find(t, `(http\S+/reset/[A-Za-z0-9_-]+)`))
		if got := link.Scheme + "://" + link.Host; got != base {
			t.Errorf("the link %s does not lead to the server at %s", link, base)
		}
		path := link.Path

		const next = "a new and long passphrase"
		anon.get(path).wantStatus(t, http.StatusOK)
		r = anon.post(path, url.Values{"password": {next}, "password2": {next + "x"}})
		r.wantStatus(t, http.StatusBadRequest)
		r = anon.post(path, url.Values{"password": {next}, "password2": {next}})
		r.wantStatus(t, http.StatusOK)
		r.wantPath(t, "/login")
		r.wantContains(t, esc(cat.T("en", "reset.done")))

		newBrowser(t, base).login(resetUser, demo.Password).wantStatus(t, http.StatusUnauthorized)
		newBrowser(t, base).login(resetUser, next).wantPath(t, "/")
		anon.get(path)
		r = anon.post(path, url.Values{"password": {"yet another passphrase"}, "password2": {"yet another passphrase"}})
		r.wantStatus(t, http.StatusBadRequest)
		r.wantContains(t, esc(cat.T("en", "msg.this link is not valid any more (it was used or has expired); ask for a new one")))
	})

	if err := stop(); err != nil {
		t.Fatalf("serve did not stop gracefully: %v", err)
	}

	ctx := t.Context()
	var out bytes.Buffer
	if err := run(ctx, []string{"audit", "verify", "--db", dsn}, noEnv, nil, &out, io.Discard); err != nil {
		t.Fatalf("audit verify: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "audit log intact") {
		t.Errorf("audit verify says:\n%s", out.String())
	}

	db, err := openSQL()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `UPDATE audit_log SET reason = 'x' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"audit", "verify", "--db", dsn}, noEnv, nil, &out, io.Discard)
	if err == nil {
		t.Fatalf("audit verify passed a tampered log:\n%s", out.String())
	}
	if !strings.Contains(err.Error(), "entry 3") || !strings.Contains(out.String(), "entry 3") {
		t.Errorf("audit verify does not name entry 3: %v\n%s", err, out.String())
	}
}

func noEnv(string) string { return "" }

// startServer runs `verbund serve --demo` on a free port and returns its base
// URL and a function that stops it and returns what run returned.
func startServer(t *testing.T, dsn string, extra ...string) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	logs := &lockedBuffer{}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", dsn}, extra...),
			noEnv, nil, pw, logs)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() {
		_ = stop()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})

	line, err := bufio.NewReader(pr).ReadString('\n')
	// The banner goes on; keep reading so that the server never blocks on it.
	go io.Copy(io.Discard, pr)
	if err != nil {
		t.Fatalf("serve printed no first line (%v); it returned %v", err, stop())
	}
	m := regexp.MustCompile(`^Verbund \S+ is running at (https?://127\.0\.0\.1:\d+)\n$`).FindStringSubmatch(line)
	if m == nil || strings.HasSuffix(m[1], ":0") {
		t.Fatalf("first line of serve: %q", line)
	}
	return m[1], stop
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// browser is an HTTP client with a cookie jar that follows redirects, and
// remembers the CSRF token of the last page it saw, as a user's browser
// holds it in the form.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Transport: tr}}
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   string
	url    *url.URL // after redirects
	json   map[string]any
}

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
	ct := res.Header.Get("Content-Type")
	if strings.Contains(ct, "json") {
		if err := json.Unmarshal(raw, &r.json); err != nil {
			t.Fatalf("%s %s: %s is not JSON: %v", method, path, ct, err)
		}
	}
	if m := csrfField.FindStringSubmatch(r.body); m != nil {
		b.csrf = m[1]
	}
	return r
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) get(path string) *response {
	return b.do(http.MethodGet, path, nil, nil)
}

// post sends a form with the CSRF token of the last page; postRaw without.
func (b *browser) post(path string, vals url.Values) *response {
	t := b.t
	if vals == nil {
		vals = url.Values{}
	}
	if b.csrf == "" {
		t.Fatalf("POST %s: no form seen yet to take the CSRF token from", path)
	}
	vals.Set("csrf", b.csrf)
	return b.postRaw(path, vals)
}

func (b *browser) postRaw(path string, vals url.Values) *response {
	return b.do(http.MethodPost, path, strings.NewReader(vals.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	})
}

func (b *browser) login(email, password string) *response {
	b.t.Helper()
	b.get("/login")
	return b.post("/login", url.Values{"email": {email}, "password": {password}})
}

// api calls the REST API with token as Bearer token, or with the browser's
// session when token is "".
func (b *browser) api(method, path, token string) *response {
	b.t.Helper()
	return b.do(method, path, nil, func(r *http.Request) {
		r.Header.Set("Accept", "application/json")
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
	})
}

func (r *response) wantStatus(t *testing.T, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d\n%s", r.url.Path, r.status, want, excerpt(r.body))
	}
}

func (r *response) wantPath(t *testing.T, want string) {
	t.Helper()
	if r.url.Path != want {
		t.Fatalf("ended at %s (status %d), want %s\n%s", r.url, r.status, want, excerpt(r.body))
	}
}

func (r *response) wantContains(t *testing.T, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.body, p) {
			t.Errorf("%s (status %d) does not contain %q\n%s", r.url.Path, r.status, p, excerpt(r.body))
		}
	}
}

func (r *response) wantProblem(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status || r.header.Get("Content-Type") != "application/problem+json" || r.json["code"] != code {
		t.Errorf("%s: %d %s %v, want %d problem %q", r.url.Path, r.status, r.header.Get("Content-Type"), r.json, status, code)
	}
}

// find returns the first submatch of pattern in the body.
func (r *response) find(t *testing.T, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("%s: no match for %s\n%s", r.url.Path, pattern, excerpt(r.body))
	}
	return m[1]
}

// excerpt is the main part of a page, for failure messages.
func excerpt(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000] + "…"
	}
	return body
}

func jsonPath(m map[string]any, keys ...string) string {
	var v any = m
	for _, k := range keys {
		obj, _ := v.(map[string]any)
		v = obj[k]
	}
	s, _ := v.(string)
	return s
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// wrongCode returns a six-digit code that is not valid for secret now, nor
// in the steps either side that the server accepts.
func wrongCode(t *testing.T, secret string) string {
	now := time.Now()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-time.Minute, -30 * time.Second, 0, 30 * time.Second, time.Minute} {
		c, err := totp.GenerateCode(secret, now.Add(d))
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for _, c := range []string{"000000", "111111", "222222"} {
		if !valid[c] {
			return c
		}
	}
	panic("unreachable: five codes cannot cover three candidates")
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func hasCookie(cs []*http.Cookie, name string) bool {
	for _, c := range cs {
		if c.Name == name {
			return true
		}
	}
	return false
}
