package server_test

import (
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
	"github.com/verbund/verbund/internal/warning"
)

var (
	templateKey   = regexp.MustCompile(`L\.T "([^"]+)"`)
	templatePrint = regexp.MustCompile(`L\.T \(print "([^"]+)"`)
	goKey         = regexp.MustCompile(`L\.T\("([^"]+)"`)
	mailKey       = regexp.MustCompile(`"(mail\.[a-z_.]*[a-z_])"`)
	// missingKey is how i18n shows a key it does not know: "[some.key]".
	missingKey = regexp.MustCompile(`\[[a-z0-9_-]+(\.[a-z0-9_:.-]+)+\]`)
)

// dynamicKeys lists, for every prefix a template builds keys from with
// print, every value the key can end in.
func dynamicKeys() map[string][]string {
	str := func(vs ...any) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			switch v := v.(type) {
			case string:
				out[i] = v
			case int:
				out[i] = strconv.Itoa(v)
			}
		}
		return out
	}
	var roles, scopes []string
	for _, r := range append(append([]identity.Role{}, identity.OfficeRoles...), identity.OrgRoles...) {
		roles = append(roles, string(r))
	}
	for _, s := range identity.Scopes {
		scopes = append(scopes, string(s))
	}
	var ctypes []string
	for _, k := range []membership.Status{membership.Partner, membership.Multiplier} {
		ctypes = append(ctypes, membership.ContributionTypes[k]...)
	}
	statuses := str(string(membership.Participant), string(membership.Partner), string(membership.Multiplier))
	kinds := str(string(membership.Partner), string(membership.Multiplier))
	return map[string][]string{
		"mstatus.":                      statuses,
		"state.":                        str(string(membership.Pending), string(membership.Approved), string(membership.Rejected), string(membership.Accepted), string(membership.Withdrawn)),
		"ctype.":                        ctypes,
		"orgtype.":                      membership.OrgTypes,
		"lang.":                         membership.Languages,
		"status.title.":                 kinds,
		"status.lead.":                  kinds,
		"status.apply.":                 kinds,
		"status.description.":           kinds,
		"status.contributions.":         kinds,
		"status.contribute.":            kinds,
		"status.contribute.text.":       kinds,
		"office.action.":                str("activate", "suspend", "reinstate", "expel"),
		"office.membership.activation.": str(string(membership.ActivateImmediately), string(membership.ActivateByOffice)),
		"role.":                         roles,
		"scope.":                        scopes,
		"sector.":                       identity.Sectors,
		"status.":                       str(string(identity.StatusPending), string(identity.StatusActive), string(identity.StatusSuspended), string(identity.StatusTerminated)),
		"kind.":                         str(string(identity.KindOffice), string(identity.KindMember)),
		"outcome.":                      str(string(audit.Success), string(audit.Failure), string(audit.Denied)),
		"mail.":                         str(string(mail.Pending), string(mail.Sent), string(mail.Held), string(mail.Failed)),
		"category.":                     str("oktt", "eu-national-csirt", "designated-csirt", "isp"),
		"des.state.":                    str("open", "designated", "refused"),
		"remotes.direction.":            str("pull", "push"),
		"criterion.":                    str("task", "confidentiality", "lawful", "task.help", "confidentiality.help", "lawful.help"),
		"intel.kind.":                   stix.IndicatorKinds,
		"access.state.":                 str("open", "granted", "refused"),
		"warn.severity.":                str(string(warning.SeverityNone), string(warning.SeverityLow), string(warning.SeverityMedium), string(warning.SeverityHigh), string(warning.SeverityCritical)),
		"warn.severity.atleast.":        str(string(warning.SeverityNone), string(warning.SeverityLow), string(warning.SeverityMedium), string(warning.SeverityHigh), string(warning.SeverityCritical)),
		"warn.state.":                   str(string(warning.Draft), string(warning.Review), string(warning.Approved), string(warning.Published), string(warning.Withdrawn)),
		"warn.ack.":                     str(string(warning.AckSeen), string(warning.AckAffected), string(warning.AckFixed)),
		"rsit.":                         rsitKeys(),
		"incident.status.":              str("new", "triaged", "in-progress", "closed"),
		"incident.impact.":              str("low", "medium", "high", "critical"),
		"incident.audience.":            str("office", "sectors", "community"),
		"nis2.stage.":                   str("early-warning", "notification", "progress", "final"),
		"nis2.state.":                   str("open", "due-soon", "overdue", "on-time", "late", "waiting"),
		"error.title.": str(http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
			http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests,
			http.StatusInternalServerError, http.StatusServiceUnavailable),
		// explainDecision (explain_text.go) builds these from a decision.
		"sharing.explain.":      sharingExplainKeys(),
		"sharing.relay.widens.": str("sector", "circle", "organisation", "user"), // sharing_explain.go
		"sharing.kind.":         str("object", policy.KindWarning, policy.KindIncident, policy.KindIndicator, policy.KindSTIX, policy.KindDocument, policy.KindAssessment),
	}
}

