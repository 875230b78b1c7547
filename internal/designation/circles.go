package designation

import (
	"context"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// Limits of a circle's texts, in characters.
const (
	maxCircleName = 100
	maxCircleDesc = 2000
)

// NewCircle is the input of CreateCircle.
type NewCircle struct {
	Name        string
	Description string
	HideMembers bool
	// OwnerOrg is the owning organisation; "" for the caller's own.
	OwnerOrg string
}

// CircleChange is the input of UpdateCircle: the new name, description and
// hiding flag, all of them.
type CircleChange struct {
	Name        string
	Description string
	HideMembers bool
}

// mayOwn reports whether p may change the circles of owner: an office
// administrator for the office, an organisation's administrators for it,
// and the installation itself.
func mayOwn(p identity.Principal, owner identity.Organisation) bool {
	if p.System {
		return true
	}
	if p.User == nil || p.User.OrgID != owner.ID {
		return false
	}
	if owner.Kind == identity.KindOffice {
		return p.Has(identity.RoleOfficeAdmin)
	}
	return p.Has(identity.RoleOrgAdmin)
}

// CreateCircle creates a circle without members, owned by in.OwnerOrg or
// else by the caller's organisation; only those who may change the owner's
// circles. Invalid for a missing or too long name; Conflict (code
// "circle-name-taken") when the owner has a circle of that name.
func (s *Service) CreateCircle(ctx context.Context, p identity.Principal, in NewCircle) (Circle, error) {
	const op = "designation.CreateCircle"
	if in.OwnerOrg == "" {
		in.OwnerOrg = p.OrgID()
	}
	if !p.System && p.User == nil {
		return Circle{}, s.denied(ctx, p, op, "circle.create", "organisation", in.OwnerOrg,
			"only an administrator of the owning organisation may create its circles")
	}
	if in.OwnerOrg == "" {
		return Circle{}, invalid(op, "circle-invalid", map[string]string{"owner_org": "required"})
	}
	owner, err := s.store.Organisation(ctx, in.OwnerOrg)
	switch {
	case verbund.IsKind(err, verbund.NotFound):
		return Circle{}, invalid(op, "circle-invalid", map[string]string{"owner_org": "no such organisation"})
	case err != nil:
		return Circle{}, verbund.Errorf(op, err)
	case !mayOwn(p, owner):
		return Circle{}, s.denied(ctx, p, op, "circle.create", "organisation", owner.ID,
			"only an administrator of the owning organisation may create its circles")
	}
	ch := CircleChange{Name: in.Name, Description: in.Description, HideMembers: in.HideMembers}
	if err := checkCircle(op, &ch); err != nil {
		return Circle{}, err
	}
	now := s.now()
	c := Circle{
		ID: identity.NewID(), Name: ch.Name, Description: ch.Description, OwnerOrg: owner.ID,
		HideMembers: ch.HideMembers, CreatedBy: userID(p), CreatedAt: now, UpdatedAt: now,
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateCircle(ctx, c); err != nil {
			return nameTaken(op, err)
		}
		return s.record(ctx, tx, p, "circle.create", "circle", c.ID, "owner "+c.OwnerOrg)
	})
	if err != nil {
		return Circle{}, verbund.Errorf(op, err)
	}
	return c, nil
}

func checkCircle(op string, ch *CircleChange) error {
	f := map[string]string{}
	text(f, "name", &ch.Name, true, maxCircleName)
	text(f, "description", &ch.Description, false, maxCircleDesc)
	return invalid(op, "circle-invalid", f)
}

func nameTaken(op string, err error) error {
	if verbund.IsKind(err, verbund.Conflict) {
		e := conflict(op, "circle-name-taken", "the owner has a circle of this name already")
		e.Fields = map[string]string{"name": "already taken"}
		return e
	}
	return err
}

// owned loads circle id and checks that p may change it, recording a denied
// attempt of action. It runs outside the transaction of the change: the
// owner of a circle never changes.
func (s *Service) owned(ctx context.Context, p identity.Principal, op, action, id string) (Circle, error) {
	c, err := s.store.Circle(ctx, id)
	if err != nil {
		return Circle{}, err
	}
	owner, err := s.store.Organisation(ctx, c.OwnerOrg)
	if err != nil {
		return Circle{}, err
	}
	if !mayOwn(p, owner) {
		return Circle{}, s.denied(ctx, p, op, action, "circle", id, "only the owner of the circle may change it")
	}
	return c, nil
}

