package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/verbund/verbund/internal/demo"
	"github.com/verbund/verbund/internal/i18n"
)

// chromiumPath is where the browser test expects Chromium.
const chromiumPath = "/usr/bin/chromium"

// envScreenshots names a directory: the browser test saves a screenshot of
// each step there, for people to look at the pages.
const envScreenshots = "VERBUND_SCREENSHOTS"

// TestBrowserOpenAlliance walks the open alliance end to end in a real,
// headless Chromium against `verbund serve --demo`: an organisation
// registers and accepts the agreement, confirms its address with the link
// the office admin reads in the outbox, applies as partner, the reviewer
// approves, it submits a contribution, the reviewer accepts it, and the
// organisation is in the public partner directory with a partner badge
// that verifies. Then it ends its membership: its session is gone, its
// badge says revoked, and the API token it made before no longer works.
func TestBrowserOpenAlliance(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		const how = "Chromium is not installed at " + chromiumPath + "; install it (apt-get install chromium) to run the browser test"
		if os.Getenv("CI") == "true" {
			t.Fatal(how)
		}
		t.Skip(how)
	}
	cat := i18n.MustLoad()
	base, _ := startServer(t, filepath.Join(t.TempDir(), "browser.db"))

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("lang", "en-GB"), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	// Generous limits: they stop a hung browser, they assert no speed. Under
	// the race detector on a loaded two-core machine a step can take many
	// seconds (Argon2id alone does at full cost).
	ctx, cancel := context.WithTimeout(ctx, 8*time.Minute)
	defer cancel()
	b := &chrome{t: t, ctx: ctx, base: base, shots: os.Getenv(envScreenshots)}

	const (
		orgName  = "Küstenwerk Digital GmbH"
		domain   = "kuestenwerk.example"
		userMail = "ada@" + domain
		userPW   = "a long passphrase for ada"
		reviewer = "reviewer@office.verbund.example"
	)

	// The office publishes an agreement (a demo may have one already: a
	// new version then).
	b.login(officeAdmin, demo.Password)
	b.run(chromedp.Navigate(base + "/office/agreement"))
	for _, l := range []string{"de", "nl", "en"} {
		b.run(chromedp.SetValue("#f-text_"+l, "Agreement ("+l+"): what is confidential stays confidential.", chromedp.ByQuery))
	}
	b.submit(`form[action="/office/agreement"]`, "/office/agreement")
	b.shot("office-agreement")
	b.logout()

	// A publisher writes a warning: a bad CVE id is named beside its
	// field and what was typed stays; fixed, the draft is saved.
	b.login("publisher@office.verbund.example", demo.Password)
	b.run(chromedp.Navigate(base + "/warnings/new"))
	title := `[id="f-texts.` + b.value("#f-lang") + `.title"]`
	b.run(chromedp.SendKeys(title, "Pumpensteuerung angreifbar", chromedp.ByQuery),
		chromedp.SendKeys("#f-cves", "CVE-26-1", chromedp.ByQuery))
	b.submit(`form[action="/warnings"]`, "/warnings")
	b.wantText("#e-cves", cat.T(b.attr("html", "lang"), "msg.not a CVE id (CVE-YYYY-NNNN)")+": CVE-26-1")
	if got := b.value(title); got != "Pumpensteuerung angreifbar" {
		t.Errorf("the title typed is not kept: %q", got)
	}
	b.shot("warning-problems")
	b.run(chromedp.SetValue("#f-cves", "CVE-2026-4711", chromedp.ByQuery), chromedp.Click(`form[action="/warnings"] button[type=submit]`, chromedp.ByQuery))
	for deadline := time.Now().Add(60 * time.Second); !strings.HasPrefix(b.path(), "/warnings/"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("saving the warning ended at %s:\n%s", b.path(), b.html("main"))
		}
	}
	b.logout()

	// Register, with the agreement accepted on the same page.
	b.run(chromedp.Navigate(base + "/register"))
	b.shot("register")
	for field, v := range map[string]string{
		"name": orgName, "legal_form": "GmbH", "street": "Am Hafen 7", "postcode": "26382", "city": "Wilhelmshaven",
		"website": domain, "contact_name": "Carla Contact", "contact_function": "CISO", "contact_email": "security@" + domain,
		"contact_phone": "+49 4421 1234", "user_name": "Ada Admin", "user_email": userMail,
		"password": userPW, "password2": userPW + " typo",
	} {
		b.run(chromedp.SendKeys("#f-"+field, v, chromedp.ByQuery))
	}
	b.run(chromedp.Click(`input[name=sectors][value=energy]`, chromedp.ByQuery),
		chromedp.Click(`input[name=sectors][value=ict-services]`, chromedp.ByQuery),
		chromedp.SetValue("#f-size_class", "50-249", chromedp.ByQuery))
	// The passwords differ and the agreement is not accepted: both are
	// shown beside their fields, and what was typed is kept.
	b.submit("form.register", "/register")
	b.wantText("#e-password2", cat.T("en", "msg.the two passwords differ"))
	b.wantText("#e-accept_agreement", cat.T("en", "msg.required: read and accept the agreement"))
	if got := b.value("#f-name"); got != orgName {
		t.Errorf("the name typed is not kept: %q", got)
	}
	b.shot("register-problems")
	b.run(chromedp.SendKeys("#f-password", userPW, chromedp.ByQuery), chromedp.SendKeys("#f-password2", userPW, chromedp.ByQuery),
		chromedp.Click("#f-accept_agreement", chromedp.ByQuery))
	b.submit("form.register", "/register/sent")
	b.shot("register-sent")

	// The office admin reads the confirmation link in the outbox.
	b.login(officeAdmin, demo.Password)
	b.run(chromedp.Navigate(base + "/office/outbox"))
	outbox := b.html("main")
	m := regexp.MustCompile(`<td>` + regexp.QuoteMeta(userMail) + `</td>\s*<td><a href="(/office/outbox/[^"]+)">`).FindStringSubmatch(outbox)
	if m == nil {
		t.Fatalf("no mail to %s in the outbox:\n%s", userMail, outbox)
	}
	b.run(chromedp.Navigate(base + m[1]))
	link := regexp.MustCompile(`https?://\S+/register/verify/[A-Za-z0-9_-]+`).FindString(b.text("pre.mail"))
	if link == "" {
		t.Fatalf("no confirmation link in the mail: %s", b.text("pre.mail"))
	}
	b.logout()

	b.run(chromedp.Navigate(link))
	if got := b.attr("#verify-result", "data-status"); got != "active" {
		t.Fatalf("after confirming, the organisation is %q, want active", got)
	}
	b.shot("verified")

	// The participant area, and an API token for later.
	b.login(userMail, userPW)
	b.run(chromedp.Navigate(base + "/member"))
	b.shot("member")
	org := strings.TrimPrefix(b.attr(`a[href^="/org/"][href$="/terminate"]`, "href"), "/org/")
	org = strings.TrimSuffix(org, "/terminate")
	if b.count(`.badge-card[data-status=participant][data-revoked=false]`) != 1 {
		t.Errorf("the participant area shows no valid participant badge")
	}
	b.run(chromedp.Navigate(base + "/org/" + org + "/tokens"))
	b.run(chromedp.SendKeys("#f-name", "SIEM", chromedp.ByQuery),
		chromedp.Click(`input[name=scopes][value="organisation:read"]`, chromedp.ByQuery))
	b.submit(`form[action="/org/`+org+`/tokens"]`, "/org/"+org+"/tokens")
	token := b.text("#new-token")
	if st := apiStatus(t, base+"/api/v1/organisations/"+org+"/membership", token); st != http.StatusOK {
		t.Fatalf("the new token gets %d for the membership, want 200", st)
	}

	// Apply as partner.
	b.run(chromedp.Navigate(base + "/member/partner"))
	b.run(chromedp.SendKeys("#f-expertise", "Incident response, OT forensics", chromedp.ByQuery),
		chromedp.SendKeys("#f-description", "Our CERT handles incidents at harbours and utilities.", chromedp.ByQuery))
	b.submit(`form[action="/member/partner/apply"]`, "/member/partner")
	b.shot("partner-applied")
	b.logout()

	// The reviewer approves, with a reason.
	b.login(reviewer, demo.Password)
	b.run(chromedp.Navigate(base + "/office/membership"))
	b.shot("office-membership")
	app := b.attr(`tr[id^="application-"][data-org="`+org+`"]`, "id")
	b.run(chromedp.SendKeys("#"+app+` input[name=reason]`, "Strong incident response team.", chromedp.ByQuery))
	b.click("#"+app+` button[value=approve]`, "/office/membership")
	b.logout()

	// The organisation submits its first contribution.
	b.login(userMail, userPW)
	b.run(chromedp.Navigate(base + "/member/partner"))
	b.run(chromedp.SetValue("#f-type", "publication", chromedp.ByQuery),
		chromedp.SendKeys("#f-title", "Hardening harbour OT networks", chromedp.ByQuery),
		chromedp.SendKeys("#f-link", "https://"+domain+"/ot-hardening", chromedp.ByQuery))
	b.submit(`form[action="/member/partner/contributions"]`, "/member/partner")
	b.shot("partner-contributed")
	b.logout()

	// The reviewer accepts it: the partner status starts.
	b.login(reviewer, demo.Password)
	b.run(chromedp.Navigate(base + "/office/membership"))
	con := b.attr(`tr[id^="contribution-"][data-org="`+org+`"]`, "id")
	b.click("#"+con+` button[value=accept]`, "/office/membership")
	b.logout()

	// The public partner directory lists it, found by its expertise.
	b.run(chromedp.Navigate(base + "/partners?q=forensics"))
	b.shot("partners")
	if b.count(`#partner-`+org) != 1 {
		t.Fatalf("the partner directory does not list the organisation:\n%s", b.html("main"))
	}

	// Its partner badge verifies.
	b.login(userMail, userPW)
	b.run(chromedp.Navigate(base + "/member"))
	verify := b.attr(`.badge-card[data-status=partner][data-revoked=false] a[href^="/verify/"]`, "href")
	b.shot("member-partner")
	b.run(chromedp.Navigate(base + verify))
	lang := b.attr("html", "lang")
	if got := b.attr("#verdict", "data-valid"); got != "true" {
		t.Errorf("the partner badge is not valid: %q", b.text("#verdict"))
	}
	if got := b.text("#badge-status"); got != cat.T(lang, "mstatus.partner") {
		t.Errorf("the badge's status is %q, want %q", got, cat.T(lang, "mstatus.partner"))
	}
	if got := b.text("#badge-org"); got != orgName {
		t.Errorf("the badge names %q, want %q", got, orgName)
	}
	b.shot("badge-valid")

	// The organisation ends its membership.
	b.run(chromedp.Navigate(base + "/org/" + org + "/terminate"))
	b.run(chromedp.SendKeys("#f-confirm", orgName, chromedp.ByQuery))
	b.shot("terminate")
	b.submit(`form[action="/org/`+org+`/terminate"]`, "/goodbye")
	b.shot("goodbye")
	if b.count(`form.logout`) != 0 {
		t.Error("the goodbye page still shows a logged-in user")
	}
	b.run(chromedp.Navigate(base + "/member"))
	b.waitPath("/login")

	b.run(chromedp.Navigate(base + verify))
	if got := b.attr("#verdict", "data-valid"); got != "false" {
		t.Errorf("after the termination the badge is still valid: %q", b.text("#verdict"))
	}
	if got, want := b.text("#badge-state"), strings.SplitN(cat.T(b.attr("html", "lang"), "badge.revoked.at", ""), " ", 2)[0]; !strings.HasPrefix(got, want) {
		t.Errorf("the badge's state is %q, want it to start with %q", got, want)
	}
	b.shot("badge-revoked")
	if st := apiStatus(t, base+"/api/v1/organisations/"+org+"/membership", token); st != http.StatusUnauthorized {
		t.Errorf("after the termination the token gets %d, want 401", st)
	}
}

