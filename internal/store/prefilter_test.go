package store_test

import (
	"flag"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// prefilterSeed makes a failing run of the differential test repeatable:
// go test ./internal/store -run TestVisibleMarkedDifferential -args -prefilter.seed=N
var prefilterSeed = flag.Uint64("prefilter.seed", 0, "seed of the differential test of the SQL pre-filter; 0 picks a new one")

// The size of the differential test: viewers × objects pairs per regime,
// in two regimes, on each database.
const (
	diffViewers = 40
	diffObjects = 600
)

// TestVisibleMarkedDifferential is the differential test the design asks
// of every SQL pre-filter: on a random alliance (organisations with sectors
// and statuses, nested circles, designations valid, expired, not yet valid
// and revoked, objects with random markings at every level), for random
// viewers in the open alliance and in the designated-hub regime, the store's
// listing returns exactly the objects for which policy.Decide allows the
// viewer, computed over all objects: no more and no less.
func TestVisibleMarkedDifferential(t *testing.T) {
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
	// Not every category: so that "designation-category" is decided too.
	hubCfg.Regime = policy.Regime{Mode: policy.DesignatedHub, Confidential: []policy.Category{
		policy.CategoryOKTT, policy.CategoryDesignatedCSIRT, policy.CategoryISP}}
	hub, err := policy.New(hubCfg)
	if err != nil {
		t.Fatal(err)
	}
	regimes := []struct {
		name string
		pol  *policy.Policy
	}{{"open-alliance", open}, {"designated-hub", hub}}

	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		r := rand.New(rand.NewPCG(seed, seed^0x5eed))
		w := genAlliance(t, db, r, allianceSize{orgs: 24, circles: 10, objects: diffObjects})
		des := designation.NewService(db.Designation(), designation.Config{Now: func() time.Time { return w.now }})
		defs, err := des.CircleDefs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		circles, err := policy.NewCircles(defs)
		if err != nil {
			t.Fatal(err)
		}
		viewers := make([]policy.Viewer, diffViewers)
		for i := range viewers {
			viewers[i] = genViewer(t, r, w, i, circles, des)
		}
		byKind := map[string][]policy.Object{}
		for _, o := range w.objects {
			byKind[o.Kind] = append(byKind[o.Kind], o)
		}

		var (
			pairs, allowed, candidates, mismatches int
			vias                                   = map[policy.Via]int{}
			codes                                  = map[policy.Code]int{}
		)
		for _, rg := range regimes {
			for vi := range viewers {
				v := &viewers[vi]
				for _, kind := range w.kinds {
					want := map[string]policy.Object{}
					for _, o := range byKind[kind] {
						d := rg.pol.Decide(v, &o, w.now)
						if d.Allow {
							want[o.ID] = o
							allowed++
							vias[d.Via]++
						} else {
							codes[d.Code]++
						}
					}
					pairs += len(byKind[kind])
					got, err := db.VisibleMarked(ctx, rg.pol, v, kind, w.now)
					if err != nil {
						t.Fatalf("VisibleMarked: %v", err)
					}
					cand, err := db.MarkedCandidates(ctx, rg.pol, v, kind)
					if err != nil {
						t.Fatalf("MarkedCandidates: %v", err)
					}
					candidates += len(cand)
					report := func(format string, args ...any) {
						mismatches++
						if mismatches <= 10 {
							t.Errorf("seed %d, %s, viewer %d (%s):\n"+format, append([]any{seed, rg.name, vi, describeViewer(v)}, args...)...)
						}
					}
					seen := map[string]bool{}
					for _, m := range got {
						seen[m.ObjectID] = true
						o, ok := want[m.ObjectID]
						if !ok {
							obj := m.Object(false)
							report("the store lists %s %s %+v owned by %s, which the policy denies: %v",
								m.Kind, m.ObjectID, m.Marking, m.OwnerOrg, rg.pol.Decide(v, &obj, w.now))
							continue
						}
						if m.Kind != o.Kind || m.OwnerOrg != o.OwnerOrg || m.CreatedBy != o.CreatedBy || !sameMarking(m.Marking, o.Marking) {
							report("the store lists %s with %+v (owner %s, by %q)\nstored was %+v (owner %s, by %q)",
								m.ObjectID, m.Marking, m.OwnerOrg, m.CreatedBy, o.Marking, o.OwnerOrg, o.CreatedBy)
						}
					}
					for id, o := range want {
						if !seen[id] {
							report("the store misses %s %s %+v owned by %s, which the policy allows: %v",
								o.Kind, id, o.Marking, o.OwnerOrg, rg.pol.Decide(v, &o, w.now))
						}
					}
					if !slices.IsSortedFunc(got, func(a, b designation.Marked) int { return strings.Compare(a.ObjectID, b.ObjectID) }) {
						t.Errorf("seed %d: the listing is not in object id order", seed)
					}
				}
			}
		}
		if mismatches > 0 {
			t.Fatalf("seed %d: %d mismatches in %d pairs", seed, mismatches, pairs)
		}
		t.Logf("%d pairs, %d allowed; the pre-filter returned %d candidates (%.0f%% of the pairs); allowed via %v",
			pairs, allowed, candidates, 100*float64(candidates)/float64(pairs), vias)
		if pairs < 10_000 {
			t.Fatalf("only %d pairs", pairs)
		}
		// A differential test proves nothing about a path its data never
		// takes: every way to be allowed, and the denials the pre-filter
		// must leave to the policy, must occur.
		for _, via := range []policy.Via{policy.ViaOwner, policy.ViaPublic, policy.ViaCommunity, policy.ViaSector,
			policy.ViaCircle, policy.ViaOrg, policy.ViaUser, policy.ViaOfficeRole} {
			if vias[via] == 0 {
				t.Errorf("seed %d: no pair is allowed via %s; the data does not test that branch", seed, via)
			}
		}
		for _, c := range []policy.Code{policy.CodeAgreement, policy.CodeAmberStrict, policy.CodeRedNotNamed,
			policy.CodeAudienceNotIncl, policy.CodeDesignationMissing, policy.CodeTokenScope} {
			if codes[c] == 0 {
				t.Errorf("seed %d: no pair is denied with %s; the data does not test it", seed, c)
			}
		}
		if candidates >= pairs {
			t.Errorf("the pre-filter returned %d candidates for %d pairs: it does not narrow", candidates, pairs)
		}
	})
}

// sameMarking reports whether the stored marking a is the generated b.
func sameMarking(a, b policy.Marking) bool {
	return a.TLP == b.TLP && a.Confidential == b.Confidential && a.Identifiable == b.Identifiable &&
		a.Purpose == b.Purpose && a.Audience.Community == b.Audience.Community &&
		slices.Equal(a.Audience.Sectors, b.Audience.Sectors) && slices.Equal(a.Audience.Circles, b.Audience.Circles) &&
		slices.Equal(a.Audience.Orgs, b.Audience.Orgs) && slices.Equal(a.Audience.Users, b.Audience.Users)
}
