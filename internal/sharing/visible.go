package sharing

import (
	"context"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
)

// Lister lists stored markings for a viewer. The store implements it with a
// SQL pre-filter that narrows the candidates and the policy that decides
// every one of them; a differential test on random data holds it to
// returning exactly what pol.Decide allows.
type Lister interface {
	// VisibleMarked returns the markings of the objects of kind that v may
	// see at now according to pol, in byte order of their ids. Objects are
	// decided as published: drafts are the owning capability's state.
	VisibleMarked(ctx context.Context, pol *policy.Policy, v *policy.Viewer, kind string, now time.Time) ([]designation.Marked, error)
}

// Visible returns the stored markings of the objects of kind that v may see
// now: the list read paths start from. The policy behind the door decides;
// src only stores.
func (d *Door) Visible(ctx context.Context, src Lister, v *policy.Viewer, kind string) ([]designation.Marked, error) {
	return src.VisibleMarked(ctx, d.policy, v, kind, d.now())
}

// ExistenceShows reports whether v may learn that o exists although it may
// not read it: whether o may be listed to v as a teaser, without content,
// and v may ask its owner for access (see Access.RequestAccess). It holds
// when all of these do:
//
//   - v is a user, not a token: a person asks, with a reason;
//   - o is no draft, and is marked TLP:GREEN or TLP:AMBER. CLEAR is readable
//     by everyone anyway; TLP:AMBER+STRICT and TLP:RED name their recipients
//     and forbid onward sharing, so that even their existence stays with the
//     recipients named;
//   - o is not identifiable: that information traceable to persons or
//     organisations exists (an incident report of a victim, say) is itself
//     restricted;
//   - the policy denies v at the audience step: v is of an active
//     organisation that accepted the current agreement (the community), the
//     level would let it in, but the audience does not name it. A viewer
//     denied earlier (the public, a pending, suspended or terminated
//     organisation, one that has not accepted the agreement) or later (by
//     the legal regime) sees no existence;
//   - the same marking with v's organisation added to the audience is one
//     policy.Validate accepts and under which the policy allows v: the
//     owner's consent is the only thing missing. In a designated hub a
//     confidential object therefore shows only to organisations with a
//     designation that would carry it.
//
// Everything else shows nothing, and a read path answers for it as for an
// object that does not exist.
func (d *Door) ExistenceShows(v *policy.Viewer, o *policy.Object) bool {
	return existenceShows(d.policy, v, o, d.now())
}

func existenceShows(pol *policy.Policy, v *policy.Viewer, o *policy.Object, now time.Time) bool {
	m := &o.Marking
	if v.Kind != policy.ViewerUser || v.OrgID == "" || o.Draft || m.Identifiable ||
		(m.TLP != policy.Green && m.TLP != policy.Amber) {
		return false
	}
	if dec := pol.Decide(v, o, now); dec.Allow || dec.Step != policy.StepAudience {
		return false
	}
	granted := *o
	granted.Marking = withOrg(o.Marking, v.OrgID)
	return policy.Validate(granted.Marking) == nil && pol.Decide(v, &granted, now).Allow
}

// withOrg returns m with org added to its audience; m is not changed.
func withOrg(m policy.Marking, org string) policy.Marking {
	orgs := make([]string, 0, len(m.Audience.Orgs)+1)
	orgs = append(orgs, m.Audience.Orgs...)
	m.Audience.Orgs = append(orgs, org)
	return m
}
