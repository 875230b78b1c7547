package server

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders the Markdown of warnings as HTML that is safe to put on
// a page: goldmark leaves raw HTML out (it is not built WithUnsafe), and
// bluemonday's policy for user content then removes whatever could still
// run or load: scripts, event handlers, styles, javascript: and data: links,
// frames. Links get rel="nofollow noopener" and open no window of their own.
type markdown struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

func newMarkdown() *markdown {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.AllowURLSchemes("http", "https", "mailto")
	return &markdown{md: goldmark.New(goldmark.WithExtensions(extension.GFM)), policy: p}
}

// HTML renders src. A Markdown text that goldmark cannot render is shown as
// escaped plain text.
func (m *markdown) HTML(src string) template.HTML {
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML("<p>" + template.HTMLEscapeString(src) + "</p>")
	}
	return template.HTML(m.policy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised above
}
