package csaf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/warning"
)

// Version is the CSAF version Verbund writes.
const Version = "2.0"

// CategorySecurityAdvisory is the profile of every document Verbund writes.
const CategorySecurityAdvisory = "csaf_security_advisory"

// tlpURL defines the TLP labels of CSAF 2.0 (3.2.1.5.2.2).
const tlpURL = "https://www.first.org/tlp/"

// Provider is what every document says about the provider that wrote it.
type Provider struct {
	// BaseURL is the installation's public address, without trailing
	// slash; the documents live under BaseURL/.well-known/csaf/.
	BaseURL string
	// Name and Namespace name the publisher; Namespace defaults to BaseURL.
	Name      string
	Namespace string
	// Category is the publisher category; a national CERT or an alliance
	// office relays what others found: "coordinator" unless set.
	Category       string
	ContactDetails string
	// Engine is the version of Verbund named in the generator; empty
	// leaves it out.
	Engine string
}

// Label returns the TLP 1.0 label CSAF 2.0 writes for t: CLEAR is WHITE,
// AMBER+STRICT is AMBER (CSAF 2.0 predates TLP 2.0); "" for an invalid
// level.
func Label(t policy.TLP) string {
	switch t {
	case policy.Clear:
		return "WHITE"
	case policy.Green:
		return "GREEN"
	case policy.Amber, policy.AmberStrict:
		return "AMBER"
	case policy.Red:
		return "RED"
	}
	return ""
}

// Folder returns the directory of the provider that holds documents of t:
// "white", "green", "amber" or "red".
func Folder(t policy.TLP) string { return strings.ToLower(Label(t)) }

