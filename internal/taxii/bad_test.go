package taxii_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii"
	"github.com/verbund/verbund/internal/taxii/cti"
)

func TestBadRequests(t *testing.T) {
	a := newAlliance(t, storetest.SQLite(t), taxii.Config{MaxContentLength: 4096})
	objs := objectsPath(a.community)
	good := envelope(malware("malware--"+uuid4(), 1))

	t.Run("body", func(t *testing.T) {
		for name, tc := range map[string]struct {
			body   string
			status int
			code   string
		}{
			"malformed JSON":     {`{"objects": [`, http.StatusBadRequest, "malformed-json"},
			"not JSON":           {`objects`, http.StatusBadRequest, "malformed-json"},
			"a list":             {`[{"type":"malware"}]`, http.StatusUnprocessableEntity, "not-an-envelope"},
			"objects not a list": {`{"objects": {"type":"malware"}}`, http.StatusUnprocessableEntity, "not-an-envelope"},
			"objects null":       {`{"objects": null}`, http.StatusUnprocessableEntity, "not-an-envelope"},
			"objects twice":      {`{"objects": [], "objects": []}`, http.StatusUnprocessableEntity, "not-an-envelope"},
		} {
			t.Run(name, func(t *testing.T) {
				m := a.req("POST", objs, "energy", []byte(tc.body)).taxiiError(t, tc.status)
				if m["error_code"] != tc.code {
					t.Errorf("error_code %v, want %s", m["error_code"], tc.code)
				}
			})
		}
	})

	t.Run("media type", func(t *testing.T) {
		for _, ct := range []string{"application/json", "application/stix+json;version=2.1", "application/taxii+json;version=2.0", "text/plain"} {
			a.req("POST", objs, "energy", good, "Content-Type", ct).taxiiError(t, http.StatusUnsupportedMediaType)
		}
		a.req("POST", objs, "energy", good, "Content-Type", "").taxiiError(t, http.StatusUnsupportedMediaType)
		if r := a.req("POST", objs, "energy", good, "Content-Type", "application/taxii+json"); r.status != http.StatusAccepted {
			t.Errorf("without version: %d %s", r.status, r.body)
		}
	})

	t.Run("too large", func(t *testing.T) {
		var many []string
		for range 40 {
			many = append(many, malware("malware--"+uuid4(), 1))
		}
		big := envelope(many...)
		m := a.req("POST", objs, "energy", big).taxiiError(t, http.StatusRequestEntityTooLarge)
		if m["error_code"] != "body-too-large" {
			t.Errorf("error_code %v", m["error_code"])
		}
		// Without Content-Length, the body is cut while it is read.
		r := httptest.NewRequestWithContext(t.Context(), "POST", objs, struct{ *bytes.Reader }{bytes.NewReader(big)})
		r.ContentLength = -1
		r.Header.Set("Accept", mediaTAXII)
		r.Header.Set("Content-Type", mediaTAXII)
		r.Header.Set("Authorization", "Bearer "+a.tokens["energy"])
		w := httptest.NewRecorder()
		a.h.ServeHTTP(w, r)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked: status %d", w.Code)
		}
		if got := ids(t, a.get(objs+"?match[id]="+strings.Join(idsIn(many[:3]), ","), "cert")); len(got) != 0 {
			t.Errorf("a refused envelope stored %v", got)
		}
	})

	t.Run("too many objects", func(t *testing.T) {
		b := *a
		b.t, b.h = t, taxii.New(taxii.Config{MaxObjects: 3}, a.deps)
		m := b.req("POST", objs, "energy", []byte(`{"objects":[1,2,3,4]}`)).taxiiError(t, http.StatusRequestEntityTooLarge)
		if m["error_code"] != "too-many-objects" {
			t.Errorf("error_code %v", m["error_code"])
		}
		if r := b.req("POST", objs, "energy", []byte(`{"objects":[1,2,3]}`)); r.status != http.StatusAccepted {
			t.Errorf("three objects: %d", r.status)
		}
	})

	t.Run("parameters", func(t *testing.T) {
		for _, q := range []string{
			"match[id]=foo", "match[id]=indicator--123", "match[id]=,", "match[type]=Indicator", "match[type]=a--b",
			"match[version]=yesterday", "match[version]=2026-05-04T08:00:00", "match[version]=2026-13-04T08:00:00Z",
			"match[spec_version]=two", "added_after=2026-05-04", "added_after=2026-05-04T08:00:00+02:00",
			"limit=0", "limit=-1", "limit=ten", "next=", "next=x",
			"match[foo]=bar", "match[relationship_type]=uses",
			"match[type]=malware&match[type]=indicator", "limit=1&limit=2", "match[type]=malware,,indicator", "%zz",
		} {
			m := a.get(objs+"?"+q, "cert").taxiiError(t, http.StatusBadRequest)
			if strings.HasPrefix(q, "match[foo]") && (m["error_code"] != "match-field-unsupported" || m["details"] == nil) {
				t.Errorf("%s: %v", q, m)
			}
		}
		// Parameters TAXII does not define are ignored, as HTTP allows.
		if r := a.get(objs+"?cache=1&match[type]=malware", "cert"); r.status != http.StatusOK {
			t.Errorf("an unknown parameter: %d", r.status)
		}
		// Endpoints take the match fields TAXII gives them.
		a.get("/taxii2/api/collections/"+a.community.ID+"/objects/malware--"+uuid4()+"/versions/?match[version]=all", "cert").
			taxiiError(t, http.StatusBadRequest)
	})

	t.Run("collections the viewer may not write", func(t *testing.T) {
		m := a.req("POST", objs, "energy-read", good).taxiiError(t, http.StatusForbidden)
		if m["error_code"] != "token-scope-missing" {
			t.Errorf("error_code %v", m["error_code"])
		}
		// late has not signed: the collection is not there for it.
		a.req("POST", objs, "late", good).taxiiError(t, http.StatusNotFound)
		// A collection of the office that members read but do not add to.
		news, err := a.svc.CreateCollection(t.Context(), a.officeAdmin, cti.NewCollection{Title: "News", OwnerOrg: a.office.ID,
			Default: policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}})
		if err != nil {
			t.Fatal(err)
		}
		m = a.req("POST", objectsPath(news), "energy", good).taxiiError(t, http.StatusForbidden)
		if m["error_code"] != "collection-not-writable" {
			t.Errorf("error_code %v", m["error_code"])
		}
		if r := a.req("POST", objectsPath(news), "office", good); r.status != http.StatusAccepted {
			t.Errorf("the owner adds to its collection: %d %s", r.status, r.body)
		}
		// A member's own collection, TLP:AMBER+STRICT to itself: others do
		// not see it at all.
		own, err := a.svc.CreateCollection(t.Context(), a.officeAdmin, cti.NewCollection{Title: "Own", OwnerOrg: a.cert.ID,
			Default: policy.Marking{TLP: policy.AmberStrict, Audience: policy.Audience{Orgs: []string{a.cert.ID}}}})
		if err != nil {
			t.Fatal(err)
		}
		a.req("POST", objectsPath(own), "energy", good).taxiiError(t, http.StatusNotFound)
		if r := a.req("POST", objectsPath(own), "cert", good); r.status != http.StatusAccepted {
			t.Errorf("cert adds to its own collection: %d %s", r.status, r.body)
		}
	})
}

