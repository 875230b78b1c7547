package sharing

import (
	"context"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/policy"
)

// Mail of requests for access. Messages name the object by kind, id and
// level, never by its content; the translations live under the keys
//
//	mail.access.requested.subject / .body — to the owner's deciders:
//	    requester organisation, requester name, kind, object id, TLP label,
//	    reason, link
//	mail.access.granted.subject / .body — to the requester:
//	    owner organisation, kind, object id, the decider's reason, link
//	mail.access.refused.subject / .body — to the requester: as granted
const (
	mailRequested = "mail.access.requested"
	mailGranted   = "mail.access.granted"
	mailRefused   = "mail.access.refused"
)

// link returns the address of request r's page.
func (s *Access) link(r AccessRequest) string { return s.cfg.BaseURL + "/access-requests/" + r.ID }

// message returns an outbox message to to with the subject and text of key
// in lang.
func (s *Access) message(to, lang, key string, args ...any) mail.Message {
	return mail.NewMessage(identity.NewID(), to, s.cfg.Text(lang, key+".subject", args...), s.cfg.Text(lang, key+".body", args...),
		s.now(), s.cfg.MailHeld)
}

// mailDeciders tells those who decide request r that p asked: the active
// administrators of the owning organisation, each in their language, or its
// contact address when it has none.
func (s *Access) mailDeciders(ctx context.Context, tx AccessTx, r AccessRequest, p identity.Principal, level policy.TLP) error {
	owner, err := tx.Organisation(ctx, r.OwnerOrg)
	if err != nil {
		return err
	}
	users, err := tx.ListUsers(ctx, r.OwnerOrg)
	if err != nil {
		return err
	}
	args := []any{p.Org.Name, p.User.Name, r.Kind, r.ObjectID, level.Label(), r.Reason, s.link(r)}
	sent := false
	for _, u := range users {
		if !mayDecide(identity.Principal{User: &u, Org: &owner}, owner.ID) {
			continue
		}
		if err := tx.EnqueueMail(ctx, s.message(u.Email, u.Lang, mailRequested, args...)); err != nil {
			return err
		}
		sent = true
	}
	if !sent && owner.ContactEmail != "" {
		return tx.EnqueueMail(ctx, s.message(owner.ContactEmail, "", mailRequested, args...))
	}
	return nil
}

// mailRequester tells the user who asked for r what was decided, unless
// the account is disabled or gone.
func (s *Access) mailRequester(ctx context.Context, tx AccessTx, r AccessRequest) error {
	u, err := tx.User(ctx, r.RequesterUser)
	if verbund.IsKind(err, verbund.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.Disabled {
		return nil
	}
	owner, err := tx.Organisation(ctx, r.OwnerOrg)
	if err != nil {
		return err
	}
	key := mailRefused
	if r.State == RequestGranted {
		key = mailGranted
	}
	return tx.EnqueueMail(ctx, s.message(u.Email, u.Lang, key, owner.Name, r.Kind, r.ObjectID, r.Decision, s.link(r)))
}
