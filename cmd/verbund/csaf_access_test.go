package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/demo"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
)

// memberTokens creates two API tokens of Stadtwerke Emsland: one with
// warnings:read, one with profile:read only.
func memberTokens(t *testing.T, dsn string) (read, other string) {
	t.Helper()
	ctx := t.Context()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := identity.NewService(db.Identity(), identity.DefaultConfig())
	orgs, err := db.ListOrganisations(ctx, identity.OrgFilter{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(orgs, func(o identity.Organisation) bool { return strings.HasPrefix(o.Name, "Stadtwerke Emsland") })
	if i < 0 {
		t.Fatal("the demo has no Stadtwerke Emsland")
	}
	mk := func(scope identity.Scope) string {
		secret, _, err := ids.CreateToken(ctx, identity.SystemPrincipal(), identity.NewToken{OrgID: orgs[i].ID, Name: string(scope), Scopes: []identity.Scope{scope}})
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	return mk(identity.ScopeWarningsRead), mk(identity.ScopeProfileRead)
}

// rel returns a document's path relative to its TLP folder.
func rel(path string) string {
	_, r, _ := strings.Cut(strings.TrimPrefix(path, "/.well-known/csaf/"), "/")
	return r
}

// TLP:CLEAR documents are public; a TLP:GREEN one is listed and served
// only to a member the sharing policy lets read it, and is not found for
// anyone else.
func TestCSAFGreenOnlyForTheCommunity(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "csaf.db")
	base, stop := startServer(t, dsn)
	defer stop()
	white1, white2, green := publishWarnings(t, dsn)

	anon := &http.Client{}
	get := func(c *http.Client, path string) (int, string) {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readAll(t, resp)
	}
	if code, body := get(anon, "/.well-known/csaf/green/index.txt"); code != 200 || strings.TrimSpace(body) != "" {
		t.Errorf("green index.txt for the public: %d %q, want an empty list", code, body)
	}
	for _, p := range []string{green, green + ".asc", green + ".sha256"} {
		if code, _ := get(anon, p); code != http.StatusNotFound {
			t.Errorf("the public gets %s: %d, want 404", p, code)
		}
	}
	// The refusals are in the audit log, with the step that denied them.
	db, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	denied, err := db.ListAudit(t.Context(), audit.Filter{Action: "read.denied", Limit: 500})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range denied {
		if e.ObjectType == policy.KindWarning && strings.Contains(e.Reason, "tlp") {
			n++
		}
	}
	if n < 3 {
		t.Errorf("%d refused reads of the TLP:GREEN warning are audited, want 3: %+v", n, denied)
	}
	if code, body := get(anon, "/.well-known/csaf/white/changes.csv"); code != 200 || !strings.Contains(body, rel(white1)) || !strings.Contains(body, rel(white2)) {
		t.Errorf("white changes.csv: %d %q, want both TLP:CLEAR documents", code, body)
	}
	if code, _ := get(anon, white1); code != 200 {
		t.Errorf("the public gets %s: %d, want 200", white1, code)
	}
	if code, body := get(anon, "/.well-known/security.txt"); code != 200 || !strings.Contains(body, "CSAF: "+base+"/.well-known/csaf/provider-metadata.json") {
		t.Errorf("security.txt: %d %q", code, body)
	}

	jar, _ := cookiejar.New(nil)
	member := &http.Client{Jar: jar}
	_, page := get(member, "/login")
	token := between(page, `name="csrf" value="`, `"`)
	resp, err := member.PostForm(base+"/login", url.Values{"csrf": {token}, "email": {"soc@stadtwerke-emsland.example"}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if code, body := get(member, "/.well-known/csaf/green/index.txt"); code != 200 || !slices.Contains(strings.Fields(body), rel(green)) {
		t.Errorf("green index.txt for a member: %d %q", code, body)
	}
	if code, body := get(member, green); code != 200 || !strings.Contains(body, `"label": "GREEN"`) {
		t.Errorf("a member gets the green document: %d %.200s", code, body)
	}
	// Machines: a token with warnings:read reads the document, one without
	// the scope does not.
	read, other := memberTokens(t, dsn)
	for _, c := range []struct {
		token string
		want  int
	}{{read, 200}, {other, 404}} {
		req, _ := http.NewRequest(http.MethodGet, base+green, nil)
		req.SetBasicAuth("client", c.token)
		resp, err := anon.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if resp.StatusCode != c.want {
			t.Errorf("a token of the member gets the green document: %d, want %d", resp.StatusCode, c.want)
		}
	}
	if code, body := get(member, "/.well-known/csaf/green/csaf-feed-tlp-green.json"); code != 200 || !strings.Contains(body, green) {
		t.Errorf("the green feed for a member: %d %.300s", code, body)
	}
}
