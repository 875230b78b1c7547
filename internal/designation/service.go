package designation

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// Config holds the designation service's settings. Zero values take the
// defaults of DefaultConfig.
type Config struct {
	Now func() time.Time
	// MaxEvidenceBytes is the largest evidence file whose content is
	// stored; a larger one is refused (give a reference instead).
	MaxEvidenceBytes int
	// KeepLapsed is how long after it ended or was revoked a designation is
	// still returned by DesignationsOf, so that the policy can say "expired"
	// or "revoked" rather than "no designation".
	KeepLapsed time.Duration
}

// DefaultConfig returns the settings used when nothing else is configured.
func DefaultConfig() Config {
	return Config{Now: time.Now, MaxEvidenceBytes: 10 << 20, KeepLapsed: 90 * 24 * time.Hour}
}

// Service runs assessments, designations and circles.
type Service struct {
	store Store
	cfg   Config
}

// NewService returns a service on store with cfg.
func NewService(store Store, cfg Config) *Service {
	def := DefaultConfig()
	if cfg.Now == nil {
		cfg.Now = def.Now
	}
	if cfg.MaxEvidenceBytes <= 0 {
		cfg.MaxEvidenceBytes = def.MaxEvidenceBytes
	}
	if cfg.KeepLapsed <= 0 {
		cfg.KeepLapsed = def.KeepLapsed
	}
	return &Service{store: store, cfg: cfg}
}

// now returns the current time as the store keeps it: UTC, microseconds.
func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// mayAssess reports whether p may run assessments and designations: the
// installation itself, assessors and office administrators. Office roles
// are held only by users of the office.
func mayAssess(p identity.Principal) bool {
	return p.System || p.Has(identity.RoleAssessor) || p.Has(identity.RoleOfficeAdmin)
}

// isOffice reports whether p acts for the office that runs the alliance.
func isOffice(p identity.Principal) bool {
	return p.Org != nil && p.Org.Kind == identity.KindOffice
}

// userID returns the id of the user behind p, or "".
func userID(p identity.Principal) string {
	if p.User != nil {
		return p.User.ID
	}
	return ""
}

// entry returns an audit entry of action on an object by p.
func (s *Service) entry(ctx context.Context, p identity.Principal, action, objType, objID string, outcome audit.Outcome) audit.Entry {
	e := audit.New(ctx, s.now(), action, outcome)
	e.ActorUser = userID(p)
	if p.Token != nil {
		e.ActorToken = p.Token.ID
	}
	e.ActorOrg = p.OrgID()
	e.ObjectType, e.ObjectID = objType, objID
	if p.System {
		e.Reason = "by the installation (command line or demo seed)"
	}
	return e
}

// record appends a success entry in tx; reason is added to what entry set.
func (s *Service) record(ctx context.Context, tx Tx, p identity.Principal, action, objType, objID, reason string) error {
	e := s.entry(ctx, p, action, objType, objID, audit.Success)
	e.Reason = joinReason(e.Reason, reason)
	_, err := tx.AppendAudit(ctx, e)
	return err
}

func joinReason(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return b + "; " + a
}

// denied records a refused attempt in a transaction of its own (the
// attempt changes nothing else) and returns a Forbidden error of op.
func (s *Service) denied(ctx context.Context, p identity.Principal, op, action, objType, objID, msg string) error {
	e := s.entry(ctx, p, action, objType, objID, audit.Denied)
	e.Reason = joinReason(e.Reason, msg)
	_ = s.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
	return verbund.E(op, verbund.Forbidden, msg)
}

// text trims s and records a problem in f under field when it is empty
// (and required) or longer than max characters.
func text(f map[string]string, field string, s *string, required bool, max int) {
	*s = strings.TrimSpace(*s)
	switch n := utf8.RuneCountInString(*s); {
	case n == 0 && required:
		f[field] = "required"
	case n > max:
		f[field] = "at most " + strconv.Itoa(max) + " characters"
	case !utf8.ValidString(*s):
		f[field] = "not valid text"
	}
}

// invalid returns an Invalid error of op with the problems f and a code, or
// nil when f is empty.
func invalid(op, code string, f map[string]string) error {
	if len(f) == 0 {
		return nil
	}
	e := verbund.InvalidFields(op, f)
	e.Code = code
	return e
}

// conflict returns a Conflict error of op with a code.
func conflict(op, code, msg string) *verbund.Error {
	return &verbund.Error{Op: op, Kind: verbund.Conflict, Code: code, Msg: msg}
}
