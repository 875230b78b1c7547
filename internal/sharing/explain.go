package sharing

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// The explainer answers the office's questions about one object: who can
// see it and why, and why a given organisation or person cannot. It asks
// the policy, as the door does, with viewers built from the same facts
// (Door.Viewer): an organisation is judged as one of its users who is
// named on nothing and holds no office role, a person as that user. It
// shows the marking and the verdicts, never the object's content.
//
// Who may ask: every user holding an office role (office admin, reviewer,
// assessor, publisher, analyst). The office answers members' questions
// about what reached whom and decides relays, so each of its roles needs
// the answer; every use is in the audit log (sharing.explain), as is every
// refused one.

// Subject is someone the explainer judges: an organisation, or a person
// when UserID is set, with the policy's view of it.
type Subject struct {
	OrgID, OrgName   string
	UserID, UserName string
	Viewer           policy.Viewer
}

// Verdict is what the policy decides for one subject.
type Verdict struct {
	Subject
	Decision policy.Decision
}

// ReasonGroup gathers the subjects refused for the same reason.
type ReasonGroup struct {
	Step     policy.Step
	Code     policy.Code
	Verdicts []Verdict
}

// Explanation is who can see an object and who cannot, by reason.
type Explanation struct {
	Object    policy.Object
	OwnerName string
	// Can lists the organisations that see the object, by name.
	Can []Verdict
	// Cannot groups the organisations that do not by the reason the
	// policy gives, in the order of the policy's steps.
	Cannot []ReasonGroup
	// People lists the verdicts of the people named on the object.
	People []Verdict
	// Focus is the verdict of the organisation or person asked about, if
	// any.
	Focus *Verdict
}

// Judge decides o for every subject at now and groups the verdicts. It is
// the pure part of the explainer: every verdict is pol.Decide's.
func Judge(pol *policy.Policy, o *policy.Object, orgs, people []Subject, now time.Time) Explanation {
	e := Explanation{Object: *o}
	groups := map[policy.Code]int{}
	for i := range orgs {
		v := Verdict{Subject: orgs[i], Decision: pol.Decide(&orgs[i].Viewer, o, now)}
		if v.Decision.Allow {
			e.Can = append(e.Can, v)
			continue
		}
		g, ok := groups[v.Decision.Code]
		if !ok {
			g = len(e.Cannot)
			groups[v.Decision.Code] = g
			e.Cannot = append(e.Cannot, ReasonGroup{Step: v.Decision.Step, Code: v.Decision.Code})
		}
		e.Cannot[g].Verdicts = append(e.Cannot[g].Verdicts, v)
	}
	for i := range people {
		e.People = append(e.People, Verdict{Subject: people[i], Decision: pol.Decide(&people[i].Viewer, o, now)})
	}
	byName := func(a, b Verdict) int {
		return cmp.Or(cmp.Compare(a.OrgName, b.OrgName), cmp.Compare(a.UserName, b.UserName))
	}
	slices.SortFunc(e.Can, byName)
	slices.SortFunc(e.People, byName)
	for _, g := range e.Cannot {
		slices.SortFunc(g.Verdicts, byName)
	}
	slices.SortStableFunc(e.Cannot, func(a, b ReasonGroup) int {
		return cmp.Or(cmp.Compare(a.Step, b.Step), cmp.Compare(a.Code, b.Code))
	})
	return e
}

// ExplainStore is what the explainer reads.
type ExplainStore interface {
	identity.Reader
	Marking(ctx context.Context, kind, id string) (designation.Marked, error)
}

// Explainer explains the door's decisions on one object to the office.
type Explainer struct {
	door    *Door
	store   ExplainStore
	isDraft func(ctx context.Context, kind, id string) (bool, error)
}

// NewExplainer returns the explainer in front of door on store; isDraft
// may be nil when no kind with stored markings has drafts.
func NewExplainer(door *Door, store ExplainStore, isDraft func(ctx context.Context, kind, id string) (bool, error)) *Explainer {
	return &Explainer{door: door, store: store, isDraft: isDraft}
}

// ExplainQuery names the object and, optionally, the organisation or the
// person to focus on.
type ExplainQuery struct {
	Kind, ID string
	Org      string // an organisation id
	User     string // a user id
}

