package store_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/cti"
)

const collA = "0190f1c2-0000-7000-8000-00000000000a"

// stixSeed stores the organisations o-1 (energy) and o-2 and the
// collection collA of o-1, shared with the community at TLP:GREEN.
func stixSeed(t *testing.T, db *store.DB) cti.Collection {
	t.Helper()
	ctx := t.Context()
	update(t, db, func(tx identity.Tx) error {
		for _, o := range []identity.Organisation{org("o-1", "One", "DE", "energy"), org("o-2", "Two", "DE")} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	c := cti.Collection{ID: collA, Title: "Indicators", Description: "what we see", Alias: "ind",
		MediaTypes: []string{cti.MediaTypeSTIX}, OwnerOrg: "o-1", CreatedBy: "", CreatedAt: t0,
		Default: policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}}
	stixTx(t, db, func(tx cti.Tx) error {
		if err := designation.SaveMarking(ctx, tx, cti.KindCollection, c.ID, c.OwnerOrg, "", c.Default); err != nil {
			return err
		}
		return tx.CreateSTIXCollection(ctx, c)
	})
	return c
}

func stixTx(t *testing.T, db *store.DB, fn func(tx cti.Tx) error) {
	t.Helper()
	if err := db.STIX().Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// version returns version n of indicator id in collA, added at position
// seq, owned by owner with the marking m.
func version(id string, n int, seq int64, owner string, m policy.Marking) cti.Version {
	at := t0.Add(time.Duration(n) * time.Hour)
	raw := fmt.Sprintf(`{"type":"indicator","id":%q,"modified":%q,"n":%d}`, id, cti.FormatTimestamp(at), n)
	return cti.Version{Collection: collA, Seq: seq, DateAdded: t0.Add(time.Duration(seq) * time.Second), ID: id,
		Type: "indicator", SpecVersion: "2.1", Version: at, Raw: json.RawMessage(raw),
		Marked: designation.Marked{Kind: policy.KindSTIX, ObjectID: cti.MarkingID(collA, id, at), OwnerOrg: owner, Marking: m}}
}

// insert stores the versions with their markings, each at a reserved
// position.
func insert(t *testing.T, db *store.DB, vs ...*cti.Version) {
	t.Helper()
	ctx := t.Context()
	stixTx(t, db, func(tx cti.Tx) error {
		pos, err := tx.ReserveSTIX(ctx, collA, len(vs), t0)
		if err != nil {
			return err
		}
		for i, v := range vs {
			v.Seq, v.DateAdded = pos[i].Seq, pos[i].DateAdded
			if err := tx.PutMarking(ctx, v.Marked); err != nil {
				return err
			}
			if err := tx.InsertSTIX(ctx, *v); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestSTIXCollections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.STIX()
		want := stixSeed(t, db)
		got, err := s.STIXCollection(ctx, collA)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("STIXCollection = %+v, %v\nwant %+v", got, err, want)
		}
		_, err = s.STIXCollection(ctx, "missing")
		wantKind(t, err, verbund.NotFound)

		second := want
		second.ID, second.Alias, second.Title = "0190f1c2-0000-7000-8000-00000000000b", "", "Alerts"
		stixTx(t, db, func(tx cti.Tx) error {
			if err := tx.PutMarking(ctx, designation.Marked{Kind: cti.KindCollection, ObjectID: second.ID, OwnerOrg: "o-2",
				Marking: policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"energy"}}}}); err != nil {
				return err
			}
			second.OwnerOrg = "o-2"
			return tx.CreateSTIXCollection(ctx, second)
		})
		all, err := s.STIXCollections(ctx)
		if err != nil || len(all) != 2 || all[0].Title != "Alerts" || all[1].Title != "Indicators" {
			t.Fatalf("STIXCollections = %+v, %v; want Alerts, Indicators", all, err)
		}
		if a := all[0].Default; a.TLP != policy.Amber || !slices.Equal(a.Audience.Sectors, []string{"energy"}) {
			t.Errorf("default marking of Alerts = %+v", a)
		}

		for name, c := range map[string]cti.Collection{
			"alias taken": func() cti.Collection {
				c := second
				c.ID = "0190f1c2-0000-7000-8000-00000000000c"
				c.Alias = "ind"
				return c
			}(),
			"id taken": want,
		} {
			t.Run(name, func(t *testing.T) {
				err := s.Update(ctx, func(tx cti.Tx) error { return tx.CreateSTIXCollection(ctx, c) })
				wantKind(t, err, verbund.Conflict)
			})
		}
	})
}

