package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/identity"
)

// token returns an API token of org with scopes.
func (f *fixture) token(t *testing.T, org identity.Organisation, scopes ...identity.Scope) string {
	t.Helper()
	secret, _, err := f.ids.CreateToken(t.Context(), identity.SystemPrincipal(), identity.NewToken{OrgID: org.ID, Name: "test", Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// call sends a JSON request with a bearer token.
func (b *browser) call(method, path, token string, body any) *response {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = strings.NewReader(string(raw))
	}
	return b.do(method, path, rd, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
	})
}

// A machine reports through the API: a refused submission keeps the draft
// and names every problem; fixed, it opens a case with NIS2 deadlines; the
// office triages and asks through its API, and the member reads it.
func TestIncidentAPI(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	member := f.token(t, f.member, identity.ScopeIncidentsRead, identity.ScopeIncidentsWrite)
	readOnly := f.token(t, f.member, identity.ScopeIncidentsRead)
	office := f.token(t, f.office, identity.ScopeIncidentsRead, identity.ScopeIncidentsWrite)
	now := f.clock.Now()
	body := map[string]any{
		"title": "Ransomware", "description": "Dateiserver verschlüsselt.",
		"classification": map[string]string{"class": "malicious-code", "type": "infected-system"},
		"sectors":        []string{"energy"}, "impact": "high",
		"started": now.Add(-2 * time.Hour).Format(time.RFC3339), "detected": now.Add(-5 * time.Hour).Format(time.RFC3339),
		"indicators": []string{"198.51.100.7", "kein indikator"}, "tlp": "AMBER", "audience": map[string]any{"sectors": []string{"energy"}},
		"nis2": true, "stage": "early-warning",
	}
	b.call(http.MethodPost, "/api/v1/incidents", readOnly, body).wantProblem(t, http.StatusForbidden, "missing-scope")
	r := b.call(http.MethodPost, "/api/v1/incidents?submit=true", member, body)
	r.wantProblem(t, http.StatusBadRequest, "invalid")
	errs, _ := r.json["errors"].(map[string]any)
	if errs["indicators[1]"] == nil || errs["detected"] == nil || len(errs) != 2 {
		t.Errorf("problems of the refused submission: %v", r.json)
	}
	loc := r.header.Get("Location")
	d := b.call(http.MethodGet, loc, member, nil)
	d.wantStatus(t, http.StatusOK)
	if d.json["draft"] != true || len(d.json["indicators"].([]any)) != 1 {
		t.Fatalf("the draft kept: %v", d.json)
	}
	body["detected"] = now.Add(-time.Hour).Format(time.RFC3339)
	body["indicators"] = []string{"198.51.100.7"}
	r = b.call(http.MethodPut, loc+"?submit=true", member, body)
	r.wantStatus(t, http.StatusOK)
	caseID, _ := r.json["case_id"].(string)
	if r.json["draft"] != false || caseID == "" {
		t.Fatalf("submitted: %v", r.json)
	}
	b.call(http.MethodPut, loc, member, body).wantProblem(t, http.StatusConflict, "submitted")

	q := b.call(http.MethodGet, "/api/v1/office/cases?status=new", office, nil)
	q.wantStatus(t, http.StatusOK)
	if cs := q.json["cases"].([]any); len(cs) != 1 || cs[0].(map[string]any)["id"] != caseID {
		t.Fatalf("the queue: %v", q.json)
	}
	b.call(http.MethodGet, "/api/v1/office/cases", member, nil).wantProblem(t, http.StatusForbidden, "office-only")
	p := b.call(http.MethodPatch, "/api/v1/office/cases/"+caseID, office, map[string]any{"status": "closed"})
	p.wantProblem(t, http.StatusBadRequest, "invalid")
	if e, _ := p.json["errors"].(map[string]any); e["lessons"] == nil {
		t.Errorf("closing without lessons: %v", p.json)
	}
	b.call(http.MethodPatch, "/api/v1/office/cases/"+caseID, office, map[string]any{"status": "new"}).wantProblem(t, http.StatusConflict, "status-change")
	b.call(http.MethodPatch, "/api/v1/office/cases/"+caseID, office, map[string]any{"status": "triaged"}).wantStatus(t, http.StatusOK)
	b.call(http.MethodPost, "/api/v1/cases/"+caseID+"/messages", office, map[string]any{"body": "Welche Server?"}).wantStatus(t, http.StatusCreated)

	c := b.call(http.MethodGet, "/api/v1/cases/"+caseID, member, nil)
	c.wantStatus(t, http.StatusOK)
	msgs, _ := c.json["messages"].([]any)
	dls, _ := c.json["deadlines"].([]any)
	if c.json["status"] != "triaged" || len(msgs) != 1 || msgs[0].(map[string]any)["office"] != true || len(dls) != 3 ||
		dls[0].(map[string]any)["state"] != "on-time" || dls[1].(map[string]any)["state"] != "open" {
		t.Errorf("the member's view of the case: %v", c.json)
	}
	b.call(http.MethodPost, "/api/v1/cases/"+caseID+"/messages", member, map[string]any{"body": "Zwei Dateiserver."}).wantStatus(t, http.StatusCreated)
	other := f.token(t, f.office, identity.ScopeProfileRead)
	b.call(http.MethodGet, "/api/v1/cases/"+caseID, other, nil).wantProblem(t, http.StatusForbidden, "missing-scope")
}