// UpdateCircle renames a circle and sets its description and hiding flag;
// only its owner. Errors as CreateCircle; NotFound when it does not exist.
func (s *Service) UpdateCircle(ctx context.Context, p identity.Principal, id string, ch CircleChange) (Circle, error) {
	const op = "designation.UpdateCircle"
	c, err := s.owned(ctx, p, op, "circle.update", id)
	if err != nil {
		return Circle{}, err
	}
	if err := checkCircle(op, &ch); err != nil {
		return Circle{}, err
	}
	var changed []string
	if ch.Name != c.Name {
		changed = append(changed, "renamed")
	}
	if ch.Description != c.Description {
		changed = append(changed, "description changed")
	}
	if ch.HideMembers != c.HideMembers {
		if ch.HideMembers {
			changed = append(changed, "membership hidden from members")
		} else {
			changed = append(changed, "membership shown to members")
		}
	}
	if len(changed) == 0 {
		return c, nil
	}
	c.Name, c.Description, c.HideMembers, c.UpdatedAt = ch.Name, ch.Description, ch.HideMembers, s.now()
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.UpdateCircle(ctx, c); err != nil {
			return nameTaken(op, err)
		}
		return s.record(ctx, tx, p, "circle.update", "circle", id, strings.Join(changed, ", "))
	})
	if err != nil {
		return Circle{}, verbund.Errorf(op, err)
	}
	return c, nil
}

// AddCircleOrg puts an organisation into a circle; only its owner. Invalid
// (field "org_id") when the organisation does not exist; Conflict (code
// "already-member") when it is in the circle already.
func (s *Service) AddCircleOrg(ctx context.Context, p identity.Principal, id, orgID string) error {
	const op = "designation.AddCircleOrg"
	if _, err := s.owned(ctx, p, op, "circle.add-org", id); err != nil {
		return err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Organisation(ctx, orgID); err != nil {
			if verbund.IsKind(err, verbund.NotFound) {
				return invalid(op, "circle-invalid", map[string]string{"org_id": "no such organisation"})
			}
			return err
		}
		if err := tx.AddCircleOrg(ctx, id, orgID, userID(p), s.now()); err != nil {
			if verbund.IsKind(err, verbund.Conflict) {
				return conflict(op, "already-member", "the organisation is in the circle already")
			}
			return err
		}
		return s.record(ctx, tx, p, "circle.add-org", "circle", id, "organisation "+orgID)
	})
	return verbund.Errorf(op, err)
}

// RemoveCircleOrg takes an organisation out of a circle; only its owner.
// NotFound when it is not in the circle.
func (s *Service) RemoveCircleOrg(ctx context.Context, p identity.Principal, id, orgID string) error {
	const op = "designation.RemoveCircleOrg"
	if _, err := s.owned(ctx, p, op, "circle.remove-org", id); err != nil {
		return err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		ok, err := tx.RemoveCircleOrg(ctx, id, orgID)
		if err != nil {
			return err
		}
		if !ok {
			return verbund.E(op, verbund.NotFound, "the organisation is not in the circle")
		}
		return s.record(ctx, tx, p, "circle.remove-org", "circle", id, "organisation "+orgID)
	})
	return verbund.Errorf(op, err)
}

// AddCircleCircle makes circle member a member of circle id, so that its
// organisations are in id too; only the owner of id, and member must have
// the same owner. Invalid (field "circle_id") when member does not exist or
// has another owner; Invalid (code "circle-cycle") when member is id or
// contains it, directly or through nesting; Conflict (code
// "already-member") when it is a member already.
func (s *Service) AddCircleCircle(ctx context.Context, p identity.Principal, id, member string) error {
	const op = "designation.AddCircleCircle"
	c, err := s.owned(ctx, p, op, "circle.add-circle", id)
	if err != nil {
		return err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.LockCircles(ctx); err != nil {
			return err
		}
		m, err := tx.Circle(ctx, member)
		switch {
		case verbund.IsKind(err, verbund.NotFound):
			return invalid(op, "circle-invalid", map[string]string{"circle_id": "no such circle"})
		case err != nil:
			return err
		case m.OwnerOrg != c.OwnerOrg:
			return invalid(op, "circle-invalid", map[string]string{"circle_id": "a circle may contain only circles of the same owner"})
		}
		all, err := tx.ListCircles(ctx)
		if err != nil {
			return err
		}
		if contains(all, member, id) {
			e := verbund.InvalidFields(op, map[string]string{
				"circle_id": "the circle is, or contains, the circle it would be added to; nesting it would make a cycle",
			})
			e.Code, e.Msg = "circle-cycle", "circles cannot contain each other"
			return e
		}
		if err := tx.AddCircleCircle(ctx, id, member, userID(p), s.now()); err != nil {
			if verbund.IsKind(err, verbund.Conflict) {
				return conflict(op, "already-member", "the circle is a member already")
			}
			return err
		}
		return s.record(ctx, tx, p, "circle.add-circle", "circle", id, "circle "+member)
	})
	return verbund.Errorf(op, err)
}

