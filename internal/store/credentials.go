package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
)

// This file holds what proves who a caller is: sessions, API tokens, recovery
// codes and password-reset tokens. Secrets are never stored, only their
// SHA-256, which the identity service computes.

// Sessions.

const sessionSelect = `SELECT id, user_id, csrf_token, mfa_passed, created_at, last_seen_at,
	expires_at, ip, user_agent FROM sessions`

// Session returns the session with id (the hash of its secret); NotFound
// when there is none. Expired sessions are returned too: the caller decides.
func (q *Queries) Session(ctx context.Context, id string) (identity.Session, error) {
	const op = "store.Session"
	var (
		s                          identity.Session
		created, lastSeen, expires int64
	)
	err := q.q.QueryRowContext(ctx, sessionSelect+` WHERE id = $1`, id).Scan(&s.ID, &s.UserID,
		&s.CSRFToken, &s.MFAPassed, &created, &lastSeen, &expires, &s.IP, &s.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return identity.Session{}, notFound(op, "the session")
	}
	if err != nil {
		return identity.Session{}, mapErr(op, err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMicros(created), fromMicros(lastSeen), fromMicros(expires)
	return s, nil
}

// CreateSession stores s, which must have an absolute end.
func (q *Queries) CreateSession(ctx context.Context, s identity.Session) error {
	const op = "store.CreateSession"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "expires_at", s.ExpiresAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO sessions (id, user_id, csrf_token, mfa_passed,
		created_at, last_seen_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, s.UserID, s.CSRFToken, s.MFAPassed, micros(s.CreatedAt), micros(s.LastSeenAt),
		micros(s.ExpiresAt), s.IP, s.UserAgent)
	return mapErr(op, err)
}

// TouchSession sets the last-seen time of session id to at, unless it is
// later already (requests finish out of order); NotFound when the session
// does not exist.
func (q *Queries) TouchSession(ctx context.Context, id string, at time.Time) error {
	const op = "store.TouchSession"
	if err := q.writable(op); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE sessions SET last_seen_at =
		CASE WHEN last_seen_at < $2 THEN $2 ELSE last_seen_at END WHERE id = $1`, id, micros(at))
	n, err := rowsAffected(op, res, err)
	if err == nil && n == 0 {
		return notFound(op, "the session")
	}
	return err
}

// DeleteSession ends session id. Ending a session that does not exist is
// not an error: logging out twice leaves the same state.
func (q *Queries) DeleteSession(ctx context.Context, id string) error {
	const op = "store.DeleteSession"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return mapErr(op, err)
}

// DeleteUserSessions ends every session of user userID and returns how many.
func (q *Queries) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	const op = "store.DeleteUserSessions"
	if err := q.writable(op); err != nil {
		return 0, err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return rowsAffected(op, res, err)
}

// DeleteExpiredSessions removes the sessions whose absolute end is before now
// and returns how many.
func (q *Queries) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	const op = "store.DeleteExpiredSessions"
	if err := q.writable(op); err != nil {
		return 0, err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, micros(now))
	return rowsAffected(op, res, err)
}

// API tokens. Scopes are stored space-separated: scope names contain no
// spaces, and a token carries a handful at most.

const tokenSelect = `SELECT id, org_id, created_by, name, prefix, hash, scopes, created_at,
	expires_at, revoked_at, last_used_at FROM api_tokens`

func (q *Queries) queryTokens(ctx context.Context, op, query string, args ...any) ([]identity.Token, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []identity.Token
	for rows.Next() {
		var (
			t                                  identity.Token
			scopes                             string
			created, expires, revoked, lastUse int64
		)
		if err := rows.Scan(&t.ID, &t.OrgID, &t.CreatedBy, &t.Name, &t.Prefix, &t.Hash, &scopes,
			&created, &expires, &revoked, &lastUse); err != nil {
			return nil, mapErr(op, err)
		}
		for _, s := range strings.Fields(scopes) {
			t.Scopes = append(t.Scopes, identity.Scope(s))
		}
		t.CreatedAt, t.ExpiresAt = fromMicros(created), fromMicros(expires)
		t.RevokedAt, t.LastUsedAt = fromMicros(revoked), fromMicros(lastUse)
		out = append(out, t)
	}
	return out, mapErr(op, rows.Err())
}

func (q *Queries) oneToken(ctx context.Context, op, cond string, arg any) (identity.Token, error) {
	ts, err := q.queryTokens(ctx, op, tokenSelect+` WHERE `+cond, arg)
	if err != nil {
		return identity.Token{}, err
	}
	if len(ts) == 0 {
		return identity.Token{}, notFound(op, "the token")
	}
	return ts[0], nil
}

// Token returns the token with id; NotFound when there is none.
func (q *Queries) Token(ctx context.Context, id string) (identity.Token, error) {
	return q.oneToken(ctx, "store.Token", `id = $1`, id)
}

// TokenByPrefix returns the token with prefix; NotFound when there is none.
// Revoked and expired tokens are returned too: the caller decides.
func (q *Queries) TokenByPrefix(ctx context.Context, prefix string) (identity.Token, error) {
	return q.oneToken(ctx, "store.TokenByPrefix", `prefix = $1`, prefix)
}

// ListTokens returns the tokens of organisation orgID, newest first,
// including revoked and expired ones.
func (q *Queries) ListTokens(ctx context.Context, orgID string) ([]identity.Token, error) {
	return q.queryTokens(ctx, "store.ListTokens",
		tokenSelect+` WHERE org_id = $1 ORDER BY created_at DESC, id DESC`, orgID)
}

// CreateToken stores t; Conflict when its id or prefix is taken.
func (q *Queries) CreateToken(ctx context.Context, t identity.Token) error {
	const op = "store.CreateToken"
	if err := q.writable(op); err != nil {
		return err
	}
	scopes := make([]string, len(t.Scopes))
	for i, s := range t.Scopes {
		scopes[i] = string(s)
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO api_tokens (id, org_id, created_by, name, prefix, hash,
		scopes, created_at, expires_at, revoked_at, last_used_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		t.ID, t.OrgID, t.CreatedBy, t.Name, t.Prefix, t.Hash, strings.Join(scopes, " "),
		micros(t.CreatedAt), micros(t.ExpiresAt), micros(t.RevokedAt), micros(t.LastUsedAt))
	return mapErr(op, err)
}

// RevokeToken sets the revocation time of token id to at unless the token is
// revoked already (the first revocation stands); NotFound when the token
// does not exist.
func (q *Queries) RevokeToken(ctx context.Context, id string, at time.Time) error {
	const op = "store.RevokeToken"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "at", at); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE api_tokens SET revoked_at =
		CASE WHEN revoked_at = 0 THEN $2 ELSE revoked_at END WHERE id = $1`, id, micros(at))
	n, err := rowsAffected(op, res, err)
	if err == nil && n == 0 {
		return notFound(op, "the token")
	}
	return err
}

// RevokeOrgTokens revokes at at every token of organisation orgID that is
// active then (neither revoked nor expired) and returns how many.
func (q *Queries) RevokeOrgTokens(ctx context.Context, orgID string, at time.Time) (int, error) {
	const op = "store.RevokeOrgTokens"
	if err := q.writable(op); err != nil {
		return 0, err
	}
	if err := requireTime(op, "at", at); err != nil {
		return 0, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $2
		WHERE org_id = $1 AND revoked_at = 0 AND (expires_at = 0 OR expires_at > $2)`, orgID, micros(at))
	return rowsAffected(op, res, err)
}

// TouchToken sets the last-use time of token id to at, unless it is later
// already; NotFound when the token does not exist.
func (q *Queries) TouchToken(ctx context.Context, id string, at time.Time) error {
	const op = "store.TouchToken"
	if err := q.writable(op); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE api_tokens SET last_used_at =
		CASE WHEN last_used_at < $2 THEN $2 ELSE last_used_at END WHERE id = $1`, id, micros(at))
	n, err := rowsAffected(op, res, err)
	if err == nil && n == 0 {
		return notFound(op, "the token")
	}
	return err
}

// Recovery codes.

// ReplaceRecoveryCodes stores the hashes of user userID's recovery codes,
// removing every earlier one, used or not.
func (q *Queries) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error {
	const op = "store.ReplaceRecoveryCodes"
	if err := q.writable(op); err != nil {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return mapErr(op, err)
	}
	for _, h := range hashes {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, hash) VALUES ($1, $2)`,
			userID, h); err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

// UseRecoveryCode marks the unused code of user userID with hash as used at
// at; false when the user has no unused code with that hash.
func (q *Queries) UseRecoveryCode(ctx context.Context, userID string, hash []byte, at time.Time) (bool, error) {
	const op = "store.UseRecoveryCode"
	if err := q.writable(op); err != nil {
		return false, err
	}
	if err := requireTime(op, "at", at); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $3
		WHERE user_id = $1 AND hash = $2 AND used_at = 0`, userID, hash, micros(at))
	n, err := rowsAffected(op, res, err)
	return n == 1, err
}

