// Package sharing is the one door through which every read path obtains
// information objects: pages, the REST API, TAXII, CSAF, feeds, search,
// exports, live streams, webhooks and e-mail.
//
// The door turns whoever is asking (an identity.Principal) into the sharing
// policy's Viewer, with the facts the policy needs from membership
// (agreement accepted), designation (valid designations) and circles, and
// asks the policy. It records refused reads of a named object in the audit
// log. It decides nothing itself: the decision is policy.Decide's alone.
package sharing

import (
	"context"
	"time"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// Agreements tells whether an organisation accepted the current version of
// the confidentiality agreement.
type Agreements interface {
	AcceptedCurrent(ctx context.Context, orgID string) (bool, error)
}

// Designations returns the designations of an organisation, including those
// that lapsed recently, so the policy can say why it denies.
type Designations interface {
	DesignationsOf(ctx context.Context, orgID string, now time.Time) ([]policy.Designation, error)
}

// Circles returns the definitions of every circle.
type Circles interface {
	CircleDefs(ctx context.Context) ([]policy.CircleDef, error)
}

// Recorder appends an audit entry in a transaction of its own.
type Recorder interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Door is the one door. It is safe for concurrent use.
type Door struct {
	policy       *policy.Policy
	agreements   Agreements
	designations Designations
	circles      Circles
	recorder     Recorder
	now          func() time.Time
}

// New returns a door in front of p.
func New(p *policy.Policy, a Agreements, d Designations, c Circles, r Recorder, now func() time.Time) *Door {
	if now == nil {
		now = time.Now
	}
	return &Door{policy: p, agreements: a, designations: d, circles: c, recorder: r, now: now}
}

// Policy returns the policy behind the door, for list filters that call
// Decide in a loop with one viewer.
func (d *Door) Policy() *policy.Policy { return d.policy }

// Viewer builds the policy's view of principal p at this moment. The public
// (an unauthenticated principal) gets the zero Viewer, which sees only
// TLP:CLEAR.
func (d *Door) Viewer(ctx context.Context, p identity.Principal) (policy.Viewer, error) {
	if !p.Authenticated() || p.Org == nil {
		return policy.Viewer{}, nil
	}
	org := p.Org
	v := policy.Viewer{
		Kind:       policy.ViewerUser,
		OrgID:      org.ID,
		OrgStatus:  policy.OrgStatus(org.Status),
		OrgSectors: policy.NewSet(org.Sectors...),
		IsOffice:   org.Kind == identity.KindOffice,
	}
	if p.Token != nil {
		v.Kind = policy.ViewerToken
		scopes := make([]string, len(p.Token.Scopes))
		for i, s := range p.Token.Scopes {
			scopes[i] = string(s)
		}
		v.Scopes = policy.NewSet(scopes...)
	} else {
		v.UserID = p.User.ID
		roles := make([]string, len(p.User.Roles))
		for i, r := range p.User.Roles {
			roles[i] = string(r)
		}
		if v.IsOffice {
			v.OfficeRoles = policy.RolesOf(roles...)
		}
	}
	circles, err := d.allCircles(ctx)
	if err != nil {
		return policy.Viewer{}, err
	}
	if err := d.orgFacts(ctx, org, circles, &v); err != nil {
		return policy.Viewer{}, err
	}
	return v, nil
}

// allCircles returns the circles of the installation as they are now.
func (d *Door) allCircles(ctx context.Context) (*policy.Circles, error) {
	defs, err := d.circles.CircleDefs(ctx)
	if err != nil {
		return nil, err
	}
	return policy.NewCircles(defs)
}

// orgFacts sets what the policy needs to know of org on v: whether it
// accepted the current agreement, its designations and its circles. Viewer
// and the explainer both build viewers with it, so they cannot disagree.
func (d *Door) orgFacts(ctx context.Context, org *identity.Organisation, circles *policy.Circles, v *policy.Viewer) error {
	// The office runs the alliance and does not sign its own agreement.
	if v.IsOffice {
		v.AcceptedCurrentAgreement = true
	} else {
		ok, err := d.agreements.AcceptedCurrent(ctx, org.ID)
		if err != nil {
			return err
		}
		v.AcceptedCurrentAgreement = ok
	}
	des, err := d.designations.DesignationsOf(ctx, org.ID, d.now())
	if err != nil {
		return err
	}
	v.Designations = des
	v.Circles = circles.Of(org.ID)
	return nil
}

// Decide asks the policy about one object, now.
func (d *Door) Decide(v *policy.Viewer, o *policy.Object) policy.Decision {
	return d.policy.Decide(v, o, d.now())
}

// Read decides whether the viewer may read the object it asked for by id,
// and records a refusal in the audit log with the step and code that
// denied it. Callers answer a refusal as "not found", never revealing that
// the object exists.
func (d *Door) Read(ctx context.Context, p identity.Principal, v *policy.Viewer, o *policy.Object) policy.Decision {
	dec := d.policy.Decide(v, o, d.now())
	if !dec.Allow && d.recorder != nil {
		e := audit.New(ctx, d.now(), "read.denied", audit.Denied)
		if p.User != nil {
			e.ActorUser = p.User.ID
		}
		if p.Token != nil {
			e.ActorToken = p.Token.ID
		}
		e.ActorOrg, e.ObjectType, e.ObjectID = p.OrgID(), o.Kind, o.ID
		e.Reason = dec.Step.String() + ": " + string(dec.Code)
		_ = d.recorder.Record(context.WithoutCancel(ctx), e)
	}
	return dec
}

// Filter keeps the objects the viewer may see, in place.
func (d *Door) Filter(v *policy.Viewer, objs []policy.Object) []policy.Object {
	return d.policy.Filter(v, objs, d.now())
}
