package server_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/policy"
)

// pngBytes is the start of a PNG image, enough to be taken as one.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...)

// incidentPages is what the page tests need of incident reporting: an
// analyst, a draft with an attachment and a submitted case of the member.
type incidentPages struct {
	analyst         identity.User
	draft, attached string
	caseID          string
}

func (f *fixture) analyst(t *testing.T) identity.User {
	t.Helper()
	u, err := f.ids.CreateUser(t.Context(), identity.SystemPrincipal(), identity.NewUser{OrgID: f.office.ID,
		Email: "analyst@office.example", Name: "Anna Analyst", Password: password, Roles: []identity.Role{identity.RoleAnalyst}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// validReport is a report of the member that can be submitted.
func (f *fixture) validReport() incident.Report {
	now := f.clock.Now()
	return incident.Report{Title: "Ransomware auf Dateiservern", Description: "Zwei Dateiserver wurden verschlüsselt.",
		Classification: incident.Classification{Class: "malicious-code", Type: "infected-system"}, Sectors: []string{"energy"},
		Impact: incident.ImpactHigh, Timeline: incident.Timeline{Started: now.Add(-30 * time.Hour), Detected: now.Add(-2 * time.Hour)},
		Marking: policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"energy"}}}, NIS2: true, Stage: incident.EarlyWarning}
}

