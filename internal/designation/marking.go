package designation

import (
	"context"
	"errors"
	"slices"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// SaveMarking validates the marking m of the information object kind/id,
// owned by organisation ownerOrg and created by user createdBy ("" for a
// token or the system), and stores it in tx, replacing an earlier marking of
// the object. The capability that owns the object calls it in the
// transaction that stores the object and records its own audit entry;
// whether a changed marking may widen the old one is for that capability to
// decide (policy.Widens).
//
// It returns an Invalid error (code "marking-invalid") whose Fields name
// every problem: what policy.ValidateObject refuses (among it a TLP:RED
// marking without named users, or without its author among them), a
// missing object id, an owner, circle, organisation or user that does not
// exist, or an unknown sector. The audience is stored sorted and without
// duplicates.
func SaveMarking(ctx context.Context, tx MarkingTx, kind, id, ownerOrg, createdBy string, m policy.Marking) error {
	const op = "designation.SaveMarking"
	a := &m.Audience
	a.Sectors, a.Circles, a.Orgs, a.Users = normalise(a.Sectors), normalise(a.Circles), normalise(a.Orgs), normalise(a.Users)
	f := map[string]string{}
	o := policy.Object{Kind: kind, ID: id, OwnerOrg: ownerOrg, CreatedBy: createdBy, Marking: m}
	if err := policy.ValidateObject(&o); err != nil {
		var ve *verbund.Error
		if !errors.As(err, &ve) {
			return verbund.Errorf(op, err)
		}
		for k, v := range ve.Fields {
			f[k] = v
		}
	}
	if id == "" {
		f["object_id"] = "an object needs an id"
	}
	for _, s := range a.Sectors {
		if s != "" && !identity.ValidSector(s) {
			addField(f, "audience.sectors", "unknown sector "+s)
		}
	}
	checks := []struct {
		field, what string
		ids         []string
		exists      func(string) error
	}{
		{"owner_org", "organisation", []string{ownerOrg}, func(id string) error { _, err := tx.Organisation(ctx, id); return err }},
		{"audience.circles", "circle", a.Circles, func(id string) error { _, err := tx.Circle(ctx, id); return err }},
		{"audience.orgs", "organisation", a.Orgs, func(id string) error { _, err := tx.Organisation(ctx, id); return err }},
		{"audience.users", "user", a.Users, func(id string) error { _, err := tx.User(ctx, id); return err }},
	}
	for _, c := range checks {
		for _, ref := range c.ids {
			if ref == "" {
				continue
			}
			switch err := c.exists(ref); {
			case verbund.IsKind(err, verbund.NotFound):
				addField(f, c.field, "unknown "+c.what+" "+ref)
			case err != nil:
				return verbund.Errorf(op, err)
			}
		}
	}
	if err := invalid(op, "marking-invalid", f); err != nil {
		return err
	}
	return tx.PutMarking(ctx, Marked{Kind: kind, ObjectID: id, OwnerOrg: ownerOrg, CreatedBy: createdBy, Marking: m})
}

// addField records the first problem of a field; later ones would only
// repeat it.
func addField(f map[string]string, k, v string) {
	if _, ok := f[k]; !ok {
		f[k] = v
	}
}

// normalise returns ids sorted and without duplicates, nil when empty.
func normalise(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	c := slices.Clone(ids)
	slices.Sort(c)
	return slices.Compact(c)
}
