package incident

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
)

// Config holds the settings of the incident service. Zero values take
// defaults: the door's clock, no reports from the public, keys as text.
type Config struct {
	Now func() time.Time
	// Public lets people without an account report incidents, and follow
	// them up with the reference and secret they get.
	Public   bool
	MailHeld bool
	BaseURL  string
	Text     func(lang, key string, args ...any) string
}

// Service runs incident reports and cases. Every method checks itself that
// the principal may do what it asks; every read goes through the door.
type Service struct {
	store Store
	door  *sharing.Door
	cfg   Config
}

// NewService returns the incident service on store, behind door.
func NewService(store Store, door *sharing.Door, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Text == nil {
		cfg.Text = func(lang, key string, args ...any) string { return key }
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Service{store: store, door: door, cfg: cfg}
}

// PublicReports reports whether people without an account may report.
func (s *Service) PublicReports() bool { return s.cfg.Public }

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// maxMessage is the longest message of a thread, in characters.
const maxMessage = 10000

// Audit actions.
const (
	actionSubmit = "incident.submit"
	actionRead   = "incident.read"
	actionAssign = "incident.assign"
	actionStatus = "incident.status"
	actionPost   = "incident.message"
)

// mayReport reports whether p may write reports for its organisation: a
// user or a token with incidents:write of an active organisation.
func mayReport(p identity.Principal) bool {
	if p.Org == nil || p.Org.Status != identity.StatusActive {
		return false
	}
	if p.Token != nil {
		return p.HasScope(identity.ScopeIncidentsWrite)
	}
	return p.User != nil && !p.User.Disabled
}

// isAnalyst reports whether p handles cases for the office: an analyst, or
// an API token of the office with the incidents:read scope (its writes are
// checked by the transport against incidents:write).
func isAnalyst(p identity.Principal) bool {
	if p.Org == nil || p.Org.Kind != identity.KindOffice {
		return false
	}
	if p.Token != nil {
		return p.Token.Has(identity.ScopeIncidentsRead)
	}
	return p.Has(identity.RoleAnalyst)
}

// SaveDraft stores r as a draft of p's organisation: a new one when r.ID is
// empty, else the draft with that id, replaced. A draft is checked only
// against the limits of its fields, so that nothing typed is lost.
//
// Errors: Forbidden when p may not report; NotFound for a draft that is
// not p's organisation's; Conflict "submitted" for a report already
// submitted; Invalid for a field past its limit.
func (s *Service) SaveDraft(ctx context.Context, p identity.Principal, r Report) (Report, error) {
	const op = "incident.SaveDraft"
	if !mayReport(p) {
		return Report{}, verbund.E(op, verbund.Forbidden, "only users of an active member organisation report incidents")
	}
	now := s.now()
	if r.ID == "" {
		r.ID, r.CreatedAt = identity.NewID(), now
	} else {
		old, err := s.store.Report(ctx, r.ID)
		if verbund.IsKind(err, verbund.NotFound) || err == nil && old.OrgID != p.OrgID() {
			return Report{}, verbund.E(op, verbund.NotFound, "not found")
		}
		if err != nil {
			return Report{}, err
		}
		if !old.Draft {
			return Report{}, &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "submitted",
				Msg: "this report was submitted; add a follow-up report to its case instead"}
		}
		r.CreatedAt = old.CreatedAt
	}
	r.OrgID, r.UserID, r.Draft, r.UpdatedAt, r.SubmittedAt = p.OrgID(), userID(p), true, now, time.Time{}
	if r.CaseID != "" {
		if _, err := s.caseOf(ctx, p, r.CaseID, op); err != nil {
			return Report{}, err
		}
	}
	if err := r.CheckDraft(); err != nil {
		return Report{}, err
	}
	err := s.store.Update(ctx, func(tx Tx) error { return tx.PutReport(ctx, r) })
	return r, err
}

