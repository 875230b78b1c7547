package policy

import (
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The code table in doc.go is what API clients and translators read; it
// must list every code with its step and verdict, and nothing else.
func TestDocListsEveryCode(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^//\t([a-z][a-z0-9-]+)\s+(owner|standing|tlp|audience|legal|office)\s+(yes|no)\s+\S`)
	documented := map[Code]string{}
	for _, m := range row.FindAllStringSubmatch(string(src), -1) {
		documented[Code(m[1])] = m[2] + " " + m[3]
	}
	for _, c := range codeInfo {
		verdict := "no"
		if c.allow {
			verdict = "yes"
		}
		want := c.step.String() + " " + verdict
		got, ok := documented[c.code]
		switch {
		case !ok:
			t.Errorf("code %s is not in the table of doc.go", c.code)
		case got != want:
			t.Errorf("doc.go lists %s as %q, the code says %q", c.code, got, want)
		}
		delete(documented, c.code)
	}
	for c := range documented {
		t.Errorf("doc.go lists %s, which Decide never returns", c)
	}
}

// Every code reads as a sentence that names what it should.
func TestExplain(t *testing.T) {
	for _, c := range codeInfo {
		d := Decision{Allow: c.allow, Step: c.step, Code: c.code, TLP: Amber, Kind: KindIncident, Param: "energy", Via: ViaSector}
		s := d.Explain()
		if strings.Contains(s, "%!") || strings.HasPrefix(s, "allowed (") || strings.HasPrefix(s, "not allowed (") || len(s) < 20 {
			t.Errorf("%s explains as %q", c.code, s)
		}
	}
	for _, tc := range []struct {
		d    Decision
		want string
	}{
		{Decision{Allow: true, Code: CodeShared, Via: ViaSector, Param: "energy", TLP: Amber}, "shared with your sector energy under TLP:AMBER"},
		{Decision{Allow: true, Code: CodeShared, Via: ViaCommunity, TLP: Green}, "shared with the whole community under TLP:GREEN"},
		{Decision{Allow: true, Code: CodeOwner, TLP: Red, Kind: KindIncident}, "your organisation owns this incident (TLP:RED)"},
		{Decision{Code: CodeTokenScope, Param: "intel:read"}, "this API token lacks the scope intel:read"},
		{Decision{Code: CodeDesignationExpired, Param: "isp"}, "this is confidential information, and your organisation's designation as isp has expired"},
		{Decision{Code: CodeAmberStrict, Via: ViaSector, Param: "energy"}, "TLP:AMBER+STRICT goes to named organisations only; being in sector energy is not enough"},
	} {
		if got := tc.d.Explain(); got != tc.want {
			t.Errorf("Explain = %q, want %q", got, tc.want)
		}
	}
	if len(Codes()) != len(codeInfo) {
		t.Error("Codes does not list every code")
	}
}

// The policy must stay free of transports, storage and other domain
// packages: it is the one thing every read path trusts.
func TestDependencies(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := gotoken.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			switch {
			case path == "github.com/verbund/verbund":
			case strings.Contains(first, "."):
				t.Errorf("%s imports %s: policy may import only the standard library and the root package", name, path)
			case path == "net/http" || path == "database/sql" || strings.HasPrefix(path, "net/") || path == "os/exec":
				t.Errorf("%s imports %s: policy is pure and does no I/O", name, path)
			}
		}
	}
}
