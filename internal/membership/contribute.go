package membership

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// Contributions of partners and activities of multipliers: the first one
// the office accepts starts the status.

// NewContribution is the input for Contribute. The type says whether it is
// a partner contribution or a multiplier activity (see ContributionTypes).
type NewContribution struct {
	OrgID       string
	Type        string
	Title       string
	Description string
	Link        string // optional web address
}

// Contribute submits a contribution or activity of the principal's own
// organisation for the office to accept; users of the organisation. It
// needs an approved application for the status it belongs to: without one
// it is a Conflict with code "no-approved-application".
func (s *Service) Contribute(ctx context.Context, p identity.Principal, in NewContribution) (Contribution, error) {
	const op = "membership.Contribute"
	if !isOrgUser(p, in.OrgID) {
		s.denied(ctx, p, "contribution.submit", "organisation", in.OrgID, "not a user of the organisation")
		return Contribution{}, notFound(op)
	}
	f := map[string]string{}
	kind, ok := KindOfContribution(in.Type)
	if !ok {
		f["type"] = "one of " + strings.Join(ContributionTypes[Partner], ", ") + " (partners) or " +
			strings.Join(ContributionTypes[Multiplier], ", ") + " (multipliers)"
	}
	c := Contribution{ID: identity.NewID(), OrgID: in.OrgID, Kind: kind, Type: in.Type, Title: in.Title,
		Description: strings.TrimSpace(in.Description), State: Pending, SubmittedBy: p.User.ID, SubmittedAt: s.now()}
	text(f, "title", &c.Title, true, 200)
	if utf8.RuneCountInString(c.Description) > maxTextLen {
		f["description"] = "at most 5000 characters"
	}
	if in.Link = strings.TrimSpace(in.Link); in.Link != "" {
		if c.Link, ok = NormaliseWebsite(in.Link); !ok {
			f["link"] = "not a web address, e.g. https://example.org/article"
		}
	}
	if len(f) > 0 {
		return Contribution{}, verbund.InvalidFields(op, f)
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.mayAdvance(ctx, tx, op, in.OrgID); err != nil {
			return err
		}
		apps, err := tx.ListApplications(ctx, ApplicationFilter{OrgID: in.OrgID, Kind: kind, State: Approved})
		if err != nil {
			return err
		}
		if len(apps) == 0 {
			return conflict(op, "no-approved-application",
				"the office has not approved an application of your organisation as "+string(kind)+"; apply first")
		}
		c.ApplicationID = apps[len(apps)-1].ID
		if err := tx.CreateContribution(ctx, c); err != nil {
			return err
		}
		return record(ctx, tx, s.entry(ctx, p, "contribution.submit", audit.Success, "contribution", c.ID), c.Type)
	})
	if err != nil {
		return Contribution{}, verbund.Errorf(op, err)
	}
	return c, nil
}

// DecideContribution accepts or rejects a pending contribution; reviewers
// and office admins. A rejection needs a reason. The first accepted
// contribution of an organisation starts its partner or multiplier status
// at the time of acceptance, with a badge. A contribution decided before is
// a Conflict with code "already-decided".
func (s *Service) DecideContribution(ctx context.Context, p identity.Principal, id string, accept bool, reason string) (Contribution, error) {
	const op = "membership.DecideContribution"
	if !isOffice(p, identity.RoleOfficeAdmin, identity.RoleReviewer) {
		s.denied(ctx, p, "contribution.decide", "contribution", id, "not a reviewer or office administrator")
		return Contribution{}, forbidden(op, "only a reviewer or office administrator may decide contributions")
	}
	if msg := checkReason(&reason, !accept); msg != "" {
		return Contribution{}, verbund.InvalidFields(op, map[string]string{"reason": msg})
	}
	var c Contribution
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if c, err = tx.Contribution(ctx, id); err != nil {
			return err
		}
		if c.State != Pending {
			return conflict(op, "already-decided", "this contribution was decided already")
		}
		org, err := tx.Organisation(ctx, c.OrgID)
		if err != nil {
			return err
		}
		if accept && org.Status != identity.StatusActive {
			return conflict(op, "not-active", "the organisation is "+string(org.Status)+"; only an active member's contribution can be accepted")
		}
		c.State, c.Reason, c.DecidedAt = Rejected, reason, s.now()
		action, mailKey := "contribution.reject", "mail.contribution.rejected"
		if accept {
			c.State, action, mailKey = Accepted, "contribution.accept", "mail.contribution.accepted"
		}
		if p.User != nil {
			c.DecidedBy = p.User.ID
		}
		ok, err := tx.DecideContribution(ctx, c)
		if err != nil {
			return err
		}
		if !ok {
			return conflict(op, "already-decided", "this contribution was decided already")
		}
		if err := record(ctx, tx, s.entry(ctx, p, action, audit.Success, "contribution", c.ID), reason); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, org, mailKey, org.Name, c.Title, reason); err != nil {
			return err
		}
		if !accept {
			return nil
		}
		held, err := tx.ListStatuses(ctx, StatusFilter{OrgID: org.ID, Status: c.Kind, CurrentOnly: true})
		if err != nil || len(held) > 0 {
			return err
		}
		if err := s.startStatus(ctx, tx, p, org, c.Kind); err != nil {
			return err
		}
		return s.notify(ctx, tx, org, "mail.status."+string(c.Kind), org.Name)
	})
	if err != nil {
		return Contribution{}, verbund.Errorf(op, err)
	}
	return c, nil
}