// chrome drives one browser tab and fails the test on the first error.
type chrome struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string // directory for screenshots, or ""
	n     int
}

func (c *chrome) run(actions ...chromedp.Action) {
	c.t.Helper()
	if err := chromedp.Run(c.ctx, actions...); err != nil {
		var loc string
		_ = chromedp.Run(c.ctx, chromedp.Location(&loc))
		c.t.Fatalf("browser at %s: %v", loc, err)
	}
}

// path returns the path of the page the tab shows.
func (c *chrome) path() string {
	var p string
	c.run(chromedp.Evaluate(`location.pathname`, &p))
	return p
}

// waitPath waits until the tab shows a page at path, after a form was
// sent or a link followed, and the page is loaded.
func (c *chrome) waitPath(path string) {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var p, state string
		err := chromedp.Run(c.ctx, chromedp.Evaluate(`location.pathname`, &p), chromedp.Evaluate(`document.readyState`, &state))
		if err == nil && p == path && state == "complete" {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the browser is at %s (%v), want %s:\n%s", p, err, path, c.html("main"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// submit sends the form sel with its submit button and waits for the page
// at path.
func (c *chrome) submit(sel, path string) {
	c.t.Helper()
	c.click(sel+` button[type=submit]`, path)
}

// click clicks the button sel and waits for the page at path. The page
// before is marked, so that waiting ends on the new page only: a form sent
// back to the page it is on must not be cut off by the next step.
func (c *chrome) click(sel, path string) {
	c.t.Helper()
	var ok bool
	c.run(chromedp.Evaluate(`document.body.dataset.old = "1"; true`, &ok),
		chromedp.Click(sel, chromedp.ByQuery))
	deadline := time.Now().Add(60 * time.Second)
	for {
		var old bool
		err := chromedp.Run(c.ctx, chromedp.Evaluate(`document.readyState === "complete" && document.body && document.body.dataset.old === "1"`, &old))
		if err == nil && !old {
			var state string
			if chromedp.Run(c.ctx, chromedp.Evaluate(`document.readyState`, &state)) == nil && state == "complete" {
				break
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("sending %s: no new page", sel)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if p := c.path(); p != path {
		c.t.Fatalf("sending %s ended at %s, want %s:\n%s", sel, p, path, c.html("main"))
	}
}

func (c *chrome) login(email, password string) {
	c.t.Helper()
	c.run(chromedp.Navigate(c.base+"/login"),
		chromedp.SendKeys("#f-email", email, chromedp.ByQuery), chromedp.SendKeys("#f-password", password, chromedp.ByQuery))
	c.submit(`main form[action="/login"]`, "/")
}

func (c *chrome) logout() {
	c.t.Helper()
	c.submit("form.logout", "/login")
}

func (c *chrome) text(sel string) string {
	c.t.Helper()
	c.need(sel)
	var s string
	c.run(chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

func (c *chrome) value(sel string) string {
	c.t.Helper()
	var s string
	c.run(chromedp.Value(sel, &s, chromedp.ByQuery))
	return s
}

func (c *chrome) attr(sel, name string) string {
	c.t.Helper()
	c.need(sel)
	var s string
	var ok bool
	c.run(chromedp.AttributeValue(sel, name, &s, &ok, chromedp.ByQuery))
	if !ok {
		c.t.Fatalf("%s has no attribute %s", sel, name)
	}
	return s
}

func (c *chrome) html(sel string) string {
	var s string
	_ = chromedp.Run(c.ctx, chromedp.OuterHTML(sel, &s, chromedp.ByQuery))
	return s
}

// need fails the test at once when the page has nothing matching sel
// (queries would wait for it until the test times out).
func (c *chrome) need(sel string) {
	c.t.Helper()
	if c.count(sel) == 0 {
		c.t.Fatalf("%s has no %s:\n%s", c.path(), sel, c.html("main"))
	}
}

// count returns how many elements match sel, without waiting for one.
func (c *chrome) count(sel string) int {
	c.t.Helper()
	var n int
	c.run(chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n))
	return n
}

func (c *chrome) wantText(sel, want string) {
	c.t.Helper()
	if c.count(sel) == 0 {
		c.t.Errorf("the page has no %s:\n%s", sel, c.html("main"))
		return
	}
	if got := c.text(sel); got != want {
		c.t.Errorf("%s says %q, want %q", sel, got, want)
	}
}

// shot saves a screenshot of the whole page when screenshots are asked for.
func (c *chrome) shot(name string) {
	c.t.Helper()
	if c.shots == "" {
		return
	}
	var png []byte
	c.run(chromedp.FullScreenshot(&png, 100))
	c.n++
	if err := os.WriteFile(filepath.Join(c.shots, fmt.Sprintf("%02d-%s.png", c.n, name)), png, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// apiStatus returns the status of a GET of url with token.
func apiStatus(t *testing.T, url, token string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
