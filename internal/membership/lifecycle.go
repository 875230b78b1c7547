package membership

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// The organisation's way through the alliance: pending → active ⇄ suspended
// → terminated. Every change is audited and mailed to the contact address.

// checkReason trims a reason and returns a problem with it, or "".
func checkReason(reason *string, required bool) string {
	*reason = strings.TrimSpace(*reason)
	switch {
	case *reason == "" && required:
		return "required: say why"
	case utf8.RuneCountInString(*reason) > 2000:
		return "at most 2000 characters"
	}
	return ""
}

// maybeActivate activates organisation orgID in immediate activation when
// it is pending, its first user's address is confirmed and it has accepted
// the current agreement; it reports whether it did. p is whoever completed
// the last step.
func (s *Service) maybeActivate(ctx context.Context, tx Tx, p identity.Principal, orgID string) (bool, error) {
	if s.cfg.Activation != ActivateImmediately {
		return false, nil
	}
	org, err := tx.Organisation(ctx, orgID)
	if err != nil || org.Status != identity.StatusPending {
		return false, err
	}
	if err := s.readyForActivation(ctx, tx, "membership.activate", org); err != nil {
		if verbund.IsKind(err, verbund.Conflict) {
			return false, nil
		}
		return false, err
	}
	return true, s.activate(ctx, tx, p, org, "e-mail address confirmed and agreement accepted", "")
}

// readyForActivation returns a Conflict unless org's address is confirmed
// and it has accepted the current agreement.
func (s *Service) readyForActivation(ctx context.Context, r Reader, op string, org identity.Organisation) error {
	prof, err := r.Profile(ctx, org.ID)
	if err != nil && !verbund.IsKind(err, verbund.NotFound) {
		return err
	}
	if err != nil || !prof.Verified() {
		return conflict(op, "email-unverified", "the organisation's e-mail address is not confirmed yet")
	}
	ok, err := acceptedCurrent(ctx, r, org.ID)
	if err != nil {
		return err
	}
	if !ok {
		return conflict(op, "agreement-not-accepted", "the organisation has not accepted the current agreement")
	}
	return nil
}

// activate makes org active and a participant from now. The audit entry
// gets why; the mail to the contact gets reason, the office's own words
// ("" when the rule activated the organisation).
func (s *Service) activate(ctx context.Context, tx Tx, p identity.Principal, org identity.Organisation, why, reason string) error {
	now := s.now()
	org.Status, org.UpdatedAt = identity.StatusActive, now
	if err := tx.UpdateOrganisation(ctx, org); err != nil {
		return err
	}
	if err := record(ctx, tx, s.entry(ctx, p, "membership.activate", audit.Success, "organisation", org.ID), why); err != nil {
		return err
	}
	if err := s.startStatus(ctx, tx, p, org, Participant); err != nil {
		return err
	}
	return s.notify(ctx, tx, org, "mail.status.active", org.Name, reason)
}

// startStatus gives org status from now, with a badge for it. Holding it
// already is no error: nothing changes.
func (s *Service) startStatus(ctx context.Context, tx Tx, p identity.Principal, org identity.Organisation, st Status) error {
	cur, err := tx.ListStatuses(ctx, StatusFilter{OrgID: org.ID, Status: st, CurrentOnly: true})
	if err != nil || len(cur) > 0 {
		return err
	}
	r := StatusRecord{ID: identity.NewID(), OrgID: org.ID, Status: st, Since: s.now()}
	if err := tx.StartStatus(ctx, r); err != nil {
		return err
	}
	if err := record(ctx, tx, s.entry(ctx, p, "membership.status.start", audit.Success, "organisation", org.ID), string(st)); err != nil {
		return err
	}
	_, err = s.issueBadge(ctx, tx, p, org, r)
	return err
}

