package membership

import (
	"context"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
)

// The office's work: what waits for a decision, and the figures.

// PendingRegistration is a registered organisation that is not active yet,
// with what it still lacks.
type PendingRegistration struct {
	Org      identity.Organisation
	Profile  Profile
	Verified bool // the first user's e-mail address is confirmed
	Accepted bool // the current agreement is accepted
}

// Queue is what waits for the office, oldest first in each list.
type Queue struct {
	// Registrations wait for e-mail verification, for the current
	// agreement, or (when Config.Activation is "office") for activation.
	Registrations []PendingRegistration
	Applications  []Application
	Contributions []Contribution // partner contributions and multiplier activities
}

// Queue returns what waits for the office; reviewers and office admins.
func (s *Service) Queue(ctx context.Context, p identity.Principal) (Queue, error) {
	const op = "membership.Queue"
	if !isOffice(p, identity.RoleOfficeAdmin, identity.RoleReviewer) {
		s.denied(ctx, p, "membership.queue", "", "", "not a reviewer or office administrator")
		return Queue{}, forbidden(op, "only a reviewer or office administrator may see the queues")
	}
	var q Queue
	profiles, err := s.store.ListProfiles(ctx, ProfileFilter{OrgStatus: identity.StatusPending})
	if err != nil {
		return Queue{}, err
	}
	for _, pr := range profiles {
		org, err := s.store.Organisation(ctx, pr.OrgID)
		if err != nil {
			return Queue{}, err
		}
		if org.Kind != identity.KindMember {
			continue
		}
		ok, err := acceptedCurrent(ctx, s.store, org.ID)
		if err != nil {
			return Queue{}, err
		}
		q.Registrations = append(q.Registrations, PendingRegistration{Org: org, Profile: pr, Verified: pr.Verified(), Accepted: ok})
	}
	if q.Applications, err = s.store.ListApplications(ctx, ApplicationFilter{State: Pending}); err != nil {
		return Queue{}, err
	}
	if q.Contributions, err = s.store.ListContributions(ctx, ContributionFilter{State: Pending}); err != nil {
		return Queue{}, err
	}
	return q, nil
}

// Counts returns the figures on member organisations: by status, and those
// whose membership has not ended by sector and by size class; office roles
// only.
func (s *Service) Counts(ctx context.Context, p identity.Principal) (Counts, error) {
	if !p.System && (p.User == nil || !p.User.HasOfficeRole()) {
		s.denied(ctx, p, "membership.counts", "", "", "not a user of the office")
		return Counts{}, verbund.E("membership.Counts", verbund.Forbidden, "only the office may see the figures")
	}
	return s.store.MembershipCounts(ctx)
}
