package stix

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/verbund/verbund"
)

// The golden documents in testdata/ are STIX 2.1 objects written for these
// tests from the rules and examples of the specification. Every file in
// valid/ must parse; every file in invalid/ must fail with exactly the fields
// its .want sidecar lists, one "field<TAB>part of the message" per line.

func TestGoldenValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.json")
	if len(files) == 0 {
		t.Fatal("no golden documents in testdata/valid")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := Parse(raw)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if string(obj.Raw) != string(raw) {
			t.Errorf("%s: Raw is not the input verbatim", f)
		}
	}
}

func TestGoldenInvalid(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.json")
	if len(files) == 0 {
		t.Fatal("no golden documents in testdata/invalid")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sidecar, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".want")
		if err != nil {
			t.Fatalf("%s: no .want sidecar: %v", f, err)
		}
		want := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(sidecar)), "\n") {
			field, msg, _ := strings.Cut(line, "\t")
			want[field] = msg
		}
		_, err = Parse(raw)
		var ve *verbund.Error
		if !errors.As(err, &ve) || ve.Kind != verbund.Invalid {
			t.Errorf("%s: got %v, want an Invalid *verbund.Error", f, err)
			continue
		}
		if !sameKeys(ve.Fields, want) {
			t.Errorf("%s: fields %v, want exactly %v", f, keys(ve.Fields), keys(want))
			continue
		}
		for field, msg := range want {
			if !strings.Contains(ve.Fields[field], msg) {
				t.Errorf("%s: %s: %q does not contain %q", f, field, ve.Fields[field], msg)
			}
		}
	}
}

func sameKeys(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fuzzObjectSeeds are the golden documents, valid and invalid.
func fuzzObjectSeeds() []string {
	var seeds []string
	for _, dir := range []string{"testdata/valid", "testdata/invalid"} {
		files, _ := filepath.Glob(dir + "/*.json")
		for _, f := range files {
			if raw, err := os.ReadFile(f); err == nil {
				seeds = append(seeds, string(raw))
			}
		}
	}
	return seeds
}

func readGolden(name string) (string, error) {
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	return string(raw), err
}
