package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/server"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// noRemote is the id of a remote that does not exist.
const noRemote = "0194f1f4-0000-7000-8000-000000000000"

// remotesFixture is the fixture with TAXII collections and remotes, and a
// collection of the office to pull into.
func remotesFixture(t *testing.T) (*fixture, cti.Collection) {
	t.Helper()
	f := newFixture(t)
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	door := sharing.New(pol, f.mem, f.des, f.des, f.ids, nil)
	stix := cti.NewService(f.db.STIX(), door, nil)
	fed, err := federation.NewService(federation.Config{Key: federation.KeyFrom([]byte("test installation"))},
		f.db.Federation(), door, stix, f.db.Identity())
	if err != nil {
		t.Fatal(err)
	}
	c, err := stix.CreateCollection(t.Context(), f.principal(t, f.officeAdmin), cti.NewCollection{Title: "Lagebild",
		OwnerOrg: f.office.ID, Default: policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler
	f.srv, h, err = server.NewServer(server.Config{BaseURL: "http://verbund.test", Version: "test"}, server.Deps{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Identity: f.ids, Membership: f.mem, Designation: f.des,
		Door: door, STIX: stix, Remotes: fed,
		Audit: f.db, Mail: f.db, DB: f.db, Catalog: f.cat, CSRFKey: []byte("0123456789abcdef0123456789abcdef"),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.ts.Close()
	f.ts = httptest.NewServer(h)
	t.Cleanup(f.ts.Close)
	return f, c
}

// TestRemotePages: an office admin adds a remote by form, fixes what the
// form says is wrong without typing the rest again, never sees the secret
// again, and runs, enables, disables and deletes it.
func TestRemotePages(t *testing.T) {
	f, c := remotesFixture(t)
	b := f.loggedIn(t, f.officeAdmin)
	b.get("/office/remotes").wantStatus(t, http.StatusOK)
	const secret = "vbd_abcdefghij_the-remote-token-nobody-may-see-again-0123456789"
	form := url.Values{"name": {"CERT Nord"}, "url": {"ftp://cert-nord.example"}, "collection": {"91a7b528-80eb-42ed-a74d-c6fbd5a26116"},
		"direction": {"pull"}, "auth": {"bearer"}, "password": {secret}, "local_collection": {c.ID}, "interval_minutes": {"0"}, "enabled": {"on"}}
	r := b.post("/office/remotes", form)
	r.wantStatus(t, http.StatusBadRequest)
	main := between(r.body, "<main", "</main>")
	for _, want := range []string{`id="e-url"`, `id="e-interval_minutes"`, `value="CERT Nord"`, `value="91a7b528-80eb-42ed-a74d-c6fbd5a26116"`} {
		if !strings.Contains(main, want) {
			t.Errorf("the refused form lacks %s", want)
		}
	}
	if strings.Contains(r.body, secret) {
		t.Error("the refused form shows the secret")
	}

	form.Set("url", "https://taxii.cert-nord.example/taxii2/")
	form.Set("interval_minutes", "30")
	r = b.post("/office/remotes", form)
	r.wantStatus(t, http.StatusOK)
	id := strings.TrimPrefix(r.url.Path, "/office/remotes/")
	if id == r.url.Path || strings.Contains(r.body, secret) || !strings.Contains(r.body, "Stored; enter to replace") {
		t.Fatalf("after saving: %s, secret shown %t, hint shown %t", r.url.Path, strings.Contains(r.body, secret),
			strings.Contains(r.body, "Stored; enter to replace"))
	}
	list := b.get("/office/remotes")
	if !strings.Contains(list.body, "CERT Nord") || !strings.Contains(list.body, "Never run") || strings.Contains(list.body, secret) {
		t.Errorf("the list does not show the new remote as never run:\n%.2000s", between(list.body, "<main", "</main>"))
	}

	// Disable, then run now: refused, said why.
	b.get("/office/remotes/" + id)
	b.post("/office/remotes/"+id+"/disable", nil).wantStatus(t, http.StatusOK)
	r = b.post("/office/remotes/"+id+"/run", nil)
	r.wantStatus(t, http.StatusConflict)
	if !strings.Contains(r.body, "the remote is disabled; enable it to run it") {
		t.Errorf("run of a disabled remote does not say why:\n%.2000s", between(r.body, "<main", "</main>"))
	}
	r = b.post("/office/remotes/"+id+"/enable", nil)
	r.wantStatus(t, http.StatusOK)
	r = b.post("/office/remotes/"+id+"/run", nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "due now") {
		t.Errorf("run now: %d", r.status)
	}

	// An update without secret keeps it.
	form.Set("password", "")
	form.Set("name", "CERT Nord (TAXII)")
	r = b.post("/office/remotes/"+id, form)
	r.wantStatus(t, http.StatusOK)
	got := b.api("GET", "/api/v1/remotes/"+id, "", "")
	if got.json["name"] != "CERT Nord (TAXII)" || got.json["has_secret"] != true || strings.Contains(got.body, secret) {
		t.Errorf("after the update: %s", got.body)
	}

	b.post("/office/remotes/"+id+"/delete", nil).wantStatus(t, http.StatusOK)
	b.get("/office/remotes/"+id).wantStatus(t, http.StatusNotFound)

	// Members may not.
	m := f.loggedIn(t, f.orgAdmin)
	m.get("/office/remotes").wantStatus(t, http.StatusForbidden)
	m.api("GET", "/api/v1/remotes", "", "").wantProblem(t, http.StatusForbidden, "missing-role")
}

// TestRemoteFormInGerman shows the problems of the remote form in the
// user's language.
func TestRemoteFormInGerman(t *testing.T) {
	f, _ := remotesFixture(t)
	b := f.loggedIn(t, f.officeAdmin)
	b.post("/lang", url.Values{"lang": {"de"}, "next": {"/office/remotes"}}).wantStatus(t, http.StatusOK)
	r := b.post("/office/remotes", url.Values{"direction": {"pull"}, "auth": {"bearer"}, "interval_minutes": {"60"}})
	r.wantStatus(t, http.StatusBadRequest)
	for _, de := range []string{"ist erforderlich", "ist für diese Anmeldeart erforderlich"} {
		if !strings.Contains(r.body, de) {
			t.Errorf("the form does not say %q", de)
		}
	}
	if strings.Contains(between(r.body, "<main", "</main>"), "is required") {
		t.Error("the form shows a problem in English")
	}
}

// TestRemotesAPI creates, reads, changes, runs and deletes a remote
// through the REST API, with problem details for bad input.
func TestRemotesAPI(t *testing.T) {
	f, c := remotesFixture(t)
	b := f.loggedIn(t, f.officeAdmin)
	b.get("/office/remotes")
	r := b.api("POST", "/api/v1/remotes", "", `{"name":"Süd","url":"https://taxii.example.org/api1/","collection":"c1",`+
		`"direction":"push","auth":"basic","username":"verbund","secret":"pw","local_collection":"`+c.ID+`","interval_minutes":0}`)
	r.wantProblem(t, http.StatusBadRequest, "invalid")
	if errs, _ := r.json["errors"].(map[string]any); errs["recipient"] == nil || errs["interval_minutes"] == nil {
		t.Errorf("problems: %v", r.json["errors"])
	}
	b.api("POST", "/api/v1/remotes", "", `{"name":"x","colour":"blue"}`).wantProblem(t, http.StatusBadRequest, "malformed-json")
	r = b.api("POST", "/api/v1/remotes", "", `{"name":"Süd","url":"https://taxii.example.org/api1/","collection":"c1",`+
		`"direction":"push","auth":"basic","username":"verbund","secret":"pw","local_collection":"`+c.ID+`",`+
		`"recipient":"`+f.member.ID+`","interval_minutes":60,"enabled":false}`)
	r.wantStatus(t, http.StatusCreated)
	id, _ := r.json["id"].(string)
	if r.header.Get("Location") != "/api/v1/remotes/"+id || r.json["has_secret"] != true || strings.Contains(r.body, `"pw"`) {
		t.Errorf("created: %s %s", r.header.Get("Location"), r.body)
	}
	b.api("POST", "/api/v1/remotes/"+id+"/run", "", "").wantProblem(t, http.StatusConflict, "remote-disabled")
	r = b.api("PATCH", "/api/v1/remotes/"+id, "", `{"enabled":true,"interval_minutes":15}`)
	r.wantStatus(t, http.StatusOK)
	if r.json["enabled"] != true || r.json["interval_minutes"] != float64(15) || r.json["username"] != "verbund" || r.json["has_secret"] != true {
		t.Errorf("after PATCH: %s", r.body)
	}
	b.api("POST", "/api/v1/remotes/"+id+"/run", "", "").wantStatus(t, http.StatusAccepted)
	r = b.api("GET", "/api/v1/remotes", "", "")
	if list, _ := r.json["remotes"].([]any); len(list) != 1 {
		t.Errorf("list: %s", r.body)
	}
	b.api("DELETE", "/api/v1/remotes/"+id, "", "").wantStatus(t, http.StatusNoContent)
	b.api("GET", "/api/v1/remotes/"+id, "", "").wantProblem(t, http.StatusNotFound, "not-found")
}

// TestRemotePagesInEveryLanguage renders the remote pages, with a remote
// that failed, in every language without a missing text.
func TestRemotePagesInEveryLanguage(t *testing.T) {
	f, c := remotesFixture(t)
	b := f.loggedIn(t, f.officeAdmin)
	b.get("/office/remotes")
	r := b.api("POST", "/api/v1/remotes", "", `{"name":"Nord","url":"https://taxii.example.org/taxii2/","collection":"c1",`+
		`"direction":"pull","auth":"none","local_collection":"`+c.ID+`","interval_minutes":60}`)
	r.wantStatus(t, http.StatusCreated)
	id, _ := r.json["id"].(string)
	for _, l := range i18n.Languages {
		b.post("/lang", url.Values{"lang": {l.Code}}).wantStatus(t, http.StatusOK)
		for _, p := range []string{"/office/remotes", "/office/remotes/" + id} {
			r := b.get(p)
			r.wantStatus(t, http.StatusOK)
			if m := missingKey.FindString(r.body); m != "" {
				t.Errorf("%s %s: missing text %s", l.Code, p, m)
			}
		}
	}
}
