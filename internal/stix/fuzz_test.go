package stix

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/verbund/verbund"
)

// FuzzParsePattern checks that the parser never panics, that every error is
// a *PatternError pointing into the input, and that a parsed pattern prints
// a canonical form that parses again to the same form.
func FuzzParsePattern(f *testing.F) {
	for _, tc := range validPatterns {
		f.Add(tc.in)
	}
	for _, tc := range invalidPatterns {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePattern(s)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, not a *PatternError", err, err)
			}
			if pe.Offset < 0 || pe.Offset > len(s) || pe.Line < 1 || pe.Column < 1 {
				t.Fatalf("error position %+v outside the input of %d bytes", pe, len(s))
			}
			return
		}
		out := p.String()
		q, err := ParsePattern(out)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", out, s, err)
		}
		if again := q.String(); again != out {
			t.Fatalf("canonical form is not stable:\n in   %q\n out  %q\n again %q", s, out, again)
		}
		_ = p.Observables()
	})
}

// FuzzParse checks that object parsing never panics and fails only with an
// Invalid *verbund.Error that names at least one field.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzObjectSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		obj, err := Parse(raw)
		if err != nil {
			var ve *verbund.Error
			if !errors.As(err, &ve) || ve.Kind != verbund.Invalid || len(ve.Fields) == 0 {
				t.Fatalf("error %v is not an Invalid *verbund.Error with fields", err)
			}
			return
		}
		if string(obj.Raw) != string(raw) {
			t.Fatal("Raw differs from the input")
		}
		if obj.Type == "" || obj.ID == "" || !strings.HasPrefix(obj.ID, obj.Type+"--") {
			t.Fatalf("accepted object without a consistent type and id: %q %q", obj.Type, obj.ID)
		}
		_, _, _ = TLPOf(obj)
	})
}

// FuzzNormaliseObservable checks that normalisation never panics and is
// idempotent: a normalised value normalises to itself under its own type.
func FuzzNormaliseObservable(f *testing.F) {
	for _, tc := range normaliseCases {
		f.Add(tc.kind, tc.in)
	}
	f.Fuzz(func(t *testing.T, kind, value string) {
		o, err := NormaliseObservable(kind, value)
		if err != nil {
			if !verbund.IsKind(err, verbund.Invalid) {
				t.Fatalf("error %v is not Invalid", err)
			}
			return
		}
		if o.Type == "" || o.Value == "" {
			t.Fatalf("empty observable %+v from %q %q", o, kind, value)
		}
		again, err := NormaliseObservable(o.Type, o.Value)
		if err != nil {
			t.Fatalf("normalised %+v does not normalise again: %v", o, err)
		}
		if again != o {
			t.Fatalf("not idempotent: %+v then %+v", o, again)
		}
		if !utf8.ValidString(o.Value) {
			t.Fatalf("invalid UTF-8 in %+v", o)
		}
	})
}
