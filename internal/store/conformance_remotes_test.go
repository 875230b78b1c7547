package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

func remoteTx(t *testing.T, db *store.DB, fn func(tx federation.Tx) error) error {
	t.Helper()
	return db.Federation().Update(t.Context(), fn)
}

func newRemote(id, name string, dir federation.Direction, next time.Time) federation.Stored {
	r := federation.Stored{Remote: federation.Remote{ID: id, Name: name, URL: "https://taxii.example.org/taxii2/",
		Collection: "91a7b528-80eb-42ed-a74d-c6fbd5a26116", Direction: dir, Auth: federation.AuthBasic, Username: "verbund",
		LocalCollection: collA, Interval: 15 * time.Minute, Enabled: true, CreatedBy: "u-1", CreatedAt: t0, UpdatedAt: t0},
		Sealed: []byte{1, 2, 3, 0, 255}}
	if dir == federation.Push {
		r.Recipient = "o-2"
	}
	r.State.NextRun = next
	return r
}

// TestRemotes checks the storage of TAXII remotes: what is stored comes
// back, names are unique, and the configuration never touches the state.
func TestRemotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Federation()
		stixSeed(t, db)
		pull := newRemote("r-1", "Nord", federation.Pull, t0)
		push := newRemote("r-2", "Süd", federation.Push, t0.Add(time.Hour))
		push.Auth, push.Username, push.Sealed = federation.AuthNone, "", nil
		if err := remoteTx(t, db, func(tx federation.Tx) error {
			if err := tx.InsertRemote(ctx, pull); err != nil {
				return err
			}
			return tx.InsertRemote(ctx, push)
		}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Remote(ctx, "r-1")
		if err != nil {
			t.Fatal(err)
		}
		want := pull
		want.HasSecret, want.State.Rejected = true, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("stored remote\n got %+v\nwant %+v", got, want)
		}
		if got, _ := s.Remote(ctx, "r-2"); got.HasSecret || got.Sealed != nil || got.Recipient != "o-2" {
			t.Errorf("remote without secret: %+v", got)
		}
		all, err := s.Remotes(ctx)
		if err != nil || len(all) != 2 || all[0].Name != "Nord" || all[1].Name != "Süd" {
			t.Errorf("Remotes = %v, %v", all, err)
		}
		// The name is unique without regard to case.
		err = remoteTx(t, db, func(tx federation.Tx) error {
			return tx.InsertRemote(ctx, newRemote("r-3", "NORD", federation.Pull, t0))
		})
		wantKind(t, err, verbund.Conflict)
		// The local collection must exist.
		bad := newRemote("r-4", "Ost", federation.Pull, t0)
		bad.LocalCollection = "0190f1c2-0000-7000-8000-0000000000ff"
		err = remoteTx(t, db, func(tx federation.Tx) error { return tx.InsertRemote(ctx, bad) })
		wantKind(t, err, verbund.Invalid)

		// State and configuration are stored apart.
		st := federation.State{LastRun: t0.Add(time.Minute), LastSuccess: t0, LastError: "taxii GET: 401", Failures: 2,
			NextRun: t0.Add(time.Hour), LastCount: 7, Cursor: "2026-03-02T09:30:00.123456Z", Position: 42,
			Rejected: []federation.Rejected{{ID: "indicator--1", Version: "2026-03-02T09:30:00.000Z", Message: "bad pattern"}}}
		if err := remoteTx(t, db, func(tx federation.Tx) error { return tx.SaveRemoteState(ctx, "r-1", "", st, time.Time{}) }); err != nil {
			t.Fatal(err)
		}
		changed := pull
		changed.Name, changed.Enabled, changed.Sealed, changed.UpdatedAt = "Nord neu", false, []byte{9}, t0.Add(time.Hour)
		if err := remoteTx(t, db, func(tx federation.Tx) error { return tx.UpdateRemote(ctx, changed) }); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Remote(ctx, "r-1")
		if !reflect.DeepEqual(got.State, st) || got.Name != "Nord neu" || got.Enabled || string(got.Sealed) != "\x09" {
			t.Errorf("after saving the state and updating: %+v", got)
		}
		err = remoteTx(t, db, func(tx federation.Tx) error { return tx.DeleteRemote(ctx, "r-1") })
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Remote(ctx, "r-1")
		wantKind(t, err, verbund.NotFound)
		err = remoteTx(t, db, func(tx federation.Tx) error { return tx.DeleteRemote(ctx, "r-1") })
		wantKind(t, err, verbund.NotFound)
	})
}

