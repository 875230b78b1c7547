package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The operator backs the provider key up and rotates it from the command
// line; the exported key is encrypted with the passphrase.
func TestCSAFKeyExportAndRotate(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "key.db")
	env := func(k string) string {
		if k == "VERBUND_CSAF_KEY_PASSPHRASE" {
			return "a long passphrase"
		}
		return ""
	}
	var out, errs bytes.Buffer
	if err := run(t.Context(), []string{"csaf-key", "export", "--db", dsn}, env, nil, &out, &errs); err == nil || !strings.Contains(err.Error(), "first start") {
		t.Errorf("export before any key: %v", err)
	}
	if err := run(t.Context(), []string{"csaf-key", "rotate", "--db", dsn}, env, nil, &out, &errs); err != nil {
		t.Fatalf("rotate: %v\n%s", err, errs.String())
	}
	fpr := regexp.MustCompile(`key ([0-9A-F]{40});`).FindStringSubmatch(out.String())
	if fpr == nil {
		t.Fatalf("rotate printed %q", out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"csaf-key", "export", "--db", dsn}, env, nil, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "BEGIN PGP PRIVATE KEY BLOCK") {
		t.Errorf("export printed %.80q", out.String())
	}
	first := out.String()
	out.Reset()
	if err := run(t.Context(), []string{"csaf-key", "rotate", "--db", dsn}, env, nil, &out, &errs); err != nil || strings.Contains(out.String(), fpr[1]) {
		t.Errorf("second rotation: %v %q", err, out.String())
	}
	out.Reset()
	_ = run(t.Context(), []string{"csaf-key", "export", "--db", dsn}, env, nil, &out, &errs)
	if out.String() == first {
		t.Error("the rotated key is the old one")
	}
}