// caseOf returns case id if p's organisation reported it.
func (s *Service) caseOf(ctx context.Context, p identity.Principal, id, op string) (Case, error) {
	c, err := s.store.Case(ctx, id)
	if verbund.IsKind(err, verbund.NotFound) || err == nil && (c.OrgID == "" || c.OrgID != p.OrgID()) {
		return Case{}, verbund.InvalidFields(op, map[string]string{"case": "not a case of your organisation"})
	}
	return c, err
}

// Submit submits draft id of p's organisation. A draft that names a case
// adds the next stage to it; any other opens a new case in the office's
// queue. The report's marking is stored for the policy, and the office's
// analysts are told.
//
// Errors: as SaveDraft, and Invalid with every problem of the report by
// field when it is not complete.
func (s *Service) Submit(ctx context.Context, p identity.Principal, id string) (Report, Case, error) {
	const op = "incident.Submit"
	if !mayReport(p) {
		return Report{}, Case{}, verbund.E(op, verbund.Forbidden, "only users of an active member organisation report incidents")
	}
	r, err := s.store.Report(ctx, id)
	if verbund.IsKind(err, verbund.NotFound) || err == nil && r.OrgID != p.OrgID() {
		return Report{}, Case{}, verbund.E(op, verbund.NotFound, "not found")
	}
	if err != nil {
		return Report{}, Case{}, err
	}
	if !r.Draft {
		return Report{}, Case{}, &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "submitted", Msg: "this report was submitted already"}
	}
	now := s.now()
	if err := r.CheckSubmission(now, identity.Sectors); err != nil {
		return Report{}, Case{}, err
	}
	var c Case
	if r.CaseID != "" {
		if c, err = s.caseOf(ctx, p, r.CaseID, op); err != nil {
			return Report{}, Case{}, err
		}
		if c.NIS2 != r.NIS2 {
			return Report{}, Case{}, verbund.InvalidFields(op, map[string]string{"nis2": "a follow-up report keeps the case's choice"})
		}
	} else {
		ref, err := NewFollowUp()
		if err != nil {
			return Report{}, Case{}, err
		}
		c = Case{ID: identity.NewID(), Reference: ref.Reference, OrgID: r.OrgID, NIS2: r.NIS2, TrustService: r.TrustService,
			TimeZone: TimeZoneOf(p.Org.Country), Status: StatusNew, Aware: r.Timeline.Detected, CreatedAt: now}
	}
	if !r.Timeline.Ongoing() {
		c.Handled = r.Timeline.Ended
	}
	c.UpdatedAt = now
	r.CaseID, r.Draft, r.SubmittedAt, r.UpdatedAt = c.ID, false, now, now
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.PutCase(ctx, c); err != nil {
			return err
		}
		if err := tx.PutReport(ctx, r); err != nil {
			return err
		}
		if err := designation.SaveMarking(ctx, tx, policy.KindIncident, r.ID, r.OrgID, r.UserID, r.Marking); err != nil {
			return err
		}
		e := s.entry(ctx, p, actionSubmit, r.ID, audit.Success)
		e.Reason = "case " + c.Reference + ", " + r.Classification.MachineTag() + ", " + r.Marking.TLP.String()
		if r.Stage != "" {
			e.Reason += ", NIS2 " + string(r.Stage)
		}
		if _, err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		return s.tellAnalysts(ctx, tx, c, "mail.incident.submitted", c.Reference, r.Title)
	})
	if err != nil {
		return Report{}, Case{}, err
	}
	return r, c, nil
}

