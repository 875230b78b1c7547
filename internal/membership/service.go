package membership

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
)

// TerminationHook runs inside the transaction that ends an organisation's
// membership, after its statuses, badges, sessions and tokens are gone. It
// is where other capabilities clean up what the organisation leaves behind:
// the reports feature pseudonymises the personal data of the reporters of
// orgID here. An error rolls the termination back.
type TerminationHook func(ctx context.Context, tx Tx, orgID string, at time.Time) error

// Config holds the membership service's settings. Zero values take the
// defaults of DefaultConfig.
type Config struct {
	Now func() time.Time
	// AllowedCountries are the ISO 3166-1 alpha-2 codes of the countries
	// whose organisations may register.
	AllowedCountries []string
	// Activation says when a registered organisation becomes active.
	Activation Activation
	// MailHeld keeps mail in the outbox for reading in the UI instead of
	// sending it (no SMTP configured, or demo mode).
	MailHeld bool
	// BaseURL is for links in e-mail, without trailing slash.
	BaseURL string
	// Text translates a message key for e-mail into lang.
	Text func(lang, key string, args ...any) string
	// Argon2 are the cost parameters for the first user's password.
	Argon2 identity.Argon2Params
	// VerifyTTL is how long an e-mail verification link is valid.
	VerifyTTL time.Duration
	// OnTermination run, in order, inside the transaction that ends a
	// membership.
	OnTermination []TerminationHook
}

// DefaultConfig returns the settings used when nothing else is configured.
func DefaultConfig() Config {
	return Config{
		Now:              time.Now,
		AllowedCountries: []string{"DE"},
		Activation:       ActivateImmediately,
		BaseURL:          "http://127.0.0.1:8080",
		Text:             func(lang, key string, args ...any) string { return key },
		Argon2:           identity.DefaultArgon2,
		VerifyTTL:        48 * time.Hour,
	}
}

// Validate reports the first problem with c, for the start-up check of the
// command that reads the configuration.
func (c Config) Validate() error {
	const op = "membership.Config"
	switch c.Activation {
	case "", ActivateImmediately, ActivateByOffice:
	default:
		return verbund.E(op, verbund.Invalid, `activation must be "immediate" or "office", not "`+string(c.Activation)+`"`)
	}
	for _, cc := range c.AllowedCountries {
		cc = strings.TrimSpace(cc)
		if len(cc) != 2 || strings.Trim(strings.ToUpper(cc), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return verbund.E(op, verbund.Invalid, "allowed countries must be two-letter codes (ISO 3166-1), not "+`"`+cc+`"`)
		}
	}
	if c.VerifyTTL < 0 {
		return verbund.E(op, verbund.Invalid, "the validity of verification links must be positive")
	}
	return nil
}

// Service runs the membership lifecycle. Every method checks itself that
// the principal may do what it asks.
type Service struct {
	store Store
	cfg   Config
}

