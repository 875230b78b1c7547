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

// AgreementPath is where the web layer shows the current agreement; mail
// about a new version links there.
const AgreementPath = "/agreement"

// maxAgreementLen bounds one text of the agreement, in bytes.
const maxAgreementLen = 200_000

// CurrentAgreement returns the agreement in force, for anyone to read
// (registration shows it); a verbund.NotFound error when none is published.
func (s *Service) CurrentAgreement(ctx context.Context) (Agreement, error) {
	return s.store.CurrentAgreement(ctx)
}

// PublishAgreement publishes texts (one for each of Languages) as the next
// version of the agreement, which is current from now on. Organisations keep
// their status, but AcceptedCurrent reports false for them until they accept
// the new version; their contacts are asked to by e-mail. Office admins
// only.
func (s *Service) PublishAgreement(ctx context.Context, p identity.Principal, texts map[string]string) (Agreement, error) {
	const op = "membership.PublishAgreement"
	if !isOffice(p, identity.RoleOfficeAdmin) {
		s.denied(ctx, p, "agreement.publish", "agreement", "", "not an office administrator")
		return Agreement{}, forbidden(op, "only an office administrator may publish the agreement")
	}
	f := map[string]string{}
	clean := map[string]string{}
	for _, l := range Languages {
		t := texts[l]
		switch {
		case strings.TrimSpace(t) == "":
			f["text_"+l] = "required"
		case len(t) > maxAgreementLen || !utf8.ValidString(t):
			f["text_"+l] = fmt.Sprintf("at most %d bytes of UTF-8 text", maxAgreementLen)
		}
		clean[l] = t
	}
	for l := range texts {
		if _, ok := clean[l]; !ok {
			f["text_"+l] = "not a language of the agreement (de, nl, en)"
		}
	}
	if len(f) > 0 {
		return Agreement{}, verbund.InvalidFields(op, f)
	}
	var a Agreement
	err := s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.CurrentAgreement(ctx)
		if err != nil && !verbund.IsKind(err, verbund.NotFound) {
			return err
		}
		a = Agreement{Version: cur.Version + 1, Texts: clean, PublishedAt: s.now()}
		if p.User != nil {
			a.PublishedBy = p.User.ID
		}
		if err := tx.CreateAgreement(ctx, a); err != nil {
			if verbund.IsKind(err, verbund.Conflict) {
				return conflict(op, "agreement-published", "somebody published a version at the same time; look at the current one and try again")
			}
			return err
		}
		if err := record(ctx, tx, s.entry(ctx, p, "agreement.publish", audit.Success, "agreement", fmt.Sprint(a.Version)), ""); err != nil {
			return err
		}
		if a.Version == 1 {
			return nil
		}
		orgs, err := tx.Unsigned(ctx, a.Version)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if err := s.notify(ctx, tx, o, "mail.agreement.new", o.Name, a.Version, s.cfg.BaseURL+AgreementPath); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Agreement{}, verbund.Errorf(op, err)
	}
	return a, nil
}

// Sign records that the principal, an administrator of organisation orgID,
// accepts version of the agreement as read in lang. Only the current version
// can be signed (code "agreement-outdated" otherwise); signing it again
// returns the earlier signature. In immediate activation, a pending
// organisation whose address is confirmed becomes active.
func (s *Service) Sign(ctx context.Context, p identity.Principal, orgID string, version int, lang string) (Signature, error) {
	const op = "membership.Sign"
	if !isOrgAdmin(p, orgID) {
		s.denied(ctx, p, "agreement.sign", "organisation", orgID, "not an administrator of the organisation")
		return Signature{}, notFound(op)
	}
	org, err := s.memberOrg(ctx, s.store, op, orgID)
	if err != nil {
		return Signature{}, err
	}
	if org.Status == identity.StatusTerminated {
		return Signature{}, conflict(op, "terminated", "the membership of this organisation has ended")
	}
	agr, err := s.store.CurrentAgreement(ctx)
	if err != nil {
		return Signature{}, err
	}
	if version != agr.Version {
		return Signature{}, conflict(op, "agreement-outdated", "a newer version of the agreement was published: please read it and accept it")
	}
	if _, ok := agr.Texts[lang]; !ok {
		return Signature{}, verbund.InvalidFields(op, map[string]string{"lang": "the agreement is not available in this language"})
	}
	var sig Signature
	err = s.store.Update(ctx, func(tx Tx) error {
		sigs, err := tx.ListSignatures(ctx, orgID)
		if err != nil {
			return err
		}
		for _, old := range sigs {
			if old.Version == version {
				sig = old
				return nil
			}
		}
		sig = s.signature(ctx, orgID, p.User.ID, agr, lang)
		if err := tx.CreateSignature(ctx, sig); err != nil {
			return err
		}
		if err := record(ctx, tx, s.entry(ctx, p, "agreement.sign", audit.Success, "signature", sig.ID),
			fmt.Sprintf("version %d (%s)", version, lang)); err != nil {
			return err
		}
		_, err = s.maybeActivate(ctx, tx, p, orgID)
		return err
	})
	if err != nil {
		return Signature{}, verbund.Errorf(op, err)
	}
	return sig, nil
}

