package federation_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The federation is a domain package: it reaches remotes through its
// Connector and storage through its Store, never HTTP or SQL itself.
func TestDependencies(t *testing.T) {
	const module = "github.com/verbund/verbund"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, d := range strings.Fields(string(out)) {
		for _, f := range []string{"net/http", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx/v5",
			module + "/internal/store", module + "/internal/server", module + "/internal/taxii/client", module + "/cmd/verbund"} {
			if d == "database/sql/driver" {
				continue
			}
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("internal/federation depends on %s", d)
			}
		}
	}
}
