package verbund_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The direction of dependencies is part of the architecture: domain packages
// know nothing of HTTP, SQL or drivers; only cmd/verbund wires storage and
// transports together; the sharing policy depends on nothing of ours but the
// root package.

const module = "github.com/verbund/verbund"

// deps returns the transitive dependencies of pkg (module-relative, "" for
// the root package, or standard-library paths).
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", module+"/"+pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

func TestDomainPackagesStayPure(t *testing.T) {
	domain := []string{"internal/identity", "internal/audit", "internal/mail", "internal/policy", "internal/i18n", "internal/demo",
		"internal/membership", "internal/designation", "internal/sharing", "internal/sharing/stixrelay", "internal/stix",
		"internal/taxii/cti", "internal/warning", "internal/csaf", "internal/incident", "internal/chart", "internal/federation"}
	forbidden := []string{
		"net/http", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx/v5",
		module + "/internal/store", module + "/internal/server", module + "/cmd/verbund",
		// The federation reaches remotes through its Connector, never the
		// TAXII client itself.
		module + "/internal/taxii/client",
	}
	for _, pkg := range domain {
		for _, d := range deps(t, pkg) {
			for _, f := range forbidden {
				// database/sql/driver holds only interfaces; libraries such
				// as uuid implement them, which brings in no SQL.
				if d == "database/sql/driver" {
					continue
				}
				if d == f || strings.HasPrefix(d, f+"/") {
					t.Errorf("%s depends on %s: domain packages must not use HTTP, SQL, drivers, storage or transports", pkg, d)
				}
			}
		}
	}
}

func TestDomainPackagesImportNoSQL(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}",
		module+"/internal/identity", module+"/internal/audit", module+"/internal/mail", module+"/internal/policy", module+"/internal/demo",
		module+"/internal/membership", module+"/internal/designation", module+"/internal/sharing").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, "database/sql") || imp == "net/http" {
				t.Errorf("%s imports %s", f[0], imp)
			}
		}
	}
}

func TestPolicyDependsOnNothingOfOurs(t *testing.T) {
	for _, d := range deps(t, "internal/policy") {
		if strings.HasPrefix(d, module+"/") && d != module+"/internal/policy" {
			t.Errorf("internal/policy depends on %s: the policy may use only the standard library and the root package", d)
		}
		if strings.Contains(d, ".") && !strings.HasPrefix(d, module) && !strings.HasPrefix(d, "vendor/") && !strings.HasPrefix(d, "golang.org/x/") {
			t.Errorf("internal/policy depends on the third-party package %s", d)
		}
	}
}

func TestTransportsDoNotReachIntoStorage(t *testing.T) {
	for _, d := range deps(t, "internal/server") {
		if d == module+"/internal/store" || strings.HasPrefix(d, "modernc.org/sqlite") || strings.HasPrefix(d, "github.com/jackc/pgx") {
			t.Errorf("internal/server depends on %s: transports talk to storage only through domain interfaces", d)
		}
	}
	for _, d := range deps(t, "internal/store") {
		if d == module+"/internal/server" {
			t.Errorf("internal/store depends on internal/server")
		}
	}
}

func TestOnlyCmdWiresStorageAndTransport(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], module+"/cmd/") {
			continue
		}
		if slices.Contains(f[1:], module+"/internal/store") && slices.Contains(f[1:], module+"/internal/server") {
			t.Errorf("%s imports both store and server: only cmd/verbund wires them", f[0])
		}
	}
}
