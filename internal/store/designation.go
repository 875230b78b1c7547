package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
)

// Compile-time proof that the store implements the designation interfaces.
var (
	_ designation.Tx    = (*Queries)(nil)
	_ designation.Store = designationStore{}
)

// designationStore adapts a DB to designation.Store.
type designationStore struct{ *DB }

// Designation returns db as the storage of the designation service.
func (db *DB) Designation() designation.Store { return designationStore{db} }

// Update runs fn in one transaction; see designation.Store.
func (s designationStore) Update(ctx context.Context, fn func(designation.Tx) error) error {
	return s.InTx(ctx, func(q *Queries) error { return fn(q) })
}

// checkViolation turns the violation of a CHECK constraint into an Invalid
// error of op (mapErr leaves it Internal) and returns any other err as it is.
// The services check the same rules first; this is the last line.
func checkViolation(op string, err error) error {
	var pgErr *pgconn.PgError
	var sqErr *sqlite.Error
	if (errors.As(err, &pgErr) && pgErr.Code == "23514") ||
		(errors.As(err, &sqErr) && sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_CHECK) {
		return &verbund.Error{Op: op, Kind: verbund.Invalid, Msg: "violates a rule of the data", Err: err}
	}
	return err
}

// Assessments. Categories are stored by the names policy.Category writes.

const assessmentSelect = `SELECT id, org_id, category, sector_wide, state, opened_by, opened_at,
	updated_at, decided_by, decided_at, reason FROM assessments`

func (q *Queries) queryAssessments(ctx context.Context, op, query string, args ...any) ([]designation.Assessment, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []designation.Assessment
	for rows.Next() {
		var (
			a                          designation.Assessment
			cat                        string
			opened, updated, decidedAt int64
		)
		if err := rows.Scan(&a.ID, &a.OrgID, &cat, &a.SectorWide, &a.State, &a.OpenedBy, &opened,
			&updated, &a.DecidedBy, &decidedAt, &a.Reason); err != nil {
			return nil, mapErr(op, err)
		}
		if a.Category, err = policy.ParseCategory(cat); err != nil {
			return nil, mapErr(op, err)
		}
		a.OpenedAt, a.UpdatedAt, a.DecidedAt = fromMicros(opened), fromMicros(updated), fromMicros(decidedAt)
		out = append(out, a)
	}
	return out, mapErr(op, rows.Err())
}

// Assessment returns assessment id with its findings, in the order of
// designation.Criteria, and its evidence, oldest first; NotFound when there
// is none.
func (q *Queries) Assessment(ctx context.Context, id string) (designation.Assessment, error) {
	const op = "store.Assessment"
	as, err := q.queryAssessments(ctx, op, assessmentSelect+` WHERE id = $1`, id)
	if err != nil {
		return designation.Assessment{}, err
	}
	if len(as) == 0 {
		return designation.Assessment{}, notFound(op, "the assessment")
	}
	a := as[0]
	rows, err := q.q.QueryContext(ctx, `SELECT criterion, met, note, recorded_by, recorded_at
		FROM assessment_findings WHERE assessment_id = $1`, id)
	if err != nil {
		return designation.Assessment{}, mapErr(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			f  designation.Finding
			at int64
		)
		if err := rows.Scan(&f.Criterion, &f.Met, &f.Note, &f.RecordedBy, &at); err != nil {
			return designation.Assessment{}, mapErr(op, err)
		}
		f.RecordedAt = fromMicros(at)
		a.Findings = append(a.Findings, f)
	}
	if err := rows.Err(); err != nil {
		return designation.Assessment{}, mapErr(op, err)
	}
	slices.SortFunc(a.Findings, func(x, y designation.Finding) int {
		return slices.Index(designation.Criteria, x.Criterion) - slices.Index(designation.Criteria, y.Criterion)
	})
	a.Evidence, err = q.queryEvidence(ctx, op, evidenceSelect+` WHERE e.assessment_id = $1 ORDER BY e.added_at, e.id`, id)
	if err != nil {
		return designation.Assessment{}, err
	}
	return a, nil
}

// ListAssessments returns the assessments matching f without findings and
// evidence, newest first.
func (q *Queries) ListAssessments(ctx context.Context, f designation.AssessmentFilter) ([]designation.Assessment, error) {
	var w where
	if f.OrgID != "" {
		w.add(`org_id = ?`, f.OrgID)
	}
	if f.State != "" {
		w.add(`state = ?`, f.State)
	}
	return q.queryAssessments(ctx, "store.ListAssessments",
		assessmentSelect+w.String()+` ORDER BY opened_at DESC, id DESC`, w.args...)
}

