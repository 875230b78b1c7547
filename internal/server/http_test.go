package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Every answer carries the security headers, whatever produced it.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/", 200},
		{"GET", "/login", 200},
		{"POST", "/login", 403}, // no CSRF token
		{"GET", "/office/audit", 200},
		{"GET", "/no/such/page", 404},
		{"GET", "/static/app.css", 200},
		{"GET", "/healthz", 200},
		{"GET", "/readyz", 200},
		{"GET", "/metrics", 200},
		{"GET", "/api/v1/openapi.json", 200},
		{"GET", "/api/v1/me", 401},
		{"GET", "/api/unknown", 404},
	} {
		r := b.do(c.method, c.path, strings.NewReader(""), func(r *http.Request) {
			if c.method == "POST" {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		})
		if r.status != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, r.status, c.status)
		}
		h := r.header
		csp := h.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s %s: Content-Security-Policy %q", c.method, c.path, csp)
		}
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
			"X-Frame-Options":        "DENY",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s %s: %s %q, want %q", c.method, c.path, name, got, want)
			}
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("%s %s: no X-Request-Id", c.method, c.path)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: HSTS without TLS", c.method, c.path)
		}
	}
	// A plain request id of the caller's is kept; one that could forge log
	// lines is replaced.
	for id, kept := range map[string]bool{"abc-123_x.y": true, "bad id level=ERROR": false} {
		r := b.do("GET", "/healthz", nil, func(r *http.Request) { r.Header["X-Request-Id"] = []string{id} })
		if got := r.header.Get("X-Request-Id"); (got == id) != kept || got == "" {
			t.Errorf("request id %q answered with %q", id, got)
		}
	}
}

func TestNotFound(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	r := b.get("/no/such/page")
	r.wantStatus(t, http.StatusNotFound)
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("404 page: Content-Type %q", ct)
	}
	for _, want := range []string{f.cat.T("en", "error.title.404"), f.cat.T("en", "error.notfound"), `href="/"`, r.header.Get("X-Request-Id")} {
		if !strings.Contains(r.body, want) {
			t.Errorf("404 page does not contain %q", want)
		}
	}
	r = b.get("/api/unknown")
	r.wantProblem(t, http.StatusNotFound, "no-such-endpoint")
	if r.json["status"] != float64(404) || r.json["request_id"] != r.header.Get("X-Request-Id") {
		t.Errorf("problem %v", r.json)
	}
	b.get("/api/v1/organisations/nope/tokens/nope/more").wantProblem(t, http.StatusNotFound, "no-such-endpoint")

	// A missing static file gets the same friendly page, not a bare text.
	r = b.get("/static/no-such.css")
	r.wantStatus(t, http.StatusNotFound)
	if !strings.Contains(r.body, f.cat.T("en", "error.notfound")) {
		t.Errorf("missing static file: %.300s", r.body)
	}
}

// A known address with the wrong method answers 405 with the methods it
// accepts, on pages and on the API.
func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	r := b.do(http.MethodDelete, "/login", nil, nil)
	r.wantStatus(t, http.StatusMethodNotAllowed)
	if got := r.header.Get("Allow"); got != "GET, HEAD, POST" {
		t.Errorf("Allow = %q", got)
	}
	if !strings.Contains(r.body, f.cat.T("en", "error.title.405")) {
		t.Errorf("405 page: %.300s", r.body)
	}
	r = b.do(http.MethodPut, "/api/v1/me", nil, nil)
	r.wantProblem(t, http.StatusMethodNotAllowed, "method-not-allowed")
	if got := r.header.Get("Allow"); got != "GET, HEAD" {
		t.Errorf("API Allow = %q", got)
	}
}

// Bodies over 1 MiB are refused with 413, on forms and on the API.
func TestBodyLimit(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, f.orgAdmin)
	big := strings.Repeat("a", 1<<20+1)

	r := b.post("/org/"+f.member.ID+"/tokens", url.Values{"name": {big}, "scopes": {"profile:read"}})
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("form of %d bytes: status %d, want 413", len(big), r.status)
	}
	if want := f.cat.T("en", "error.title.413"); !strings.Contains(r.body, want) {
		t.Errorf("413 page does not say %q:\n%.2000s", want, r.body)
	}
	if strings.Contains(r.body, big[:1000]) {
		t.Error("the 413 page repeats the body")
	}

	anon := f.browser(t)
	anon.get("/login")
	r = anon.post("/login", url.Values{"email": {big}, "password": {"x"}})
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("login form of %d bytes: status %d, want 413", len(big), r.status)
	}

	b.get("/org/" + f.member.ID + "/tokens")
	r = b.postJSON("/api/v1/organisations/"+f.member.ID+"/tokens", strings.NewReader(`{"name": "`+big+`", "scopes": ["profile:read"]}`))
	r.wantProblem(t, http.StatusRequestEntityTooLarge, "body-too-large")
}

