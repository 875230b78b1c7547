package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
)

// alliance is a random alliance for the differential test of the SQL
// pre-filter: organisations with sectors and statuses, users, nested
// circles, designations in every state, and objects with random markings,
// stored in a database and kept in memory as the policy sees them.
type alliance struct {
	now     time.Time
	office  string
	orgs    []identity.Organisation // the office first
	users   map[string][]string     // org id → user ids
	circles []designation.Circle
	objects []policy.Object
	kinds   []string
}

// allianceSize says how much to generate.
type allianceSize struct {
	orgs, circles, objects int
}

func pickOne[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickSome returns up to n distinct random elements of xs.
func pickSome[T any](r *rand.Rand, xs []T, n int) []T {
	if len(xs) == 0 || n <= 0 {
		return nil
	}
	idx := r.Perm(len(xs))[:min(n, len(xs))]
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

// normalised returns ids as the store gives them back: sorted, without
// duplicates, nil when empty.
func sortedIDs(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	c := slices.Clone(ids)
	slices.Sort(c)
	return slices.Compact(c)
}

// genAlliance generates an alliance with r and stores it in db. Markings go
// through designation.SaveMarking, which validates them as every capability
// must.
func genAlliance(t testing.TB, db *store.DB, r *rand.Rand, size allianceSize) *alliance {
	t.Helper()
	ctx := context.Background()
	w := &alliance{
		now:   time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		users: map[string][]string{},
		kinds: []string{policy.KindIndicator, policy.KindWarning, policy.KindIncident},
	}
	sectors := pickSome(r, identity.Sectors, 6)
	statuses := []identity.OrgStatus{identity.StatusActive, identity.StatusActive, identity.StatusActive,
		identity.StatusActive, identity.StatusActive, identity.StatusPending, identity.StatusSuspended, identity.StatusTerminated}
	office := org("o-office", "Office", "DE")
	office.Kind, office.Sectors = identity.KindOffice, nil
	w.office = office.ID
	w.orgs = append(w.orgs, office)
	for i := range size.orgs {
		o := org(fmt.Sprintf("o-%03d", i), fmt.Sprintf("Member %03d", i), "DE", pickSome(r, sectors, r.IntN(4))...)
		o.Status = pickOne(r, statuses)
		w.orgs = append(w.orgs, o)
	}
	err := db.Identity().Update(ctx, func(tx identity.Tx) error {
		for _, o := range w.orgs {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
			for j := range 1 + r.IntN(3) {
				id := fmt.Sprintf("u-%s-%d", o.ID, j)
				if err := tx.CreateUser(ctx, user(id, o.ID, id+"@example.org", id)); err != nil {
					return err
				}
				w.users[o.ID] = append(w.users[o.ID], id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("store organisations: %v", err)
	}
	var allUsers []string
	for _, o := range w.orgs {
		allUsers = append(allUsers, w.users[o.ID]...)
	}
	members := w.orgs[1:]

	err = db.Designation().Update(ctx, func(tx designation.Tx) error {
		// Circles nest without cycles: circle i contains only circles
		// created before it, as the service ensures.
		for i := range size.circles {
			c := designation.Circle{ID: fmt.Sprintf("c-%02d", i), Name: fmt.Sprintf("Circle %02d", i),
				OwnerOrg: pickOne(r, w.orgs).ID, CreatedAt: w.now, UpdatedAt: w.now}
			if err := tx.CreateCircle(ctx, c); err != nil {
				return err
			}
			for _, o := range pickSome(r, members, r.IntN(5)) {
				if err := tx.AddCircleOrg(ctx, c.ID, o.ID, "", w.now); err != nil {
					return err
				}
				c.Orgs = append(c.Orgs, o.ID)
			}
			if i > 0 {
				for _, inner := range pickSome(r, w.circles, r.IntN(3)) {
					if err := tx.AddCircleCircle(ctx, c.ID, inner.ID, "", w.now); err != nil {
						return err
					}
				}
			}
			w.circles = append(w.circles, c)
		}
		// Designations: valid, expired, not yet valid and revoked, in
		// every category, sector-wide or not.
		day := 24 * time.Hour
		for i, o := range members {
			for j := range r.IntN(3) {
				cat := policy.Category(1 + r.IntN(4))
				a := designation.Assessment{ID: fmt.Sprintf("a-%d-%d", i, j), OrgID: o.ID, Category: cat,
					SectorWide: r.IntN(2) == 0, State: designation.StateDesignated, OpenedAt: w.now, UpdatedAt: w.now}
				if err := tx.CreateAssessment(ctx, a); err != nil {
					return err
				}
				d := designation.Designation{ID: "d-" + a.ID[2:], AssessmentID: a.ID, OrgID: o.ID, Category: cat,
					SectorWide: a.SectorWide, ValidFrom: w.now.Add(-100 * day), ValidUntil: w.now.Add(200 * day),
					DesignatedAt: w.now.Add(-100 * day)}
				switch r.IntN(5) {
				case 0: // expired ten days ago
					d.ValidUntil = w.now.Add(-10 * day)
				case 1: // starts tomorrow
					d.ValidFrom = w.now.Add(day)
				case 2: // revoked yesterday
					d.RevokedAt = w.now.Add(-day)
				}
				d.ReviewAt = d.ValidFrom
				if err := tx.CreateDesignation(ctx, d); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("store circles and designations: %v", err)
	}

	for i := range size.objects {
		w.objects = append(w.objects, genObject(r, w, fmt.Sprintf("x-%05d", i), sectors, allUsers))
	}
	for start := 0; start < len(w.objects); start += 250 {
		batch := w.objects[start:min(start+250, len(w.objects))]
		err := db.Designation().Update(ctx, func(tx designation.Tx) error {
			for _, o := range batch {
				if err := designation.SaveMarking(ctx, tx, o.Kind, o.ID, o.OwnerOrg, o.CreatedBy, o.Marking); err != nil {
					return fmt.Errorf("%s %+v: %w", o.ID, o.Marking, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("store markings: %v", err)
		}
	}
	// A few markings Validate refuses, written past it as an older version
	// or a hand in the database could have: the pre-filter must not assume
	// that every stored marking is valid.
	err = db.Designation().Update(ctx, func(tx designation.Tx) error {
		for i := range size.objects / 15 {
			o := genObject(r, w, fmt.Sprintf("y-%05d", i), sectors, allUsers)
			spoil(r, i%5, &o.Marking, sectors, w.circles)
			if err := tx.PutMarking(ctx, designation.Marked{Kind: o.Kind, ObjectID: o.ID, OwnerOrg: o.OwnerOrg,
				CreatedBy: o.CreatedBy, Marking: o.Marking}); err != nil {
				return err
			}
			w.objects = append(w.objects, o)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("store spoilt markings: %v", err)
	}
	return w
}

// spoil turns m into a marking policy.Validate refuses: a level with an
// audience it does not allow, an empty audience, or flags CLEAR cannot have;
// how is one of five.
func spoil(r *rand.Rand, how int, m *policy.Marking, sectors []string, circles []designation.Circle) {
	a := &m.Audience
	switch how {
	case 0:
		m.TLP = policy.AmberStrict
		a.Sectors = sortedIDs(append(a.Sectors, pickOne(r, sectors)))
		a.Circles = sortedIDs(append(a.Circles, pickOne(r, circles).ID))
		a.Community = true
	case 1:
		m.TLP, a.Community = policy.Amber, true
	case 2:
		m.TLP = policy.Red
		a.Sectors = sortedIDs(append(a.Sectors, pickOne(r, sectors)))
		a.Community = true
	case 3:
		m.TLP = policy.TLP(2 + r.IntN(4))
		*a = policy.Audience{}
	case 4:
		m.TLP, m.Confidential, m.Identifiable = policy.Clear, true, r.IntN(2) == 0
	}
}

// genObject returns an object with a random marking that policy.Validate
// accepts: every level, every part of the audience the level allows, and
// the flags in every combination that makes sense.
func genObject(r *rand.Rand, w *alliance, id string, sectors, users []string) policy.Object {
	owner := pickOne(r, w.orgs)
	if r.IntN(10) == 0 {
		owner = w.orgs[0] // the office
	}
	o := policy.Object{Kind: pickOne(r, w.kinds), ID: id, OwnerOrg: owner.ID}
	if r.IntN(10) < 7 {
		o.CreatedBy = pickOne(r, w.users[owner.ID])
	}
	m := &o.Marking
	m.TLP = policy.TLP(1 + r.IntN(5))
	a := &m.Audience
	orgIDs := make([]string, len(w.orgs))
	for i, x := range w.orgs {
		orgIDs[i] = x.ID
	}
	circleIDs := make([]string, len(w.circles))
	for i, c := range w.circles {
		circleIDs[i] = c.ID
	}
	groups := func() {
		a.Sectors = pickSome(r, sectors, r.IntN(3))
		a.Circles = pickSome(r, circleIDs, r.IntN(3))
	}
	named := func() {
		a.Orgs = pickSome(r, orgIDs, r.IntN(4))
		a.Users = pickSome(r, users, r.IntN(3))
	}
	switch m.TLP {
	case policy.Clear:
		a.Community = r.IntN(3) == 0
		if r.IntN(2) == 0 {
			groups()
			named()
		}
	case policy.Green:
		a.Community = r.IntN(3) == 0
		groups()
		named()
		if a.IsEmpty() {
			a.Community = true
		}
	case policy.Amber:
		groups()
		named()
		if a.IsEmpty() {
			a.Sectors = []string{pickOne(r, sectors)}
		}
	case policy.AmberStrict:
		named()
		if a.IsEmpty() {
			a.Orgs = []string{pickOne(r, orgIDs)}
		}
	case policy.Red:
		a.Users = pickSome(r, users, 1+r.IntN(3))
		if o.CreatedBy != "" {
			a.Users = append(a.Users, o.CreatedBy)
		}
	}
	if m.TLP != policy.Clear {
		m.Confidential = r.IntN(5) < 2
		m.Identifiable = m.Confidential && r.IntN(2) == 0
	}
	if r.IntN(3) == 0 {
		m.Purpose = policy.PurposeInformUsers
	}
	a.Sectors, a.Circles, a.Orgs, a.Users = sortedIDs(a.Sectors), sortedIDs(a.Circles), sortedIDs(a.Orgs), sortedIDs(a.Users)
	return o
}

// genViewer returns a random viewer of w: mostly users of member
// organisations, but also tokens with random scopes, office users with
// random roles, the public, users of organisations that are not active or
// did not accept the current agreement. Circles and designations come from
// the store, as the sharing door reads them.
//
// The first viewers are of the kinds the differential test must see on
// every seed: the public, an office analyst and publisher, a token with
// every read scope, a user of an active member in a circle, one of an
// active member that has not accepted the current agreement, and a token
// that reads warnings only.
func genViewer(t testing.TB, r *rand.Rand, w *alliance, i int, circles *policy.Circles, des *designation.Service) policy.Viewer {
	t.Helper()
	var v policy.Viewer
	n := r.IntN(100)
	switch i {
	case 0:
		n = 0
	case 1:
		n = 10
	case 2, 5:
		n = 90
	case 3, 4:
		n = 50
	}
	if n < 5 {
		return v // the public
	}
	o := pickOne(r, w.orgs[1:])
	if n < 20 {
		o = w.orgs[0]
	} else if i >= 2 && i <= 5 {
		var fit []identity.Organisation
		for _, x := range w.orgs[1:] {
			if x.Status == identity.StatusActive && (i != 3 || circles.Of(x.ID).Len() > 0) {
				fit = append(fit, x)
			}
		}
		if len(fit) > 0 {
			o = pickOne(r, fit)
		}
	}
	v = policy.Viewer{Kind: policy.ViewerUser, UserID: pickOne(r, w.users[o.ID]), OrgID: o.ID,
		OrgStatus: policy.OrgStatus(o.Status), AcceptedCurrentAgreement: r.IntN(10) < 8,
		OrgSectors: policy.NewSet(o.Sectors...), Circles: circles.Of(o.ID), IsOffice: o.Kind == identity.KindOffice}
	if v.IsOffice {
		v.AcceptedCurrentAgreement = true
		for _, role := range []policy.Role{policy.RoleOfficeAdmin, policy.RoleReviewer, policy.RoleAssessor, policy.RolePublisher, policy.RoleAnalyst} {
			if r.IntN(3) == 0 {
				v.OfficeRoles |= policy.Roles(role)
			}
		}
	}
	scopes := []string{"intel:read", "warnings:read", "incidents:read", "audit:read"}
	if n >= 85 {
		v.Kind, v.UserID, v.OfficeRoles = policy.ViewerToken, "", 0
		v.Scopes = policy.NewSet(pickSome(r, scopes, r.IntN(4))...)
	}
	switch i {
	case 1:
		v.OfficeRoles |= policy.Roles(policy.RoleAnalyst) | policy.Roles(policy.RolePublisher)
	case 2:
		v.Scopes, v.AcceptedCurrentAgreement = policy.NewSet(scopes...), true
	case 3:
		v.AcceptedCurrentAgreement = true
	case 4:
		v.AcceptedCurrentAgreement = false
	case 5:
		v.Scopes, v.AcceptedCurrentAgreement = policy.NewSet("warnings:read"), true
	}
	ds, err := des.DesignationsOf(context.Background(), o.ID, w.now)
	if err != nil {
		t.Fatalf("designations of %s: %v", o.ID, err)
	}
	v.Designations = ds
	return v
}

// describe prints v so that a failure names the viewer completely.
func describeViewer(v *policy.Viewer) string {
	if v.Kind == policy.ViewerPublic {
		return "the public"
	}
	return fmt.Sprintf("%s user=%q org=%q status=%s accepted=%v office=%v roles=%b sectors=%v circles=%v scopes=%v designations=%+v",
		v.Kind, v.UserID, v.OrgID, v.OrgStatus, v.AcceptedCurrentAgreement, v.IsOffice, v.OfficeRoles,
		slices.Collect(v.OrgSectors.All()), slices.Collect(v.Circles.All()), slices.Collect(v.Scopes.All()), v.Designations)
}
