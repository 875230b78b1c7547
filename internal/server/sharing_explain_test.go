package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/policy"
)

// The office sees who can see an object and why, in the page and the API,
// and why one organisation cannot; members may not ask.
func TestExplainer(t *testing.T) {
	f := newFixture(t)
	m := policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"water"}, Orgs: []string{f.office.ID}}}
	_, mid := f.sharedIndicator(t, f.orgAdmin, m)
	hafen, _ := f.joined(t, "Hafen Logistik", "hafen.example")
	reviewer := f.loggedIn(t, f.reviewer)

	r := reviewer.get("/office/sharing/explain?" + url.Values{"kind": {"stix"}, "id": {mid}}.Encode())
	r.wantStatus(t, http.StatusOK)
	can, cannot := between(r.body, `id="can"`, "</section>"), between(r.body, `id="cannot"`, "</section>")
	if !strings.Contains(can, "Stadtwerke") || !strings.Contains(can, "Office") || strings.Contains(can, "Hafen") {
		t.Errorf("who can see it:\n%s", can)
	}
	if !strings.Contains(cannot, "Hafen Logistik") || !strings.Contains(cannot, `data-code="audience-not-included"`) {
		t.Errorf("who cannot see it:\n%s", cannot)
	}
	reviewer.post("/lang", url.Values{"lang": {"de"}})
	r = reviewer.get("/office/sharing/explain?" + url.Values{"kind": {"stix"}, "id": {mid}, "org": {hafen.ID}}.Encode())
	focus := between(r.body, `id="focus"`, "</section>")
	if !strings.Contains(focus, `data-allow="false"`) || !strings.Contains(focus, "Hafen Logistik kann es nicht sehen") || !strings.Contains(focus, "weder mit Ihnen") {
		t.Errorf("why Hafen cannot see it, in German:\n%s", focus)
	}
	if strings.Contains(r.body, `id="relay"`) {
		t.Error("a relay is offered to a reviewer")
	}
	_, hidden := f.sharedIndicator(t, f.orgAdmin, waterAmber)
	if r := f.loggedIn(t, f.officeAdmin).get("/office/sharing/explain?" + url.Values{"kind": {"stix"}, "id": {hidden}}.Encode()); r.status != http.StatusOK || strings.Contains(r.body, `id="relay"`) {
		t.Errorf("a relay is offered of an object the office may not see (%d)", r.status)
	}
	member := f.loggedIn(t, f.orgAdmin)
	member.get("/office/sharing/explain?"+url.Values{"kind": {"stix"}, "id": {mid}}.Encode()).wantStatus(t, http.StatusForbidden)

	r = reviewer.get("/api/v1/sharing/explain?" + url.Values{"kind": {"stix"}, "id": {mid}, "org": {hafen.ID}}.Encode())
	r.wantStatus(t, http.StatusOK)
	focusJSON, _ := r.json["focus"].(map[string]any)
	if focusJSON["code"] != "audience-not-included" || focusJSON["allow"] != false || focusJSON["organisation_name"] != "Hafen Logistik" {
		t.Errorf("focus: %v", focusJSON)
	}
	if can, _ := r.json["can"].([]any); len(can) != 2 {
		t.Errorf("can: %v", r.json["can"])
	}
	reviewer.get("/api/v1/sharing/explain?kind=stix").wantProblem(t, http.StatusBadRequest, "invalid")
	reviewer.get("/api/v1/sharing/explain?kind=stix&id="+url.QueryEscape(mid+"x")).wantProblem(t, http.StatusNotFound, "not-found")
}

// The office relays a sanitised copy from the explainer page: a widening
// relay shows what would widen and stores nothing; a narrowing one leads
// to the explanation of the copy. The API does the same.
func TestRelayInTheUIAndAPI(t *testing.T) {
	f := newFixture(t)
	m := policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"water", "health"}, Orgs: []string{f.office.ID}}}
	_, mid := f.sharedIndicator(t, f.orgAdmin, m)
	toEnergy := f.collection(t, f.officeAdmin, "Energy relay", policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"energy"}}})
	toWater := f.collection(t, f.officeAdmin, "Water relay", policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"water"}}})
	admin := f.loggedIn(t, f.officeAdmin)
	explain := "/office/sharing/explain?" + url.Values{"kind": {"stix"}, "id": {mid}}.Encode()
	if r := admin.get(explain); !strings.Contains(r.body, `id="relay"`) || !strings.Contains(r.body, "Water relay") {
		t.Fatal("the explainer offers no relay")
	}
	r := admin.post("/office/sharing/relay", url.Values{"id": {mid}, "collection": {toEnergy.ID}})
	r.wantStatus(t, http.StatusBadRequest)
	if w := between(r.body, `id="widens"`, "</ul>"); !strings.Contains(w, "the sector Energy is not in the original audience") {
		t.Errorf("the refusal does not name what widens:\n%s", between(r.body, `id="relay"`, "</section>"))
	}
	if !strings.Contains(r.body, `value="`+toEnergy.ID+`" selected`) {
		t.Error("the chosen collection is lost")
	}
	r = admin.post("/office/sharing/relay", url.Values{"id": {mid}, "collection": {""}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="e-collection"`) {
		t.Errorf("no collection: %d, no problem beside the field", r.status)
	}
	r = admin.post("/office/sharing/relay", url.Values{"id": {mid}, "collection": {toWater.ID}, "tlp": {"AMBER"}})
	r.wantStatus(t, http.StatusOK)
	copyID := r.url.Query().Get("id")
	if !strings.HasPrefix(copyID, toWater.ID+"/indicator--") || !strings.Contains(between(r.body, `id="can"`, "</section>"), "Stadtwerke") {
		t.Errorf("after the relay: %s\n%s", r.url, between(r.body, `id="can"`, "</section>"))
	}

	admin.get(explain)
	r = admin.postJSON("/api/v1/sharing/relays", strings.NewReader(`{"object":"`+mid+`","collection":"`+toEnergy.ID+`"}`))
	r.wantProblem(t, http.StatusBadRequest, "relay-widens")
	if errs, _ := r.json["errors"].(map[string]any); errs["audience.sectors"] == nil {
		t.Errorf("errors: %v", r.json["errors"])
	}
	r = admin.postJSON("/api/v1/sharing/relays", strings.NewReader(`{"object":"`+mid+`","collection":"`+toWater.ID+`","tlp":"AMBER+STRICT"}`))
	if r.status == http.StatusCreated {
		t.Errorf("a relay that leaves no audience was stored: %v", r.json)
	}
	r = admin.postJSON("/api/v1/sharing/relays", strings.NewReader(`{"object":"`+mid+`","collection":"`+toWater.ID+`"}`))
	r.wantStatus(t, http.StatusCreated)
	if src, _ := r.json["source"].(map[string]any); src["id"] == nil || r.json["id"] == src["id"] {
		t.Errorf("relay: %v", r.json)
	}
	reviewer := f.loggedIn(t, f.reviewer)
	reviewer.get("/office/sharing/explain")
	reviewer.postJSON("/api/v1/sharing/relays", strings.NewReader(`{"object":"`+mid+`","collection":"`+toWater.ID+`"}`)).wantProblem(t, http.StatusForbidden, "missing-role")
}