func TestMalformedJSON(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, f.orgAdmin)
	path := "/api/v1/organisations/" + f.member.ID + "/tokens"
	for _, body := range []string{
		``,
		`{"name": "SIEM", "scopes": ["profile:read"]`,
		`{"name": "SIEM", "scopes": "profile:read"}`,
		`{"name": "SIEM", "scopes": ["profile:read"], "admin": true}`,
		`{"name": "SIEM", "scopes": ["profile:read"]} {}`,
	} {
		r := b.postJSON(path, strings.NewReader(body))
		r.wantProblem(t, http.StatusBadRequest, "malformed-json")
	}
	r := b.do(http.MethodPost, path, strings.NewReader(`name=SIEM`), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("X-CSRF-Token", b.csrf)
	})
	r.wantProblem(t, http.StatusBadRequest, "unsupported-media-type")
	r = b.postJSON(path, strings.NewReader(`{"name": "", "scopes": []}`))
	r.wantProblem(t, http.StatusBadRequest, "invalid")
	if errs, _ := r.json["errors"].(map[string]any); errs["name"] == nil || errs["scopes"] == nil {
		t.Errorf("invalid token input: errors %v", r.json["errors"])
	}
	// Without the CSRF header a session may not change anything.
	r = b.do(http.MethodPost, path, strings.NewReader(`{"name": "SIEM", "scopes": ["profile:read"]}`), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/json")
	})
	r.wantProblem(t, http.StatusForbidden, "csrf")

	r = b.postJSON(path, strings.NewReader(`{"name": "SIEM", "scopes": ["profile:read"]}`))
	r.wantStatus(t, http.StatusCreated)
	if tok, _ := r.json["token"].(string); !strings.HasPrefix(tok, "vbd_") || r.header.Get("Location") == "" {
		t.Errorf("created token: %v, Location %q", r.json, r.header.Get("Location"))
	}
}

func TestHealthAndMetrics(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.get("/healthz").wantStatus(t, http.StatusOK)
	b.get("/readyz").wantStatus(t, http.StatusOK)
	b.get("/login")
	r := b.get("/metrics")
	r.wantStatus(t, http.StatusOK)
	for _, want := range []string{
		`verbund_http_requests_total{code="200",method="GET",route="GET /login"} 1`,
		"verbund_http_request_duration_seconds_bucket",
		"verbund_db_open_connections",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/metrics does not contain %q", want)
		}
	}
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	b.get("/readyz").wantStatus(t, http.StatusServiceUnavailable)
	b.get("/healthz").wantStatus(t, http.StatusOK)
}

// After five wrong passwords for an account, even the right one is refused
// for a while, with a message that says what to do.
func TestLoginThrottling(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.get("/login")
	for i := range 5 {
		r := b.post("/login", url.Values{"email": {f.orgMbr.Email}, "password": {"wrong password " + string(rune('a'+i))}})
		r.wantStatus(t, http.StatusUnauthorized)
	}
	r := b.post("/login", url.Values{"email": {f.orgMbr.Email}, "password": {password}})
	r.wantStatus(t, http.StatusTooManyRequests)
	msg := f.cat.T("en", "msg.too many failed attempts: wait a quarter of an hour and try again, or reset your password")
	if !strings.Contains(r.body, msg) || !strings.Contains(r.body, `value="`+f.orgMbr.Email+`"`) {
		t.Errorf("throttled login page:\n%.3000s", r.body)
	}
	if r.header.Get("Retry-After") == "" {
		t.Error("a throttled login does not say when to retry")
	}
	if r.url.Path != "/login" || b.get("/account").url.Path != "/login" {
		t.Error("a throttled login opened a session")
	}
	// Other accounts are not affected.
	other := f.browser(t)
	other.get("/login")
	if r := other.post("/login", url.Values{"email": {f.orgAdmin.Email}, "password": {password}}); r.url.Path != "/" {
		t.Errorf("another account's login was refused: %d", r.status)
	}
}