func TestSTIXReserve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.STIX()
		stixSeed(t, db)
		reserve := func(n int, now time.Time) []cti.Position {
			var ps []cti.Position
			stixTx(t, db, func(tx cti.Tx) error {
				var err error
				ps, err = tx.ReserveSTIX(ctx, collA, n, now)
				return err
			})
			return ps
		}
		a := reserve(3, t0)
		b := reserve(2, t0.Add(-time.Hour)) // the clock went back
		c := reserve(1, t0.Add(time.Hour))
		all := slices.Concat(a, b, c)
		for i, p := range all {
			if p.Seq != int64(i+1) {
				t.Errorf("position %d has seq %d", i, p.Seq)
			}
			if i > 0 && !p.DateAdded.After(all[i-1].DateAdded) {
				t.Errorf("date_added %v of position %d is not after %v", p.DateAdded, i, all[i-1].DateAdded)
			}
		}
		if !a[0].DateAdded.Equal(t0) || !c[0].DateAdded.Equal(t0.Add(time.Hour)) {
			t.Errorf("date_added %v, %v; want the clock's time when it moved on", a[0].DateAdded, c[0].DateAdded)
		}
		err := s.Update(ctx, func(tx cti.Tx) error { _, err := tx.ReserveSTIX(ctx, "missing", 1, t0); return err })
		wantKind(t, err, verbund.NotFound)
		// Writes outside a transaction are refused.
		_, err = db.ReserveSTIX(ctx, collA, 1, t0)
		wantKind(t, err, verbund.Internal)
		wantKind(t, db.InsertSTIX(ctx, version("indicator--x", 1, 9, "o-1", policy.Marking{})), verbund.Internal)
		wantKind(t, db.PutSTIXStatus(ctx, cti.Status{ID: "s", RequestTimestamp: t0}), verbund.Internal)
	})
}

