package csaf_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/csaf"
	"github.com/verbund/verbund/internal/warning"
)

// mandatory runs the mandatory tests of CSAF 2.0 section 6.1 that apply to
// what Verbund writes, and returns the violations, each with its test
// number. (The JSON schema, test 6.1.8 for the CVSS object among them, is
// checked by the gocsaf library.)
func mandatory(doc *csaf.Document) []string {
	var bad []string
	fail := func(test, format string, args ...any) {
		bad = append(bad, test+": "+fmt.Sprintf(format, args...))
	}
	m := &doc.Document

	// 6.1.1 and 6.1.2: every product id referenced is defined, once.
	defined := map[string]int{}
	var walk func([]csaf.Branch)
	walk = func(bs []csaf.Branch) {
		for _, b := range bs {
			if b.Product != nil {
				defined[b.Product.ProductID]++
			}
			// 6.1.31: no version range in a product_version.
			if b.Category == "product_version" && csaf.IsRange(b.Name) {
				fail("6.1.31", "product_version %q is a range", b.Name)
			}
			walk(b.Branches)
		}
	}
	if doc.ProductTree != nil {
		walk(doc.ProductTree.Branches)
	}
	for id, n := range defined {
		if n > 1 {
			fail("6.1.2", "product id %s defined %d times", id, n)
		}
	}
	ref := func(ids []string) {
		for _, id := range ids {
			if defined[id] == 0 {
				fail("6.1.1", "product id %s is not defined", id)
			}
		}
	}

	// 6.1.27.4, 6.1.27.11: a security advisory has a product tree and
	// vulnerabilities.
	if m.Category == csaf.CategorySecurityAdvisory {
		if doc.ProductTree == nil {
			fail("6.1.27.4", "no product tree")
		}
		if len(doc.Vulnerabilities) == 0 {
			fail("6.1.27.11", "no vulnerabilities")
		}
	}
	var cves []string
	for i, v := range doc.Vulnerabilities {
		// 6.1.23: a CVE once.
		if v.CVE != "" {
			if slices.Contains(cves, v.CVE) {
				fail("6.1.23", "%s twice", v.CVE)
			}
			cves = append(cves, v.CVE)
		}
		// 6.1.27.5: notes on every vulnerability of a security advisory.
		if len(v.Notes) == 0 {
			fail("6.1.27.5", "vulnerability %d has no notes", i)
		}
		if v.ProductStatus != nil {
			ref(v.ProductStatus.KnownAffected)
			ref(v.ProductStatus.Fixed)
		} else {
			fail("6.1.27.6", "vulnerability %d has no product status", i)
		}
		for _, r := range v.Remediations {
			// 6.1.29: a remediation names its products.
			if len(r.ProductIDs) == 0 {
				fail("6.1.29", "remediation without products")
			}
			ref(r.ProductIDs)
		}
		for _, s := range v.Scores {
			ref(s.Products)
			// 6.1.9: the score is the one the vector computes.
			if c := s.CVSSv3; c != nil {
				p, err := warning.ParseCVSS(c.VectorString)
				if err != nil {
					fail("6.1.8", "vector %s: %v", c.VectorString, err)
					continue
				}
				if p.BaseScore() != c.BaseScore || !strings.EqualFold(string(warning.SeverityOfScore(p.BaseScore())), c.BaseSeverity) {
					fail("6.1.9", "%s computes %.1f, the document says %.1f %s", c.VectorString, p.BaseScore(), c.BaseScore, c.BaseSeverity)
				}
				if !strings.HasPrefix(c.VectorString, "CVSS:"+c.Version+"/") {
					fail("6.1.10", "version %s and vector %s differ", c.Version, c.VectorString)
				}
			}
		}
	}

	// Tracking: 6.1.14 sorted, 6.1.16 latest version, 6.1.18 no pre-release
	// in a final document, 6.1.21 no gaps, 6.1.22 no duplicates.
	t := &m.Tracking
	var nums []int
	for i, r := range t.RevisionHistory {
		n, err := strconv.Atoi(r.Number)
		if err != nil {
			fail("6.1.30", "revision number %q is no integer", r.Number)
			continue
		}
		if n == 0 && t.Status != "draft" {
			fail("6.1.18", "revision 0 in a %s document", t.Status)
		}
		if slices.Contains(nums, n) {
			fail("6.1.22", "revision %d twice", n)
		}
		if i > 0 && r.Date < t.RevisionHistory[i-1].Date {
			fail("6.1.14", "revision %d is dated before its predecessor", n)
		}
		nums = append(nums, n)
	}
	for i, n := range nums {
		if n != i+1 {
			fail("6.1.21", "revision %d where %d was expected", n, i+1)
		}
	}
	if len(nums) > 0 && strconv.Itoa(nums[len(nums)-1]) != t.Version {
		fail("6.1.16", "version %s, latest revision %d", t.Version, nums[len(nums)-1])
	}
	if len(t.RevisionHistory) > 0 && t.RevisionHistory[len(t.RevisionHistory)-1].Date > t.CurrentReleaseDate {
		fail("6.1.14", "the newest revision is dated after the current release")
	}
	// 6.1.26: a document category that is not a profile must not be named
	// like one; Verbund writes a profile's name exactly.
	if m.Category != csaf.CategorySecurityAdvisory {
		fail("6.1.26", "category %s", m.Category)
	}
	// 6.1.28: a translation names a source language other than its own.
	if m.SourceLang != "" && m.SourceLang == m.Lang {
		fail("6.1.28", "source_lang equals lang")
	}
	return bad
}

func TestMandatoryTests(t *testing.T) {
	for _, c := range []struct {
		name string
		w    func() warning.Warning
	}{
		{"published", published},
		{"withdrawn", func() warning.Warning {
			w := published()
			w.State, w.WithdrawnAt, w.WithdrawReason = warning.Withdrawn, at("2026-03-10T12:00:00Z"), "wrong"
			return w
		}},
		{"without CVE", func() warning.Warning {
			w := published()
			for i := range w.Revisions {
				w.Revisions[i].Content.CVEs = nil
			}
			return w
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := c.w()
			doc, err := csaf.FromWarning(&w, provider)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range mandatory(doc) {
				t.Error(v)
			}
		})
	}
}

// The tests above find what they look for.
func TestMandatoryTestsFindViolations(t *testing.T) {
	w := published()
	doc, err := csaf.FromWarning(&w, provider)
	if err != nil {
		t.Fatal(err)
	}
	doc.Document.Tracking.Version = "7"
	doc.Vulnerabilities[0].ProductStatus.KnownAffected = append(doc.Vulnerabilities[0].ProductStatus.KnownAffected, "CSAFPID-9999")
	doc.Vulnerabilities[0].Scores[0].CVSSv3.BaseScore = 5
	doc.ProductTree.Branches[0].Branches[0].Branches[0].Category = "product_version"
	got := strings.Join(mandatory(doc), "\n")
	for _, test := range []string{"6.1.16", "6.1.1", "6.1.9", "6.1.31"} {
		if !strings.Contains(got, test+":") {
			t.Errorf("test %s found nothing in a broken document; found:\n%s", test, got)
		}
	}
}