// SubmitPublic takes a report from someone without an account, when the
// installation allows it. It reaches the office only (TLP:AMBER for the
// office), opens a case, and returns the reference and the secret with
// which the reporter follows it; only the secret's hash is kept.
func (s *Service) SubmitPublic(ctx context.Context, r Report) (Report, Case, FollowUp, error) {
	const op = "incident.SubmitPublic"
	if !s.cfg.Public {
		return Report{}, Case{}, FollowUp{}, &verbund.Error{Op: op, Kind: verbund.Forbidden, Code: "public-reports-off",
			Msg: "this alliance takes reports from members only; log in to report"}
	}
	office, err := s.office(ctx)
	if err != nil {
		return Report{}, Case{}, FollowUp{}, err
	}
	now := s.now()
	r.ID, r.OrgID, r.UserID, r.CaseID, r.Stage, r.NIS2, r.TrustService = identity.NewID(), "", "", "", "", false, false
	r.Marking = policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Orgs: []string{office.ID}}, Confidential: true, Identifiable: true}
	if err := r.CheckSubmission(now, identity.Sectors); err != nil {
		return Report{}, Case{}, FollowUp{}, err
	}
	fu, err := NewFollowUp()
	if err != nil {
		return Report{}, Case{}, FollowUp{}, err
	}
	c := Case{ID: identity.NewID(), Reference: fu.Reference, Status: StatusNew, TimeZone: "UTC",
		FollowUp: HashSecret(fu.Secret), Aware: r.Timeline.Detected, CreatedAt: now, UpdatedAt: now}
	if !r.Timeline.Ongoing() {
		c.Handled = r.Timeline.Ended
	}
	r.CaseID, r.Draft, r.CreatedAt, r.UpdatedAt, r.SubmittedAt = c.ID, false, now, now, now
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.PutCase(ctx, c); err != nil {
			return err
		}
		if err := tx.PutReport(ctx, r); err != nil {
			return err
		}
		if err := designation.SaveMarking(ctx, tx, policy.KindIncident, r.ID, office.ID, "", r.Marking); err != nil {
			return err
		}
		e := audit.New(ctx, now, actionSubmit, audit.Success)
		e.ObjectType, e.ObjectID = policy.KindIncident, r.ID
		e.Reason = "case " + c.Reference + " from the public, " + r.Classification.MachineTag()
		if _, err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		return s.tellAnalysts(ctx, tx, c, "mail.incident.submitted", c.Reference, r.Title)
	})
	if err != nil {
		return Report{}, Case{}, FollowUp{}, err
	}
	return r, c, fu, nil
}

// Office returns the office organisation, which reports may name as their
// only recipient.
func (s *Service) Office(ctx context.Context) (identity.Organisation, error) { return s.office(ctx) }

// office returns the office organisation.
func (s *Service) office(ctx context.Context) (identity.Organisation, error) {
	orgs, err := s.store.ListOrganisations(ctx, identity.OrgFilter{Kind: identity.KindOffice})
	if err != nil {
		return identity.Organisation{}, err
	}
	if len(orgs) == 0 {
		return identity.Organisation{}, verbund.E("incident.office", verbund.Unavailable, "the installation has no office yet")
	}
	return orgs[0], nil
}

// Report returns report id if the policy lets p read it; a refused read is
// audited and answered NotFound, as for a report that does not exist.
func (s *Service) Report(ctx context.Context, p identity.Principal, id string) (Report, error) {
	const op = "incident.Report"
	r, err := s.store.Report(ctx, id)
	if verbund.IsKind(err, verbund.NotFound) {
		return Report{}, verbund.E(op, verbund.NotFound, "not found")
	}
	if err != nil {
		return Report{}, err
	}
	o, err := s.object(ctx, &r)
	if err != nil {
		return Report{}, err
	}
	v, err := s.door.Viewer(ctx, p)
	if err != nil {
		return Report{}, err
	}
	if !s.door.Read(ctx, p, &v, &o).Allow {
		return Report{}, verbund.E(op, verbund.NotFound, "not found")
	}
	return r, nil
}

// object returns the policy's view of r: a draft with the marking typed so
// far, a submitted report with its stored marking, which grants extend.
func (s *Service) object(ctx context.Context, r *Report) (policy.Object, error) {
	if r.Draft {
		return r.Object(), nil
	}
	m, err := s.store.Marking(ctx, policy.KindIncident, r.ID)
	if err != nil {
		return policy.Object{}, err
	}
	return m.Object(false), nil
}

// Mine returns the reports of p's organisation that p may see, drafts
// included, newest first.
func (s *Service) Mine(ctx context.Context, p identity.Principal) ([]Report, error) {
	if p.Org == nil {
		return nil, verbund.E("incident.Mine", verbund.Unauthenticated, "log in")
	}
	rs, err := s.store.ListReports(ctx, ReportQuery{OrgID: p.Org.ID, Limit: 500})
	if err != nil {
		return nil, err
	}
	return s.visible(ctx, p, rs)
}

