package client_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/client"
	"github.com/verbund/verbund/internal/taxii/client/taxiitest"
)

// TestAgainstVerbund runs the client against Verbund's own TAXII server on
// both databases: it finds the API root from the discovery URL, lists the
// collections, adds objects, reads them back page by page and from a
// date_added on, and reads the manifest and the status.
func TestAgainstVerbund(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		site := taxiitest.New(t, db)
		c := client.New(client.Options{Auth: client.Auth{Kind: client.AuthBearer, Secret: site.Tokens["energy"]}})

		root, err := c.ResolveRoot(ctx, site.URL)
		if err != nil || root != site.Root {
			t.Fatalf("ResolveRoot(%s) = %q, %v; want %s", site.URL, root, err, site.Root)
		}
		if again, err := c.ResolveRoot(ctx, strings.TrimSuffix(site.Root, "/")); err != nil || again != site.Root {
			t.Errorf("ResolveRoot of the API root itself = %q, %v", again, err)
		}
		ar, err := c.APIRoot(ctx, root)
		if err != nil || !slices.Contains(ar.Versions, client.MediaType) || ar.MaxContentLength <= 0 {
			t.Errorf("APIRoot = %+v, %v", ar, err)
		}
		cols, err := c.Collections(ctx, root)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, col := range cols {
			if col.CanRead && col.CanWrite {
				titles = append(titles, col.Title)
			}
		}
		slices.Sort(titles)
		if !slices.Equal(titles, []string{"Community", "Sectors"}) {
			t.Errorf("collections readable and writable by energy: %v", titles)
		}

		var objs []json.RawMessage
		var ids []string
		for i := range 5 {
			id, o := taxiitest.Indicator(i, "", "198.51.100."+string(rune('1'+i)))
			ids, objs = append(ids, id), append(objs, json.RawMessage(o))
		}
		objs = append(objs, json.RawMessage(`{"type":"indicator","id":"indicator--not-a-uuid"}`))
		st, err := c.Add(ctx, root, site.Community.ID, objs)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != "complete" || st.SuccessCount != 5 || st.FailureCount != 1 || len(st.Failures) != 1 || st.Failures[0].Message == "" {
			t.Fatalf("status after adding 5 good objects and 1 bad: %+v", st)
		}
		again, err := c.Status(ctx, root, st.ID)
		if err != nil || again.ID != st.ID || again.TotalCount != 6 {
			t.Errorf("Status(%s) = %+v, %v", st.ID, again, err)
		}

		// Page by page with limit and next.
		var got []string
		var pages int
		q := client.Query{Limit: 2}
		var last string
		for {
			p, err := c.Objects(ctx, root, site.Community.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, o := range p.Items {
				var head struct{ ID string }
				_ = json.Unmarshal(o, &head)
				got = append(got, head.ID)
			}
			if len(p.Items) > 0 && (p.DateAddedFirst == "" || p.DateAddedLast == "") {
				t.Errorf("page %d lacks the X-TAXII-Date-Added headers", pages)
			}
			if pages == 1 {
				last = p.DateAddedLast
			}
			if !p.More {
				break
			}
			if p.Next == "" {
				t.Fatal("more without next")
			}
			q.Next = p.Next
		}
		if !slices.Equal(got, ids) || pages != 3 {
			t.Errorf("paged read: %d pages with %v, want 3 pages with %v", pages, got, ids)
		}

		// added_after the last of the first page: the other three.
		p, err := c.Objects(ctx, root, site.Community.ID, client.Query{AddedAfter: last})
		if err != nil || len(p.Items) != 3 {
			t.Errorf("objects added after %s: %d, %v; want 3", last, len(p.Items), err)
		}

		m, err := c.Manifest(ctx, root, site.Community.ID, client.Query{Match: map[string]string{"id": ids[0]}})
		if err != nil || len(m.Items) != 1 || m.Items[0].ID != ids[0] || m.Items[0].DateAdded == "" {
			t.Errorf("manifest of %s: %+v, %v", ids[0], m, err)
		}

		// HTTP Basic with the token as password.
		basic := client.New(client.Options{Auth: client.Auth{Kind: client.AuthBasic, Username: "energy", Secret: site.Tokens["energy-read"]}})
		if p, err := basic.Objects(ctx, root, site.Community.ID, client.Query{}); err != nil || len(p.Items) != 5 {
			t.Errorf("Basic auth read: %d objects, %v", len(p.Items), err)
		}
		// A token without intel:write may not add: the remote says why.
		_, err = basic.Add(ctx, root, site.Community.ID, objs[:1])
		if client.StatusOf(err) != http.StatusForbidden || !strings.Contains(err.Error(), "intel:write") {
			t.Errorf("adding with a read-only token: %v", err)
		}

		// No credentials: 401 with the remote's words.
		anon := client.New(client.Options{})
		_, err = anon.Collections(ctx, root)
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Status != http.StatusUnauthorized || ce.Description == "" || !strings.Contains(err.Error(), "the remote said") {
			t.Errorf("without credentials: %v", err)
		}
		// A collection that does not exist: 404.
		if _, err := c.Objects(ctx, root, "0194f1f4-0000-7000-8000-000000000000", client.Query{}); client.StatusOf(err) != http.StatusNotFound {
			t.Errorf("unknown collection: %v", err)
		}
	})
}

// TestMarkingsTravel checks that a TLP marking an object names reaches the
// remote with it.
func TestMarkingsTravel(t *testing.T) {
	site := taxiitest.New(t, storetest.SQLite(t))
	c := client.New(client.Options{Auth: client.Auth{Kind: client.AuthBearer, Secret: site.Tokens["finance"]}})
	id, o := taxiitest.Indicator(1, stix.TLP2Amber, "192.0.2.77")
	if _, err := c.Add(t.Context(), site.Root, site.Sectors.ID, []json.RawMessage{json.RawMessage(o)}); err != nil {
		t.Fatal(err)
	}
	vs := site.Versions(t, site.Sectors, id)
	if len(vs) != 1 || vs[0].Marked.Marking.TLP != policy.Amber {
		t.Errorf("stored versions of the AMBER indicator: %+v", vs)
	}
}
