package store_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// TestScanSTIXForDifferential is the differential test of the narrowed
// TAXII scan: on the random alliance of the pre-filter's test, with the
// random markings as the markings of STIX objects in one collection, for
// random viewers under both regimes, the narrowed scan returns only stored
// versions, and among them every version policy.Decide allows the viewer:
// the door, deciding what it gets, answers exactly as without narrowing.
func TestScanSTIXForDifferential(t *testing.T) {
	seed := *prefilterSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (repeat with -args -prefilter.seed=%d)", seed, seed)
	open, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	hubCfg := policy.DefaultConfig()
	hubCfg.Regime = policy.Regime{Mode: policy.DesignatedHub, Confidential: []policy.Category{
		policy.CategoryOKTT, policy.CategoryDesignatedCSIRT, policy.CategoryISP}}
	hub, err := policy.New(hubCfg)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := rand.New(rand.NewPCG(seed, seed^0x57e1))
		w := genAlliance(t, db, r, allianceSize{orgs: 20, circles: 8, objects: 500})
		des := designation.NewService(db.Designation(), designation.Config{Now: func() time.Time { return w.now }})
		defs, err := des.CircleDefs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		circles, err := policy.NewCircles(defs)
		if err != nil {
			t.Fatal(err)
		}
		viewers := make([]policy.Viewer, 30)
		for i := range viewers {
			viewers[i] = genViewer(t, r, w, i, circles, des)
		}
		const coll = "0190f1c2-0000-7000-8000-0000000000d1"
		c := cti.Collection{ID: coll, Title: "Differential", MediaTypes: []string{cti.MediaTypeSTIX}, OwnerOrg: w.office,
			CreatedAt: w.now, Default: policy.Marking{TLP: policy.Clear, Audience: policy.Audience{Community: true}}}
		stixTx(t, db, func(tx cti.Tx) error {
			if err := designation.SaveMarking(ctx, tx, cti.KindCollection, c.ID, c.OwnerOrg, "", c.Default); err != nil {
				return err
			}
			if err := tx.CreateSTIXCollection(ctx, c); err != nil {
				return err
			}
			pos, err := tx.ReserveSTIX(ctx, coll, len(w.objects), w.now)
			if err != nil {
				return err
			}
			vs := make([]cti.NewVersion, len(w.objects))
			for i, o := range w.objects {
				id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i)
				at := w.now.Add(-time.Duration(i) * time.Minute)
				vs[i] = cti.NewVersion{Version: cti.Version{Collection: coll, Seq: pos[i].Seq, DateAdded: pos[i].DateAdded, ID: id,
					Type: "indicator", SpecVersion: "2.1", Version: at, Latest: true, Earliest: true,
					Raw: json.RawMessage(fmt.Sprintf(`{"type":"indicator","id":%q}`, id)),
					Marked: designation.Marked{Kind: policy.KindSTIX, ObjectID: cti.MarkingID(coll, id, at), OwnerOrg: o.OwnerOrg,
						CreatedBy: o.CreatedBy, Marking: o.Marking}}}
			}
			return tx.(cti.BulkTx).InsertSTIXNew(ctx, vs)
		})
		all, err := db.ScanSTIX(ctx, coll, cti.Filter{}, 0, len(w.objects)+1, false)
		if err != nil || len(all) != len(w.objects) {
			t.Fatalf("ScanSTIX: %d versions, %v; want %d", len(all), err, len(w.objects))
		}
		var pairs, allowed, kept, mismatches int
		for _, rg := range []struct {
			name string
			pol  *policy.Policy
		}{{"open-alliance", open}, {"designated-hub", hub}} {
			for vi := range viewers {
				v := &viewers[vi]
				got, err := db.ScanSTIXFor(ctx, rg.pol, v, coll, cti.Filter{}, 0, len(w.objects)+1, false)
				if err != nil {
					t.Fatalf("ScanSTIXFor: %v", err)
				}
				in := map[int64]bool{}
				for _, g := range got {
					in[g.Seq] = true
				}
				kept += len(got)
				pairs += len(all)
				for i := range all {
					o := all[i].Object()
					d := rg.pol.Decide(v, &o, w.now)
					if d.Allow {
						allowed++
					}
					if d.Allow && !in[all[i].Seq] {
						mismatches++
						if mismatches <= 10 {
							t.Errorf("seed %d, %s, viewer %d (%s): the narrowed scan misses %s %+v owned by %s, which the policy allows via %s",
								seed, rg.name, vi, describeViewer(v), all[i].ID, o.Marking, o.OwnerOrg, d.Via)
						}
					}
				}
				if len(in) != len(got) || len(got) > len(all) {
					t.Errorf("the narrowed scan returns %d versions (%d distinct) of %d", len(got), len(in), len(all))
				}
			}
		}
		t.Logf("%d pairs, %d allowed, %d kept by the narrowed scan", pairs, allowed, kept)
		if mismatches > 0 {
			t.Fatalf("seed %d: %d allowed versions missing", seed, mismatches)
		}
		if kept >= pairs || allowed == 0 {
			t.Errorf("the narrowed scan kept %d of %d pairs (%d allowed): it does not narrow", kept, pairs, allowed)
		}
	})
}
