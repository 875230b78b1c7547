package federation_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/client"
	"github.com/verbund/verbund/internal/taxii/client/taxiitest"
)

// addIndicators adds n indicators to the Community collection of site and
// returns their ids.
func addIndicators(t *testing.T, site *taxiitest.Site, n int) []string {
	t.Helper()
	var ids, objs []string
	for i := range n {
		id, o := taxiitest.Indicator(i, "", "203.0.113."+string(rune('1'+i%9)))
		ids, objs = append(ids, id), append(objs, o)
	}
	site.Add(t, site.Community, objs...)
	return ids
}

// TestPull brings the objects of a remote collection over, page by page,
// and the next run only what was added since.
func TestPull(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, c := t.Context(), newClock()
		local, remote := taxiitest.New(t, db), taxiitest.New(t, storetest.SQLite(t))
		want := addIndicators(t, remote, 5)
		svc := node(t, local, "a", c, nil)
		in := pullInput(local)
		in.URL, in.Collection, in.Secret = remote.URL, remote.Community.ID, remote.Tokens["energy-read"]
		r, err := svc.Create(ctx, local.OfficeAdmin, in)
		if err != nil {
			t.Fatal(err)
		}
		if n := svc.RunDue(ctx); n != 1 {
			t.Fatalf("ran %d remotes, want 1", n)
		}
		if got := local.IDs(t, local.Community); !slices.Equal(got, want) {
			t.Fatalf("pulled %v, want %v", got, want)
		}
		r, _ = svc.Remote(ctx, local.OfficeAdmin, r.ID)
		if r.State.LastError != "" || r.State.LastCount != 5 || r.State.Cursor == "" || r.State.LastSuccess.IsZero() ||
			!r.State.NextRun.Equal(c.now().Add(15*time.Minute)) {
			t.Errorf("state after the first pull: %+v", r.State)
		}
		// The objects were validated and marked here like any other: the
		// collection's default for an object that names no TLP.
		if vs := local.Versions(t, local.Community, want[0]); len(vs) != 1 || vs[0].Marked.Marking.TLP.String() != "TLP:GREEN" || vs[0].Marked.OwnerOrg != local.Office.ID {
			t.Errorf("pulled version: %+v", vs)
		}
		es := auditOf(t, db, "taxii.remote.pull")
		if len(es) != 1 || es[0].Outcome != "success" || !strings.Contains(es[0].Reason, "5 objects in 3 pages") {
			t.Errorf("audit of the pull: %+v", es)
		}

		// Not due yet: nothing runs. Then only what is new comes.
		more := addIndicators(t, remote, 2)
		if n := svc.RunDue(ctx); n != 0 {
			t.Errorf("ran %d remotes before they were due", n)
		}
		c.add(15 * time.Minute)
		svc.RunDue(ctx)
		r, _ = svc.Remote(ctx, local.OfficeAdmin, r.ID)
		if r.State.LastCount != 2 {
			t.Errorf("the second run stored %d objects, want the 2 new ones", r.State.LastCount)
		}
		if got := local.IDs(t, local.Community); !slices.Equal(got, append(want, more...)) {
			t.Errorf("after the second pull: %v", got)
		}
	})
}

// failing wraps a connector so that pulls fail after the first n pages.
func failing(n int) (federation.Connector, *int) {
	pages := new(int)
	inner := client.Connector(client.Options{}, time.Millisecond, 5*time.Second)
	return func(ctx context.Context, e federation.Endpoint) (federation.Peer, error) {
		p, err := inner(ctx, e)
		if err != nil {
			return nil, err
		}
		return &brittle{Peer: p, pages: pages, n: n}, nil
	}, pages
}

type brittle struct {
	federation.Peer
	pages *int
	n     int
}

func (b *brittle) Pull(ctx context.Context, addedAfter, next string, limit int) (federation.PulledPage, error) {
	if *b.pages >= b.n {
		return federation.PulledPage{}, errors.New("connection reset by peer")
	}
	*b.pages++
	return b.Peer.Pull(ctx, addedAfter, next, limit)
}

