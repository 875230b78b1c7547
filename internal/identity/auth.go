package identity

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
)

// errReplayed marks a TOTP code whose time step was used before.
var errReplayed = errors.New("totp code replayed")

// msgBadCredentials is what a wrong password and an unknown account both get:
// the answer must not tell which.
const msgBadCredentials = "the e-mail address or the password is wrong"

// LoginResult is a new session. Secret goes into the cookie and is not
// stored; NeedSecondFactor tells the transport to ask for the TOTP code
// before anything else.
type LoginResult struct {
	Secret           string
	Session          Session
	User             User
	NeedSecondFactor bool
}

func accountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }
func addressKey(ip string) string    { return "address:" + ip }

// throttled reports whether key has reached limit failures in the window.
func (s *Service) throttled(ctx context.Context, key string, limit int) (bool, error) {
	n, err := s.store.CountLoginFailures(ctx, key, s.now().Add(-s.cfg.ThrottleWindow))
	return n >= limit, err
}

// checkThrottle refuses when the account of email (unless email is "") or
// the client's address has failed too often.
func (s *Service) checkThrottle(ctx context.Context, op, email string) error {
	ip := audit.RequestFrom(ctx).IP
	for _, c := range []struct {
		key   string
		limit int
	}{{accountKey(email), s.cfg.AccountFailures}, {addressKey(ip), s.cfg.IPFailures}} {
		if c.key == addressKey("") || c.key == accountKey("") {
			continue
		}
		t, err := s.throttled(ctx, c.key, c.limit)
		if err != nil {
			return err
		}
		if t {
			e := audit.New(ctx, s.now(), "auth.login", audit.Denied)
			e.ObjectType, e.Reason = "account", "too many failed attempts ("+strings.SplitN(c.key, ":", 2)[0]+")"
			s.recordFailure(ctx, e)
			return &verbund.Error{Op: op, Kind: verbund.TooManyRequests, Code: "login-throttled",
				Msg: "too many failed attempts: wait a quarter of an hour and try again, or reset your password"}
		}
	}
	return nil
}

