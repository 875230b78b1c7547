package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/server"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// lookupFixture is the fixture's installation with threat intelligence: a
// collection of the office for the community at TLP:GREEN with three
// indicators, and API tokens of the member.
type lookupFixture struct {
	*fixture
	url                   string
	readToken, mailToken  string
	block, domain, hashed string // the indicators' ids
}

func newLookupFixture(t *testing.T) *lookupFixture {
	t.Helper()
	ctx := t.Context()
	f := newFixture(t)
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	door := sharing.New(pol, f.mem, f.des, f.des, f.ids, nil)
	svc := cti.NewService(f.db.STIX(), door, nil)
	_, h, err := server.NewServer(server.Config{BaseURL: "http://verbund.test", Version: "test"}, server.Deps{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Identity: f.ids, Membership: f.mem, Designation: f.des,
		Door: door, STIX: svc, Audit: f.db, Mail: f.db, DB: f.db, Catalog: f.cat, CSRFKey: []byte("0123456789abcdef0123456789abcdef"),
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	lf := &lookupFixture{fixture: f, url: ts.URL}

	admin := f.principal(t, f.officeAdmin)
	c, err := svc.CreateCollection(ctx, admin, cti.NewCollection{Title: "Indicators", OwnerOrg: f.office.ID,
		Default: policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}})
	if err != nil {
		t.Fatal(err)
	}
	ind := func(n int, pattern string) (string, json.RawMessage) {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n)
		return id, json.RawMessage(fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":"2026-05-04T08:00:00.000Z",`+
			`"modified":"2026-05-04T08:00:00.000Z","name":"Indicator %d","pattern":%q,"pattern_type":"stix","valid_from":"2026-05-04T08:00:00Z"}`,
			id, n, pattern))
	}
	var objs []json.RawMessage
	var raw json.RawMessage
	lf.block, raw = ind(1, "[ipv4-addr:value = '203.0.113.0/24']")
	objs = append(objs, raw)
	lf.domain, raw = ind(2, "[domain-name:value = 'nordsee-netz-login.example']")
	objs = append(objs, raw)
	lf.hashed, raw = ind(3, "[file:hashes.'SHA-256' = 'A3F5C8D2E1B4967F0C2D8E5A1B3C7F9E2D4A6B8C0E1F3A5B7C9D1E3F5A7B9C1D']")
	objs = append(objs, raw)
	v, err := door.Viewer(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := svc.Add(ctx, admin, &v, &c, objs); err != nil || len(st.Failures) > 0 {
		t.Fatalf("adding the indicators: %+v, %v", st.Failures, err)
	}
	mk := func(scopes ...identity.Scope) string {
		secret, _, err := f.ids.CreateToken(ctx, f.principal(t, f.orgAdmin), identity.NewToken{OrgID: f.member.ID, Name: "lookup", Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	lf.readToken, lf.mailToken = mk(identity.ScopeIntelRead), mk(identity.ScopeProfileRead)
	return lf
}

// call sends a request with the token and decodes the JSON answer.
func (lf *lookupFixture) call(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, lf.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s %s: %d %q", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

// matchIDs renders a result as its normalised value and matched ids.
func matchIDs(r any) string {
	m, _ := r.(map[string]any)
	var ids []string
	ms, _ := m["matches"].([]any)
	for _, x := range ms {
		x := x.(map[string]any)
		ids = append(ids, fmt.Sprintf("%s %s %s via %s", x["id"], x["name"], x["tlp"], x["matched"]))
	}
	if e, ok := m["error"].(string); ok && e != "" {
		return "error: " + e
	}
	return fmt.Sprintf("%s %s: %s", m["type"], m["normalised"], strings.Join(ids, ", "))
}

func TestAPILookup(t *testing.T) {
	lf := newLookupFixture(t)

	status, m := lf.call(t, "GET", "/api/v1/intel/lookup?value="+url.QueryEscape("203.0.113.77"), lf.readToken, "")
	want := "ipv4-addr 203.0.113.77: " + lf.block + " Indicator 1 TLP:GREEN via 203.0.113.0/24"
	if status != http.StatusOK || matchIDs(m) != want || m["max_matches"] != float64(cti.MaxLookupMatches) {
		t.Errorf("GET one address: %d %s, want %s", status, matchIDs(m), want)
	}

	status, m = lf.call(t, "GET", "/api/v1/intel/lookup?value=no+such+thing", lf.readToken, "")
	if errs, _ := m["errors"].(map[string]any); status != http.StatusBadRequest || m["type"] == nil || errs["value"] == nil {
		t.Errorf("GET a value that is no observable: %d %v, want a problem naming value", status, m)
	}

	body := `{"values":["Nordsee-Netz-Login.example.","a3f5c8d2e1b4967f0c2d8e5a1b3c7f9e2d4a6b8c0e1f3a5b7c9d1e3f5a7b9c1d","what?","198.51.100.1"]}`
	status, m = lf.call(t, "POST", "/api/v1/intel/lookup", lf.readToken, body)
	rs, _ := m["results"].([]any)
	if status != http.StatusOK || len(rs) != 4 {
		t.Fatalf("POST a batch: %d %v", status, m)
	}
	wants := []string{
		"domain-name nordsee-netz-login.example: " + lf.domain + " Indicator 2 TLP:GREEN via nordsee-netz-login.example",
		"file:hashes.SHA-256 a3f5c8d2e1b4967f0c2d8e5a1b3c7f9e2d4a6b8c0e1f3a5b7c9d1e3f5a7b9c1d: " + lf.hashed +
			" Indicator 3 TLP:GREEN via a3f5c8d2e1b4967f0c2d8e5a1b3c7f9e2d4a6b8c0e1f3a5b7c9d1e3f5a7b9c1d",
		"error: the value is not an IP address, CIDR block, domain name, URL, e-mail address or file hash",
		"ipv4-addr 198.51.100.1: ",
	}
	for i, w := range wants {
		if got := matchIDs(rs[i]); got != w {
			t.Errorf("result %d: %s, want %s", i, got, w)
		}
	}

	// Bad requests are problems that say what is wrong.
	many, _ := json.Marshal(map[string]any{"values": make([]string, cti.MaxLookupValues+1)})
	for name, c := range map[string]struct {
		body   string
		status int
		field  string
	}{
		"too many values": {string(many), http.StatusBadRequest, "values"},
		"no values":       {`{}`, http.StatusBadRequest, "values"},
		"not JSON":        {`{"values":[`, http.StatusBadRequest, ""},
		"unknown field":   {`{"values":[],"kind":"ip"}`, http.StatusBadRequest, ""},
	} {
		status, m := lf.call(t, "POST", "/api/v1/intel/lookup", lf.readToken, c.body)
		errs, _ := m["errors"].(map[string]any)
		if status != c.status || m["status"] != float64(c.status) || c.field != "" && errs[c.field] == nil {
			t.Errorf("%s: %d %v", name, status, m)
		}
	}

	// A token without intel:read is refused.
	if status, _ := lf.call(t, "GET", "/api/v1/intel/lookup?value=203.0.113.77", lf.mailToken, ""); status != http.StatusForbidden {
		t.Errorf("a token without intel:read: %d, want 403", status)
	}
}