// TestPullResumes: a run that breaks off keeps what it stored and its
// cursor; the next run, on another node, resumes from there, with backoff
// in between.
func TestPullResumes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, c := t.Context(), newClock()
		local, remote := taxiitest.New(t, db), taxiitest.New(t, storetest.SQLite(t))
		want := addIndicators(t, remote, 5)
		connect, _ := failing(1)
		svc := node(t, local, "a", c, connect)
		in := pullInput(local)
		in.URL, in.Collection, in.Secret = remote.URL, remote.Community.ID, remote.Tokens["energy-read"]
		r, err := svc.Create(ctx, local.OfficeAdmin, in)
		if err != nil {
			t.Fatal(err)
		}
		svc.RunDue(ctx)
		r, _ = svc.Remote(ctx, local.OfficeAdmin, r.ID)
		if !strings.Contains(r.State.LastError, "connection reset") || r.State.Failures != 1 || r.State.Cursor == "" ||
			!r.State.NextRun.Equal(c.now().Add(15*time.Minute)) {
			t.Errorf("state after the broken run: %+v", r.State)
		}
		if got := local.IDs(t, local.Community); !slices.Equal(got, want[:2]) {
			t.Errorf("the broken run kept %v, want the first page %v", got, want[:2])
		}
		// It fails again: the wait doubles.
		c.add(15 * time.Minute)
		svc.RunDue(ctx)
		r, _ = svc.Remote(ctx, local.OfficeAdmin, r.ID)
		if r.State.Failures != 2 || !r.State.NextRun.Equal(c.now().Add(30*time.Minute)) {
			t.Errorf("after the second failure: %+v", r.State)
		}
		// A restart: another node with a working connection resumes.
		c.add(30 * time.Minute)
		other := node(t, local, "b", c, nil)
		if n := other.RunDue(ctx); n != 1 {
			t.Fatalf("the other node ran %d remotes", n)
		}
		r, _ = other.Remote(ctx, local.OfficeAdmin, r.ID)
		if r.State.LastCount != 3 || r.State.Failures != 0 || r.State.LastError != "" {
			t.Errorf("the resumed run: %+v", r.State)
		}
		if got := local.IDs(t, local.Community); !slices.Equal(got, want) {
			t.Errorf("after resuming: %v, want %v", got, want)
		}
		if es := auditOf(t, db, "taxii.remote.pull"); len(es) != 3 || es[1].Outcome != "failure" {
			t.Errorf("audit of three runs: %+v", es)
		}
	})
}

// TestPushSendsOnlyWhatTheRecipientSees pushes what the door lets the
// recipient see: an AMBER object for another sector stays home.
func TestPushSendsOnlyWhatTheRecipientSees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, c := t.Context(), newClock()
		local, remote := taxiitest.New(t, db), taxiitest.New(t, storetest.SQLite(t))
		green, g := taxiitest.Indicator(1, stix.TLP2Green, "192.0.2.10")
		amber, a := taxiitest.Indicator(2, stix.TLP2Amber, "192.0.2.11") // for the sector finance only
		plain, p := taxiitest.Indicator(3, "", "192.0.2.12")
		local.Add(t, local.Sectors, g, a, p)
		svc := node(t, local, "a", c, nil)
		r, err := svc.Create(ctx, local.OfficeAdmin, federation.Input{Name: "Partner CERT", URL: remote.Root,
			Collection: remote.Community.ID, Direction: federation.Push, Auth: federation.AuthBasic, Username: "verbund",
			Secret: remote.Tokens["energy"], LocalCollection: local.Sectors.ID, Recipient: local.Energy.ID,
			Interval: time.Hour, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		svc.RunDue(ctx)
		r, _ = svc.Remote(ctx, local.OfficeAdmin, r.ID)
		if r.State.LastError != "" || r.State.LastCount != 2 || len(r.State.Rejected) != 0 || r.State.Position == 0 {
			t.Fatalf("state after the push: %+v", r.State)
		}
		got := remote.IDs(t, remote.Community)
		if !slices.Equal(got, []string{green, plain}) || slices.Contains(got, amber) {
			t.Errorf("the remote received %v, want %v without the AMBER %s", got, []string{green, plain}, amber)
		}
		// Nothing new: nothing is sent. A new object is.
		c.add(time.Hour)
		newer, n := taxiitest.Indicator(4, "", "192.0.2.13")
		local.Add(t, local.Sectors, n)
		svc.RunDue(ctx)
		r, _ = svc.Remote(ctx, local.OfficeAdmin, r.ID)
		if r.State.LastCount != 1 || !slices.Contains(remote.IDs(t, remote.Community), newer) {
			t.Errorf("the second push sent %d objects: %v", r.State.LastCount, remote.IDs(t, remote.Community))
		}
		c.add(time.Hour)
		before := remote.Requests.Load()
		svc.RunDue(ctx)
		if d := remote.Requests.Load() - before; d != 0 {
			t.Errorf("a push with nothing new sent %d requests", d)
		}
		es := auditOf(t, db, "taxii.remote.push")
		if len(es) != 3 || !strings.Contains(es[2].Reason, "2 objects") {
			t.Errorf("audit of the pushes: %+v", es)
		}
	})
}

