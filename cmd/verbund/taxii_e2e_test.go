package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
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
	// objects returns the names of the objects in the alliance's collection
	// as tok reads them.
	objects := func(tok string) []string {
		status, cols := taxii("/taxii2/api/collections/", tok)
		if status != http.StatusOK {
			t.Fatalf("collections: %d %v", status, cols)
		}
		list, _ := cols["collections"].([]any)
		id := ""
		for _, c := range list {
			if c.(map[string]any)["alias"] == "allianz" {
				id = c.(map[string]any)["id"].(string)
			}
		}
		if id == "" {
			t.Fatalf("the alliance's collection is not listed: %v", cols)
		}
		status, env := taxii("/taxii2/api/collections/"+id+"/objects/", tok)
		if status != http.StatusOK {
			t.Fatalf("objects: %d %v", status, env)
		}
		objs, _ := env["objects"].([]any)
		var names []string
		for _, o := range objs {
			if n, ok := o.(map[string]any)["name"].(string); ok {
				names = append(names, n)
			}
		}
		return names
	}
	if status, d := taxii("/taxii2/", token("admin@stadtwerke-emsland.example")); status != http.StatusOK || d["api_roots"] == nil {
		t.Fatalf("discovery: %d %v", status, d)
	}
	names := objects(token("admin@stadtwerke-emsland.example"))
	for _, want := range []string{"Command-and-control server (Emotet-like loader)", "Phishing domain imitating a grid operator",
		"Ransomware dropper", "Exploit kit landing page", "Scanning network for VPN gateways"} {
		if !slices.Contains(names, want) {
			t.Errorf("a member that accepted the agreement does not read %q: %v", want, names)
		}
	}
	// Kraus has not accepted the current version of the agreement: the
	// collection is TLP:GREEN, so it does not even see the collection.
	status, cols := taxii("/taxii2/api/collections/", token("admin@kraus-logistik.example"))
	if status != http.StatusOK || len(cols) != 0 {
		t.Errorf("a member without the current agreement sees collections: %d %v", status, cols)
	}
}
