package designation_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

func TestOpenAssessment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		a := f.open(t, f.csirt.ID, policy.CategoryDesignatedCSIRT, true)
		got, err := f.svc.Assessment(ctx, f.officeAdmin, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != designation.StateOpen || got.OrgID != f.csirt.ID || got.Category != policy.CategoryDesignatedCSIRT ||
			!got.SectorWide || got.OpenedBy != f.assessor.User.ID || !got.OpenedAt.Equal(t0) {
			t.Errorf("Assessment = %+v", got)
		}
		e := f.lastAudit(t, "assessment.open")
		if e.ObjectID != a.ID || e.ActorUser != f.assessor.User.ID || e.Outcome != audit.Success ||
			!strings.Contains(e.Reason, "designated-csirt") {
			t.Errorf("audit entry = %+v", e)
		}

		t.Run("refusals", func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				p      identity.Principal
				in     designation.NewAssessment
				kind   verbund.Kind
				code   string
				fields []string
			}{
				{"an organisation's admin", f.csirtAdmin, designation.NewAssessment{OrgID: f.csirt.ID, Category: policy.CategoryOKTT}, verbund.Forbidden, "", nil},
				{"a reviewer of the office", f.reviewer, designation.NewAssessment{OrgID: f.csirt.ID, Category: policy.CategoryOKTT}, verbund.Forbidden, "", nil},
				{"no category", f.assessor, designation.NewAssessment{OrgID: f.csirt.ID}, verbund.Invalid, "assessment-invalid", []string{"category"}},
				{"an unknown category", f.assessor, designation.NewAssessment{OrgID: f.csirt.ID, Category: 9}, verbund.Invalid, "assessment-invalid", []string{"category"}},
				{"sector-wide ISP", f.assessor, designation.NewAssessment{OrgID: f.isp.ID, Category: policy.CategoryISP, SectorWide: true}, verbund.Invalid, "assessment-invalid", []string{"sector_wide"}},
				{"no organisation", f.assessor, designation.NewAssessment{Category: policy.CategoryISP}, verbund.Invalid, "assessment-invalid", []string{"org_id"}},
				{"an organisation that does not exist", f.assessor, designation.NewAssessment{OrgID: "o-nobody", Category: policy.CategoryISP}, verbund.Invalid, "assessment-invalid", []string{"org_id"}},
				{"the office", f.officeAdmin, designation.NewAssessment{OrgID: f.office.ID, Category: policy.CategoryOKTT}, verbund.Invalid, "assessment-invalid", []string{"org_id"}},
				{"a second open one in the category", f.assessor, designation.NewAssessment{OrgID: f.csirt.ID, Category: policy.CategoryDesignatedCSIRT}, verbund.Conflict, "assessment-open", []string{"category"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := f.svc.OpenAssessment(ctx, tc.p, tc.in)
					wantErr(t, err, tc.kind, tc.code, tc.fields...)
				})
			}
			denied := f.auditOf(t, "assessment.open")
			var n int
			for _, e := range denied {
				if e.Outcome == audit.Denied {
					n++
				}
			}
			if n != 2 {
				t.Errorf("%d denied attempts recorded, want 2", n)
			}
		})

		// Another category, and the office administrator may assess too.
		if _, err := f.svc.OpenAssessment(ctx, f.officeAdmin, designation.NewAssessment{OrgID: f.csirt.ID, Category: policy.CategoryOKTT}); err != nil {
			t.Errorf("second category: %v", err)
		}
		as, err := f.svc.ListAssessments(ctx, f.assessor, designation.AssessmentFilter{OrgID: f.csirt.ID, State: designation.StateOpen})
		if err != nil || len(as) != 2 {
			t.Errorf("ListAssessments = %d, %v; want 2", len(as), err)
		}
		_, err = f.svc.ListAssessments(ctx, f.csirtAdmin, designation.AssessmentFilter{})
		wantErr(t, err, verbund.Forbidden, "")
		_, err = f.svc.Assessment(ctx, f.csirtAdmin, a.ID)
		wantErr(t, err, verbund.Forbidden, "")
		f.verifyAudit(t)
	})
}

func TestRecordFinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		a := f.open(t, f.isp.ID, policy.CategoryISP, false)
		if _, err := f.svc.RecordFinding(ctx, f.assessor, a.ID, designation.NewFinding{Criterion: designation.CriterionTask, Note: "no task yet"}); err != nil {
			t.Fatal(err)
		}
		f.clk.Add(day)
		// A second finding on the criterion replaces the first.
		if _, err := f.svc.RecordFinding(ctx, f.officeAdmin, a.ID, designation.NewFinding{Criterion: designation.CriterionTask, Met: true, Note: "  informs its users  "}); err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Assessment(ctx, f.assessor, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		fd, ok := got.Finding(designation.CriterionTask)
		if len(got.Findings) != 1 || !ok || !fd.Met || fd.Note != "informs its users" ||
			fd.RecordedBy != f.officeAdmin.User.ID || !fd.RecordedAt.Equal(t0.Add(day)) || !got.UpdatedAt.Equal(t0.Add(day)) {
			t.Errorf("findings = %+v, updated %v", got.Findings, got.UpdatedAt)
		}
		if es := f.auditOf(t, "assessment.finding"); len(es) != 2 || es[1].Reason != "criterion task: met" || es[0].Reason != "criterion task: not met" {
			t.Errorf("audit = %+v", es)
		}

		for _, tc := range []struct {
			name   string
			p      identity.Principal
			id     string
			in     designation.NewFinding
			kind   verbund.Kind
			fields []string
		}{
			{"not an assessor", f.ispAdmin, a.ID, designation.NewFinding{Criterion: designation.CriterionLawful, Met: true, Note: "x"}, verbund.Forbidden, nil},
			{"unknown criterion", f.assessor, a.ID, designation.NewFinding{Criterion: "budget", Note: "x"}, verbund.Invalid, []string{"criterion"}},
			{"no note", f.assessor, a.ID, designation.NewFinding{Criterion: designation.CriterionLawful, Note: " \n "}, verbund.Invalid, []string{"note"}},
			{"a note too long", f.assessor, a.ID, designation.NewFinding{Criterion: designation.CriterionLawful, Note: strings.Repeat("ä", 4001)}, verbund.Invalid, []string{"note"}},
			{"no such assessment", f.assessor, "a-missing", designation.NewFinding{Criterion: designation.CriterionLawful, Note: "x"}, verbund.NotFound, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.RecordFinding(ctx, tc.p, tc.id, tc.in)
				wantErr(t, err, tc.kind, "", tc.fields...)
			})
		}

		if err := f.svc.Refuse(ctx, f.assessor, a.ID, "no confidentiality guarantee"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.RecordFinding(ctx, f.assessor, a.ID, designation.NewFinding{Criterion: designation.CriterionLawful, Met: true, Note: "late"})
		wantErr(t, err, verbund.Conflict, "already-decided")
		if got, _ := f.svc.Assessment(ctx, f.assessor, a.ID); len(got.Findings) != 1 {
			t.Errorf("a finding was recorded on a decided assessment: %+v", got.Findings)
		}
	})
}

func TestAddEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setupWith(t, db, designation.Config{MaxEvidenceBytes: 64})
		ctx := t.Context()
		a := f.open(t, f.csirt.ID, policy.CategoryEUNationalCSIRT, false)
		pdf := []byte("%PDF-1.7 statute of the CSIRT")
		sum := sha256.Sum256(pdf)
		hash := hex.EncodeToString(sum[:])

		file, err := f.svc.AddEvidence(ctx, f.assessor, a.ID, designation.NewEvidence{
			Title: "Statute", FileName: "statute.pdf", ContentType: "application/pdf", Content: pdf, SHA256: strings.ToUpper(hash)})
		if err != nil {
			t.Fatal(err)
		}
		if file.SHA256 != hash || file.Size != int64(len(pdf)) || !file.Stored {
			t.Errorf("evidence = %+v", file)
		}
		ref, err := f.svc.AddEvidence(ctx, f.assessor, a.ID, designation.NewEvidence{Title: "Letter of the ministry", Reference: "BZK-2026-0042"})
		if err != nil {
			t.Fatal(err)
		}
		empty, err := f.svc.AddEvidence(ctx, f.assessor, a.ID, designation.NewEvidence{Title: "Empty form", FileName: "form.txt", Content: []byte{}})
		if err != nil {
			t.Fatal(err)
		}

		e, b, err := f.svc.EvidenceFile(ctx, f.officeAdmin, file.ID)
		if err != nil || !bytes.Equal(b, pdf) || e.FileName != "statute.pdf" {
			t.Errorf("EvidenceFile = %+v, %q, %v", e, b, err)
		}
		if _, b, err := f.svc.EvidenceFile(ctx, f.assessor, empty.ID); err != nil || len(b) != 0 {
			t.Errorf("empty file: %q, %v", b, err)
		}
		_, _, err = f.svc.EvidenceFile(ctx, f.assessor, ref.ID)
		wantErr(t, err, verbund.NotFound, "")
		_, _, err = f.svc.EvidenceFile(ctx, f.csirtAdmin, file.ID)
		wantErr(t, err, verbund.Forbidden, "")

		got, err := f.svc.Assessment(ctx, f.assessor, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Evidence) != 3 || got.Evidence[0].ID != file.ID || got.Evidence[1].Reference != "BZK-2026-0042" ||
			got.Evidence[1].Stored || got.Evidence[1].SHA256 != "" || !got.Evidence[2].Stored {
			t.Errorf("evidence = %+v", got.Evidence)
		}
		if e := f.lastAudit(t, "assessment.evidence"); e.ObjectID != a.ID || !strings.Contains(e.Reason, empty.ID) {
			t.Errorf("audit = %+v", e)
		}

		for _, tc := range []struct {
			name   string
			in     designation.NewEvidence
			fields []string
		}{
			{"no title", designation.NewEvidence{Reference: "x"}, []string{"title"}},
			{"neither reference nor file", designation.NewEvidence{Title: "x"}, []string{"reference"}},
			{"a file without a name", designation.NewEvidence{Title: "x", Content: []byte("x")}, []string{"file_name"}},
			{"a file too large", designation.NewEvidence{Title: "x", FileName: "big.bin", Content: make([]byte, 65)}, []string{"file"}},
			{"a file that does not match its hash", designation.NewEvidence{Title: "x", FileName: "a.pdf", Content: []byte("other"), SHA256: hash}, []string{"sha256"}},
			{"a hash that is no hash", designation.NewEvidence{Title: "x", Reference: "y", SHA256: "abc"}, []string{"sha256"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.AddEvidence(ctx, f.assessor, a.ID, tc.in)
				wantErr(t, err, verbund.Invalid, "evidence-invalid", tc.fields...)
			})
		}
		_, err = f.svc.AddEvidence(ctx, f.csirtAdmin, a.ID, designation.NewEvidence{Title: "x", Reference: "y"})
		wantErr(t, err, verbund.Forbidden, "")
		_, err = f.svc.AddEvidence(ctx, f.assessor, "a-missing", designation.NewEvidence{Title: "x", Reference: "y"})
		wantErr(t, err, verbund.NotFound, "")

		// A reference with the hash of a document kept elsewhere.
		kept, err := f.svc.AddEvidence(ctx, f.assessor, a.ID, designation.NewEvidence{Title: "Archived", Reference: "DMS 17", SHA256: hash})
		if err != nil || kept.SHA256 != hash || kept.Stored {
			t.Errorf("reference with hash = %+v, %v", kept, err)
		}

		if err := f.svc.Refuse(ctx, f.assessor, a.ID, "not an EU national CSIRT"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AddEvidence(ctx, f.assessor, a.ID, designation.NewEvidence{Title: "late", Reference: "y"})
		wantErr(t, err, verbund.Conflict, "already-decided")
	})
}
