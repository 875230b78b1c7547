package taxii_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii"
)

// ids returns the ids of the objects of an envelope, in order.
func ids(t testing.TB, r response) []string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var env envelopeResource
	r.json(t, &env)
	out := []string{}
	for _, o := range env.Objects {
		var head struct {
			ID       string `json:"id"`
			Modified string `json:"modified"`
		}
		if err := json.Unmarshal(o, &head); err != nil {
			t.Fatal(err)
		}
		out = append(out, head.ID)
	}
	return out
}

// versionsOf returns id@modified of the objects of an envelope.
func versionsOf(t testing.TB, r response) []string {
	t.Helper()
	var env envelopeResource
	r.json(t, &env)
	var out []string
	for _, o := range env.Objects {
		var head struct{ ID, Modified string }
		_ = json.Unmarshal(o, &head)
		out = append(out, head.ID+"@"+head.Modified)
	}
	return out
}

func TestObjects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAlliance(t, db, taxii.Config{})
		ind1, ind2, mal := "indicator--"+uuid4(), "indicator--"+uuid4(), "malware--"+uuid4()
		// Written with unusual spacing and escapes, to see it come back
		// byte for byte.
		odd := strings.Replace(indicator(ind2, 1, "", "198.51.100.2"), `"name":"bad address"`, "\"name\" :  \"b\\u0061d <address>\"", 1)
		st := a.post(a.community, "energy", indicator(ind1, 1, "", "198.51.100.1"), odd, malware(mal, 1))
		if st.Status != "complete" || st.TotalCount != 3 || st.SuccessCount != 3 || st.FailureCount != 0 ||
			st.PendingCount == nil || *st.PendingCount != 0 || len(st.Successes) != 3 {
			t.Fatalf("status %+v", st)
		}
		if s := st.Successes[0]; s.ID != ind1 || s.Version != stixTime(1) {
			t.Errorf("success entry %+v, want %s at %s", s, ind1, stixTime(1))
		}

		t.Run("status", func(t *testing.T) {
			r := a.get("/taxii2/api/status/"+st.ID+"/", "energy")
			var got statusResource
			r.json(t, &got)
			if r.status != http.StatusOK || got.ID != st.ID || got.SuccessCount != 3 || got.Request != st.Request {
				t.Errorf("GET status: %d %s", r.status, r.body)
			}
			if r := a.get("/taxii2/api/status/"+st.ID+"/", "energy-write"); r.status != http.StatusOK {
				t.Errorf("a write-only token cannot read the status of its addition: %d", r.status)
			}
			a.get("/taxii2/api/status/"+st.ID+"/", "cert").taxiiError(t, http.StatusNotFound)
			a.get("/taxii2/api/status/nothing/", "energy").taxiiError(t, http.StatusNotFound)
		})

		t.Run("get objects", func(t *testing.T) {
			r := a.get(objectsPath(a.community), "cert")
			if got := ids(t, r); !slices.Equal(got, []string{ind1, ind2, mal}) {
				t.Fatalf("objects = %v", got)
			}
			if r.header.Get("Content-Type") != mediaTAXII {
				t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
			}
			if !bytes.Contains(r.body, []byte(odd)) {
				t.Errorf("the object is not returned byte for byte:\n%s\nin\n%s", odd, r.body)
			}
			first, last := r.header.Get("X-TAXII-Date-Added-First"), r.header.Get("X-TAXII-Date-Added-Last")
			if !dateAdded.MatchString(first) || !dateAdded.MatchString(last) || first >= last {
				t.Errorf("X-TAXII-Date-Added-First %q, -Last %q", first, last)
			}
			var env map[string]any
			r.json(t, &env)
			if _, ok := env["more"]; ok {
				t.Errorf("a complete listing carries more: %v", env["more"])
			}
		})

		t.Run("manifest", func(t *testing.T) {
			r := a.get("/taxii2/api/collections/"+a.community.ID+"/manifest/", "finance")
			var m struct {
				Objects []struct{ ID, DateAdded, Version, MediaType string } `json:"objects"`
			}
			if err := json.Unmarshal(bytes.ReplaceAll(bytes.ReplaceAll(r.body, []byte("date_added"), []byte("DateAdded")),
				[]byte("media_type"), []byte("MediaType")), &m); err != nil || r.status != http.StatusOK {
				t.Fatalf("manifest: %d %s", r.status, r.body)
			}
			if len(m.Objects) != 3 || m.Objects[0].ID != ind1 || m.Objects[0].Version != stixTime(1) ||
				m.Objects[0].MediaType != "application/stix+json;version=2.1" || !dateAdded.MatchString(m.Objects[2].DateAdded) {
				t.Errorf("manifest = %+v", m.Objects)
			}
			if r.header.Get("X-TAXII-Date-Added-Last") != m.Objects[2].DateAdded {
				t.Errorf("X-TAXII-Date-Added-Last %q, last date_added %q", r.header.Get("X-TAXII-Date-Added-Last"), m.Objects[2].DateAdded)
			}
		})

		// Two more versions of ind1: the newest, and one older than it that
		// arrives last.
		a.post(a.community, "energy", indicator(ind1, 5, "", "198.51.100.1"))
		a.post(a.community, "energy", indicator(ind1, 3, "", "198.51.100.1"))
		objs := objectsPath(a.community)
		q := func(params string) string { return objs + "?" + params }

		t.Run("versions", func(t *testing.T) {
			for params, want := range map[string][]string{
				"":                                    {ind2 + "@" + stixTime(1), mal + "@" + stixTime(1), ind1 + "@" + stixTime(5)},
				"match[version]=last":                 {ind2 + "@" + stixTime(1), mal + "@" + stixTime(1), ind1 + "@" + stixTime(5)},
				"match[version]=first":                {ind1 + "@" + stixTime(1), ind2 + "@" + stixTime(1), mal + "@" + stixTime(1)},
				"match[version]=all":                  {ind1 + "@" + stixTime(1), ind2 + "@" + stixTime(1), mal + "@" + stixTime(1), ind1 + "@" + stixTime(5), ind1 + "@" + stixTime(3)},
				"match[version]=" + stixTime(3):       {ind1 + "@" + stixTime(3)},
				"match[version]=first," + stixTime(3): {ind1 + "@" + stixTime(1), ind2 + "@" + stixTime(1), mal + "@" + stixTime(1), ind1 + "@" + stixTime(3)},
				"match[id]=" + ind1 + "&match[version]=all":                   {ind1 + "@" + stixTime(1), ind1 + "@" + stixTime(5), ind1 + "@" + stixTime(3)},
				"match[type]=malware":                                         {mal + "@" + stixTime(1)},
				"match[type]=malware,indicator&match[id]=" + mal + "," + ind2: {ind2 + "@" + stixTime(1), mal + "@" + stixTime(1)},
				"match[spec_version]=2.1":                                     {ind2 + "@" + stixTime(1), mal + "@" + stixTime(1), ind1 + "@" + stixTime(5)},
				"match[spec_version]=2.0":                                     nil,
				"match[type]=report":                                          nil,
			} {
				r := a.get(q(params), "cert")
				if got := versionsOf(t, r); !slices.Equal(got, want) {
					t.Errorf("%s: %v\nwant %v", params, got, want)
				}
			}
		})

		t.Run("added_after", func(t *testing.T) {
			r := a.get(q("match[version]=all"), "cert")
			second := ""
			var env envelopeResource
			r.json(t, &env)
			if len(env.Objects) != 5 {
				t.Fatalf("%d objects", len(env.Objects))
			}
			// date_added of the second object, from the manifest.
			m := a.get("/taxii2/api/collections/"+a.community.ID+"/manifest/?match[version]=all", "cert")
			var man struct {
				Objects []map[string]string `json:"objects"`
			}
			m.json(t, &man)
			second = man.Objects[1]["date_added"]
			got := versionsOf(t, a.get(q("match[version]=all&added_after="+url.QueryEscape(second)), "cert"))
			want := []string{mal + "@" + stixTime(1), ind1 + "@" + stixTime(5), ind1 + "@" + stixTime(3)}
			if !slices.Equal(got, want) {
				t.Errorf("added_after the second: %v, want %v", got, want)
			}
			r = a.get(q("added_after=2999-01-01T00:00:00Z"), "cert")
			if r.status != http.StatusOK || string(bytes.TrimSpace(r.body)) != "{}" || r.header.Get("X-TAXII-Date-Added-First") != "" {
				t.Errorf("nothing added after: %d %s %v", r.status, r.body, r.header)
			}
		})

		t.Run("one object", func(t *testing.T) {
			one := objs + ind1 + "/"
			if got := versionsOf(t, a.get(one, "finance")); !slices.Equal(got, []string{ind1 + "@" + stixTime(5)}) {
				t.Errorf("GET object: %v", got)
			}
			if got := versionsOf(t, a.get(one+"?match[version]=all", "finance")); len(got) != 3 {
				t.Errorf("GET object, all versions: %v", got)
			}
			r := a.get(one+"versions/", "finance")
			var vs struct {
				More     bool     `json:"more"`
				Versions []string `json:"versions"`
			}
			r.json(t, &vs)
			// In the order the versions were added.
			if r.status != http.StatusOK || !slices.Equal(vs.Versions, []string{stixTime(1), stixTime(5), stixTime(3)}) || vs.More {
				t.Errorf("versions: %d %s", r.status, r.body)
			}
			if r.header.Get("X-TAXII-Date-Added-First") == "" {
				t.Error("versions without X-TAXII-Date-Added-First")
			}
			a.get(objs+"indicator--"+uuid4()+"/", "finance").taxiiError(t, http.StatusNotFound)
			a.get(objs+"indicator--"+uuid4()+"/versions/", "finance").taxiiError(t, http.StatusNotFound)
			a.get(one+"?match[type]=indicator", "finance").taxiiError(t, http.StatusBadRequest)
		})

		t.Run("delete", func(t *testing.T) {
			one := objs + ind1 + "/"
			lookup := func() []string {
				vs, err := a.svc.Lookup(t.Context(), a.officeAdmin, a.viewerOf(a.officeAdmin), stix.Observable{Type: "ipv4-addr", Value: "198.51.100.1"})
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, v := range vs {
					out = append(out, v.ID+"@"+v.Version.Format("2006-01-02T15:04:05.000Z"))
				}
				return out
			}
			if got := lookup(); !slices.Equal(got, []string{ind1 + "@" + stixTime(5)}) {
				t.Errorf("lookup of the address = %v, want the newest version of %s", got, ind1)
			}
			// cert neither added ind1 nor owns the collection.
			a.req("DELETE", one, "cert", nil).taxiiError(t, http.StatusForbidden)
			a.req("DELETE", one, "energy-read", nil).taxiiError(t, http.StatusForbidden)
			r := a.req("DELETE", one+"?match[version]=first", "energy", nil)
			if r.status != http.StatusOK || len(r.body) != 0 {
				t.Fatalf("DELETE first version: %d %s", r.status, r.body)
			}
			if got := versionsOf(t, a.get(one+"?match[version]=all", "finance")); len(got) != 2 {
				t.Errorf("after deleting the first version: %v", got)
			}
			// The office owns the collection and may delete what others added.
			if r := a.req("DELETE", one, "office", nil); r.status != http.StatusOK {
				t.Fatalf("DELETE by the collection's owner: %d %s", r.status, r.body)
			}
			a.get(one, "finance").taxiiError(t, http.StatusNotFound)
			a.req("DELETE", one, "office", nil).taxiiError(t, http.StatusNotFound)
			// The observable index forgets the object.
			if got := lookup(); len(got) != 0 {
				t.Errorf("lookup finds a deleted object: %v", got)
			}
		})
	})
}
