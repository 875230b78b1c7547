package warning

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
)

// SettingFourEyes is the installation setting of the four-eyes rule:
// "false" lets a publisher publish without a second person's approval;
// anything else, unset included, requires it.
const SettingFourEyes = "warnings.four_eyes"

// Config holds the service's settings.
type Config struct {
	Now func() time.Time
	// TrackingPrefix starts every tracking id: "VB" gives "VB-2026-0001".
	TrackingPrefix string
	// IsPartner reports whether an organisation is a partner of the
	// alliance, whose users may contribute warnings. Nil: nobody outside
	// the office may.
	IsPartner func(ctx context.Context, orgID string) (bool, error)
}

// Service runs the warnings: authoring, the workflow, reading through the
// sharing door, and acknowledgements. It is safe for concurrent use.
type Service struct {
	store Store
	door  *sharing.Door
	cfg   Config
}

// NewService returns a service on store that asks door about every read.
func NewService(store Store, door *sharing.Door, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TrackingPrefix == "" {
		cfg.TrackingPrefix = "VB"
	}
	return &Service{store: store, door: door, cfg: cfg}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// Door returns the door the service reads through.
func (s *Service) Door() *sharing.Door { return s.door }

// Input is what an author writes: the content and the marking.
type Input struct {
	Content Content
	Marking policy.Marking
}

// isOffice reports whether p acts for the office.
func isOffice(p identity.Principal) bool { return p.Org != nil && p.Org.Kind == identity.KindOffice }

// mayPublish reports whether p is a publisher: the system, or an office
// user with the publisher role. Office tokens are not: the office's drafts
// are the work of a role, which the policy shows to users only.
func mayPublish(p identity.Principal) bool {
	return p.System || p.Has(identity.RolePublisher)
}

// MayPublish reports whether p may author, approve and publish warnings of
// the office.
func MayPublish(p identity.Principal) bool { return mayPublish(p) }

// mayWrite reports whether p may write at all: users, and tokens with
// warnings:write.
func mayWrite(p identity.Principal) bool {
	return p.System || p.User != nil || p.Token != nil && p.Token.Has(identity.ScopeWarningsWrite)
}

// MayContribute reports whether p may contribute warnings as a partner.
func (s *Service) MayContribute(ctx context.Context, p identity.Principal) (bool, error) {
	if !mayWrite(p) || p.Org == nil || isOffice(p) || p.Org.Status != identity.StatusActive || s.cfg.IsPartner == nil {
		return false, nil
	}
	return s.cfg.IsPartner(ctx, p.Org.ID)
}

func userID(p identity.Principal) string {
	if p.User != nil {
		return p.User.ID
	}
	return ""
}

// entry returns an audit entry of action on warning w by p. The reason
// names the tracking id and state, never the content, which may be
// TLP:AMBER or RED.
func (s *Service) entry(ctx context.Context, p identity.Principal, action string, w *Warning, reason string) audit.Entry {
	e := audit.New(ctx, s.now(), action, audit.Success)
	e.ActorUser = userID(p)
	if p.Token != nil {
		e.ActorToken = p.Token.ID
	}
	e.ActorOrg = p.OrgID()
	e.ObjectType, e.ObjectID = policy.KindWarning, w.ID
	e.Reason = w.TrackingID + " " + string(w.State)
	if reason != "" {
		e.Reason += ": " + reason
	}
	return e
}

func forbidden(op, msg string) error {
	return &verbund.Error{Op: op, Kind: verbund.Forbidden, Code: "warning-forbidden", Msg: msg}
}

func wrongState(op string, w *Warning, msg string) error {
	return &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "warning-state", Msg: msg + " (the warning is " + string(w.State) + ")"}
}

// prepare normalises and checks in; Invalid (code "warning-invalid") with a
// problem per field.
func prepare(op string, in *Input) error {
	normalise(&in.Content)
	if f := check(&in.Content); len(f) > 0 {
		e := verbund.InvalidFields(op, f)
		e.Code = "warning-invalid"
		return e
	}
	return nil
}

// saveMarking stores w's marking; SaveMarking's field problems come back
// under "marking." so that forms can show them beside the marking fields.
func saveMarking(ctx context.Context, tx Tx, w *Warning) error {
	return designation.SaveMarking(ctx, tx, policy.KindWarning, w.ID, w.OwnerOrg, w.CreatedBy, w.Marking)
}