func (s *Service) visible(ctx context.Context, p identity.Principal, rs []Report) ([]Report, error) {
	v, err := s.door.Viewer(ctx, p)
	if err != nil {
		return nil, err
	}
	out := rs[:0]
	for i := range rs {
		o, err := s.object(ctx, &rs[i])
		if err != nil {
			return nil, err
		}
		if s.door.Decide(&v, &o).Allow {
			out = append(out, rs[i])
		}
	}
	return out, nil
}

// CaseView is a case with what its reader may see of it.
type CaseView struct {
	Case
	Reports   []Report // submitted, oldest first
	Deadlines []Deadline
	Messages  []Message
}

// Case returns case id for the office's analysts and the reporting
// organisation's users, with the reports the policy lets p see, the NIS2
// deadlines at now, and the thread.
func (s *Service) Case(ctx context.Context, p identity.Principal, id string) (CaseView, error) {
	const op = "incident.Case"
	c, err := s.store.Case(ctx, id)
	if err == nil && !isAnalyst(p) && (c.OrgID == "" || c.OrgID != p.OrgID() || !p.HasScope(identity.ScopeIncidentsRead)) {
		err = verbund.E(op, verbund.NotFound, "not found")
	}
	if err != nil {
		return CaseView{}, err
	}
	return s.view(ctx, &p, c)
}

func (s *Service) view(ctx context.Context, p *identity.Principal, c Case) (CaseView, error) {
	f := false
	rs, err := s.store.ListReports(ctx, ReportQuery{CaseID: c.ID, Drafts: &f, Limit: 1000})
	if err != nil {
		return CaseView{}, err
	}
	all := slices.Clone(rs)
	if p != nil {
		if rs, err = s.visible(ctx, *p, rs); err != nil {
			return CaseView{}, err
		}
	}
	slices.Reverse(rs)
	msgs, err := s.store.Messages(ctx, c.ID)
	if err != nil {
		return CaseView{}, err
	}
	cv := CaseView{Case: c, Reports: rs, Messages: msgs}
	if c.NIS2 {
		cv.Deadlines = c.Reporting(all).Deadlines(s.now())
	}
	return cv, nil
}

// Queue lists cases for the office's analysts, newest first.
func (s *Service) Queue(ctx context.Context, p identity.Principal, q CaseQuery) ([]Case, error) {
	if !isAnalyst(p) {
		return nil, verbund.E("incident.Queue", verbund.Forbidden, "the queue is for the office's analysts")
	}
	return s.store.ListCases(ctx, q)
}

// Cases lists the cases of p's organisation, newest first.
func (s *Service) Cases(ctx context.Context, p identity.Principal) ([]Case, error) {
	if p.Org == nil || p.Org.Kind == identity.KindOffice {
		return nil, nil
	}
	return s.store.ListCases(ctx, CaseQuery{OrgID: p.Org.ID, Limit: 500})
}

// Assign gives case id to analyst userID ("" to nobody).
func (s *Service) Assign(ctx context.Context, p identity.Principal, id, userID string) (Case, error) {
	const op = "incident.Assign"
	return s.change(ctx, p, op, id, func(tx Tx, c *Case) (string, error) {
		if userID != "" {
			u, err := tx.User(ctx, userID)
			if err != nil || !u.Has(identity.RoleAnalyst) || u.Disabled {
				return "", verbund.InvalidFields(op, map[string]string{"assignee": "not an analyst of the office"})
			}
		}
		c.Assignee = userID
		return actionAssign, nil
	})
}

// SetStatus moves case id to status to; closing needs the lessons learned.
func (s *Service) SetStatus(ctx context.Context, p identity.Principal, id string, to Status, lessons string) (Case, error) {
	return s.change(ctx, p, "incident.SetStatus", id, func(tx Tx, c *Case) (string, error) {
		if err := Move(c.Status, to, lessons); err != nil {
			return "", err
		}
		c.Status = to
		if to == StatusClosed {
			c.Lessons, c.ClosedAt = strings.TrimSpace(lessons), s.now()
		} else {
			c.ClosedAt = time.Time{}
		}
		return actionStatus, nil
	})
}

