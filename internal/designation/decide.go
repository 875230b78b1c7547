package designation

import (
	"context"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// Terms are what a decision to designate sets.
type Terms struct {
	ValidFrom  time.Time // zero: from the decision
	ValidUntil time.Time // required; the designation ends at this instant
	ReviewAt   time.Time // required; within [ValidFrom, ValidUntil)
	Reason     string    // the reasoning, optional
}

// Designate decides an open assessment by designating its organisation in
// its category; assessors and office administrators only. Every criterion
// must have a finding that it is met: otherwise Invalid (code
// "criteria-not-met") with a field "criteria.<criterion>" for each that is
// "not met" or "not assessed". Invalid, with Fields, for a validity that ends
// before it starts or has ended already, or a review date outside it.
// NotFound when the assessment does not exist; Conflict (code
// "already-decided") when it is decided already.
func (s *Service) Designate(ctx context.Context, p identity.Principal, assessmentID string, t Terms) (Designation, error) {
	const op = "designation.Designate"
	if !mayAssess(p) {
		return Designation{}, s.denied(ctx, p, op, "assessment.decide", "assessment", assessmentID,
			"only an assessor or office administrator may decide an assessment")
	}
	now := s.now()
	t.ValidFrom, t.ValidUntil, t.ReviewAt = trunc(t.ValidFrom), trunc(t.ValidUntil), trunc(t.ReviewAt)
	if t.ValidFrom.IsZero() {
		t.ValidFrom = now
	}
	f := map[string]string{}
	switch {
	case t.ValidUntil.IsZero():
		f["valid_until"] = "required: a designation is for a period; renew it by a new assessment"
	case !t.ValidUntil.After(t.ValidFrom):
		f["valid_until"] = "must be after the start of the validity"
	case !t.ValidUntil.After(now):
		f["valid_until"] = "lies in the past: the designation would never be in force"
	}
	switch {
	case t.ReviewAt.IsZero():
		f["review_at"] = "required"
	case t.ReviewAt.Before(t.ValidFrom) || (!t.ValidUntil.IsZero() && !t.ReviewAt.Before(t.ValidUntil)):
		f["review_at"] = "must lie within the validity"
	}
	text(f, "reason", &t.Reason, false, maxNote)
	if err := invalid(op, "terms-invalid", f); err != nil {
		return Designation{}, err
	}
	var d Designation
	err := s.store.Update(ctx, func(tx Tx) error {
		// Lock first, so that the findings read below are the ones the
		// decision rests on, whatever is recorded concurrently.
		if err := s.lockOpen(ctx, tx, op, assessmentID); err != nil {
			return err
		}
		a, err := tx.Assessment(ctx, assessmentID)
		if err != nil {
			return err
		}
		failing := map[string]string{}
		for _, c := range Criteria {
			switch fd, ok := a.Finding(c); {
			case !ok:
				failing["criteria."+string(c)] = "not assessed"
			case !fd.Met:
				failing["criteria."+string(c)] = "not met"
			}
		}
		if len(failing) > 0 {
			e := verbund.InvalidFields(op, failing)
			e.Code, e.Msg = "criteria-not-met", "a designation needs every criterion met; refuse the assessment instead"
			return e
		}
		a.State, a.DecidedBy, a.DecidedAt, a.Reason = StateDesignated, userID(p), now, t.Reason
		if err := s.decide(ctx, tx, op, a); err != nil {
			return err
		}
		d = Designation{
			ID: identity.NewID(), AssessmentID: a.ID, OrgID: a.OrgID, Category: a.Category, SectorWide: a.SectorWide,
			ValidFrom: t.ValidFrom, ValidUntil: t.ValidUntil, ReviewAt: t.ReviewAt,
			DesignatedBy: userID(p), DesignatedAt: now,
		}
		if err := tx.CreateDesignation(ctx, d); err != nil {
			return err
		}
		if err := s.record(ctx, tx, p, "assessment.decide", "assessment", a.ID, "designated: designation "+d.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "designation.create", "designation", d.ID,
			"organisation "+d.OrgID+", category "+d.Category.String()+", valid from "+stamp(d.ValidFrom)+
				" until "+stamp(d.ValidUntil)+", review by "+stamp(d.ReviewAt)+", assessment "+a.ID)
	})
	if err != nil {
		return Designation{}, verbund.Errorf(op, err)
	}
	return d, nil
}

// Refuse decides an open assessment by refusing the designation, for the
// reason given (required); assessors and office administrators only.
// NotFound and Conflict as Designate.
func (s *Service) Refuse(ctx context.Context, p identity.Principal, assessmentID, reason string) error {
	const op = "designation.Refuse"
	if !mayAssess(p) {
		return s.denied(ctx, p, op, "assessment.decide", "assessment", assessmentID,
			"only an assessor or office administrator may decide an assessment")
	}
	f := map[string]string{}
	text(f, "reason", &reason, true, maxNote)
	if err := invalid(op, "reason-invalid", f); err != nil {
		return err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.lockOpen(ctx, tx, op, assessmentID); err != nil {
			return err
		}
		a, err := tx.Assessment(ctx, assessmentID)
		if err != nil {
			return err
		}
		a.State, a.DecidedBy, a.DecidedAt, a.Reason = StateRefused, userID(p), s.now(), reason
		if err := s.decide(ctx, tx, op, a); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "assessment.decide", "assessment", a.ID, "refused: "+reason)
	})
	return verbund.Errorf(op, err)
}

