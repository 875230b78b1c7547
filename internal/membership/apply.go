package membership

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// Applications for partner and multiplier status, and the checklist the
// office checks multipliers against.

// SettingChecklist is the installation setting holding the multiplier
// checklist as a JSON array of strings.
const SettingChecklist = "membership.multiplier_checklist"

// DefaultChecklist is the multiplier checklist until the office sets one.
var DefaultChecklist = []string{
	"represents organisations, or reaches them as a network",
	"has channels to pass on the alliance's information",
	"pursues no mainly commercial interest with the status",
	"names a contact person for the alliance",
}

// Limits of an application.
const (
	maxTags       = 20
	maxTagLen     = 60
	maxTextLen    = 5000
	maxChecklist  = 30
	maxItemLength = 200
)

// NewApplication is the input for Apply. Partners name their areas of
// expertise, multipliers what kind of organisation they are.
type NewApplication struct {
	OrgID       string
	Kind        Status // Partner or Multiplier
	Expertise   []string
	OrgType     string
	Description string
}

// cleanTags trims tags, drops empty ones and repeats (in any case), and
// returns a problem with them, or "".
func cleanTags(tags []string) ([]string, string) {
	var out []string
	for _, t := range tags {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			continue
		case utf8.RuneCountInString(t) > maxTagLen || strings.ContainsAny(t, "\r\n\x00"):
			return nil, "each area in one line of at most 60 characters"
		case slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, t) }):
			continue
		}
		out = append(out, t)
	}
	switch {
	case len(out) == 0:
		return nil, "name at least one area of expertise"
	case len(out) > maxTags:
		return nil, "at most 20 areas of expertise"
	}
	return out, ""
}

// Apply asks the office for partner or multiplier status for the
// principal's own organisation; its administrators only. The organisation
// must be an active participant that accepted the current agreement, must
// not hold the status and must have no open application of the kind.
func (s *Service) Apply(ctx context.Context, p identity.Principal, in NewApplication) (Application, error) {
	const op = "membership.Apply"
	if !isOrgAdmin(p, in.OrgID) {
		s.denied(ctx, p, "application.submit", "organisation", in.OrgID, "not an administrator of the organisation")
		return Application{}, notFound(op)
	}
	f := map[string]string{}
	a := Application{ID: identity.NewID(), OrgID: in.OrgID, Kind: in.Kind, State: Pending,
		Description: strings.TrimSpace(in.Description), SubmittedBy: p.User.ID, SubmittedAt: s.now()}
	switch in.Kind {
	case Partner:
		var msg string
		if a.Expertise, msg = cleanTags(in.Expertise); msg != "" {
			f["expertise"] = msg
		}
	case Multiplier:
		if a.OrgType = strings.TrimSpace(in.OrgType); !slices.Contains(OrgTypes, a.OrgType) {
			f["org_type"] = "one of " + strings.Join(OrgTypes, ", ")
		}
	default:
		f["kind"] = "partner or multiplier"
	}
	switch n := utf8.RuneCountInString(a.Description); {
	case n == 0:
		f["description"] = "required"
	case n > maxTextLen:
		f["description"] = "at most 5000 characters"
	}
	if len(f) > 0 {
		return Application{}, verbund.InvalidFields(op, f)
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.mayAdvance(ctx, tx, op, in.OrgID); err != nil {
			return err
		}
		held, err := tx.ListStatuses(ctx, StatusFilter{OrgID: in.OrgID, Status: in.Kind, CurrentOnly: true})
		if err != nil {
			return err
		}
		if len(held) > 0 {
			return conflict(op, "already-"+string(in.Kind), "the organisation is a "+string(in.Kind)+" already")
		}
		if err := tx.CreateApplication(ctx, a); err != nil {
			if verbund.IsKind(err, verbund.Conflict) {
				return conflict(op, "application-pending", "the organisation's application is waiting for the office's decision")
			}
			return err
		}
		return record(ctx, tx, s.entry(ctx, p, "application.submit", audit.Success, "application", a.ID), string(a.Kind))
	})
	if err != nil {
		return Application{}, verbund.Errorf(op, err)
	}
	return a, nil
}

// mayAdvance returns a Conflict unless organisation orgID is an active
// participant that accepted the current agreement: the precondition of
// every further status.
func (s *Service) mayAdvance(ctx context.Context, tx Tx, op, orgID string) error {
	org, err := s.memberOrg(ctx, tx, op, orgID)
	if err != nil {
		return err
	}
	if org.Status != identity.StatusActive {
		return conflict(op, "not-active", "only an active member can do this; the organisation is "+string(org.Status))
	}
	ok, err := acceptedCurrent(ctx, tx, orgID)
	if err != nil {
		return err
	}
	if !ok {
		return conflict(op, "agreement-not-accepted", "accept the current agreement first")
	}
	return nil
}

// Decision is the office's answer to an application.
type Decision struct {
	Approve bool
	Reason  string   // required; the applicant reads it
	Checked []string // multipliers: the checklist items confirmed
}

