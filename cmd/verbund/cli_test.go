package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The administrative commands on a fresh SQLite database: migrate, list the
// migrations, create the first office admin, verify the audit log.
func TestCommands(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	db := filepath.Join(dir, "verbund.db")
	cmd := func(env map[string]string, stdin string, args ...string) (string, error) {
		t.Helper()
		var out bytes.Buffer
		err := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, io.Discard)
		return out.String(), err
	}

	// Reading commands do not create a database where there is none.
	missing := filepath.Join(dir, "missing", "verbund.db")
	for _, args := range [][]string{{"audit", "verify", "--db", missing}, {"migrate", "--status", "--db", missing}} {
		if _, err := cmd(nil, "", args...); err == nil || !strings.Contains(err.Error(), "no database") {
			t.Errorf("%v on a missing database: %v", args, err)
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a reading command created %s", filepath.Dir(missing))
	}

	if out, err := cmd(nil, "", "migrate", "--db", db); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	if out, err := cmd(nil, "", "migrate", "--status", "--db", db); err != nil || !strings.Contains(out, "0001") || strings.Contains(out, "pending") {
		t.Errorf("migrate --status: %v\n%s", err, out)
	}
	if out, err := cmd(nil, "", "audit", "verify", "--db", db); err != nil || !strings.Contains(out, "empty") {
		t.Errorf("audit verify of an empty log: %v\n%s", err, out)
	}

	env := map[string]string{"VERBUND_DB": db}
	if _, err := cmd(env, "short\n", "admin", "create-user", "--email", "admin@office.example", "--name", "Admin"); err == nil {
		t.Error("create-user accepted a short password")
	}
	out, err := cmd(env, "a long enough passphrase\n", "admin", "create-user", "--email", "admin@office.example", "--name", "Admin")
	if err != nil || !strings.Contains(out, "created office administrator admin@office.example") {
		t.Fatalf("create-user: %v\n%s", err, out)
	}
	if _, err := cmd(env, "a long enough passphrase\n", "admin", "create-user", "--email", "admin@office.example", "--name", "Admin"); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("create-user of an existing address: %v", err)
	}
	out, err = cmd(env, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "audit log intact: 2 entries") {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
	head := strings.TrimSpace(strings.TrimPrefix(strings.Split(out, "\n")[1], "head: "))
	if out, err := cmd(env, "", "audit", "verify", "--anchor", head); err != nil {
		t.Errorf("audit verify --anchor %s: %v\n%s", head, err, out)
	}
	if _, err := cmd(env, "", "audit", "verify", "--anchor", "2:"+strings.Repeat("0", 64)); err == nil {
		t.Error("audit verify accepted an anchor that is not in the chain")
	}
	if _, err := cmd(env, "", "audit", "verify", "--anchor", "9:"+strings.Repeat("0", 64)); err == nil {
		t.Error("audit verify accepted an anchor beyond the end of the log")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"bogus"},
		{"audit"},
		{"admin"},
		{"audit", "verify", "--anchor", "1:abc"},
		{"serve", "--addr", "nonsense"},
		{"migrate", "extra"},
	} {
		err := run(t.Context(), args, func(string) string { return "" }, nil, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("%v: no error", args)
			continue
		}
		if _, usage := err.(usageError); usage != (len(args) < 2 || args[0] != "serve") {
			t.Errorf("%v: %v (usage error: %v)", args, err, usage)
		}
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"version"}, func(string) string { return "" }, nil, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "verbund ") {
		t.Errorf("version: %v %q", err, out.String())
	}
}

// A wrong setting stops the start with a message that names the setting.
func TestStartupErrorsNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve", "--db", "postgres://postgres:secret@127.0.0.1:1/verbund?connect_timeout=2"}, nil, "--db (VERBUND_DB)"},
		{[]string{"serve"}, map[string]string{"VERBUND_DB": "mysql://x"}, "--db (VERBUND_DB)"},
		{[]string{"serve", "--tls-cert", "cert.pem"}, nil, "--tls-cert and --tls-key"},
		{[]string{"serve"}, map[string]string{"VERBUND_SESSION_IDLE": "forever"}, "VERBUND_SESSION_IDLE"},
		{[]string{"serve", "--smtp", "smtp://mail.example:587"}, nil, "--mail-from (VERBUND_MAIL_FROM)"},
		{[]string{"serve", "--log-level", "loud"}, nil, "--log-level (VERBUND_LOG_LEVEL)"},
		{[]string{"serve", "--base-url", "https://verbund.example/sub"}, nil, "--base-url (VERBUND_BASE_URL)"},
		{[]string{"serve", "--trusted-proxies", "10.0.0.0/8,garbage"}, nil, "--trusted-proxies (VERBUND_TRUSTED_PROXIES)"},
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, nil, "--addr (VERBUND_ADDR)"},
		{[]string{"serve"}, map[string]string{"VERBUND_REGIME": "anarchy"}, "--regime (VERBUND_REGIME)"},
		{[]string{"serve", "--activation", "never"}, nil, "--activation (VERBUND_ACTIVATION)"},
		{[]string{"serve", "--countries", "DE,Germany"}, nil, "--countries (VERBUND_COUNTRIES)"},
	} {
		env := map[string]string{"VERBUND_DATA": dir}
		for k, v := range c.env {
			env[k] = v
		}
		var stderr bytes.Buffer
		err := run(t.Context(), c.args, func(k string) string { return env[k] }, nil, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: error %v, want it to name %s", c.args, c.env, err, c.want)
		}
		if strings.Contains(fmt.Sprint(err), "secret") {
			t.Errorf("error leaks a secret: %v", err)
		}
	}
}
