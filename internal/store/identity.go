package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/identity"
)

// Compile-time proof that the store implements the domain interfaces.
var (
	_ identity.Tx    = (*Queries)(nil)
	_ identity.Store = identityStore{}
)

// identityStore adapts a DB to identity.Store: reads run on the read pool,
// Update hands fn the Queries of one transaction.
type identityStore struct{ *DB }

// Identity returns db as the storage of the identity service.
func (db *DB) Identity() identity.Store { return identityStore{db} }

// Update runs fn in one transaction; see identity.Store.
func (s identityStore) Update(ctx context.Context, fn func(identity.Tx) error) error {
	return s.InTx(ctx, func(q *Queries) error { return fn(q) })
}

// sortedSet returns a sorted copy of s without duplicates, so that repeated
// sectors or roles do not trip the primary key of their table.
func sortedSet[S ~[]E, E cmp.Ordered](s S) S {
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}

// Organisations. The LEFT JOIN yields one row per sector; the rows of one
// organisation are adjacent because the order ends in its id.

const orgSelect = `SELECT o.id, o.name, o.kind, o.status, o.country, o.contact_name,
	o.contact_email, o.contact_phone, o.created_at, o.updated_at, s.sector
FROM organisations o LEFT JOIN organisation_sectors s ON s.org_id = o.id`

const orgOrder = ` ORDER BY lower(o.name), o.country, o.id, s.sector`

func (q *Queries) queryOrgs(ctx context.Context, op, query string, args ...any) ([]identity.Organisation, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []identity.Organisation
	for rows.Next() {
		var (
			o                identity.Organisation
			created, updated int64
			sector           sql.NullString
		)
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind, &o.Status, &o.Country, &o.ContactName,
			&o.ContactEmail, &o.ContactPhone, &created, &updated, &sector); err != nil {
			return nil, mapErr(op, err)
		}
		if n := len(out); n == 0 || out[n-1].ID != o.ID {
			o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
			out = append(out, o)
		}
		if sector.Valid {
			last := &out[len(out)-1]
			last.Sectors = append(last.Sectors, sector.String)
		}
	}
	return out, mapErr(op, rows.Err())
}

// Organisation returns the organisation with id; NotFound when there is none.
func (q *Queries) Organisation(ctx context.Context, id string) (identity.Organisation, error) {
	const op = "store.Organisation"
	os, err := q.queryOrgs(ctx, op, orgSelect+` WHERE o.id = $1`+orgOrder, id)
	if err != nil {
		return identity.Organisation{}, err
	}
	if len(os) == 0 {
		return identity.Organisation{}, notFound(op, "the organisation")
	}
	return os[0], nil
}

// ListOrganisations returns the organisations matching f, ordered by name
// regardless of case.
func (q *Queries) ListOrganisations(ctx context.Context, f identity.OrgFilter) ([]identity.Organisation, error) {
	var w where
	if f.Kind != "" {
		w.add(`o.kind = ?`, f.Kind)
	}
	if f.Status != "" {
		w.add(`o.status = ?`, f.Status)
	}
	if f.Sector != "" {
		w.add(`EXISTS (SELECT 1 FROM organisation_sectors x WHERE x.org_id = o.id AND x.sector = ?)`, f.Sector)
	}
	return q.queryOrgs(ctx, "store.ListOrganisations", orgSelect+w.String()+orgOrder, w.args...)
}

// orgTaken says what a new or renamed organisation collides with.
const orgTaken = "an organisation with this name already exists in this country"

// CreateOrganisation stores o with its sectors; Conflict when an
// organisation of the same name (in any case) and country exists.
func (q *Queries) CreateOrganisation(ctx context.Context, o identity.Organisation) error {
	const op = "store.CreateOrganisation"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO organisations (id, name, kind, status, country,
		contact_name, contact_email, contact_phone, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		o.ID, o.Name, o.Kind, o.Status, o.Country, o.ContactName, o.ContactEmail, o.ContactPhone,
		micros(o.CreatedAt), micros(o.UpdatedAt))
	if err != nil {
		return conflict(op, err, orgTaken, nil)
	}
	return q.insertSectors(ctx, op, o.ID, o.Sectors)
}

// UpdateOrganisation replaces every field of o but its creation time, and its
// sectors; NotFound when o does not exist, Conflict when the new name and
// country are taken.
func (q *Queries) UpdateOrganisation(ctx context.Context, o identity.Organisation) error {
	const op = "store.UpdateOrganisation"
	if err := q.writable(op); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE organisations SET name = $2, kind = $3, status = $4,
		country = $5, contact_name = $6, contact_email = $7, contact_phone = $8, updated_at = $9
		WHERE id = $1`,
		o.ID, o.Name, o.Kind, o.Status, o.Country, o.ContactName, o.ContactEmail, o.ContactPhone,
		micros(o.UpdatedAt))
	n, err := rowsAffected(op, res, err)
	if err != nil {
		return conflict(op, err, orgTaken, nil)
	}
	if n == 0 {
		return notFound(op, "the organisation")
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM organisation_sectors WHERE org_id = $1`, o.ID); err != nil {
		return mapErr(op, err)
	}
	return q.insertSectors(ctx, op, o.ID, o.Sectors)
}

