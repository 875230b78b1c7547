package sharing

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// maxReason is the longest reason, in characters, of a request or decision.
const maxReason = 2000

// Audit actions of requests for access. Entries name the object (its kind
// and id) and, in the reason, the request.
const (
	actionRequest = "access.request" // a request; denied: an attempt the rules refuse
	actionGrant   = "access.grant"
	actionRefuse  = "access.refuse"
	actionDecide  = "access.decide" // denied: a decision by someone who may not decide
)

// RequestAccess asks the owner of object kind/objectID for access, for p's
// organisation, with a reason. Only a user of an active organisation may
// ask, and only for an object whose existence shows to it
// (Door.ExistenceShows); for any other object — one that does not exist, a
// TLP:RED or TLP:AMBER+STRICT one, one the audience does not name — the
// answer is NotFound, as if it did not exist, and the attempt is audited.
//
// Errors: Unauthenticated for the public; Forbidden for a token or a user
// of an organisation that is not active; Invalid without a reason; NotFound
// as above; Conflict "already-visible" when p may read the object already,
// "request-open" when its organisation asked already and the owner has not
// decided yet.
func (s *Access) RequestAccess(ctx context.Context, p identity.Principal, kind, objectID, reason string) (AccessRequest, error) {
	const op = "sharing.RequestAccess"
	switch {
	case !p.Authenticated():
		return AccessRequest{}, s.denied(ctx, p, actionRequest, kind, objectID, "not logged in",
			verbund.E(op, verbund.Unauthenticated, "log in to ask for access"))
	case p.User == nil || p.Org == nil:
		return AccessRequest{}, s.denied(ctx, p, actionRequest, kind, objectID, "an API token cannot ask for access",
			verbund.E(op, verbund.Forbidden, "only a person can ask for access"))
	case p.Org.Status != identity.StatusActive || p.User.Disabled:
		return AccessRequest{}, s.denied(ctx, p, actionRequest, kind, objectID, "the organisation is "+string(p.Org.Status),
			verbund.E(op, verbund.Forbidden, "only users of an active member organisation can ask for access"))
	}
	f := map[string]string{}
	text(f, "reason", &reason, maxReason)
	if kind == "" {
		f["kind"] = "required"
	}
	if objectID == "" {
		f["object_id"] = "required"
	}
	if err := invalid(op, f); err != nil {
		return AccessRequest{}, err
	}
	m, err := s.store.Marking(ctx, kind, objectID)
	if verbund.IsKind(err, verbund.NotFound) {
		return AccessRequest{}, s.denied(ctx, p, actionRequest, kind, objectID, "no such object", notFound(op))
	}
	if err != nil {
		return AccessRequest{}, err
	}
	draft, err := s.isDraft(ctx, kind, objectID)
	if err != nil {
		return AccessRequest{}, err
	}
	v, err := s.door.Viewer(ctx, p)
	if err != nil {
		return AccessRequest{}, err
	}
	now := s.now()
	o := m.Object(draft)
	dec := s.door.policy.Decide(&v, &o, now)
	if dec.Allow {
		return AccessRequest{}, conflict(op, "already-visible", "your organisation may read this already")
	}
	if !existenceShows(s.door.policy, &v, &o, now) {
		return AccessRequest{}, s.denied(ctx, p, actionRequest, kind, objectID,
			"its existence does not show ("+o.Marking.TLP.String()+", "+dec.Step.String()+": "+string(dec.Code)+")", notFound(op))
	}
	r := AccessRequest{ID: identity.NewID(), Kind: kind, ObjectID: objectID, OwnerOrg: m.OwnerOrg,
		RequesterOrg: p.Org.ID, RequesterUser: p.User.ID, Reason: reason, State: RequestOpen, CreatedAt: now}
	err = s.store.Update(ctx, func(tx AccessTx) error {
		if err := tx.CreateAccessRequest(ctx, r); err != nil {
			if verbund.IsKind(err, verbund.Conflict) {
				return conflict(op, "request-open", "your organisation has asked for this already; the owner has not decided yet")
			}
			return err
		}
		e := s.entry(ctx, p, actionRequest, kind, objectID, audit.Success)
		e.Reason = "request " + r.ID + " (" + m.Marking.TLP.String() + "): " + reason
		if _, err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		return s.mailDeciders(ctx, tx, r, p, m.Marking.TLP)
	})
	if err != nil {
		return AccessRequest{}, err
	}
	return r, nil
}

