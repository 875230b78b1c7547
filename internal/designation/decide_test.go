package designation_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

func TestDesignate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		a := f.open(t, f.csirt.ID, policy.CategoryDesignatedCSIRT, true)
		f.findAll(t, a.ID)
		f.clk.Add(time.Hour + 123*time.Nanosecond) // the store keeps microseconds
		terms := f.terms()
		terms.Reason = "all criteria met"
		d, err := f.svc.Designate(ctx, f.assessor, a.ID, terms)
		if err != nil {
			t.Fatal(err)
		}
		now := f.clk.Now().Truncate(time.Microsecond)
		if d.OrgID != f.csirt.ID || d.AssessmentID != a.ID || d.Category != policy.CategoryDesignatedCSIRT || !d.SectorWide ||
			!d.ValidFrom.Equal(now) || !d.DesignatedAt.Equal(now) || !d.RevokedAt.IsZero() {
			t.Errorf("Designate = %+v", d)
		}
		got, err := f.svc.Designation(ctx, f.csirtMember, d.ID) // the organisation sees its own
		if err != nil || got != d {
			t.Errorf("Designation = %+v, %v\nwant %+v", got, err, d)
		}
		_, err = f.svc.Designation(ctx, f.ispAdmin, d.ID)
		wantErr(t, err, verbund.NotFound, "")
		ga, _ := f.svc.Assessment(ctx, f.assessor, a.ID)
		if ga.State != designation.StateDesignated || ga.DecidedBy != f.assessor.User.ID || !ga.DecidedAt.Equal(now) || ga.Reason != "all criteria met" {
			t.Errorf("assessment after the decision = %+v", ga)
		}
		if e := f.lastAudit(t, "assessment.decide"); e.ObjectID != a.ID || !strings.Contains(e.Reason, d.ID) {
			t.Errorf("assessment.decide = %+v", e)
		}
		if e := f.lastAudit(t, "designation.create"); e.ObjectID != d.ID || !strings.Contains(e.Reason, a.ID) {
			t.Errorf("designation.create = %+v", e)
		}
		pd, err := f.svc.DesignationsOf(ctx, f.csirt.ID, f.clk.Now())
		if err != nil || len(pd) != 1 || pd[0] != d.Policy() || !pd[0].Valid(f.clk.Now()) {
			t.Errorf("DesignationsOf = %+v, %v", pd, err)
		}
		if pd, _ := f.svc.DesignationsOf(ctx, f.isp.ID, f.clk.Now()); len(pd) != 0 {
			t.Errorf("DesignationsOf(isp) = %+v", pd)
		}

		// Deciding again, either way, is a conflict.
		_, err = f.svc.Designate(ctx, f.assessor, a.ID, f.terms())
		wantErr(t, err, verbund.Conflict, "already-decided")
		wantErr(t, f.svc.Refuse(ctx, f.assessor, a.ID, "changed my mind"), verbund.Conflict, "already-decided")
		_, err = f.svc.Designate(ctx, f.assessor, "a-missing", f.terms())
		wantErr(t, err, verbund.NotFound, "")

		// Renewal is a new assessment in the same category.
		d2 := f.designate(t, f.csirt.ID, policy.CategoryDesignatedCSIRT, true)
		if ds, err := f.svc.Designations(ctx, f.csirtAdmin, f.csirt.ID); err != nil || len(ds) != 2 || ds[1].ID != d2.ID {
			t.Errorf("Designations = %+v, %v", ds, err)
		}
		_, err = f.svc.Designations(ctx, f.ispAdmin, f.csirt.ID)
		wantErr(t, err, verbund.Forbidden, "")
		f.verifyAudit(t)
	})
}

