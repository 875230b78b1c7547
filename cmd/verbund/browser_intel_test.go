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

// TestBrowserIntel: a member logs in, adds an indicator by form, sees it in
// the listing, and finds it with the search box in the page header.
func TestBrowserIntel(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		const how = "Chromium is not installed at " + chromiumPath + "; install it (apt-get install chromium) to run the browser test"
		if os.Getenv("CI") == "true" {
			t.Fatal(how)
		}
		t.Skip(how)
	}
	base, _ := startServer(t, filepath.Join(t.TempDir(), "browser-intel.db"))
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
	// A limit that stops a hung browser; it asserts no speed.
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	b := &chrome{t: t, ctx: ctx, base: base, shots: os.Getenv(envScreenshots)}

	const (
		name  = "Phishing portal seen by our mail gateway"
		value = "Konto-Pruefung.Example"
	)
	b.login("soc@stadtwerke-emsland.example", demo.Password)
	b.run(chromedp.Navigate(base + "/intel/contribute"))
	var picked bool
	b.run(chromedp.Evaluate(`(() => {
		const o = [...document.querySelectorAll('#f-collection option')].find(o => o.text.startsWith('Indikatoren der Allianz'));
		if (o) { document.querySelector('#f-collection').value = o.value; }
		return !!o; })()`, &picked))
	if !picked {
		t.Fatalf("the alliance's collection is not offered:\n%s", b.html("main"))
	}
	b.run(chromedp.SetValue("#f-kind", "domain", chromedp.ByQuery),
		chromedp.SendKeys("#f-value", value, chromedp.ByQuery), chromedp.SendKeys("#f-name", name, chromedp.ByQuery))
	b.run(chromedp.Evaluate(`document.body.dataset.old = "1"; true`, &picked),
		chromedp.Click(`form:has(input[name=step][value=indicator]) button[type=submit]`, chromedp.ByQuery))
	deadline := time.Now().Add(60 * time.Second)
	for {
		var p string
		var old bool
		err := chromedp.Run(ctx, chromedp.Evaluate(`location.pathname`, &p),
			chromedp.Evaluate(`document.readyState === "complete" && document.body && document.body.dataset.old === "1"`, &old))
		if err == nil && !old && strings.Contains(p, "/objects/indicator--") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("adding the indicator ended at %s:\n%s", p, b.html("main"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.shot("intel-indicator")
	if got := b.text("main h1"); !strings.Contains(got, name) || !strings.Contains(got, "TLP:GREEN") {
		t.Errorf("the indicator's page is titled %q", got)
	}
	if got := b.text(".intel-pattern"); got != "[domain-name:value = 'konto-pruefung.example']" {
		t.Errorf("the pattern is %q", got)
	}

	b.run(chromedp.Navigate(base + "/intel"))
	if !strings.Contains(b.text("main table"), name) {
		t.Errorf("the listing does not show the new indicator:\n%s", b.html("main"))
	}
	b.run(chromedp.SendKeys("#top-q", "konto-pruefung.example", chromedp.ByQuery))
	b.submit("form.search", "/intel/search")
	b.shot("intel-search")
	if got := b.text("main table"); !strings.Contains(got, name) {
		t.Errorf("the search finds %q", got)
	}
}
