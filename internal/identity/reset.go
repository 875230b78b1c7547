package identity

import (
	"context"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
)

// sendReset creates a password-reset token for u and puts the e-mail with its
// link into the outbox, in tx. key names the message: "mail.reset" or
// "mail.welcome" (a new user setting the first password).
func (s *Service) sendReset(ctx context.Context, tx Tx, u User, key string) error {
	secret := randomSecret(32)
	if err := tx.CreateResetToken(ctx, sha(secret), u.ID, s.now().Add(s.cfg.ResetTTL)); err != nil {
		return err
	}
	link := s.cfg.BaseURL + "/reset/" + secret
	return tx.EnqueueMail(ctx, s.mailMessage(u.Email, u.Lang, key, u.Name, link, int(s.cfg.ResetTTL.Minutes())))
}

// RequestPasswordReset sends a reset link to the address if it belongs to a
// user who may log in. The caller shows the same answer whether or not it
// does, so that nobody can find out which addresses have accounts.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	const op = "identity.RequestPasswordReset"
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return verbund.InvalidFields(op, map[string]string{"email": "required"})
	}
	// Only the address is throttled: the message of a throttled login
	// tells the user to reset the password, and the reset lifts the
	// account's throttle, so the account's failures must not block it.
	if err := s.checkThrottle(ctx, op, ""); err != nil {
		return err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if verbund.IsKind(err, verbund.NotFound) {
		e := audit.New(ctx, s.now(), "auth.reset.request", audit.Failure)
		e.ObjectType, e.Reason = "user", "unknown account"
		s.recordFailure(ctx, e, addressKeyOf(ctx)...)
		return nil
	}
	if err != nil {
		return err
	}
	if u.Disabled {
		return nil
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := s.sendReset(ctx, tx, u, "mail.reset"); err != nil {
			return err
		}
		e := audit.New(ctx, s.now(), "auth.reset.request", audit.Success)
		e.ObjectType, e.ObjectID, e.ActorOrg = "user", u.ID, u.OrgID
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

func addressKeyOf(ctx context.Context) []string {
	if ip := audit.RequestFrom(ctx).IP; ip != "" {
		return []string{addressKey(ip)}
	}
	return nil
}

// ResetPassword sets a new password with the secret from a reset link. The
// link works once; every session of the user ends.
func (s *Service) ResetPassword(ctx context.Context, secret, password string) error {
	const op = "identity.ResetPassword"
	if msg := CheckPasswordPolicy(password); msg != "" {
		return verbund.InvalidFields(op, map[string]string{"password": msg})
	}
	hash, err := HashPassword(password, s.cfg.Argon2)
	if err != nil {
		return verbund.Errorf(op, err)
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		userID, err := tx.ConsumeResetToken(ctx, sha(secret), s.now())
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		u.PasswordHash, u.UpdatedAt = hash, s.now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.ClearLoginFailures(ctx, accountKey(u.Email)); err != nil {
			return err
		}
		e := audit.New(ctx, s.now(), "auth.reset", audit.Success)
		e.ActorUser, e.ActorOrg, e.ObjectType, e.ObjectID = u.ID, u.OrgID, "user", u.ID
		_, err = tx.AppendAudit(ctx, e)
		return err
	})
	if verbund.IsKind(err, verbund.NotFound) {
		return &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "reset-link-invalid",
			Msg: "this link is not valid any more (it was used or has expired); ask for a new one"}
	}
	return err
}

// ChangePassword changes the principal's own password after checking the
// current one. Other sessions of the user end; the current one stays.
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	const op = "identity.ChangePassword"
	if p.User == nil {
		return verbund.E(op, verbund.Unauthenticated, "log in first")
	}
	u, err := s.store.User(ctx, p.User.ID)
	if err != nil {
		return err
	}
	if ok, _ := VerifyPassword(current, u.PasswordHash); !ok {
		return verbund.InvalidFields(op, map[string]string{"current": "wrong password"})
	}
	if msg := CheckPasswordPolicy(next); msg != "" {
		return verbund.InvalidFields(op, map[string]string{"password": msg})
	}
	if u.PasswordHash, err = HashPassword(next, s.cfg.Argon2); err != nil {
		return verbund.Errorf(op, err)
	}
	u.UpdatedAt = s.now()
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		if p.Session != nil {
			// Keep the session the user is changing the password in.
			if err := tx.CreateSession(ctx, *p.Session); err != nil {
				return err
			}
		}
		e := s.entry(ctx, p, "auth.password.change", audit.Success)
		e.ObjectType, e.ObjectID = "user", u.ID
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}