// Contributions lists the contributions and activities of organisation
// orgID, oldest first, for those who may read its records.
func (s *Service) Contributions(ctx context.Context, p identity.Principal, orgID string) ([]Contribution, error) {
	if !mayRead(p, orgID) {
		s.denied(ctx, p, "contribution.list", "organisation", orgID, "not a user of the organisation")
		return nil, notFound("membership.Contributions")
	}
	return s.store.ListContributions(ctx, ContributionFilter{OrgID: orgID})
}

// PartnerEntry is one partner in the public partner directory.
type PartnerEntry struct {
	OrgID         string
	Name          string
	Website       string
	Expertise     []string // of the latest approved partner application
	Since         time.Time
	Contributions []Contribution // accepted ones, oldest first
}

// PartnerDirectory lists the active partners by name, for anyone. A
// non-empty query keeps those with an area of expertise that contains it,
// regardless of case.
func (s *Service) PartnerDirectory(ctx context.Context, query string) ([]PartnerEntry, error) {
	query = strings.ToLower(strings.TrimSpace(query))
	recs, err := s.store.ListStatuses(ctx, StatusFilter{Status: Partner, CurrentOnly: true})
	if err != nil {
		return nil, err
	}
	since := map[string]time.Time{}
	for _, r := range recs {
		since[r.OrgID] = r.Since
	}
	apps, err := s.store.ListApplications(ctx, ApplicationFilter{Kind: Partner, State: Approved})
	if err != nil {
		return nil, err
	}
	expertise := map[string][]string{}
	for _, a := range apps { // oldest first: the latest wins
		expertise[a.OrgID] = a.Expertise
	}
	contribs, err := s.store.ListContributions(ctx, ContributionFilter{Kind: Partner, State: Accepted})
	if err != nil {
		return nil, err
	}
	byOrg := map[string][]Contribution{}
	for _, c := range contribs {
		byOrg[c.OrgID] = append(byOrg[c.OrgID], c)
	}
	orgs, err := s.store.ListOrganisations(ctx, identity.OrgFilter{Kind: identity.KindMember, Status: identity.StatusActive})
	if err != nil {
		return nil, err
	}
	out := []PartnerEntry{}
	for _, o := range orgs {
		t, ok := since[o.ID]
		if !ok || !matchesTag(expertise[o.ID], query) {
			continue
		}
		e := PartnerEntry{OrgID: o.ID, Name: o.Name, Expertise: expertise[o.ID], Since: t, Contributions: byOrg[o.ID]}
		if pr, err := s.store.Profile(ctx, o.ID); err == nil {
			e.Website = pr.Website
		} else if !verbund.IsKind(err, verbund.NotFound) {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// matchesTag reports whether a tag contains query (lower-case), or query is
// empty.
func matchesTag(tags []string, query string) bool {
	if query == "" {
		return true
	}
	for _, t := range tags {
		if strings.Contains(strings.ToLower(t), query) {
			return true
		}
	}
	return false
}