func TestDesignateNeedsEveryCriterion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		a := f.open(t, f.isp.ID, policy.CategoryISP, false)
		find := func(c designation.Criterion, met bool) {
			t.Helper()
			if _, err := f.svc.RecordFinding(ctx, f.assessor, a.ID, designation.NewFinding{Criterion: c, Met: met, Note: "n"}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := f.svc.Designate(ctx, f.assessor, a.ID, f.terms())
		wantErr(t, err, verbund.Invalid, "criteria-not-met", "criteria.task", "criteria.confidentiality", "criteria.lawful")
		find(designation.CriterionTask, true)
		find(designation.CriterionConfidentiality, false)
		_, err = f.svc.Designate(ctx, f.assessor, a.ID, f.terms())
		wantErr(t, err, verbund.Invalid, "criteria-not-met", "criteria.confidentiality", "criteria.lawful")
		if fs := verbund.ErrorFields(err); fs["criteria.confidentiality"] != "not met" || fs["criteria.lawful"] != "not assessed" {
			t.Errorf("fields = %v", fs)
		}
		find(designation.CriterionLawful, true)
		_, err = f.svc.Designate(ctx, f.assessor, a.ID, f.terms())
		wantErr(t, err, verbund.Invalid, "criteria-not-met", "criteria.confidentiality")

		// The refusals changed nothing: still open, nothing designated or audited.
		if got, _ := f.svc.Assessment(ctx, f.assessor, a.ID); got.State != designation.StateOpen {
			t.Errorf("state = %s", got.State)
		}
		if es := f.auditOf(t, "assessment.decide"); len(es) != 0 {
			t.Errorf("decisions audited: %+v", es)
		}
		if pd, _ := f.svc.DesignationsOf(ctx, f.isp.ID, f.clk.Now()); len(pd) != 0 {
			t.Errorf("designations: %+v", pd)
		}
		find(designation.CriterionConfidentiality, true)
		if _, err := f.svc.Designate(ctx, f.assessor, a.ID, f.terms()); err != nil {
			t.Fatalf("all criteria met: %v", err)
		}
	})
}

func TestDesignateTerms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		a := f.open(t, f.csirt.ID, policy.CategoryOKTT, false)
		f.findAll(t, a.ID)
		now := f.clk.Now()
		year := now.AddDate(1, 0, 0)
		for _, tc := range []struct {
			name   string
			terms  designation.Terms
			fields []string
		}{
			{"no end", designation.Terms{ValidFrom: now, ReviewAt: now}, []string{"valid_until"}},
			{"end before start", designation.Terms{ValidFrom: year, ValidUntil: now.Add(day), ReviewAt: year}, []string{"valid_until", "review_at"}},
			{"end at start", designation.Terms{ValidFrom: year, ValidUntil: year, ReviewAt: year}, []string{"valid_until", "review_at"}},
			{"ended already", designation.Terms{ValidFrom: now.AddDate(-2, 0, 0), ValidUntil: now.Add(-time.Second), ReviewAt: now.AddDate(-1, 0, 0)}, []string{"valid_until"}},
			{"ends now", designation.Terms{ValidFrom: now.AddDate(-1, 0, 0), ValidUntil: now, ReviewAt: now.AddDate(0, -6, 0)}, []string{"valid_until"}},
			{"no review", designation.Terms{ValidFrom: now, ValidUntil: year}, []string{"review_at"}},
			{"review before the start", designation.Terms{ValidFrom: now.Add(day), ValidUntil: year, ReviewAt: now}, []string{"review_at"}},
			{"review at the end", designation.Terms{ValidFrom: now, ValidUntil: year, ReviewAt: year}, []string{"review_at"}},
			{"review after the end", designation.Terms{ValidFrom: now, ValidUntil: year, ReviewAt: year.Add(day)}, []string{"review_at"}},
			{"review before the default start", designation.Terms{ValidUntil: year, ReviewAt: now.Add(-time.Second)}, []string{"review_at"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.Designate(ctx, f.assessor, a.ID, tc.terms)
				wantErr(t, err, verbund.Invalid, "terms-invalid", tc.fields...)
			})
		}
		// A designation may start later, and the start defaults to now.
		d, err := f.svc.Designate(ctx, f.assessor, a.ID, designation.Terms{ValidUntil: year, ReviewAt: now})
		if err != nil || !d.ValidFrom.Equal(now) || !d.ReviewAt.Equal(now) {
			t.Errorf("Designate = %+v, %v", d, err)
		}
		_, err = f.svc.Designate(ctx, f.csirtAdmin, a.ID, f.terms())
		wantErr(t, err, verbund.Forbidden, "")
		if e := f.lastAudit(t, "assessment.decide"); e.Outcome != audit.Denied || e.ActorUser != f.csirtAdmin.User.ID {
			t.Errorf("denied attempt = %+v", e)
		}
	})
}