// Login checks an e-mail address and password and opens a session. The
// session is always new (rotation at login); the one the browser had before,
// if any, should be ended by the caller with Logout.
func (s *Service) Login(ctx context.Context, email, password string) (LoginResult, error) {
	const op = "identity.Login"
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || password == "" {
		fields := map[string]string{}
		if email == "" {
			fields["email"] = "required"
		}
		if password == "" {
			fields["password"] = "required"
		}
		return LoginResult{}, verbund.InvalidFields(op, fields)
	}
	if len(password) > MaxPasswordLen {
		return LoginResult{}, &verbund.Error{Op: op, Kind: verbund.Unauthenticated, Code: "bad-credentials", Msg: msgBadCredentials}
	}
	if err := s.checkThrottle(ctx, op, email); err != nil {
		return LoginResult{}, err
	}
	ip := audit.RequestFrom(ctx).IP
	keys := []string{accountKey(email)}
	if ip != "" {
		keys = append(keys, addressKey(ip))
	}
	fail := func(u *User, reason string) error {
		e := audit.New(ctx, s.now(), "auth.login", audit.Failure)
		e.ObjectType, e.Reason = "user", reason
		if u != nil {
			e.ObjectID, e.ActorOrg = u.ID, u.OrgID
		}
		s.recordFailure(ctx, e, keys...)
		return &verbund.Error{Op: op, Kind: verbund.Unauthenticated, Code: "bad-credentials", Msg: msgBadCredentials}
	}
	u, err := s.store.UserByEmail(ctx, email)
	if verbund.IsKind(err, verbund.NotFound) {
		_, _ = VerifyPassword(password, s.dummy)
		return LoginResult{}, fail(nil, "unknown account")
	}
	if err != nil {
		return LoginResult{}, err
	}
	ok, err := VerifyPassword(password, u.PasswordHash)
	if err != nil || !ok {
		return LoginResult{}, fail(&u, "wrong password")
	}
	if u.Disabled {
		_ = fail(&u, "account disabled")
		return LoginResult{}, &verbund.Error{Op: op, Kind: verbund.Forbidden, Code: "account-disabled",
			Msg: "this account is disabled; ask your organisation's administrator"}
	}
	org, err := s.store.Organisation(ctx, u.OrgID)
	if err != nil {
		return LoginResult{}, err
	}
	if org.Status == StatusTerminated {
		_ = fail(&u, "organisation terminated")
		return LoginResult{}, &verbund.Error{Op: op, Kind: verbund.Forbidden, Code: "org-terminated",
			Msg: "the membership of your organisation has ended; accounts can no longer log in"}
	}
	secret := randomSecret(32)
	now := s.now()
	sess := Session{
		ID:         SessionID(secret),
		UserID:     u.ID,
		CSRFToken:  randomSecret(32),
		MFAPassed:  !u.TOTPEnabled,
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(s.cfg.SessionAbsolute),
		IP:         ip,
		UserAgent:  truncate(audit.RequestFrom(ctx).UserAgent, 200),
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.ClearLoginFailures(ctx, accountKey(email)); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		e := s.entry(ctx, Principal{User: &u, Org: &org}, "auth.login", audit.Success)
		e.ObjectType, e.ObjectID = "user", u.ID
		if u.TOTPEnabled {
			e.Action, e.Reason = "auth.password", "password accepted; second factor pending"
		}
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
	if err != nil {
		return LoginResult{}, verbund.Errorf(op, err)
	}
	return LoginResult{Secret: secret, Session: sess, User: u, NeedSecondFactor: u.TOTPEnabled}, nil
}

// SecondFactor completes a login that is waiting for its second factor with a
// TOTP code or a recovery code. On success the session is replaced by a new
// one (new secret) that has passed; the old secret stops working.
func (s *Service) SecondFactor(ctx context.Context, secret, code string) (LoginResult, error) {
	const op = "identity.SecondFactor"
	sess, u, err := s.liveSession(ctx, secret)
	if err != nil {
		return LoginResult{}, err
	}
	if sess.MFAPassed {
		return LoginResult{}, verbund.E(op, verbund.Conflict, "the second factor was already given for this session")
	}
	if err := s.checkThrottle(ctx, op, u.Email); err != nil {
		return LoginResult{}, err
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return LoginResult{}, verbund.InvalidFields(op, map[string]string{"code": "required"})
	}
	fail := func(reason, msg string) error {
		e := s.entry(ctx, Principal{User: &u}, "auth.second_factor", audit.Failure)
		e.ActorOrg, e.ObjectType, e.ObjectID, e.Reason = u.OrgID, "user", u.ID, reason
		keys := []string{accountKey(u.Email)}
		if ip := audit.RequestFrom(ctx).IP; ip != "" {
			keys = append(keys, addressKey(ip))
		}
		s.recordFailure(ctx, e, keys...)
		return &verbund.Error{Op: op, Kind: verbund.Unauthenticated, Code: "bad-code", Msg: msg,
			Fields: map[string]string{"code": "wrong or expired"}}
	}
	step, totpOK := matchTOTP(u.TOTPSecret, trimCode(code), s.now())
	usedRecovery := false
	if !totpOK {
		var ok bool
		err := s.store.Update(ctx, func(tx Tx) error {
			var err error
			ok, err = tx.UseRecoveryCode(ctx, u.ID, sha(normaliseRecoveryCode(code)), s.now())
			return err
		})
		if err != nil {
			return LoginResult{}, err
		}
		if !ok {
			return LoginResult{}, fail("wrong code", "the code is wrong or has expired; use the current code from your app or a recovery code")
		}
		usedRecovery = true
	}
	newSecret := randomSecret(32)
	now := s.now()
	next := sess
	next.ID = SessionID(newSecret)
	next.MFAPassed = true
	next.CSRFToken = randomSecret(32)
	next.LastSeenAt = now
	org, err := s.store.Organisation(ctx, u.OrgID)
	if err != nil {
		return LoginResult{}, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if totpOK {
			fresh, err := tx.UseTOTPStep(ctx, u.ID, step)
			if err != nil {
				return err
			}
			if !fresh {
				return errReplayed
			}
		}
		if err := tx.DeleteSession(ctx, sess.ID); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, next); err != nil {
			return err
		}
		if err := tx.ClearLoginFailures(ctx, accountKey(u.Email)); err != nil {
			return err
		}
		e := s.entry(ctx, Principal{User: &u, Org: &org}, "auth.login", audit.Success)
		e.ObjectType, e.ObjectID, e.Reason = "user", u.ID, "with authenticator code"
		if usedRecovery {
			e.Reason = "with a recovery code"
		}
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
	if errors.Is(err, errReplayed) {
		return LoginResult{}, fail("code used before", "this code was used already; wait for the next code of your app")
	}
	if err != nil {
		return LoginResult{}, verbund.Errorf(op, err)
	}
	return LoginResult{Secret: newSecret, Session: next, User: u}, nil
}

// liveSession returns the session behind secret and its user, if the session
// has neither expired nor idled out and the user may still log in.
func (s *Service) liveSession(ctx context.Context, secret string) (Session, User, error) {
	const op = "identity.Session"
	expired := &verbund.Error{Op: op, Kind: verbund.Unauthenticated, Code: "session-expired",
		Msg: "your session has ended; please log in again"}
	if secret == "" || len(secret) > 100 {
		return Session{}, User{}, expired
	}
	sess, err := s.store.Session(ctx, SessionID(secret))
	if verbund.IsKind(err, verbund.NotFound) {
		return Session{}, User{}, expired
	}
	if err != nil {
		return Session{}, User{}, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.cfg.SessionIdle {
		_ = s.store.Update(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, sess.ID) })
		return Session{}, User{}, expired
	}
	u, err := s.store.User(ctx, sess.UserID)
	if err != nil {
		return Session{}, User{}, err
	}
	if u.Disabled {
		return Session{}, User{}, expired
	}
	return sess, u, nil
}