// DecideApplication approves or rejects a pending application; reviewers
// and office admins. A multiplier is approved only with every item of the
// checklist confirmed; the items confirmed are recorded either way. An
// application decided before is a Conflict with code "already-decided".
// Approval alone grants no status: the first accepted contribution does.
func (s *Service) DecideApplication(ctx context.Context, p identity.Principal, id string, d Decision) (Application, error) {
	const op = "membership.DecideApplication"
	if !isOffice(p, identity.RoleOfficeAdmin, identity.RoleReviewer) {
		s.denied(ctx, p, "application.decide", "application", id, "not a reviewer or office administrator")
		return Application{}, forbidden(op, "only a reviewer or office administrator may decide applications")
	}
	if msg := checkReason(&d.Reason, true); msg != "" {
		return Application{}, verbund.InvalidFields(op, map[string]string{"reason": msg})
	}
	a, err := s.store.Application(ctx, id)
	if err != nil {
		return Application{}, err
	}
	if a.State != Pending {
		return Application{}, conflict(op, "already-decided", "this application was decided already")
	}
	if a.Kind == Multiplier {
		list, err := s.MultiplierChecklist(ctx)
		if err != nil {
			return Application{}, err
		}
		for _, c := range d.Checked {
			if !slices.Contains(list, c) {
				return Application{}, verbund.InvalidFields(op, map[string]string{"checked": "not on the checklist: " + c})
			}
		}
		a.Checked = slices.Compact(slices.Sorted(slices.Values(d.Checked)))
		if d.Approve && len(a.Checked) < len(list) {
			return Application{}, &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "checklist-incomplete",
				Msg:    "a multiplier is approved only when every item of the checklist is confirmed",
				Fields: map[string]string{"checked": "confirm every item"}}
		}
	}
	a.State, a.Reason, a.DecidedAt = Rejected, d.Reason, s.now()
	action, mailKey := "application.reject", "mail.application.rejected"
	if d.Approve {
		a.State, action, mailKey = Approved, "application.approve", "mail.application.approved"
	}
	if p.User != nil {
		a.DecidedBy = p.User.ID
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		ok, err := tx.DecideApplication(ctx, a)
		if err != nil {
			return err
		}
		if !ok {
			return conflict(op, "already-decided", "this application was decided already")
		}
		org, err := tx.Organisation(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, s.entry(ctx, p, action, audit.Success, "application", a.ID), d.Reason); err != nil {
			return err
		}
		return s.notify(ctx, tx, org, mailKey, org.Name, textKey("mstatus."+string(a.Kind)), d.Reason)
	})
	if err != nil {
		return Application{}, verbund.Errorf(op, err)
	}
	return a, nil
}

// Applications lists the applications of organisation orgID, oldest first,
// with the office's reasons, for those who may read its records.
func (s *Service) Applications(ctx context.Context, p identity.Principal, orgID string) ([]Application, error) {
	if !mayRead(p, orgID) {
		s.denied(ctx, p, "application.list", "organisation", orgID, "not a user of the organisation")
		return nil, notFound("membership.Applications")
	}
	return s.store.ListApplications(ctx, ApplicationFilter{OrgID: orgID})
}

// MultiplierChecklist returns the items the office checks a multiplier
// against: the office's own list, or DefaultChecklist.
func (s *Service) MultiplierChecklist(ctx context.Context) ([]string, error) {
	v, err := s.store.Setting(ctx, SettingChecklist)
	if err != nil || v == "" {
		return slices.Clone(DefaultChecklist), err
	}
	var list []string
	if err := json.Unmarshal([]byte(v), &list); err != nil {
		return nil, verbund.Errorf("membership.MultiplierChecklist", err)
	}
	return list, nil
}

// SetMultiplierChecklist replaces the multiplier checklist; office admins
// only. Decisions made before keep the items they recorded.
func (s *Service) SetMultiplierChecklist(ctx context.Context, p identity.Principal, items []string) error {
	const op = "membership.SetMultiplierChecklist"
	if !isOffice(p, identity.RoleOfficeAdmin) {
		s.denied(ctx, p, "membership.checklist", "setting", SettingChecklist, "not an office administrator")
		return forbidden(op, "only an office administrator may change the checklist")
	}
	var list []string
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		if utf8.RuneCountInString(it) > maxItemLength || strings.ContainsAny(it, "\r\n\x00") {
			return verbund.InvalidFields(op, map[string]string{"items": "each item in one line of at most 200 characters"})
		}
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	if len(list) == 0 || len(list) > maxChecklist {
		return verbund.InvalidFields(op, map[string]string{"items": "between 1 and 30 items"})
	}
	b, err := json.Marshal(list)
	if err != nil {
		return verbund.Errorf(op, err)
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.SetSetting(ctx, SettingChecklist, string(b)); err != nil {
			return err
		}
		return record(ctx, tx, s.entry(ctx, p, "membership.checklist", audit.Success, "setting", SettingChecklist),
			strings.Join(list, "; "))
	})
}