func (s *Service) change(ctx context.Context, p identity.Principal, op, id string, fn func(Tx, *Case) (string, error)) (Case, error) {
	if !isAnalyst(p) {
		return Case{}, verbund.E(op, verbund.Forbidden, "only the office's analysts handle cases")
	}
	var c Case
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.Case(ctx, id); err != nil {
			return err
		}
		action, err := fn(tx, &c)
		if err != nil {
			return err
		}
		c.UpdatedAt = s.now()
		if err := tx.PutCase(ctx, c); err != nil {
			return err
		}
		e := s.entry(ctx, p, action, c.ID, audit.Success)
		e.ObjectType, e.Reason = "incident-case", "case "+c.Reference+": "+string(c.Status)
		if c.Assignee != "" {
			e.Reason += ", assigned to " + c.Assignee
		}
		_, err = tx.AppendAudit(ctx, e)
		return err
	})
	return c, err
}

// Post adds a message to the thread of case id: from the office's analysts
// (a question, say) or from a user of the reporting organisation (an
// answer); the other side is told by e-mail.
func (s *Service) Post(ctx context.Context, p identity.Principal, id, body string) (Message, error) {
	const op = "incident.Post"
	body = strings.TrimSpace(body)
	if err := checkMessage(op, body); err != nil {
		return Message{}, err
	}
	c, err := s.store.Case(ctx, id)
	office := isAnalyst(p)
	if err == nil && !office && (c.OrgID == "" || c.OrgID != p.OrgID() || !p.HasScope(identity.ScopeIncidentsWrite)) {
		err = verbund.E(op, verbund.NotFound, "not found")
	}
	if err != nil {
		return Message{}, err
	}
	m := Message{ID: identity.NewID(), CaseID: c.ID, FromOrg: p.OrgID(), FromUser: userID(p), Office: office, Body: body, At: s.now()}
	return m, s.post(ctx, p, c, m)
}

func (s *Service) post(ctx context.Context, p identity.Principal, c Case, m Message) error {
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.AddMessage(ctx, m); err != nil {
			return err
		}
		e := s.entry(ctx, p, actionPost, c.ID, audit.Success)
		e.ObjectType, e.Reason = "incident-case", "case "+c.Reference
		if m.Office {
			e.Reason += ": the office asks"
		} else {
			e.Reason += ": the reporter answers"
		}
		if _, err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		if m.Office {
			return s.tellReporter(ctx, tx, c)
		}
		return s.tellAnalysts(ctx, tx, c, "mail.incident.answered", c.Reference)
	})
}

// FollowUp returns the case a reporter from the public follows with its
// reference and secret, with its thread. A wrong secret is answered as an
// unknown reference.
func (s *Service) FollowUp(ctx context.Context, ref, secret string) (CaseView, error) {
	const op = "incident.FollowUp"
	c, err := s.store.CaseByReference(ctx, strings.ToUpper(strings.TrimSpace(ref)))
	if err == nil && (c.FollowUp == nil || !SecretMatches(secret, c.FollowUp)) {
		e := audit.New(ctx, s.now(), "incident.follow-up", audit.Denied)
		e.ObjectType, e.ObjectID, e.Reason = "incident-case", c.ID, "wrong follow-up secret"
		_ = s.store.Update(context.WithoutCancel(ctx), func(tx Tx) error { _, err := tx.AppendAudit(ctx, e); return err })
		err = verbund.E(op, verbund.NotFound, "not found")
	}
	if verbund.IsKind(err, verbund.NotFound) {
		return CaseView{}, &verbund.Error{Op: op, Kind: verbund.NotFound, Code: "follow-up-invalid",
			Msg: "the reference or the secret is wrong", Fields: map[string]string{"secret": "the reference or the secret is wrong"}}
	}
	if err != nil {
		return CaseView{}, err
	}
	// The reporter sees its own report, whatever the marking says.
	return s.view(ctx, nil, c)
}

