package server_test

import (
	"encoding/xml"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/server"
)

var warningPath = regexp.MustCompile(`^/warnings/([0-9a-f-]{36})$`)

// A publisher writes a warning in the browser, a second publisher approves
// it, members of its sector read and acknowledge it, the office sees the
// rate; the public sees nothing of it.
func TestWarningWorkflowInTheBrowser(t *testing.T) {
	f := newFixture(t)
	pub1, pub2 := f.loggedIn(t, f.publisher(t, "lena@office.example")), f.loggedIn(t, f.publisher(t, "pieter@office.example"))
	pub1.get("/warnings/new").wantStatus(t, http.StatusOK)
	form := url.Values{"lang": {"en"}, "texts.en.title": {"Pump controller RCE"}, "texts.en.summary": {"Pumps can be taken over."},
		"texts.en.details":         {"## Details\n\n<script>alert('x')</script>\n\nThe **web server** is open."},
		"texts.en.recommendations": {"- Update to 2.4"}, "texts.de.title": {"Pumpensteuerung: Codeausführung"},
		"severity": {""}, "cvss": {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, "cves": {"CVE-26-1, CVE-2026-4711"},
		"products": {"Wasser AG | Pumpensteuerung | < 2.4 | cpe:2.3:x:wasser"}, "references": {"https://wasser.example/psirt"},
		"tlp": {"AMBER"}, "audience_sectors": {"water"}}
	r := pub1.post("/warnings", form)
	r.wantStatus(t, http.StatusBadRequest)
	for _, want := range []string{`id="e-cves"`, "CVE-26-1", `id="e-products"`, "product 1 (Wasser AG Pumpensteuerung)",
		`value="Pump controller RCE"`, "Pumps can be taken over.", `<option value="water" selected>`} {
		if !strings.Contains(html.UnescapeString(r.body), html.UnescapeString(want)) {
			t.Errorf("the form shown again lacks %q", want)
		}
	}
	form.Set("cves", "CVE-2026-4711")
	form.Set("products", "Wasser AG | Pumpensteuerung | < 2.4 | cpe:2.3:o:wasser:pumpensteuerung_firmware:*:*:*:*:*:*:*:*")
	r = pub1.post("/warnings", form)
	r.wantStatus(t, http.StatusOK)
	m := warningPath.FindStringSubmatch(r.url.Path)
	if m == nil {
		t.Fatalf("creating ended at %s", r.url)
	}
	id := m[1]
	if strings.Contains(r.body, "<script>alert") || !strings.Contains(r.body, "<strong>web server</strong>") {
		t.Errorf("the details are not rendered safely:\n%s", between(r.body, "<main", "</main>"))
	}
	if !strings.Contains(r.body, "TLP:AMBER") || !strings.Contains(r.body, "9.8") {
		t.Error("the page shows neither the TLP label nor the CVSS score")
	}

	// Four eyes: the author cannot approve.
	pub1.post("/warnings/"+id+"/submit", nil).wantStatus(t, http.StatusOK)
	r = pub1.post("/warnings/"+id+"/approve", nil)
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "a second person must approve") {
		t.Errorf("the author approved: %d", r.status)
	}
	pub2.get("/warnings/" + id)
	pub2.post("/warnings/"+id+"/approve", nil).wantStatus(t, http.StatusOK)
	pub1.get("/warnings/" + id)
	pub1.post("/warnings/"+id+"/publish", nil).wantStatus(t, http.StatusOK)

	// The water member reads it, in German where there is a translation.
	member := f.loggedIn(t, f.orgMbr)
	member.post("/lang", url.Values{"lang": {"de"}})
	if r := member.get("/warnings"); !strings.Contains(r.body, "Pumpensteuerung: Codeausführung") {
		t.Error("the member does not see the warning in the list")
	}
	if r := member.get("/warnings?severity=critical&sector=water&cve=CVE-2026-4711&product=pumpe"); !strings.Contains(r.body, "/warnings/"+id) {
		t.Error("the filters do not find the warning")
	}
	if r := member.get("/warnings?sector=health"); strings.Contains(r.body, "/warnings/"+id) {
		t.Error("the sector filter lets the warning through")
	}
	r = member.get("/warnings/" + id)
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(r.body, "Pumpensteuerung: Codeausführung") {
		t.Error("the member does not get the German title")
	}
	r = member.post("/warnings/"+id+"/ack", url.Values{"status": {"affected"}})
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(r.body, f.cat.T("de", "warn.ack.saved")) {
		t.Error("no confirmation of the acknowledgement")
	}
	// The office sees the rate: the one member that may read it said so.
	r = pub1.get("/warnings/" + id)
	if want := f.cat.T("en", "warn.rates.summary", "1", "1", "100"); !strings.Contains(html.UnescapeString(r.body), want) {
		t.Errorf("the office does not see %q", want)
	}
	if r := pub1.get("/office/warnings"); !strings.Contains(r.body, "100 %") {
		t.Error("the office overview does not show the rate")
	}

	// The public sees nothing of it, and the refusal is audited.
	anon := f.browser(t)
	anon.get("/warnings/"+id).wantStatus(t, http.StatusNotFound)
	if r := anon.get("/warnings"); strings.Contains(r.body, id) {
		t.Error("the public list shows an AMBER warning")
	}
	entries, err := f.db.ListAudit(t.Context(), audit.Filter{Action: "read.denied"})
	if err != nil {
		t.Fatal(err)
	}
	denied := false
	for _, e := range entries {
		denied = denied || e.ObjectID == id
	}
	if !denied {
		t.Error("the refused read is not in the audit log")
	}

	// An update is a new revision; the first stays readable.
	r = pub1.get("/warnings/" + id + "/edit")
	r.wantStatus(t, http.StatusOK)
	form.Set("texts.en.title", "Pump controller RCE (exploited)")
	form.Set("changes", "")
	r = pub1.post("/warnings/"+id+"/edit", form)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `id="e-changes"`) || !strings.Contains(r.body, "Pump controller RCE (exploited)") {
		t.Errorf("an update without changes: %d", r.status)
	}
	form.Set("changes", "Exploitation observed")
	pub1.post("/warnings/"+id+"/edit", form).wantStatus(t, http.StatusOK)
	r = anonOrMember(member, "/warnings/"+id+"?rev=1")
	if !strings.Contains(r.body, "Pumpensteuerung: Codeausführung") {
		t.Error("revision 1 is not readable")
	}
	r = pub2.get("/warnings/" + id)
	if !strings.Contains(r.body, "Pump controller RCE (exploited)") || !strings.Contains(r.body, "Exploitation observed") {
		t.Error("the new revision or its changes are missing")
	}

	// Withdrawal needs a reason.
	r = pub2.post("/warnings/"+id+"/withdraw", url.Values{"reason": {""}})
	r.wantStatus(t, http.StatusBadRequest)
	r = pub2.post("/warnings/"+id+"/withdraw", url.Values{"reason": {"Vendor retracted the advisory"}})
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(member.get("/warnings/"+id).body, "Vendor retracted the advisory") {
		t.Error("the member does not see why the warning was withdrawn")
	}
}