// decide stores the decision of a, held open by lockOpen.
func (s *Service) decide(ctx context.Context, tx Tx, op string, a Assessment) error {
	ok, err := tx.DecideAssessment(ctx, a)
	if err == nil && !ok {
		err = conflict(op, "already-decided", "the assessment is decided already; open a new one")
	}
	return err
}

// Revoke ends designation id at once, for the reason given (required);
// assessors and office administrators only. NotFound when it does not
// exist. Revoking a revoked designation is a Conflict (code
// "already-revoked"): the first revocation's time and reason stand, and a
// second would be a decision made on a stale page. A designation that has
// expired may still be revoked, to record the office's decision.
func (s *Service) Revoke(ctx context.Context, p identity.Principal, id, reason string) (Designation, error) {
	const op = "designation.Revoke"
	if !mayAssess(p) {
		return Designation{}, s.denied(ctx, p, op, "designation.revoke", "designation", id,
			"only an assessor or office administrator may revoke a designation")
	}
	f := map[string]string{}
	text(f, "reason", &reason, true, maxNote)
	if err := invalid(op, "reason-invalid", f); err != nil {
		return Designation{}, err
	}
	var d Designation
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if d, err = tx.DesignationByID(ctx, id); err != nil {
			return err
		}
		d.RevokedAt, d.RevokedBy, d.RevokeReason = s.now(), userID(p), reason
		ok, err := tx.RevokeDesignation(ctx, id, d.RevokedAt, d.RevokedBy, reason)
		if err != nil {
			return err
		}
		if !ok {
			return conflict(op, "already-revoked", "the designation is revoked already")
		}
		return s.record(ctx, tx, p, "designation.revoke", "designation", id, reason)
	})
	if err != nil {
		return Designation{}, verbund.Errorf(op, err)
	}
	return d, nil
}

// DesignationsOf returns the designations of organisation orgID as the
// policy reads them, for building a policy.Viewer: those in force at now or
// starting later, and those that ended or were revoked less than
// Config.KeepLapsed before now, so that a refusal can say why. It checks no
// authorisation: it serves the read paths, which decide through the policy.
func (s *Service) DesignationsOf(ctx context.Context, orgID string, now time.Time) ([]policy.Designation, error) {
	ds, err := s.store.ListDesignations(ctx, DesignationFilter{OrgID: orgID, LapsedSince: now.Add(-s.cfg.KeepLapsed)})
	if err != nil {
		return nil, err
	}
	out := make([]policy.Designation, len(ds))
	for i, d := range ds {
		out[i] = d.Policy()
	}
	return out, nil
}

// Designation returns designation id; assessors, office administrators and
// the users of the designated organisation only.
func (s *Service) Designation(ctx context.Context, p identity.Principal, id string) (Designation, error) {
	d, err := s.store.DesignationByID(ctx, id)
	if err != nil {
		return Designation{}, err
	}
	if !mayAssess(p) && (p.OrgID() == "" || p.OrgID() != d.OrgID) {
		return Designation{}, verbund.E("designation.Designation", verbund.NotFound, "not found")
	}
	return d, nil
}

// Designations returns every designation of an organisation, by start of
// validity; assessors, office administrators and the organisation's own
// users and tokens only.
func (s *Service) Designations(ctx context.Context, p identity.Principal, orgID string) ([]Designation, error) {
	if !mayAssess(p) && (p.OrgID() == "" || p.OrgID() != orgID) {
		return nil, verbund.E("designation.Designations", verbund.Forbidden, "only the office and the organisation itself may see its designations")
	}
	return s.store.ListDesignations(ctx, DesignationFilter{OrgID: orgID})
}

// DueForReview returns the designations in force or still to start whose
// review date is at most within from now, by start of validity; assessors
// and office administrators only.
func (s *Service) DueForReview(ctx context.Context, p identity.Principal, within time.Duration) ([]Designation, error) {
	if !mayAssess(p) {
		return nil, verbund.E("designation.DueForReview", verbund.Forbidden, "only an assessor or office administrator may list designations")
	}
	now := s.now()
	return s.store.ListDesignations(ctx, DesignationFilter{InForceAt: now, ReviewBy: now.Add(within)})
}

// Expiring returns the designations in force or still to start whose
// validity ends at most within from now; assessors and office
// administrators only.
func (s *Service) Expiring(ctx context.Context, p identity.Principal, within time.Duration) ([]Designation, error) {
	if !mayAssess(p) {
		return nil, verbund.E("designation.Expiring", verbund.Forbidden, "only an assessor or office administrator may list designations")
	}
	now := s.now()
	return s.store.ListDesignations(ctx, DesignationFilter{InForceAt: now, EndsBy: now.Add(within)})
}

// trunc returns t in UTC with the precision the store keeps.
func trunc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// stamp formats t for an audit reason.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