// NewService returns a service on store with cfg, which should have passed
// Validate; an unknown activation mode acts as ActivateByOffice, the
// cautious choice.
func NewService(store Store, cfg Config) *Service {
	def := DefaultConfig()
	if cfg.Now == nil {
		cfg.Now = def.Now
	}
	if len(cfg.AllowedCountries) == 0 {
		cfg.AllowedCountries = def.AllowedCountries
	}
	cfg.AllowedCountries = slices.Clone(cfg.AllowedCountries)
	for i, c := range cfg.AllowedCountries {
		cfg.AllowedCountries[i] = strings.ToUpper(strings.TrimSpace(c))
	}
	if cfg.Activation == "" {
		cfg.Activation = def.Activation
	}
	if cfg.Text == nil {
		cfg.Text = def.Text
	}
	if cfg.Argon2.Memory == 0 {
		cfg.Argon2 = def.Argon2
	}
	if cfg.VerifyTTL == 0 {
		cfg.VerifyTTL = def.VerifyTTL
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = def.BaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Service{store: store, cfg: cfg}
}

// Config returns the settings of s.
func (s *Service) Config() Config { return s.cfg }

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// entry returns an audit entry of action by principal p about an object.
func (s *Service) entry(ctx context.Context, p identity.Principal, action string, outcome audit.Outcome, objType, objID string) audit.Entry {
	e := audit.New(ctx, s.now(), action, outcome)
	if p.User != nil {
		e.ActorUser = p.User.ID
		e.ActorOrg = p.User.OrgID
	}
	if p.Token != nil {
		e.ActorToken = p.Token.ID
		e.ActorOrg = p.Token.OrgID
	}
	if p.System {
		e.Reason = "by the installation (command line or demo seed)"
	}
	e.ObjectType, e.ObjectID = objType, objID
	return e
}

// record appends e in tx, with reason when one is given.
func record(ctx context.Context, tx Tx, e audit.Entry, reason string) error {
	if reason != "" {
		e.Reason = reason
	}
	_, err := tx.AppendAudit(ctx, e)
	return err
}

// denied records a refused attempt in a transaction of its own: the attempt
// changes nothing, but the office must be able to see it.
func (s *Service) denied(ctx context.Context, p identity.Principal, action, objType, objID, reason string) {
	e := s.entry(ctx, p, action, audit.Denied, objType, objID)
	e.Reason = reason
	s.recordAlone(ctx, e)
}

// recordAlone appends e in a transaction of its own, also when the request
// was cancelled; a failure to record is not the caller's problem.
func (s *Service) recordAlone(ctx context.Context, e audit.Entry) {
	ctx = context.WithoutCancel(ctx)
	_ = s.store.Update(ctx, func(tx Tx) error {
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
}

// message returns an outbox message to to with the subject and text of the
// message key in lang.
func (s *Service) message(to, lang, key string, args ...any) mail.Message {
	for i, a := range args {
		if k, ok := a.(textKey); ok {
			args[i] = s.cfg.Text(lang, string(k))
		}
	}
	return mail.NewMessage(identity.NewID(), to, s.cfg.Text(lang, key+".subject", args...), s.cfg.Text(lang, key+".body", args...),
		s.now(), s.cfg.MailHeld)
}

// textKey is a message argument that is itself a catalogue key, translated
// into the recipient's language: a status name, say.
type textKey string

// notify puts a message for the contact address of org into the outbox of
// tx, in the language the organisation registered in. Organisations without
// a contact address get none.
func (s *Service) notify(ctx context.Context, tx Tx, org identity.Organisation, key string, args ...any) error {
	if org.ContactEmail == "" {
		return nil
	}
	lang := ""
	if p, err := tx.Profile(ctx, org.ID); err == nil {
		lang = p.Lang
	} else if !verbund.IsKind(err, verbund.NotFound) {
		return err
	}
	return tx.EnqueueMail(ctx, s.message(org.ContactEmail, lang, key, args...))
}

// Who may do what. Office roles belong to users of the office only (the
// identity service sees to that), so a role check is an office check.

// isOffice reports whether p acts for the office with one of roles, or is
// the installation itself.
func isOffice(p identity.Principal, roles ...identity.Role) bool {
	if p.System {
		return true
	}
	return slices.ContainsFunc(roles, p.Has)
}

// isOrgAdmin reports whether p is a user administering organisation orgID.
func isOrgAdmin(p identity.Principal, orgID string) bool {
	return p.User != nil && orgID != "" && p.User.OrgID == orgID && p.Has(identity.RoleOrgAdmin)
}

// isOrgUser reports whether p is a user of organisation orgID.
func isOrgUser(p identity.Principal, orgID string) bool {
	return p.User != nil && orgID != "" && p.User.OrgID == orgID
}

// mayRead reports whether p may read the membership records of orgID: its
// users, its API tokens with the organisation:read scope, and the office.
func mayRead(p identity.Principal, orgID string) bool {
	switch {
	case isOrgUser(p, orgID):
		return true
	case p.Token != nil:
		return p.Token.OrgID == orgID && p.Token.Has(identity.ScopeOrgRead)
	}
	return p.System || (p.User != nil && p.User.HasOfficeRole())
}

// notFound is what a principal gets for another organisation's records:
// the same answer as for records that do not exist.
func notFound(op string) error { return verbund.E(op, verbund.NotFound, "not found") }

// conflict returns a Conflict error with a stable code.
func conflict(op, code, msg string) error {
	return &verbund.Error{Op: op, Kind: verbund.Conflict, Code: code, Msg: msg}
}

// forbidden returns a Forbidden error.
func forbidden(op, msg string) error { return verbund.E(op, verbund.Forbidden, msg) }

// memberOrg loads organisation id for an action on it; NotFound for the
// office itself, which is no member.
func (s *Service) memberOrg(ctx context.Context, r identity.Reader, op, id string) (identity.Organisation, error) {
	o, err := r.Organisation(ctx, id)
	if err != nil {
		return identity.Organisation{}, err
	}
	if o.Kind != identity.KindMember {
		return identity.Organisation{}, notFound(op)
	}
	return o, nil
}