// contains reports whether circle from is target or contains it, directly
// or through nesting. The walk marks what it has seen, so that a cycle
// stored despite the service ends it.
func contains(all []Circle, from, target string) bool {
	children := make(map[string][]string, len(all))
	for _, c := range all {
		children[c.ID] = c.Circles
	}
	seen := map[string]bool{from: true}
	stack := []string{from}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == target {
			return true
		}
		for _, ch := range children[id] {
			if !seen[ch] {
				seen[ch] = true
				stack = append(stack, ch)
			}
		}
	}
	return false
}

// RemoveCircleCircle takes circle member out of circle id; only the owner
// of id. NotFound when it is not a member.
func (s *Service) RemoveCircleCircle(ctx context.Context, p identity.Principal, id, member string) error {
	const op = "designation.RemoveCircleCircle"
	if _, err := s.owned(ctx, p, op, "circle.remove-circle", id); err != nil {
		return err
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		ok, err := tx.RemoveCircleCircle(ctx, id, member)
		if err != nil {
			return err
		}
		if !ok {
			return verbund.E(op, verbund.NotFound, "the circle is not a member")
		}
		return s.record(ctx, tx, p, "circle.remove-circle", "circle", id, "circle "+member)
	})
	return verbund.Errorf(op, err)
}

// visibility says what p sees of a circle.
type visibility uint8

const (
	hidden      visibility = iota // not at all
	nameOnly                      // that it exists, not its members
	withMembers                   // everything
)

// see returns what p sees of c, given what p's organisation is in.
func see(p identity.Principal, c *Circle, in policy.Set) visibility {
	switch org := p.OrgID(); {
	case p.System || isOffice(p) || (org != "" && org == c.OwnerOrg):
		return withMembers
	case org == "" || !in.Has(c.ID):
		return hidden
	case c.HideMembers:
		return nameOnly
	}
	return withMembers
}

// ListCircles returns the circles p may see, by owner and name: every
// circle to the office, and to an organisation the circles it owns or is
// in, directly or through nesting. Members are left out of circles that
// hide them from p.
func (s *Service) ListCircles(ctx context.Context, p identity.Principal) ([]Circle, error) {
	all, in, err := s.circles(ctx, p)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, c := range all {
		switch see(p, &c, in) {
		case nameOnly:
			c.Orgs, c.Circles = nil, nil
			fallthrough
		case withMembers:
			out = append(out, c)
		}
	}
	return out, nil
}

// Circle returns circle id as ListCircles would; NotFound when p may not
// see it.
func (s *Service) Circle(ctx context.Context, p identity.Principal, id string) (Circle, error) {
	c, err := s.store.Circle(ctx, id)
	if err != nil {
		return Circle{}, err
	}
	var in policy.Set
	if !p.System && !isOffice(p) && p.OrgID() != c.OwnerOrg {
		if _, in, err = s.circles(ctx, p); err != nil {
			return Circle{}, err
		}
	}
	switch see(p, &c, in) {
	case hidden:
		return Circle{}, verbund.E("designation.Circle", verbund.NotFound, "not found")
	case nameOnly:
		c.Orgs, c.Circles = nil, nil
	}
	return c, nil
}

// circles loads every circle and the set of those p's organisation is in.
func (s *Service) circles(ctx context.Context, p identity.Principal) ([]Circle, policy.Set, error) {
	all, err := s.store.ListCircles(ctx)
	if err != nil {
		return nil, policy.Set{}, err
	}
	defs := make([]policy.CircleDef, len(all))
	for i, c := range all {
		defs[i] = c.Def()
	}
	res, err := policy.NewCircles(defs)
	if err != nil {
		return nil, policy.Set{}, verbund.Errorf("designation.circles", err)
	}
	return all, res.Of(p.OrgID()), nil
}

// CircleDefs returns every circle as the policy reads it, for
// policy.NewCircles. It checks no authorisation: it serves the read paths,
// which decide through the policy.
func (s *Service) CircleDefs(ctx context.Context) ([]policy.CircleDef, error) {
	all, err := s.store.ListCircles(ctx)
	if err != nil {
		return nil, err
	}
	defs := make([]policy.CircleDef, len(all))
	for i, c := range all {
		defs[i] = c.Def()
	}
	return defs, nil
}
