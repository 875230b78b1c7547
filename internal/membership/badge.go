package membership

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// SettingBadgeKey is the installation setting that holds the seed of the
// Ed25519 key badges are signed with, in standard base64. It is made once,
// on first use, and never changes: a new key would invalidate every badge.
const SettingBadgeKey = "membership.badge_key"

// badgeIDLen is the length of a badge id: 16 random bytes in lower-case
// base32 without padding.
const badgeIDLen = 26

var badgeEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newBadgeID returns a random, unguessable badge id.
func newBadgeID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return badgeEncoding.EncodeToString(b)
}

// ParseBadgeID reads a badge id as people and links carry it, in either
// case and with surrounding space, and returns it in its stored form; ok is
// false when s cannot be a badge id.
func ParseBadgeID(s string) (id string, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != badgeIDLen {
		return "", false
	}
	b, err := badgeEncoding.DecodeString(s)
	if err != nil || len(b) != 16 || badgeEncoding.EncodeToString(b) != s {
		return "", false
	}
	return s, true
}

// statement is what a badge's signature covers. The canonical form is this
// struct marshalled by encoding/json: the keys in this order, no spaces,
// times in RFC 3339 UTC to the second.
type statement struct {
	Badge        string `json:"badge"`
	Organisation string `json:"organisation"` // the organisation's id
	Status       Status `json:"status"`
	Since        string `json:"since"`
	Issued       string `json:"issued"`
}

// Statement returns the canonical JSON a badge signs:
// {"badge":…,"organisation":…,"status":…,"since":…,"issued":…}.
func Statement(badgeID, orgID string, st Status, since, issued time.Time) string {
	b, err := json.Marshal(statement{Badge: badgeID, Organisation: orgID, Status: st,
		Since: since.UTC().Format(time.RFC3339), Issued: issued.UTC().Format(time.RFC3339)})
	if err != nil {
		panic(err) // strings always marshal
	}
	return string(b)
}

// signingKey returns the badge key of the installation, making it in tx the
// first time.
func (s *Service) signingKey(ctx context.Context, tx Tx) (ed25519.PrivateKey, error) {
	v, err := tx.Setting(ctx, SettingBadgeKey)
	if err != nil {
		return nil, err
	}
	if v == "" {
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, err
		}
		if v, err = tx.EnsureSetting(ctx, SettingBadgeKey, base64.StdEncoding.EncodeToString(seed)); err != nil {
			return nil, err
		}
	}
	seed, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, verbund.Errorf("membership.signingKey", errors.New("the stored badge key is malformed"))
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// issueBadge makes, signs and stores a badge for the status in r.
func (s *Service) issueBadge(ctx context.Context, tx Tx, p identity.Principal, org identity.Organisation, r StatusRecord) (Badge, error) {
	key, err := s.signingKey(ctx, tx)
	if err != nil {
		return Badge{}, err
	}
	b := Badge{ID: newBadgeID(), OrgID: org.ID, OrgName: org.Name, Status: r.Status, Since: r.Since, IssuedAt: s.now()}
	b.Statement = Statement(b.ID, b.OrgID, b.Status, b.Since, b.IssuedAt)
	b.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte(b.Statement)))
	if err := tx.CreateBadge(ctx, b); err != nil {
		return Badge{}, err
	}
	return b, record(ctx, tx, s.entry(ctx, p, "badge.issue", audit.Success, "badge", b.ID), string(b.Status))
}

// revokeBadges revokes the badges of organisation orgID for status (all
// when ""), auditing it when there were any.
func (s *Service) revokeBadges(ctx context.Context, tx Tx, p identity.Principal, orgID string, status Status, reason string) error {
	n, err := tx.RevokeBadges(ctx, orgID, status, s.now(), reason)
	if err != nil || n == 0 {
		return err
	}
	return record(ctx, tx, s.entry(ctx, p, "badge.revoke", audit.Success, "organisation", orgID), reason)
}

// PublicKey is the key that verifies badges, in the forms the web layer
// publishes: the raw 32 bytes, their standard base64, and a PEM block of
// the PKIX (SubjectPublicKeyInfo) encoding.
type PublicKey struct {
	Raw    ed25519.PublicKey
	Base64 string
	PEM    string
}

// BadgePublicKey returns the public key of the installation's badge key,
// making the key the first time.
func (s *Service) BadgePublicKey(ctx context.Context) (PublicKey, error) {
	const op = "membership.BadgePublicKey"
	var key ed25519.PrivateKey
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		key, err = s.signingKey(ctx, tx)
		return err
	})
	if err != nil {
		return PublicKey{}, verbund.Errorf(op, err)
	}
	pub := key.Public().(ed25519.PublicKey)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return PublicKey{}, verbund.Errorf(op, err)
	}
	return PublicKey{Raw: pub, Base64: base64.StdEncoding.EncodeToString(pub),
		PEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}, nil
}

// BadgeCheck is the answer to "is this badge genuine?", for anyone.
type BadgeCheck struct {
	BadgeID   string
	OrgName   string
	Status    Status
	Since     time.Time
	IssuedAt  time.Time
	Valid     bool // signed by this installation, for what the row says, and not revoked
	Revoked   bool
	RevokedAt time.Time
	Statement string
	Signature string
}

// VerifyBadge checks badge id: that its statement is signed by the
// installation's key and states what the badge says, and whether it was
// revoked. An id that is not shaped like a badge id or is unknown is a
// verbund.NotFound error.
func (s *Service) VerifyBadge(ctx context.Context, id string) (BadgeCheck, error) {
	const op = "membership.VerifyBadge"
	id, ok := ParseBadgeID(id)
	if !ok {
		return BadgeCheck{}, verbund.E(op, verbund.NotFound, "there is no such badge")
	}
	b, err := s.store.Badge(ctx, id)
	if verbund.IsKind(err, verbund.NotFound) {
		return BadgeCheck{}, verbund.E(op, verbund.NotFound, "there is no such badge")
	}
	if err != nil {
		return BadgeCheck{}, err
	}
	// Read the key without a transaction: a badge exists, so the key does.
	v, err := s.store.Setting(ctx, SettingBadgeKey)
	if err != nil {
		return BadgeCheck{}, err
	}
	seed, errSeed := base64.StdEncoding.DecodeString(v)
	sig, errSig := base64.StdEncoding.DecodeString(b.Signature)
	genuine := errSeed == nil && errSig == nil && len(seed) == ed25519.SeedSize &&
		ed25519.Verify(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey), []byte(b.Statement), sig) &&
		b.Statement == Statement(b.ID, b.OrgID, b.Status, b.Since, b.IssuedAt)
	return BadgeCheck{
		BadgeID: b.ID, OrgName: b.OrgName, Status: b.Status, Since: b.Since, IssuedAt: b.IssuedAt,
		Valid: genuine && !b.Revoked(), Revoked: b.Revoked(), RevokedAt: b.RevokedAt,
		Statement: b.Statement, Signature: b.Signature,
	}, nil
}

// Badges lists the badges of organisation orgID, newest first, revoked ones
// too, for those who may read its records.
func (s *Service) Badges(ctx context.Context, p identity.Principal, orgID string) ([]Badge, error) {
	if !mayRead(p, orgID) {
		s.denied(ctx, p, "badge.list", "organisation", orgID, "not a user of the organisation")
		return nil, notFound("membership.Badges")
	}
	return s.store.ListBadges(ctx, orgID)
}