// DecideAccess grants or refuses request requestID with a reason. Only an
// administrator of the organisation that owns the object decides (for the
// office's objects: an office administrator). A grant adds the requesting
// organisation to the object's audience in the transaction that records the
// decision, so the policy lets it in at once.
//
// Errors: Unauthenticated for the public; NotFound for a request that does
// not exist or that p has nothing to do with; Forbidden for the requesting
// side; Invalid without a reason; Conflict "already-decided" when the
// request is decided; for a grant, Conflict "grant-breaks-marking" when the
// object is now marked at a level that names its recipients
// (TLP:AMBER+STRICT, TLP:RED) or the widened marking is not valid,
// "owner-changed" when another organisation owns it now, "object-gone"
// when its marking no longer exists (refuse the request instead).
func (s *Access) DecideAccess(ctx context.Context, p identity.Principal, requestID string, grant bool, reason string) (AccessRequest, error) {
	const op = "sharing.DecideAccess"
	if !p.Authenticated() {
		return AccessRequest{}, s.denied(ctx, p, actionDecide, "access-request", requestID, "not logged in",
			verbund.E(op, verbund.Unauthenticated, "log in to decide"))
	}
	r, err := s.store.AccessRequest(ctx, requestID)
	if verbund.IsKind(err, verbund.NotFound) {
		return AccessRequest{}, s.denied(ctx, p, actionDecide, "access-request", requestID, "no such request", notFound(op))
	}
	if err != nil {
		return AccessRequest{}, err
	}
	if !mayDecide(p, r.OwnerOrg) {
		err := notFound(op)
		if p.OrgID() == r.RequesterOrg || p.OrgID() == r.OwnerOrg {
			err = verbund.E(op, verbund.Forbidden, "only an administrator of the owning organisation decides")
		}
		return AccessRequest{}, s.denied(ctx, p, actionDecide, r.Kind, r.ObjectID,
			"request "+r.ID+": not an administrator of the owner", err)
	}
	f := map[string]string{}
	text(f, "reason", &reason, maxReason)
	if err := invalid(op, f); err != nil {
		return AccessRequest{}, err
	}
	now := s.now()
	err = s.store.Update(ctx, func(tx AccessTx) error {
		cur, err := tx.AccessRequest(ctx, requestID)
		if err != nil {
			return err
		}
		if cur.State != RequestOpen {
			return conflict(op, "already-decided", "the request was "+string(cur.State)+" already")
		}
		cur.State, cur.DecidedBy, cur.DecidedAt, cur.Decision = RequestRefused, p.User.ID, now, reason
		action := actionRefuse
		if grant {
			cur.State, action = RequestGranted, actionGrant
			if err := grantAccess(ctx, tx, op, cur); err != nil {
				return err
			}
		}
		switch ok, err := tx.DecideAccessRequest(ctx, cur); {
		case err != nil:
			return err
		case !ok:
			return conflict(op, "already-decided", "the request was decided in the meantime")
		}
		e := s.entry(ctx, p, action, cur.Kind, cur.ObjectID, audit.Success)
		e.Reason = "request " + cur.ID + " of " + cur.RequesterOrg + ": " + reason
		if grant {
			e.Reason = "audience extended by organisation " + cur.RequesterOrg + "; " + e.Reason
		}
		if _, err := tx.AppendAudit(ctx, e); err != nil {
			return err
		}
		r = cur
		return s.mailRequester(ctx, tx, cur)
	})
	if err != nil {
		return AccessRequest{}, err
	}
	return r, nil
}

// grantAccess adds the requesting organisation of r to the audience of the
// object's current marking, if the marking's rules allow it.
func grantAccess(ctx context.Context, tx AccessTx, op string, r AccessRequest) error {
	m, err := tx.Marking(ctx, r.Kind, r.ObjectID)
	if verbund.IsKind(err, verbund.NotFound) {
		return conflict(op, "object-gone", "the object no longer exists; refuse the request instead")
	}
	if err != nil {
		return err
	}
	if m.OwnerOrg != r.OwnerOrg {
		return conflict(op, "owner-changed", "another organisation owns the object now; it decides")
	}
	if t := m.Marking.TLP; t != policy.Green && t != policy.Amber {
		return conflict(op, "grant-breaks-marking", "the object is marked "+t.String()+
			", which names its recipients and forbids passing it on; a grant cannot add one")
	}
	widened := withOrg(m.Marking, r.RequesterOrg)
	if err := policy.Validate(widened); err != nil {
		return &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "grant-breaks-marking",
			Msg: "the marking with the organisation added would not be valid", Fields: verbund.ErrorFields(err), Err: err}
	}
	return designation.SaveMarking(ctx, tx, m.Kind, m.ObjectID, m.OwnerOrg, m.CreatedBy, widened)
}