// CreateAssessment stores a; Conflict when its organisation has an open
// assessment in the category, Invalid when the organisation does not exist.
func (q *Queries) CreateAssessment(ctx context.Context, a designation.Assessment) error {
	const op = "store.CreateAssessment"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "opened_at", a.OpenedAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO assessments (id, org_id, category, sector_wide, state,
		opened_by, opened_at, updated_at, decided_by, decided_at, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.ID, a.OrgID, a.Category.String(), a.SectorWide, a.State, a.OpenedBy, micros(a.OpenedAt),
		micros(a.UpdatedAt), a.DecidedBy, micros(a.DecidedAt), a.Reason)
	return conflict(op, err, "an assessment of this organisation in this category is open already", nil)
}

// LockOpenAssessment sets the update time of assessment id to at if it is
// open; the row lock this takes on PostgreSQL (and the one writer of
// SQLite) holds it until the transaction ends. False when it is not open or
// does not exist.
func (q *Queries) LockOpenAssessment(ctx context.Context, id string, at time.Time) (bool, error) {
	const op = "store.LockOpenAssessment"
	if err := q.writable(op); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE assessments SET updated_at = $2 WHERE id = $1 AND state = 'open'`,
		id, micros(at))
	n, err := rowsAffected(op, res, err)
	return n > 0, err
}

// PutFinding stores f on assessment assessmentID, replacing an earlier
// finding on the same criterion.
func (q *Queries) PutFinding(ctx context.Context, assessmentID string, f designation.Finding) error {
	const op = "store.PutFinding"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "recorded_at", f.RecordedAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO assessment_findings (assessment_id, criterion, met, note,
		recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (assessment_id, criterion) DO UPDATE SET met = excluded.met, note = excluded.note,
		recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
		assessmentID, f.Criterion, f.Met, f.Note, f.RecordedBy, micros(f.RecordedAt))
	return mapErr(op, err)
}

// DecideAssessment records the state, decider, decision time and reason of
// a if it is open; false when it is not.
func (q *Queries) DecideAssessment(ctx context.Context, a designation.Assessment) (bool, error) {
	const op = "store.DecideAssessment"
	if err := q.writable(op); err != nil {
		return false, err
	}
	if err := requireTime(op, "decided_at", a.DecidedAt); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE assessments SET state = $2, decided_by = $3, decided_at = $4,
		reason = $5, updated_at = $4 WHERE id = $1 AND state = 'open'`,
		a.ID, a.State, a.DecidedBy, micros(a.DecidedAt), a.Reason)
	n, err := rowsAffected(op, res, err)
	return n > 0, err
}

// Evidence. The content lives in a table of its own, so that listing
// evidence never reads files.

const evidenceSelect = `SELECT e.id, e.assessment_id, e.title, e.reference, e.file_name, e.content_type,
	e.sha256, e.size, EXISTS (SELECT 1 FROM assessment_evidence_files f WHERE f.evidence_id = e.id),
	e.added_by, e.added_at FROM assessment_evidence e`

func (q *Queries) queryEvidence(ctx context.Context, op, query string, args ...any) ([]designation.Evidence, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []designation.Evidence
	for rows.Next() {
		var (
			e  designation.Evidence
			at int64
		)
		if err := rows.Scan(&e.ID, &e.AssessmentID, &e.Title, &e.Reference, &e.FileName, &e.ContentType,
			&e.SHA256, &e.Size, &e.Stored, &e.AddedBy, &at); err != nil {
			return nil, mapErr(op, err)
		}
		e.AddedAt = fromMicros(at)
		out = append(out, e)
	}
	return out, mapErr(op, rows.Err())
}

// Evidence returns evidence id; NotFound when there is none.
func (q *Queries) Evidence(ctx context.Context, id string) (designation.Evidence, error) {
	const op = "store.Evidence"
	es, err := q.queryEvidence(ctx, op, evidenceSelect+` WHERE e.id = $1`, id)
	if err != nil {
		return designation.Evidence{}, err
	}
	if len(es) == 0 {
		return designation.Evidence{}, notFound(op, "the evidence")
	}
	return es[0], nil
}