func (f *fixture) incidentPages(t *testing.T) incidentPages {
	t.Helper()
	ctx := t.Context()
	d := incidentPages{analyst: f.analyst(t)}
	p := f.principal(t, f.orgMbr)
	draft, err := f.inc.SaveDraft(ctx, p, incident.Report{Title: "Halb geschrieben"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.inc.Attach(ctx, p, draft.ID, "screen.png", pngBytes, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.inc.SaveDraft(ctx, p, f.validReport())
	if err != nil {
		t.Fatal(err)
	}
	_, c, err := f.inc.Submit(ctx, p, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.inc.Post(ctx, f.principal(t, d.analyst), c.ID, "Welche Systeme sind betroffen?"); err != nil {
		t.Fatal(err)
	}
	d.draft, d.attached, d.caseID = draft.ID, a.ID, c.ID
	return d
}

// statusFor lists the pages the office admin may not see.
func (d incidentPages) statusFor() map[string]int {
	return map[string]int{
		"/incidents/reports/" + d.draft + "/edit":                      http.StatusNotFound,
		"/incidents/reports/" + d.draft + "/attachments/" + d.attached: http.StatusNotFound,
		"/incidents/cases/" + d.caseID:                                 http.StatusNotFound,
		"/office/incidents":                                            http.StatusForbidden,
		"/office/incidents/" + d.caseID:                                http.StatusForbidden,
	}
}

func (d incidentPages) memberPages() []string {
	return []string{"/incidents", "/incidents/new", "/incidents/new?case=" + d.caseID,
		"/incidents/reports/" + d.draft + "/edit", "/incidents/cases/" + d.caseID}
}

func (d incidentPages) analystPages() []string {
	return []string{"/office/incidents", "/office/incidents?status=new", "/office/incidents/" + d.caseID}
}

// multipartForm encodes vals and files (field → name → content) as
// multipart/form-data with the CSRF token of the last page seen.
func (b *browser) postMultipart(path string, vals url.Values, files map[string][]byte) *response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	vals.Set("csrf", b.csrf)
	for k, vs := range vals {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for name, content := range files {
		fw, err := w.CreateFormFile("attachments", name)
		if err != nil {
			b.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = w.Close()
	return b.do(http.MethodPost, path, &buf, func(r *http.Request) { r.Header.Set("Content-Type", w.FormDataContentType()) })
}

// reportForm is a complete report as the form sends it.
func reportForm(now time.Time) url.Values {
	loc, _ := time.LoadLocation("Europe/Berlin")
	return url.Values{"title": {"Phishing an die Buchhaltung"}, "description": {"Gefälschte Rechnungen mit Link."},
		"classification": {"fraud/phishing"}, "impact": {"medium"}, "sectors": {"energy"},
		"started": {now.Add(-5 * time.Hour).In(loc).Format("2006-01-02T15:04")}, "detected": {now.Add(-3 * time.Hour).In(loc).Format("2006-01-02T15:04")},
		"ongoing": {"on"}, "indicators": {"hxxps://rechnung-login[.]example/x\n198.51.100.7"}, "tlp": {"AMBER"}, "audience": {"sectors"},
		"relay": {"on"}, "action": {"submit"}}
}

// A report with bad lines and an impossible timeline is refused with every
// problem beside its field, keeps what was typed, and is saved as a draft
// with the good indicators; fixed, it is submitted into a case.
func TestIncidentFormKeepsWhatWasTyped(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, f.orgMbr)
	if r := b.get("/incidents"); !strings.Contains(r.body, `href="/incidents/new"`) {
		t.Fatalf("the list has no way to report:\n%.2000s", r.body)
	}
	b.get("/incidents/new").wantStatus(t, http.StatusOK)
	form := reportForm(f.clock.Now())
	form.Set("indicators", "evil.example\nnot an indicator at all\n203.0.113.5")
	form.Set("started", f.clock.Now().Add(-time.Hour).Format("2006-01-02T15:04"))
	form.Set("detected", f.clock.Now().Add(-48*time.Hour).Format("2006-01-02T15:04"))
	form.Del("classification")
	r := b.postMultipart("/incidents", form, nil)
	r.wantStatus(t, http.StatusBadRequest)
	for _, want := range []string{`id="e-indicators"`, "not an indicator at all", `id="e-detected"`, `id="e-classification"`,
		`value="Phishing an die Buchhaltung"`, "203.0.113.5"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	mine, err := f.inc.Mine(t.Context(), f.principal(t, f.orgMbr))
	if err != nil || len(mine) != 1 || !mine[0].Draft || len(mine[0].Indicators) != 2 || mine[0].Title != "Phishing an die Buchhaltung" {
		t.Fatalf("after the refused submission the organisation has %+v, %v", mine, err)
	}
	if !strings.Contains(r.body, `action="/incidents/reports/`+mine[0].ID+`"`) {
		t.Error("the form shown again does not save into the draft it made")
	}

	fixed := reportForm(f.clock.Now())
	r = b.postMultipart("/incidents/reports/"+mine[0].ID, fixed, nil)
	r.wantStatus(t, http.StatusOK)
	if !strings.HasPrefix(r.url.Path, "/incidents/cases/") || !strings.Contains(r.body, "VB-") || !strings.Contains(r.body, "rechnung-login.example") {
		t.Fatalf("the submission ended at %s:\n%.3000s", r.url, between(r.body, "<main", "</main>"))
	}
	if r := b.get("/incidents"); strings.Contains(r.body, `id="drafts"`) || !strings.Contains(r.body, "Phishing an die Buchhaltung") {
		t.Errorf("the list after submitting:\n%.3000s", between(r.body, "<main", "</main>"))
	}
}

// Attachments are uploaded with the form; a refused file is named, and
// the file is sent only to those who may read the report.
func TestIncidentAttachments(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, f.orgMbr)
	b.get("/incidents/new")
	form := reportForm(f.clock.Now())
	form.Set("action", "draft")
	r := b.postMultipart("/incidents", form, map[string][]byte{"screen.png": pngBytes, "tool.exe": []byte("MZ\x90\x00...")})
	r.wantStatus(t, http.StatusBadRequest)
	if !strings.Contains(r.body, "tool.exe is a program or script") {
		t.Errorf("the refused file is not named:\n%.3000s", between(r.body, "<main", "</main>"))
	}
	mine, err := f.inc.Mine(t.Context(), f.principal(t, f.orgMbr))
	if err != nil || len(mine) != 1 {
		t.Fatalf("drafts: %+v %v", mine, err)
	}
	list, err := f.inc.Attachments(t.Context(), f.principal(t, f.orgMbr), mine[0].ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("attachments: %+v %v", list, err)
	}
	path := "/incidents/reports/" + mine[0].ID + "/attachments/" + list[0].ID
	if !strings.Contains(r.body, path) {
		t.Error("the form does not link the stored attachment")
	}
	got := b.get(path)
	got.wantStatus(t, http.StatusOK)
	if got.body != string(pngBytes) || got.header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(got.header.Get("Content-Disposition"), `attachment; filename="screen.png"`) || got.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %v", got.header)
	}
	_, other := f.joined(t, "Hafen Logistik", "hafen.example")
	other.get(path).wantStatus(t, http.StatusNotFound)
	f.loggedIn(t, f.officeAdmin).get(path).wantStatus(t, http.StatusNotFound)
}

// The analyst finds the case in the queue, triages it and asks; the
// member reads the question and answers; closing needs lessons learned.
func TestIncidentTriageAndThread(t *testing.T) {
	f := newFixture(t)
	d := f.incidentPages(t)
	a := f.loggedIn(t, d.analyst)
	q := a.get("/office/incidents")
	q.wantStatus(t, http.StatusOK)
	if !strings.Contains(q.body, "/office/incidents/"+d.caseID) || !strings.Contains(q.body, "Stadtwerke") {
		t.Fatalf("the queue lacks the case:\n%.3000s", between(q.body, "<main", "</main>"))
	}
	if r := a.get("/office/incidents?status=closed"); strings.Contains(r.body, "/office/incidents/"+d.caseID) {
		t.Error("the filter by status shows a new case among the closed")
	}
	a.get("/office/incidents/" + d.caseID)
	a.post("/office/incidents/"+d.caseID+"/assign", url.Values{"assignee": {d.analyst.ID}}).wantStatus(t, http.StatusOK)
	a.post("/office/incidents/"+d.caseID+"/status", url.Values{"status": {"triaged"}}).wantStatus(t, http.StatusOK)
	r := a.post("/office/incidents/"+d.caseID+"/messages", url.Values{"body": {"Seit wann ist der Dienst gestört?"}})
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(r.body, "Seit wann ist der Dienst gestört?") || !strings.Contains(r.body, "Anna Analyst") {
		t.Errorf("the case after asking:\n%.3000s", between(r.body, "<main", "</main>"))
	}
	m := f.loggedIn(t, f.orgMbr)
	r = m.get("/incidents/cases/" + d.caseID)
	if !strings.Contains(r.body, "Seit wann ist der Dienst gestört?") {
		t.Fatalf("the member does not see the question:\n%.3000s", between(r.body, "<main", "</main>"))
	}
	m.post("/incidents/cases/"+d.caseID+"/messages", url.Values{"body": {"Seit gestern 22 Uhr."}}).wantStatus(t, http.StatusOK)
	if r := a.get("/office/incidents/" + d.caseID); !strings.Contains(r.body, "Seit gestern 22 Uhr.") {
		t.Error("the analyst does not see the answer")
	}
	r = a.post("/office/incidents/"+d.caseID+"/status", url.Values{"status": {"closed"}})
	r.wantStatus(t, http.StatusBadRequest)
	if !strings.Contains(r.body, `id="e-lessons"`) {
		t.Errorf("closing without lessons:\n%.3000s", between(r.body, "<main", "</main>"))
	}
	a.post("/office/incidents/"+d.caseID+"/status", url.Values{"status": {"closed"}, "lessons": {"Backups offline halten."}}).wantStatus(t, http.StatusOK)
	if r := m.get("/incidents/cases/" + d.caseID); !strings.Contains(r.body, "Backups offline halten.") {
		t.Error("the member does not see the lessons learned")
	}
	// Another member sees neither the case nor its thread.
	_, other := f.joined(t, "Hafen Logistik", "hafen.example")
	other.get("/incidents/cases/"+d.caseID).wantStatus(t, http.StatusNotFound)
	other.post("/incidents/cases/"+d.caseID+"/messages", url.Values{"body": {"x"}}).wantStatus(t, http.StatusNotFound)
}

// Someone without an account reports, gets the reference and the secret
// once, and follows up; wrong secrets are named and then throttled.
func TestPublicReportAndFollowUp(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.get("/report").wantStatus(t, http.StatusOK)
	form := reportForm(f.clock.Now())
	form.Set("contact_email", "hinweis@example.org")
	r := b.post("/report", form)
	r.wantStatus(t, http.StatusCreated)
	ref := between(r.body, `<code id="reference">`, "</code>")
	secret := between(r.body, `<code id="secret">`, "</code>")
	if !strings.HasPrefix(ref, "VB-") || len(secret) != 26 {
		t.Fatalf("the receipt:\n%.2000s", between(r.body, "<main", "</main>"))
	}

	b.get("/report/follow-up")
	r = b.post("/report/follow-up", url.Values{"reference": {ref}, "secret": {"WRONG"}})
	if r.status != http.StatusNotFound || !strings.Contains(r.body, `id="e-secret"`) || !strings.Contains(r.body, `value="`+ref+`"`) {
		t.Errorf("a wrong secret: %d\n%.2000s", r.status, between(r.body, "<main", "</main>"))
	}
	r = b.post("/report/follow-up", url.Values{"reference": {ref}, "secret": {secret}})
	r.wantStatus(t, http.StatusOK)
	r = b.post("/report/follow-up", url.Values{"reference": {ref}, "secret": {secret}, "answer": {"1"}, "body": {"Noch ein Hinweis."}})
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(r.body, "Noch ein Hinweis.") {
		t.Errorf("the answer is not in the thread:\n%.2000s", between(r.body, "<main", "</main>"))
	}
	for range 10 {
		b.post("/report/follow-up", url.Values{"reference": {ref}, "secret": {"WRONG"}})
	}
	r = b.post("/report/follow-up", url.Values{"reference": {ref}, "secret": {secret}})
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, `id="e-secret"`) {
		t.Errorf("after ten wrong secrets: %d", r.status)
	}
}
