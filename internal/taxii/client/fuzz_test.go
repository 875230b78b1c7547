package client_test

import (
	"encoding/json"
	"testing"

	"github.com/verbund/verbund/internal/taxii/client"
)

// FuzzParse feeds the parsers of a remote's answers arbitrary bytes: none
// may panic, and what one accepts must hold what its resource requires.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"title":"Some TAXII Server","default":"https://example.com/api2/","api_roots":["https://example.com/api1/"]}`,
		`{"title":"Malware Research Group","versions":["application/taxii+json;version=2.1"],"max_content_length":9765625}`,
		`{"collections":[{"id":"91a7b528-80eb-42ed-a74d-c6fbd5a26116","title":"High Value Indicator Collection","can_read":true,"can_write":false}]}`,
		`{"more":true,"next":"abc","objects":[{"type":"indicator","id":"indicator--1"}]}`,
		`{"objects":[{"id":"indicator--1","date_added":"2016-11-01T03:04:05.000Z","version":"2016-11-03T12:30:59.000Z"}]}`,
		`{"id":"2d086da7","status":"complete","total_count":4,"success_count":4,"failure_count":0,"pending_count":0}`,
		`{"title":"Error condition XYZ","http_status":"409","error_code":"x"}`,
		`{"title":"x","http_status":404}`, `{"objects":[{"type":"x"`, `[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, err := client.ParseDiscovery(b); err == nil && d.Title == "" {
			t.Errorf("discovery without title accepted: %q", b)
		}
		if a, err := client.ParseAPIRoot(b); err == nil && len(a.Versions) == 0 {
			t.Errorf("API root without versions accepted: %q", b)
		}
		if cs, err := client.ParseCollections(b); err == nil {
			for _, c := range cs {
				if c.ID == "" {
					t.Errorf("collection without id accepted: %q", b)
				}
			}
		}
		if e, err := client.ParseEnvelope(b); err == nil {
			for _, o := range e.Objects {
				var head struct{ Type, ID string }
				if json.Unmarshal(o, &head) != nil || head.ID == "" || head.Type == "" {
					t.Errorf("object without type or id accepted: %q", o)
				}
			}
		}
		if m, err := client.ParseManifest(b); err == nil {
			for _, r := range m.Objects {
				if r.ID == "" || r.Version == "" {
					t.Errorf("manifest record without id or version accepted: %q", b)
				}
			}
		}
		if s, err := client.ParseStatus(b); err == nil && (s.ID == "" || s.Status != "pending" && s.Status != "complete") {
			t.Errorf("status %+v accepted", s)
		}
		if m, err := client.ParseError(b); err == nil && m.Title == "" {
			t.Errorf("error message without title accepted: %q", b)
		}
	})
}