// EvidenceContent returns the stored file of evidence id; NotFound when no
// file is stored for it.
func (q *Queries) EvidenceContent(ctx context.Context, id string) ([]byte, error) {
	const op = "store.EvidenceContent"
	var b []byte
	err := q.q.QueryRowContext(ctx, `SELECT content FROM assessment_evidence_files WHERE evidence_id = $1`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(op, "the evidence file")
	}
	if err != nil {
		return nil, mapErr(op, err)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// AddEvidence stores e, and content when it is not nil (an empty file is
// stored as such); Invalid when the assessment does not exist.
func (q *Queries) AddEvidence(ctx context.Context, e designation.Evidence, content []byte) error {
	const op = "store.AddEvidence"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "added_at", e.AddedAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO assessment_evidence (id, assessment_id, title, reference,
		file_name, content_type, sha256, size, added_by, added_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.ID, e.AssessmentID, e.Title, e.Reference, e.FileName, e.ContentType, e.SHA256, e.Size,
		e.AddedBy, micros(e.AddedAt))
	if err != nil {
		return mapErr(op, err)
	}
	if content == nil {
		return nil
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO assessment_evidence_files (evidence_id, content) VALUES ($1, $2)`,
		e.ID, content)
	return mapErr(op, err)
}

// Designations.

const designationSelect = `SELECT id, assessment_id, org_id, category, sector_wide, valid_from,
	valid_until, review_at, designated_by, designated_at, revoked_at, revoked_by, revoke_reason
FROM designations`

func (q *Queries) queryDesignations(ctx context.Context, op, query string, args ...any) ([]designation.Designation, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []designation.Designation
	for rows.Next() {
		var (
			d                                   designation.Designation
			cat                                 string
			from, until, review, desAt, revoked int64
		)
		if err := rows.Scan(&d.ID, &d.AssessmentID, &d.OrgID, &cat, &d.SectorWide, &from, &until, &review,
			&d.DesignatedBy, &desAt, &revoked, &d.RevokedBy, &d.RevokeReason); err != nil {
			return nil, mapErr(op, err)
		}
		if d.Category, err = policy.ParseCategory(cat); err != nil {
			return nil, mapErr(op, err)
		}
		d.ValidFrom, d.ValidUntil, d.ReviewAt = fromMicros(from), fromMicros(until), fromMicros(review)
		d.DesignatedAt, d.RevokedAt = fromMicros(desAt), fromMicros(revoked)
		out = append(out, d)
	}
	return out, mapErr(op, rows.Err())
}

// DesignationByID returns designation id; NotFound when there is none.
func (q *Queries) DesignationByID(ctx context.Context, id string) (designation.Designation, error) {
	const op = "store.DesignationByID"
	ds, err := q.queryDesignations(ctx, op, designationSelect+` WHERE id = $1`, id)
	if err != nil {
		return designation.Designation{}, err
	}
	if len(ds) == 0 {
		return designation.Designation{}, notFound(op, "the designation")
	}
	return ds[0], nil
}

// ListDesignations returns the designations matching f, by start of
// validity, then id.
func (q *Queries) ListDesignations(ctx context.Context, f designation.DesignationFilter) ([]designation.Designation, error) {
	var w where
	if f.OrgID != "" {
		w.add(`org_id = ?`, f.OrgID)
	}
	if !f.InForceAt.IsZero() {
		at := micros(f.InForceAt)
		w.add(`valid_until > ?`, at)
		w.add(`(revoked_at = 0 OR revoked_at > ?)`, at)
	}
	if !f.ReviewBy.IsZero() {
		w.add(`review_at <= ?`, micros(f.ReviewBy))
	}
	if !f.EndsBy.IsZero() {
		w.add(`valid_until <= ?`, micros(f.EndsBy))
	}
	if !f.LapsedSince.IsZero() {
		since := micros(f.LapsedSince)
		w.add(`valid_until >= ?`, since)
		w.add(`(revoked_at = 0 OR revoked_at >= ?)`, since)
	}
	return q.queryDesignations(ctx, "store.ListDesignations",
		designationSelect+w.String()+` ORDER BY valid_from, id`, w.args...)
}

// CreateDesignation stores d; Invalid when its assessment or organisation
// does not exist or its dates are out of order, Conflict when its
// assessment has a designation already.
func (q *Queries) CreateDesignation(ctx context.Context, d designation.Designation) error {
	const op = "store.CreateDesignation"
	if err := q.writable(op); err != nil {
		return err
	}
	for _, t := range []struct {
		field string
		t     time.Time
	}{{"valid_from", d.ValidFrom}, {"valid_until", d.ValidUntil}, {"review_at", d.ReviewAt}, {"designated_at", d.DesignatedAt}} {
		if err := requireTime(op, t.field, t.t); err != nil {
			return err
		}
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO designations (id, assessment_id, org_id, category,
		sector_wide, valid_from, valid_until, review_at, designated_by, designated_at, revoked_at,
		revoked_by, revoke_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		d.ID, d.AssessmentID, d.OrgID, d.Category.String(), d.SectorWide, micros(d.ValidFrom),
		micros(d.ValidUntil), micros(d.ReviewAt), d.DesignatedBy, micros(d.DesignatedAt),
		micros(d.RevokedAt), d.RevokedBy, d.RevokeReason)
	return conflict(op, checkViolation(op, err), "the assessment has a designation already", nil)
}

// RevokeDesignation records the revocation of designation id at at; false
// when it was revoked already, NotFound when it does not exist.
func (q *Queries) RevokeDesignation(ctx context.Context, id string, at time.Time, by, reason string) (bool, error) {
	const op = "store.RevokeDesignation"
	if err := q.writable(op); err != nil {
		return false, err
	}
	if err := requireTime(op, "revoked_at", at); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE designations SET revoked_at = $2, revoked_by = $3,
		revoke_reason = $4 WHERE id = $1 AND revoked_at = 0`, id, micros(at), by, reason)
	n, err := rowsAffected(op, res, err)
	if err != nil || n > 0 {
		return n > 0, err
	}
	if _, err := q.DesignationByID(ctx, id); err != nil {
		return false, err
	}
	return false, nil
}
