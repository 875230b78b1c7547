package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
)

// Compile-time proof that the store implements the incident service's
// interfaces.
var (
	_ incident.Tx    = (*Queries)(nil)
	_ incident.Store = incidentStore{}
)

// incidentStore adapts a DB to incident.Store.
type incidentStore struct{ *DB }

// Incidents returns db as the storage of the incident service.
func (db *DB) Incidents() incident.Store { return incidentStore{db} }

// Update runs fn in one transaction; see incident.Store.
func (s incidentStore) Update(ctx context.Context, fn func(incident.Tx) error) error {
	return s.InTx(ctx, func(q *Queries) error { return fn(q) })
}

// reportBody is the part of a report kept as JSON: what is read with the
// report and never searched by the database.
type reportBody struct {
	ContactEmail string            `json:"contact_email,omitempty"`
	Title        string            `json:"title"`
	Description  string            `json:"description"`
	Sectors      []string          `json:"sectors,omitempty"`
	Services     string            `json:"services,omitempty"`
	Started      int64             `json:"started,omitempty"`
	Detected     int64             `json:"detected,omitempty"`
	Ended        int64             `json:"ended,omitempty"`
	CrossBorder  bool              `json:"cross_border,omitempty"`
	Countries    []string          `json:"countries,omitempty"`
	Indicators   []stix.Observable `json:"indicators,omitempty"`
	Marking      *policy.Marking   `json:"marking,omitempty"` // of a draft only
	RelayAllowed bool              `json:"relay_allowed,omitempty"`
	NIS2         bool              `json:"nis2,omitempty"`
	TrustService bool              `json:"trust_service,omitempty"`
}

const reportSelect = `SELECT id, case_id, stage, org_id, user_id, draft, class, type, impact, body,
	created_at, updated_at, submitted_at FROM incident_reports`

func (q *Queries) queryReports(ctx context.Context, op, query string, args ...any) ([]incident.Report, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []incident.Report
	for rows.Next() {
		var (
			r                           incident.Report
			stage, class, typ, impact   string
			body                        string
			created, updated, submitted int64
		)
		if err := rows.Scan(&r.ID, &r.CaseID, &stage, &r.OrgID, &r.UserID, &r.Draft, &class, &typ, &impact, &body,
			&created, &updated, &submitted); err != nil {
			return nil, mapErr(op, err)
		}
		var b reportBody
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			return nil, verbund.Errorf(op, err)
		}
		r.Stage, r.Classification, r.Impact = incident.Stage(stage), incident.Classification{Class: class, Type: typ}, incident.Impact(impact)
		r.ContactEmail, r.Title, r.Description, r.Sectors, r.Services = b.ContactEmail, b.Title, b.Description, b.Sectors, b.Services
		r.Timeline = incident.Timeline{Started: fromMicros(b.Started), Detected: fromMicros(b.Detected), Ended: fromMicros(b.Ended)}
		r.CrossBorder, r.Countries, r.Indicators = b.CrossBorder, b.Countries, b.Indicators
		r.RelayAllowed, r.NIS2, r.TrustService = b.RelayAllowed, b.NIS2, b.TrustService
		if b.Marking != nil {
			r.Marking = *b.Marking
		}
		r.CreatedAt, r.UpdatedAt, r.SubmittedAt = fromMicros(created), fromMicros(updated), fromMicros(submitted)
		out = append(out, r)
	}
	return out, mapErr(op, rows.Err())
}

// Report returns report id; NotFound when there is none.
func (q *Queries) Report(ctx context.Context, id string) (incident.Report, error) {
	const op = "store.Report"
	rs, err := q.queryReports(ctx, op, reportSelect+` WHERE id = $1`, id)
	if err != nil {
		return incident.Report{}, err
	}
	if len(rs) == 0 {
		return incident.Report{}, notFound(op, "the report")
	}
	if !rs[0].Draft {
		// The marking of a submitted report is the stored one.
		m, err := q.Marking(ctx, policy.KindIncident, id)
		if err != nil {
			return incident.Report{}, err
		}
		rs[0].Marking = m.Marking
	}
	return rs[0], nil
}

