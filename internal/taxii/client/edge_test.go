package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/taxii/client"
)

// spec is a TAXII 2.1 server written from the specification's examples,
// with the misbehaviour each test asks for.
func spec(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func taxiiJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/taxii+json;version=2.1")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

const obj = `{"type":"indicator","spec_version":"2.1","id":"indicator--%d0c6f6d2-0000-4000-8000-000000000000","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"[ipv4-addr:value = '10.0.0.%d']","pattern_type":"stix","valid_from":"2016-04-06T20:03:48.000Z"}`

// TestPagesWithNext follows next until more is false, sending the media
// type TAXII demands and keeping added_after on every page.
func TestPagesWithNext(t *testing.T) {
	srv := spec(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/taxii+json;version=2.1" {
			taxiiJSON(w, 406, `{"title":"Not Acceptable","http_status":"406"}`)
			return
		}
		if r.URL.Query().Get("added_after") != "2016-01-01T00:00:00.000Z" || r.URL.Query().Get("limit") != "1" {
			taxiiJSON(w, 400, `{"title":"Bad Request","description":"added_after or limit lost"}`)
			return
		}
		n := 1
		if next := r.URL.Query().Get("next"); next != "" {
			fmt.Sscan(next, &n)
		}
		w.Header().Set("X-TAXII-Date-Added-First", fmt.Sprintf("2016-11-0%dT00:00:00.000Z", n))
		w.Header().Set("X-TAXII-Date-Added-Last", fmt.Sprintf("2016-11-0%dT00:00:00.000Z", n))
		more := ""
		if n < 3 {
			more = fmt.Sprintf(`"more":true,"next":"%d",`, n+1)
		}
		taxiiJSON(w, 200, `{`+more+`"objects":[`+fmt.Sprintf(obj, n, n)+`]}`)
	})
	c := client.New(client.Options{})
	q := client.Query{AddedAfter: "2016-01-01T00:00:00.000Z", Limit: 1}
	var lasts []string
	for {
		p, err := c.Objects(t.Context(), srv.URL+"/api1/", "91a7b528-80eb-42ed-a74d-c6fbd5a26116", q)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 1 {
			t.Fatalf("page with %d objects", len(p.Items))
		}
		lasts = append(lasts, p.DateAddedLast)
		if !p.More {
			break
		}
		q.Next = p.Next
	}
	if strings.Join(lasts, " ") != "2016-11-01T00:00:00.000Z 2016-11-02T00:00:00.000Z 2016-11-03T00:00:00.000Z" {
		t.Errorf("pages ended at %v", lasts)
	}
}

// TestRemoteErrors turns the error answers of a remote into errors that
// carry its status and say what it said.
func TestRemoteErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		h      http.HandlerFunc
		status int
		want   string
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="taxii"`)
			taxiiJSON(w, 401, `{"title":"Unauthorized","description":"no credentials","error_code":"unauthenticated","http_status":"401"}`)
		}, 401, "the remote said: Unauthorized: no credentials (unauthenticated)"},
		{"404", func(w http.ResponseWriter, r *http.Request) {
			taxiiJSON(w, 404, `{"title":"Not Found","description":"no such collection","http_status":404}`)
		}, 404, "the remote said: Not Found: no such collection"},
		{"406", func(w http.ResponseWriter, r *http.Request) {
			taxiiJSON(w, 406, `{"title":"Not Acceptable"}`)
		}, 406, "406 Not Acceptable; the remote said: Not Acceptable"},
		{"500 as HTML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprint(w, "<h1>Bad Gateway</h1>")
		}, 502, "502 Bad Gateway"},
		{"truncated body", func(w http.ResponseWriter, r *http.Request) {
			taxiiJSON(w, 200, `{"more":false,"objects":[{"type":"indicator","id":"indicator--1"`)
		}, 200, "not a TAXII envelope: unexpected EOF"},
		{"wrong media type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"objects":[]}`)
		}, 200, `the answer is "application/json", not application/taxii+json;version=2.1`},
		{"TAXII 2.0", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/vnd.oasis.taxii+json; version=2.0")
			fmt.Fprint(w, `{"objects":[]}`)
		}, 200, "not application/taxii+json"},
		{"object without id", func(w http.ResponseWriter, r *http.Request) {
			taxiiJSON(w, 200, `{"objects":[{"type":"indicator"}]}`)
		}, 200, "object 0 of the envelope is not a STIX object"},
		{"too large", func(w http.ResponseWriter, r *http.Request) {
			taxiiJSON(w, 200, `{"objects":[`+strings.Repeat(`{"type":"x","id":"x--1"},`, 200)+`{"type":"x","id":"x--1"}]}`)
		}, 200, "larger than the client accepts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := spec(t, tc.h)
			c := client.New(client.Options{MaxResponse: 4096, Auth: client.Auth{Kind: client.AuthBasic, Username: "u", Secret: "s3cret"}})
			_, err := c.Objects(t.Context(), srv.URL+"/api1/", "c", client.Query{})
			var ce *client.Error
			if !errors.As(err, &ce) || ce.Status != tc.status || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v (status %d), want status %d and %q", err, client.StatusOf(err), tc.status, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error reveals the secret: %v", err)
			}
		})
	}
}

