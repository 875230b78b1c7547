package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

// Compile-time proof that the store implements the membership interfaces.
var (
	_ membership.Tx    = (*Queries)(nil)
	_ membership.Store = membershipStore{}
)

// membershipStore adapts a DB to membership.Store like identityStore does to
// identity.Store.
type membershipStore struct{ *DB }

// Membership returns db as the storage of the membership service.
func (db *DB) Membership() membership.Store { return membershipStore{db} }

// Update runs fn in one transaction; see membership.Store.
func (s membershipStore) Update(ctx context.Context, fn func(membership.Tx) error) error {
	return s.InTx(ctx, func(q *Queries) error { return fn(q) })
}

// lines joins short texts one per line, the stored form of tag lists; the
// service refuses line breaks inside them.
func lines(s []string) string { return strings.Join(s, "\n") }

// splitLines is the inverse of lines; "" is the empty list.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Profiles.

const profileColumns = `p.org_id, p.legal_form, p.street, p.postcode, p.city, p.website,
	p.size_class, p.contact_function, p.lang, p.network_visible, p.registered_by,
	p.verified_at, p.created_at, p.updated_at`

func (q *Queries) queryProfiles(ctx context.Context, op, query string, args ...any) ([]membership.Profile, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []membership.Profile
	for rows.Next() {
		var (
			p                          membership.Profile
			verified, created, updated int64
		)
		if err := rows.Scan(&p.OrgID, &p.LegalForm, &p.Street, &p.Postcode, &p.City, &p.Website,
			&p.SizeClass, &p.ContactFunction, &p.Lang, &p.NetworkVisible, &p.RegisteredBy,
			&verified, &created, &updated); err != nil {
			return nil, mapErr(op, err)
		}
		p.VerifiedAt, p.CreatedAt, p.UpdatedAt = fromMicros(verified), fromMicros(created), fromMicros(updated)
		out = append(out, p)
	}
	return out, mapErr(op, rows.Err())
}

// Profile returns the membership profile of organisation orgID; NotFound
// when it has none (organisations made by the command line or the office
// have none until they are given one).
func (q *Queries) Profile(ctx context.Context, orgID string) (membership.Profile, error) {
	const op = "store.Profile"
	ps, err := q.queryProfiles(ctx, op, `SELECT `+profileColumns+` FROM membership_profiles p WHERE p.org_id = $1`, orgID)
	if err != nil {
		return membership.Profile{}, err
	}
	if len(ps) == 0 {
		return membership.Profile{}, notFound(op, "the membership profile")
	}
	return ps[0], nil
}

// ListProfiles returns the profiles matching f in the order their
// organisations were created.
func (q *Queries) ListProfiles(ctx context.Context, f membership.ProfileFilter) ([]membership.Profile, error) {
	var w where
	if f.OrgStatus != "" {
		w.add(`o.status = ?`, f.OrgStatus)
	}
	if f.NetworkOnly {
		w.add(`p.network_visible = ?`, true)
	}
	return q.queryProfiles(ctx, "store.ListProfiles", `SELECT `+profileColumns+`
		FROM membership_profiles p JOIN organisations o ON o.id = p.org_id`+w.String()+
		` ORDER BY p.created_at, p.org_id`, w.args...)
}

// CreateProfile stores p; Conflict when the organisation has a profile,
// Invalid when the organisation does not exist.
func (q *Queries) CreateProfile(ctx context.Context, p membership.Profile) error {
	const op = "store.CreateProfile"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO membership_profiles (org_id, legal_form, street,
		postcode, city, website, size_class, contact_function, lang, network_visible, registered_by,
		verified_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		p.OrgID, p.LegalForm, p.Street, p.Postcode, p.City, p.Website, p.SizeClass, p.ContactFunction,
		p.Lang, p.NetworkVisible, p.RegisteredBy, micros(p.VerifiedAt), micros(p.CreatedAt), micros(p.UpdatedAt))
	return conflict(op, err, "the organisation has a membership profile already", nil)
}

