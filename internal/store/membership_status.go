package store

import (
	"context"
	"time"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

// Applications for partner and multiplier status, the contributions and
// activities that follow them, and the office's figures.

const applicationSelect = `SELECT id, org_id, kind, expertise, org_type, description, state,
	submitted_by, submitted_at, decided_by, decided_at, reason, checked FROM membership_applications`

func (q *Queries) queryApplications(ctx context.Context, op, query string, args ...any) ([]membership.Application, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []membership.Application
	for rows.Next() {
		var (
			a                  membership.Application
			submitted, decided int64
			expertise, checked string
		)
		if err := rows.Scan(&a.ID, &a.OrgID, &a.Kind, &expertise, &a.OrgType, &a.Description, &a.State,
			&a.SubmittedBy, &submitted, &a.DecidedBy, &decided, &a.Reason, &checked); err != nil {
			return nil, mapErr(op, err)
		}
		a.SubmittedAt, a.DecidedAt = fromMicros(submitted), fromMicros(decided)
		a.Expertise, a.Checked = splitLines(expertise), splitLines(checked)
		out = append(out, a)
	}
	return out, mapErr(op, rows.Err())
}

// Application returns the application with id; NotFound when there is none.
func (q *Queries) Application(ctx context.Context, id string) (membership.Application, error) {
	const op = "store.Application"
	as, err := q.queryApplications(ctx, op, applicationSelect+` WHERE id = $1`, id)
	if err != nil {
		return membership.Application{}, err
	}
	if len(as) == 0 {
		return membership.Application{}, notFound(op, "the application")
	}
	return as[0], nil
}

// ListApplications returns the applications matching f, oldest first.
func (q *Queries) ListApplications(ctx context.Context, f membership.ApplicationFilter) ([]membership.Application, error) {
	var w where
	if f.OrgID != "" {
		w.add(`org_id = ?`, f.OrgID)
	}
	if f.Kind != "" {
		w.add(`kind = ?`, f.Kind)
	}
	if f.State != "" {
		w.add(`state = ?`, f.State)
	}
	return q.queryApplications(ctx, "store.ListApplications",
		applicationSelect+w.String()+` ORDER BY submitted_at, id`, w.args...)
}

// CreateApplication stores a; Conflict when its organisation has an open
// application of the same kind.
func (q *Queries) CreateApplication(ctx context.Context, a membership.Application) error {
	const op = "store.CreateApplication"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "submitted_at", a.SubmittedAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO membership_applications (id, org_id, kind, expertise,
		org_type, description, state, submitted_by, submitted_at, decided_by, decided_at, reason, checked)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.OrgID, a.Kind, lines(a.Expertise), a.OrgType, a.Description, a.State, a.SubmittedBy,
		micros(a.SubmittedAt), a.DecidedBy, micros(a.DecidedAt), a.Reason, lines(a.Checked))
	return conflict(op, err, "the organisation has an open application of this kind", nil)
}

