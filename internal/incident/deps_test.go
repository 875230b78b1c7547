package incident

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStaysPure keeps the domain free of HTTP, SQL, drivers, storage and
// transports: they depend on it, never the reverse.
func TestStaysPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/verbund/verbund"
	forbidden := []string{"net/http", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx/v5",
		module + "/internal/store", module + "/internal/server", module + "/cmd/verbund"}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list found only %v", deps)
	}
	for _, d := range deps {
		if d == "database/sql/driver" { // interfaces only, which uuid implements
			continue
		}
		for _, f := range forbidden {
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("internal/incident depends on %s", d)
			}
		}
	}
}
