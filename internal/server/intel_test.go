package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// intelCollection creates a collection of the office with marking m that
// every reader may add to.
func (f *fixture) intelCollection(t *testing.T, title string, m policy.Marking) cti.Collection {
	t.Helper()
	c, err := f.stix.CreateCollection(t.Context(), f.principal(t, f.officeAdmin), cti.NewCollection{Title: title,
		OwnerOrg: f.office.ID, Default: m, ReadersWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// officeIndicator adds an indicator of the office to c and returns its id.
func (f *fixture) officeIndicator(t *testing.T, c cti.Collection, in cti.NewIndicator) string {
	t.Helper()
	p := f.principal(t, f.officeAdmin)
	v, err := f.door.Viewer(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.stix.AddIndicator(t.Context(), p, &v, &c, in)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var green = policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}

var objectLink = regexp.MustCompile(`href="(/intel/[^"]+/objects/[^"]+)"`)

// A member adds an indicator by form, finds it in the listing and by its
// value, and a wrong value comes back beside its field with what was typed.
func TestIntelIndicatorByForm(t *testing.T) {
	f := newFixture(t)
	c := f.intelCollection(t, "Indikatoren der Allianz", green)
	b := f.loggedIn(t, f.orgMbr)

	b.get("/intel").wantContains(t, "Indikatoren der Allianz")
	b.get("/intel/contribute").wantStatus(t, http.StatusOK)
	bad := b.post("/intel/contribute", url.Values{"step": {"indicator"}, "collection": {c.ID}, "kind": {"ipv4"},
		"value": {"2001:db8::1"}, "name": {"Scanner"}})
	bad.wantStatus(t, http.StatusBadRequest)
	bad.wantContains(t, `id="e-value"`, "is not an IPv4 address", `value="2001:db8::1"`, `value="Scanner"`)

	r := b.post("/intel/contribute", url.Values{"step": {"indicator"}, "collection": {c.ID}, "kind": {"url"},
		"value": {"HTTP://Login.Example/reset?user=o'brien"}, "name": {"Password reset phishing"}, "tlp": {"GREEN"},
		"valid_from": {"2026-03-01T10:00"}})
	r.wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(r.url.Path, "/intel/"+c.ID+"/objects/indicator--") {
		t.Fatalf("after adding, the browser is at %s", r.url)
	}
	r.wantContains(t, "Password reset phishing", "TLP:GREEN", "[url:value = &#39;http://login.example/reset?user=o\\&#39;brien&#39;]",
		"2026-03-01T10:00:00.000Z", "Stadtwerke", `class="flash"`, "Why you see this: your organisation")

	list := b.get("/intel")
	list.wantContains(t, "Password reset phishing", r.url.Path)
	found := b.get("/intel/search?q=" + url.QueryEscape("http://LOGIN.example/reset?user=o'brien"))
	found.wantContains(t, "Password reset phishing", r.url.Path)
	b.get("/intel/search?q=198.51.100.1").wantContains(t, "Nothing is known about this value")
	b.get("/intel/search?q=not+a+value").wantContains(t, "This is not something we can look up")
}

func viewer(t *testing.T, f *fixture, u identity.User) *policy.Viewer {
	t.Helper()
	v, err := f.door.Viewer(t.Context(), f.principal(t, u))
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

// An object the viewer may not read is not found and the refusal is
// audited; one whose existence shows is a teaser with a way to ask.
func TestIntelObjectRefusedOrTeaser(t *testing.T) {
	f := newFixture(t)
	finance := f.intelCollection(t, "Finanzsektor", policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"finance"}}})
	strict := f.intelCollection(t, "Nur Geschäftsstelle", policy.Marking{TLP: policy.AmberStrict, Audience: policy.Audience{Orgs: []string{f.office.ID}}})
	teased := f.officeIndicator(t, finance, cti.NewIndicator{Kind: "domain", Value: "bank-login.example", Name: "Bank phishing"})
	hidden := f.officeIndicator(t, strict, cti.NewIndicator{Kind: "ipv4", Value: "192.0.2.7", Name: "Secret C2"})

	b := f.loggedIn(t, f.orgMbr)
	r := b.get("/intel/" + finance.ID + "/objects/" + teased)
	r.wantStatus(t, http.StatusOK)
	r.wantContains(t, "Not shared with you", "TLP:AMBER", "Office", "/access-requests/new?id=")
	if strings.Contains(r.body, "Bank phishing") || strings.Contains(r.body, "bank-login") {
		t.Error("the teaser shows the object's content")
	}
	r = b.get("/intel/" + strict.ID + "/objects/" + hidden)
	r.wantStatus(t, http.StatusNotFound)
	if strings.Contains(r.body, "Secret C2") {
		t.Error("the not-found page shows the object")
	}
	if !f.audited(t, "read.denied", f.orgMbr.ID, "") {
		t.Error("the refused read is not in the audit log")
	}
	b.get("/intel/search?q=192.0.2.7").wantContains(t, "Nothing is known about this value")
	if l := b.get("/intel"); strings.Contains(l.body, "Secret C2") || strings.Contains(l.body, "Bank phishing") {
		t.Error("the listing shows objects the member may not read")
	}

	admin := f.loggedIn(t, f.officeAdmin)
	admin.get("/intel/"+strict.ID+"/objects/"+hidden).wantContains(t, "Secret C2", "/office/sharing/explain?kind=stix&amp;id="+strict.ID)
}

// A sighting is attributed or anonymous to the other members; the office
// still sees who reported it.
func TestIntelSightings(t *testing.T) {
	f := newFixture(t)
	c := f.intelCollection(t, "Indikatoren", green)
	id := f.officeIndicator(t, c, cti.NewIndicator{Kind: "ipv4", Value: "203.0.113.45", Name: "C2 server"})
	page := "/intel/" + c.ID + "/objects/" + id

	b := f.loggedIn(t, f.orgMbr)
	b.get(page).wantContains(t, "No sightings that you may see", "Report a sighting")
	bad := b.post(page+"/sightings", url.Values{"count": {"zero"}, "first_seen": {"2026-03-02T10:00"}})
	bad.wantStatus(t, http.StatusBadRequest)
	bad.wantContains(t, `id="e-count"`, `value="zero"`, `value="2026-03-02T10:00"`)
	r := b.post(page+"/sightings", url.Values{"count": {"7"}, "first_seen": {"2026-03-01T08:00"}, "last_seen": {"2026-03-02T09:30"}})
	r.wantStatus(t, http.StatusOK)
	r.wantContains(t, "Your sighting is recorded", "2026-03-01T08:00:00.000Z", "Stadtwerke")
	b.post(page+"/sightings", url.Values{"count": {"3"}, "anonymous": {"on"}}).wantStatus(t, http.StatusOK)

	// Another member sees one sighting by Stadtwerke and one anonymous one,
	// and nothing in the anonymous sighting's JSON names its reporter.
	_, hafen := f.joined(t, "Hafen Logistik", "hafen.example")
	view := hafen.get(page)
	view.wantContains(t, "Stadtwerke", "anonymous", "Why you see this: shared with the whole community under TLP:GREEN")
	links := objectLink.FindAllStringSubmatch(view.body, -1)
	var anon string
	for _, l := range links {
		if strings.Contains(l[1], "sighting--") {
			s := hafen.get(l[1])
			if strings.Contains(s.body, ">anonymous<") || strings.Contains(s.body, "Created by</dt><dd>anonymous") {
				anon = s.body
			}
		}
	}
	if anon == "" {
		t.Fatal("no anonymous sighting page found")
	}
	if strings.Contains(anon, cti.IdentityID(f.member.ID)) || strings.Contains(anon, "Stadtwerke") {
		t.Error("the anonymous sighting names its reporter to another member")
	}
	admin := f.loggedIn(t, f.officeAdmin)
	admin.get(page).wantContains(t, "Added by: Stadtwerke")
}

// A bundle is previewed with each object's problem, kept between the
// steps, and only its valid objects are added.
func TestIntelBundleUpload(t *testing.T) {
	f := newFixture(t)
	c := f.intelCollection(t, "Indikatoren", green)
	b := f.loggedIn(t, f.orgMbr)
	b.get("/intel/contribute")
	good := `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-03-01T10:00:00.000Z","modified":"2026-03-01T10:00:00.000Z","name":"Loader C2","pattern":"[ipv4-addr:value = '198.51.100.9']","pattern_type":"stix","valid_from":"2026-03-01T10:00:00Z"}`
	broken := `{"type":"indicator","spec_version":"2.1","id":"indicator--0f6a9f1e-8d1c-4b5e-9f64-1c2b3a4d5e6f","created":"2026-03-01T10:00:00.000Z","modified":"2026-03-01T10:00:00.000Z","name":"Broken","pattern":"[ipv4-addr:value = '198.51.100.10'","pattern_type":"stix","valid_from":"2026-03-01T10:00:00Z"}`
	bundle := `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + good + `,` + broken + `]}`

	empty := b.post("/intel/contribute", url.Values{"step": {"preview"}, "collection": {c.ID}, "text": {`{"type":"bundle"}`}})
	empty.wantStatus(t, http.StatusBadRequest)
	empty.wantContains(t, `id="e-bundle"`, "bundle--")

	pre := b.post("/intel/contribute", url.Values{"step": {"preview"}, "collection": {c.ID}, "text": {bundle}})
	pre.wantStatus(t, http.StatusOK)
	pre.wantContains(t, "1 objects can be added, 1 cannot", "Loader C2", "Broken", "column 35", "will be added")
	if l := b.get("/intel"); strings.Contains(l.body, "Loader C2") {
		t.Fatal("the preview added objects")
	}
	kept := regexp.MustCompile(`name="bundle" value="([^"]*)"`).FindStringSubmatch(pre.body)
	if kept == nil {
		t.Fatal("the preview does not carry the bundle to the confirm step")
	}
	carried := strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#43;", "+").Replace(kept[1])
	if carried != bundle {
		t.Fatalf("the bundle carried differs:\n%s\n%s", carried, bundle)
	}
	done := b.post("/intel/contribute", url.Values{"step": {"confirm"}, "collection": {c.ID}, "bundle": {carried}})
	done.wantStatus(t, http.StatusOK)
	done.wantContains(t, "1 of 1 objects added", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")
	b.get("/intel").wantContains(t, "Loader C2")
	if strings.Contains(b.get("/intel").body, "Broken") {
		t.Error("the broken object was added")
	}
}