// CountRecoveryCodes counts the unused recovery codes of user userID.
func (q *Queries) CountRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at = 0`,
		userID).Scan(&n)
	return n, mapErr("store.CountRecoveryCodes", err)
}

// Password-reset tokens.

// CreateResetToken stores a password-reset token of user userID by the hash
// of its secret, valid until expires.
func (q *Queries) CreateResetToken(ctx context.Context, hash []byte, userID string, expires time.Time) error {
	const op = "store.CreateResetToken"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "expires", expires); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO reset_tokens (hash, user_id, expires_at) VALUES ($1, $2, $3)`,
		hash, userID, micros(expires))
	return mapErr(op, err)
}

// ConsumeResetToken marks the token with hash used at now and returns its
// user; NotFound when the token is unknown, used, or expired at now. Check
// and mark are one statement, so a token is consumed at most once even by
// concurrent requests.
func (q *Queries) ConsumeResetToken(ctx context.Context, hash []byte, now time.Time) (string, error) {
	const op = "store.ConsumeResetToken"
	if err := q.writable(op); err != nil {
		return "", err
	}
	if err := requireTime(op, "now", now); err != nil {
		return "", err
	}
	var userID string
	err := q.q.QueryRowContext(ctx, `UPDATE reset_tokens SET used_at = $2
		WHERE hash = $1 AND used_at = 0 AND expires_at > $2 RETURNING user_id`, hash, micros(now)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &verbund.Error{Op: op, Kind: verbund.NotFound,
			Msg: "the password-reset link is unknown, used or expired", Err: err}
	}
	return userID, mapErr(op, err)
}