// TestDiscoveryPicksDefault resolves the default API root of a discovery
// resource, relative to the discovery URL, as the specification's example
// names it.
func TestDiscoveryPicksDefault(t *testing.T) {
	srv := spec(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/taxii2/":
			taxiiJSON(w, 200, `{"title":"Some TAXII Server","default":"/api2/","api_roots":["/api1/","/api2/"]}`)
		case "/two/":
			taxiiJSON(w, 200, `{"title":"Two roots","api_roots":["/api1/","/api2/"]}`)
		default:
			taxiiJSON(w, 404, `{"title":"Not Found"}`)
		}
	})
	c := client.New(client.Options{})
	root, err := c.ResolveRoot(t.Context(), srv.URL+"/taxii2/")
	if err != nil || root != srv.URL+"/api2/" {
		t.Errorf("ResolveRoot = %q, %v; want the default %s/api2/", root, err, srv.URL)
	}
	if _, err := c.ResolveRoot(t.Context(), srv.URL+"/two/"); err == nil || !strings.Contains(err.Error(), "no default") {
		t.Errorf("two API roots without default: %v", err)
	}
}

// TestWaitPollsStatus polls a pending status until it is complete.
func TestWaitPollsStatus(t *testing.T) {
	var polls atomic.Int32
	srv := spec(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST":
			if ct := r.Header.Get("Content-Type"); ct != "application/taxii+json;version=2.1" {
				taxiiJSON(w, 415, `{"title":"Unsupported Media Type"}`)
				return
			}
			var env client.Envelope
			if err := json.NewDecoder(r.Body).Decode(&env); err != nil || len(env.Objects) != 1 {
				taxiiJSON(w, 400, `{"title":"Bad Request"}`)
				return
			}
			taxiiJSON(w, 202, `{"id":"2d086da7-4bdc-4f91-900e-d77486753710","status":"pending","total_count":1,"success_count":0,"failure_count":0,"pending_count":1}`)
		case strings.HasSuffix(r.URL.Path, "/status/2d086da7-4bdc-4f91-900e-d77486753710/"):
			if polls.Add(1) < 3 {
				taxiiJSON(w, 200, `{"id":"2d086da7-4bdc-4f91-900e-d77486753710","status":"pending","total_count":1,"success_count":0,"failure_count":0,"pending_count":1}`)
				return
			}
			taxiiJSON(w, 200, `{"id":"2d086da7-4bdc-4f91-900e-d77486753710","status":"complete","total_count":1,"success_count":0,"failure_count":1,"failures":[{"id":"indicator--1","version":"2016-04-06T20:03:48.000Z","message":"duplicate"}],"pending_count":0}`)
		default:
			taxiiJSON(w, 404, `{"title":"Not Found"}`)
		}
	})
	c := client.New(client.Options{})
	st, err := c.Add(t.Context(), srv.URL+"/api1", "c", []json.RawMessage{json.RawMessage(fmt.Sprintf(obj, 1, 1))})
	if err != nil || st.Status != "pending" {
		t.Fatalf("Add = %+v, %v", st, err)
	}
	st, err = c.Wait(t.Context(), srv.URL+"/api1", st, time.Millisecond)
	if err != nil || st.Status != "complete" || st.FailureCount != 1 || st.Failures[0].Message != "duplicate" || polls.Load() != 3 {
		t.Errorf("Wait = %+v, %v after %d polls", st, err, polls.Load())
	}
}

// TestCancel stops waiting for a remote that does not answer when the
// context ends.
func TestCancel(t *testing.T) {
	release := make(chan struct{})
	srv := spec(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := client.New(client.Options{}).Collections(ctx, srv.URL+"/api1/")
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("after cancelling: %v", err)
	}
}
