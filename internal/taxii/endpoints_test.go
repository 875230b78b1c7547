package taxii_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii"
)

// dateAdded is the form of X-TAXII-Date-Added-* and date_added: UTC with
// microseconds.
var dateAdded = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

func TestDiscoveryAndAPIRoot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAlliance(t, db, taxii.Config{BaseURL: "https://verbund.example", Title: "Allianz", Contact: "office@verbund.example"})
		for _, path := range []string{"/taxii2/", "/taxii2"} {
			r := a.get(path, "energy")
			if r.status != http.StatusOK || r.header.Get("Content-Type") != mediaTAXII {
				t.Fatalf("GET %s: %d %q %s", path, r.status, r.header.Get("Content-Type"), r.body)
			}
			var d struct {
				Title    string   `json:"title"`
				Contact  string   `json:"contact"`
				Default  string   `json:"default"`
				APIRoots []string `json:"api_roots"`
			}
			r.json(t, &d)
			root := "https://verbund.example/taxii2/api/"
			if d.Title != "Allianz" || d.Contact != "office@verbund.example" || d.Default != root || !slices.Equal(d.APIRoots, []string{root}) {
				t.Errorf("discovery = %+v", d)
			}
		}
		r := a.get("/taxii2/api/", "cert")
		var root struct {
			Title    string   `json:"title"`
			Versions []string `json:"versions"`
			Max      int64    `json:"max_content_length"`
		}
		r.json(t, &root)
		if r.status != http.StatusOK || root.Title != "Allianz" || !slices.Equal(root.Versions, []string{mediaTAXII}) || root.Max != 10<<20 {
			t.Errorf("API root: %d %+v", r.status, root)
		}
	})
}

func TestAuthenticationAndNegotiation(t *testing.T) {
	a := newAlliance(t, storetest.SQLite(t), taxii.Config{})
	t.Run("no credentials", func(t *testing.T) {
		for _, path := range []string{"/taxii2/", "/taxii2/api/collections/", objectsPath(a.community)} {
			r := a.get(path, "")
			r.taxiiError(t, http.StatusUnauthorized)
			ch := strings.Join(r.header.Values("WWW-Authenticate"), " | ")
			if !strings.Contains(ch, "Basic realm=") || !strings.Contains(ch, "Bearer realm=") {
				t.Errorf("WWW-Authenticate = %q, want Basic and Bearer challenges", ch)
			}
		}
	})
	t.Run("HTTP Basic with the token as password", func(t *testing.T) {
		r := a.get("/taxii2/api/", "", "Authorization", "Basic "+basic("anyone", a.tokens["cert"]))
		if r.status != http.StatusOK {
			t.Errorf("status %d: %s", r.status, r.body)
		}
	})
	t.Run("accept", func(t *testing.T) {
		for accept, want := range map[string]int{
			mediaTAXII:                            http.StatusOK,
			"application/taxii+json":              http.StatusOK,
			"application/taxii+json; version=2.1": http.StatusOK,
			"application/json, */*;q=0.1":         http.StatusOK,
			"application/*":                       http.StatusOK,
			"application/json":                    http.StatusNotAcceptable,
			"application/taxii+json;version=2.0":  http.StatusNotAcceptable,
			"application/stix+json;version=2.1":   http.StatusNotAcceptable,
			mediaTAXII + ";q=0":                   http.StatusNotAcceptable,
			"text/html, application/xml":          http.StatusNotAcceptable,
		} {
			r := a.get("/taxii2/api/collections/", "energy", "Accept", accept)
			if r.status != want {
				t.Errorf("Accept %q: status %d, want %d", accept, r.status, want)
			}
			if want == http.StatusNotAcceptable {
				r.taxiiError(t, want)
			}
		}
	})
	t.Run("scopes", func(t *testing.T) {
		a.get("/taxii2/api/collections/", "energy-warnings").taxiiError(t, http.StatusForbidden)
		a.get("/taxii2/api/collections/", "energy-write").taxiiError(t, http.StatusForbidden)
		r := a.req("POST", objectsPath(a.community), "energy-read", envelope(malware("malware--"+uuid4(), 1)))
		r.taxiiError(t, http.StatusForbidden)
		if r := a.get("/taxii2/api/collections/", "energy-read"); r.status != http.StatusOK {
			t.Errorf("intel:read lists collections: %d", r.status)
		}
	})
	t.Run("paths and methods", func(t *testing.T) {
		for _, path := range []string{"/taxii2/other/", "/taxii2/api/nothing/", "/taxii2/api/collections/x/objects/y/z/",
			"/taxii2/api//collections/", "/taxii2/api/collections/" + a.community.ID + "/objects/y/versions/x/"} {
			a.get(path, "energy").taxiiError(t, http.StatusNotFound)
		}
		r := a.req("PUT", "/taxii2/api/collections/", "energy", nil)
		r.taxiiError(t, http.StatusMethodNotAllowed)
		if r.header.Get("Allow") != "GET" {
			t.Errorf("Allow = %q", r.header.Get("Allow"))
		}
		if r := a.req("PATCH", objectsPath(a.community), "energy", nil); r.header.Get("Allow") != "GET, POST" {
			t.Errorf("Allow of objects = %q", r.header.Get("Allow"))
		}
	})
}

func TestCollections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAlliance(t, db, taxii.Config{})
		type coll struct {
			ID         string   `json:"id"`
			Title      string   `json:"title"`
			Read       bool     `json:"can_read"`
			Write      bool     `json:"can_write"`
			MediaTypes []string `json:"media_types"`
		}
		list := func(token string) []coll {
			t.Helper()
			r := a.get("/taxii2/api/collections/", token)
			if r.status != http.StatusOK {
				t.Fatalf("collections: %d %s", r.status, r.body)
			}
			var out struct{ Collections []coll }
			r.json(t, &out)
			return out.Collections
		}
		got := list("energy")
		if len(got) != 2 || got[0].Title != "Alliance" || got[1].Title != "Community" {
			t.Fatalf("energy sees %+v", got)
		}
		for _, c := range got {
			if !c.Read || !c.Write || !slices.Equal(c.MediaTypes, []string{"application/stix+json;version=2.1"}) {
				t.Errorf("energy's access to %s: %+v", c.Title, c)
			}
		}
		if got := list("energy-read"); len(got) != 2 || !got[0].Read || got[0].Write {
			t.Errorf("a read-only token: %+v", got)
		}
		// cert is named on Alliance and in the community.
		if got := list("cert"); len(got) != 2 {
			t.Errorf("cert sees %+v", got)
		}
		// late has not signed the agreement: GREEN collections are not for it.
		r := a.get("/taxii2/api/collections/", "late")
		if r.status != http.StatusOK || string(bytes.TrimSpace(r.body)) != "{}" {
			t.Errorf("late: %d %s, want an empty collections resource", r.status, r.body)
		}
		a.get("/taxii2/api/collections/"+a.community.ID+"/", "late").taxiiError(t, http.StatusNotFound)
		a.get(objectsPath(a.community), "late").taxiiError(t, http.StatusNotFound)

		r = a.get("/taxii2/api/collections/"+a.shared.ID+"/", "finance")
		var one coll
		r.json(t, &one)
		if r.status != http.StatusOK || one.ID != a.shared.ID || one.Title != "Alliance" || !one.Read || !one.Write {
			t.Errorf("GET collection: %d %s", r.status, r.body)
		}
		a.get("/taxii2/api/collections/0190f1c2-0000-7000-8000-000000000000/", "finance").taxiiError(t, http.StatusNotFound)
	})
}

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}