// Pages of the listing neither skip nor repeat an object, newest first,
// across collections.
func TestIntelListingPages(t *testing.T) {
	f := newFixture(t)
	a := f.intelCollection(t, "A", green)
	z := f.intelCollection(t, "Z", green)
	var want []string
	for i := range 31 {
		c := a
		if i%3 == 0 {
			c = z
		}
		f.officeIndicator(t, c, cti.NewIndicator{Kind: "ipv4", Value: fmt.Sprintf("198.51.100.%d", i), Name: fmt.Sprintf("Indicator %02d", i)})
		want = append([]string{fmt.Sprintf("Indicator %02d", i)}, want...)
	}
	b := f.loggedIn(t, f.orgMbr)
	name := regexp.MustCompile(`>(Indicator \d\d)<`)
	next := regexp.MustCompile(`href="(/intel\?after=[^"]+)" rel="next"`)
	var got []string
	path := "/intel?type=indicator"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("the listing does not end")
		}
		r := b.get(path)
		r.wantStatus(t, http.StatusOK)
		for _, m := range name.FindAllStringSubmatch(r.body, -1) {
			got = append(got, m[1])
		}
		path = ""
		if m := next.FindStringSubmatch(r.body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("pages list\n%v\nwant\n%v", got, want)
	}
	b.get("/intel?after=garbage").wantStatus(t, http.StatusBadRequest)
}

