package taxii_test

import (
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii"
)

// walk pages through path (which has a query) as who and returns the ids
// in order and the number of pages. Pages must come in date_added order.
func walk(t *testing.T, a *alliance, path, who string) ([]string, int) {
	t.Helper()
	var (
		got        []string
		next, last string
	)
	for pages := 1; pages < 1000; pages++ {
		r := a.get(path+next, who)
		got = append(got, ids(t, r)...)
		if first := r.header.Get("X-TAXII-Date-Added-First"); first != "" {
			if first <= last {
				t.Fatalf("page %d starts at %s, not after the last page's %s", pages, first, last)
			}
			last = r.header.Get("X-TAXII-Date-Added-Last")
		}
		var env envelopeResource
		r.json(t, &env)
		if !env.More {
			if env.Next != "" {
				t.Errorf("next %q on the last page", env.Next)
			}
			return got, pages
		}
		if env.Next == "" {
			t.Fatal("more without next")
		}
		next = "&next=" + url.QueryEscape(env.Next)
	}
	t.Fatal("no end")
	return nil, 0
}

func TestPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAlliance(t, db, taxii.Config{MaxLimit: 10})
		var objs, want []string
		for range 25 {
			id := "malware--" + uuid4()
			objs, want = append(objs, malware(id, 1)), append(want, id)
		}
		a.post(a.community, "energy", objs...)
		path := objectsPath(a.community) + "?limit=10"

		got, pages := walk(t, a, path, "cert")
		if !slices.Equal(got, want) || pages != 3 {
			t.Errorf("%d pages: %v\nwant %v", pages, got, want)
		}
		// A limit above MaxLimit is cut to it.
		if got, pages := walk(t, a, objectsPath(a.community)+"?limit=500", "cert"); !slices.Equal(got, want) || pages != 3 {
			t.Errorf("limit 500 with MaxLimit 10: %d pages", pages)
		}
		// The manifest pages the same way.
		r := a.get("/taxii2/api/collections/"+a.community.ID+"/manifest/?limit=10", "cert")
		var man struct {
			More bool   `json:"more"`
			Next string `json:"next"`
		}
		r.json(t, &man)
		if !man.More || man.Next == "" {
			t.Errorf("manifest page: %s", r.body)
		}

		var env envelopeResource
		a.get(path, "cert").json(t, &env)
		next := url.QueryEscape(env.Next)
		t.Run("a next goes on with another limit", func(t *testing.T) {
			if got := ids(t, a.get(objectsPath(a.community)+"?limit=3&next="+next, "cert")); !slices.Equal(got, want[10:13]) {
				t.Errorf("got %v, want %v", got, want[10:13])
			}
		})
		tampered := []byte(env.Next)
		tampered[5] ^= 1
		for name, path := range map[string]string{
			"another filter":     objectsPath(a.community) + "?limit=10&match[type]=malware&next=" + next,
			"another collection": objectsPath(a.shared) + "?limit=10&next=" + next,
			"another endpoint":   "/taxii2/api/collections/" + a.community.ID + "/manifest/?limit=10&next=" + next,
			"tampered":           path + "&next=" + url.QueryEscape(string(tampered)),
			"made up":            path + "&next=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"not base64":         path + "&next=%2F%2F%2F",
		} {
			t.Run(name, func(t *testing.T) {
				m := a.get(path, "cert").taxiiError(t, http.StatusBadRequest)
				if m["error_code"] != "next-invalid" {
					t.Errorf("error_code %v", m["error_code"])
				}
			})
		}
		t.Run("another client", func(t *testing.T) {
			a.get(path+"&next="+next, "finance").taxiiError(t, http.StatusBadRequest)
		})
		t.Run("another key", func(t *testing.T) {
			b := *a
			b.t, b.h = t, taxii.New(taxii.Config{MaxLimit: 10, CursorKey: []byte("another key of thirty-two bytes!")}, a.deps)
			b.get(path+"&next="+next, "cert").taxiiError(t, http.StatusBadRequest)
		})
	})
}

// A reader pages through a collection while a writer adds to it: the
// reader sees every object that existed when it started exactly once, and
// nothing twice.
func TestPaginationWhileObjectsAreAdded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := newAlliance(t, db, taxii.Config{})
		var before []string
		for range 3 {
			var objs []string
			for range 50 {
				id := "malware--" + uuid4()
				objs, before = append(objs, malware(id, 1)), append(before, id)
			}
			a.post(a.community, "energy", objs...)
		}
		// Three writers at once, so that their transactions contend for the
		// collection's positions.
		done := make(chan struct{})
		var wg sync.WaitGroup
		var added atomic.Int64
		for _, who := range []string{"finance", "cert", "office"} {
			wg.Go(func() {
				for range 15 {
					select {
					case <-done:
						return
					default:
					}
					var objs []string
					for range 5 {
						objs = append(objs, malware("malware--"+uuid4(), 1))
					}
					r := a.req("POST", objectsPath(a.community), who, envelope(objs...))
					if r.status != http.StatusAccepted {
						t.Errorf("POST while paging: %d %s", r.status, r.body)
						return
					}
					added.Add(5)
				}
			})
		}
		got, pages := walk(t, a, objectsPath(a.community)+"?limit=7", "cert")
		close(done)
		wg.Wait()
		seen := map[string]int{}
		for _, id := range got {
			seen[id]++
			if seen[id] > 1 {
				t.Errorf("%s seen twice", id)
			}
		}
		for _, id := range before {
			if seen[id] != 1 {
				t.Errorf("%s, there from the start, seen %d times", id, seen[id])
			}
		}
		if !slices.Equal(got[:len(before)], before) {
			t.Error("the objects there from the start do not come first, in the order they were added")
		}
		t.Logf("%d pages, %d objects seen, %d added while paging", pages, len(got), added.Load())
	})
}
