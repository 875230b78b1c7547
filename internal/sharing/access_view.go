package sharing

import (
	"context"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// Teaser is what a viewer may learn of an object it may not read but whose
// existence shows to it: enough to ask for access, nothing of the content.
type Teaser struct {
	Kind      string
	ObjectID  string
	TLP       policy.TLP
	OwnerOrg  string
	OwnerName string
	// Visible is set when the viewer may read the object already; then
	// there is nothing to ask for.
	Visible bool
}

// Teaser returns what p may know of object kind/objectID before asking for
// access: its kind, TLP level and owner. For an object whose existence
// does not show to p (see Door.ExistenceShows), or that does not exist,
// the answer is NotFound and the attempt is audited as a refused read.
func (s *Access) Teaser(ctx context.Context, p identity.Principal, kind, objectID string) (Teaser, error) {
	const op = "sharing.Teaser"
	if p.User == nil || p.Org == nil {
		return Teaser{}, notFound(op)
	}
	m, err := s.store.Marking(ctx, kind, objectID)
	if verbund.IsKind(err, verbund.NotFound) {
		return Teaser{}, s.readDenied(ctx, p, kind, objectID, "no such object", notFound(op))
	}
	if err != nil {
		return Teaser{}, err
	}
	draft, err := s.isDraft(ctx, kind, objectID)
	if err != nil {
		return Teaser{}, err
	}
	v, err := s.door.Viewer(ctx, p)
	if err != nil {
		return Teaser{}, err
	}
	now := s.now()
	o := m.Object(draft)
	t := Teaser{Kind: kind, ObjectID: objectID, TLP: m.Marking.TLP, OwnerOrg: m.OwnerOrg}
	dec := s.door.policy.Decide(&v, &o, now)
	switch {
	case dec.Allow:
		t.Visible = true
	case !existenceShows(s.door.policy, &v, &o, now):
		return Teaser{}, s.readDenied(ctx, p, kind, objectID, dec.Step.String()+": "+string(dec.Code), notFound(op))
	}
	owner, err := s.store.Organisation(ctx, m.OwnerOrg)
	if err != nil && !verbund.IsKind(err, verbund.NotFound) {
		return Teaser{}, err
	}
	t.OwnerName = owner.Name
	return t, nil
}

// readDenied records a refused read of a named object, as Door.Read does,
// and returns err.
func (s *Access) readDenied(ctx context.Context, p identity.Principal, kind, id, why string, err error) error {
	return s.denied(ctx, p, "read.denied", kind, id, why, err)
}

// RequestNames are the names a page shows with a request.
type RequestNames struct {
	Owner, RequesterOrg, RequesterUser, DecidedBy string
}

// Names returns the names of the organisations and people of r, which p
// may see (Request checked that). Names of accounts that are gone stay
// empty.
func (s *Access) Names(ctx context.Context, r AccessRequest) (RequestNames, error) {
	var n RequestNames
	org := func(id string, dst *string) error {
		o, err := s.store.Organisation(ctx, id)
		if err == nil {
			*dst = o.Name
		}
		if verbund.IsKind(err, verbund.NotFound) {
			return nil
		}
		return err
	}
	user := func(id string, dst *string) error {
		if id == "" {
			return nil
		}
		u, err := s.store.User(ctx, id)
		if err == nil {
			*dst = u.Name
		}
		if verbund.IsKind(err, verbund.NotFound) {
			return nil
		}
		return err
	}
	for _, e := range []error{org(r.OwnerOrg, &n.Owner), org(r.RequesterOrg, &n.RequesterOrg),
		user(r.RequesterUser, &n.RequesterUser), user(r.DecidedBy, &n.DecidedBy)} {
		if e != nil {
			return n, e
		}
	}
	return n, nil
}

// MayDecide reports whether p decides requests for the objects of org:
// an administrator of it (an office administrator for the office).
func MayDecide(p identity.Principal, org string) bool { return mayDecide(p, org) }

// OpenIncoming counts the open requests for the objects of p's
// organisation, for its deciders; 0 for everybody else.
func (s *Access) OpenIncoming(ctx context.Context, p identity.Principal) (int, error) {
	if p.Org == nil || !mayDecide(p, p.Org.ID) {
		return 0, nil
	}
	rs, err := s.store.ListAccessRequests(ctx, RequestQuery{OwnerOrg: p.Org.ID, State: RequestOpen, Limit: 500})
	return len(rs), err
}