// PostPublic adds an answer of a reporter from the public to its case.
func (s *Service) PostPublic(ctx context.Context, ref, secret, body string) (Message, error) {
	const op = "incident.PostPublic"
	body = strings.TrimSpace(body)
	if err := checkMessage(op, body); err != nil {
		return Message{}, err
	}
	cv, err := s.FollowUp(ctx, ref, secret)
	if err != nil {
		return Message{}, err
	}
	m := Message{ID: identity.NewID(), CaseID: cv.ID, Body: body, At: s.now()}
	return m, s.post(ctx, identity.Principal{}, cv.Case, m)
}

func checkMessage(op, body string) error {
	switch {
	case body == "":
		return verbund.InvalidFields(op, map[string]string{"body": "write a message"})
	case !utf8.ValidString(body) || utf8.RuneCountInString(body) > maxMessage:
		return verbund.InvalidFields(op, map[string]string{"body": "is longer than the limit of 10,000 characters"})
	}
	return nil
}

// tellAnalysts mails the case's analyst, or every analyst while nobody is
// assigned, in their languages.
func (s *Service) tellAnalysts(ctx context.Context, tx Tx, c Case, key string, args ...any) error {
	office, err := s.office(ctx)
	if err != nil {
		return err
	}
	users, err := tx.ListUsers(ctx, office.ID)
	if err != nil {
		return err
	}
	link := s.cfg.BaseURL + "/office/incidents/" + c.ID
	for _, u := range users {
		if u.Disabled || !u.Has(identity.RoleAnalyst) || c.Assignee != "" && u.ID != c.Assignee {
			continue
		}
		if err := tx.EnqueueMail(ctx, s.message(u.Email, u.Lang, key, append(args, link)...)); err != nil {
			return err
		}
	}
	return nil
}

// tellReporter mails the reporter of a case that the office wrote.
func (s *Service) tellReporter(ctx context.Context, tx Tx, c Case) error {
	return s.tellReporters(ctx, tx, c, func(lang, link string) mail.Message {
		return s.message("", lang, "mail.incident.question", c.Reference, link)
	})
}

