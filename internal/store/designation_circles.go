package store

import (
	"context"
	"time"

	"github.com/verbund/verbund/internal/designation"
)

// circleLockKey is the PostgreSQL advisory lock that serialises changes of
// circle nesting (7311042 guards migrations, 7311043 the audit log).
const circleLockKey = 7311044

const circleSelect = `SELECT id, name, description, owner_org, hide_members, created_by, created_at,
	updated_at FROM circles`

func (q *Queries) queryCircles(ctx context.Context, op, query string, args ...any) ([]designation.Circle, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []designation.Circle
	for rows.Next() {
		var (
			c                designation.Circle
			created, updated int64
		)
		if err := rows.Scan(&c.ID, &c.Name, &c.Description, &c.OwnerOrg, &c.HideMembers, &c.CreatedBy,
			&created, &updated); err != nil {
			return nil, mapErr(op, err)
		}
		c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, c)
	}
	return out, mapErr(op, rows.Err())
}

// circleMembers returns the pairs (circle, member) of the membership table
// (circle_orgs or circle_circles, with its member column), ordered by
// circle and member, for one circle or, with id "", for all.
func (q *Queries) circleMembers(ctx context.Context, op, table, column, id string) (map[string][]string, error) {
	// table and column are constants of this file, never input.
	query := `SELECT circle_id, ` + column + ` FROM ` + table
	var args []any
	if id != "" {
		query += ` WHERE circle_id = $1`
		args = append(args, id)
	}
	rows, err := q.q.QueryContext(ctx, query+` ORDER BY circle_id, `+column, args...)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var c, m string
		if err := rows.Scan(&c, &m); err != nil {
			return nil, mapErr(op, err)
		}
		out[c] = append(out[c], m)
	}
	return out, mapErr(op, rows.Err())
}

// withMembers fills in the direct members of cs, one circle or all.
func (q *Queries) withMembers(ctx context.Context, op, id string, cs []designation.Circle) error {
	orgs, err := q.circleMembers(ctx, op, "circle_orgs", "org_id", id)
	if err != nil {
		return err
	}
	circles, err := q.circleMembers(ctx, op, "circle_circles", "member_id", id)
	if err != nil {
		return err
	}
	for i := range cs {
		cs[i].Orgs, cs[i].Circles = orgs[cs[i].ID], circles[cs[i].ID]
	}
	return nil
}

// Circle returns circle id with its direct members, each list sorted;
// NotFound when there is none.
func (q *Queries) Circle(ctx context.Context, id string) (designation.Circle, error) {
	const op = "store.Circle"
	cs, err := q.queryCircles(ctx, op, circleSelect+` WHERE id = $1`, id)
	if err != nil {
		return designation.Circle{}, err
	}
	if len(cs) == 0 {
		return designation.Circle{}, notFound(op, "the circle")
	}
	if err := q.withMembers(ctx, op, id, cs); err != nil {
		return designation.Circle{}, err
	}
	return cs[0], nil
}

// ListCircles returns every circle with its direct members, by owner, then
// name regardless of case, then id.
func (q *Queries) ListCircles(ctx context.Context) ([]designation.Circle, error) {
	const op = "store.ListCircles"
	cs, err := q.queryCircles(ctx, op, circleSelect+` ORDER BY owner_org, lower(name), id`)
	if err != nil {
		return nil, err
	}
	if err := q.withMembers(ctx, op, "", cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// LockCircles serialises changes of circle nesting until the transaction
// ends. SQLite's one writer does so already.
func (q *Queries) LockCircles(ctx context.Context) error {
	const op = "store.LockCircles"
	if err := q.writable(op); err != nil {
		return err
	}
	if q.dialect == Postgres {
		_, err := q.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, circleLockKey)
		return mapErr(op, err)
	}
	return nil
}

// circleTaken says what a new or renamed circle collides with.
const circleTaken = "the owner has a circle of this name already"

// CreateCircle stores c without members; Conflict when its owner has a
// circle of the same name in any case, Invalid when the owner does not
// exist.
func (q *Queries) CreateCircle(ctx context.Context, c designation.Circle) error {
	const op = "store.CreateCircle"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO circles (id, name, description, owner_org, hide_members,
		created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.ID, c.Name, c.Description, c.OwnerOrg, c.HideMembers, c.CreatedBy, micros(c.CreatedAt), micros(c.UpdatedAt))
	return conflict(op, err, circleTaken, map[string]string{"name": "already taken"})
}

// UpdateCircle replaces the name, description, hiding flag and update time
// of c; NotFound when it does not exist, Conflict as CreateCircle.
func (q *Queries) UpdateCircle(ctx context.Context, c designation.Circle) error {
	const op = "store.UpdateCircle"
	if err := q.writable(op); err != nil {
		return err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE circles SET name = $2, description = $3, hide_members = $4,
		updated_at = $5 WHERE id = $1`, c.ID, c.Name, c.Description, c.HideMembers, micros(c.UpdatedAt))
	n, err := rowsAffected(op, res, err)
	if err != nil {
		return conflict(op, err, circleTaken, map[string]string{"name": "already taken"})
	}
	if n == 0 {
		return notFound(op, "the circle")
	}
	return nil
}

// AddCircleOrg puts organisation orgID into circle id; Conflict when it is
// in already, Invalid when either does not exist.
func (q *Queries) AddCircleOrg(ctx context.Context, id, orgID, by string, at time.Time) error {
	const op = "store.AddCircleOrg"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO circle_orgs (circle_id, org_id, added_by, added_at)
		VALUES ($1, $2, $3, $4)`, id, orgID, by, micros(at))
	return conflict(op, err, "the organisation is in the circle already", nil)
}

// RemoveCircleOrg takes organisation orgID out of circle id; false when it
// was not in.
func (q *Queries) RemoveCircleOrg(ctx context.Context, id, orgID string) (bool, error) {
	const op = "store.RemoveCircleOrg"
	if err := q.writable(op); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM circle_orgs WHERE circle_id = $1 AND org_id = $2`, id, orgID)
	n, err := rowsAffected(op, res, err)
	return n > 0, err
}

// AddCircleCircle makes circle member a member of circle id; Conflict when
// it is one already, Invalid when either does not exist or they are the
// same. Longer cycles are for the caller to refuse (see LockCircles).
func (q *Queries) AddCircleCircle(ctx context.Context, id, member, by string, at time.Time) error {
	const op = "store.AddCircleCircle"
	if err := q.writable(op); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO circle_circles (circle_id, member_id, added_by, added_at)
		VALUES ($1, $2, $3, $4)`, id, member, by, micros(at))
	return conflict(op, checkViolation(op, err), "the circle is a member already", nil)
}

// RemoveCircleCircle takes circle member out of circle id; false when it
// was not in.
func (q *Queries) RemoveCircleCircle(ctx context.Context, id, member string) (bool, error) {
	const op = "store.RemoveCircleCircle"
	if err := q.writable(op); err != nil {
		return false, err
	}
	res, err := q.q.ExecContext(ctx, `DELETE FROM circle_circles WHERE circle_id = $1 AND member_id = $2`, id, member)
	n, err := rowsAffected(op, res, err)
	return n > 0, err
}
