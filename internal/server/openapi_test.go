package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/server"
)

// The OpenAPI document and the registered API routes describe the same
// surface: every route is documented with its method, and every documented
// operation exists.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t)
	raw := server.OpenAPIDocument()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi.json declares OpenAPI %q, want 3.1", doc.OpenAPI)
	}
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	var documented []string
	for path, item := range doc.Paths {
		for key := range item {
			if slices.Contains(methods, key) {
				documented = append(documented, strings.ToUpper(key)+" "+path)
			}
		}
	}
	registered := f.srv.APIRoutes()
	if len(registered) < 5 {
		t.Fatalf("only %d API routes registered: %v", len(registered), registered)
	}
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("openapi.json documents %s, which is not a route", d)
		}
	}
	// Every API route in the route table is one of them.
	for _, r := range f.srv.Routes() {
		if r.API && !slices.Contains(registered, r.Pattern) {
			t.Errorf("API route %s is missing from APIRoutes", r.Pattern)
		}
	}

	// The document served is the one checked here.
	b := f.browser(t)
	r := b.get("/api/v1/openapi.json")
	r.wantStatus(t, http.StatusOK)
	if r.body != string(raw) {
		t.Error("GET /api/v1/openapi.json serves another document than the merged openapi*.json")
	}
}

// Every problem code the services and handlers produce has a documentation
// page, which the type URI of the problem points at.
func TestProblemCodesDocumented(t *testing.T) {
	codeLiteral := regexp.MustCompile(`(?:Code:\s*|bad\(|conflict\(op, )"([a-z0-9-]*[a-z0-9])"`)
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("../identity/*.go")
	membershipFiles, _ := filepath.Glob("../membership/*.go")
	// Codes the membership service builds from a status.
	codes := []string{"already-partner", "already-multiplier", "not-active", "not-suspended"}
	for _, name := range append(append(files, more...), membershipFiles...) {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeLiteral.FindAllStringSubmatch(string(src), -1) {
			codes = append(codes, m[1])
		}
	}
	if len(codes) < 15 {
		t.Fatalf("found only %d problem codes: the pattern no longer matches", len(codes))
	}
	for _, k := range []verbund.Kind{verbund.Internal, verbund.Invalid, verbund.NotFound, verbund.Conflict,
		verbund.Forbidden, verbund.Unauthenticated, verbund.TooManyRequests, verbund.Unavailable} {
		codes = append(codes, k.String())
	}
	documented := server.ProblemCodes()
	f := newFixture(t)
	b := f.browser(t)
	for _, c := range codes {
		if !slices.Contains(documented, c) {
			t.Errorf("problem code %q is not documented in problemDocs", c)
		}
	}
	for _, c := range documented {
		if r := b.get(server.ProblemTypeBase + c); r.status != http.StatusOK {
			t.Errorf("%s%s: %d", server.ProblemTypeBase, c, r.status)
		}
	}
}