// Authenticate returns the principal of a session cookie secret. A session
// still waiting for its second factor is returned with MFAPassed false: the
// transport lets it reach only the second-factor page. The last-seen time is
// written at most once a minute.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	sess, u, err := s.liveSession(ctx, secret)
	if err != nil {
		return Principal{}, err
	}
	org, err := s.store.Organisation(ctx, u.OrgID)
	if err != nil {
		return Principal{}, err
	}
	if org.Status == StatusTerminated {
		return Principal{}, &verbund.Error{Op: "identity.Authenticate", Kind: verbund.Unauthenticated, Code: "org-terminated",
			Msg: "the membership of your organisation has ended"}
	}
	now := s.now()
	if now.Sub(sess.LastSeenAt) > time.Minute {
		sess.LastSeenAt = now
		_ = s.store.Update(ctx, func(tx Tx) error { return tx.TouchSession(ctx, sess.ID, now) })
	}
	return Principal{User: &u, Org: &org, Session: &sess}, nil
}

// Logout ends the session behind secret. Ending a session that is already
// gone is not an error.
func (s *Service) Logout(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	p, err := s.Authenticate(ctx, secret)
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteSession(ctx, SessionID(secret)); err != nil && !verbund.IsKind(err, verbund.NotFound) {
			return err
		}
		if err != nil || p.User == nil {
			return nil
		}
		e := s.entry(ctx, p, "auth.logout", audit.Success)
		e.ObjectType, e.ObjectID = "user", p.User.ID
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

// AuthenticateToken returns the principal of an API token string. Every way
// a token can be unusable gets its own clear message; none reveals whether
// another organisation's token exists.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (Principal, error) {
	const op = "identity.AuthenticateToken"
	bad := func(code, msg string) error {
		return &verbund.Error{Op: op, Kind: verbund.Unauthenticated, Code: code, Msg: msg}
	}
	prefix, ok := ParseToken(token)
	if !ok {
		return Principal{}, bad("token-malformed", "the API token is malformed: it must look like vbd_xxxxxxxxxx_…")
	}
	t, err := s.store.TokenByPrefix(ctx, prefix)
	if verbund.IsKind(err, verbund.NotFound) {
		return Principal{}, bad("token-unknown", "the API token is not known")
	}
	if err != nil {
		return Principal{}, err
	}
	if subtle.ConstantTimeCompare(sha(token), t.Hash) != 1 {
		return Principal{}, bad("token-unknown", "the API token is not known")
	}
	now := s.now()
	switch {
	case !t.RevokedAt.IsZero():
		return Principal{}, bad("token-revoked", "the API token was revoked")
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return Principal{}, bad("token-expired", "the API token has expired")
	}
	org, err := s.store.Organisation(ctx, t.OrgID)
	if err != nil {
		return Principal{}, err
	}
	if org.Status == StatusTerminated {
		return Principal{}, bad("org-terminated", "the membership of the token's organisation has ended")
	}
	if now.Sub(t.LastUsedAt) > time.Minute {
		t.LastUsedAt = now
		_ = s.store.Update(ctx, func(tx Tx) error { return tx.TouchToken(ctx, t.ID, now) })
	}
	return Principal{Token: &t, Org: &org}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
