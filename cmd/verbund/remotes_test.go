package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The credential key of TAXII remotes comes from --remote-key-file when it
// is given, else from the installation key; a short secret stops the start
// with a message that names the setting.
func TestRemoteKey(t *testing.T) {
	installation := []byte("0123456789abcdef0123456789abcdef")
	def, err := remoteKey(config{}, installation)
	if err != nil || len(def) != 32 {
		t.Fatalf("default key: %d bytes, %v", len(def), err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "remote.key")
	if err := os.WriteFile(good, []byte("a secret of forty-eight bytes, kept outside!!!!!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fromFile, err := remoteKey(config{RemoteKeyFile: good}, installation)
	if err != nil || len(fromFile) != 32 || bytes.Equal(fromFile, def) {
		t.Errorf("key from the file: %x, %v (default %x)", fromFile, err, def)
	}
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("too short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{short, filepath.Join(dir, "missing.key")} {
		if _, err := remoteKey(config{RemoteKeyFile: name}, installation); err == nil || !strings.Contains(err.Error(), "--remote-key-file") {
			t.Errorf("%s: %v", filepath.Base(name), err)
		}
	}
}