// FileName returns the file name of the document with tracking id, as CSAF
// 2.0 section 5.1 requires: the id in lower case, every character other
// than +, -, a–z and 0–9 replaced by _, and ".json".
func FileName(trackingID string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(trackingID) {
		if r == '+' || r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String() + ".json"
}

// Path returns the path of the document below the site root:
// /.well-known/csaf/<tlp>/<year of the initial release>/<file name>.
func Path(w *warning.Warning) string {
	return fmt.Sprintf("/.well-known/csaf/%s/%d/%s", Folder(w.Marking.TLP), initial(w).Year(), FileName(w.TrackingID))
}

// initial returns the time of the first release of w.
func initial(w *warning.Warning) time.Time {
	if !w.PublishedAt.IsZero() {
		return w.PublishedAt.UTC()
	}
	if len(w.Revisions) > 0 {
		return w.Revisions[0].At.UTC()
	}
	return w.CreatedAt.UTC()
}

// Released returns the current release date of w's document: the newest
// revision's date, or the withdrawal's.
func Released(w *warning.Warning) time.Time {
	if w.State == warning.Withdrawn && !w.WithdrawnAt.IsZero() {
		return w.WithdrawnAt.UTC()
	}
	return w.Changed().UTC()
}

// date writes t as the CSAF date-time: RFC 3339 in UTC, to the second.
func date(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// Withdrawn is the summary of the revision that withdraws a document.
const withdrawnSummary = "Withdrawn"

// FromWarning returns the CSAF document of published or withdrawn warning
// w. Its tracking id is w's tracking id, its revision history w's
// revisions; a withdrawal adds a last revision that says so (CSAF 2.0 knows
// no withdrawn status: the document stays final, and its notes say that it
// was withdrawn and why). A warning that was never published, or names no
// affected product, is Invalid.
func FromWarning(w *warning.Warning, p Provider) (*Document, error) {
	const op = "csaf.FromWarning"
	if w.IsDraft() || len(w.Revisions) == 0 {
		return nil, verbund.E(op, verbund.Invalid, "only published warnings are CSAF documents")
	}
	label := Label(w.Marking.TLP)
	if label == "" {
		return nil, verbund.E(op, verbund.Invalid, "the warning has no valid TLP level")
	}
	c := w.Current()
	if len(c.Products) == 0 {
		// Tests 6.1.27.4 and 6.1.27.6: a security advisory has a product
		// tree, and every vulnerability a product status.
		return nil, verbund.E(op, verbund.Invalid, "a CSAF security advisory names at least one affected product")
	}
	text := c.Original()
	lang := c.Lang
	if lang == "" {
		lang = "en"
	}

	doc := &Document{}
	m := &doc.Document
	m.Category = CategorySecurityAdvisory
	m.CSAFVersion = Version
	m.Lang = lang
	m.Title = text.Title
	m.Distribution = Distribution{TLP: &TLP{Label: label, URL: tlpURL}, Text: distributionText(w.Marking.TLP)}
	m.Publisher = Publisher{Category: p.Category, Name: p.Name, Namespace: p.Namespace, ContactDetails: p.ContactDetails}
	if m.Publisher.Category == "" {
		m.Publisher.Category = "coordinator"
	}
	if m.Publisher.Namespace == "" {
		m.Publisher.Namespace = p.BaseURL
	}

	if text.Summary != "" {
		m.Notes = append(m.Notes, Note{Category: "summary", Title: "Summary", Text: text.Summary})
	}
	if text.Details != "" {
		m.Notes = append(m.Notes, Note{Category: "details", Title: "Details", Text: text.Details})
	}
	if w.State == warning.Withdrawn {
		reason := "This advisory was withdrawn."
		if w.WithdrawReason != "" {
			reason += " Reason: " + w.WithdrawReason
		}
		m.Notes = append(m.Notes, Note{Category: "general", Title: "Withdrawn", Text: reason})
	}

	m.References = append(m.References, Reference{Category: "self", Summary: "The CSAF document", URL: p.BaseURL + Path(w)})
	for _, u := range c.References {
		m.References = append(m.References, Reference{Category: "external", Summary: "Reference", URL: u})
	}

	t := &m.Tracking
	t.ID = w.TrackingID
	t.Status = "final"
	t.InitialReleaseDate = date(initial(w))
	t.CurrentReleaseDate = date(Released(w))
	for _, r := range w.Revisions {
		summary := r.Summary
		if summary == "" {
			summary = "Revision " + strconv.Itoa(r.Number)
		}
		t.RevisionHistory = append(t.RevisionHistory, Revision{Date: date(r.At), Number: strconv.Itoa(r.Number), Summary: summary})
	}
	if w.State == warning.Withdrawn {
		summary := withdrawnSummary
		if w.WithdrawReason != "" {
			summary += ": " + w.WithdrawReason
		}
		t.RevisionHistory = append(t.RevisionHistory, Revision{Date: t.CurrentReleaseDate, Number: strconv.Itoa(len(w.Revisions) + 1), Summary: summary})
	}
	t.Version = t.RevisionHistory[len(t.RevisionHistory)-1].Number
	t.Generator = &Generator{Date: t.CurrentReleaseDate, Engine: Engine{Name: "Verbund", Version: p.Engine}}

	tree, ids := productTree(c.Products)
	doc.ProductTree = tree
	doc.Vulnerabilities = vulnerabilities(&c, text, ids)
	return doc, nil
}

// distributionText says what the TLP label means here; it names the TLP
// 2.0 level where CSAF 2.0 can only write its TLP 1.0 neighbour.
func distributionText(t policy.TLP) string {
	switch t {
	case policy.Clear:
		return "TLP:CLEAR (TLP 2.0). CSAF 2.0 knows the TLP 1.0 labels only and writes it as TLP:WHITE. Disclosure is not limited."
	case policy.AmberStrict:
		return "TLP:AMBER+STRICT (TLP 2.0): only for the recipient organisation, no onward sharing. CSAF 2.0 knows the TLP 1.0 labels only and writes it as TLP:AMBER."
	}
	return t.String() + " (TLP 2.0)."
}

// productTree returns the tree vendor → product_name → product_version
// (or product_version_range where the versions are a range) and the ids
// of the products, in the order given.
func productTree(ps []warning.Product) (*ProductTree, []string) {
	if len(ps) == 0 {
		return nil, nil
	}
	tree := &ProductTree{}
	var ids []string
	vendorAt := map[string]int{}
	for i, p := range ps {
		id := fmt.Sprintf("CSAFPID-%04d", i+1)
		ids = append(ids, id)
		vendor := strings.TrimSpace(p.Vendor)
		if vendor == "" {
			vendor = "Unknown vendor"
		}
		name := strings.TrimSpace(p.Name)
		if name == "" {
			name = "Unknown product"
		}
		full := &FullProductName{Name: vendor + " " + name, ProductID: id}
		if p.CPE != "" || p.PURL != "" {
			full.Helper = &Helper{CPE: p.CPE, PURL: p.PURL}
		}
		product := Branch{Category: "product_name", Name: name}
		if v := strings.TrimSpace(p.Versions); v != "" {
			full.Name += " " + v
			category := "product_version"
			if IsRange(v) {
				category = "product_version_range"
			}
			product.Branches = []Branch{{Category: category, Name: v, Product: full}}
		} else {
			product.Product = full
		}
		at, ok := vendorAt[vendor]
		if !ok {
			at = len(tree.Branches)
			vendorAt[vendor] = at
			tree.Branches = append(tree.Branches, Branch{Category: "vendor", Name: vendor})
		}
		tree.Branches[at].Branches = append(tree.Branches[at].Branches, product)
	}
	return tree, ids
}

// rangeWords are what CSAF 2.0 mandatory test 6.1.31 takes for a version
// range in the name of a product_version.
var rangeWords = []string{"<", ">", "after", "all", "before", "earlier", "later", "prior", "versions"}

// IsRange reports whether versions reads as a range of versions rather
// than one version (CSAF 2.0 test 6.1.31).
func IsRange(versions string) bool {
	v := strings.ToLower(versions)
	for _, w := range rangeWords {
		if strings.Contains(v, w) {
			return true
		}
	}
	return false
}

// vulnerabilities returns one vulnerability per CVE, or one without CVE
// when the warning names none; each affects every product.
func vulnerabilities(c *warning.Content, text warning.Text, ids []string) []Vulnerability {
	base := Vulnerability{}
	desc := text.Summary
	if desc == "" {
		desc = text.Title
	}
	base.Notes = []Note{{Category: "description", Title: "Description", Text: desc}}
	if len(ids) > 0 {
		base.ProductStatus = &ProductStatus{KnownAffected: ids}
		if text.Recommendations != "" {
			base.Remediations = []Remediation{{Category: "mitigation", Details: text.Recommendations, ProductIDs: ids}}
		}
		if s := score(c.CVSS, ids); s != nil {
			base.Scores = []Score{*s}
		}
	}
	if len(c.CVEs) == 0 {
		base.Title = text.Title
		return []Vulnerability{base}
	}
	out := make([]Vulnerability, 0, len(c.CVEs))
	for _, cve := range c.CVEs {
		v := base
		v.CVE = cve
		out = append(out, v)
	}
	return out
}

// score returns the cvss_v3 score of vector for products, nil when the
// vector is empty or not a valid CVSS v3.1 vector.
func score(vector string, products []string) *Score {
	if vector == "" {
		return nil
	}
	v, err := warning.ParseCVSS(vector)
	if err != nil {
		return nil
	}
	s := v.BaseScore()
	return &Score{Products: products, CVSSv3: &CVSSv3{Version: "3.1", VectorString: v.Vector, BaseScore: s, BaseSeverity: strings.ToUpper(string(warning.SeverityOfScore(s)))}}
}

// Marshal returns doc as indented JSON with a final newline, the bytes the
// provider serves, hashes and signs.
func Marshal(doc *Document) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
