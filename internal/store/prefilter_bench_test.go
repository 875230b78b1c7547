package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store/storetest"
)

// BenchmarkVisibleMarked100k lists the indicators one viewer may see among
// 100,000 stored on SQLite, through the pre-filter and the policy. The
// setup (an alliance of 200 organisations and 100,000 random markings) is
// not timed. Sub-benchmarks: a user of an active member (the common case),
// an office analyst (whom the pre-filter hardly narrows for) and the public
// (CLEAR only). Run it with
//
//	go test ./internal/store -run '^$' -bench VisibleMarked100k -benchtime 20x
func BenchmarkVisibleMarked100k(b *testing.B) {
	const objects = 100_000
	ctx := context.Background()
	db := storetest.SQLite(b)
	r := rand.New(rand.NewPCG(1, 2))
	w := genAlliance(b, db, r, allianceSize{orgs: 200, circles: 20})
	w.kinds = []string{policy.KindIndicator}
	sectors := identity.Sectors[:6]
	var users []string
	for _, o := range w.orgs {
		users = append(users, w.users[o.ID]...)
	}
	for start := 0; start < objects; start += 5000 {
		err := db.Designation().Update(ctx, func(tx designation.Tx) error {
			for i := start; i < start+5000; i++ {
				o := genObject(r, w, fmt.Sprintf("x-%06d", i), sectors, users)
				if err := tx.PutMarking(ctx, designation.Marked{Kind: o.Kind, ObjectID: o.ID, OwnerOrg: o.OwnerOrg,
					CreatedBy: o.CreatedBy, Marking: o.Marking}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defs, err := designation.NewService(db.Designation(), designation.Config{}).CircleDefs(ctx)
	if err != nil {
		b.Fatal(err)
	}
	circles, err := policy.NewCircles(defs)
	if err != nil {
		b.Fatal(err)
	}
	// The member in the most circles, so that every branch of the query
	// has rows to find.
	member := w.orgs[1]
	for _, o := range w.orgs[1:] {
		if circles.Of(o.ID).Len() > circles.Of(member.ID).Len() {
			member = o
		}
	}
	viewers := []struct {
		name string
		v    policy.Viewer
	}{
		{"member", policy.Viewer{Kind: policy.ViewerUser, UserID: w.users[member.ID][0], OrgID: member.ID,
			OrgStatus: policy.StatusActive, AcceptedCurrentAgreement: true,
			OrgSectors: policy.NewSet(member.Sectors...), Circles: circles.Of(member.ID)}},
		{"office-analyst", policy.Viewer{Kind: policy.ViewerUser, UserID: w.users[w.office][0], OrgID: w.office,
			OrgStatus: policy.StatusActive, AcceptedCurrentAgreement: true, IsOffice: true,
			OfficeRoles: policy.Roles(policy.RoleAnalyst)}},
		{"public", policy.Viewer{}},
	}
	for _, vc := range viewers {
		b.Run(vc.name, func(b *testing.B) {
			var n, cand int
			for b.Loop() {
				got, err := db.VisibleMarked(ctx, pol, &vc.v, policy.KindIndicator, w.now)
				if err != nil {
					b.Fatal(err)
				}
				n = len(got)
			}
			c, err := db.MarkedCandidates(ctx, pol, &vc.v, policy.KindIndicator)
			if err != nil {
				b.Fatal(err)
			}
			cand = len(c)
			b.ReportMetric(float64(n), "visible")
			b.ReportMetric(float64(cand), "candidates")
		})
	}
}