// TestRemoteLease checks that a due remote is leased to one node at a
// time, that only the holder saves under the lease, and that a lease that
// ran out can be taken over.
func TestRemoteLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Federation()
		stixSeed(t, db)
		off := newRemote("r-off", "Aus", federation.Pull, t0)
		off.Enabled = false
		if err := remoteTx(t, db, func(tx federation.Tx) error {
			for _, r := range []federation.Stored{newRemote("r-due", "Fällig", federation.Pull, t0),
				newRemote("r-later", "Später", federation.Pull, t0.Add(time.Hour)), off} {
				if err := tx.InsertRemote(ctx, r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(time.Minute)
		due, err := s.DueRemotes(ctx, now, 10)
		if err != nil || len(due) != 1 || due[0].ID != "r-due" {
			t.Fatalf("due at %s: %v, %v", now, due, err)
		}
		if ok, err := s.ClaimRemote(ctx, "r-due", "node-a", now, now.Add(10*time.Minute)); !ok || err != nil {
			t.Fatalf("first claim: %t, %v", ok, err)
		}
		if ok, _ := s.ClaimRemote(ctx, "r-due", "node-b", now, now.Add(10*time.Minute)); ok {
			t.Error("a second node leased a remote under lease")
		}
		if ok, _ := s.ClaimRemote(ctx, "r-off", "node-b", now, now.Add(10*time.Minute)); ok {
			t.Error("a disabled remote was leased")
		}
		if due, _ := s.DueRemotes(ctx, now, 10); len(due) != 0 {
			t.Errorf("a leased remote is still due: %v", due)
		}
		// Only the holder saves under the lease.
		st := federation.State{Cursor: "2026-03-02T10:00:00Z", NextRun: now}
		err = remoteTx(t, db, func(tx federation.Tx) error {
			return tx.SaveRemoteState(ctx, "r-due", "node-b", st, now.Add(10*time.Minute))
		})
		wantKind(t, err, verbund.Conflict)
		if got, _ := s.Remote(ctx, "r-due"); got.State.Cursor != "" {
			t.Errorf("the cursor of a node without lease was stored: %q", got.State.Cursor)
		}
		// The holder renews, then ends the lease.
		if err := remoteTx(t, db, func(tx federation.Tx) error {
			return tx.SaveRemoteState(ctx, "r-due", "node-a", st, now.Add(20*time.Minute))
		}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Remote(ctx, "r-due"); got.LeaseOwner != "node-a" || !got.LeaseUntil.Equal(now.Add(20*time.Minute)) || got.State.Cursor != st.Cursor {
			t.Errorf("after renewing: %+v", got)
		}
		// A node that died: after the lease, another takes over.
		later := now.Add(21 * time.Minute)
		if ok, err := s.ClaimRemote(ctx, "r-due", "node-b", later, later.Add(10*time.Minute)); !ok || err != nil {
			t.Fatalf("taking over an ended lease: %t, %v", ok, err)
		}
		if err := remoteTx(t, db, func(tx federation.Tx) error {
			return tx.SaveRemoteState(ctx, "r-due", "node-b", st, time.Time{})
		}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Remote(ctx, "r-due"); got.LeaseOwner != "" || !got.LeaseUntil.IsZero() {
			t.Errorf("the lease did not end: %+v", got)
		}
		if err := remoteTx(t, db, func(tx federation.Tx) error { return tx.ScheduleRemote(ctx, "r-later", now) }); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.DueRemotes(ctx, later, 10); len(due) != 2 || due[0].ID != "r-due" || due[1].ID != "r-later" {
			t.Errorf("due after scheduling: %v", due)
		}
	})
}
