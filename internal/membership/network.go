package membership

import (
	"context"
	"slices"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// Profile returns the membership profile of organisation orgID, for those
// who may read its records.
func (s *Service) Profile(ctx context.Context, p identity.Principal, orgID string) (Profile, error) {
	if !mayRead(p, orgID) {
		s.denied(ctx, p, "membership.profile", "organisation", orgID, "not a user of the organisation")
		return Profile{}, notFound("membership.Profile")
	}
	return s.store.Profile(ctx, orgID)
}

// Statuses returns every status organisation orgID holds or held, oldest
// first, for those who may read its records.
func (s *Service) Statuses(ctx context.Context, p identity.Principal, orgID string) ([]StatusRecord, error) {
	if !mayRead(p, orgID) {
		s.denied(ctx, p, "membership.statuses", "organisation", orgID, "not a user of the organisation")
		return nil, notFound("membership.Statuses")
	}
	return s.store.ListStatuses(ctx, StatusFilter{OrgID: orgID})
}

// SetNetworkVisible lets an organisation choose whether the member network
// lists it; its administrators only. Organisations are not listed until
// they opt in.
func (s *Service) SetNetworkVisible(ctx context.Context, p identity.Principal, orgID string, visible bool) error {
	const op = "membership.SetNetworkVisible"
	if !isOrgAdmin(p, orgID) {
		s.denied(ctx, p, "membership.network", "organisation", orgID, "not an administrator of the organisation")
		return notFound(op)
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		org, err := s.memberOrg(ctx, tx, op, orgID)
		if err != nil {
			return err
		}
		if org.Status == identity.StatusTerminated {
			return conflict(op, "terminated", "the membership of this organisation has ended")
		}
		prof, err := tx.Profile(ctx, orgID)
		if verbund.IsKind(err, verbund.NotFound) {
			// Organisations the office made have no profile until they need one.
			now := s.now()
			prof = Profile{OrgID: orgID, CreatedAt: now, UpdatedAt: now}
			err = tx.CreateProfile(ctx, prof)
		}
		if err != nil {
			return err
		}
		if prof.NetworkVisible == visible {
			return nil
		}
		prof.NetworkVisible, prof.UpdatedAt = visible, s.now()
		if err := tx.UpdateProfile(ctx, prof); err != nil {
			return err
		}
		reason := "hidden from the member network"
		if visible {
			reason = "listed in the member network"
		}
		return record(ctx, tx, s.entry(ctx, p, "membership.network", audit.Success, "organisation", orgID), reason)
	})
	return verbund.Errorf(op, err)
}

// NetworkEntry is one organisation in the member network. It names the
// organisation, not its people: members contact each other through the
// platform.
type NetworkEntry struct {
	OrgID    string
	Name     string
	Country  string
	City     string
	Website  string
	Sectors  []string
	Statuses []Status
}

// Network lists the active members that chose to be visible, by name, for
// users and tokens of active members and for the office.
func (s *Service) Network(ctx context.Context, p identity.Principal) ([]NetworkEntry, error) {
	const op = "membership.Network"
	orgID := ""
	switch {
	case p.User != nil:
		orgID = p.User.OrgID
	case p.Token != nil:
		orgID = p.Token.OrgID
	}
	if !p.System {
		if orgID == "" {
			return nil, verbund.E(op, verbund.Unauthenticated, "log in to see the member network")
		}
		viewer, err := s.store.Organisation(ctx, orgID)
		if err != nil {
			return nil, err
		}
		if viewer.Status != identity.StatusActive {
			s.denied(ctx, p, "membership.network.read", "organisation", orgID, "organisation is "+string(viewer.Status))
			return nil, forbidden(op, "the member network is open to active members only")
		}
	}
	profiles, err := s.store.ListProfiles(ctx, ProfileFilter{OrgStatus: identity.StatusActive, NetworkOnly: true})
	if err != nil {
		return nil, err
	}
	visible := make(map[string]Profile, len(profiles))
	for _, pr := range profiles {
		visible[pr.OrgID] = pr
	}
	orgs, err := s.store.ListOrganisations(ctx, identity.OrgFilter{Kind: identity.KindMember, Status: identity.StatusActive})
	if err != nil {
		return nil, err
	}
	statuses, err := s.currentStatuses(ctx)
	if err != nil {
		return nil, err
	}
	out := []NetworkEntry{}
	for _, o := range orgs {
		pr, ok := visible[o.ID]
		if !ok {
			continue
		}
		out = append(out, NetworkEntry{OrgID: o.ID, Name: o.Name, Country: o.Country, City: pr.City,
			Website: pr.Website, Sectors: slices.Clone(o.Sectors), Statuses: statuses[o.ID]})
	}
	return out, nil
}

// currentStatuses maps organisation ids to the statuses they hold, in the
// order participant, partner, multiplier.
func (s *Service) currentStatuses(ctx context.Context) (map[string][]Status, error) {
	recs, err := s.store.ListStatuses(ctx, StatusFilter{CurrentOnly: true})
	if err != nil {
		return nil, err
	}
	m := map[string][]Status{}
	for _, r := range recs {
		m[r.OrgID] = append(m[r.OrgID], r.Status)
	}
	order := []Status{Participant, Partner, Multiplier}
	for _, sts := range m {
		slices.SortFunc(sts, func(a, b Status) int { return slices.Index(order, a) - slices.Index(order, b) })
	}
	return m, nil
}