// Activate makes a pending organisation an active participant; reviewers
// and office admins, with a reason. This is how organisations become active
// when Config.Activation is "office"; it needs a confirmed address and the
// current agreement accepted, as immediate activation does.
func (s *Service) Activate(ctx context.Context, p identity.Principal, orgID, reason string) (identity.Organisation, error) {
	const op = "membership.Activate"
	if !isOffice(p, identity.RoleOfficeAdmin, identity.RoleReviewer) {
		s.denied(ctx, p, "membership.activate", "organisation", orgID, "not a reviewer or office administrator")
		return identity.Organisation{}, forbidden(op, "only a reviewer or office administrator may activate organisations")
	}
	if msg := checkReason(&reason, true); msg != "" {
		return identity.Organisation{}, verbund.InvalidFields(op, map[string]string{"reason": msg})
	}
	var org identity.Organisation
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if org, err = s.memberOrg(ctx, tx, op, orgID); err != nil {
			return err
		}
		if org.Status != identity.StatusPending {
			return conflict(op, "not-pending", "the organisation is not waiting for activation")
		}
		if err := s.readyForActivation(ctx, tx, op, org); err != nil {
			return err
		}
		if err := s.activate(ctx, tx, p, org, reason, reason); err != nil {
			return err
		}
		org, err = tx.Organisation(ctx, orgID)
		return err
	})
	if err != nil {
		return identity.Organisation{}, verbund.Errorf(op, err)
	}
	return org, nil
}

// Suspend suspends an active organisation, which then sees only public
// information; its badges are revoked at once. Office admins only, with a
// reason; Reinstate undoes it.
func (s *Service) Suspend(ctx context.Context, p identity.Principal, orgID, reason string) error {
	const op = "membership.Suspend"
	return s.officeChange(ctx, p, op, "membership.suspend", orgID, reason, identity.StatusActive,
		func(tx Tx, org identity.Organisation) error {
			org.Status, org.UpdatedAt = identity.StatusSuspended, s.now()
			if err := tx.UpdateOrganisation(ctx, org); err != nil {
				return err
			}
			if err := s.revokeBadges(ctx, tx, p, org.ID, "", "suspended: "+reason); err != nil {
				return err
			}
			return s.notify(ctx, tx, org, "mail.status.suspended", org.Name, reason)
		})
}

// Reinstate makes a suspended organisation active again, with new badges for
// the statuses it holds. Office admins only, with a reason.
func (s *Service) Reinstate(ctx context.Context, p identity.Principal, orgID, reason string) error {
	const op = "membership.Reinstate"
	return s.officeChange(ctx, p, op, "membership.reinstate", orgID, reason, identity.StatusSuspended,
		func(tx Tx, org identity.Organisation) error {
			org.Status, org.UpdatedAt = identity.StatusActive, s.now()
			if err := tx.UpdateOrganisation(ctx, org); err != nil {
				return err
			}
			cur, err := tx.ListStatuses(ctx, StatusFilter{OrgID: org.ID, CurrentOnly: true})
			if err != nil {
				return err
			}
			for _, r := range cur {
				if _, err := s.issueBadge(ctx, tx, p, org, r); err != nil {
					return err
				}
			}
			return s.notify(ctx, tx, org, "mail.status.reinstated", org.Name, reason)
		})
}

// Expel ends the membership of an organisation for the office: everything
// Terminate does. It also declines a pending registration. Office admins
// only, with a reason.
func (s *Service) Expel(ctx context.Context, p identity.Principal, orgID, reason string) error {
	const op = "membership.Expel"
	return s.officeChange(ctx, p, op, "membership.expel", orgID, reason, "",
		func(tx Tx, org identity.Organisation) error {
			return s.end(ctx, tx, p, org, "mail.status.expelled", reason)
		})
}