// tellReporters mails the reporter of a case: the users of the reporting
// organisation who reported on it, or the contact address a reporter from
// the public left; msg writes the message in a recipient's language with
// the link it follows.
func (s *Service) tellReporters(ctx context.Context, tx Tx, c Case, msg func(lang, link string) mail.Message) error {
	f := false
	rs, err := tx.ListReports(ctx, ReportQuery{CaseID: c.ID, Drafts: &f, Limit: 1000})
	if err != nil {
		return err
	}
	sent := map[string]bool{}
	for _, r := range rs {
		to, lang, link := r.ContactEmail, "", s.cfg.BaseURL+"/report/follow-up"
		if r.UserID != "" {
			u, err := tx.User(ctx, r.UserID)
			if err != nil || u.Disabled {
				continue
			}
			to, lang, link = u.Email, u.Lang, s.cfg.BaseURL+"/incidents/cases/"+c.ID
		}
		if to == "" || sent[to] {
			continue
		}
		sent[to] = true
		m := msg(lang, link)
		m.To = to
		if err := tx.EnqueueMail(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// reminderWindow is how long after it was opened a case is looked at for
// reminders: the final report falls due a month after the notification, or
// a month after an incident that lasted is handled.
const reminderWindow = 180 * 24 * time.Hour

// Remind sends the reminders of NIS2 deadlines that are due: once when a
// stage comes within its reminder lead ("due soon") and once when it is
// overdue, to the users who reported on the case, in their language, with
// the deadline in the organisation's time zone. Every reminder is sent
// once, whichever node gets to it first, and audited. It returns how many
// reminders it sent.
func (s *Service) Remind(ctx context.Context) (int, error) {
	now := s.now()
	cases, err := s.store.ListCases(ctx, CaseQuery{NIS2: true, Since: now.Add(-reminderWindow), Limit: 1000})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, c := range cases {
		f := false
		reports, err := s.store.ListReports(ctx, ReportQuery{CaseID: c.ID, Drafts: &f, Limit: 1000})
		if err != nil {
			return sent, err
		}
		rep := c.Reporting(reports)
		for _, d := range rep.Deadlines(now) {
			if d.State != DueSoon && d.State != Overdue {
				continue
			}
			err := s.store.Update(ctx, func(tx Tx) error {
				ok, err := tx.ClaimReminder(ctx, c.ID, d.Stage, d.Due, d.State, now)
				if err != nil || !ok {
					return err
				}
				key := "mail.incident.reminder"
				if d.State == Overdue {
					key = "mail.incident.overdue"
				}
				due := d.Due.In(rep.Location).Format("2006-01-02 15:04 MST")
				err = s.tellReporters(ctx, tx, c, func(lang, link string) mail.Message {
					return s.message("", lang, key, c.Reference, s.cfg.Text(lang, "nis2.stage."+string(d.Stage)), due, link)
				})
				if err != nil {
					return err
				}
				e := audit.New(ctx, now, "incident.remind", audit.Success)
				e.ObjectType, e.ObjectID = "incident-case", c.ID
				e.Reason = "case " + c.Reference + ": " + string(d.Stage) + " " + string(d.State) + ", due " + d.Due.UTC().Format(time.RFC3339)
				if _, err := tx.AppendAudit(ctx, e); err != nil {
					return err
				}
				sent++
				return nil
			})
			if err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

// RunReminders calls Remind every interval until ctx ends, logging what
// fails; errors do not stop it, the next round tries again.
func (s *Service) RunReminders(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.Remind(ctx); err != nil && ctx.Err() == nil {
			log.Error("incident reminders", "err", err)
		} else if n > 0 {
			log.Info("incident reminders sent", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) message(to, lang, key string, args ...any) mail.Message {
	return mail.NewMessage(identity.NewID(), to, s.cfg.Text(lang, key+".subject", args...), s.cfg.Text(lang, key+".body", args...),
		s.now(), s.cfg.MailHeld)
}

func (s *Service) entry(ctx context.Context, p identity.Principal, action, id string, o audit.Outcome) audit.Entry {
	e := audit.New(ctx, s.now(), action, o)
	e.ActorUser, e.ActorOrg = userID(p), p.OrgID()
	if p.Token != nil {
		e.ActorToken = p.Token.ID
	}
	e.ObjectType, e.ObjectID = policy.KindIncident, id
	return e
}

func userID(p identity.Principal) string {
	if p.User != nil {
		return p.User.ID
	}
	return ""
}

// TimeZoneOf returns the time zone in which an organisation seated in
// country counts periods of months.
func TimeZoneOf(country string) string {
	switch strings.ToUpper(country) {
	case "DE":
		return "Europe/Berlin"
	case "NL":
		return "Europe/Amsterdam"
	case "BE":
		return "Europe/Brussels"
	case "LU":
		return "Europe/Luxembourg"
	case "AT":
		return "Europe/Vienna"
	case "CH":
		return "Europe/Zurich"
	case "FR":
		return "Europe/Paris"
	case "DK":
		return "Europe/Copenhagen"
	case "PL":
		return "Europe/Warsaw"
	}
	return "UTC"
}

// Analysts lists the office's analysts a case may be assigned to, for the
// office's analysts.
func (s *Service) Analysts(ctx context.Context, p identity.Principal) ([]identity.User, error) {
	if !isAnalyst(p) {
		return nil, verbund.E("incident.Analysts", verbund.Forbidden, "only the office's analysts handle cases")
	}
	office, err := s.office(ctx)
	if err != nil {
		return nil, err
	}
	users, err := s.store.ListUsers(ctx, office.ID)
	if err != nil {
		return nil, err
	}
	out := users[:0]
	for _, u := range users {
		if u.Has(identity.RoleAnalyst) && !u.Disabled {
			out = append(out, u)
		}
	}
	return out, nil
}
