package csaf_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gocsaf "github.com/gocsaf/csaf/v3/csaf"
	"github.com/gocsaf/csaf/v3/util"

	"github.com/verbund/verbund/internal/csaf"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/warning"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var provider = csaf.Provider{BaseURL: "https://verbund.example.org", Name: "Verbund CERT", Engine: "1.0.0",
	ContactDetails: "cert@verbund.example.org"}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// published returns a warning published once and updated once.
func published() warning.Warning {
	c := warning.Content{
		Lang: "en",
		Texts: map[string]warning.Text{
			"en": {Title: "Remote code execution in Example Gateway", Summary: "An unauthenticated attacker can run code on Example Gateway.",
				Details: "The web interface does not check the length of the `session` parameter.", Recommendations: "Update to 4.2.1 or later; until then block port 8443 from the internet."},
			"de": {Title: "Entfernte Codeausführung in Example Gateway"},
		},
		Severity: warning.SeverityCritical,
		CVSS:     "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		CVEs:     []string{"CVE-2026-12345", "CVE-2026-12346"},
		Products: []warning.Product{
			{Vendor: "Example", Name: "Gateway", Versions: "< 4.2.1", CPE: "cpe:2.3:a:example:gateway:*:*:*:*:*:*:*:*"},
			{Vendor: "Example", Name: "Gateway Cloud Connector", Versions: "3.0.7", PURL: "pkg:npm/example-connector@3.0.7"},
			{Vendor: "Other Corp", Name: "Agent"},
		},
		References: []string{"https://example.com/security/2026-01"},
	}
	first := c
	first.CVEs = c.CVEs[:1]
	return warning.Warning{
		ID: "w1", TrackingID: "VB-2026-0042", State: warning.Published,
		Marking:     policy.Marking{TLP: policy.Clear},
		CreatedAt:   at("2026-03-01T08:00:00Z"),
		PublishedAt: at("2026-03-02T09:30:00Z"),
		Revisions: []warning.Revision{
			{Number: 1, At: at("2026-03-02T09:30:00Z"), Summary: "Initial release", Content: first},
			{Number: 2, At: at("2026-03-04T16:05:12.345Z"), Summary: "Second CVE added", Content: c},
		},
	}
}

