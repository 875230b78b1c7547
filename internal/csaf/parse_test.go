package csaf_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/csaf"
	"github.com/verbund/verbund/internal/policy"
)

// A document Verbund wrote reads back into the warning it came from.
func TestParseReadsBackWhatWasWritten(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "vb-2026-0042.json"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := csaf.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	pw := published()
	want := pw.Current()
	got := in.Content
	if in.TLP != policy.Clear || in.TrackingID != "VB-2026-0042" || in.Version != "2" || in.Publisher != "Verbund CERT" {
		t.Errorf("imported %v %s v%s from %s", in.TLP, in.TrackingID, in.Version, in.Publisher)
	}
	if got.Lang != "en" || got.Original().Title != want.Original().Title || got.Original().Summary != want.Original().Summary ||
		got.Original().Recommendations != want.Original().Recommendations || got.Original().Details != want.Original().Details {
		t.Errorf("text = %+v", got.Original())
	}
	if got.CVSS != want.CVSS || got.Severity != "critical" || !slices.Equal(got.CVEs, want.CVEs) || !slices.Equal(got.References, want.References) {
		t.Errorf("content = %+v", got)
	}
	if !slices.Equal(got.Products, want.Products) {
		t.Errorf("products = %+v, want %+v", got.Products, want.Products)
	}
}

func TestParseAmberStrictAndWithdrawn(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "vb-2026-0042-withdrawn.json"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := csaf.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if in.TLP != policy.AmberStrict {
		t.Errorf("TLP = %v, want AMBER+STRICT from the distribution text", in.TLP)
	}
}

func TestParseNamesWhatIsWrong(t *testing.T) {
	for _, c := range []struct{ doc, field string }{
		{`not json`, "document"},
		{`{"document":{"csaf_version":"1.2","title":"x","tracking":{"id":"A-1"}}}`, "document.csaf_version"},
		{`{"document":{"csaf_version":"2.0","title":" ","tracking":{"id":"A-1"}}}`, "document.title"},
		{`{"document":{"csaf_version":"2.0","title":"x","tracking":{"id":""}}}`, "document.tracking.id"},
		{`{"document":{"csaf_version":"2.0","title":"x","tracking":{"id":"A-1"},"distribution":{"tlp":{"label":"PINK"}}}}`, "document.distribution.tlp.label"},
		{`{"document":{}} {}`, "document"},
		{"\xff", "document"},
	} {
		_, err := csaf.Parse([]byte(c.doc))
		if !verbund.IsKind(err, verbund.Invalid) || verbund.ErrorFields(err)[c.field] == "" {
			t.Errorf("Parse(%.40q) = %v, want a problem with %s", c.doc, err, c.field)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"vb-2026-0042.json", "vb-2026-0042-withdrawn.json"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"document":{"csaf_version":"2.0","title":"x","tracking":{"id":"A"}},"product_tree":{"branches":[{"category":"vendor","name":"v","branches":[{"category":"product_name","name":"p","product":{"name":"p","product_id":"1"}}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := csaf.Parse(data)
		if err != nil {
			return
		}
		if in.TrackingID == "" || in.Content.Original().Title == "" || !in.TLP.Valid() {
			t.Errorf("Parse accepted a document without tracking id, title or TLP: %+v", in)
		}
	})
}
