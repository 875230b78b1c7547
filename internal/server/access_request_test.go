package server_test

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/policy"
)

// waterAmber is TLP:AMBER for the water sector: the fixture's member is in
// it, an organisation that joins through the web (energy, ICT) is not.
var waterAmber = policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"water"}}}

// A member outside an object's audience asks its owner for access in the
// UI; the owner's administrator sees the request counted in the member
// area, grants it with a reason, and the member may then read the object.
func TestAccessRequestInTheUI(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	_, mid := f.sharedIndicator(t, f.orgAdmin, waterAmber)
	hafen, b := f.joined(t, "Hafen Logistik", "hafen.example")
	newPath := "/access-requests/new?" + url.Values{"kind": {policy.KindSTIX}, "id": {mid}}.Encode()

	r := b.get(newPath)
	r.wantStatus(t, http.StatusOK)
	for _, want := range []string{"Stadtwerke", "TLP:AMBER", mid} {
		if !strings.Contains(r.body, template.HTMLEscapeString(want)) {
			t.Errorf("the form does not show %q", want)
		}
	}
	// No reason: the problem beside the field. Too long: the text stays.
	r = b.post("/access-requests", url.Values{"kind": {policy.KindSTIX}, "id": {mid}, "reason": {"  "}})
	r.wantStatus(t, http.StatusBadRequest)
	if !strings.Contains(r.body, `id="e-reason"`) {
		t.Errorf("no problem beside the reason:\n%.2000s", between(r.body, "<main", "</main>"))
	}
	long := strings.Repeat("Wir betreiben Häfen. ", 100)
	r = b.post("/access-requests", url.Values{"kind": {policy.KindSTIX}, "id": {mid}, "reason": {long}})
	r.wantStatus(t, http.StatusBadRequest)
	if !strings.Contains(r.body, "at most 2000 characters") || !strings.Contains(r.body, template.HTMLEscapeString(strings.TrimSpace(long))) {
		t.Error("a reason that is too long is not kept with its problem")
	}
	r = b.post("/access-requests", url.Values{"kind": {policy.KindSTIX}, "id": {mid}, "reason": {"The address attacks our port systems too."}})
	r.wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(r.url.Path, "/access-requests/") || !strings.Contains(r.body, `id="state"`) {
		t.Fatalf("after asking: %s", r.url)
	}
	reqPath := r.url.Path
	// Asking twice is refused with the reason, above the form.
	r = b.post("/access-requests", url.Values{"kind": {policy.KindSTIX}, "id": {mid}, "reason": {"again"}})
	r.wantStatus(t, http.StatusConflict)

	msgs, err := f.db.ListMail(ctx, mail.Filter{To: f.orgAdmin.Email})
	if err != nil || len(msgs) == 0 || !strings.Contains(msgs[0].Subject, "Hafen Logistik") ||
		!strings.Contains(msgs[0].Text, "http://verbund.test"+reqPath) {
		t.Fatalf("the owner's administrator was not told: %v %+v", err, msgs)
	}

	owner := f.loggedIn(t, f.orgAdmin)
	if r := owner.get("/member"); !strings.Contains(r.body, `id="access-open"`) || !strings.Contains(between(r.body, `id="access-open"`, "</span>"), "1") {
		t.Errorf("the member area does not count the open request:\n%s", between(r.body, `id="access-requests"`, "</li>"))
	}
	r = owner.get("/access-requests?state=open")
	if !strings.Contains(between(r.body, `id="incoming"`, "</section>"), "Hafen Logistik") {
		t.Error("the owner's list does not show the incoming request")
	}
	if r := owner.get("/access-requests?state=granted"); strings.Contains(between(r.body, `id="incoming"`, "</section>"), "Hafen Logistik") {
		t.Error("the state filter does not filter")
	}
	// A plain member of the owner may not decide.
	plain := f.loggedIn(t, f.orgMbr)
	plain.get(reqPath)
	plain.post(reqPath+"/decision", url.Values{"decision": {"grant"}, "reason": {"ok"}}).wantStatus(t, http.StatusForbidden)

	owner.get(reqPath)
	r = owner.post(reqPath+"/decision", url.Values{"decision": {"grant"}, "reason": {""}})
	r.wantStatus(t, http.StatusBadRequest)
	if !strings.Contains(r.body, `id="e-reason"`) || !strings.Contains(r.body, `value="grant" checked`) {
		t.Error("a decision without a reason does not show the problem beside the field, or loses the choice")
	}
	r = owner.post(reqPath+"/decision", url.Values{"decision": {"grant"}, "reason": {"Ports are critical infrastructure."}})
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(between(r.body, `id="state"`, "</span>"), "granted") {
		t.Errorf("after the grant the request is %s", between(r.body, `id="state"`, "</span>"))
	}
	if r := b.get(newPath); !strings.Contains(r.body, `id="visible"`) {
		t.Error("after the grant the asking organisation may still not read the object")
	}
	hp, err := f.ids.Principal(ctx, mustUserOf(t, f, hafen).ID)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.door.Viewer(ctx, hp)
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.db.Marking(ctx, policy.KindSTIX, mid)
	if err != nil {
		t.Fatal(err)
	}
	if o := m.Object(false); !f.door.Decide(&v, &o).Allow {
		t.Error("the door still denies the granted organisation")
	}
	if got, _ := f.db.ListMail(ctx, mail.Filter{To: "ada@hafen.example"}); len(got) == 0 || !strings.Contains(got[0].Subject, "granted") {
		t.Errorf("the asking user was not told of the grant: %+v", got)
	}
	if es, _ := f.db.ListAudit(ctx, audit.Filter{Action: "access.grant"}); len(es) != 1 {
		t.Errorf("%d grants in the audit log, want 1", len(es))
	}
}

