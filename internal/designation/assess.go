package designation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// Limits of the texts an assessment holds, in characters.
const (
	maxNote      = 4000
	maxTitle     = 200
	maxReference = 1000
	maxFileName  = 255
	maxType      = 100
)

// NewAssessment is the input of OpenAssessment.
type NewAssessment struct {
	OrgID    string
	Category policy.Category
	// SectorWide assesses a designated CSIRT as serving a whole sector,
	// which lets it receive information traceable to persons or
	// organisations. Only for policy.CategoryDesignatedCSIRT.
	SectorWide bool
}

// OpenAssessment opens an assessment of an organisation for a designation
// category; assessors and office administrators only. Invalid, with Fields,
// for an unknown category, an organisation that does not exist or is the
// office, or SectorWide outside the designated-CSIRT category; Conflict
// (code "assessment-open") when one is open for the organisation and
// category already.
func (s *Service) OpenAssessment(ctx context.Context, p identity.Principal, in NewAssessment) (Assessment, error) {
	const op = "designation.OpenAssessment"
	if !mayAssess(p) {
		return Assessment{}, s.denied(ctx, p, op, "assessment.open", "organisation", in.OrgID,
			"only an assessor or office administrator may open an assessment")
	}
	f := map[string]string{}
	if in.Category.String() == "unknown" {
		f["category"] = "choose a category: oktt, eu-national-csirt, designated-csirt or isp"
	} else if in.SectorWide && in.Category != policy.CategoryDesignatedCSIRT {
		f["sector_wide"] = "only a designated CSIRT can be assessed as serving a whole sector"
	}
	in.OrgID = strings.TrimSpace(in.OrgID)
	if in.OrgID == "" {
		f["org_id"] = "required"
	}
	now := s.now()
	a := Assessment{
		ID: identity.NewID(), OrgID: in.OrgID, Category: in.Category, SectorWide: in.SectorWide,
		State: StateOpen, OpenedBy: userID(p), OpenedAt: now, UpdatedAt: now,
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if in.OrgID != "" {
			switch o, err := tx.Organisation(ctx, in.OrgID); {
			case verbund.IsKind(err, verbund.NotFound):
				f["org_id"] = "no such organisation"
			case err != nil:
				return err
			case o.Kind == identity.KindOffice:
				f["org_id"] = "the office is the hub, not a recipient"
			}
		}
		if err := invalid(op, "assessment-invalid", f); err != nil {
			return err
		}
		if err := tx.CreateAssessment(ctx, a); err != nil {
			if verbund.IsKind(err, verbund.Conflict) {
				e := conflict(op, "assessment-open", "an assessment of this organisation in this category is open already")
				e.Fields = map[string]string{"category": "an assessment in this category is open already"}
				return e
			}
			return err
		}
		reason := "organisation " + a.OrgID + ", category " + a.Category.String()
		if a.SectorWide {
			reason += ", serving a whole sector"
		}
		return s.record(ctx, tx, p, "assessment.open", "assessment", a.ID, reason)
	})
	if err != nil {
		return Assessment{}, verbund.Errorf(op, err)
	}
	return a, nil
}

// lockOpen holds assessment id in tx for a change, at the current time; a
// NotFound error when it does not exist, Conflict (code "already-decided")
// when it is decided.
func (s *Service) lockOpen(ctx context.Context, tx Tx, op, id string) error {
	ok, err := tx.LockOpenAssessment(ctx, id, s.now())
	if err != nil || ok {
		return err
	}
	if _, err := tx.Assessment(ctx, id); err != nil {
		return err
	}
	return conflict(op, "already-decided", "the assessment is decided already; open a new one")
}

// NewFinding is the input of RecordFinding.
type NewFinding struct {
	Criterion Criterion
	Met       bool
	Note      string
}

// RecordFinding records the finding on one criterion of an open assessment,
// replacing an earlier one; assessors and office administrators only.
// Invalid for an unknown criterion or a missing note; NotFound when the
// assessment does not exist; Conflict (code "already-decided") when it is
// decided.
func (s *Service) RecordFinding(ctx context.Context, p identity.Principal, assessmentID string, in NewFinding) (Finding, error) {
	const op = "designation.RecordFinding"
	if !mayAssess(p) {
		return Finding{}, s.denied(ctx, p, op, "assessment.finding", "assessment", assessmentID,
			"only an assessor or office administrator may record findings")
	}
	f := map[string]string{}
	if !in.Criterion.Valid() {
		f["criterion"] = "choose a criterion: task, confidentiality or lawful"
	}
	text(f, "note", &in.Note, true, maxNote)
	if err := invalid(op, "finding-invalid", f); err != nil {
		return Finding{}, err
	}
	fd := Finding{Criterion: in.Criterion, Met: in.Met, Note: in.Note, RecordedBy: userID(p), RecordedAt: s.now()}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.lockOpen(ctx, tx, op, assessmentID); err != nil {
			return err
		}
		if err := tx.PutFinding(ctx, assessmentID, fd); err != nil {
			return err
		}
		verdict := "not met"
		if fd.Met {
			verdict = "met"
		}
		return s.record(ctx, tx, p, "assessment.finding", "assessment", assessmentID,
			"criterion "+string(fd.Criterion)+": "+verdict)
	})
	if err != nil {
		return Finding{}, verbund.Errorf(op, err)
	}
	return fd, nil
}