func TestRefuse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		a := f.open(t, f.isp.ID, policy.CategoryISP, false)
		wantErr(t, f.svc.Refuse(ctx, f.assessor, a.ID, "  "), verbund.Invalid, "reason-invalid", "reason")
		wantErr(t, f.svc.Refuse(ctx, f.ispAdmin, a.ID, "self-refusal"), verbund.Forbidden, "")
		wantErr(t, f.svc.Refuse(ctx, f.assessor, "a-missing", "x"), verbund.NotFound, "")
		// Refusing needs no findings.
		if err := f.svc.Refuse(ctx, f.officeAdmin, a.ID, "processes data for advertising"); err != nil {
			t.Fatal(err)
		}
		got, _ := f.svc.Assessment(ctx, f.assessor, a.ID)
		if got.State != designation.StateRefused || got.Reason != "processes data for advertising" || got.DecidedBy != f.officeAdmin.User.ID {
			t.Errorf("assessment = %+v", got)
		}
		if e := f.lastAudit(t, "assessment.decide"); e.Reason != "refused: processes data for advertising" {
			t.Errorf("audit = %+v", e)
		}
		if ds, _ := f.svc.Designations(ctx, f.assessor, f.isp.ID); len(ds) != 0 {
			t.Errorf("a refusal designated: %+v", ds)
		}
		// A new assessment may follow a refusal.
		f.open(t, f.isp.ID, policy.CategoryISP, false)
	})
}

func TestRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		d := f.designate(t, f.isp.ID, policy.CategoryISP, false)
		_, err := f.svc.Revoke(ctx, f.assessor, d.ID, "")
		wantErr(t, err, verbund.Invalid, "reason-invalid", "reason")
		_, err = f.svc.Revoke(ctx, f.ispAdmin, d.ID, "x")
		wantErr(t, err, verbund.Forbidden, "")
		_, err = f.svc.Revoke(ctx, f.assessor, "d-missing", "x")
		wantErr(t, err, verbund.NotFound, "")

		f.clk.Add(day)
		r, err := f.svc.Revoke(ctx, f.officeAdmin, d.ID, "leaked a report")
		if err != nil {
			t.Fatal(err)
		}
		if !r.RevokedAt.Equal(t0.Add(day)) || r.RevokedBy != f.officeAdmin.User.ID || r.RevokeReason != "leaked a report" {
			t.Errorf("Revoke = %+v", r)
		}
		f.clk.Add(time.Hour)
		_, err = f.svc.Revoke(ctx, f.assessor, d.ID, "again")
		wantErr(t, err, verbund.Conflict, "already-revoked")
		got, _ := f.svc.Designation(ctx, f.assessor, d.ID)
		if got != r {
			t.Errorf("second revocation changed the first: %+v", got)
		}
		if es := f.auditOf(t, "designation.revoke"); len(es) != 2 || es[0].Outcome != audit.Denied ||
			es[1].Outcome != audit.Success || es[1].Reason != "leaked a report" {
			t.Errorf("audit = %+v", es)
		}
	})
}

// TestPolicyStopsAtOnce builds the viewer of the policy from DesignationsOf
// and checks that a revoked or expired designation stops a confidential
// object at that very instant.
func TestPolicyStopsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		pol, err := policy.New(policy.Config{Regime: policy.HubRegime()})
		if err != nil {
			t.Fatal(err)
		}
		obj := policy.Object{Kind: policy.KindIncident, ID: "i-1", OwnerOrg: f.office.ID, Marking: policy.Marking{
			TLP: policy.Amber, Confidential: true, Audience: policy.Audience{Orgs: []string{f.csirt.ID, f.isp.ID}}}}
		decide := func(org string, at time.Time) policy.Decision {
			t.Helper()
			ds, err := f.svc.DesignationsOf(ctx, org, at)
			if err != nil {
				t.Fatal(err)
			}
			v := policy.Viewer{Kind: policy.ViewerUser, UserID: "u", OrgID: org, OrgStatus: policy.StatusActive,
				AcceptedCurrentAgreement: true, Designations: ds}
			return pol.Decide(&v, &obj, at)
		}
		if d := decide(f.csirt.ID, f.clk.Now()); d.Allow || d.Code != policy.CodeDesignationMissing {
			t.Fatalf("without a designation: %+v", d)
		}
		csirt := f.designate(t, f.csirt.ID, policy.CategoryDesignatedCSIRT, false)
		isp := f.designate(t, f.isp.ID, policy.CategoryEUNationalCSIRT, false)
		now := f.clk.Now()
		if d := decide(f.csirt.ID, now); !d.Allow {
			t.Fatalf("designated: %+v", d)
		}

		// Revoked: denied at the instant of the revocation.
		f.clk.Add(day)
		if _, err := f.svc.Revoke(ctx, f.assessor, csirt.ID, "breach of confidentiality"); err != nil {
			t.Fatal(err)
		}
		if d := decide(f.csirt.ID, f.clk.Now()); d.Allow || d.Code != policy.CodeDesignationRevoked {
			t.Errorf("revoked: %+v", d)
		}
		if d := decide(f.csirt.ID, f.clk.Now().Add(-time.Microsecond)); !d.Allow {
			t.Errorf("a microsecond before the revocation: %+v", d)
		}

		// Expired: denied at ValidUntil, allowed a microsecond before.
		if d := decide(f.isp.ID, isp.ValidUntil.Add(-time.Microsecond)); !d.Allow {
			t.Errorf("just before the end: %+v", d)
		}
		if d := decide(f.isp.ID, isp.ValidUntil); d.Allow || d.Code != policy.CodeDesignationExpired {
			t.Errorf("at the end: %+v", d)
		}
		// Long after, the lapsed designation is no longer kept for the
		// explanation, and the policy says there is none.
		if d := decide(f.isp.ID, isp.ValidUntil.Add(91*day)); d.Allow || d.Code != policy.CodeDesignationMissing {
			t.Errorf("long after the end: %+v", d)
		}
	})
}