// DecideApplication stores the decision in a while the application is
// pending; false when it is not (decided, or withdrawn), NotFound when there
// is no application a.ID.
func (q *Queries) DecideApplication(ctx context.Context, a membership.Application) (bool, error) {
	const op = "store.DecideApplication"
	if err := q.writable(op); err != nil {
		return false, err
	}
	if err := requireTime(op, "decided_at", a.DecidedAt); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE membership_applications SET state = $2, decided_by = $3,
		decided_at = $4, reason = $5, checked = $6 WHERE id = $1 AND state = $7`,
		a.ID, a.State, a.DecidedBy, micros(a.DecidedAt), a.Reason, lines(a.Checked), membership.Pending)
	n, err := rowsAffected(op, res, err)
	if err != nil || n > 0 {
		return n > 0, err
	}
	_, err = q.Application(ctx, a.ID)
	return false, err
}

const contributionSelect = `SELECT id, org_id, application_id, kind, type, title, description, link,
	state, submitted_by, submitted_at, decided_by, decided_at, reason FROM membership_contributions`

func (q *Queries) queryContributions(ctx context.Context, op, query string, args ...any) ([]membership.Contribution, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []membership.Contribution
	for rows.Next() {
		var (
			c                  membership.Contribution
			submitted, decided int64
		)
		if err := rows.Scan(&c.ID, &c.OrgID, &c.ApplicationID, &c.Kind, &c.Type, &c.Title, &c.Description,
			&c.Link, &c.State, &c.SubmittedBy, &submitted, &c.DecidedBy, &decided, &c.Reason); err != nil {
			return nil, mapErr(op, err)
		}
		c.SubmittedAt, c.DecidedAt = fromMicros(submitted), fromMicros(decided)
		out = append(out, c)
	}
	return out, mapErr(op, rows.Err())
}

// Contribution returns the contribution with id; NotFound when there is none.
func (q *Queries) Contribution(ctx context.Context, id string) (membership.Contribution, error) {
	const op = "store.Contribution"
	cs, err := q.queryContributions(ctx, op, contributionSelect+` WHERE id = $1`, id)
	if err != nil {
		return membership.Contribution{}, err
	}
	if len(cs) == 0 {
		return membership.Contribution{}, notFound(op, "the contribution")
	}
	return cs[0], nil
}

// ListContributions returns the contributions matching f, oldest first.
func (q *Queries) ListContributions(ctx context.Context, f membership.ContributionFilter) ([]membership.Contribution, error) {
	var w where
	if f.OrgID != "" {
		w.add(`org_id = ?`, f.OrgID)
	}
	if f.Kind != "" {
		w.add(`kind = ?`, f.Kind)
	}
	if f.State != "" {
		w.add(`state = ?`, f.State)
	}
	return q.queryContributions(ctx, "store.ListContributions",
		contributionSelect+w.String()+` ORDER BY submitted_at, id`, w.args...)
}

// CreateContribution stores c; Invalid when its organisation or application
// does not exist.
func (q *Queries) CreateContribution(ctx context.Context, c membership.Contribution) error {
	const op = "store.CreateContribution"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "submitted_at", c.SubmittedAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO membership_contributions (id, org_id, application_id,
		kind, type, title, description, link, state, submitted_by, submitted_at, decided_by, decided_at, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		c.ID, c.OrgID, c.ApplicationID, c.Kind, c.Type, c.Title, c.Description, c.Link, c.State,
		c.SubmittedBy, micros(c.SubmittedAt), c.DecidedBy, micros(c.DecidedAt), c.Reason)
	return mapErr(op, err)
}

// DecideContribution stores the decision in c while the contribution is
// pending; false when it is not, NotFound when there is no contribution c.ID.
func (q *Queries) DecideContribution(ctx context.Context, c membership.Contribution) (bool, error) {
	const op = "store.DecideContribution"
	if err := q.writable(op); err != nil {
		return false, err
	}
	if err := requireTime(op, "decided_at", c.DecidedAt); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE membership_contributions SET state = $2, decided_by = $3,
		decided_at = $4, reason = $5 WHERE id = $1 AND state = $6`,
		c.ID, c.State, c.DecidedBy, micros(c.DecidedAt), c.Reason, membership.Pending)
	n, err := rowsAffected(op, res, err)
	if err != nil || n > 0 {
		return n > 0, err
	}
	_, err = q.Contribution(ctx, c.ID)
	return false, err
}

// WithdrawOpen withdraws the pending applications and contributions of
// organisation orgID, recording at as their decision time; it returns how
// many it withdrew.
func (q *Queries) WithdrawOpen(ctx context.Context, orgID string, at time.Time) (int, error) {
	const op = "store.WithdrawOpen"
	if err := q.writable(op); err != nil {
		return 0, err
	}
	total := 0
	for _, table := range []string{"membership_applications", "membership_contributions"} {
		// The table names are ours: safe to splice in.
		res, err := q.q.ExecContext(ctx, `UPDATE `+table+` SET state = $3, decided_at = $4
			WHERE org_id = $1 AND state = $2`, orgID, membership.Pending, membership.Withdrawn, micros(at))
		n, err := rowsAffected(op, res, err)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// MembershipCounts counts member organisations by status, and those not
// terminated by sector and by size class ("" for none).
func (q *Queries) MembershipCounts(ctx context.Context) (membership.Counts, error) {
	const op = "store.MembershipCounts"
	c := membership.Counts{ByStatus: map[string]int{}, BySector: map[string]int{}, BySize: map[string]int{}}
	member, ended := identity.KindMember, identity.StatusTerminated
	for _, g := range []struct {
		into  map[string]int
		query string
		args  []any
	}{
		{c.ByStatus, `SELECT o.status, count(*) FROM organisations o WHERE o.kind = $1 GROUP BY o.status`,
			[]any{member}},
		{c.BySector, `SELECT s.sector, count(*) FROM organisations o JOIN organisation_sectors s ON s.org_id = o.id
			WHERE o.kind = $1 AND o.status <> $2 GROUP BY s.sector`, []any{member, ended}},
		{c.BySize, `SELECT COALESCE(p.size_class, ''), count(*) FROM organisations o
			LEFT JOIN membership_profiles p ON p.org_id = o.id
			WHERE o.kind = $1 AND o.status <> $2 GROUP BY COALESCE(p.size_class, '')`, []any{member, ended}},
	} {
		if err := q.countInto(ctx, op, g.into, g.query, g.args...); err != nil {
			return membership.Counts{}, err
		}
	}
	return c, nil
}

// countInto adds the (key, count) rows of query to into.
func (q *Queries) countInto(ctx context.Context, op string, into map[string]int, query string, args ...any) error {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return mapErr(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			key string
			n   int
		)
		if err := rows.Scan(&key, &n); err != nil {
			return mapErr(op, err)
		}
		into[key] += n
	}
	return mapErr(op, rows.Err())
}
