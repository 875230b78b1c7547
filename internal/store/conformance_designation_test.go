package store_test

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// desUpdate runs fn in a designation transaction of db and returns its error.
func desUpdate(t *testing.T, db *store.DB, fn func(tx designation.Tx) error) error {
	t.Helper()
	return db.Designation().Update(t.Context(), fn)
}

// mustDes runs fn like desUpdate and fails t when it returns an error.
func mustDes(t *testing.T, db *store.DB, fn func(tx designation.Tx) error) {
	t.Helper()
	if err := desUpdate(t, db, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// desSeed stores the organisations o-1 and o-2 and the user u-1 of o-1.
func desSeed(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	update(t, db, func(tx identity.Tx) error {
		for _, o := range []identity.Organisation{org("o-1", "One", "NL", "energy"), org("o-2", "Two", "NL")} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		return tx.CreateUser(ctx, user("u-1", "o-1", "u1@example.org", "User One"))
	})
}

func assessmentOf(id, orgID string, cat policy.Category, at time.Time) designation.Assessment {
	return designation.Assessment{ID: id, OrgID: orgID, Category: cat, State: designation.StateOpen,
		OpenedBy: "u-assessor", OpenedAt: at, UpdatedAt: at}
}

func TestAssessmentStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Designation()
		desSeed(t, db)
		a1 := assessmentOf("a-1", "o-1", policy.CategoryDesignatedCSIRT, t0)
		a1.SectorWide = true
		a2 := assessmentOf("a-2", "o-1", policy.CategoryISP, t0.Add(time.Hour))
		a3 := assessmentOf("a-3", "o-2", policy.CategoryISP, t0.Add(2*time.Hour))
		mustDes(t, db, func(tx designation.Tx) error {
			for _, a := range []designation.Assessment{a1, a2, a3} {
				if err := tx.CreateAssessment(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		got, err := s.Assessment(ctx, "a-1")
		if err != nil || !reflect.DeepEqual(got, a1) {
			t.Errorf("Assessment = %+v, %v\nwant %+v", got, err, a1)
		}
		_, err = s.Assessment(ctx, "a-missing")
		wantKind(t, err, verbund.NotFound)

		t.Run("one open assessment per organisation and category", func(t *testing.T) {
			err := desUpdate(t, db, func(tx designation.Tx) error {
				return tx.CreateAssessment(ctx, assessmentOf("a-x", "o-1", policy.CategoryDesignatedCSIRT, t0))
			})
			wantKind(t, err, verbund.Conflict)
		})
		t.Run("an organisation that does not exist", func(t *testing.T) {
			err := desUpdate(t, db, func(tx designation.Tx) error {
				return tx.CreateAssessment(ctx, assessmentOf("a-x", "o-missing", policy.CategoryOKTT, t0))
			})
			wantKind(t, err, verbund.Invalid)
		})

		t1 := t0.Add(24 * time.Hour)
		mustDes(t, db, func(tx designation.Tx) error {
			if ok, err := tx.LockOpenAssessment(ctx, "a-1", t1); !ok || err != nil {
				t.Errorf("LockOpenAssessment = %v, %v", ok, err)
			}
			// Findings come back in the order of the criteria; a second
			// finding on a criterion replaces the first.
			for _, f := range []designation.Finding{
				{Criterion: designation.CriterionLawful, Met: true, Note: "GDPR register", RecordedBy: "u-a", RecordedAt: t0},
				{Criterion: designation.CriterionTask, Met: false, Note: "unclear", RecordedBy: "u-a", RecordedAt: t0},
				{Criterion: designation.CriterionTask, Met: true, Note: "statute art. 2", RecordedBy: "u-b", RecordedAt: t1},
			} {
				if err := tx.PutFinding(ctx, "a-1", f); err != nil {
					return err
				}
			}
			return nil
		})
		got, _ = s.Assessment(ctx, "a-1")
		want := []designation.Finding{
			{Criterion: designation.CriterionTask, Met: true, Note: "statute art. 2", RecordedBy: "u-b", RecordedAt: t1},
			{Criterion: designation.CriterionLawful, Met: true, Note: "GDPR register", RecordedBy: "u-a", RecordedAt: t0},
		}
		if !reflect.DeepEqual(got.Findings, want) || !got.UpdatedAt.Equal(t1) {
			t.Errorf("findings = %+v (updated %v)\nwant %+v", got.Findings, got.UpdatedAt, want)
		}

		decided := got
		decided.Findings = nil
		decided.State, decided.DecidedBy, decided.DecidedAt, decided.Reason = designation.StateRefused, "u-a", t1, "no"
		mustDes(t, db, func(tx designation.Tx) error {
			if ok, err := tx.DecideAssessment(ctx, decided); !ok || err != nil {
				t.Errorf("DecideAssessment = %v, %v", ok, err)
			}
			if ok, err := tx.DecideAssessment(ctx, decided); ok || err != nil {
				t.Errorf("second DecideAssessment = %v, %v; want false", ok, err)
			}
			for _, id := range []string{"a-1", "a-missing"} {
				if ok, err := tx.LockOpenAssessment(ctx, id, t1); ok || err != nil {
					t.Errorf("LockOpenAssessment(%s) = %v, %v; want false", id, ok, err)
				}
			}
			// A decided assessment no longer blocks a new one.
			return tx.CreateAssessment(ctx, assessmentOf("a-4", "o-1", policy.CategoryDesignatedCSIRT, t1))
		})
		if got, _ := s.Assessment(ctx, "a-1"); got.State != designation.StateRefused || !got.DecidedAt.Equal(t1) || got.Reason != "no" {
			t.Errorf("decided = %+v", got)
		}

		for _, tc := range []struct {
			name string
			f    designation.AssessmentFilter
			want []string
		}{
			{"all, newest first", designation.AssessmentFilter{}, []string{"a-4", "a-3", "a-2", "a-1"}},
			{"of one organisation", designation.AssessmentFilter{OrgID: "o-2"}, []string{"a-3"}},
			{"open", designation.AssessmentFilter{State: designation.StateOpen}, []string{"a-4", "a-3", "a-2"}},
			{"refused of o-1", designation.AssessmentFilter{OrgID: "o-1", State: designation.StateRefused}, []string{"a-1"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				as, err := s.ListAssessments(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(as, func(a designation.Assessment) string { return a.ID }); !slices.Equal(got, tc.want) {
					t.Errorf("ListAssessments = %v, want %v", got, tc.want)
				}
			})
		}
	})
}

func TestEvidenceStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Designation()
		desSeed(t, db)
		file := designation.Evidence{ID: "e-1", AssessmentID: "a-1", Title: "Statute", FileName: "s.pdf",
			ContentType: "application/pdf", SHA256: "ab", Size: 3, Stored: true, AddedBy: "u-a", AddedAt: t0}
		ref := designation.Evidence{ID: "e-2", AssessmentID: "a-1", Title: "Letter", Reference: "BZK-1", AddedAt: t0.Add(time.Second)}
		empty := designation.Evidence{ID: "e-3", AssessmentID: "a-1", Title: "Empty", FileName: "e.txt", Stored: true, AddedAt: t0.Add(2 * time.Second)}
		mustDes(t, db, func(tx designation.Tx) error {
			if err := tx.CreateAssessment(ctx, assessmentOf("a-1", "o-1", policy.CategoryOKTT, t0)); err != nil {
				return err
			}
			if err := tx.AddEvidence(ctx, file, []byte{0, 1, 2}); err != nil {
				return err
			}
			if err := tx.AddEvidence(ctx, ref, nil); err != nil {
				return err
			}
			return tx.AddEvidence(ctx, empty, []byte{})
		})
		a, err := s.Assessment(ctx, "a-1")
		if err != nil || !reflect.DeepEqual(a.Evidence, []designation.Evidence{file, ref, empty}) {
			t.Errorf("evidence = %+v, %v", a.Evidence, err)
		}
		if e, err := s.Evidence(ctx, "e-2"); err != nil || e != ref {
			t.Errorf("Evidence = %+v, %v", e, err)
		}
		if b, err := s.EvidenceContent(ctx, "e-1"); err != nil || !bytes.Equal(b, []byte{0, 1, 2}) {
			t.Errorf("EvidenceContent = %v, %v", b, err)
		}
		if b, err := s.EvidenceContent(ctx, "e-3"); err != nil || b == nil || len(b) != 0 {
			t.Errorf("EvidenceContent(empty) = %#v, %v", b, err)
		}
		_, err = s.EvidenceContent(ctx, "e-2")
		wantKind(t, err, verbund.NotFound)
		_, err = s.Evidence(ctx, "e-missing")
		wantKind(t, err, verbund.NotFound)
		wantKind(t, desUpdate(t, db, func(tx designation.Tx) error {
			e := ref
			e.ID, e.AssessmentID = "e-x", "a-missing"
			return tx.AddEvidence(ctx, e, nil)
		}), verbund.Invalid)
		wantKind(t, desUpdate(t, db, func(tx designation.Tx) error { return tx.AddEvidence(ctx, ref, nil) }), verbund.Conflict)
	})
}

func designationOf(id, assessmentID, orgID string, from, until, review time.Time) designation.Designation {
	return designation.Designation{ID: id, AssessmentID: assessmentID, OrgID: orgID, Category: policy.CategoryOKTT,
		ValidFrom: from, ValidUntil: until, ReviewAt: review, DesignatedBy: "u-a", DesignatedAt: from}
}

func TestDesignationStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Designation()
		desSeed(t, db)
		d := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
		// d-1: days 0–100, review 50. d-2: days 10–30, review 20, revoked on
		// day 15. d-3 (o-2): days 40–400, review 300.
		d1 := designationOf("d-1", "a-1", "o-1", d(0), d(100), d(50))
		d1.Category, d1.SectorWide = policy.CategoryDesignatedCSIRT, true
		d2 := designationOf("d-2", "a-2", "o-1", d(10), d(30), d(20))
		d3 := designationOf("d-3", "a-3", "o-2", d(40), d(400), d(300))
		mustDes(t, db, func(tx designation.Tx) error {
			for i, a := range []designation.Assessment{
				assessmentOf("a-1", "o-1", policy.CategoryDesignatedCSIRT, t0), assessmentOf("a-2", "o-1", policy.CategoryOKTT, t0),
				assessmentOf("a-3", "o-2", policy.CategoryOKTT, t0), assessmentOf("a-4", "o-2", policy.CategoryISP, t0),
			} {
				if err := tx.CreateAssessment(ctx, a); err != nil {
					return err
				}
				if i < 3 {
					if err := tx.CreateDesignation(ctx, []designation.Designation{d1, d2, d3}[i]); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if got, err := s.DesignationByID(ctx, "d-1"); err != nil || got != d1 {
			t.Errorf("DesignationByID = %+v, %v\nwant %+v", got, err, d1)
		}
		_, err := s.DesignationByID(ctx, "d-missing")
		wantKind(t, err, verbund.NotFound)

		for _, tc := range []struct {
			name string
			d    designation.Designation
			kind verbund.Kind
		}{
			{"a second from one assessment", designationOf("d-x", "a-1", "o-1", d(0), d(10), d(5)), verbund.Conflict},
			{"without an assessment", designationOf("d-x", "a-missing", "o-1", d(0), d(10), d(5)), verbund.Invalid},
			{"an end before the start", designationOf("d-x", "a-4", "o-2", d(10), d(0), d(10)), verbund.Invalid},
			{"a review outside the validity", designationOf("d-x", "a-4", "o-2", d(0), d(10), d(10)), verbund.Invalid},
			{"no start", designationOf("d-x", "a-4", "o-2", time.Time{}, d(10), d(5)), verbund.Invalid},
		} {
			t.Run("create "+tc.name, func(t *testing.T) {
				wantKind(t, desUpdate(t, db, func(tx designation.Tx) error { return tx.CreateDesignation(ctx, tc.d) }), tc.kind)
			})
		}

		mustDes(t, db, func(tx designation.Tx) error {
			if ok, err := tx.RevokeDesignation(ctx, "d-2", d(15), "u-a", "breach"); !ok || err != nil {
				t.Errorf("RevokeDesignation = %v, %v", ok, err)
			}
			if ok, err := tx.RevokeDesignation(ctx, "d-2", d(16), "u-b", "again"); ok || err != nil {
				t.Errorf("second RevokeDesignation = %v, %v; want false", ok, err)
			}
			_, err := tx.RevokeDesignation(ctx, "d-missing", d(16), "u-b", "x")
			wantKind(t, err, verbund.NotFound)
			return nil
		})
		if got, _ := s.DesignationByID(ctx, "d-2"); !got.RevokedAt.Equal(d(15)) || got.RevokedBy != "u-a" || got.RevokeReason != "breach" {
			t.Errorf("revoked = %+v", got)
		}

		for _, tc := range []struct {
			name string
			f    designation.DesignationFilter
			want []string
		}{
			{"all, by start", designation.DesignationFilter{}, []string{"d-1", "d-2", "d-3"}},
			{"of o-1", designation.DesignationFilter{OrgID: "o-1"}, []string{"d-1", "d-2"}},
			{"in force on day 12 or later", designation.DesignationFilter{InForceAt: d(12)}, []string{"d-1", "d-2", "d-3"}},
			{"in force on day 15: revoked at that instant", designation.DesignationFilter{InForceAt: d(15)}, []string{"d-1", "d-3"}},
			{"in force on day 100: ended at that instant", designation.DesignationFilter{InForceAt: d(100)}, []string{"d-3"}},
			{"review by day 50", designation.DesignationFilter{ReviewBy: d(50)}, []string{"d-1", "d-2"}},
			{"in force and review by day 50", designation.DesignationFilter{InForceAt: d(16), ReviewBy: d(50)}, []string{"d-1"}},
			{"ending by day 100", designation.DesignationFilter{EndsBy: d(100)}, []string{"d-1", "d-2"}},
			{"not lapsed before day 15", designation.DesignationFilter{LapsedSince: d(15)}, []string{"d-1", "d-2", "d-3"}},
			{"not lapsed before day 16", designation.DesignationFilter{LapsedSince: d(16)}, []string{"d-1", "d-3"}},
			{"of o-1, not lapsed before day 101", designation.DesignationFilter{OrgID: "o-1", LapsedSince: d(101)}, []string{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ds, err := s.ListDesignations(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(ds, func(d designation.Designation) string { return d.ID }); !slices.Equal(got, tc.want) {
					t.Errorf("ListDesignations = %v, want %v", got, tc.want)
				}
			})
		}
	})
}