// An object whose existence does not show answers "not found" to a request
// form, as one that does not exist, and the attempt is audited.
func TestAccessRequestHidesWhatDoesNotShow(t *testing.T) {
	f := newFixture(t)
	strict := policy.Marking{TLP: policy.AmberStrict, Audience: policy.Audience{Orgs: []string{f.member.ID}}}
	_, mid := f.sharedIndicator(t, f.orgAdmin, strict)
	_, b := f.joined(t, "Hafen Logistik", "hafen.example")
	for _, id := range []string{mid, mid + "x"} {
		r := b.get("/access-requests/new?" + url.Values{"kind": {policy.KindSTIX}, "id": {id}}.Encode())
		r.wantStatus(t, http.StatusNotFound)
		if strings.Contains(r.body, "Stadtwerke") || strings.Contains(r.body, "AMBER") {
			t.Errorf("the not-found page for %s tells of the object", id)
		}
	}
	if es, _ := f.db.ListAudit(t.Context(), audit.Filter{Action: "read.denied", Outcome: audit.Denied}); len(es) != 2 {
		t.Errorf("%d refused reads audited, want 2", len(es))
	}
	b.get("/access-requests")
	r := b.postJSON("/api/v1/access-requests", strings.NewReader(`{"kind":"stix","object_id":"`+mid+`","reason":"need it"}`))
	r.wantProblem(t, http.StatusNotFound, "not-found")
}

// The API asks, lists, shows and decides, with problem details for bad
// input; tokens cannot ask.
func TestAccessRequestAPI(t *testing.T) {
	f := newFixture(t)
	_, mid := f.sharedIndicator(t, f.orgAdmin, waterAmber)
	hafen, b := f.joined(t, "Hafen Logistik", "hafen.example")
	b.get("/access-requests")
	body := func(s string) *strings.Reader { return strings.NewReader(s) }

	b.postJSON("/api/v1/access-requests", body(`{"kind":"stix","object_id":"`+mid+`","reason":""}`)).wantProblem(t, http.StatusBadRequest, "invalid")
	b.postJSON("/api/v1/access-requests", body(`{"kind":"stix","object_id":"`+mid+`","reason":"x","why":1}`)).wantProblem(t, http.StatusBadRequest, "malformed-json")
	r := b.postJSON("/api/v1/access-requests", body(`{"kind":"stix","object_id":"`+mid+`","reason":"Our port systems see this address."}`))
	r.wantStatus(t, http.StatusCreated)
	id, _ := r.json["id"].(string)
	if id == "" || r.json["state"] != "open" || r.header.Get("Location") != "/api/v1/access-requests/"+id {
		t.Fatalf("created: %v %s", r.json, r.header.Get("Location"))
	}
	b.postJSON("/api/v1/access-requests", body(`{"kind":"stix","object_id":"`+mid+`","reason":"again"}`)).wantProblem(t, http.StatusConflict, "request-open")
	if r := b.get("/api/v1/access-requests/" + id); r.status != http.StatusOK || r.json["requester_organisation"] != hafen.ID {
		t.Errorf("GET one: %d %v", r.status, r.json)
	}
	b.get("/api/v1/access-requests?state=closed").wantProblem(t, http.StatusBadRequest, "invalid")
	f.loggedIn(t, f.orgMbr).get("/api/v1/access-requests?incoming=true").wantProblem(t, http.StatusForbidden, "forbidden")

	owner := f.loggedIn(t, f.orgAdmin)
	r = owner.get("/api/v1/access-requests?incoming=true&state=open")
	if list, _ := r.json["access_requests"].([]any); len(list) != 1 {
		t.Fatalf("incoming: %v", r.json)
	}
	owner.get("/access-requests")
	owner.postJSON("/api/v1/access-requests/"+id+"/decision", body(`{"decision":"maybe","reason":"x"}`)).wantProblem(t, http.StatusBadRequest, "invalid")
	r = owner.postJSON("/api/v1/access-requests/"+id+"/decision", body(`{"decision":"refuse","reason":"Not for logistics."}`))
	r.wantStatus(t, http.StatusOK)
	if r.json["state"] != "refused" || r.json["decision_reason"] != "Not for logistics." {
		t.Errorf("decided: %v", r.json)
	}
	owner.postJSON("/api/v1/access-requests/"+id+"/decision", body(`{"decision":"grant","reason":"changed my mind"}`)).wantProblem(t, http.StatusConflict, "already-decided")
	if r := f.loggedIn(t, f.officeAdmin).get("/api/v1/access-requests/" + id); r.status != http.StatusNotFound {
		t.Errorf("a stranger to the request reads it: %d", r.status)
	}

	secret, _, err := f.ids.CreateToken(t.Context(), identity.SystemPrincipal(), identity.NewToken{OrgID: hafen.ID, Name: "feed", Scopes: []identity.Scope{identity.ScopeIntelRead}})
	if err != nil {
		t.Fatal(err)
	}
	tok := f.browser(t).do(http.MethodGet, "/api/v1/access-requests", nil, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) })
	tok.wantProblem(t, http.StatusForbidden, "token-not-allowed")
}

// mustUserOf returns the first user of org.
func mustUserOf(t *testing.T, f *fixture, org identity.Organisation) identity.User {
	t.Helper()
	us, err := f.db.ListUsers(t.Context(), org.ID)
	if err != nil || len(us) == 0 {
		t.Fatalf("users of %s: %v", org.Name, err)
	}
	return us[0]
}