// AccessRequests lists requests newest first: with f.Incoming those for the
// objects of p's organisation, for the administrators who decide them;
// otherwise p's own — all of its organisation's for its administrators.
//
// Errors: Unauthenticated for the public; Forbidden for a token, and for
// incoming requests to anyone who does not decide them; Invalid for an
// unknown state.
func (s *Access) AccessRequests(ctx context.Context, p identity.Principal, f RequestFilter) ([]AccessRequest, error) {
	const op = "sharing.AccessRequests"
	switch {
	case !p.Authenticated():
		return nil, verbund.E(op, verbund.Unauthenticated, "log in to see requests for access")
	case p.User == nil || p.Org == nil:
		return nil, verbund.E(op, verbund.Forbidden, "requests for access are a matter for people, not API tokens")
	case f.State != "" && !f.State.Valid():
		return nil, verbund.InvalidFields(op, map[string]string{"state": "use open, granted or refused"})
	}
	q := RequestQuery{State: f.State, Limit: f.Limit}
	switch {
	case f.Incoming:
		if !mayDecide(p, p.Org.ID) {
			return nil, verbund.E(op, verbund.Forbidden, "only administrators see the requests for their organisation's objects")
		}
		q.OwnerOrg = p.Org.ID
	case mayDecide(p, p.Org.ID):
		q.RequesterOrg = p.Org.ID
	default:
		q.RequesterUser = p.User.ID
	}
	return s.store.ListAccessRequests(ctx, q)
}

// Request returns request id to the user who asked, the administrators of
// its organisation and those who decide it; NotFound for everybody else.
func (s *Access) Request(ctx context.Context, p identity.Principal, id string) (AccessRequest, error) {
	const op = "sharing.Request"
	r, err := s.store.AccessRequest(ctx, id)
	if err != nil {
		return AccessRequest{}, err
	}
	if p.User == nil || p.Org == nil ||
		!(p.User.ID == r.RequesterUser || mayDecide(p, r.RequesterOrg) || mayDecide(p, r.OwnerOrg)) {
		return AccessRequest{}, notFound(op)
	}
	return r, nil
}

// mayDecide reports whether p administers organisation org: an org-admin of
// a member, an office-admin of the office. Tokens decide nothing.
func mayDecide(p identity.Principal, org string) bool {
	if p.User == nil || p.Org == nil || p.User.Disabled || org == "" || p.Org.ID != org || p.User.OrgID != org {
		return false
	}
	if p.Org.Kind == identity.KindOffice {
		return p.Has(identity.RoleOfficeAdmin)
	}
	return p.Has(identity.RoleOrgAdmin)
}

func (s *Access) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// isDraft asks the capability owning kind whether the object is a draft.
func (s *Access) isDraft(ctx context.Context, kind, id string) (bool, error) {
	if s.cfg.IsDraft == nil {
		return false, nil
	}
	return s.cfg.IsDraft(ctx, kind, id)
}

// entry returns an audit entry of action by p on object kind/id.
func (s *Access) entry(ctx context.Context, p identity.Principal, action, kind, id string, outcome audit.Outcome) audit.Entry {
	e := audit.New(ctx, s.now(), action, outcome)
	if p.User != nil {
		e.ActorUser = p.User.ID
	}
	if p.Token != nil {
		e.ActorToken = p.Token.ID
	}
	e.ActorOrg, e.ObjectType, e.ObjectID = p.OrgID(), kind, id
	return e
}

// denied records a refused attempt in a transaction of its own (it changes
// nothing else), also when the request was cancelled, and returns err.
func (s *Access) denied(ctx context.Context, p identity.Principal, action, kind, id, why string, err error) error {
	e := s.entry(ctx, p, action, kind, id, audit.Denied)
	e.Reason = why
	ctx = context.WithoutCancel(ctx)
	_ = s.store.Update(ctx, func(tx AccessTx) error {
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
	return err
}

// text trims s and records a problem under field when it is empty, longer
// than max characters or not valid text.
func text(f map[string]string, field string, s *string, max int) {
	*s = strings.TrimSpace(*s)
	switch n := utf8.RuneCountInString(*s); {
	case !utf8.ValidString(*s):
		f[field] = "not valid text"
	case n == 0:
		f[field] = "required"
	case n > max:
		f[field] = "at most " + strconv.Itoa(max) + " characters"
	}
}

func invalid(op string, f map[string]string) error {
	if len(f) == 0 {
		return nil
	}
	return verbund.InvalidFields(op, f)
}

func conflict(op, code, msg string) error {
	return &verbund.Error{Op: op, Kind: verbund.Conflict, Code: code, Msg: msg}
}

// notFound is the answer for what p may not know exists.
func notFound(op string) error { return verbund.E(op, verbund.NotFound, "not found") }