func (q *Queries) insertSectors(ctx context.Context, op, orgID string, sectors []string) error {
	for _, s := range sortedSet(sectors) {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO organisation_sectors (org_id, sector) VALUES ($1, $2)`,
			orgID, s); err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

// Users. As with organisations, one row per role, adjacent by user.

const userSelect = `SELECT u.id, u.org_id, u.email, u.name, u.lang, u.password_hash,
	u.totp_secret, u.totp_enabled, u.disabled, u.created_at, u.updated_at, r.role
FROM users u LEFT JOIN user_roles r ON r.user_id = u.id`

const userOrder = ` ORDER BY lower(u.name), u.id, r.role`

func (q *Queries) queryUsers(ctx context.Context, op, query string, args ...any) ([]identity.User, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []identity.User
	for rows.Next() {
		var (
			u                identity.User
			created, updated int64
			role             sql.NullString
		)
		if err := rows.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Lang, &u.PasswordHash,
			&u.TOTPSecret, &u.TOTPEnabled, &u.Disabled, &created, &updated, &role); err != nil {
			return nil, mapErr(op, err)
		}
		if n := len(out); n == 0 || out[n-1].ID != u.ID {
			u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
			out = append(out, u)
		}
		if role.Valid {
			last := &out[len(out)-1]
			last.Roles = append(last.Roles, identity.Role(role.String))
		}
	}
	return out, mapErr(op, rows.Err())
}

func (q *Queries) oneUser(ctx context.Context, op, cond string, arg any) (identity.User, error) {
	us, err := q.queryUsers(ctx, op, userSelect+` WHERE `+cond+userOrder, arg)
	if err != nil {
		return identity.User{}, err
	}
	if len(us) == 0 {
		return identity.User{}, notFound(op, "the user")
	}
	return us[0], nil
}

// User returns the user with id; NotFound when there is none.
func (q *Queries) User(ctx context.Context, id string) (identity.User, error) {
	return q.oneUser(ctx, "store.User", `u.id = $1`, id)
}

// UserByEmail returns the user with the e-mail address, compared without
// regard to case; NotFound when there is none.
func (q *Queries) UserByEmail(ctx context.Context, email string) (identity.User, error) {
	// Addresses are stored lower-cased by Go, which folds all of Unicode the
	// same way on both engines (SQL lower() does not on SQLite).
	return q.oneUser(ctx, "store.UserByEmail", `u.email = $1`, strings.ToLower(email))
}

// ListUsers returns the users of organisation orgID ordered by name
// regardless of case.
func (q *Queries) ListUsers(ctx context.Context, orgID string) ([]identity.User, error) {
	return q.queryUsers(ctx, "store.ListUsers", userSelect+` WHERE u.org_id = $1`+userOrder, orgID)
}

// CreateUser stores u with its roles and its e-mail address in lower case;
// Conflict when the address is taken in any case.
func (q *Queries) CreateUser(ctx context.Context, u identity.User) error {
	const op = "store.CreateUser"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO users (id, org_id, email, name, lang, password_hash,
		totp_secret, totp_enabled, disabled, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		u.ID, u.OrgID, strings.ToLower(u.Email), u.Name, u.Lang, u.PasswordHash,
		u.TOTPSecret, u.TOTPEnabled, u.Disabled, micros(u.CreatedAt), micros(u.UpdatedAt))
	if err != nil {
		return conflict(op, err, "the e-mail address is already taken", map[string]string{"email": "is already taken"})
	}
	return q.insertRoles(ctx, op, u.ID, u.Roles)
}

// UseTOTPStep records that user userID used the TOTP code of time step
// step, and reports false when that step or a later one was used already
// (a replayed code). The check and the write are one statement, so two
// logins racing with the same code cannot both win.
func (q *Queries) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	const op = "store.UseTOTPStep"
	if err := q.writable(op); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, userID, step)
	n, err := rowsAffected(op, res, err)
	return n == 1, err
}

// UpdateUser replaces the name, language, password hash, roles, TOTP fields,
// disabled flag and update time of u; NotFound when u does not exist. The
// organisation, e-mail address and creation time do not change.
func (q *Queries) UpdateUser(ctx context.Context, u identity.User) error {
	const op = "store.UpdateUser"
	if err := q.writable(op); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE users SET name = $2, lang = $3, password_hash = $4,
		totp_secret = $5, totp_enabled = $6, disabled = $7, updated_at = $8 WHERE id = $1`,
		u.ID, u.Name, u.Lang, u.PasswordHash, u.TOTPSecret, u.TOTPEnabled, u.Disabled, micros(u.UpdatedAt))
	n, err := rowsAffected(op, res, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(op, "the user")
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = $1`, u.ID); err != nil {
		return mapErr(op, err)
	}
	return q.insertRoles(ctx, op, u.ID, u.Roles)
}

func (q *Queries) insertRoles(ctx context.Context, op, userID string, roles []identity.Role) error {
	for _, r := range sortedSet(roles) {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES ($1, $2)`,
			userID, r); err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

// Login throttling.

// RecordLoginFailure records one failed attempt under key at at.
func (q *Queries) RecordLoginFailure(ctx context.Context, key string, at time.Time) error {
	const op = "store.RecordLoginFailure"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "at", at); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, key, micros(at))
	return mapErr(op, err)
}

// CountLoginFailures counts the failures recorded for key at or after since.
func (q *Queries) CountLoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE key = $1 AND at >= $2`,
		key, micros(since)).Scan(&n)
	return n, mapErr("store.CountLoginFailures", err)
}

// ClearLoginFailures forgets every failure recorded for key.
func (q *Queries) ClearLoginFailures(ctx context.Context, key string) error {
	const op = "store.ClearLoginFailures"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
	return mapErr(op, err)
}

// Settings.

// Setting returns the value of the installation setting key, or "" when it
// is unset.
func (q *Queries) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := q.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, mapErr("store.Setting", err)
}

// SetSetting sets the installation setting key to value.
func (q *Queries) SetSetting(ctx context.Context, key, value string) error {
	const op = "store.SetSetting"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return mapErr(op, err)
}
