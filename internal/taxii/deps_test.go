package taxii_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The direction of dependencies: cti is a domain package (no HTTP, no SQL,
// no storage), taxii a transport that reaches storage only through cti's
// interfaces.
func TestDependencies(t *testing.T) {
	const module = "github.com/verbund/verbund"
	storage := []string{"database/sql", "modernc.org/sqlite", "github.com/jackc/pgx/v5", module + "/internal/store",
		module + "/internal/server", module + "/cmd/verbund"}
	for pkg, forbidden := range map[string][]string{
		"./cti": append([]string{"net/http", module + "/internal/taxii"}, storage...),
		".":     storage,
	} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Skipf("go list unavailable: %v", err)
		}
		for _, d := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				// database/sql/driver holds interfaces only (uuid implements
				// them); cti may depend on itself.
				if d == "database/sql/driver" || d == module+"/internal/taxii/cti" {
					continue
				}
				if d == f || strings.HasPrefix(d, f+"/") {
					t.Errorf("%s depends on %s", pkg, d)
				}
			}
		}
	}
}
