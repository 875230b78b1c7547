package store_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

func application(id, orgID string, kind membership.Status, at time.Time) membership.Application {
	a := membership.Application{ID: id, OrgID: orgID, Kind: kind, Description: "we can help", State: membership.Pending,
		SubmittedBy: "u-1", SubmittedAt: at}
	if kind == membership.Partner {
		a.Expertise = []string{"Incident Response", "OT security"}
	} else {
		a.OrgType = "chamber"
	}
	return a
}

func TestApplicationsAndContributions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Membership()
		seedUser(t, db)
		p1, m1 := application("a-1", "o-1", membership.Partner, t0), application("a-2", "o-2", membership.Multiplier, t0.Add(time.Second))
		mupdate(t, db, func(tx membership.Tx) error {
			if err := tx.CreateApplication(ctx, p1); err != nil {
				return err
			}
			return tx.CreateApplication(ctx, m1)
		})
		if got, err := s.Application(ctx, "a-1"); err != nil || !reflect.DeepEqual(got, p1) {
			t.Errorf("Application = %+v, %v\nwant %+v", got, err, p1)
		}
		_, err := s.Application(ctx, "a-missing")
		wantKind(t, err, verbund.NotFound)
		// One open application per organisation and kind; another kind is fine.
		wantKind(t, s.Update(ctx, func(tx membership.Tx) error {
			return tx.CreateApplication(ctx, application("a-3", "o-1", membership.Partner, t0))
		}), verbund.Conflict)
		mupdate(t, db, func(tx membership.Tx) error {
			return tx.CreateApplication(ctx, application("a-4", "o-1", membership.Multiplier, t0.Add(2*time.Second)))
		})

		decided := m1
		decided.State, decided.DecidedBy, decided.DecidedAt, decided.Reason = membership.Approved, "u-office", t0.Add(time.Hour), "fits"
		decided.Checked = []string{"item one", "item two"}
		decide := func(a membership.Application) (bool, error) {
			var ok bool
			err := s.Update(ctx, func(tx membership.Tx) error {
				var err error
				ok, err = tx.DecideApplication(ctx, a)
				return err
			})
			return ok, err
		}
		if ok, err := decide(decided); !ok || err != nil {
			t.Fatalf("DecideApplication = %v, %v", ok, err)
		}
		if got, _ := s.Application(ctx, "a-2"); !reflect.DeepEqual(got, decided) {
			t.Errorf("after DecideApplication = %+v\nwant %+v", got, decided)
		}
		again := decided
		again.State, again.Reason = membership.Rejected, "changed my mind"
		if ok, err := decide(again); ok || err != nil {
			t.Errorf("deciding twice = %v, %v; want false", ok, err)
		}
		missing := decided
		missing.ID = "a-missing"
		_, err = decide(missing)
		wantKind(t, err, verbund.NotFound)

		for _, tc := range []struct {
			f    membership.ApplicationFilter
			want []string
		}{
			{membership.ApplicationFilter{}, []string{"a-1", "a-2", "a-4"}},
			{membership.ApplicationFilter{OrgID: "o-1"}, []string{"a-1", "a-4"}},
			{membership.ApplicationFilter{Kind: membership.Multiplier}, []string{"a-2", "a-4"}},
			{membership.ApplicationFilter{State: membership.Pending}, []string{"a-1", "a-4"}},
			{membership.ApplicationFilter{State: membership.Approved, Kind: membership.Multiplier}, []string{"a-2"}},
		} {
			as, err := s.ListApplications(ctx, tc.f)
			if got := ids(as, func(a membership.Application) string { return a.ID }); err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("ListApplications(%+v) = %v, %v; want %v", tc.f, got, err, tc.want)
			}
		}

		c := membership.Contribution{ID: "c-1", OrgID: "o-2", ApplicationID: "a-2", Kind: membership.Multiplier,
			Type: "social-media", Title: "Posts", Description: "we posted", Link: "https://example.org/p",
			State: membership.Pending, SubmittedBy: "u-2", SubmittedAt: t0.Add(2 * time.Hour)}
		c2 := c
		c2.ID, c2.SubmittedAt = "c-2", t0.Add(3*time.Hour)
		mupdate(t, db, func(tx membership.Tx) error {
			if err := tx.CreateContribution(ctx, c); err != nil {
				return err
			}
			return tx.CreateContribution(ctx, c2)
		})
		if got, err := s.Contribution(ctx, "c-1"); err != nil || !reflect.DeepEqual(got, c) {
			t.Errorf("Contribution = %+v, %v\nwant %+v", got, err, c)
		}
		_, err = s.Contribution(ctx, "c-missing")
		wantKind(t, err, verbund.NotFound)
		bad := c
		bad.ID, bad.ApplicationID = "c-bad", "a-missing"
		wantKind(t, s.Update(ctx, func(tx membership.Tx) error { return tx.CreateContribution(ctx, bad) }), verbund.Invalid)

		acc := c
		acc.State, acc.DecidedBy, acc.DecidedAt, acc.Reason = membership.Accepted, "u-office", t0.Add(4*time.Hour), "thanks"
		decideC := func(c membership.Contribution) (bool, error) {
			var ok bool
			err := s.Update(ctx, func(tx membership.Tx) error {
				var err error
				ok, err = tx.DecideContribution(ctx, c)
				return err
			})
			return ok, err
		}
		if ok, err := decideC(acc); !ok || err != nil {
			t.Fatalf("DecideContribution = %v, %v", ok, err)
		}
		if ok, err := decideC(acc); ok || err != nil {
			t.Errorf("deciding twice = %v, %v; want false", ok, err)
		}
		if got, _ := s.Contribution(ctx, "c-1"); !reflect.DeepEqual(got, acc) {
			t.Errorf("after DecideContribution = %+v\nwant %+v", got, acc)
		}
		if cs, err := s.ListContributions(ctx, membership.ContributionFilter{OrgID: "o-2", State: membership.Pending}); err != nil ||
			len(cs) != 1 || cs[0].ID != "c-2" {
			t.Errorf("ListContributions(pending) = %+v, %v", cs, err)
		}

		// Withdrawing touches only open items of the one organisation.
		var n int
		mupdate(t, db, func(tx membership.Tx) error {
			var err error
			n, err = tx.WithdrawOpen(ctx, "o-2", t0.Add(5*time.Hour))
			return err
		})
		if n != 1 {
			t.Errorf("WithdrawOpen = %d, want 1 (c-2)", n)
		}
		if got, _ := s.Contribution(ctx, "c-2"); got.State != membership.Withdrawn || !got.DecidedAt.Equal(t0.Add(5*time.Hour)) {
			t.Errorf("c-2 after WithdrawOpen = %+v", got)
		}
		if got, _ := s.Contribution(ctx, "c-1"); got.State != membership.Accepted {
			t.Errorf("c-1 after WithdrawOpen = %s, want accepted", got.State)
		}
		if got, _ := s.Application(ctx, "a-1"); got.State != membership.Pending {
			t.Errorf("a-1 of another organisation = %s, want pending", got.State)
		}
	})
}