// ListReports returns the reports matching f, newest change first. The
// marking of a submitted report in a list is left zero: callers decide on
// the stored marking (see Marking).
func (q *Queries) ListReports(ctx context.Context, f incident.ReportQuery) ([]incident.Report, error) {
	var w where
	for _, c := range []struct{ col, val string }{{"org_id", f.OrgID}, {"user_id", f.UserID}, {"case_id", f.CaseID}} {
		if c.val != "" {
			w.add(c.col+` = ?`, c.val)
		}
	}
	if f.Drafts != nil {
		w.add(`draft = ?`, *f.Drafts)
	}
	return q.queryReports(ctx, "store.ListReports", reportSelect+w.String()+
		` ORDER BY updated_at DESC, id DESC LIMIT `+w.arg(clampLimit(f.Limit)), w.args...)
}

// PutReport stores r, replacing the report with its id, and for a
// submitted report its sectors and indicators.
func (q *Queries) PutReport(ctx context.Context, r incident.Report) error {
	const op = "store.PutReport"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "created_at", r.CreatedAt); err != nil {
		return err
	}
	b := reportBody{ContactEmail: r.ContactEmail, Title: r.Title, Description: r.Description, Sectors: r.Sectors,
		Services: r.Services, Started: micros(r.Timeline.Started), Detected: micros(r.Timeline.Detected),
		Ended: micros(r.Timeline.Ended), CrossBorder: r.CrossBorder, Countries: r.Countries, Indicators: r.Indicators,
		RelayAllowed: r.RelayAllowed, NIS2: r.NIS2, TrustService: r.TrustService}
	if r.Draft && r.Marking.TLP.Valid() { // a draft may have no level yet
		m := r.Marking
		b.Marking = &m
	}
	body, err := json.Marshal(b)
	if err != nil {
		return verbund.Errorf(op, err)
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO incident_reports (id, case_id, stage, org_id, user_id, draft, class,
		type, impact, body, created_at, updated_at, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (id) DO UPDATE SET case_id = excluded.case_id, stage = excluded.stage, draft = excluded.draft,
		class = excluded.class, type = excluded.type, impact = excluded.impact, body = excluded.body,
		updated_at = excluded.updated_at, submitted_at = excluded.submitted_at`,
		r.ID, r.CaseID, string(r.Stage), r.OrgID, r.UserID, r.Draft, r.Classification.Class, r.Classification.Type,
		string(r.Impact), string(body), micros(r.CreatedAt), micros(r.UpdatedAt), micros(r.SubmittedAt))
	if err != nil {
		return mapErr(op, checkViolation(op, err))
	}
	if r.Draft {
		return nil
	}
	for _, stmt := range []string{`DELETE FROM incident_report_sectors WHERE report_id = $1`,
		`DELETE FROM incident_indicators WHERE report_id = $1`} {
		if _, err := q.q.ExecContext(ctx, stmt, r.ID); err != nil {
			return mapErr(op, err)
		}
	}
	for _, s := range r.Sectors {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO incident_report_sectors (report_id, sector) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, r.ID, s); err != nil {
			return mapErr(op, err)
		}
	}
	for _, o := range r.Indicators {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO incident_indicators (report_id, type, value) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, r.ID, o.Type, o.Value); err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

const caseSelect = `SELECT id, reference, org_id, nis2, trust_service, time_zone, status, assignee, lessons,
	follow_up, aware_at, handled_at, created_at, updated_at, closed_at FROM incident_cases`

func (q *Queries) queryCases(ctx context.Context, op, query string, args ...any) ([]incident.Case, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []incident.Case
	for rows.Next() {
		var (
			c                                         incident.Case
			status                                    string
			aware, handled, created, updated, closedA int64
		)
		if err := rows.Scan(&c.ID, &c.Reference, &c.OrgID, &c.NIS2, &c.TrustService, &c.TimeZone, &status, &c.Assignee,
			&c.Lessons, &c.FollowUp, &aware, &handled, &created, &updated, &closedA); err != nil {
			return nil, mapErr(op, err)
		}
		c.Status = incident.Status(status)
		c.Aware, c.Handled, c.CreatedAt, c.UpdatedAt, c.ClosedAt = fromMicros(aware), fromMicros(handled),
			fromMicros(created), fromMicros(updated), fromMicros(closedA)
		out = append(out, c)
	}
	return out, mapErr(op, rows.Err())
}

func (q *Queries) oneCase(ctx context.Context, op, col, val string) (incident.Case, error) {
	cs, err := q.queryCases(ctx, op, caseSelect+` WHERE `+col+` = $1`, val)
	if err != nil {
		return incident.Case{}, err
	}
	if len(cs) == 0 {
		return incident.Case{}, notFound(op, "the case")
	}
	return cs[0], nil
}

// Case returns case id; NotFound when there is none.
func (q *Queries) Case(ctx context.Context, id string) (incident.Case, error) {
	return q.oneCase(ctx, "store.Case", "id", id)
}

// CaseByReference returns the case with reference ref; NotFound when none.
func (q *Queries) CaseByReference(ctx context.Context, ref string) (incident.Case, error) {
	return q.oneCase(ctx, "store.CaseByReference", "reference", ref)
}

// ListCases returns the cases matching f, newest first.
func (q *Queries) ListCases(ctx context.Context, f incident.CaseQuery) ([]incident.Case, error) {
	var w where
	for _, c := range []struct{ col, val string }{{"org_id", f.OrgID}, {"status", string(f.Status)}, {"assignee", f.Assignee}} {
		if c.val != "" {
			w.add(c.col+` = ?`, c.val)
		}
	}
	if f.NIS2 {
		w.add(`nis2 = ?`, true)
	}
	if !f.Since.IsZero() {
		w.add(`created_at >= ?`, micros(f.Since))
	}
	return q.queryCases(ctx, "store.ListCases", caseSelect+w.String()+
		` ORDER BY created_at DESC, id DESC LIMIT `+w.arg(clampLimit(f.Limit)), w.args...)
}

// PutCase stores c, replacing the case with its id; Conflict when its
// reference is taken by another case.
func (q *Queries) PutCase(ctx context.Context, c incident.Case) error {
	const op = "store.PutCase"
	if err := q.writable(op); err != nil {
		return err
	}
	for _, t := range []struct {
		name string
		at   time.Time
	}{{"created_at", c.CreatedAt}, {"aware_at", c.Aware}} {
		if err := requireTime(op, t.name, t.at); err != nil {
			return err
		}
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO incident_cases (id, reference, org_id, nis2, trust_service, time_zone,
		status, assignee, lessons, follow_up, aware_at, handled_at, created_at, updated_at, closed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, assignee = excluded.assignee, lessons = excluded.lessons,
		handled_at = excluded.handled_at, updated_at = excluded.updated_at, closed_at = excluded.closed_at`,
		c.ID, c.Reference, c.OrgID, c.NIS2, c.TrustService, c.TimeZone, string(c.Status), c.Assignee, c.Lessons,
		c.FollowUp, micros(c.Aware), micros(c.Handled), micros(c.CreatedAt), micros(c.UpdatedAt), micros(c.ClosedAt))
	return conflict(op, checkViolation(op, err), "the reference is taken", map[string]string{"reference": "taken"})
}

