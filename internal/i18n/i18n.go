// Package i18n holds the UI text of Verbund in German, Dutch and English and
// picks the language for a request.
//
// Catalogues are flat JSON objects, one file per language and area, embedded
// in the binary. Messages with arguments use fmt verbs with explicit indexes
// ("%[1]s") so that a translation may reorder them. A test fails when a key is
// missing in any language or the arguments of a key differ between languages.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Lang is a supported UI language.
type Lang struct {
	Code string // BCP 47: "de", "nl", "en"
	Name string // the language's own name
}

// Languages are the supported UI languages, in the order the switch shows them.
var Languages = []Lang{{"de", "Deutsch"}, {"nl", "Nederlands"}, {"en", "English"}}

// Default is the language used when nothing else matches.
const Default = "en"

//go:embed locales/*.json
var localeFS embed.FS

// Catalog holds every message in every language.
type Catalog struct {
	msgs    map[string]map[string]string // lang → key → message
	matcher language.Matcher
}

// Load reads the embedded catalogues. A language's catalogue is the file
// locales/<lang>.json merged with every locales/<area>.<lang>.json, so that
// each capability keeps its texts in files of its own; a key defined in two
// files is an error.
func Load() (*Catalog, error) { return load(localeFS) }

func load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	tags := make([]language.Tag, len(Languages))
	entries, err := fs.ReadDir(fsys, "locales")
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	for i, l := range Languages {
		merged := map[string]string{}
		from := map[string]string{}
		for _, e := range entries {
			name := e.Name()
			if name != l.Code+".json" && !strings.HasSuffix(name, "."+l.Code+".json") {
				continue
			}
			b, err := fs.ReadFile(fsys, path.Join("locales", name))
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("i18n: locales/%s: %w", name, err)
			}
			for k, v := range m {
				if other, dup := from[k]; dup {
					return nil, fmt.Errorf("i18n: key %q is in locales/%s and locales/%s", k, other, name)
				}
				merged[k], from[k] = v, name
			}
		}
		if len(merged) == 0 {
			return nil, fmt.Errorf("i18n: no catalogue for %s", l.Code)
		}
		c.msgs[l.Code] = merged
		tags[i] = language.MustParse(l.Code)
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// MustLoad is Load for program start-up and tests: the catalogues are part
// of the binary, so failing to read them is a build defect.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Supported reports whether code is a supported language.
func Supported(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Match picks the supported language that fits an Accept-Language header
// best, or Default.
func (c *Catalog) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[idx].Code
}

// Has reports whether key exists in lang.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.msgs[lang][key]
	return ok
}

// T returns the message key in lang, formatted with args. An unknown key
// falls back to English, then to the key itself in brackets, so that a
// missing text is visible rather than blank.
func (c *Catalog) T(lang, key string, args ...any) string {
	msg, ok := c.msgs[lang][key]
	if !ok {
		msg, ok = c.msgs[Default][key]
	}
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Lookup returns the message key in lang without formatting, and whether it
// exists in that language.
func (c *Catalog) Lookup(lang, key string) (string, bool) {
	msg, ok := c.msgs[lang][key]
	return msg, ok
}

// Keys returns the keys of lang in sorted order.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.msgs[lang]))
	for k := range c.msgs[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Localizer is a catalogue bound to one language, for templates and handlers.
type Localizer struct {
	c    *Catalog
	Lang string
}

// For returns the localizer of lang.
func (c *Catalog) For(lang string) Localizer {
	if !Supported(lang) {
		lang = Default
	}
	return Localizer{c: c, Lang: lang}
}

// T translates key with args.
func (l Localizer) T(key string, args ...any) string { return l.c.T(l.Lang, key, args...) }

// Msg translates a message that the domain produced in English (an error
// message or a field problem). Known messages are in the catalogue under
// "msg." followed by the English text; unknown ones are shown as they are.
func (l Localizer) Msg(english string) string {
	if english == "" {
		return ""
	}
	if m, ok := l.c.Lookup(l.Lang, "msg."+english); ok {
		return m
	}
	// Messages with a variable tail ("unknown sector x") translate their
	// fixed head.
	if head, tail, ok := strings.Cut(english, ": "); ok {
		if m, ok := l.c.Lookup(l.Lang, "msg."+head); ok {
			return m + ": " + tail
		}
	}
	return english
}
