package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/verbund/verbund/internal/demo"
)

// TestBrowserIncident walks incident reporting in Chromium against
// `verbund serve --demo`: a member reports through the guided form, the
// analyst finds the case in the queue, triages it and asks a question, the
// member answers, and the analyst reads the answer.
func TestBrowserIncident(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		const how = "Chromium is not installed at " + chromiumPath + "; install it (apt-get install chromium) to run the browser test"
		if os.Getenv("CI") == "true" {
			t.Fatal(how)
		}
		t.Skip(how)
	}
	base, _ := startServer(t, filepath.Join(t.TempDir(), "incident.db"))
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
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute) // stops a hung browser; asserts no speed
	defer cancel()
	b := &chrome{t: t, ctx: ctx, base: base, shots: os.Getenv(envScreenshots)}

	const (
		member  = "soc@nordsee-netz.example"
		analyst = "analyst@office.verbund.example"
		title   = "DDoS auf das Kundenportal"
	)
	// The member reports; times are typed in the organisation's zone.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	b.login(member, demo.Password)
	b.run(chromedp.Navigate(base + "/incidents/new"))
	b.run(chromedp.SendKeys("#f-title", title, chromedp.ByQuery),
		chromedp.SendKeys("#f-description", "Seit 7 Uhr 4 Gbit/s UDP auf das Portal.", chromedp.ByQuery),
		chromedp.SetValue("#f-classification", "availability/ddos", chromedp.ByQuery),
		chromedp.SetValue("#f-impact", "medium", chromedp.ByQuery),
		chromedp.Click(`input[name=sectors][value=energy]`, chromedp.ByQuery),
		chromedp.SetValue("#f-detected", time.Now().Add(-2*time.Hour).In(berlin).Format("2006-01-02T15:04"), chromedp.ByQuery),
		chromedp.SendKeys("#f-indicators", "203.0.113.9\nhxxp://booter[.]example/", chromedp.ByQuery))
	b.shot("incident-form")
	b.run(chromedp.Click(`button[name=action][value=submit]`, chromedp.ByQuery))
	casePath := b.waitPrefix("/incidents/cases/")
	ref := strings.TrimSpace(strings.TrimPrefix(b.text("h1"), strings.Fields(b.text("h1"))[0]))
	if !strings.HasPrefix(ref, "VB-") || !strings.Contains(b.text("#reports"), "booter.example") {
		t.Fatalf("after submitting: %s", b.html("main"))
	}
	b.shot("incident-case")
	b.logout()

	// The analyst finds it in the queue, triages it and asks.
	id := strings.TrimPrefix(casePath, "/incidents/cases/")
	b.login(analyst, demo.Password)
	b.run(chromedp.Navigate(base + "/office/incidents?status=new"))
	b.need(`a[href="/office/incidents/` + id + `"]`)
	b.shot("incident-queue")
	b.click(`a[href="/office/incidents/`+id+`"]`, "/office/incidents/"+id)
	b.run(chromedp.SetValue("#f-status", "triaged", chromedp.ByQuery))
	b.submit(`form[action$="/status"]`, "/office/incidents/"+id)
	b.run(chromedp.SendKeys("#f-body", "Gab es vorab eine Erpressungsmail?", chromedp.ByQuery))
	b.submit(`form[action$="/messages"]`, "/office/incidents/"+id)
	if !strings.Contains(b.text("#thread"), "Gab es vorab eine Erpressungsmail?") {
		t.Errorf("the question is not in the thread: %s", b.html("#thread"))
	}
	b.logout()

	// The member reads the question and answers.
	b.login(member, demo.Password)
	b.run(chromedp.Navigate(base + casePath))
	if !strings.Contains(b.text("#thread"), "Gab es vorab eine Erpressungsmail?") {
		t.Fatalf("the member does not see the question: %s", b.html("main"))
	}
	b.run(chromedp.SendKeys("#f-body", "Ja, gestern an info@.", chromedp.ByQuery))
	b.submit(`form[action$="/messages"]`, casePath)
	b.shot("incident-answer")
	b.logout()

	b.login(analyst, demo.Password)
	b.run(chromedp.Navigate(base + "/office/incidents/" + id))
	if !strings.Contains(b.text("#thread"), "Ja, gestern an info@.") {
		t.Errorf("the analyst does not see the answer: %s", b.html("#thread"))
	}
}

// waitPrefix waits for a loaded page whose path starts with prefix and
// returns the path.
func (c *chrome) waitPrefix(prefix string) string {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var p, state string
		err := chromedp.Run(c.ctx, chromedp.Evaluate(`location.pathname`, &p), chromedp.Evaluate(`document.readyState`, &state))
		if err == nil && strings.HasPrefix(p, prefix) && state == "complete" {
			return p
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the browser is at %s (%v), want %s…:\n%s", p, err, prefix, c.html("main"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