// Two transactions that add to one collection at once: the second waits for
// the first, so a position is never visible before every smaller one is.
func TestSTIXReserveOrdersConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		stixSeed(t, db)
		green := policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for w := range 8 {
			wg.Go(func() {
				for i := range 5 {
					v := version(fmt.Sprintf("indicator--%08d-0000-4000-8000-%012d", w, i), 1, 0, "o-1", green)
					errs <- db.STIX().Update(ctx, func(tx cti.Tx) error {
						pos, err := tx.ReserveSTIX(ctx, collA, 1, time.Now())
						if err != nil {
							return err
						}
						v.Seq, v.DateAdded = pos[0].Seq, pos[0].DateAdded
						if err := tx.PutMarking(ctx, v.Marked); err != nil {
							return err
						}
						return tx.InsertSTIX(ctx, v)
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		vs, err := db.STIX().ScanSTIX(ctx, collA, cti.Filter{}, 0, 100, false)
		if err != nil || len(vs) != 40 {
			t.Fatalf("ScanSTIX = %d versions, %v; want 40", len(vs), err)
		}
		for i, v := range vs {
			if v.Seq != int64(i+1) || i > 0 && !v.DateAdded.After(vs[i-1].DateAdded) {
				t.Fatalf("version %d at seq %d, date_added %v after %v", i, v.Seq, v.DateAdded, vs[max(i-1, 0)].DateAdded)
			}
		}
	})
}

func TestSTIXVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.STIX()
		stixSeed(t, db)
		const x, y = "indicator--11111111-1111-4111-8111-111111111111", "indicator--22222222-2222-4222-8222-222222222222"
		green := policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}
		amber := policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Orgs: []string{"o-2", "o-1"}, Sectors: []string{"energy"}}}
		x1, x3, x2 := version(x, 1, 0, "o-1", green), version(x, 3, 0, "o-2", amber), version(x, 2, 0, "o-1", green)
		y1 := version(y, 1, 0, "o-1", green)
		insert(t, db, &x1, &x3)
		insert(t, db, &x2, &y1) // an older version arrives later

		all, err := s.ScanSTIX(ctx, collA, cti.Filter{}, 0, 10, true)
		if err != nil {
			t.Fatal(err)
		}
		type flags struct {
			id               string
			seq              int64
			latest, earliest bool
		}
		var got []flags
		for _, v := range all {
			got = append(got, flags{v.ID, v.Seq, v.Latest, v.Earliest})
		}
		want := []flags{{x, 1, false, true}, {x, 2, true, false}, {x, 3, false, false}, {y, 4, true, true}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("versions = %+v\nwant %+v", got, want)
		}
		if string(all[1].Raw) != string(x3.Raw) {
			t.Errorf("raw = %s, want %s byte for byte", all[1].Raw, x3.Raw)
		}
		if m := all[1].Marked; m.OwnerOrg != "o-2" || m.Marking.TLP != policy.Amber ||
			!slices.Equal(m.Marking.Audience.Orgs, []string{"o-1", "o-2"}) || !slices.Equal(m.Marking.Audience.Sectors, []string{"energy"}) {
			t.Errorf("marking = %+v", m)
		}

		t.Run("filters", func(t *testing.T) {
			for name, tc := range map[string]struct {
				f     cti.Filter
				after int64
				n     int
				seqs  []int64
			}{
				"after":       {after: 2, n: 10, seqs: []int64{3, 4}},
				"limit":       {n: 2, seqs: []int64{1, 2}},
				"added after": {f: cti.Filter{AddedAfter: x3.DateAdded}, n: 10, seqs: []int64{3, 4}},
				"ids":         {f: cti.Filter{IDs: []string{y}}, n: 10, seqs: []int64{4}},
				"types":       {f: cti.Filter{Types: []string{"malware", "indicator"}}, n: 10, seqs: []int64{1, 2, 3, 4}},
				"no type":     {f: cti.Filter{Types: []string{"malware"}}, n: 10},
				"spec":        {f: cti.Filter{SpecVersions: []string{"2.0"}}, n: 10},
				"versions":    {f: cti.Filter{Versions: []time.Time{x2.Version}}, n: 10, seqs: []int64{3}},
			} {
				t.Run(name, func(t *testing.T) {
					vs, err := s.ScanSTIX(ctx, collA, tc.f, tc.after, tc.n, false)
					if err != nil {
						t.Fatal(err)
					}
					var seqs []int64
					for _, v := range vs {
						seqs = append(seqs, v.Seq)
						if v.Raw != nil {
							t.Errorf("raw returned though not asked for")
						}
					}
					if !slices.Equal(seqs, tc.seqs) {
						t.Errorf("seqs = %v, want %v", seqs, tc.seqs)
					}
				})
			}
		})

		t.Run("the same version again", func(t *testing.T) {
			err := s.Update(ctx, func(tx cti.Tx) error {
				err := tx.InsertSTIX(ctx, x2)
				wantKind(t, err, verbund.Conflict)
				// The transaction goes on: nothing was tried that failed.
				_, err = tx.ReserveSTIX(ctx, collA, 1, t0)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})

		t.Run("versions of objects", func(t *testing.T) {
			vs, err := s.STIXVersionsOf(ctx, collA, []string{y, x})
			if err != nil || len(vs) != 4 {
				t.Fatalf("STIXVersionsOf = %d, %v", len(vs), err)
			}
			for i, w := range []*cti.Version{&x1, &x2, &x3, &y1} {
				if vs[i].ID != w.ID || !vs[i].Version.Equal(w.Version) {
					t.Errorf("version %d = %s@%v, want %s@%v", i, vs[i].ID, vs[i].Version, w.ID, w.Version)
				}
			}
		})

		t.Run("delete", func(t *testing.T) {
			stixTx(t, db, func(tx cti.Tx) error {
				if err := tx.AddSTIXObservables(ctx, collA, y, []stix.Observable{{Type: "ipv4-addr", Value: "198.51.100.1"}}); err != nil {
					return err
				}
				return tx.DeleteSTIX(ctx, collA, x, []time.Time{x2.Version, x3.Version.Add(time.Hour)})
			})
			vs, _ := s.STIXVersionsOf(ctx, collA, []string{x})
			if len(vs) != 2 || !vs[0].Earliest || vs[0].Latest || !vs[1].Latest || vs[1].Earliest {
				t.Fatalf("after deleting the middle version: %+v", vs)
			}
			stixTx(t, db, func(tx cti.Tx) error { return tx.DeleteSTIX(ctx, collA, x, []time.Time{x3.Version}) })
			vs, _ = s.STIXVersionsOf(ctx, collA, []string{x})
			if len(vs) != 1 || !vs[0].Latest || !vs[0].Earliest {
				t.Fatalf("after deleting the newest version: %+v", vs)
			}
			_, err := db.Marking(ctx, policy.KindSTIX, x3.Marked.ObjectID)
			wantKind(t, err, verbund.NotFound)
			stixTx(t, db, func(tx cti.Tx) error { return tx.DeleteSTIX(ctx, collA, y, []time.Time{y1.Version}) })
			refs, err := s.STIXObservableRefs(ctx, stix.Observable{Type: "ipv4-addr", Value: "198.51.100.1"})
			if err != nil || len(refs) != 0 {
				t.Errorf("observables of a deleted object = %v, %v", refs, err)
			}
		})
	})
}