// AcceptedCurrent reports whether organisation orgID has accepted the
// current agreement; the sharing policy reads it as
// Viewer.AcceptedCurrentAgreement. The office issues the agreement and is
// bound by it, so the answer for the office is true. Without a published
// agreement no member has accepted one.
func (s *Service) AcceptedCurrent(ctx context.Context, orgID string) (bool, error) {
	return acceptedCurrent(ctx, s.store, orgID)
}

// acceptedCurrent is AcceptedCurrent on any reader, in a transaction too.
func acceptedCurrent(ctx context.Context, r Reader, orgID string) (bool, error) {
	org, err := r.Organisation(ctx, orgID)
	if err != nil {
		return false, err
	}
	if org.Kind == identity.KindOffice {
		return true, nil
	}
	agr, err := r.CurrentAgreement(ctx)
	if verbund.IsKind(err, verbund.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return r.HasSigned(ctx, orgID, agr.Version)
}

// Signatures lists the signatures of organisation orgID, newest first, for
// those who may read its records.
func (s *Service) Signatures(ctx context.Context, p identity.Principal, orgID string) ([]Signature, error) {
	if !mayRead(p, orgID) {
		s.denied(ctx, p, "agreement.signatures", "organisation", orgID, "not a user of the organisation")
		return nil, notFound("membership.Signatures")
	}
	return s.store.ListSignatures(ctx, orgID)
}

// Receipt is the proof of a signature: the signature with the names behind
// its ids and the exact text it was made on, whose SHA-256 is
// Signature.TextSHA256.
type Receipt struct {
	Signature
	OrgName   string
	UserName  string
	UserEmail string
	Text      string
}

// Receipt returns the receipt of signature id, for those who may read the
// records of the signing organisation.
func (s *Service) Receipt(ctx context.Context, p identity.Principal, id string) (Receipt, error) {
	const op = "membership.Receipt"
	sig, err := s.store.Signature(ctx, id)
	if err != nil && !verbund.IsKind(err, verbund.NotFound) {
		return Receipt{}, err
	}
	if err != nil || !mayRead(p, sig.OrgID) {
		s.denied(ctx, p, "agreement.receipt", "signature", id, "not a user of the signing organisation")
		return Receipt{}, notFound(op)
	}
	r := Receipt{Signature: sig}
	org, err := s.store.Organisation(ctx, sig.OrgID)
	if err != nil {
		return Receipt{}, err
	}
	r.OrgName = org.Name
	if u, err := s.store.User(ctx, sig.UserID); err == nil {
		r.UserName, r.UserEmail = u.Name, u.Email
	} else if !verbund.IsKind(err, verbund.NotFound) {
		return Receipt{}, err
	}
	agr, err := s.store.Agreement(ctx, sig.Version)
	if err != nil {
		return Receipt{}, err
	}
	r.Text = agr.Texts[sig.Lang]
	return r, nil
}

// NotAccepted lists the member organisations whose membership has not ended
// and that have not accepted the current agreement; office roles only.
func (s *Service) NotAccepted(ctx context.Context, p identity.Principal) ([]identity.Organisation, error) {
	const op = "membership.NotAccepted"
	if !p.System && (p.User == nil || !p.User.HasOfficeRole()) {
		return nil, forbidden(op, "only the office may list organisations")
	}
	agr, err := s.store.CurrentAgreement(ctx)
	if verbund.IsKind(err, verbund.NotFound) {
		return s.store.Unsigned(ctx, 0)
	}
	if err != nil {
		return nil, err
	}
	return s.store.Unsigned(ctx, agr.Version)
}