// The API adds indicators and sightings for tokens with intel:write and
// answers bad input with problem details.
func TestIntelAPI(t *testing.T) {
	f := newFixture(t)
	c := f.intelCollection(t, "Indikatoren", green)
	admin := f.principal(t, f.orgAdmin)
	tok, _, err := f.ids.CreateToken(t.Context(), admin, identity.NewToken{OrgID: f.member.ID, Name: "soc",
		Scopes: []identity.Scope{identity.ScopeIntelRead, identity.ScopeIntelWrite}})
	if err != nil {
		t.Fatal(err)
	}
	readOnly, _, err := f.ids.CreateToken(t.Context(), admin, identity.NewToken{OrgID: f.member.ID, Name: "ro",
		Scopes: []identity.Scope{identity.ScopeIntelRead}})
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser(t)
	body := fmt.Sprintf(`{"collection":%q,"kind":"sha256","value":"%s","name":"Dropper","tlp":"GREEN"}`, c.ID, strings.Repeat("AB", 32))
	b.api(http.MethodPost, "/api/v1/intel/indicators", readOnly, body).wantProblem(t, http.StatusForbidden, "missing-scope")
	r := b.api(http.MethodPost, "/api/v1/intel/indicators", tok, body)
	r.wantStatus(t, http.StatusCreated)
	id, _ := r.json["id"].(string)
	if !strings.HasPrefix(id, "indicator--") || !strings.HasSuffix(r.header.Get("Location"), "/objects/"+id) {
		t.Fatalf("created %v at %s", r.json, r.header.Get("Location"))
	}
	bad := b.api(http.MethodPost, "/api/v1/intel/indicators", tok, fmt.Sprintf(`{"collection":%q,"kind":"md5","value":"xyz"}`, c.ID))
	bad.wantProblem(t, http.StatusBadRequest, "invalid")
	if errs, _ := json.Marshal(bad.json["errors"]); !strings.Contains(string(errs), "value") {
		t.Errorf("the problem does not name the field: %s", errs)
	}
	b.api(http.MethodPost, "/api/v1/intel/indicators", tok, `{"collection":"nope","kind":"ipv4","value":"192.0.2.1"}`).wantProblem(t, http.StatusBadRequest, "invalid")

	s := b.api(http.MethodPost, "/api/v1/intel/sightings", tok, fmt.Sprintf(`{"collection":%q,"indicator":%q,"count":4,"anonymous":true}`, c.ID, id))
	s.wantStatus(t, http.StatusCreated)
	b.api(http.MethodPost, "/api/v1/intel/sightings", tok, fmt.Sprintf(`{"collection":%q,"indicator":"indicator--00000000-0000-4000-8000-000000000000"}`, c.ID)).
		wantProblem(t, http.StatusNotFound, "not-found")
	b.api(http.MethodPost, "/api/v1/intel/sightings", tok, fmt.Sprintf(`{"collection":%q,"indicator":%q,"count":0}`, c.ID, id)).
		wantProblem(t, http.StatusBadRequest, "invalid")

	m := f.loggedIn(t, f.orgMbr)
	m.get("/intel/search?q="+strings.Repeat("ab", 32)).wantContains(t, "Dropper")
}

