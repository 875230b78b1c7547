package store_test

import (
	"testing"
	"time"

	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The newest come first, and a listing goes on before a date_added.
func TestSTIXScanBefore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.STIX()
		stixSeed(t, db)
		green := policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}
		const x, y = "indicator--11111111-1111-4111-8111-111111111111", "indicator--22222222-2222-4222-8222-222222222222"
		x1, y1, x2 := version(x, 1, 0, "o-1", green), version(y, 1, 0, "o-1", green), version(x, 2, 0, "o-1", green)
		insert(t, db, &x1)
		insert(t, db, &y1)
		insert(t, db, &x2)
		ids := func(vs []cti.Version) []string {
			var out []string
			for _, v := range vs {
				out = append(out, v.ID+"@"+v.Version.Format(time.RFC3339))
			}
			return out
		}
		all, err := s.ScanSTIXBefore(ctx, collA, cti.Filter{}, time.Time{}, 10)
		if err != nil || len(all) != 3 || all[0].Seq != x2.Seq || all[1].Seq != y1.Seq || all[2].Seq != x1.Seq {
			t.Fatalf("ScanSTIXBefore from the newest = %v, %v; want x2, y1, x1", ids(all), err)
		}
		if len(all[0].Raw) == 0 || all[0].Marked.OwnerOrg != "o-1" {
			t.Errorf("the newest comes without JSON or marking: %+v", all[0])
		}
		older, err := s.ScanSTIXBefore(ctx, collA, cti.Filter{}, y1.DateAdded, 10)
		if err != nil || len(older) != 1 || older[0].Seq != x1.Seq {
			t.Errorf("ScanSTIXBefore y1 = %v, %v; want x1", ids(older), err)
		}
		one, err := s.ScanSTIXBefore(ctx, collA, cti.Filter{IDs: []string{y}, Types: []string{"indicator"}}, time.Time{}, 1)
		if err != nil || len(one) != 1 || one[0].ID != y {
			t.Errorf("ScanSTIXBefore of y = %v, %v", ids(one), err)
		}
		none, err := s.ScanSTIXBefore(ctx, collA, cti.Filter{Types: []string{"malware"}}, time.Time{}, 10)
		if err != nil || len(none) != 0 {
			t.Errorf("ScanSTIXBefore of malware = %v, %v", ids(none), err)
		}
	})
}
