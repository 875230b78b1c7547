package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

var verb = regexp.MustCompile(`%\[\d+\][a-z]|%[a-z]`)

// Every key must exist in every language, with the same arguments.
func TestCataloguesComplete(t *testing.T) {
	c := MustLoad()
	for _, a := range Languages {
		for _, b := range Languages {
			if a == b {
				continue
			}
			for _, k := range c.Keys(a.Code) {
				other, ok := c.Lookup(b.Code, k)
				if !ok {
					t.Errorf("key %q is in %s but missing in %s", k, a.Code, b.Code)
					continue
				}
				mine, _ := c.Lookup(a.Code, k)
				va, vb := verb.FindAllString(mine, -1), verb.FindAllString(other, -1)
				slices.Sort(va)
				slices.Sort(vb)
				if !slices.Equal(va, vb) {
					t.Errorf("key %q: arguments %v in %s but %v in %s", k, va, a.Code, vb, b.Code)
				}
			}
		}
	}
}

func TestMatch(t *testing.T) {
	c := MustLoad()
	for header, want := range map[string]string{
		"":                        "en",
		"de-DE,de;q=0.9,en;q=0.8": "de",
		"nl-BE":                   "nl",
		"fr-FR,fr;q=0.9":          "en",
		"fr;q=0.9,nl;q=0.8":       "nl",
		"en-GB;q=0.5,de-AT;q=0.9": "de",
		"garbage;;;q=x":           "en",
		"*":                       "en",
	} {
		if got := c.Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestMissingKeyIsVisible(t *testing.T) {
	c := MustLoad()
	if got := c.T("de", "no.such.key"); got != "[no.such.key]" {
		t.Errorf("missing key rendered as %q", got)
	}
	if got := c.For("xx").Lang; got != Default {
		t.Errorf("unsupported language bound as %q", got)
	}
}

func TestAreaCataloguesMerge(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, l := range Languages {
		fsys["locales/"+l.Code+".json"] = &fstest.MapFile{Data: []byte(`{"a":"A ` + l.Code + `"}`)}
		fsys["locales/intel."+l.Code+".json"] = &fstest.MapFile{Data: []byte(`{"b":"B ` + l.Code + `"}`)}
	}
	c, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("nl", "a") + "|" + c.T("nl", "b"); got != "A nl|B nl" {
		t.Errorf("merged nl catalogue gives %q, want %q", got, "A nl|B nl")
	}
	fsys["locales/other.de.json"] = &fstest.MapFile{Data: []byte(`{"b":"again"}`)}
	if _, err := load(fsys); err == nil || !strings.Contains(err.Error(), `"b"`) {
		t.Errorf("a key in two files: err = %v, want one naming the key", err)
	}
}
