package warning

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/verbund/verbund"
)

// Limits of the fields of a warning, in characters.
const (
	maxTitle    = 200
	maxSummary  = 2000
	maxMarkdown = 50000
	maxShort    = 200 // vendor, product, versions, CPE, PURL
	maxList     = 100 // CVEs, products, references
	maxURL      = 2000
)

// normalise trims c's texts and lists, drops empty list entries and empty
// translations, upper-cases CVE ids and removes duplicates.
func normalise(c *Content) {
	c.Lang = strings.TrimSpace(c.Lang)
	texts := map[string]Text{}
	for lang, t := range c.Texts {
		t = Text{Title: strings.TrimSpace(t.Title), Summary: strings.TrimSpace(t.Summary),
			Details: strings.TrimSpace(t.Details), Recommendations: strings.TrimSpace(t.Recommendations)}
		if !t.IsZero() || lang == c.Lang {
			texts[lang] = t
		}
	}
	c.Texts = texts
	c.Severity = Severity(strings.ToLower(strings.TrimSpace(string(c.Severity))))
	c.CVSS = strings.TrimSpace(c.CVSS)
	var cves []string
	for _, id := range c.CVEs {
		if id = strings.ToUpper(strings.TrimSpace(id)); id != "" && !slices.Contains(cves, id) {
			cves = append(cves, id)
		}
	}
	c.CVEs = cves
	var products []Product
	for _, p := range c.Products {
		p = Product{Vendor: strings.TrimSpace(p.Vendor), Name: strings.TrimSpace(p.Name), Versions: strings.TrimSpace(p.Versions),
			CPE: strings.TrimSpace(p.CPE), PURL: strings.TrimSpace(p.PURL)}
		if p != (Product{}) {
			products = append(products, p)
		}
	}
	c.Products = products
	var refs []string
	for _, r := range c.References {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(refs, r) {
			refs = append(refs, r)
		}
	}
	c.References = refs
	if c.Severity == "" && c.CVSS != "" {
		if v, err := ParseCVSS(c.CVSS); err == nil {
			c.Severity = v.Severity()
		}
	}
}

// check returns a problem per field of c that no warning may have, draft or
// not: a wrong format, an unknown value, a text too long. Missing fields
// are Missing's business. Field names are those of the forms and the API:
// title, summary, details, recommendations (of the original), texts.<lang>
// for a translation, severity, cvss, cves, products, references, lang.
func check(c *Content) map[string]string {
	f := map[string]string{}
	if !slices.Contains(Languages, c.Lang) {
		f["lang"] = "choose the original language: de, nl or en"
	}
	for lang, t := range c.Texts {
		prefix := ""
		if lang != c.Lang {
			if !slices.Contains(Languages, lang) {
				f["texts"] = "translations are possible in de, nl and en: " + lang
				continue
			}
			prefix = "texts." + lang + "."
			if t.Title == "" {
				f[prefix+"title"] = "a translation needs a title"
			}
		}
		for _, l := range []struct {
			field, v string
			max      int
		}{{"title", t.Title, maxTitle}, {"summary", t.Summary, maxSummary}, {"details", t.Details, maxMarkdown},
			{"recommendations", t.Recommendations, maxMarkdown}} {
			if n := utf8.RuneCountInString(l.v); n > l.max {
				f[prefix+l.field] = fmt.Sprintf("must be at most %d characters", l.max)
			}
		}
	}
	if c.Severity != "" && !c.Severity.Valid() {
		f["severity"] = "choose a severity: none, low, medium, high or critical"
	}
	if c.CVSS != "" {
		if _, err := ParseCVSS(c.CVSS); err != nil {
			f["cvss"] = verbund.ErrorMessage(err)
		}
	}
	var badCVE []string
	for _, id := range c.CVEs {
		if !ValidCVE(id) {
			badCVE = append(badCVE, id)
		}
	}
	switch {
	case len(badCVE) > 0:
		f["cves"] = "not a CVE id (CVE-YYYY-NNNN): " + strings.Join(badCVE, ", ")
	case len(c.CVEs) > maxList:
		f["cves"] = fmt.Sprintf("at most %d CVE ids", maxList)
	}
	var bad []string
	for i, p := range c.Products {
		if msg := checkProduct(p); msg != "" {
			bad = append(bad, fmt.Sprintf("product %d (%s %s) %s", i+1, p.Vendor, p.Name, msg))
		}
	}
	switch {
	case len(bad) > 0:
		f["products"] = "a product is not valid: " + strings.Join(bad, "; ")
	case len(c.Products) > maxList:
		f["products"] = fmt.Sprintf("at most %d products", maxList)
	}
	var badRef []string
	for _, r := range c.References {
		if !validURL(r) {
			badRef = append(badRef, r)
		}
	}
	switch {
	case len(badRef) > 0:
		f["references"] = "not an absolute http or https URL: " + strings.Join(badRef, ", ")
	case len(c.References) > maxList:
		f["references"] = fmt.Sprintf("at most %d references", maxList)
	}
	return f
}

// checkProduct returns what is wrong with p, or "".
func checkProduct(p Product) string {
	switch {
	case p.Vendor == "" || p.Name == "":
		return "needs a vendor and a product name"
	case utf8.RuneCountInString(p.Vendor) > maxShort || utf8.RuneCountInString(p.Name) > maxShort ||
		utf8.RuneCountInString(p.Versions) > maxShort || len(p.CPE) > maxShort || len(p.PURL) > maxShort:
		return fmt.Sprintf("has a part longer than %d characters", maxShort)
	}
	if p.CPE != "" {
		if msg := ValidCPE(p.CPE); msg != "" {
			return "has an invalid CPE (" + msg + ")"
		}
	}
	if p.PURL != "" {
		if msg := ValidPURL(p.PURL); msg != "" {
			return "has an invalid package URL (" + msg + ")"
		}
	}
	return ""
}

func validURL(s string) bool {
	if len(s) > maxURL {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// Missing returns, per field, what c lacks before it may be published: the
// title, summary, details and recommendations of the original, a severity
// and at least one affected product.
func Missing(c *Content) map[string]string {
	f := map[string]string{}
	o := c.Original()
	for _, l := range []struct{ field, v string }{{"title", o.Title}, {"summary", o.Summary}, {"details", o.Details},
		{"recommendations", o.Recommendations}} {
		if l.v == "" {
			f[l.field] = "is required to publish"
		}
	}
	if c.Severity == "" {
		f["severity"] = "is required to publish"
	}
	if len(c.Products) == 0 {
		f["products"] = "name at least one affected product to publish"
	}
	return f
}