// sharingExplainKeys lists the ends of the keys explainDecision builds.
func sharingExplainKeys() []string {
	var out []string
	for _, c := range policy.Codes() {
		switch c {
		case policy.CodeShared:
			for _, v := range []string{"user", "org", "circle", "sector", "community", "other"} {
				out = append(out, string(c)+"."+v)
			}
		case policy.CodeAmberStrict:
			for _, v := range []string{"sector", "circle", "community"} {
				out = append(out, string(c)+"."+v)
			}
		default:
			out = append(out, string(c))
		}
	}
	return append(out, "unknown.allow", "unknown.deny")
}

// Every key the templates and handlers use exists in every catalogue.
func TestCataloguesHaveEveryKey(t *testing.T) {
	keys := map[string]string{} // key → where it is used
	dynamic := dynamicKeys()
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	identityFiles, _ := filepath.Glob("../identity/*.go")
	membershipFiles, _ := filepath.Glob("../membership/*.go")
	if len(files) == 0 || len(gofiles) == 0 || len(identityFiles) == 0 || len(membershipFiles) == 0 {
		t.Fatal("no templates or Go files found")
	}
	// The membership service builds these mail keys from a status.
	for _, st := range []membership.Status{membership.Partner, membership.Multiplier} {
		keys["mail.status."+string(st)+".subject"] = "../membership/contribute.go"
		keys["mail.status."+string(st)+".body"] = "../membership/contribute.go"
	}
	for _, name := range append(append(append(files, gofiles...), identityFiles...), membershipFiles...) {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		switch {
		case strings.HasSuffix(name, ".html"):
			for _, m := range templateKey.FindAllStringSubmatch(src, -1) {
				keys[m[1]] = name
			}
			for _, m := range templatePrint.FindAllStringSubmatch(src, -1) {
				values, ok := dynamic[m[1]]
				if !ok {
					t.Errorf("%s builds keys from %q: list its values in dynamicKeys", name, m[1])
				}
				for _, v := range values {
					keys[m[1]+v] = name + " (" + m[1] + "…)"
				}
			}
		case strings.HasPrefix(name, "../identity/"), strings.HasPrefix(name, "../membership/"):
			// Mail is written in the recipient's language: subject and
			// body of every message key the services send.
			for _, m := range mailKey.FindAllStringSubmatch(src, -1) {
				keys[m[1]+".subject"] = name
				keys[m[1]+".body"] = name
			}
		default:
			for _, m := range goKey.FindAllStringSubmatch(src, -1) {
				keys[m[1]] = name
			}
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: the patterns no longer match the sources", len(keys))
	}
	cat := i18n.MustLoad()
	for key, where := range keys {
		for _, l := range i18n.Languages {
			if !cat.Has(l.Code, key) {
				t.Errorf("%s uses %q, which is missing in %s.json", where, key, l.Code)
			}
		}
	}
}

// Every page renders in every language without a missing-key marker, for
// the public, for an office admin, and as an error page.
func TestPagesRenderInEveryLanguage(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	// A message in the outbox, and a pending second factor, so that those
	// pages show their content rather than their empty state.
	if _, err := f.ids.CreateUser(ctx, identity.SystemPrincipal(), identity.NewUser{OrgID: f.member.ID,
		Email: "new@stadtwerke.example", Name: "New", Lang: "nl", Roles: []identity.Role{identity.RoleOrgMember}}); err != nil {
		t.Fatal(err)
	}
	msgs, err := f.db.ListMail(ctx, mail.Filter{})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no mail in the outbox: %v", err)
	}
	admin := f.loggedIn(t, f.officeAdmin)
	admin.get("/account/2fa")
	admin.post("/account/2fa/begin", nil).wantStatus(t, http.StatusOK)
	if r := admin.get("/account/2fa/qr.png"); r.status != http.StatusOK || r.header.Get("Content-Type") != "image/png" {
		t.Errorf("QR code: %d %s", r.status, r.header.Get("Content-Type"))
	}
	member := f.loggedIn(t, f.orgMbr)
	anon := f.browser(t)
	anon.get("/")
	// A member that joined through the web, so that its badge and its
	// receipt have pages.
	joined, _ := f.joined(t, "Hafen Logistik", "hafen.example")
	badges, err := f.db.ListBadges(ctx, joined.ID)
	if err != nil || len(badges) == 0 {
		t.Fatalf("no badge of the new member: %v", err)
	}
	sigs, err := f.db.ListSignatures(ctx, joined.ID)
	if err != nil || len(sigs) == 0 {
		t.Fatalf("no signature of the new member: %v", err)
	}
	own, err := f.db.ListSignatures(ctx, f.member.ID)
	if err != nil || len(own) == 0 {
		t.Fatalf("no signature of the member: %v", err)
	}

	officeP, err := f.ids.Principal(ctx, f.officeAdmin.ID)
	if err != nil {
		t.Fatal(err)
	}
	circle, err := f.des.CreateCircle(ctx, officeP, designation.NewCircle{Name: "Energie-ISAC"})
	if err != nil {
		t.Fatal(err)
	}
	assessment, err := f.des.OpenAssessment(ctx, identity.SystemPrincipal(), designation.NewAssessment{OrgID: f.member.ID, Category: policy.CategoryOKTT})
	if err != nil {
		t.Fatal(err)
	}
	inc := f.incidentPages(t)
	analyst := f.loggedIn(t, inc.analyst)
	// A collection with an indicator, for the pages of threat intelligence.
	coll, err := f.stix.CreateCollection(ctx, officeP, cti.NewCollection{Title: "Indikatoren", OwnerOrg: f.office.ID,
		Default: policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}, ReadersWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	officeV, err := f.door.Viewer(ctx, officeP)
	if err != nil {
		t.Fatal(err)
	}
	indicator, err := f.stix.AddIndicator(ctx, officeP, &officeV, &coll, cti.NewIndicator{Kind: "ipv4", Value: "203.0.113.45"})
	if err != nil {
		t.Fatal(err)
	}
	_, accessRequest := accessRequestForPages(t, f)
	// A published TLP:CLEAR warning that the member acknowledged, and a
	// publisher to see the authoring pages.
	publisher, wn := f.publishedWarning(t)
	if _, err := f.warn.Acknowledge(ctx, f.principal(t, f.orgMbr), &policy.Viewer{Kind: policy.ViewerUser, UserID: f.orgMbr.ID,
		OrgID: f.member.ID, OrgStatus: policy.StatusActive, AcceptedCurrentAgreement: true}, wn.ID, warning.AckAffected); err != nil {
		t.Fatal(err)
	}
	pub := f.loggedIn(t, publisher)
	params := strings.NewReplacer("{collection}", coll.ID, "{object}", indicator, "{$}", "", "{org}", f.member.ID, "{id}", msgs[0].ID, "{request}", accessRequest, "{warning}", wn.ID,
		"{report}", inc.draft, "{attachment}", inc.attached, "{case}", inc.caseID,
		"{circle}", circle.ID, "{assessment}", assessment.ID,
		"{token}", strings.Repeat("x", 43), "{code}", "csrf", "{badge}", badges[0].ID, "{signature}", sigs[0].ID,
		"{secret}", strings.Repeat("x", 43), "{remote}", noRemote)
	// Not HTML pages: images, keys, machine endpoints.
	skip := []string{"/healthz", "/readyz", "/metrics", "/static/", "/favicon.ico", "/account/2fa/qr.png",
		"/badges/{file}", "/.well-known/verbund-badge-key", "/.well-known/verbund-badge-key.json", "/warnings.atom"}
	// Pages that answer with another status than 200 for the parameters
	// above: an unknown verification link.
	status := map[string]int{"/register/verify/" + strings.Repeat("x", 43): http.StatusBadRequest,
		"/office/remotes/" + noRemote: http.StatusNotFound,
		// Writing warnings is for publishers (checked below) and partners.
		"/warnings/new": http.StatusForbidden, "/warnings/" + wn.ID + "/edit": http.StatusConflict}
	maps.Copy(status, inc.statusFor())
	var pages []string
	for _, r := range f.srv.Routes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		if method != http.MethodGet || r.API || slices.Contains(skip, path) {
			continue
		}
		pages = append(pages, params.Replace(path))
	}
	if len(pages) < 15 {
		t.Fatalf("only %d pages found: %v", len(pages), pages)
	}

	for _, l := range i18n.Languages {
		t.Run(l.Code, func(t *testing.T) {
			check := func(who string, b *browser, path string, want int) {
				t.Helper()
				r := b.get(path)
				if r.status != want {
					t.Errorf("%s %s: status %d, want %d", who, path, r.status, want)
				}
				if got := r.header.Get("Content-Language"); got != l.Code {
					t.Errorf("%s %s: Content-Language %q", who, path, got)
				}
				if m := missingKey.FindString(r.body); m != "" {
					t.Errorf("%s %s: missing text %s", who, path, m)
				}
			}
			for _, b := range []*browser{admin, member, anon, pub, analyst} {
				b.post("/lang", url.Values{"lang": {l.Code}}).wantStatus(t, http.StatusOK)
			}
			for _, p := range pages {
				want := http.StatusOK
				if st, ok := status[p]; ok {
					want = st
				}
				check("office admin", admin, p, want)
			}
			for _, p := range []string{"/", "/login", "/reset", "/reset/" + strings.Repeat("x", 43), "/problems/csrf",
				"/register", "/register/sent", "/register/resend", "/agreement", "/partners", "/verify", "/verify/" + badges[0].ID, "/goodbye"} {
				check("public", anon, p, http.StatusOK)
			}
			for _, p := range []string{"/", "/member", "/member/network", "/member/partner", "/member/multiplier", "/agreement",
				"/agreement/receipt/" + own[0].ID} {
				check("member", member, p, http.StatusOK)
			}
			for _, p := range []string{"/warnings", "/warnings/" + wn.ID, "/warnings/new", "/warnings/" + wn.ID + "/edit", "/office/warnings"} {
				check("publisher", pub, p, http.StatusOK)
			}
			for _, p := range []string{"/warnings", "/warnings/" + wn.ID, "/warnings/" + wn.ID + "?rev=1"} {
				check("public", anon, p, http.StatusOK)
				check("member", member, p, http.StatusOK)
			}
			for _, p := range inc.memberPages() {
				check("member", member, p, http.StatusOK)
			}
			for _, p := range inc.analystPages() {
				check("analyst", analyst, p, http.StatusOK)
			}
			for _, p := range []string{"/report", "/report/follow-up"} {
				check("public", anon, p, http.StatusOK)
			}
			check("public", anon, "/no/such/page", http.StatusNotFound)
			check("public", anon, "/office/audit", http.StatusOK) // the login form
			check("member", member, "/office/audit", http.StatusForbidden)
			check("member", member, "/org/"+f.office.ID, http.StatusForbidden)
			check("admin", admin, "/org/"+f.office.ID+"x", http.StatusNotFound)
		})
	}
}

