package incident

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependsOnlyOnStdlibAndRoot keeps the domain free of storage, HTTP and
// third-party code.
func TestDependsOnlyOnStdlibAndRoot(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "github.com/verbund/verbund", "github.com/verbund/verbund/internal/incident", "github.com/verbund/verbund/internal/stix", "github.com/verbund/verbund/internal/policy":
		default:
			t.Errorf("internal/incident depends on %s; only the standard library, the root package, the STIX vocabulary and the policy are allowed", dep)
		}
	}
}
