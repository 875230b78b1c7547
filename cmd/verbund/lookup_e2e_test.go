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

// A member's tool asks the demo "do we know these?" and learns of the
// scanning block that contains an address, the phishing domain however it
// is written, and which value it sent is no observable.
func TestLookupOnTheDemo(t *testing.T) {
	base, _ := startServer(t, filepath.Join(t.TempDir(), "lookup.db"))
	b := newBrowser(t, base)
	b.login("admin@stadtwerke-emsland.example", demo.Password).wantPath(t, "/")
	org := jsonPath(b.api(http.MethodGet, "/api/v1/me", "").json, "organisation", "id")
	b.get("/org/" + org + "/tokens")
	tok := b.post("/org/"+org+"/tokens", url.Values{"name": {"SIEM"}, "scopes": {"intel:read"}}).
		find(t, `<code class="secret" id="new-token">(vbd_[^<]+)</code>`)

	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/intel/lookup",
		strings.NewReader(`{"values":["192.0.2.17","Nordsee-Netz-Login.example.","what?"]}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out struct {
		Results []struct {
			Error   string `json:"error"`
			Matches []struct {
				Name, Matched, TLP string
			} `json:"matches"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != http.StatusOK || len(out.Results) != 3 {
		t.Fatalf("lookup: %d %s", resp.StatusCode, body)
	}
	r := out.Results
	if len(r[0].Matches) != 1 || r[0].Matches[0].Matched != "192.0.2.0/24" || r[0].Matches[0].Name != "Scanning network for VPN gateways" {
		t.Errorf("192.0.2.17: %+v", r[0])
	}
	if len(r[1].Matches) != 1 || r[1].Matches[0].Name != "Phishing domain imitating a grid operator" {
		t.Errorf("the phishing domain: %+v", r[1])
	}
	if r[2].Error == "" || len(r[2].Matches) != 0 {
		t.Errorf("what?: %+v", r[2])
	}
}