// idsIn returns the ids of STIX objects written as JSON.
func idsIn(objs []string) []string {
	var out []string
	for _, o := range objs {
		s, err := stix.Parse([]byte(o))
		if err == nil {
			out = append(out, s.ID)
		}
	}
	return out
}

// An envelope with some bad objects: the good ones are stored, each bad one
// is listed with why.
func TestPartialSuccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAlliance(t, db, taxii.Config{})
		ok1, ok2, dup := "indicator--"+uuid4(), "malware--"+uuid4(), "malware--"+uuid4()
		a.post(a.community, "energy", malware(dup, 1))
		noPattern := strings.Replace(indicator("indicator--"+uuid4(), 1, "", "192.0.2.1"), `"pattern":"[ipv4-addr:value = '192.0.2.1']",`, "", 1)
		badPattern := indicator("indicator--"+uuid4(), 1, "", "192.0.2.1' AND")
		amber := indicator("indicator--"+uuid4(), 1, stix.TLP2Amber, "192.0.2.2")
		conflicting := strings.Replace(indicator("indicator--"+uuid4(), 1, stix.TLP2Green, "192.0.2.3"),
			`"]}`, `","`+stix.TLP2Red+`"]}`, 1)
		changed := strings.Replace(malware(dup, 1), "Emotet", "Emotet changed", 1)
		st := a.post(a.community, "energy",
			indicator(ok1, 1, "", "192.0.2.9"),
			noPattern,
			`{"type":"bundle","id":"bundle--`+uuid4()+`","objects":[]}`,
			`42`,
			badPattern,
			amber,
			conflicting,
			changed,
			`{"type":"malware","spec_version":"2.0","id":"malware--`+uuid4()+`","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","name":"x","is_family":true}`,
			malware(ok2, 1),
			malware(dup, 1), // the same object again: nothing to do
		)
		if st.TotalCount != 11 || st.SuccessCount != 3 || st.FailureCount != 8 {
			t.Fatalf("status %+v", st)
		}
		if got := []string{st.Successes[0].ID, st.Successes[1].ID, st.Successes[2].ID}; !slices.Equal(got, []string{ok1, ok2, dup}) {
			t.Errorf("successes %v", got)
		}
		for i, want := range []string{"pattern", "bundle", "object", "pattern", "TLP:AMBER", "conflict", "different object", "spec_version"} {
			if f := st.Failures[i]; !strings.Contains(f.Message, want) {
				t.Errorf("failure %d %+v: the message does not say %q", i, f, want)
			}
		}
		if st.Failures[7].Version != "2020-01-01T00:00:00.000Z" {
			t.Errorf("the failure names version %q", st.Failures[7].Version)
		}
		got := ids(t, a.get(objectsPath(a.community), "cert"))
		if !slices.Equal(got, []string{dup, ok1, ok2}) {
			t.Errorf("stored %v, want %v", got, []string{dup, ok1, ok2})
		}
		// The failures are kept with the status.
		r := a.get("/taxii2/api/status/"+st.ID+"/", "energy")
		var again statusResource
		r.json(t, &again)
		if again.FailureCount != 8 || again.Failures[0].Message != st.Failures[0].Message {
			t.Errorf("stored status %s", r.body)
		}
	})
}