// Create stores a new draft. Publishers write for the office; users of a
// partner write a contribution that their organisation owns and the office
// reviews. Invalid input is a verbund.Invalid error naming every field;
// missing fields are allowed in a draft.
func (s *Service) Create(ctx context.Context, p identity.Principal, in Input) (Warning, error) {
	const op = "warning.Create"
	contribution := false
	if !mayPublish(p) {
		ok, err := s.MayContribute(ctx, p)
		if err != nil {
			return Warning{}, err
		}
		if !ok {
			return Warning{}, forbidden(op, "only publishers of the office and partners may write warnings")
		}
		contribution = true
	}
	if err := prepare(op, &in); err != nil {
		return Warning{}, err
	}
	now := s.now()
	w := Warning{ID: identity.NewID(), OwnerOrg: p.OrgID(), CreatedBy: userID(p), Contribution: contribution,
		State: Draft, Marking: in.Marking, Draft: in.Content, CreatedAt: now, UpdatedAt: now, EditedBy: userID(p)}
	err := s.store.Update(ctx, func(tx Tx) error {
		if p.System && w.OwnerOrg == "" {
			orgs, err := tx.ListOrganisations(ctx, identity.OrgFilter{Kind: identity.KindOffice})
			if err != nil || len(orgs) == 0 {
				return verbund.E(op, verbund.Invalid, "there is no office to own the warning")
			}
			w.OwnerOrg = orgs[0].ID
		}
		n, err := tx.NextTrackingNumber(ctx, now.Year())
		if err != nil {
			return err
		}
		w.TrackingID = fmt.Sprintf("%s-%d-%04d", s.cfg.TrackingPrefix, now.Year(), n)
		if err := saveMarking(ctx, tx, &w); err != nil {
			return err
		}
		if err := tx.CreateWarning(ctx, w); err != nil {
			return err
		}
		reason := "draft created"
		if contribution {
			reason = "contribution created"
		}
		_, err = tx.AppendAudit(ctx, s.entry(ctx, p, "warning.create", &w, reason))
		return err
	})
	if err != nil {
		return Warning{}, err
	}
	return w, nil
}

// mayEdit reports whether p may change w's draft: publishers before
// publication, and the contributing organisation's users while it is a
// draft.
func mayEdit(p identity.Principal, w *Warning) bool {
	if mayPublish(p) {
		return w.IsDraft()
	}
	return w.State == Draft && mayWrite(p) && p.OrgID() == w.OwnerOrg
}

// change runs fn on warning id under its lock and stores the result with an
// audit entry of action. fn returns the reason for the audit log.
func (s *Service) change(ctx context.Context, p identity.Principal, op, action, id string, fn func(tx Tx, w *Warning) (string, error)) (Warning, error) {
	var out Warning
	err := s.store.Update(ctx, func(tx Tx) error {
		w, err := tx.LockWarning(ctx, id)
		if err != nil {
			return err
		}
		// Who may not read it learns nothing of it.
		v, err := s.viewerOf(ctx, p)
		if err != nil {
			return err
		}
		if o := w.Object(); !p.System && !s.door.Decide(&v, &o).Allow {
			return verbund.E(op, verbund.NotFound, "no such warning")
		}
		reason, err := fn(tx, &w)
		if err != nil {
			return err
		}
		w.UpdatedAt = s.now()
		if err := tx.UpdateWarning(ctx, w); err != nil {
			return err
		}
		if _, err := tx.AppendAudit(ctx, s.entry(ctx, p, action, &w, reason)); err != nil {
			return err
		}
		out = w
		return nil
	})
	if err != nil {
		return Warning{}, err
	}
	return s.store.Warning(ctx, out.ID)
}

func (s *Service) viewerOf(ctx context.Context, p identity.Principal) (policy.Viewer, error) {
	if p.System {
		return policy.Viewer{}, nil
	}
	return s.door.Viewer(ctx, p)
}

// Edit replaces the draft and marking of a warning that is not published
// yet. Editing an approved warning sends it back to review: what was
// approved is no longer what would be published.
func (s *Service) Edit(ctx context.Context, p identity.Principal, id string, in Input) (Warning, error) {
	const op = "warning.Edit"
	if err := prepare(op, &in); err != nil {
		return Warning{}, err
	}
	return s.change(ctx, p, op, "warning.edit", id, func(tx Tx, w *Warning) (string, error) {
		if !w.IsDraft() {
			return "", wrongState(op, w, "a published warning changes by an update with a new revision")
		}
		if !mayEdit(p, w) {
			return "", forbidden(op, "you may not change this warning")
		}
		w.Draft, w.Marking, w.EditedBy = in.Content, in.Marking, userID(p)
		reason := "draft changed"
		if w.State == Approved {
			w.State, w.ApprovedBy, w.ApprovedAt = Review, "", time.Time{}
			reason = "changed after approval; back in review"
		}
		return reason, saveMarking(ctx, tx, w)
	})
}

