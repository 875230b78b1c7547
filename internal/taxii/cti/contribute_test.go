package cti

import (
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/policy"
)

func TestCursorRoundTrip(t *testing.T) {
	c := Cursor{DateAdded: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC), Collection: "0190f1c2-0000-7000-8000-00000000000a"}
	got, err := ParseCursor(c.String())
	if err != nil || got != c {
		t.Fatalf("ParseCursor(%q) = %+v, %v", c.String(), got, err)
	}
	for _, bad := range []string{"x", "1.", ".0190f1c2-0000-7000-8000-00000000000a", "-5.0190f1c2-0000-7000-8000-00000000000a",
		"1.0190F1C2-0000-7000-8000-00000000000A", "99999999999999999999.0190f1c2-0000-7000-8000-00000000000a"} {
		if _, err := ParseCursor(bad); !verbund.IsKind(err, verbund.Invalid) {
			t.Errorf("ParseCursor(%q) = %v; want invalid", bad, err)
		}
	}
}

var community = Collection{ID: "0190f1c2-0000-7000-8000-00000000000a", OwnerOrg: "o-1",
	Default: policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}}

func TestPreviewBundle(t *testing.T) {
	v := &policy.Viewer{OrgID: "o-2"}
	good := `{"type":"malware","spec_version":"2.1","id":"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-03-01T10:00:00.000Z","modified":"2026-03-01T10:00:00.000Z","name":"Loader","is_family":true}`
	amber := `{"type":"malware","spec_version":"2.1","id":"malware--0f6a9f1e-8d1c-4b5e-9f64-1c2b3a4d5e6f","created":"2026-03-01T10:00:00.000Z","modified":"2026-03-01T10:00:00.000Z","name":"Secret","is_family":true,"object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]}`
	pattern := `{"type":"indicator","spec_version":"2.1","id":"indicator--0f6a9f1e-8d1c-4b5e-9f64-1c2b3a4d5e6f","created":"2026-03-01T10:00:00.000Z","modified":"2026-03-01T10:00:00.000Z","pattern":"[ipv4-addr:value = '1.2.3.4' AND]","pattern_type":"stix","valid_from":"2026-03-01T10:00:00Z"}`
	items, err := PreviewBundle(&community, v, []byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[`+good+`,`+amber+`,`+pattern+`,7]}`))
	if err != nil || len(items) != 4 {
		t.Fatalf("PreviewBundle = %d items, %v", len(items), err)
	}
	if items[0].Problem != "" || items[0].Name != "Loader" || items[0].Type != "malware" {
		t.Errorf("good object: %+v", items[0])
	}
	if !strings.Contains(items[1].Problem, "AMBER") || items[1].TLP != "AMBER" {
		t.Errorf("an AMBER object in a community collection: %+v", items[1])
	}
	if !strings.Contains(items[2].Problem, "pattern line 1, column 33") {
		t.Errorf("pattern error without its position: %q", items[2].Problem)
	}
	if items[3].Problem == "" || items[3].Index != 4 {
		t.Errorf("a number as object: %+v", items[3])
	}
	for name, raw := range map[string]string{
		"empty": "  ", "not JSON": "{", "not a bundle": `{"type":"indicator","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[1]}`,
		"no id": `{"type":"bundle","objects":[1]}`, "no objects": `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[]}`,
		"too large": `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":["` + strings.Repeat("x", MaxBundleBytes) + `"]}`,
	} {
		if _, err := PreviewBundle(&community, v, []byte(raw)); verbund.ErrorFields(err)["bundle"] == "" {
			t.Errorf("%s: %v; want a problem with the bundle", name, err)
		}
	}
}

func FuzzParseCursor(f *testing.F) {
	f.Add("1772359200123456.0190f1c2-0000-7000-8000-00000000000a")
	f.Add("")
	f.Add("1.x")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil {
			if !verbund.IsKind(err, verbund.Invalid) {
				t.Fatalf("ParseCursor(%q): %v is not Invalid", s, err)
			}
			return
		}
		if s != "" && c.String() != s {
			t.Fatalf("ParseCursor(%q) reads %+v, which writes %q", s, c, c.String())
		}
	})
}

// Whatever is uploaded, the preview answers with a problem of the bundle or
// one line per object, and an object it accepts is one Add accepts.
func FuzzPreviewBundle(f *testing.F) {
	f.Add([]byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"malware","spec_version":"2.1","id":"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-03-01T10:00:00.000Z","modified":"2026-03-01T10:00:00.000Z","name":"Loader","is_family":true}]}`))
	f.Add([]byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"indicator","pattern":"[x:y = 'a'"}]}`))
	f.Add([]byte(`[]`))
	v := &policy.Viewer{OrgID: "o-2"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		items, err := PreviewBundle(&community, v, raw)
		if err != nil {
			if verbund.ErrorFields(err)["bundle"] == "" {
				t.Fatalf("error without a problem of the bundle: %v", err)
			}
			return
		}
		if len(items) == 0 {
			t.Fatal("a bundle without objects was accepted")
		}
		for i, it := range items {
			if it.Index != i+1 {
				t.Fatalf("item %d has index %d", i, it.Index)
			}
			if it.Problem == "" {
				if _, fail := prepare(it.Raw, &community, v.OrgID, ""); fail != "" {
					t.Fatalf("object %d previewed as good, refused by Add: %s", it.Index, fail)
				}
			}
		}
	})
}