// An object's page lists its relationships both ways, with what is at
// the other end, and only those the viewer may see.
func TestIntelRelationships(t *testing.T) {
	f := newFixture(t)
	c := f.intelCollection(t, "Indikatoren", green)
	ind := f.officeIndicator(t, c, cti.NewIndicator{Kind: "ipv4", Value: "203.0.113.45", Name: "C2 server"})
	p := f.principal(t, f.officeAdmin)
	v := viewer(t, f, f.officeAdmin)
	const malware = "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc"
	at := "2026-03-01T10:00:00.000Z"
	objs := []string{
		fmt.Sprintf(`{"type":"malware","spec_version":"2.1","id":%q,"created":%q,"modified":%q,"name":"Emotet-like loader","is_family":true}`, malware, at, at),
		fmt.Sprintf(`{"type":"relationship","spec_version":"2.1","id":"relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad","created":%q,"modified":%q,"relationship_type":"indicates","source_ref":%q,"target_ref":%q}`, at, at, ind, malware),
	}
	var raw []json.RawMessage
	for _, o := range objs {
		raw = append(raw, json.RawMessage(o))
	}
	if st, err := f.stix.Add(t.Context(), p, v, &c, raw); err != nil || len(st.Failures) > 0 {
		t.Fatalf("adding: %+v, %v", st.Failures, err)
	}
	b := f.loggedIn(t, f.orgMbr)
	b.get("/intel/"+c.ID+"/objects/"+ind).wantContains(t, "Relationships", "indicates", "Emotet-like loader", "/objects/"+malware)
	b.get("/intel/"+c.ID+"/objects/"+malware).wantContains(t, "Relationships", "indicates", "C2 server", "/objects/"+ind)
}