// NewEvidence is the input of AddEvidence: a reference to a document kept
// elsewhere, an uploaded file (Content, with its FileName), or both.
type NewEvidence struct {
	Title       string
	Reference   string
	FileName    string
	ContentType string
	Content     []byte // nil: no file
	// SHA256 is the hex SHA-256 of the document. With Content it is
	// computed and, if given, must match; without, it records the hash of
	// a document kept elsewhere.
	SHA256 string
}

// AddEvidence attaches a document to an open assessment; assessors and
// office administrators only. Invalid when the title is missing, there is
// neither a reference nor a file, the file is larger than
// Config.MaxEvidenceBytes or does not match the SHA256 given; NotFound and
// Conflict as RecordFinding.
func (s *Service) AddEvidence(ctx context.Context, p identity.Principal, assessmentID string, in NewEvidence) (Evidence, error) {
	const op = "designation.AddEvidence"
	if !mayAssess(p) {
		return Evidence{}, s.denied(ctx, p, op, "assessment.evidence", "assessment", assessmentID,
			"only an assessor or office administrator may add evidence")
	}
	f := map[string]string{}
	text(f, "title", &in.Title, true, maxTitle)
	text(f, "reference", &in.Reference, false, maxReference)
	text(f, "file_name", &in.FileName, in.Content != nil, maxFileName)
	text(f, "content_type", &in.ContentType, false, maxType)
	in.SHA256 = strings.ToLower(strings.TrimSpace(in.SHA256))
	if b, err := hex.DecodeString(in.SHA256); in.SHA256 != "" && (err != nil || len(b) != sha256.Size) {
		f["sha256"] = "64 hexadecimal digits"
	}
	switch {
	case in.Content == nil && in.Reference == "":
		f["reference"] = "give a reference or a file"
	case len(in.Content) > s.cfg.MaxEvidenceBytes:
		f["file"] = "at most " + strconv.Itoa(s.cfg.MaxEvidenceBytes) + " bytes; give a reference instead"
	case in.Content != nil:
		sum := sha256.Sum256(in.Content)
		got := hex.EncodeToString(sum[:])
		if in.SHA256 != "" && in.SHA256 != got {
			f["sha256"] = "does not match the file"
		}
		in.SHA256 = got
	}
	if err := invalid(op, "evidence-invalid", f); err != nil {
		return Evidence{}, err
	}
	e := Evidence{
		ID: identity.NewID(), AssessmentID: assessmentID, Title: in.Title, Reference: in.Reference,
		FileName: in.FileName, ContentType: in.ContentType, SHA256: in.SHA256, Size: int64(len(in.Content)),
		Stored: in.Content != nil, AddedBy: userID(p), AddedAt: s.now(),
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.lockOpen(ctx, tx, op, assessmentID); err != nil {
			return err
		}
		if err := tx.AddEvidence(ctx, e, in.Content); err != nil {
			return err
		}
		reason := "evidence " + e.ID
		if e.SHA256 != "" {
			reason += ", sha256 " + e.SHA256
		}
		return s.record(ctx, tx, p, "assessment.evidence", "assessment", assessmentID, reason)
	})
	if err != nil {
		return Evidence{}, verbund.Errorf(op, err)
	}
	return e, nil
}

// EvidenceFile returns evidence id with its stored file; assessors and
// office administrators only. NotFound when the evidence does not exist or
// has no stored file.
func (s *Service) EvidenceFile(ctx context.Context, p identity.Principal, id string) (Evidence, []byte, error) {
	const op = "designation.EvidenceFile"
	if !mayAssess(p) {
		return Evidence{}, nil, verbund.E(op, verbund.Forbidden, "only an assessor or office administrator may read evidence")
	}
	e, err := s.store.Evidence(ctx, id)
	if err != nil {
		return Evidence{}, nil, err
	}
	b, err := s.store.EvidenceContent(ctx, id)
	if err != nil {
		return Evidence{}, nil, err
	}
	return e, b, nil
}

// Assessment returns assessment id with its findings and evidence;
// assessors and office administrators only.
func (s *Service) Assessment(ctx context.Context, p identity.Principal, id string) (Assessment, error) {
	if !mayAssess(p) {
		return Assessment{}, verbund.E("designation.Assessment", verbund.Forbidden, "only an assessor or office administrator may read assessments")
	}
	return s.store.Assessment(ctx, id)
}

// ListAssessments returns the assessments matching f, newest first, without
// findings and evidence; assessors and office administrators only.
func (s *Service) ListAssessments(ctx context.Context, p identity.Principal, f AssessmentFilter) ([]Assessment, error) {
	if !mayAssess(p) {
		return nil, verbund.E("designation.ListAssessments", verbund.Forbidden, "only an assessor or office administrator may read assessments")
	}
	return s.store.ListAssessments(ctx, f)
}
