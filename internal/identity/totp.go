package identity

import (
	"bytes"
	"context"
	"crypto/subtle"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
)

// RecoveryCodeCount is how many recovery codes a user gets at enrolment.
const RecoveryCodeCount = 10

// matchTOTP checks a 6-digit code against the steps around at (one step of
// clock skew either way) and returns the time step it belongs to.
func matchTOTP(secret, code string, at time.Time) (int64, bool) {
	if secret == "" || len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	now := at.Unix() / 30
	for _, step := range []int64{now, now - 1, now + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0), opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// Enrolment is what a user needs to add Verbund to an authenticator app.
type Enrolment struct {
	Secret string // base32, for typing in by hand
	URI    string // otpauth:// URI
	QRPNG  []byte // the URI as a QR code
}

// BeginTOTP generates a new secret for u and stores it, not yet enabled. A
// user who has a second factor already must disable it first.
func (s *Service) BeginTOTP(ctx context.Context, p Principal) (Enrolment, error) {
	const op = "identity.BeginTOTP"
	if p.User == nil {
		return Enrolment{}, verbund.E(op, verbund.Unauthenticated, "log in first")
	}
	u, err := s.store.User(ctx, p.User.ID)
	if err != nil {
		return Enrolment{}, err
	}
	if u.TOTPEnabled {
		return Enrolment{}, verbund.E(op, verbund.Conflict, "a second factor is already set up; remove it before setting up a new one")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.cfg.Issuer, AccountName: u.Email, Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, verbund.Errorf(op, err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, verbund.Errorf(op, err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, verbund.Errorf(op, err)
	}
	u.TOTPSecret = key.Secret()
	u.UpdatedAt = s.now()
	if err := s.store.Update(ctx, func(tx Tx) error { return tx.UpdateUser(ctx, u) }); err != nil {
		return Enrolment{}, verbund.Errorf(op, err)
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL(), QRPNG: buf.Bytes()}, nil
}

// PendingTOTP returns the enrolment of a user who has begun but not confirmed
// it, so the page can be shown again after a wrong code.
func (s *Service) PendingTOTP(ctx context.Context, p Principal) (Enrolment, bool, error) {
	if p.User == nil {
		return Enrolment{}, false, nil
	}
	u, err := s.store.User(ctx, p.User.ID)
	if err != nil || u.TOTPEnabled || u.TOTPSecret == "" {
		return Enrolment{}, false, err
	}
	key, err := otp.NewKeyFromURL("otpauth://totp/" + s.cfg.Issuer + ":" + u.Email + "?secret=" + u.TOTPSecret + "&issuer=" + s.cfg.Issuer)
	if err != nil {
		return Enrolment{}, false, nil
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, false, verbund.Errorf("identity.PendingTOTP", err)
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return Enrolment{Secret: u.TOTPSecret, URI: key.URL(), QRPNG: buf.Bytes()}, true, nil
}

// ConfirmTOTP enables the second factor when code matches the pending
// secret, and returns new recovery codes, shown once.
func (s *Service) ConfirmTOTP(ctx context.Context, p Principal, code string) ([]string, error) {
	const op = "identity.ConfirmTOTP"
	if p.User == nil {
		return nil, verbund.E(op, verbund.Unauthenticated, "log in first")
	}
	u, err := s.store.User(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	switch {
	case u.TOTPEnabled:
		return nil, verbund.E(op, verbund.Conflict, "the second factor is already set up")
	case u.TOTPSecret == "":
		return nil, verbund.E(op, verbund.Conflict, "start the set-up first")
	}
	step, ok := matchTOTP(u.TOTPSecret, trimCode(code), s.now())
	if !ok {
		return nil, &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "bad-code",
			Msg:    "the code does not match: check that your device's clock is right and enter the current code",
			Fields: map[string]string{"code": "wrong or expired"}}
	}
	u.TOTPEnabled = true
	u.UpdatedAt = s.now()
	codes := make([]string, RecoveryCodeCount)
	hashes := make([][]byte, RecoveryCodeCount)
	for i := range codes {
		codes[i] = recoveryCode()
		hashes[i] = sha(normaliseRecoveryCode(codes[i]))
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if _, err := tx.UseTOTPStep(ctx, u.ID, step); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		e := s.entry(ctx, p, "auth.totp.enable", audit.Success)
		e.ObjectType, e.ObjectID = "user", u.ID
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
	if err != nil {
		return nil, verbund.Errorf(op, err)
	}
	return codes, nil
}

// DisableTOTP removes the second factor of the principal's own account after
// checking the password again.
func (s *Service) DisableTOTP(ctx context.Context, p Principal, password string) error {
	const op = "identity.DisableTOTP"
	if p.User == nil {
		return verbund.E(op, verbund.Unauthenticated, "log in first")
	}
	u, err := s.store.User(ctx, p.User.ID)
	if err != nil {
		return err
	}
	if ok, _ := VerifyPassword(password, u.PasswordHash); !ok {
		return &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "bad-password", Msg: "the password is wrong",
			Fields: map[string]string{"password": "wrong"}}
	}
	if req, err := s.Require2FA(ctx); err != nil {
		return err
	} else if req && u.TOTPEnabled {
		return verbund.E(op, verbund.Forbidden, "the office requires a second factor; you can replace it, but not remove it")
	}
	u.TOTPEnabled, u.TOTPSecret, u.UpdatedAt = false, "", s.now()
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, nil); err != nil {
			return err
		}
		e := s.entry(ctx, p, "auth.totp.disable", audit.Success)
		e.ObjectType, e.ObjectID = "user", u.ID
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

// RecoveryCodesLeft returns how many unused recovery codes the user has.
func (s *Service) RecoveryCodesLeft(ctx context.Context, p Principal) (int, error) {
	if p.User == nil {
		return 0, nil
	}
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		n, err = tx.CountRecoveryCodes(ctx, p.User.ID)
		return err
	})
	return n, err
}

func trimCode(s string) string {
	out := make([]byte, 0, 6)
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '-' {
			out = append(out, s[i])
		}
	}
	return string(out)
}