// TestPushRecordsRefusals records the objects the remote refuses, each
// with its reason.
func TestPushRecordsRefusals(t *testing.T) {
	ctx, c := t.Context(), newClock()
	local, remote := taxiitest.New(t, storetest.SQLite(t)), taxiitest.New(t, storetest.SQLite(t))
	// TLP:AMBER in the remote's community collection reaches nobody there:
	// the remote refuses it.
	amber, a := taxiitest.Indicator(2, stix.TLP2Amber, "192.0.2.21")
	local.Add(t, local.Community, taxiitest.IndicatorVersion("indicator--"+taxiitest.UUID(), 1, "", "192.0.2.20"))
	svc := node(t, local, "a", c, nil)
	// Amber lives in Sectors for finance; push Sectors with finance as the
	// recipient, to the remote's Community.
	local.Add(t, local.Sectors, a)
	r, err := svc.Create(ctx, local.OfficeAdmin, federation.Input{Name: "Partner", URL: remote.URL,
		Collection: remote.Community.ID, Direction: federation.Push, Auth: federation.AuthBearer,
		Secret: remote.Tokens["finance"], LocalCollection: local.Sectors.ID, Recipient: local.Finance.ID,
		Interval: time.Hour, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	svc.RunDue(ctx)
	r, _ = svc.Remote(ctx, local.OfficeAdmin, r.ID)
	if r.State.LastError != "" || len(r.State.Rejected) != 1 || r.State.Rejected[0].ID != amber || r.State.Rejected[0].Message == "" {
		t.Errorf("state after a refused push: %+v", r.State)
	}
}

// TestOneNodeAtATime runs the same due remote from two nodes at once: it
// runs once.
func TestOneNodeAtATime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, c := t.Context(), newClock()
		local, remote := taxiitest.New(t, db), taxiitest.New(t, storetest.SQLite(t))
		addIndicators(t, remote, 3)
		a, b := node(t, local, "a", c, nil), node(t, local, "b", c, nil)
		in := pullInput(local)
		in.URL, in.Collection, in.Secret = remote.URL, remote.Community.ID, remote.Tokens["energy-read"]
		if _, err := a.Create(ctx, local.OfficeAdmin, in); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		ran := make([]int, 2)
		for i, s := range []*federation.Service{a, b} {
			wg.Go(func() { ran[i] = s.RunDue(ctx) })
		}
		wg.Wait()
		if ran[0]+ran[1] != 1 {
			t.Errorf("the remote ran %d times", ran[0]+ran[1])
		}
		if es := auditOf(t, db, "taxii.remote.pull"); len(es) != 1 {
			t.Errorf("%d runs audited", len(es))
		}
	})
}
