package membership

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// VerifyPath is the path of the verification link under Config.BaseURL; the
// secret follows it.
const VerifyPath = "/register/verify/"

// Resending verification links is limited per address, so that nobody can
// use the alliance to flood a mailbox.
const (
	resendLimit  = 5
	resendWindow = 24 * time.Hour
)

// randomSecret returns n random bytes, URL-safe base64 without padding.
func randomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// sendVerification makes a verification link for u and puts the e-mail
// with it into the outbox of tx.
func (s *Service) sendVerification(ctx context.Context, tx Tx, u identity.User) error {
	secret := randomSecret(32)
	now := s.now()
	v := Verification{Hash: hashSecret(secret), UserID: u.ID, OrgID: u.OrgID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.VerifyTTL)}
	if err := tx.CreateVerification(ctx, v); err != nil {
		return err
	}
	link := s.cfg.BaseURL + VerifyPath + secret
	return tx.EnqueueMail(ctx, s.message(u.Email, u.Lang, "mail.verify", u.Name, link, int(s.cfg.VerifyTTL.Hours())))
}

// Verify confirms the e-mail address of a registration with the secret of
// the verification link, and returns the organisation as it is afterwards:
// active when Config.Activation is immediate and the current agreement is
// accepted, pending otherwise.
//
// An unknown or used link is a verbund.Invalid error with code
// "verification-invalid"; an expired one has the code
// "verification-expired", and ResendVerification sends a new one.
func (s *Service) Verify(ctx context.Context, secret string) (identity.Organisation, error) {
	const op = "membership.Verify"
	invalid := &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "verification-invalid",
		Msg: "this link is not valid (it was used already, or mistyped); try to log in, or ask for a new link"}
	fail := func(v Verification, reason string) {
		e := audit.New(ctx, s.now(), "membership.verify", audit.Failure)
		e.ActorUser, e.ActorOrg, e.ObjectType, e.ObjectID, e.Reason = v.UserID, v.OrgID, "organisation", v.OrgID, reason
		s.recordAlone(ctx, e)
	}
	if secret == "" || len(secret) > 100 {
		return identity.Organisation{}, invalid
	}
	v, err := s.store.Verification(ctx, hashSecret(secret))
	if verbund.IsKind(err, verbund.NotFound) {
		fail(Verification{}, "unknown link")
		return identity.Organisation{}, invalid
	}
	if err != nil {
		return identity.Organisation{}, err
	}
	prof, err := s.store.Profile(ctx, v.OrgID)
	if err != nil {
		return identity.Organisation{}, err
	}
	now := s.now()
	switch {
	case !v.UsedAt.IsZero() || prof.Verified():
		fail(v, "link used already")
		return identity.Organisation{}, invalid
	case !now.Before(v.ExpiresAt):
		fail(v, "link expired")
		return identity.Organisation{}, &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "verification-expired",
			Msg: "this link has expired; ask for a new one and use it within " + hours(s.cfg.VerifyTTL)}
	}
	var org identity.Organisation
	err = s.store.Update(ctx, func(tx Tx) error {
		ok, err := tx.UseVerification(ctx, v.Hash, now)
		if err != nil {
			return err
		}
		if !ok {
			return invalid
		}
		if prof, err = tx.Profile(ctx, v.OrgID); err != nil {
			return err
		}
		prof.VerifiedAt, prof.UpdatedAt = now, now
		if err := tx.UpdateProfile(ctx, prof); err != nil {
			return err
		}
		e := audit.New(ctx, now, "membership.verify", audit.Success)
		e.ActorUser, e.ActorOrg, e.ObjectType, e.ObjectID = v.UserID, v.OrgID, "organisation", v.OrgID
		if err := record(ctx, tx, e, "e-mail address confirmed"); err != nil {
			return err
		}
		actor := identity.Principal{User: &identity.User{ID: v.UserID, OrgID: v.OrgID}}
		if _, err := s.maybeActivate(ctx, tx, actor, v.OrgID); err != nil {
			return err
		}
		org, err = tx.Organisation(ctx, v.OrgID)
		return err
	})
	if err != nil {
		return identity.Organisation{}, verbund.Errorf(op, err)
	}
	return org, nil
}

func hours(d time.Duration) string {
	if h := int(d.Hours()); h == 1 {
		return "1 hour"
	} else if h > 1 {
		return strconv.Itoa(h) + " hours"
	}
	return d.String()
}

// ResendVerification sends a new verification link to the address if it
// belongs to a registration's first user whose address is not confirmed
// yet. The caller shows the same answer whether or not it does, so that
// nobody learns which addresses are registered. More than a few requests
// for one address a day are a verbund.TooManyRequests error.
func (s *Service) ResendVerification(ctx context.Context, addr string) error {
	const op = "membership.ResendVerification"
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" {
		return verbund.InvalidFields(op, map[string]string{"email": "required"})
	}
	key := "verify-resend:" + addr
	n, err := s.store.CountLoginFailures(ctx, key, s.now().Add(-resendWindow))
	if err != nil {
		return err
	}
	if n >= resendLimit {
		return &verbund.Error{Op: op, Kind: verbund.TooManyRequests, Code: "resend-throttled",
			Msg: "too many links were asked for this address today; please try again tomorrow or ask the office"}
	}
	u, err := s.store.UserByEmail(ctx, addr)
	if err != nil && !verbund.IsKind(err, verbund.NotFound) {
		return err
	}
	send := false
	if err == nil {
		prof, err := s.store.Profile(ctx, u.OrgID)
		if err != nil && !verbund.IsKind(err, verbund.NotFound) {
			return err
		}
		send = err == nil && prof.RegisteredBy == u.ID && !prof.Verified()
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.RecordLoginFailure(ctx, key, s.now()); err != nil {
			return err
		}
		if !send {
			return nil
		}
		if err := s.sendVerification(ctx, tx, u); err != nil {
			return err
		}
		e := audit.New(ctx, s.now(), "membership.verify.resend", audit.Success)
		e.ActorOrg, e.ObjectType, e.ObjectID = u.OrgID, "user", u.ID
		return record(ctx, tx, e, "")
	})
}