// Submit sends a draft to review.
func (s *Service) Submit(ctx context.Context, p identity.Principal, id string) (Warning, error) {
	const op = "warning.Submit"
	return s.change(ctx, p, op, "warning.submit", id, func(tx Tx, w *Warning) (string, error) {
		if w.State != Draft {
			return "", wrongState(op, w, "only a draft can be submitted for review")
		}
		if !mayEdit(p, w) {
			return "", forbidden(op, "you may not submit this warning")
		}
		w.State, w.SubmittedBy, w.SubmittedAt = Review, userID(p), s.now()
		return "submitted for review", nil
	})
}

// FourEyes reports whether publishing needs a second person's approval.
func (s *Service) FourEyes(ctx context.Context) (bool, error) {
	v, err := s.store.Setting(ctx, SettingFourEyes)
	return v != "false", err
}

// SetFourEyes switches the four-eyes rule; office administrators only.
func (s *Service) SetFourEyes(ctx context.Context, p identity.Principal, on bool) error {
	const op = "warning.SetFourEyes"
	if !p.System && !p.Has(identity.RoleOfficeAdmin) {
		return forbidden(op, "only an office administrator may change the four-eyes rule")
	}
	return s.store.Update(ctx, func(tx Tx) error {
		v := fmt.Sprint(on)
		if err := tx.SetSetting(ctx, SettingFourEyes, v); err != nil {
			return err
		}
		e := audit.New(ctx, s.now(), "settings.warnings_four_eyes", audit.Success)
		e.ActorUser, e.ActorOrg, e.ObjectType, e.ObjectID, e.Reason = userID(p), p.OrgID(), "setting", SettingFourEyes, "set to "+v
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

// Approve approves a warning in review. With the four-eyes rule on, the
// approver must be a user other than its author and its last editor.
func (s *Service) Approve(ctx context.Context, p identity.Principal, id string) (Warning, error) {
	const op = "warning.Approve"
	fourEyes, err := s.FourEyes(ctx)
	if err != nil {
		return Warning{}, err
	}
	return s.change(ctx, p, op, "warning.approve", id, func(tx Tx, w *Warning) (string, error) {
		if !mayPublish(p) {
			return "", forbidden(op, "only publishers of the office may approve warnings")
		}
		if w.State != Review {
			return "", wrongState(op, w, "only a warning in review can be approved")
		}
		if fourEyes && (p.User == nil || p.User.ID == w.CreatedBy || p.User.ID == w.EditedBy) {
			return "", &verbund.Error{Op: op, Kind: verbund.Forbidden, Code: "four-eyes",
				Msg: "a second person must approve: you wrote or last changed this warning"}
		}
		w.State, w.ApprovedBy, w.ApprovedAt = Approved, userID(p), s.now()
		return "approved", nil
	})
}

// Publish publishes a warning as its first revision. It must be approved,
// unless the four-eyes rule is off; and it must have every required field
// (Missing), else the Invalid error (code "warning-incomplete") names
// them.
func (s *Service) Publish(ctx context.Context, p identity.Principal, id string) (Warning, error) {
	const op = "warning.Publish"
	fourEyes, err := s.FourEyes(ctx)
	if err != nil {
		return Warning{}, err
	}
	return s.change(ctx, p, op, "warning.publish", id, func(tx Tx, w *Warning) (string, error) {
		if !mayPublish(p) {
			return "", forbidden(op, "only publishers of the office may publish warnings")
		}
		switch {
		case w.State == Approved:
		case !w.IsDraft():
			return "", wrongState(op, w, "the warning is out already")
		case fourEyes:
			return "", wrongState(op, w, "a second person must approve the warning before it is published")
		}
		if err := incomplete(op, &w.Draft); err != nil {
			return "", err
		}
		now := s.now()
		r := Revision{Number: 1, At: now, By: userID(p), Summary: "Initial release", Content: w.Draft}
		if err := tx.AddRevision(ctx, w.ID, r); err != nil {
			return "", err
		}
		w.Revisions = append(w.Revisions, r)
		w.State, w.PublishedAt = Published, now
		if w.ApprovedBy == "" {
			w.ApprovedBy, w.ApprovedAt = userID(p), now
		}
		return "published as revision 1 with " + w.Marking.TLP.String(), saveMarking(ctx, tx, w)
	})
}

func incomplete(op string, c *Content) error {
	if f := Missing(c); len(f) > 0 {
		keys := make([]string, 0, len(f))
		for k := range f {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "warning-incomplete",
			Msg: "the warning cannot be published without: " + strings.Join(keys, ", "), Fields: f}
	}
	return nil
}

// Update publishes a new revision of a published warning with what
// changed; every earlier revision stays readable. Publishers only.
func (s *Service) Update(ctx context.Context, p identity.Principal, id string, in Input, changes string) (Warning, error) {
	const op = "warning.Update"
	if err := prepare(op, &in); err != nil {
		return Warning{}, err
	}
	changes = strings.TrimSpace(changes)
	switch {
	case changes == "":
		return Warning{}, verbund.InvalidFields(op, map[string]string{"changes": "say what changed"})
	case utf8.RuneCountInString(changes) > maxSummary:
		return Warning{}, verbund.InvalidFields(op, map[string]string{"changes": fmt.Sprintf("must be at most %d characters", maxSummary)})
	}
	if err := incomplete(op, &in.Content); err != nil {
		return Warning{}, err
	}
	return s.change(ctx, p, op, "warning.update", id, func(tx Tx, w *Warning) (string, error) {
		if !mayPublish(p) {
			return "", forbidden(op, "only publishers of the office may update warnings")
		}
		if w.State != Published {
			return "", wrongState(op, w, "only a published warning can be updated")
		}
		r := Revision{Number: len(w.Revisions) + 1, At: s.now(), By: userID(p), Summary: changes, Content: in.Content}
		if err := tx.AddRevision(ctx, w.ID, r); err != nil {
			return "", err
		}
		w.Revisions = append(w.Revisions, r)
		w.Draft, w.Marking, w.EditedBy = in.Content, in.Marking, userID(p)
		return fmt.Sprintf("revision %d with %s", r.Number, w.Marking.TLP), saveMarking(ctx, tx, w)
	})
}

// Withdraw takes a published warning back with a reason. It stays readable
// to its audience, marked as withdrawn.
func (s *Service) Withdraw(ctx context.Context, p identity.Principal, id, reason string) (Warning, error) {
	const op = "warning.Withdraw"
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Warning{}, verbund.InvalidFields(op, map[string]string{"reason": "say why the warning is withdrawn"})
	case utf8.RuneCountInString(reason) > maxSummary:
		return Warning{}, verbund.InvalidFields(op, map[string]string{"reason": fmt.Sprintf("must be at most %d characters", maxSummary)})
	}
	return s.change(ctx, p, op, "warning.withdraw", id, func(tx Tx, w *Warning) (string, error) {
		if !mayPublish(p) {
			return "", forbidden(op, "only publishers of the office may withdraw warnings")
		}
		if w.State != Published {
			return "", wrongState(op, w, "only a published warning can be withdrawn")
		}
		w.State, w.WithdrawnAt, w.WithdrawnBy, w.WithdrawReason = Withdrawn, s.now(), userID(p), reason
		return "withdrawn", nil
	})
}

// Get returns warning id if the viewer v of p may read it. A refusal is
// recorded by the door and answered as NotFound.
func (s *Service) Get(ctx context.Context, p identity.Principal, v *policy.Viewer, id string) (Warning, error) {
	w, err := s.store.Warning(ctx, id)
	if err != nil {
		return Warning{}, err
	}
	o := w.Object()
	if !s.door.Read(ctx, p, v, &o).Allow {
		return Warning{}, verbund.E("warning.Get", verbund.NotFound, "no such warning")
	}
	return w, nil
}

// List returns the warnings v may see that match f, newest first. Readers
// see published and withdrawn warnings; drafts only with f.State set, and
// only those the policy lets v see as drafts (the owner, publishers).
func (s *Service) List(ctx context.Context, v *policy.Viewer, f Filter) ([]Warning, error) {
	ms, err := s.door.Visible(ctx, s.store, v, policy.KindWarning)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ObjectID
	}
	ws, err := s.store.WarningsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := ws[:0]
	for i := range ws {
		w := &ws[i]
		// The pre-filter decides every object as published; drafts are
		// decided again as what they are.
		if o := w.Object(); w.IsDraft() && !s.door.Decide(v, &o).Allow {
			continue
		}
		if matches(w, f) {
			out = append(out, *w)
		}
	}
	slices.SortFunc(out, func(a, b Warning) int {
		if c := b.Changed().Compare(a.Changed()); c != 0 {
			return c
		}
		return strings.Compare(b.TrackingID, a.TrackingID)
	})
	return out, nil
}

// matches reports whether w passes f.
func matches(w *Warning, f Filter) bool {
	switch {
	case f.State != "" && w.State != f.State:
		return false
	case f.State == "" && w.IsDraft():
		return false
	}
	c := w.Current()
	if f.Severity != "" && c.Severity.Rank() < f.Severity.Rank() {
		return false
	}
	if f.Sector != "" && !slices.Contains(w.Marking.Audience.Sectors, f.Sector) {
		return false
	}
	if f.CVE != "" && !slices.Contains(c.CVEs, strings.ToUpper(strings.TrimSpace(f.CVE))) {
		return false
	}
	if q := strings.ToLower(strings.TrimSpace(f.Product)); q != "" {
		found := false
		for _, p := range c.Products {
			for _, s := range []string{p.Vendor, p.Name, p.Vendor + " " + p.Name, p.CPE, p.PURL} {
				found = found || strings.Contains(strings.ToLower(s), q)
			}
		}
		if !found {
			return false
		}
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		found := false
		for _, t := range c.Texts {
			found = found || strings.Contains(strings.ToLower(t.Title), q) || strings.Contains(strings.ToLower(t.Summary), q)
		}
		if !found {
			return false
		}
	}
	return true
}

// Acknowledge records what p's organisation says about a published warning
// it may read: seen, affected or fixed. A later acknowledgement replaces
// the earlier one.
func (s *Service) Acknowledge(ctx context.Context, p identity.Principal, v *policy.Viewer, id string, a Ack) (Acknowledgement, error) {
	const op = "warning.Acknowledge"
	if !a.Valid() {
		return Acknowledgement{}, verbund.InvalidFields(op, map[string]string{"status": "choose seen, affected or fixed"})
	}
	if !mayWrite(p) || p.Org == nil || isOffice(p) {
		return Acknowledgement{}, forbidden(op, "only users of member organisations acknowledge warnings")
	}
	w, err := s.Get(ctx, p, v, id)
	if err != nil {
		return Acknowledgement{}, err
	}
	if w.State != Published {
		return Acknowledgement{}, wrongState(op, &w, "only a published warning can be acknowledged")
	}
	ack := Acknowledgement{WarningID: w.ID, OrgID: p.Org.ID, Status: a, By: userID(p), At: s.now()}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.PutAcknowledgement(ctx, ack); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, s.entry(ctx, p, "warning.acknowledge", &w, string(a)))
		return err
	})
	if err != nil {
		return Acknowledgement{}, err
	}
	return ack, nil
}

