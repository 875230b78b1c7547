package taxii

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/taxii/cti"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestCursorRoundTrip(t *testing.T) {
	pos := cti.Position{Seq: 1<<40 + 7, DateAdded: time.Date(2026, 5, 4, 8, 0, 0, 123456000, time.UTC)}
	b := bindingOf("objects", "c", "", "token:t", "match[type]", "indicator")
	next := encodeCursor(testKey, pos, b)
	got, err := decodeCursor(testKey, next, b)
	if err != nil || got != pos {
		t.Fatalf("decodeCursor = %+v, %v; want %+v", got, err, pos)
	}
	for name, tc := range map[string]struct {
		key  []byte
		next string
		b    binding
		want error
	}{
		"another query": {testKey, next, bindingOf("objects", "c", "", "token:t"), errCursorForeign},
		"another key":   {[]byte("another key"), next, b, errCursorInvalid},
		"cut":           {testKey, next[:len(next)-1], b, errCursorInvalid},
		"padded":        {testKey, next + "=", b, errCursorInvalid},
		"empty":         {testKey, "", b, errCursorInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeCursor(tc.key, tc.next, tc.b); err != tc.want {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
	// Parts are length-prefixed: moving a boundary changes the binding.
	if bindingOf("ab", "c") == bindingOf("a", "bc") {
		t.Error("bindings of different parts are equal")
	}
}

// FuzzCursor: a next value from outside never panics, and is accepted only
// if it is one this key made, unchanged.
func FuzzCursor(f *testing.F) {
	b := bindingOf("objects", "c")
	f.Add(encodeCursor(testKey, cti.Position{Seq: 42, DateAdded: time.UnixMicro(1700000000000000)}, b))
	f.Add("")
	f.Add("AAAA")
	f.Add("_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_")
	f.Fuzz(func(t *testing.T, next string) {
		pos, got, err := parseCursor(testKey, next)
		if err != nil {
			return
		}
		if encodeCursor(testKey, pos, got) != next {
			t.Fatalf("accepted %q, which encodes back as %q", next, encodeCursor(testKey, pos, got))
		}
		if pos.Seq < 0 {
			t.Fatalf("negative position %d", pos.Seq)
		}
	})
}

// FuzzEnvelope: any body either is refused with a 400 or 422 error, or
// yields the members of its objects list byte for byte, each valid JSON.
func FuzzEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"objects":[{"type":"malware"},{"type":"indicator"}]}`,
		`{"more":false,"objects":[ 1 , "x" , null ]}`,
		`{"objects":[]}`, `{}`, `[]`, `{"objects":{}}`, `{"objects":null}`, `{"objects":[],"objects":[]}`,
		`{"objects":[{"a":"\u0000"}]} `, `{"objects":[`, "\xff", `{"objects":[{"type":"x"}]}{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		objs, err := parseEnvelope(body)
		if err != nil {
			if s := statusOf(err); s != 400 && s != 422 {
				t.Fatalf("status %d for %q", s, body)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		for _, o := range objs {
			if !json.Valid(o) || !bytes.Contains(body, o) {
				t.Fatalf("member %q is not valid JSON taken from %q", o, body)
			}
		}
	})
}

func TestAcceptable(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                                       true,
		"application/taxii+json;version=2.1":     true,
		"Application/TAXII+JSON; Version=2.1":    true,
		"application/taxii+json;version=\"2.1\"": true,
		"text/html;q=0.9, */*;q=0.8":             true,
		"application/taxii+json;version=2.0":     false,
		"*/*;q=0":                                false,
		"application/taxii+json;q=0.0":           false,
		"application/taxii+json;version=2.1;q=x": false,
		"garbage":                                false,
	} {
		var values []string
		if accept != "" {
			values = []string{accept}
		}
		if got := acceptable(values); got != want {
			t.Errorf("acceptable(%q) = %v, want %v", accept, got, want)
		}
	}
}
