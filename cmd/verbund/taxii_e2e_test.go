package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/demo"
)

// A TAXII client with an organisation's token reads the demo's collection
// and gets exactly what the sharing policy lets that organisation see: a
// member that accepted the current agreement gets every indicator; one that
// has not does not even see the TLP:GREEN collection.
func TestTAXIIOnTheDemo(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "taxii.db"))
	token := func(admin string) string {
		b := newBrowser(t, base)
		b.login(admin, demo.Password).wantPath(t, "/")
		me := b.api(http.MethodGet, "/api/v1/me", "")
		org := jsonPath(me.json, "organisation", "id")
		b.get("/org/" + org + "/tokens")
		r := b.post("/org/"+org+"/tokens", url.Values{"name": {"TAXII client"}, "scopes": {"intel:read"}})
		return r.find(t, `<code class="secret" id="new-token">(vbd_[^<]+)</code>`)
	}
	taxii := func(path, tok string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Accept", "application/taxii+json;version=2.1")
		if tok != "" {
			req.SetBasicAuth("client", tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/taxii+json") && !strings.HasPrefix(ct, "application/stix+json") {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		return resp.StatusCode, m
	}
	if status, _ := taxii("/taxii2/", ""); status != http.StatusUnauthorized {
		t.Fatalf("discovery without a token: %d, want 401", status)
	}
	objects := func(tok string) int {
		status, cols := taxii("/taxii2/api/collections/", tok)
		if status != http.StatusOK {
			t.Fatalf("collections: %d %v", status, cols)
		}
		list, _ := cols["collections"].([]any)
		var id string
		for _, c := range list {
			if c.(map[string]any)["title"] == "Indikatoren der Allianz" {
				id, _ = c.(map[string]any)["id"].(string)
			}
		}
		if id == "" {
			t.Fatalf("collections: %v (status %d)", cols, status)
		}
		status, env := taxii("/taxii2/api/collections/"+id+"/objects/?match[type]=indicator", tok)
		if status != http.StatusOK {
			t.Fatalf("objects: %d %v", status, env)
		}
		objs, _ := env["objects"].([]any)
		n := 0
		for _, o := range objs {
			if o.(map[string]any)["created_by_ref"] != nil && o.(map[string]any)["name"] != "Fake update server of the loader" {
				n++
			}
		}
		return n
	}
	if status, d := taxii("/taxii2/", token("admin@stadtwerke-emsland.example")); status != http.StatusOK || d["api_roots"] == nil {
		t.Fatalf("discovery: %d %v", status, d)
	}
	if n := objects(token("admin@stadtwerke-emsland.example")); n != 5 {
		t.Errorf("a member that accepted the agreement reads %d indicators, want 5", n)
	}
	// Kraus has not accepted the current version of the agreement: the
	// collection is TLP:GREEN, so it does not even see the collection.
	status, cols := taxii("/taxii2/api/collections/", token("admin@kraus-logistik.example"))
	if status != http.StatusOK || len(cols) != 0 {
		t.Errorf("a member without the current agreement sees collections: %d %v", status, cols)
	}
}
