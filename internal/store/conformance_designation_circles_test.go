package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

func circleOf(id, name, owner string) designation.Circle {
	return designation.Circle{ID: id, Name: name, OwnerOrg: owner, CreatedBy: "u-1", CreatedAt: t0, UpdatedAt: t0}
}

func TestCircleStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Designation()
		desSeed(t, db)
		a, b, c := circleOf("c-a", "beta", "o-1"), circleOf("c-b", "Alpha", "o-1"), circleOf("c-c", "alpha", "o-2")
		a.Description, a.HideMembers = "grid operators", true
		mustDes(t, db, func(tx designation.Tx) error {
			if err := tx.LockCircles(ctx); err != nil {
				return err
			}
			for _, x := range []designation.Circle{a, b, c} {
				if err := tx.CreateCircle(ctx, x); err != nil {
					return err
				}
			}
			if err := tx.AddCircleOrg(ctx, "c-a", "o-2", "u-1", t0); err != nil {
				return err
			}
			if err := tx.AddCircleOrg(ctx, "c-a", "o-1", "u-1", t0); err != nil {
				return err
			}
			return tx.AddCircleCircle(ctx, "c-a", "c-b", "u-1", t0)
		})
		got, err := s.Circle(ctx, "c-a")
		want := a
		want.Orgs, want.Circles = []string{"o-1", "o-2"}, []string{"c-b"}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Circle = %+v, %v\nwant %+v", got, err, want)
		}
		_, err = s.Circle(ctx, "c-missing")
		wantKind(t, err, verbund.NotFound)
		cs, err := s.ListCircles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(cs, func(c designation.Circle) string { return c.ID }); !slices.Equal(got, []string{"c-b", "c-a", "c-c"}) {
			t.Errorf("ListCircles = %v, want by owner, then name", got)
		}
		if !reflect.DeepEqual(cs[1], want) || cs[0].Orgs != nil || cs[0].Circles != nil {
			t.Errorf("ListCircles members = %+v", cs)
		}

		for _, tc := range []struct {
			name string
			fn   func(tx designation.Tx) error
			kind verbund.Kind
		}{
			{"a name taken in another case", func(tx designation.Tx) error { return tx.CreateCircle(ctx, circleOf("c-x", "BETA", "o-1")) }, verbund.Conflict},
			{"an owner that does not exist", func(tx designation.Tx) error { return tx.CreateCircle(ctx, circleOf("c-x", "x", "o-missing")) }, verbund.Invalid},
			{"rename to a taken name", func(tx designation.Tx) error { x := b; x.Name = "Beta"; return tx.UpdateCircle(ctx, x) }, verbund.Conflict},
			{"update a missing circle", func(tx designation.Tx) error { return tx.UpdateCircle(ctx, circleOf("c-x", "x", "o-1")) }, verbund.NotFound},
			{"an organisation twice", func(tx designation.Tx) error { return tx.AddCircleOrg(ctx, "c-a", "o-1", "", t0) }, verbund.Conflict},
			{"an organisation that does not exist", func(tx designation.Tx) error { return tx.AddCircleOrg(ctx, "c-a", "o-missing", "", t0) }, verbund.Invalid},
			{"a circle twice", func(tx designation.Tx) error { return tx.AddCircleCircle(ctx, "c-a", "c-b", "", t0) }, verbund.Conflict},
			{"a circle in itself", func(tx designation.Tx) error { return tx.AddCircleCircle(ctx, "c-a", "c-a", "", t0) }, verbund.Invalid},
			{"a circle that does not exist", func(tx designation.Tx) error { return tx.AddCircleCircle(ctx, "c-a", "c-missing", "", t0) }, verbund.Invalid},
		} {
			t.Run(tc.name, func(t *testing.T) { wantKind(t, desUpdate(t, db, tc.fn), tc.kind) })
		}

		changed := b
		changed.Name, changed.Description, changed.HideMembers, changed.UpdatedAt = "Gamma", "new", true, t0.Add(time.Hour)
		mustDes(t, db, func(tx designation.Tx) error {
			if err := tx.UpdateCircle(ctx, changed); err != nil {
				return err
			}
			for _, r := range []struct {
				fn   func() (bool, error)
				want bool
			}{
				{func() (bool, error) { return tx.RemoveCircleOrg(ctx, "c-a", "o-2") }, true},
				{func() (bool, error) { return tx.RemoveCircleOrg(ctx, "c-a", "o-2") }, false},
				{func() (bool, error) { return tx.RemoveCircleCircle(ctx, "c-a", "c-b") }, true},
				{func() (bool, error) { return tx.RemoveCircleCircle(ctx, "c-a", "c-b") }, false},
			} {
				if ok, err := r.fn(); ok != r.want || err != nil {
					t.Errorf("remove = %v, %v; want %v", ok, err, r.want)
				}
			}
			return nil
		})
		if got, _ := s.Circle(ctx, "c-b"); !reflect.DeepEqual(got, changed) {
			t.Errorf("after UpdateCircle = %+v\nwant %+v", got, changed)
		}
		if got, _ := s.Circle(ctx, "c-a"); !slices.Equal(got.Orgs, []string{"o-1"}) || got.Circles != nil {
			t.Errorf("after removals = %+v", got)
		}
	})
}

func TestMarkingStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Designation()
		desSeed(t, db)
		mustDes(t, db, func(tx designation.Tx) error { return tx.CreateCircle(ctx, circleOf("c-1", "Energy", "o-1")) })
		green := designation.Marked{Kind: "warning", ObjectID: "w-1", OwnerOrg: "o-1", CreatedBy: "u-1", Marking: policy.Marking{
			TLP: policy.Green, Confidential: true, Identifiable: true, Purpose: policy.PurposeInformUsers,
			Audience: policy.Audience{Community: true, Sectors: []string{"energy"}, Circles: []string{"c-1"},
				Orgs: []string{"o-2", "o-1", "o-2"}, Users: []string{"u-1"}}}}
		amber := designation.Marked{Kind: "incident", ObjectID: "w-1", OwnerOrg: "o-2", Marking: policy.Marking{
			TLP: policy.Amber, Audience: policy.Audience{Orgs: []string{"o-1"}}}}
		strict := designation.Marked{Kind: "warning", ObjectID: "w-2", OwnerOrg: "o-1", Marking: policy.Marking{
			TLP: policy.AmberStrict, Audience: policy.Audience{Orgs: []string{"o-2"}}}}
		mustDes(t, db, func(tx designation.Tx) error {
			for _, m := range []designation.Marked{green, amber, strict} {
				if err := tx.PutMarking(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		got, err := s.Marking(ctx, "warning", "w-1")
		want := green
		want.Marking.Audience.Orgs = []string{"o-1", "o-2"} // sorted, once each
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Marking = %+v, %v\nwant %+v", got, err, want)
		}
		if got, err := s.Marking(ctx, "incident", "w-1"); err != nil || !reflect.DeepEqual(got, amber) {
			t.Errorf("Marking(incident) = %+v, %v", got, err)
		}
		_, err = s.Marking(ctx, "warning", "w-missing")
		wantKind(t, err, verbund.NotFound)

		// The pre-filter the schema is built for: the objects whose audience
		// names any part of a viewer of o-2 in sector water, in no circle.
		prefilter := func() []string {
			t.Helper()
			got, err := db.QueryColumn(ctx, `SELECT DISTINCT a.kind || '/' || a.object_id FROM object_audience a
				WHERE (a.member_type = 'community' AND a.member_id = '')
				   OR (a.member_type = 'sector' AND a.member_id = $1)
				   OR (a.member_type = 'org' AND a.member_id = $2)
				   OR (a.member_type = 'user' AND a.member_id = $3)
				ORDER BY 1`, "water", "o-2", "u-2")
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := prefilter(); !slices.Equal(got, []string{"warning/w-1", "warning/w-2"}) {
			t.Errorf("pre-filter = %v", got)
		}

		// Putting again replaces the marking and its whole audience.
		red := designation.Marked{Kind: "warning", ObjectID: "w-1", OwnerOrg: "o-1", CreatedBy: "u-1", Marking: policy.Marking{
			TLP: policy.Red, Audience: policy.Audience{Users: []string{"u-1"}}}}
		mustDes(t, db, func(tx designation.Tx) error { return tx.PutMarking(ctx, red) })
		if got, _ := s.Marking(ctx, "warning", "w-1"); !reflect.DeepEqual(got, red) {
			t.Errorf("after replacing = %+v", got)
		}
		if got := prefilter(); !slices.Equal(got, []string{"warning/w-2"}) {
			t.Errorf("pre-filter after replacing = %v", got)
		}

		for _, tc := range []struct {
			name string
			m    designation.Marked
		}{
			{"no TLP", designation.Marked{Kind: "warning", ObjectID: "w-x", OwnerOrg: "o-1"}},
			{"an owner that does not exist", designation.Marked{Kind: "warning", ObjectID: "w-x", OwnerOrg: "o-missing", Marking: policy.Marking{TLP: policy.Clear}}},
			{"an empty audience entry with the community", designation.Marked{Kind: "warning", ObjectID: "w-x", OwnerOrg: "o-1",
				Marking: policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true, Orgs: []string{""}}}}},
		} {
			t.Run("put "+tc.name, func(t *testing.T) {
				wantKind(t, desUpdate(t, db, func(tx designation.Tx) error { return tx.PutMarking(ctx, tc.m) }), verbund.Invalid)
			})
		}
	})
}

