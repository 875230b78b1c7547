package store_test

import (
	"fmt"
	"testing"

	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The same address in many indicators, each in several versions, is one
// index row per indicator, and a batch lookup of it stays within its limit.
func TestSTIXObservableMatchesBounded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.STIX().(cti.LookupStore)
		stixSeed(t, db)
		ip := stix.Observable{Type: stix.IPv4Addr, Value: "198.51.100.1"}
		block := stix.Observable{Type: stix.IPv4Addr, Value: "198.51.100.0/24"}
		const n = 300
		for range 2 { // a second version of each indicator repeats the values
			stixTx(t, db, func(tx cti.Tx) error {
				for i := range n {
					if err := tx.AddSTIXObservables(ctx, collA, fmt.Sprintf("indicator--%04d", i), []stix.Observable{ip}); err != nil {
						return err
					}
				}
				return tx.AddSTIXObservables(ctx, collA, "indicator--block", []stix.Observable{block, {Type: stix.IPv6Addr, Value: "2001:db8::/32"}})
			})
		}
		rows, err := db.QueryColumn(ctx, `SELECT COUNT(*) FROM stix_observables`)
		if err != nil || len(rows) != 1 || rows[0] != fmt.Sprint(n+2) {
			t.Errorf("the index holds %v rows, %v; want %d, one per indicator and value", rows, err, n+2)
		}
		got, err := s.STIXObservableMatches(ctx, []stix.Observable{ip, block, {Type: stix.DomainName, Value: "nothing.example"}, ip}, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 || len(got[0]) != 50 || len(got[3]) != 50 || len(got[1]) != 1 || len(got[2]) != 0 {
			t.Fatalf("matches per key: %d keys, want 4 with 50, 1, 0, 50 objects", len(got))
		}
		if got[0][0].ID != "indicator--0000" || got[0][49].ID != "indicator--0049" || got[1][0].ID != "indicator--block" {
			t.Errorf("matches are not the first by id: %v … %v; %v", got[0][0], got[0][49], got[1])
		}
		lengths, err := s.STIXBlockLengths(ctx)
		if err != nil || fmt.Sprint(lengths[stix.IPv4Addr]) != "[24]" || fmt.Sprint(lengths[stix.IPv6Addr]) != "[32]" {
			t.Errorf("STIXBlockLengths = %v, %v", lengths, err)
		}
	})
}

// STIXVersionsFor reads the versions of objects in one statement, with
// their JSON and markings, and leaves other objects out.
func TestSTIXVersionsFor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.STIX().(cti.LookupStore)
		stixSeed(t, db)
		green := policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}
		a1, a2, b1, c1 := version("indicator--a", 1, 0, "o-1", green), version("indicator--a", 2, 0, "o-1", green),
			version("indicator--b", 1, 0, "o-2", green), version("indicator--c", 1, 0, "o-1", green)
		insert(t, db, &a2, &b1, &a1, &c1)
		vs, err := s.STIXVersionsFor(ctx, []cti.ObjectRef{{Collection: collA, ID: "indicator--b"}, {Collection: collA, ID: "indicator--a"},
			{Collection: "elsewhere", ID: "indicator--c"}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range vs {
			got = append(got, fmt.Sprintf("%s@%s %s %d", v.ID, cti.FormatTimestamp(v.Version), v.Marked.OwnerOrg, len(v.Raw)))
		}
		want := []string{
			fmt.Sprintf("indicator--a@%s o-1 %d", cti.FormatTimestamp(a1.Version), len(a1.Raw)),
			fmt.Sprintf("indicator--a@%s o-1 %d", cti.FormatTimestamp(a2.Version), len(a2.Raw)),
			fmt.Sprintf("indicator--b@%s o-2 %d", cti.FormatTimestamp(b1.Version), len(b1.Raw)),
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("STIXVersionsFor = %v, want %v", got, want)
		}
	})
}
