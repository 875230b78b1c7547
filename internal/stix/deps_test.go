package stix

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependsOnlyOnStdlibAndRoot keeps the package free of third-party code
// and of other Verbund packages: it is the vocabulary the others share.
func TestDependsOnlyOnStdlibAndRoot(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "github.com/verbund/verbund", "github.com/verbund/verbund/internal/stix":
		default:
			t.Errorf("internal/stix depends on %s; only the standard library and the root package are allowed", dep)
		}
	}
}
