package membership

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The alliance's colours.
const (
	colourBlue = "#0b4f8a"
	colourGold = "#f2a900"
)

// SVG renders the logo an organisation shows for badge b in year: the
// status name and the year on the alliance's colours, with the
// organisation's name and the badge id for those who look closer. Every
// text is escaped, so a name cannot break out of the markup.
func SVG(b Badge, year int) string {
	name := b.OrgName
	if utf8.RuneCountInString(name) > 40 {
		name = string([]rune(name)[:39]) + "…"
	}
	label := strings.ToUpper(b.Status.Label())
	esc := html.EscapeString
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120" role="img" aria-labelledby="t d">`)
	fmt.Fprintf(&sb, `<title id="t">%s %s %s</title>`, esc(b.Status.Label()), esc(strconv.Itoa(year)), esc(b.OrgName))
	fmt.Fprintf(&sb, `<desc id="d">badge %s</desc>`, esc(b.ID))
	fmt.Fprintf(&sb, `<rect width="240" height="120" rx="10" fill="%s"/>`, colourBlue)
	fmt.Fprintf(&sb, `<rect y="84" width="240" height="36" fill="%s"/>`, colourGold)
	fmt.Fprintf(&sb, `<path d="M24 20 L44 14 L64 20 L64 42 C64 56 54 64 44 68 C34 64 24 56 24 42 Z" fill="%s"/>`, colourGold)
	fmt.Fprintf(&sb, `<text x="80" y="40" font-family="sans-serif" font-size="20" font-weight="bold" fill="#ffffff">%s</text>`, esc(label))
	fmt.Fprintf(&sb, `<text x="80" y="64" font-family="sans-serif" font-size="16" fill="%s">%s</text>`, colourGold, esc(strconv.Itoa(year)))
	fmt.Fprintf(&sb, `<text x="120" y="107" font-family="sans-serif" font-size="12" text-anchor="middle" fill="%s">%s</text>`, colourBlue, esc(name))
	sb.WriteString(`</svg>`)
	return sb.String()
}