func TestDueForReviewAndExpiring(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		// soon: review in 10 days, ends in 20; later: review in 100 days, ends in a year.
		mk := func(org string, cat policy.Category, review, end time.Duration) designation.Designation {
			a := f.open(t, org, cat, false)
			f.findAll(t, a.ID)
			now := f.clk.Now()
			d, err := f.svc.Designate(ctx, f.assessor, a.ID, designation.Terms{ValidUntil: now.Add(end), ReviewAt: now.Add(review)})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		soon := mk(f.isp.ID, policy.CategoryISP, 10*day, 20*day)
		later := mk(f.csirt.ID, policy.CategoryOKTT, 100*day, 365*day)
		revoked := mk(f.csirt.ID, policy.CategoryEUNationalCSIRT, 5*day, 15*day)
		if _, err := f.svc.Revoke(ctx, f.assessor, revoked.ID, "merged"); err != nil {
			t.Fatal(err)
		}
		ids := func(ds []designation.Designation, err error) []string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, d := range ds {
				out = append(out, d.ID)
			}
			return out
		}
		for _, tc := range []struct {
			name   string
			after  time.Duration
			within time.Duration
			review []string
			ending []string
		}{
			{"none due yet", 0, 9 * day, []string{}, []string{}},
			{"review at the edge", 0, 10 * day, []string{soon.ID}, []string{}},
			{"both of the first", 0, 30 * day, []string{soon.ID}, []string{soon.ID}},
			{"everything", 0, 400 * day, []string{soon.ID, later.ID}, []string{soon.ID, later.ID}},
			{"an ended one is neither", 20 * day, 400 * day, []string{later.ID}, []string{later.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f.clk.Set(t0.Add(tc.after))
				if got := ids(f.svc.DueForReview(ctx, f.assessor, tc.within)); strings.Join(got, ",") != strings.Join(tc.review, ",") {
					t.Errorf("DueForReview = %v, want %v", got, tc.review)
				}
				if got := ids(f.svc.Expiring(ctx, f.officeAdmin, tc.within)); strings.Join(got, ",") != strings.Join(tc.ending, ",") {
					t.Errorf("Expiring = %v, want %v", got, tc.ending)
				}
			})
		}
		_, err := f.svc.DueForReview(ctx, f.reviewer, day)
		wantErr(t, err, verbund.Forbidden, "")
		_, err = f.svc.Expiring(ctx, f.csirtAdmin, day)
		wantErr(t, err, verbund.Forbidden, "")
	})
}

// TestConcurrentDecisions decides one assessment from many goroutines:
// exactly one decision wins, the others hear "already-decided", and there is
// one designation.
func TestConcurrentDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		a := f.open(t, f.csirt.ID, policy.CategoryOKTT, false)
		f.findAll(t, a.ID)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if i%2 == 0 {
					_, errs[i] = f.svc.Designate(ctx, f.assessor, a.ID, f.terms())
				} else {
					errs[i] = f.svc.Refuse(ctx, f.assessor, a.ID, "no")
				}
			})
		}
		wg.Wait()
		var won int
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case verbund.ErrorCode(err) != "already-decided":
				t.Errorf("unexpected error: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d decisions won, want 1", won)
		}
		if es := f.auditOf(t, "assessment.decide"); len(es) != 1 {
			t.Errorf("%d decisions audited, want 1", len(es))
		}
		got, _ := f.svc.Assessment(ctx, f.assessor, a.ID)
		ds, _ := f.svc.Designations(ctx, f.assessor, f.csirt.ID)
		if (got.State == designation.StateDesignated) != (len(ds) == 1) || len(ds) > 1 {
			t.Errorf("state %s with %d designations", got.State, len(ds))
		}
		f.verifyAudit(t)
	})
}