// check fails t unless raw passes the CSAF 2.0 JSON schema and the checks
// of the gocsaf library (its advisory model and the file name rule).
func check(t *testing.T, raw []byte, file string) {
	t.Helper()
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	errs, err := gocsaf.ValidateCSAF(doc)
	if err != nil {
		t.Fatalf("schema validation: %v", err)
	}
	for _, e := range errs {
		t.Errorf("CSAF 2.0 schema: %s", e)
	}
	if err := util.IDMatchesFilename(util.NewPathEval(), doc, file); err != nil {
		t.Errorf("file name: %v", err)
	}
	if !util.ConformingFileName(file) {
		t.Errorf("%s is no conforming file name", file)
	}
	var adv gocsaf.Advisory
	if err := json.Unmarshal(raw, &adv); err != nil {
		t.Fatalf("gocsaf model: %v", err)
	}
	if err := adv.Validate(); err != nil {
		t.Errorf("gocsaf model: %v", err)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestDocumentOfAPublishedWarning(t *testing.T) {
	w := published()
	doc, err := csaf.FromWarning(&w, provider)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := csaf.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	check(t, raw, csaf.FileName(w.TrackingID))
	golden(t, "vb-2026-0042.json", raw)

	m := doc.Document
	if m.Tracking.Version != "2" || len(m.Tracking.RevisionHistory) != 2 || m.Tracking.Status != "final" {
		t.Errorf("tracking = %+v, want version 2, two revisions, final", m.Tracking)
	}
	if m.Tracking.InitialReleaseDate != "2026-03-02T09:30:00Z" || m.Tracking.CurrentReleaseDate != "2026-03-04T16:05:12Z" {
		t.Errorf("release dates %s / %s", m.Tracking.InitialReleaseDate, m.Tracking.CurrentReleaseDate)
	}
	if m.Distribution.TLP.Label != "WHITE" || !strings.Contains(m.Distribution.Text, "TLP:CLEAR") {
		t.Errorf("distribution = %+v, want WHITE saying it is TLP:CLEAR", m.Distribution)
	}
	if len(doc.Vulnerabilities) != 2 || doc.Vulnerabilities[1].CVE != "CVE-2026-12346" {
		t.Fatalf("vulnerabilities = %+v, want one per CVE", doc.Vulnerabilities)
	}
	sc := doc.Vulnerabilities[0].Scores[0].CVSSv3
	if sc.BaseScore != 9.8 || sc.BaseSeverity != "CRITICAL" {
		t.Errorf("score = %+v, want 9.8 CRITICAL", sc)
	}
	// "< 4.2.1" is a range: test 6.1.31 forbids it as a product_version.
	gw := doc.ProductTree.Branches[0].Branches[0].Branches[0]
	if gw.Category != "product_version_range" {
		t.Errorf("the range < 4.2.1 is a %s", gw.Category)
	}
	if doc.ProductTree.Branches[0].Branches[1].Branches[0].Category != "product_version" {
		t.Error("the version 3.0.7 is no product_version")
	}
}

func TestWithdrawnDocumentSaysSo(t *testing.T) {
	w := published()
	w.State = warning.Withdrawn
	w.WithdrawnAt = at("2026-03-10T12:00:00Z")
	w.WithdrawReason = "the vendor found the report was wrong"
	w.Marking.TLP = policy.AmberStrict
	doc, err := csaf.FromWarning(&w, provider)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := csaf.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	check(t, raw, csaf.FileName(w.TrackingID))
	golden(t, "vb-2026-0042-withdrawn.json", raw)
	tr := doc.Document.Tracking
	last := tr.RevisionHistory[len(tr.RevisionHistory)-1]
	if tr.Version != "3" || last.Number != "3" || !strings.HasPrefix(last.Summary, "Withdrawn") || tr.CurrentReleaseDate != "2026-03-10T12:00:00Z" {
		t.Errorf("tracking = %+v, want a third revision that withdraws", tr)
	}
	if doc.Document.Distribution.TLP.Label != "AMBER" || !strings.Contains(doc.Document.Distribution.Text, "AMBER+STRICT") {
		t.Errorf("distribution = %+v, want AMBER saying AMBER+STRICT", doc.Document.Distribution)
	}
	if csaf.Path(&w) != "/.well-known/csaf/amber/2026/vb-2026-0042.json" {
		t.Errorf("path = %s", csaf.Path(&w))
	}
}

func TestMinimalWarningIsAValidDocument(t *testing.T) {
	w := warning.Warning{TrackingID: "VB-2026-0001", State: warning.Published, Marking: policy.Marking{TLP: policy.Green},
		PublishedAt: at("2026-01-05T10:00:00Z"),
		Revisions: []warning.Revision{{Number: 1, At: at("2026-01-05T10:00:00Z"), Summary: "Initial release",
			Content: warning.Content{Lang: "de", Texts: map[string]warning.Text{"de": {Title: "Phishing-Welle", Summary: "Gefälschte Rechnungen."}},
				Products: []warning.Product{{Vendor: "Microsoft", Name: "Outlook"}}}}}}
	doc, err := csaf.FromWarning(&w, provider)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := csaf.Marshal(doc)
	check(t, raw, "vb-2026-0001.json")
	if doc.Document.Lang != "de" || doc.Document.Distribution.TLP.Label != "GREEN" {
		t.Errorf("lang %s, label %s", doc.Document.Lang, doc.Document.Distribution.TLP.Label)
	}
}

func TestDraftsAreNoDocuments(t *testing.T) {
	w := published()
	w.State, w.Revisions = warning.Draft, nil
	if _, err := csaf.FromWarning(&w, provider); err == nil {
		t.Error("a draft became a CSAF document")
	}
	w = published()
	w.Revisions[1].Content.Products = nil
	if _, err := csaf.FromWarning(&w, provider); err == nil {
		t.Error("a warning without products became a security advisory")
	}
}

func TestFileName(t *testing.T) {
	for id, want := range map[string]string{
		"VB-2026-0042":       "vb-2026-0042.json",
		"ACME:SA 2026/7":     "acme_sa_2026_7.json",
		"cisco-sa+fw.ftd_x1": "cisco-sa+fw_ftd_x1.json",
		"Ä-1":                "_-1.json",
	} {
		if got := csaf.FileName(id); got != want {
			t.Errorf("FileName(%q) = %q, want %q", id, got, want)
		}
	}
}