// Messages returns the thread of case id, oldest first.
func (q *Queries) Messages(ctx context.Context, caseID string) ([]incident.Message, error) {
	const op = "store.Messages"
	rows, err := q.q.QueryContext(ctx, `SELECT id, case_id, from_org, from_user, office, body, at
		FROM incident_messages WHERE case_id = $1 ORDER BY at, id`, caseID)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []incident.Message
	for rows.Next() {
		var (
			m  incident.Message
			at int64
		)
		if err := rows.Scan(&m.ID, &m.CaseID, &m.FromOrg, &m.FromUser, &m.Office, &m.Body, &at); err != nil {
			return nil, mapErr(op, err)
		}
		m.At = fromMicros(at)
		out = append(out, m)
	}
	return out, mapErr(op, rows.Err())
}

// AddMessage stores m.
func (q *Queries) AddMessage(ctx context.Context, m incident.Message) error {
	const op = "store.AddMessage"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "at", m.At); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO incident_messages (id, case_id, from_org, from_user, office, body, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ID, m.CaseID, m.FromOrg, m.FromUser, m.Office, m.Body, micros(m.At))
	return mapErr(op, checkViolation(op, err))
}

// ClaimReminder records a sent reminder; false when it is recorded already.
// The check and the write are one statement, so two nodes never both send.
func (q *Queries) ClaimReminder(ctx context.Context, caseID string, stage incident.Stage, due time.Time,
	kind incident.DeadlineState, at time.Time) (bool, error) {
	const op = "store.ClaimReminder"
	if err := q.writable(op); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `INSERT INTO incident_reminders (case_id, stage, due_at, kind, sent_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, caseID, string(stage), micros(due), string(kind), micros(at))
	n, err := rowsAffected(op, res, err)
	return n == 1, err
}