// UpdateProfile replaces every field of p but its creation time; NotFound
// when there is no profile for its organisation.
func (q *Queries) UpdateProfile(ctx context.Context, p membership.Profile) error {
	const op = "store.UpdateProfile"
	if err := q.writable(op); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE membership_profiles SET legal_form = $2, street = $3,
		postcode = $4, city = $5, website = $6, size_class = $7, contact_function = $8, lang = $9,
		network_visible = $10, registered_by = $11, verified_at = $12, updated_at = $13 WHERE org_id = $1`,
		p.OrgID, p.LegalForm, p.Street, p.Postcode, p.City, p.Website, p.SizeClass, p.ContactFunction,
		p.Lang, p.NetworkVisible, p.RegisteredBy, micros(p.VerifiedAt), micros(p.UpdatedAt))
	n, err := rowsAffected(op, res, err)
	if err == nil && n == 0 {
		return notFound(op, "the membership profile")
	}
	return err
}

// ContactEmailInUse reports whether an organisation other than exceptOrgID
// that is not terminated names email as its contact address, compared in
// lower case (identity stores contact addresses lower-cased).
func (q *Queries) ContactEmailInUse(ctx context.Context, email, exceptOrgID string) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM organisations
		WHERE contact_email = $1 AND status <> $2 AND id <> $3`,
		strings.ToLower(email), identity.StatusTerminated, exceptOrgID).Scan(&n)
	return n > 0, mapErr("store.ContactEmailInUse", err)
}

// Verification links.

// Verification returns the link with hash whether or not it is used or
// expired; NotFound when there is none.
func (q *Queries) Verification(ctx context.Context, hash []byte) (membership.Verification, error) {
	const op = "store.Verification"
	var (
		v                      membership.Verification
		created, expires, used int64
	)
	err := q.q.QueryRowContext(ctx, `SELECT hash, user_id, org_id, created_at, expires_at, used_at
		FROM membership_verifications WHERE hash = $1`, hash).Scan(&v.Hash, &v.UserID, &v.OrgID, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return membership.Verification{}, notFound(op, "the verification link")
	}
	if err != nil {
		return membership.Verification{}, mapErr(op, err)
	}
	v.CreatedAt, v.ExpiresAt, v.UsedAt = fromMicros(created), fromMicros(expires), fromMicros(used)
	return v, nil
}

// CreateVerification stores v, which must have an expiry.
func (q *Queries) CreateVerification(ctx context.Context, v membership.Verification) error {
	const op = "store.CreateVerification"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "expires_at", v.ExpiresAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO membership_verifications (hash, user_id, org_id,
		created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		v.Hash, v.UserID, v.OrgID, micros(v.CreatedAt), micros(v.ExpiresAt), micros(v.UsedAt))
	return mapErr(op, err)
}

// UseVerification marks the link with hash used at at; false when it is
// used already, NotFound when there is none. Only one of two concurrent
// uses gets true.
func (q *Queries) UseVerification(ctx context.Context, hash []byte, at time.Time) (bool, error) {
	const op = "store.UseVerification"
	if err := q.writable(op); err != nil {
		return false, err
	}
	if err := requireTime(op, "at", at); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE membership_verifications SET used_at = $2
		WHERE hash = $1 AND used_at = 0`, hash, micros(at))
	n, err := rowsAffected(op, res, err)
	if err != nil || n > 0 {
		return n > 0, err
	}
	if _, err := q.Verification(ctx, hash); err != nil {
		return false, err
	}
	return false, nil
}

// EnsureSetting stores value under key unless key is set, and returns what
// is stored. On PostgreSQL a concurrent transaction that inserted the key
// first makes this one wait for its commit and then read its value.
func (q *Queries) EnsureSetting(ctx context.Context, key, value string) (string, error) {
	const op = "store.EnsureSetting"
	if err := q.writable(op); err != nil {
		return "", err
	}
	if _, err := q.q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return "", mapErr(op, err)
	}
	var v string
	err := q.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	return v, mapErr(op, err)
}
