package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/policy"
)

// Scripts and unsafe HTML in a warning's Markdown never reach the page.
func TestMarkdownNeutralisesScripts(t *testing.T) {
	md := newMarkdown()
	for _, tc := range []struct{ in, keep string }{
		{"## Details\n\nUpdate **now**.", "<strong>now</strong>"},
		{"<script>alert(1)</script>\n\ntext", "text"},
		{"[click](javascript:alert(1))", "click"},
		{`<img src=x onerror="alert(1)">`, ""},
		{`<a href="https://x.example" onclick="alert(1)">x</a>`, ""},
		{"[ok](https://vendor.example/advisory)", `href="https://vendor.example/advisory"`},
		{"<iframe src=\"https://evil.example\"></iframe>", ""},
		{"<style>body{display:none}</style>", ""},
		{"![x](data:image/svg+xml;base64,PHN2Zz4=)", ""},
		{"| a | b |\n|---|---|\n| 1 | 2 |", "<table>"},
	} {
		out := string(md.HTML(tc.in))
		low := strings.ToLower(out)
		for _, bad := range []string{"<script", "javascript:", "onerror", "onclick", "<iframe", "<style", "data:image"} {
			if strings.Contains(low, bad) {
				t.Errorf("%q renders as %q, which contains %s", tc.in, out, bad)
			}
		}
		if !strings.Contains(out, tc.keep) {
			t.Errorf("%q renders as %q, want it to keep %q", tc.in, out, tc.keep)
		}
	}
}

func FuzzMarkdown(f *testing.F) {
	f.Add("# t\n<script>x</script>[a](javascript:b)")
	f.Add(`<a href="java&#x09;script:alert(1)">x</a>`)
	md := newMarkdown()
	f.Fuzz(func(t *testing.T, s string) {
		out := strings.ToLower(string(md.HTML(s)))
		for _, bad := range []string{"<script", "<iframe", "<style", " onerror=", " onload=", "href=\"javascript:"} {
			if strings.Contains(out, bad) {
				t.Errorf("%q renders as %q", s, out)
			}
		}
	})
}

// The authoring form's parser takes whatever a browser sends.
func FuzzWarningForm(f *testing.F) {
	f.Add("Acme | PLC | < 2 | cpe:2.3:o:acme:plc:*:*:*:*:*:*:*:* | pkg:generic/acme/plc@1", "CVE-2026-1, CVE-2026-2", "AMBER", "https://x.example\n")
	f.Add("|||||", ",,,", "white", "")
	f.Fuzz(func(t *testing.T, products, cves, tlp, refs string) {
		r := httptest.NewRequest(http.MethodPost, "/warnings", nil)
		r.PostForm = url.Values{"products": {products}, "cves": {cves}, "tlp": {tlp}, "references": {refs}, "lang": {"en"}}
		in, bad := inputOf(r)
		if _, err := policy.ParseTLP(tlp); (err != nil) != (bad["tlp"] != "") {
			t.Errorf("tlp %q: problems %v", tlp, bad)
		}
		for _, p := range in.Content.Products {
			if strings.Contains(p.Vendor, "|") || strings.Contains(p.Name, "|") {
				t.Errorf("product %+v keeps a separator", p)
			}
		}
		for _, id := range in.Content.CVEs {
			if id == "" || strings.ContainsAny(id, ",\n") {
				t.Errorf("CVE %q not split", id)
			}
		}
	})
}
