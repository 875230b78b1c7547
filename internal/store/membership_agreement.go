package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

// The agreement on the handling of confidential information: versions with
// their texts, and the signatures of organisations.

// agreement returns the agreement of version with its texts; version 0
// means the current one.
func (q *Queries) agreement(ctx context.Context, op string, version int) (membership.Agreement, error) {
	var (
		a         membership.Agreement
		published int64
	)
	query := `SELECT version, published_at, published_by FROM agreements WHERE version = $1`
	args := []any{version}
	if version == 0 {
		query, args = `SELECT version, published_at, published_by FROM agreements ORDER BY version DESC LIMIT 1`, nil
	}
	err := q.q.QueryRowContext(ctx, query, args...).Scan(&a.Version, &published, &a.PublishedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return membership.Agreement{}, notFound(op, "the agreement")
	}
	if err != nil {
		return membership.Agreement{}, mapErr(op, err)
	}
	a.PublishedAt = fromMicros(published)
	rows, err := q.q.QueryContext(ctx, `SELECT lang, body FROM agreement_texts WHERE version = $1`, a.Version)
	if err != nil {
		return membership.Agreement{}, mapErr(op, err)
	}
	defer rows.Close()
	a.Texts = map[string]string{}
	for rows.Next() {
		var lang, body string
		if err := rows.Scan(&lang, &body); err != nil {
			return membership.Agreement{}, mapErr(op, err)
		}
		a.Texts[lang] = body
	}
	return a, mapErr(op, rows.Err())
}

// CurrentAgreement returns the agreement with the highest version; NotFound
// when none is published.
func (q *Queries) CurrentAgreement(ctx context.Context) (membership.Agreement, error) {
	return q.agreement(ctx, "store.CurrentAgreement", 0)
}

// Agreement returns version of the agreement; NotFound when there is none.
func (q *Queries) Agreement(ctx context.Context, version int) (membership.Agreement, error) {
	const op = "store.Agreement"
	if version <= 0 {
		return membership.Agreement{}, notFound(op, "the agreement")
	}
	return q.agreement(ctx, op, version)
}

// CreateAgreement stores a with its texts; Conflict when the version exists.
func (q *Queries) CreateAgreement(ctx context.Context, a membership.Agreement) error {
	const op = "store.CreateAgreement"
	if err := q.writable(op); err != nil {
		return err
	}
	if a.Version <= 0 {
		return verbund.InvalidFields(op, map[string]string{"version": "must be positive"})
	}
	if err := requireTime(op, "published_at", a.PublishedAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO agreements (version, published_at, published_by)
		VALUES ($1, $2, $3)`, a.Version, micros(a.PublishedAt), a.PublishedBy)
	if err != nil {
		return conflict(op, err, "this version of the agreement exists already", nil)
	}
	langs := make([]string, 0, len(a.Texts))
	for l := range a.Texts {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, l := range langs {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO agreement_texts (version, lang, body) VALUES ($1, $2, $3)`,
			a.Version, l, a.Texts[l]); err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

const signatureSelect = `SELECT id, org_id, user_id, version, lang, text_sha256, signed_at, ip
	FROM agreement_signatures`

func (q *Queries) querySignatures(ctx context.Context, op, query string, args ...any) ([]membership.Signature, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []membership.Signature
	for rows.Next() {
		var (
			s      membership.Signature
			signed int64
		)
		if err := rows.Scan(&s.ID, &s.OrgID, &s.UserID, &s.Version, &s.Lang, &s.TextSHA256, &signed, &s.IP); err != nil {
			return nil, mapErr(op, err)
		}
		s.SignedAt = fromMicros(signed)
		out = append(out, s)
	}
	return out, mapErr(op, rows.Err())
}

// Signature returns the signature with id; NotFound when there is none.
func (q *Queries) Signature(ctx context.Context, id string) (membership.Signature, error) {
	const op = "store.Signature"
	ss, err := q.querySignatures(ctx, op, signatureSelect+` WHERE id = $1`, id)
	if err != nil {
		return membership.Signature{}, err
	}
	if len(ss) == 0 {
		return membership.Signature{}, notFound(op, "the signature")
	}
	return ss[0], nil
}

// ListSignatures returns the signatures of organisation orgID, newest first.
func (q *Queries) ListSignatures(ctx context.Context, orgID string) ([]membership.Signature, error) {
	return q.querySignatures(ctx, "store.ListSignatures",
		signatureSelect+` WHERE org_id = $1 ORDER BY signed_at DESC, id DESC`, orgID)
}

// HasSigned reports whether organisation orgID signed version.
func (q *Queries) HasSigned(ctx context.Context, orgID string, version int) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM agreement_signatures WHERE org_id = $1 AND version = $2`,
		orgID, version).Scan(&n)
	return n > 0, mapErr("store.HasSigned", err)
}

// CreateSignature stores s; Invalid when its organisation or version does
// not exist.
func (q *Queries) CreateSignature(ctx context.Context, s membership.Signature) error {
	const op = "store.CreateSignature"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "signed_at", s.SignedAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO agreement_signatures (id, org_id, user_id, version,
		lang, text_sha256, signed_at, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		s.ID, s.OrgID, s.UserID, s.Version, s.Lang, s.TextSHA256, micros(s.SignedAt), s.IP)
	return mapErr(op, err)
}

// Unsigned returns the member organisations that are not terminated and
// have not signed version, ordered by name regardless of case.
func (q *Queries) Unsigned(ctx context.Context, version int) ([]identity.Organisation, error) {
	return q.queryOrgs(ctx, "store.Unsigned", orgSelect+` WHERE o.kind = $1 AND o.status <> $2
		AND NOT EXISTS (SELECT 1 FROM agreement_signatures g WHERE g.org_id = o.id AND g.version = $3)`+orgOrder,
		identity.KindMember, identity.StatusTerminated, version)
}