// Explain says for every organisation of the installation, and every
// person named on the object, whether it may see object q.Kind/q.ID now
// and why; with q.Org or q.User, also for that one (Focus).
//
// Errors: Unauthenticated for the public; Forbidden for anyone without an
// office role and for tokens; Invalid without kind and id, or with both an
// organisation and a user; NotFound for an object, organisation or user
// that does not exist.
func (x *Explainer) Explain(ctx context.Context, p identity.Principal, q ExplainQuery) (Explanation, error) {
	const op = "sharing.Explain"
	switch {
	case !p.Authenticated():
		return Explanation{}, verbund.E(op, verbund.Unauthenticated, "log in to use the explainer")
	case p.User == nil || p.Org == nil || p.Org.Kind != identity.KindOffice || !p.User.HasOfficeRole():
		x.record(ctx, p, q, audit.Denied, "not an office user")
		return Explanation{}, verbund.E(op, verbund.Forbidden, "only the office explains who sees an object")
	}
	f := map[string]string{}
	if q.Kind == "" {
		f["kind"] = "required"
	}
	if q.ID == "" {
		f["id"] = "required"
	}
	if q.Org != "" && q.User != "" {
		f["user"] = "name an organisation or a user, not both"
	}
	if err := invalid(op, f); err != nil {
		return Explanation{}, err
	}
	m, err := x.store.Marking(ctx, q.Kind, q.ID)
	if verbund.IsKind(err, verbund.NotFound) {
		x.record(ctx, p, q, audit.Failure, "no such object")
		return Explanation{}, notFound(op)
	}
	if err != nil {
		return Explanation{}, err
	}
	draft := false
	if x.isDraft != nil {
		if draft, err = x.isDraft(ctx, q.Kind, q.ID); err != nil {
			return Explanation{}, err
		}
	}
	o := m.Object(draft)
	orgs, err := x.store.ListOrganisations(ctx, identity.OrgFilter{})
	if err != nil {
		return Explanation{}, err
	}
	circles, err := x.door.allCircles(ctx)
	if err != nil {
		return Explanation{}, err
	}
	byID := make(map[string]*identity.Organisation, len(orgs))
	subjects := make([]Subject, 0, len(orgs))
	for i := range orgs {
		org := &orgs[i]
		byID[org.ID] = org
		v, err := x.door.orgViewer(ctx, org, circles)
		if err != nil {
			return Explanation{}, err
		}
		subjects = append(subjects, Subject{OrgID: org.ID, OrgName: org.Name, Viewer: v})
	}
	person := func(id string) (Subject, error) {
		u, err := x.store.User(ctx, id)
		if err != nil {
			return Subject{}, err
		}
		org, ok := byID[u.OrgID]
		if !ok {
			return Subject{}, verbund.E(op, verbund.NotFound, "the user's organisation does not exist")
		}
		v, err := x.door.orgViewer(ctx, org, circles)
		if err != nil {
			return Subject{}, err
		}
		v.UserID = u.ID
		if v.IsOffice {
			roles := make([]string, len(u.Roles))
			for i, r := range u.Roles {
				roles[i] = string(r)
			}
			v.OfficeRoles = policy.RolesOf(roles...)
		}
		return Subject{OrgID: org.ID, OrgName: org.Name, UserID: u.ID, UserName: u.Name, Viewer: v}, nil
	}
	var people []Subject
	for _, id := range o.Marking.Audience.Users {
		s, err := person(id)
		if verbund.IsKind(err, verbund.NotFound) {
			continue // an account that is gone sees nothing
		}
		if err != nil {
			return Explanation{}, err
		}
		people = append(people, s)
	}
	e := Judge(x.door.policy, &o, subjects, people, x.door.now())
	if owner, ok := byID[o.OwnerOrg]; ok {
		e.OwnerName = owner.Name
	}
	switch {
	case q.Org != "":
		for _, v := range append(e.Can, flatten(e.Cannot)...) {
			if v.OrgID == q.Org {
				e.Focus = &v
				break
			}
		}
		if e.Focus == nil {
			x.record(ctx, p, q, audit.Failure, "no such organisation")
			return Explanation{}, verbund.E(op, verbund.NotFound, "there is no such organisation")
		}
	case q.User != "":
		s, err := person(q.User)
		if verbund.IsKind(err, verbund.NotFound) {
			x.record(ctx, p, q, audit.Failure, "no such user")
			return Explanation{}, verbund.E(op, verbund.NotFound, "there is no such user")
		}
		if err != nil {
			return Explanation{}, err
		}
		v := Verdict{Subject: s, Decision: x.door.policy.Decide(&s.Viewer, &o, x.door.now())}
		e.Focus = &v
	}
	x.record(ctx, p, q, audit.Success, "")
	return e, nil
}

// flatten returns the verdicts of every group.
func flatten(gs []ReasonGroup) []Verdict {
	var out []Verdict
	for _, g := range gs {
		out = append(out, g.Verdicts...)
	}
	return out
}

// record appends the audit entry of one use of the explainer.
func (x *Explainer) record(ctx context.Context, p identity.Principal, q ExplainQuery, outcome audit.Outcome, why string) {
	if x.door.recorder == nil {
		return
	}
	e := audit.New(ctx, x.door.now(), "sharing.explain", outcome)
	if p.User != nil {
		e.ActorUser = p.User.ID
	}
	if p.Token != nil {
		e.ActorToken = p.Token.ID
	}
	e.ActorOrg, e.ObjectType, e.ObjectID = p.OrgID(), q.Kind, q.ID
	switch {
	case q.Org != "":
		e.Reason = "for organisation " + q.Org
	case q.User != "":
		e.Reason = "for user " + q.User
	default:
		e.Reason = "who can see it"
	}
	if why != "" {
		e.Reason += ": " + why
	}
	_ = x.door.recorder.Record(context.WithoutCancel(ctx), e)
}

// orgViewer is the policy's view of a user of org who is named on nothing
// and holds no office role: what the organisation as such may see.
func (d *Door) orgViewer(ctx context.Context, org *identity.Organisation, circles *policy.Circles) (policy.Viewer, error) {
	v := policy.Viewer{
		Kind:       policy.ViewerUser,
		OrgID:      org.ID,
		OrgStatus:  policy.OrgStatus(org.Status),
		OrgSectors: policy.NewSet(org.Sectors...),
		IsOffice:   org.Kind == identity.KindOffice,
	}
	err := d.orgFacts(ctx, org, circles, &v)
	return v, err
}