func TestSTIXObservables(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.STIX()
		stixSeed(t, db)
		obs := []stix.Observable{{Type: "ipv4-addr", Value: "198.51.100.1"}, {Type: "domain-name", Value: "evil.example"}}
		for range 3 { // three versions repeat the same values
			stixTx(t, db, func(tx cti.Tx) error {
				if err := tx.AddSTIXObservables(ctx, collA, "indicator--b", obs); err != nil {
					return err
				}
				return tx.AddSTIXObservables(ctx, collA, "indicator--a", obs[:1])
			})
		}
		n, err := db.QueryColumn(ctx, `SELECT COUNT(*) FROM stix_observables`)
		if err != nil || len(n) != 1 || n[0] != "3" {
			t.Errorf("stix_observables holds %v rows, %v; want 3", n, err)
		}
		refs, err := s.STIXObservableRefs(ctx, obs[0])
		want := []cti.ObjectRef{{Collection: collA, ID: "indicator--a"}, {Collection: collA, ID: "indicator--b"}}
		if err != nil || !reflect.DeepEqual(refs, want) {
			t.Errorf("STIXObservableRefs = %v, %v; want %v", refs, err, want)
		}
	})
}

func TestSTIXStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.STIX()
		stixSeed(t, db)
		st := cti.Status{ID: "status-1", Collection: collA, OrgID: "o-2", RequestedBy: "tok-1", RequestTimestamp: t0,
			Successes: []cti.StatusDetail{{ID: "indicator--a", Version: "2026-03-02T09:30:00.123Z"}},
			Failures:  []cti.StatusDetail{{ID: "x", Version: "", Message: "not STIX <&>"}}}
		stixTx(t, db, func(tx cti.Tx) error { return tx.PutSTIXStatus(ctx, st) })
		got, err := s.STIXStatus(ctx, st.ID)
		if err != nil || !reflect.DeepEqual(got, st) {
			t.Errorf("STIXStatus = %+v, %v\nwant %+v", got, err, st)
		}
		_, err = s.STIXStatus(ctx, "status-2")
		wantKind(t, err, verbund.NotFound)
		err = s.Update(ctx, func(tx cti.Tx) error { return tx.PutSTIXStatus(ctx, st) })
		wantKind(t, err, verbund.Conflict)
	})
}
