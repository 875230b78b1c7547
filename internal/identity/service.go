package identity

import (
	"context"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/mail"
)

// Config holds the identity service's settings. Zero durations take the
// defaults of DefaultConfig.
type Config struct {
	Now             func() time.Time
	Argon2          Argon2Params
	SessionIdle     time.Duration // a session unused this long ends
	SessionAbsolute time.Duration // a session ends this long after login, whatever the activity
	// Login throttling: at most AccountFailures failed logins for one
	// account and IPFailures from one address within ThrottleWindow.
	AccountFailures int
	IPFailures      int
	ThrottleWindow  time.Duration
	ResetTTL        time.Duration // validity of a password-reset link
	Issuer          string        // shown in authenticator apps
	BaseURL         string        // for links in e-mail, without trailing slash
	// MailHeld keeps mail in the outbox for reading in the UI instead of
	// sending it (no SMTP configured, or demo mode).
	MailHeld bool
	// Text translates a message key for e-mail into lang.
	Text func(lang, key string, args ...any) string
}

// DefaultConfig returns the settings used when nothing else is configured.
func DefaultConfig() Config {
	return Config{
		Now:             time.Now,
		Argon2:          DefaultArgon2,
		SessionIdle:     2 * time.Hour,
		SessionAbsolute: 12 * time.Hour,
		AccountFailures: 5,
		IPFailures:      30,
		ThrottleWindow:  15 * time.Minute,
		ResetTTL:        time.Hour,
		Issuer:          "Verbund",
		BaseURL:         "http://127.0.0.1:8080",
		Text:            func(lang, key string, args ...any) string { return key },
	}
}

// SettingRequire2FA is the installation setting that makes a second factor
// mandatory for every user ("true" or "false").
const SettingRequire2FA = "security.require_2fa"

// Service authenticates users and tokens and manages their lifecycle.
type Service struct {
	store Store
	cfg   Config
	dummy string // a hash to verify against for unknown users, so timing does not tell
}

// NewService returns a service on store with cfg.
func NewService(store Store, cfg Config) *Service {
	def := DefaultConfig()
	if cfg.Now == nil {
		cfg.Now = def.Now
	}
	if cfg.Argon2.Memory == 0 {
		cfg.Argon2 = def.Argon2
	}
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = def.SessionIdle
	}
	if cfg.SessionAbsolute == 0 {
		cfg.SessionAbsolute = def.SessionAbsolute
	}
	if cfg.AccountFailures == 0 {
		cfg.AccountFailures = def.AccountFailures
	}
	if cfg.IPFailures == 0 {
		cfg.IPFailures = def.IPFailures
	}
	if cfg.ThrottleWindow == 0 {
		cfg.ThrottleWindow = def.ThrottleWindow
	}
	if cfg.ResetTTL == 0 {
		cfg.ResetTTL = def.ResetTTL
	}
	if cfg.Issuer == "" {
		cfg.Issuer = def.Issuer
	}
	if cfg.Text == nil {
		cfg.Text = def.Text
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	dummy, err := HashPassword("not a password of anybody", cfg.Argon2)
	if err != nil {
		panic(err)
	}
	return &Service{store: store, cfg: cfg, dummy: dummy}
}

// Config returns the settings of s.
func (s *Service) Config() Config { return s.cfg }

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// entry returns an audit entry of action by principal p.
func (s *Service) entry(ctx context.Context, p Principal, action string, outcome audit.Outcome) audit.Entry {
	e := audit.New(ctx, s.now(), action, outcome)
	if p.User != nil {
		e.ActorUser = p.User.ID
	}
	if p.Token != nil {
		e.ActorToken = p.Token.ID
	}
	e.ActorOrg = p.OrgID()
	if p.System {
		e.Reason = "by the installation (command line or demo seed)"
	}
	return e
}

// recordFailure writes an audit entry in a transaction of its own: a denied
// or failed attempt must be recorded although the action itself changes
// nothing.
func (s *Service) recordFailure(ctx context.Context, e audit.Entry, throttleKeys ...string) {
	_ = s.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		for _, k := range throttleKeys {
			if err := tx.RecordLoginFailure(ctx, k, e.At); err != nil {
				return err
			}
		}
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

// Require2FA reports whether the installation requires a second factor.
func (s *Service) Require2FA(ctx context.Context) (bool, error) {
	v, err := s.store.Setting(ctx, SettingRequire2FA)
	return v == "true", err
}

// SetRequire2FA switches the second-factor requirement; office admins only.
func (s *Service) SetRequire2FA(ctx context.Context, p Principal, on bool) error {
	const op = "identity.SetRequire2FA"
	if !p.Has(RoleOfficeAdmin) {
		return verbund.E(op, verbund.Forbidden, "only an office administrator may change security settings")
	}
	return s.store.Update(ctx, func(tx Tx) error {
		v := "false"
		if on {
			v = "true"
		}
		if err := tx.SetSetting(ctx, SettingRequire2FA, v); err != nil {
			return err
		}
		e := s.entry(ctx, p, "settings.require_2fa", audit.Success)
		e.ObjectType, e.ObjectID, e.Reason = "setting", SettingRequire2FA, "set to "+v
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

// Principal loads the user, its organisation and nothing else into a
// Principal, for callers that already hold a user id (tests, commands).
func (s *Service) Principal(ctx context.Context, userID string) (Principal, error) {
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return Principal{}, err
	}
	o, err := s.store.Organisation(ctx, u.OrgID)
	if err != nil {
		return Principal{}, err
	}
	return Principal{User: &u, Org: &o}, nil
}

// enqueue stores a mail message addressed to to, with the subject and text
// of the message key in lang.
func (s *Service) mailMessage(to, lang, key string, args ...any) mail.Message {
	return mail.NewMessage(NewID(), to, s.cfg.Text(lang, key+".subject", args...), s.cfg.Text(lang, key+".body", args...),
		s.now(), s.cfg.MailHeld)
}

// Record appends one audit entry in a transaction of its own, for events
// that change nothing else (a refused request, a denied read).
func (s *Service) Record(ctx context.Context, e audit.Entry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	return s.store.Update(ctx, func(tx Tx) error {
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

// EnsureSecret returns the installation secret stored under key, making a
// random 32-byte one the first time.
func (s *Service) EnsureSecret(ctx context.Context, key string) (string, error) {
	var v string
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if v, err = tx.Setting(ctx, key); err != nil || v != "" {
			return err
		}
		v = randomSecret(32)
		return tx.SetSetting(ctx, key, v)
	})
	if err != nil {
		return "", err
	}
	// Read back what was committed: when several nodes start at once, all
	// use the value that won.
	return s.store.Setting(ctx, key)
}

// SweepSessions removes sessions past their absolute end.
func (s *Service) SweepSessions(ctx context.Context) (int, error) {
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		n, err = tx.DeleteExpiredSessions(ctx, s.now())
		return err
	})
	return n, err
}