func anonOrMember(b *browser, path string) *response { return b.get(path) }

// The Atom feed is valid XML and holds the TLP:CLEAR warnings only.
func TestWarningsAtomFeed(t *testing.T) {
	f := newFixture(t)
	_, clear := f.publishedWarning(t)
	p := f.principal(t, f.publisher(t, "second@office.example"))
	green, err := f.warn.Create(t.Context(), p, warningInput(policy.Green, "Only for the community"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.warn.Publish(t.Context(), p, green.ID); err != nil {
		t.Fatal(err)
	}
	r := f.browser(t).get("/warnings.atom")
	r.wantStatus(t, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("Content-Type %q", ct)
	}
	var feed struct {
		XMLName xml.Name
		ID      string `xml:"id"`
		Updated string `xml:"updated"`
		Author  struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Entries []struct {
			ID      string `xml:"id"`
			Title   string `xml:"title"`
			Updated string `xml:"updated"`
			Summary string `xml:"summary"`
			Link    struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(r.body), &feed); err != nil {
		t.Fatalf("the feed is not XML: %v", err)
	}
	if feed.XMLName.Space != "http://www.w3.org/2005/Atom" || feed.XMLName.Local != "feed" || feed.ID == "" || feed.Author.Name == "" || feed.Updated == "" {
		t.Errorf("not an Atom feed with id, author and updated: %+v", feed)
	}
	if len(feed.Entries) != 1 {
		t.Fatalf("%d entries, want the one TLP:CLEAR warning", len(feed.Entries))
	}
	e := feed.Entries[0]
	if !strings.Contains(e.Title, "Gateway exploited") || e.ID != "urn:uuid:"+clear.ID || !strings.HasSuffix(e.Link.Href, "/warnings/"+clear.ID) || e.Updated == "" {
		t.Errorf("entry %+v", e)
	}
	if strings.Contains(r.body, "Only for the community") {
		t.Error("the feed carries a TLP:GREEN warning")
	}
}

// The API: problem details that name the fields, the workflow, scopes.
func TestWarningsAPI(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	admin := f.principal(t, f.officeAdmin)
	token := func(org identity.Organisation, scopes ...identity.Scope) string {
		tok, _, err := f.ids.CreateToken(ctx, admin, identity.NewToken{OrgID: org.ID, Name: "t", Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	officeTok := token(f.office, identity.ScopeWarningsRead, identity.ScopeWarningsWrite)
	memberTok := token(f.member, identity.ScopeWarningsRead, identity.ScopeWarningsWrite)
	readOnly := token(f.member, identity.ScopeWarningsRead)
	// Publishers write through their session; tokens of the office are
	// not publishers (the office's drafts are a role's work).
	pub := f.loggedIn(t, f.publisher(t, "lena@office.example"))
	b := f.browser(t)
	call := func(method, path, tok, body string) *response {
		c := b
		if tok == "session" {
			c = pub
		}
		return c.do(method, path, strings.NewReader(body), func(r *http.Request) {
			r.Header.Set("Content-Type", "application/json")
			switch tok {
			case "session":
				r.Header.Set("X-CSRF-Token", pub.csrf)
			case "":
			default:
				r.Header.Set("Authorization", "Bearer "+tok)
			}
		})
	}
	office := "session"
	valid := `{"lang":"de","texts":{"de":{"title":"Kritische Lücke in Fernwirktechnik","summary":"Sofort patchen.","details":"Details.","recommendations":"Update."}},
		"cvss":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N","cves":["CVE-2026-1000"],
		"products":[{"vendor":"Fernwirk GmbH","name":"RTU 500","versions":"< 3.1","purl":"pkg:generic/fernwirk/rtu500@3.0"}],
		"references":["https://fernwirk.example/advisory"],"tlp":"GREEN","audience":{"community":true}}`
	r := call("POST", "/api/v1/warnings", office, strings.Replace(valid, "CVE-2026-1000", "CVE-1", 1))
	r.wantProblem(t, http.StatusBadRequest, "warning-invalid")
	if errs, _ := r.json["errors"].(map[string]any); errs["cves"] == nil {
		t.Errorf("the problem does not name cves: %v", r.json)
	}
	call("POST", "/api/v1/warnings", readOnly, valid).wantProblem(t, http.StatusForbidden, "missing-scope")
	call("POST", "/api/v1/warnings", memberTok, valid).wantProblem(t, http.StatusForbidden, "warning-forbidden")
	call("POST", "/api/v1/warnings", officeTok, valid).wantProblem(t, http.StatusForbidden, "warning-forbidden")
	r = call("POST", "/api/v1/warnings", office, valid)
	r.wantStatus(t, http.StatusCreated)
	id, _ := r.json["id"].(string)
	if r.json["severity"] != "high" || r.json["state"] != "draft" {
		t.Errorf("created %v", r.json)
	}
	if cv, _ := r.json["cvss"].(map[string]any); cv["base_score"] != 7.5 {
		t.Errorf("cvss %v, want base score 7.5", r.json["cvss"])
	}
	call("POST", "/api/v1/warnings/"+id+"/publish", office, "").wantProblem(t, http.StatusConflict, "warning-state")
	call("POST", "/api/v1/warnings/"+id+"/submit", office, "").wantStatus(t, http.StatusOK)
	// The author is no second person.
	call("POST", "/api/v1/warnings/"+id+"/approve", office, "").wantProblem(t, http.StatusForbidden, "four-eyes")
	if err := f.warn.SetFourEyes(ctx, admin, false); err != nil {
		t.Fatal(err)
	}
	r = call("POST", "/api/v1/warnings/"+id+"/publish", office, "")
	r.wantStatus(t, http.StatusOK)
	if r.json["revision"] != 1.0 {
		t.Errorf("published %v", r.json)
	}
	// The member reads it (GREEN, community) and acknowledges it; the public does not see it.
	r = call("GET", "/api/v1/warnings?severity=high", memberTok, "")
	if list, _ := r.json["warnings"].([]any); len(list) != 1 {
		t.Errorf("the member lists %v", r.json)
	}
	if r := call("GET", "/api/v1/warnings", "", ""); len(r.json["warnings"].([]any)) != 0 {
		t.Errorf("the public lists %v", r.json)
	}
	call("GET", "/api/v1/warnings/"+id, "", "").wantProblem(t, http.StatusNotFound, "not-found")
	call("POST", "/api/v1/warnings/"+id+"/acknowledgement", memberTok, `{"status":"maybe"}`).wantProblem(t, http.StatusBadRequest, "invalid")
	call("POST", "/api/v1/warnings/"+id+"/acknowledgement", memberTok, `{"status":"fixed"}`).wantStatus(t, http.StatusOK)
	r = call("GET", "/api/v1/warnings/"+id+"/acknowledgements", officeTok, "")
	r.wantStatus(t, http.StatusOK)
	if counts, _ := r.json["counts"].(map[string]any); r.json["recipients"] != 1.0 || counts["fixed"] != 1.0 {
		t.Errorf("rates %v", r.json)
	}
	call("GET", "/api/v1/warnings/"+id+"/acknowledgements", memberTok, "").wantProblem(t, http.StatusForbidden, "office-only")
	// An update without a list of changes is refused, with one it is revision 2.
	call("POST", "/api/v1/warnings/"+id+"/revisions", office, valid).wantProblem(t, http.StatusBadRequest, "invalid")
	r = call("POST", "/api/v1/warnings/"+id+"/revisions", office, strings.Replace(valid, `"tlp"`, `"changes":"Fixed version 3.1.2 named","tlp"`, 1))
	r.wantStatus(t, http.StatusOK)
	if revs, _ := r.json["revisions"].([]any); len(revs) != 2 {
		t.Errorf("revisions %v", r.json["revisions"])
	}
	call("POST", "/api/v1/warnings/"+id+"/withdraw", office, `{"reason":"superseded"}`).wantStatus(t, http.StatusOK)
}

// Every problem code of the warning service has a documentation page.
func TestWarningProblemCodesDocumented(t *testing.T) {
	codeLiteral := regexp.MustCompile(`Code:\s*"([a-z0-9-]*[a-z0-9])"`)
	files, _ := filepath.Glob("../warning/*.go")
	var codes []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeLiteral.FindAllStringSubmatch(string(src), -1) {
			codes = append(codes, m[1])
		}
	}
	if len(codes) < 5 {
		t.Fatalf("found only %v: the pattern no longer matches", codes)
	}
	for _, c := range append(codes, "marking-invalid") {
		if !slices.Contains(server.ProblemCodes(), c) {
			t.Errorf("problem code %q is not documented in problemDocs", c)
		}
	}
}

// A partner writes a contribution in the browser and submits it; it stays
// invisible to the community until the office publishes it. A member that
// is no partner cannot write one.
func TestPartnerContributesAWarning(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, f.orgAdmin)
	b.get("/warnings/new").wantStatus(t, http.StatusForbidden)
	f.partners[f.member.ID] = true
	r := b.get("/warnings")
	if !strings.Contains(r.body, `href="/warnings/new"`) {
		t.Error("the partner is not offered to write a warning")
	}
	r = b.get("/warnings/new")
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(html.UnescapeString(r.body), f.cat.T("en", "warn.form.contribution")) {
		t.Error("the form does not say it is a contribution")
	}
	r = b.post("/warnings", url.Values{"lang": {"en"}, "texts.en.title": {"Backup server wiped before encryption"},
		"texts.en.summary": {"Seen in three incidents."}, "severity": {"high"}, "tlp": {"GREEN"}, "audience_community": {"on"},
		"products": {"Vaultkeeper | Backup Server | < 12.2 | pkg:generic/vaultkeeper/backup-server@12.1"}})
	r.wantStatus(t, http.StatusOK)
	m := warningPath.FindStringSubmatch(r.url.Path)
	if m == nil || !strings.Contains(r.body, f.cat.T("en", "warn.contribution")) {
		t.Fatalf("the contribution ended at %s", r.url)
	}
	b.post("/warnings/"+m[1]+"/submit", nil).wantStatus(t, http.StatusOK)
	// In review, the partner can no longer change it; the office can.
	b.get("/warnings/"+m[1]+"/edit").wantStatus(t, http.StatusForbidden)
	pub := f.loggedIn(t, f.publisher(t, "lena@office.example"))
	if r := pub.get("/office/warnings"); !strings.Contains(r.body, "Backup server wiped before encryption") {
		t.Error("the contribution is not in the office's queue")
	}
	pub.get("/warnings/"+m[1]+"/edit").wantStatus(t, http.StatusOK)
	f.browser(t).get("/warnings/"+m[1]).wantStatus(t, http.StatusNotFound)
}