// officeChange runs change on organisation orgID for an office admin, when
// the organisation is in status from ("" for any but terminated), and
// audits it as action with reason.
func (s *Service) officeChange(ctx context.Context, p identity.Principal, op, action, orgID, reason string,
	from identity.OrgStatus, change func(Tx, identity.Organisation) error) error {
	if !isOffice(p, identity.RoleOfficeAdmin) {
		s.denied(ctx, p, action, "organisation", orgID, "not an office administrator")
		return forbidden(op, "only an office administrator may do this")
	}
	if msg := checkReason(&reason, true); msg != "" {
		return verbund.InvalidFields(op, map[string]string{"reason": msg})
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		org, err := s.memberOrg(ctx, tx, op, orgID)
		if err != nil {
			return err
		}
		switch {
		case org.Status == identity.StatusTerminated:
			return conflict(op, "terminated", "the membership of this organisation has ended")
		case from != "" && org.Status != from:
			return conflict(op, "not-"+string(from), fmt.Sprintf("the organisation is %s, not %s", org.Status, from))
		}
		if err := change(tx, org); err != nil {
			return err
		}
		return record(ctx, tx, s.entry(ctx, p, action, audit.Success, "organisation", orgID), reason)
	})
	return verbund.Errorf(op, err)
}

// Terminate ends the membership of the principal's own organisation at
// once; organisation admins only. Its users' sessions end, its API tokens
// are revoked, its statuses end and their badges are revoked, it leaves the
// member network and the partner directory, and its open applications and
// contributions are withdrawn. The hooks of Config.OnTermination run in the
// same transaction.
func (s *Service) Terminate(ctx context.Context, p identity.Principal, orgID, reason string) error {
	const op = "membership.Terminate"
	if !isOrgAdmin(p, orgID) {
		s.denied(ctx, p, "membership.terminate", "organisation", orgID, "not an administrator of the organisation")
		return notFound(op)
	}
	if msg := checkReason(&reason, false); msg != "" {
		return verbund.InvalidFields(op, map[string]string{"reason": msg})
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		org, err := s.memberOrg(ctx, tx, op, orgID)
		if err != nil {
			return err
		}
		if org.Status == identity.StatusTerminated {
			return conflict(op, "terminated", "the membership of this organisation has ended already")
		}
		if err := s.end(ctx, tx, p, org, "mail.status.terminated", reason); err != nil {
			return err
		}
		return record(ctx, tx, s.entry(ctx, p, "membership.terminate", audit.Success, "organisation", orgID), reason)
	})
	return verbund.Errorf(op, err)
}

// end terminates org in tx: see Terminate.
func (s *Service) end(ctx context.Context, tx Tx, p identity.Principal, org identity.Organisation, mailKey, reason string) error {
	now := s.now()
	org.Status, org.UpdatedAt = identity.StatusTerminated, now
	if err := tx.UpdateOrganisation(ctx, org); err != nil {
		return err
	}
	users, err := tx.ListUsers(ctx, org.ID)
	if err != nil {
		return err
	}
	sessions := 0
	for _, u := range users {
		n, err := tx.DeleteUserSessions(ctx, u.ID)
		if err != nil {
			return err
		}
		sessions += n
	}
	tokens, err := tx.RevokeOrgTokens(ctx, org.ID, now)
	if err != nil {
		return err
	}
	ended, err := tx.EndStatuses(ctx, org.ID, now, "membership ended")
	if err != nil {
		return err
	}
	if err := s.revokeBadges(ctx, tx, p, org.ID, "", "membership ended"); err != nil {
		return err
	}
	withdrawn, err := tx.WithdrawOpen(ctx, org.ID, now)
	if err != nil {
		return err
	}
	prof, err := tx.Profile(ctx, org.ID)
	switch {
	case err == nil && prof.NetworkVisible:
		prof.NetworkVisible, prof.UpdatedAt = false, now
		if err := tx.UpdateProfile(ctx, prof); err != nil {
			return err
		}
	case err != nil && !verbund.IsKind(err, verbund.NotFound):
		return err
	}
	for _, hook := range s.cfg.OnTermination {
		if err := hook(ctx, tx, org.ID, now); err != nil {
			return err
		}
	}
	e := s.entry(ctx, p, "membership.status.end", audit.Success, "organisation", org.ID)
	if err := record(ctx, tx, e, fmt.Sprintf("%d statuses ended, %d sessions ended, %d tokens revoked, %d applications and contributions withdrawn",
		ended, sessions, tokens, withdrawn)); err != nil {
		return err
	}
	return s.notify(ctx, tx, org, mailKey, org.Name, reason)
}
