package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/csaf"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/warning"
)

// publishWarnings publishes warnings into the database of a running
// server, as the office's publishers would: two TLP:CLEAR ones (one of
// them updated, one withdrawn) and a TLP:GREEN one. It returns the paths
// of their CSAF documents in that order.
func publishWarnings(t *testing.T, dsn string) (white1, white2, green string) {
	t.Helper()
	ctx := t.Context()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	svc := warning.NewService(db.Warnings(), sharing.New(pol, nil, nil, nil, nil, nil), warning.Config{})
	sys := identity.SystemPrincipal()
	if err := svc.SetFourEyes(ctx, sys, false); err != nil {
		t.Fatal(err)
	}
	content := func(title string, products ...warning.Product) warning.Content {
		return warning.Content{Lang: "en", Severity: warning.SeverityHigh, CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N",
			CVEs: []string{"CVE-2026-31337"}, Products: products, References: []string{"https://vendor.example/psirt"},
			Texts: map[string]warning.Text{"en": {Title: title, Summary: "Attackers exploit " + title + ".",
				Details: "Details of " + title + ".", Recommendations: "Install the vendor's update."}}}
	}
	publish := func(tlp policy.TLP, c warning.Content) warning.Warning {
		w, err := svc.Create(ctx, sys, warning.Input{Content: c, Marking: policy.Marking{TLP: tlp, Audience: policy.Audience{Community: true}}})
		if err != nil {
			t.Fatal(err)
		}
		if w, err = svc.Publish(ctx, sys, w.ID); err != nil {
			t.Fatal(err)
		}
		return w
	}
	gw := warning.Product{Vendor: "Example", Name: "Gateway", Versions: "< 4.2.1", CPE: "cpe:2.3:a:example:gateway:*:*:*:*:*:*:*:*"}
	w := publish(policy.Clear, content("a flaw in Example Gateway", gw))
	white1 = csaf.Path(&w)
	c := content("a flaw in Example Gateway", gw, warning.Product{Vendor: "Example", Name: "Agent", Versions: "2.0.1", PURL: "pkg:npm/example-agent@2.0.1"})
	if _, err := svc.Update(ctx, sys, w.ID, warning.Input{Content: c, Marking: w.Marking}, "Agent added"); err != nil {
		t.Fatal(err)
	}
	old := publish(policy.Clear, content("an old flaw in Example Agent", warning.Product{Vendor: "Example", Name: "Agent"}))
	white2 = csaf.Path(&old)
	if _, err := svc.Withdraw(ctx, sys, old.ID, "duplicate"); err != nil {
		t.Fatal(err)
	}
	g := publish(policy.Green, content("a flaw only the community hears of", gw))
	return white1, white2, csaf.Path(&g)
}

type checkerReport struct {
	Domains []struct {
		Passed       bool `json:"passed"`
		Requirements []struct {
			Num         int    `json:"num"`
			Description string `json:"description"`
			Messages    []struct {
				Type int    `json:"type"`
				Text string `json:"text"`
			} `json:"messages"`
		} `json:"requirements"`
	} `json:"domains"`
}

// The public part of the CSAF provider passes the checker of the gocsaf
// project for the role of a trusted provider, and every public document
// passes its validator.
func TestCSAFCheckerPassesTrustedProvider(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir)
	dsn := filepath.Join(dir, "csaf.db")
	base, stop := startServer(t, dsn, "--tls-cert", certFile, "--tls-key", keyFile)
	defer stop()
	white1, white2, _ := publishWarnings(t, dsn)

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	domain := strings.TrimPrefix(base, "https://")
	report := filepath.Join(dir, "report.json")
	out, err := exec.CommandContext(ctx, "go", "tool", "csaf_checker", "--insecure", "-f", "json", "-o", report, domain).CombinedOutput()
	if err != nil {
		t.Fatalf("csaf_checker: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep checkerReport
	if err := json.Unmarshal(raw, &rep); err != nil || len(rep.Domains) != 1 {
		t.Fatalf("checker report: %v\n%s", err, raw)
	}
	d := rep.Domains[0]
	for _, req := range d.Requirements {
		for _, m := range req.Messages {
			// Requirement 10 (the DNS name csaf.data.security.<domain>)
			// cannot be met by a test on 127.0.0.1; requirements 8 and 9
			// (security.txt, the well-known URL) stand in for it.
			if m.Type == 2 && req.Num != 10 {
				t.Errorf("checker: requirement %d (%s): %s", req.Num, req.Description, m.Text)
			}
		}
	}
	if !d.Passed {
		t.Errorf("the checker does not pass Verbund as a trusted provider:\n%s", raw)
	}

	// Download every public document and validate it.
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := c.Get(base + "/.well-known/csaf/white/index.txt")
	if err != nil {
		t.Fatal(err)
	}
	index := strings.Fields(readAll(t, resp))
	for _, p := range []string{white1, white2} {
		if !slices.Contains(index, strings.TrimPrefix(p, "/.well-known/csaf/white/")) {
			t.Errorf("index.txt of white lists %v, without %s", index, p)
		}
	}
	var files []string
	for _, rel := range index {
		resp, err := c.Get(base + "/.well-known/csaf/white/" + rel)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, filepath.Base(rel))
		if err := os.WriteFile(f, []byte(readAll(t, resp)), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	out, err = exec.CommandContext(ctx, "go", append([]string{"tool", "csaf_validator"}, files...)...).CombinedOutput()
	// Without a remote validator the exit code has bit 4 set; schema
	// errors set bit 2.
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode()&2 == 0) {
		t.Errorf("csaf_validator: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "passes the schema validation"); n != len(files) {
		t.Errorf("csaf_validator passed %d of %d documents:\n%s", n, len(files), out)
	}
	for _, bad := range []string{"is not a valid advisory name", "does not match", "schema validation errors", "error"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("csaf_validator says %q:\n%s", bad, out)
		}
	}
}