// TestDesignationWritesNeedTransaction calls every write of the designation
// store outside a transaction: each must refuse rather than commit alone.
func TestDesignationWritesNeedTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		desSeed(t, db)
		for name, fn := range map[string]func(context.Context) error{
			"CreateAssessment": func(ctx context.Context) error {
				return db.CreateAssessment(ctx, assessmentOf("a-1", "o-1", policy.CategoryOKTT, t0))
			},
			"LockOpenAssessment": func(ctx context.Context) error { _, err := db.LockOpenAssessment(ctx, "a-1", t0); return err },
			"PutFinding":         func(ctx context.Context) error { return db.PutFinding(ctx, "a-1", designation.Finding{RecordedAt: t0}) },
			"AddEvidence": func(ctx context.Context) error {
				return db.AddEvidence(ctx, designation.Evidence{ID: "e", AddedAt: t0}, nil)
			},
			"DecideAssessment": func(ctx context.Context) error {
				_, err := db.DecideAssessment(ctx, designation.Assessment{DecidedAt: t0})
				return err
			},
			"CreateDesignation": func(ctx context.Context) error {
				return db.CreateDesignation(ctx, designationOf("d", "a", "o-1", t0, t0, t0))
			},
			"RevokeDesignation":  func(ctx context.Context) error { _, err := db.RevokeDesignation(ctx, "d", t0, "", ""); return err },
			"LockCircles":        func(ctx context.Context) error { return db.LockCircles(ctx) },
			"CreateCircle":       func(ctx context.Context) error { return db.CreateCircle(ctx, circleOf("c", "c", "o-1")) },
			"UpdateCircle":       func(ctx context.Context) error { return db.UpdateCircle(ctx, circleOf("c", "c", "o-1")) },
			"AddCircleOrg":       func(ctx context.Context) error { return db.AddCircleOrg(ctx, "c", "o-1", "", t0) },
			"RemoveCircleOrg":    func(ctx context.Context) error { _, err := db.RemoveCircleOrg(ctx, "c", "o-1"); return err },
			"AddCircleCircle":    func(ctx context.Context) error { return db.AddCircleCircle(ctx, "c", "d", "", t0) },
			"RemoveCircleCircle": func(ctx context.Context) error { _, err := db.RemoveCircleCircle(ctx, "c", "d"); return err },
			"PutMarking": func(ctx context.Context) error {
				return db.PutMarking(ctx, designation.Marked{Kind: "w", ObjectID: "w", OwnerOrg: "o-1", Marking: policy.Marking{TLP: policy.Clear}})
			},
		} {
			t.Run(name, func(t *testing.T) { wantKind(t, fn(ctx), verbund.Internal) })
		}
		if as, err := db.Designation().ListAssessments(ctx, designation.AssessmentFilter{}); err != nil || len(as) != 0 {
			t.Errorf("assessments = %v, %v; want none", as, err)
		}
	})
}
