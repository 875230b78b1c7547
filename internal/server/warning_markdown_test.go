package server

import (
	"strings"
	"testing"
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