// Problems the services report in English reach the user in the user's
// language.
func TestFormProblemsInTheUsersLanguage(t *testing.T) {
	f := newFixture(t)
	b := f.loggedIn(t, f.orgAdmin)
	b.post("/lang", url.Values{"lang": {"de"}, "next": {"/org/" + f.member.ID + "/tokens"}}).wantStatus(t, http.StatusOK)
	check := func(r *response, english ...string) {
		t.Helper()
		for _, en := range english {
			de, ok := f.cat.Lookup("de", "msg."+en)
			if !ok {
				t.Errorf("%q is not in the catalogue", en)
				continue
			}
			if !strings.Contains(r.body, template.HTMLEscapeString(de)) || strings.Contains(r.body, template.HTMLEscapeString(en)) {
				t.Errorf("%s does not show %q in German (%q)", r.url.Path, en, de)
			}
		}
	}
	r := b.post("/org/"+f.member.ID+"/tokens", url.Values{"name": {strings.Repeat("x", 101)}, "scopes": {"audit:read"}})
	r.wantStatus(t, http.StatusBadRequest)
	check(r, "at most 100 characters", "only the office may grant audit:read")
	b.get("/account/2fa")
	r = b.post("/account/2fa/confirm", url.Values{"code": {"123456"}})
	r.wantStatus(t, http.StatusConflict)
	check(r, "start the set-up first")
	b.get("/account")
	r = b.post("/account/password", url.Values{"current": {password}, "password": {strings.Repeat("ü", 257)}, "password2": {strings.Repeat("ü", 257)}})
	r.wantStatus(t, http.StatusBadRequest)
	check(r, "at most 256 bytes")
}