// AcknowledgementOf returns the acknowledgement of p's organisation, and
// false when it gave none.
func (s *Service) AcknowledgementOf(ctx context.Context, p identity.Principal, id string) (Acknowledgement, bool, error) {
	if p.Org == nil {
		return Acknowledgement{}, false, nil
	}
	a, err := s.store.AcknowledgementOf(ctx, id, p.Org.ID)
	if verbund.IsKind(err, verbund.NotFound) {
		return Acknowledgement{}, false, nil
	}
	return a, err == nil, err
}

// Rates returns the acknowledgement rates of warning id for the office: how
// many active member organisations the policy lets read it, and how many of
// them said seen, affected or fixed.
func (s *Service) Rates(ctx context.Context, p identity.Principal, id string) (Rates, []Acknowledgement, error) {
	const op = "warning.Rates"
	if !p.System && (!isOffice(p) || p.Token == nil && (p.User == nil || !p.User.HasOfficeRole())) {
		return Rates{}, nil, forbidden(op, "only the office sees acknowledgement rates")
	}
	cur, err := s.store.Warning(ctx, id)
	if err != nil {
		return Rates{}, nil, err
	}
	w := &cur
	orgs, err := s.store.ListOrganisations(ctx, identity.OrgFilter{Kind: identity.KindMember, Status: identity.StatusActive})
	if err != nil {
		return Rates{}, nil, err
	}
	r := Rates{Counts: map[Ack]int{}}
	recipients := map[string]bool{}
	o := w.Object()
	for i := range orgs {
		org := orgs[i]
		if org.ID == w.OwnerOrg {
			continue
		}
		v, err := s.door.Viewer(ctx, identity.Principal{User: &identity.User{OrgID: org.ID}, Org: &org})
		if err != nil {
			return Rates{}, nil, err
		}
		if s.door.Decide(&v, &o).Allow {
			recipients[org.ID] = true
		}
	}
	r.Recipients = len(recipients)
	acks, err := s.store.Acknowledgements(ctx, w.ID)
	if err != nil {
		return Rates{}, nil, err
	}
	for _, a := range acks {
		if recipients[a.OrgID] {
			r.Counts[a.Status]++
			r.Acknowledged++
		}
	}
	return r, acks, nil
}
