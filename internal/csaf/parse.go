package csaf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/warning"
)

// MaxDocumentBytes is the largest CSAF document Parse reads.
const MaxDocumentBytes = 4 << 20

// Imported is what a CSAF document of another provider gives a warning.
type Imported struct {
	// Content is the warning's content in the document's language.
	Content warning.Content
	// TLP is the document's label as a TLP 2.0 level: WHITE is CLEAR. A
	// document without a label is TLP:GREEN — the importer decides who
	// may read it, never wider than the provider allowed — unless it
	// says otherwise.
	TLP policy.TLP
	// TrackingID, Version and Publisher say where the document came from.
	TrackingID string
	Version    string
	Publisher  string
	Status     string
}

// Parse reads a CSAF 2.0 document from another provider. It checks the
// parts a warning needs — CSAF version 2.0, a title, a tracking id, a
// known TLP label — and returns an Invalid error naming the field
// otherwise. Products are read from the product tree: every leaf with its
// vendor, product name and version and its CPE or PURL.
func Parse(data []byte) (Imported, error) {
	const op = "csaf.Parse"
	bad := func(field, msg string) (Imported, error) {
		return Imported{}, verbund.InvalidFields(op, map[string]string{field: msg})
	}
	if len(data) > MaxDocumentBytes {
		return bad("document", fmt.Sprintf("the document is larger than %d bytes", MaxDocumentBytes))
	}
	if !utf8.Valid(data) {
		return bad("document", "the document is not UTF-8")
	}
	var doc Document
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return bad("document", "the document is not CSAF JSON: "+err.Error())
	}
	if dec.More() {
		return bad("document", "the document has more after its end")
	}
	m := &doc.Document
	if m.CSAFVersion != Version {
		return bad("document.csaf_version", fmt.Sprintf("the document is CSAF %q; only CSAF 2.0 is read", m.CSAFVersion))
	}
	if strings.TrimSpace(m.Title) == "" {
		return bad("document.title", "the document has no title")
	}
	if strings.TrimSpace(m.Tracking.ID) == "" {
		return bad("document.tracking.id", "the document has no tracking id")
	}
	var in Imported
	in.TrackingID, in.Version, in.Status = m.Tracking.ID, m.Tracking.Version, m.Tracking.Status
	in.Publisher = m.Publisher.Name
	in.TLP = policy.Green
	if m.Distribution.TLP != nil {
		switch strings.ToUpper(m.Distribution.TLP.Label) {
		case "WHITE":
			in.TLP = policy.Clear
		case "GREEN":
			in.TLP = policy.Green
		case "AMBER":
			in.TLP = policy.Amber
			if strings.Contains(strings.ToUpper(m.Distribution.Text), "AMBER+STRICT") {
				in.TLP = policy.AmberStrict
			}
		case "RED":
			in.TLP = policy.Red
		default:
			return bad("document.distribution.tlp.label", fmt.Sprintf("unknown TLP label %q", m.Distribution.TLP.Label))
		}
	}

	lang := strings.ToLower(m.Lang)
	if i := strings.IndexByte(lang, '-'); i > 0 {
		lang = lang[:i]
	}
	if !slices.Contains(warning.Languages, lang) {
		lang = "en"
	}
	c := &in.Content
	c.Lang = lang
	text := warning.Text{Title: strings.TrimSpace(m.Title)}
	var details []string
	for _, n := range m.Notes {
		switch n.Category {
		case "summary":
			if text.Summary == "" {
				text.Summary = n.Text
				continue
			}
		case "legal_disclaimer", "other":
			continue
		}
		details = append(details, n.Text)
	}
	var recs []string
	for _, v := range doc.Vulnerabilities {
		if v.CVE != "" && warning.ValidCVE(v.CVE) && !slices.Contains(c.CVEs, v.CVE) {
			c.CVEs = append(c.CVEs, v.CVE)
		}
		for _, r := range v.Remediations {
			if d := strings.TrimSpace(r.Details); d != "" && !slices.Contains(recs, d) {
				recs = append(recs, d)
			}
		}
		for _, s := range v.Scores {
			if s.CVSSv3 != nil && c.CVSS == "" {
				if _, err := warning.ParseCVSS(s.CVSSv3.VectorString); err == nil {
					c.CVSS = s.CVSSv3.VectorString
				}
			}
		}
		if text.Summary == "" {
			for _, n := range v.Notes {
				if n.Category == "description" || n.Category == "summary" {
					text.Summary = n.Text
					break
				}
			}
		}
	}
	text.Details = strings.Join(details, "\n\n")
	text.Recommendations = strings.Join(recs, "\n\n")
	c.Texts = map[string]warning.Text{lang: text}
	if c.CVSS != "" {
		score, _ := c.Score()
		c.Severity = warning.SeverityOfScore(score)
	}
	for _, r := range m.References {
		if r.Category == "self" {
			continue
		}
		if u := strings.TrimSpace(r.URL); (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !slices.Contains(c.References, u) {
			c.References = append(c.References, u)
		}
	}
	if doc.ProductTree != nil {
		c.Products = leaves(doc.ProductTree.Branches, warning.Product{}, 0)
	}
	return in, nil
}

// maxDepth bounds the product tree Parse walks; CSAF's branches nest a
// handful of levels, an attacker's could nest thousands.
const maxDepth = 30

// leaves returns the products at the leaves of bs, with what the branches
// above them said.
func leaves(bs []Branch, above warning.Product, depth int) []warning.Product {
	if depth > maxDepth {
		return nil
	}
	var out []warning.Product
	for _, b := range bs {
		p := above
		switch b.Category {
		case "vendor":
			p.Vendor = b.Name
		case "product_name", "product_family":
			if p.Name == "" || b.Category == "product_name" {
				p.Name = b.Name
			}
		case "product_version", "product_version_range":
			p.Versions = b.Name
		}
		if b.Product != nil {
			leaf := p
			if leaf.Name == "" {
				leaf.Name = b.Product.Name
			}
			if h := b.Product.Helper; h != nil {
				leaf.CPE, leaf.PURL = h.CPE, h.PURL
			}
			out = append(out, leaf)
		}
		out = append(out, leaves(b.Branches, p, depth+1)...)
	}
	return out
}