func TestStatusesAndBadges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Membership()
		seedUser(t, db)
		part := membership.StatusRecord{ID: "s-1", OrgID: "o-1", Status: membership.Participant, Since: t0}
		partner := membership.StatusRecord{ID: "s-2", OrgID: "o-1", Status: membership.Partner, Since: t0.Add(time.Hour)}
		other := membership.StatusRecord{ID: "s-3", OrgID: "o-2", Status: membership.Participant, Since: t0.Add(time.Minute)}
		mupdate(t, db, func(tx membership.Tx) error {
			for _, r := range []membership.StatusRecord{part, partner, other} {
				if err := tx.StartStatus(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		dup := part
		dup.ID = "s-dup"
		wantKind(t, s.Update(ctx, func(tx membership.Tx) error { return tx.StartStatus(ctx, dup) }), verbund.Conflict)
		if got, err := s.ListStatuses(ctx, membership.StatusFilter{OrgID: "o-1"}); err != nil ||
			!reflect.DeepEqual(got, []membership.StatusRecord{part, partner}) {
			t.Errorf("ListStatuses(o-1) = %+v, %v", got, err)
		}

		badge := func(id, orgID string, st membership.Status, at time.Time) membership.Badge {
			return membership.Badge{ID: id, OrgID: orgID, Status: st, Since: at, IssuedAt: at,
				Statement: `{"badge":"` + id + `"}`, Signature: "c2ln"}
		}
		b1, b2, b3 := badge("b-1", "o-1", membership.Participant, t0), badge("b-2", "o-1", membership.Partner, t0.Add(time.Hour)),
			badge("b-3", "o-2", membership.Participant, t0)
		mupdate(t, db, func(tx membership.Tx) error {
			for _, b := range []membership.Badge{b1, b2, b3} {
				if err := tx.CreateBadge(ctx, b); err != nil {
					return err
				}
			}
			return nil
		})
		wantKind(t, s.Update(ctx, func(tx membership.Tx) error { return tx.CreateBadge(ctx, b1) }), verbund.Conflict)
		b1.OrgName = "One" // read from the organisation
		if got, err := s.Badge(ctx, "b-1"); err != nil || !reflect.DeepEqual(got, b1) {
			t.Errorf("Badge = %+v, %v\nwant %+v", got, err, b1)
		}
		_, err := s.Badge(ctx, "b-missing")
		wantKind(t, err, verbund.NotFound)

		revoke := func(orgID string, st membership.Status, at time.Time) int {
			var n int
			mupdate(t, db, func(tx membership.Tx) error {
				var err error
				n, err = tx.RevokeBadges(ctx, orgID, st, at, "why")
				return err
			})
			return n
		}
		if n := revoke("o-1", membership.Partner, t0.Add(2*time.Hour)); n != 1 {
			t.Errorf("RevokeBadges(partner) = %d, want 1", n)
		}
		if n := revoke("o-1", "", t0.Add(3*time.Hour)); n != 1 {
			t.Errorf("RevokeBadges(all) = %d, want 1: revoked ones stay as they were", n)
		}
		bs, err := s.ListBadges(ctx, "o-1")
		if err != nil || len(bs) != 2 || bs[0].ID != "b-2" || !bs[0].RevokedAt.Equal(t0.Add(2*time.Hour)) ||
			!bs[1].RevokedAt.Equal(t0.Add(3*time.Hour)) || bs[1].RevokeReason != "why" {
			t.Errorf("ListBadges(o-1) = %+v, %v; want newest first, both revoked at their times", bs, err)
		}
		if got, _ := s.Badge(ctx, "b-3"); got.Revoked() {
			t.Errorf("another organisation's badge was revoked")
		}

		var n int
		mupdate(t, db, func(tx membership.Tx) error {
			var err error
			n, err = tx.EndStatuses(ctx, "o-1", t0.Add(4*time.Hour), "ended")
			return err
		})
		if n != 2 {
			t.Errorf("EndStatuses = %d, want 2", n)
		}
		cur, _ := s.ListStatuses(ctx, membership.StatusFilter{CurrentOnly: true})
		if got := ids(cur, func(r membership.StatusRecord) string { return r.ID }); !slices.Equal(got, []string{"s-3"}) {
			t.Errorf("current statuses = %v, want [s-3]", got)
		}
		// An ended status can start again.
		again := part
		again.ID, again.Since = "s-4", t0.Add(5*time.Hour)
		mupdate(t, db, func(tx membership.Tx) error { return tx.StartStatus(ctx, again) })
		if got, _ := s.ListStatuses(ctx, membership.StatusFilter{OrgID: "o-1", Status: membership.Participant}); len(got) != 2 ||
			got[0].EndReason != "ended" || !got[1].Current() {
			t.Errorf("participant history = %+v", got)
		}
	})
}

func TestMembershipCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Membership()
		office := org("o-office", "Office", "DE", "public-administration")
		office.Kind = identity.KindOffice
		a, b, c := org("o-a", "A", "DE", "energy", "water"), org("o-b", "B", "DE", "energy"), org("o-c", "C", "DE", "health")
		b.Status, c.Status = identity.StatusPending, identity.StatusTerminated
		update(t, db, func(tx identity.Tx) error {
			for _, o := range []identity.Organisation{office, a, b, c} {
				if err := tx.CreateOrganisation(ctx, o); err != nil {
					return err
				}
			}
			return nil
		})
		mupdate(t, db, func(tx membership.Tx) error {
			for _, id := range []string{"o-a", "o-c"} {
				if err := tx.CreateProfile(ctx, profile(id)); err != nil {
					return err
				}
			}
			return nil
		})
		got, err := s.MembershipCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := membership.Counts{
			ByStatus: map[string]int{"active": 1, "pending": 1, "terminated": 1},
			BySector: map[string]int{"energy": 2, "water": 1},
			BySize:   map[string]int{"10-49": 1, "": 1},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("MembershipCounts = %+v\nwant %+v", got, want)
		}
	})
}
