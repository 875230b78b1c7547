package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/audit"
)

// An assessor opens an assessment, records the three findings with evidence
// and designates; a member cannot reach any of it.
func TestAssessmentInTheBrowser(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, f.officeAdmin)
	b.get("/office/designations").wantStatus(t, http.StatusOK)

	// A bad category is shown beside the field, the organisation kept.
	r := b.post("/office/assessments", url.Values{"org": {f.member.ID}, "category": {"pirates"}})
	r.wantStatus(t, http.StatusBadRequest)
	if !strings.Contains(r.body, f.cat.T("en", "msg.choose a category")) {
		t.Errorf("no problem beside the category field")
	}
	r = b.post("/office/assessments", url.Values{"org": {f.member.ID}, "category": {"designated-csirt"}, "sector_wide": {"on"}})
	r.wantStatus(t, http.StatusOK)
	m := regexp.MustCompile(`^/office/assessments/([0-9a-f-]+)$`).FindStringSubmatch(r.url.Path)
	if m == nil {
		t.Fatalf("opening ended at %s", r.url)
	}
	base := "/office/assessments/" + m[1]

	// Designating before the criteria are met is refused and says which.
	until := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	review := time.Now().AddDate(0, 6, 0).Format("2006-01-02")
	r = b.post(base+"/designate", url.Values{"valid_until": {until}, "review_at": {review}})
	r.wantStatus(t, http.StatusBadRequest)
	if !strings.Contains(r.body, f.cat.T("en", "criterion.confidentiality")+": "+f.cat.T("en", "msg.not assessed")) {
		t.Errorf("the unmet criteria are not named:\n%.3000s", between(r.body, "<main", "</main>"))
	}
	for _, c := range []string{"task", "confidentiality", "lawful"} {
		b.get(base)
		b.post(base+"/findings", url.Values{"criterion": {c}, "met": {"yes"}, "note": {"checked against the statutes"}}).wantStatus(t, http.StatusOK)
	}
	b.get(base)
	b.post(base+"/evidence", url.Values{"title": {"Statutes"}, "reference": {"VR 20411"}}).wantStatus(t, http.StatusOK)
	b.get(base)
	r = b.post(base+"/designate", url.Values{"valid_until": {until}, "review_at": {review}, "reason": {"all met"}})
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(r.body, f.cat.T("en", "des.state.designated")) || !strings.Contains(r.body, "Statutes") {
		t.Errorf("the decided assessment page lacks state or evidence:\n%.2000s", between(r.body, "<main", "</main>"))
	}
	r = b.get("/office/designations")
	if !strings.Contains(r.body, f.cat.T("en", "des.inforce")) {
		t.Error("the designation is not listed as in force")
	}

	// Members reach none of it, and the refusals are audited.
	mb := f.loggedIn(t, f.orgAdmin)
	mb.get("/office/designations").wantStatus(t, http.StatusForbidden)
	mb.get(base).wantStatus(t, http.StatusForbidden)
	denied, err := f.db.ListAudit(t.Context(), audit.Filter{Action: "access.denied", ActorUser: f.orgAdmin.ID})
	if err != nil || len(denied) < 2 {
		t.Errorf("member refusals audited: %d, %v", len(denied), err)
	}
	decided, _ := f.db.ListAudit(t.Context(), audit.Filter{Action: "assessment.decide"})
	if len(decided) != 1 {
		t.Errorf("assessment.decide entries: %d", len(decided))
	}
}

// Circles nest, and a cycle is refused with a message above the page.
func TestCirclesInTheBrowser(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, f.officeAdmin)
	b.get("/office/circles")
	outer := b.post("/office/circles", url.Values{"name": {"KRITIS Nord"}})
	outer.wantStatus(t, http.StatusOK)
	b.get("/office/circles")
	inner := b.post("/office/circles", url.Values{"name": {"Energie-ISAC"}, "description": {"Netzbetreiber"}})
	inner.wantStatus(t, http.StatusOK)
	innerID := strings.TrimPrefix(inner.url.Path, "/office/circles/")
	outerID := strings.TrimPrefix(outer.url.Path, "/office/circles/")
	b.post("/office/circles/"+innerID+"/members", url.Values{"member": {"org:" + f.member.ID}}).wantStatus(t, http.StatusOK)
	b.get("/office/circles/" + outerID)
	r := b.post("/office/circles/"+outerID+"/members", url.Values{"member": {"circle:" + innerID}})
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(r.body, "Energie-ISAC") {
		t.Error("the nested circle is not shown")
	}
	b.get("/office/circles/" + innerID)
	r = b.post("/office/circles/"+innerID+"/members", url.Values{"member": {"circle:" + outerID}})
	if r.status != http.StatusBadRequest || !strings.Contains(between(r.body, `class="error-summary"`, "</div>"), " ") {
		t.Errorf("a cycle was not refused above the page: %d", r.status)
	}
}
