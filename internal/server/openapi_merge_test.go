package server

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

func TestOpenAPIFragmentsMerge(t *testing.T) {
	fsys := fstest.MapFS{
		"openapi.json":   {Data: []byte(`{"openapi":"3.1.0","paths":{"/a":{}},"components":{"schemas":{"A":{}}}}`)},
		"openapi.b.json": {Data: []byte(`{"paths":{"/b":{}},"components":{"schemas":{"B":{}},"responses":{"R":{}}}}`)},
	}
	b, err := mergeOpenAPI(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]any
		Components map[string]map[string]any
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths) != 2 || doc.Components["schemas"]["B"] == nil || doc.Components["responses"]["R"] == nil {
		t.Errorf("merged document lacks parts of the fragment: %s", b)
	}
	fsys["openapi.c.json"] = &fstest.MapFile{Data: []byte(`{"paths":{"/a":{}}}`)}
	if _, err := mergeOpenAPI(fsys); err == nil || !strings.Contains(err.Error(), `"/a"`) {
		t.Errorf("a path defined twice: err = %v, want one naming it", err)
	}
	delete(fsys, "openapi.c.json")
	fsys["openapi.d.json"] = &fstest.MapFile{Data: []byte(`{"info":{}}`)}
	if _, err := mergeOpenAPI(fsys); err == nil {
		t.Error("a fragment replacing info was accepted")
	}
}
