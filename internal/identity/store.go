package identity

import (
	"context"
	"time"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/mail"
)

// OrgFilter narrows ListOrganisations. Zero fields do not filter.
type OrgFilter struct {
	Kind   OrgKind
	Status OrgStatus
	Sector string
}

// Reader is what the identity service reads outside a transaction.
//
// Every lookup of a single object returns a verbund.NotFound error when the
// object does not exist.
type Reader interface {
	Organisation(ctx context.Context, id string) (Organisation, error)
	ListOrganisations(ctx context.Context, f OrgFilter) ([]Organisation, error)
	User(ctx context.Context, id string) (User, error)
	// UserByEmail matches the address case-insensitively.
	UserByEmail(ctx context.Context, email string) (User, error)
	ListUsers(ctx context.Context, orgID string) ([]User, error)
	Session(ctx context.Context, id string) (Session, error)
	TokenByPrefix(ctx context.Context, prefix string) (Token, error)
	Token(ctx context.Context, id string) (Token, error)
	ListTokens(ctx context.Context, orgID string) ([]Token, error)
	// CountLoginFailures counts the failures recorded for key at or after since.
	CountLoginFailures(ctx context.Context, key string, since time.Time) (int, error)
	// Setting returns the value of an installation setting, or "" when unset.
	Setting(ctx context.Context, key string) (string, error)
}

// Tx is what the identity service changes atomically, together with the
// audit entries that record the change.
type Tx interface {
	Reader
	// CreateOrganisation stores o; a verbund.Conflict error when an
	// organisation with the same name and country exists.
	CreateOrganisation(ctx context.Context, o Organisation) error
	UpdateOrganisation(ctx context.Context, o Organisation) error
	// CreateUser stores u with its roles; a verbund.Conflict error when the
	// e-mail address is taken.
	CreateUser(ctx context.Context, u User) error
	// UpdateUser replaces name, language, password hash, roles, TOTP fields
	// and the disabled flag of u.
	UpdateUser(ctx context.Context, u User) error

	CreateSession(ctx context.Context, s Session) error
	// TouchSession sets the last-seen time of session id.
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions ends every session of user id; it returns how many.
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
	// DeleteExpiredSessions removes sessions whose absolute end is before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)

	CreateToken(ctx context.Context, t Token) error
	// RevokeToken sets the revocation time of token id if it is not revoked.
	RevokeToken(ctx context.Context, id string, at time.Time) error
	// RevokeOrgTokens revokes every active token of an organisation.
	RevokeOrgTokens(ctx context.Context, orgID string, at time.Time) (int, error)
	TouchToken(ctx context.Context, id string, at time.Time) error

	// ReplaceRecoveryCodes stores the SHA-256 hashes of a user's recovery
	// codes, removing any earlier ones.
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error
	// UseRecoveryCode marks the code with hash as used; false when no unused
	// code of the user has that hash.
	UseRecoveryCode(ctx context.Context, userID string, hash []byte, at time.Time) (bool, error)
	// CountRecoveryCodes counts a user's unused recovery codes.
	CountRecoveryCodes(ctx context.Context, userID string) (int, error)

	// UseTOTPStep records that the user used the TOTP code of time step
	// step; false when that step or a later one was used already.
	UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error)

	// CreateResetToken stores a password-reset token by the hash of its secret.
	CreateResetToken(ctx context.Context, hash []byte, userID string, expires time.Time) error
	// ConsumeResetToken marks the token used and returns its user; a
	// verbund.NotFound error when it is unknown, used or expired at now.
	ConsumeResetToken(ctx context.Context, hash []byte, now time.Time) (string, error)

	RecordLoginFailure(ctx context.Context, key string, at time.Time) error
	ClearLoginFailures(ctx context.Context, key string) error

	SetSetting(ctx context.Context, key, value string) error

	// EnqueueMail stores m in the outbox; it is sent after the commit.
	EnqueueMail(ctx context.Context, m mail.Message) error

	// AppendAudit adds e to the hash-chained audit log in this transaction.
	AppendAudit(ctx context.Context, e audit.Entry) (audit.Entry, error)
}

// Store is the storage the identity service needs.
type Store interface {
	Reader
	// Update runs fn in one transaction: all of its changes and audit
	// entries are stored, or none.
	Update(ctx context.Context, fn func(Tx) error) error
}
