package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// CreateSTIXCollection stores c without its default marking, which the
// caller stores through designation.SaveMarking.
func (q *Queries) CreateSTIXCollection(ctx context.Context, c cti.Collection) error {
	const op = "store.CreateSTIXCollection"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "created_at", c.CreatedAt); err != nil {
		return err
	}
	if c.Alias != "" {
		var n int
		if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM stix_collections WHERE alias = $1`, c.Alias).Scan(&n); err != nil {
			return mapErr(op, err)
		}
		if n > 0 {
			return &verbund.Error{Op: op, Kind: verbund.Conflict, Msg: "a collection with this alias exists",
				Fields: map[string]string{"alias": "is taken"}}
		}
	}
	media := c.MediaTypes
	if len(media) == 0 {
		media = []string{cti.MediaTypeSTIX}
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO stix_collections (`+stixCollectionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, c.ID, c.Title, c.Description, c.Alias,
		strings.Join(media, ","), c.OwnerOrg, c.ReadersWrite, c.CreatedBy, micros(c.CreatedAt))
	return conflict(op, err, "a collection with this id exists", map[string]string{"id": "is taken"})
}

// ReserveSTIX locks the collection's row until the transaction ends and
// returns n positions after every position taken before. On PostgreSQL the
// row lock makes a second adding transaction wait until the first commits,
// so positions become visible in their order; SQLite has one writer.
func (q *Queries) ReserveSTIX(ctx context.Context, collection string, n int, now time.Time) ([]cti.Position, error) {
	const op = "store.ReserveSTIX"
	if err := q.writable(op); err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, verbund.E(op, verbund.Invalid, "cannot reserve a negative number of positions")
	}
	if n == 0 {
		res, err := q.q.ExecContext(ctx, `UPDATE stix_collections SET last_seq = last_seq WHERE id = $1`, collection)
		switch k, err := rowsAffected(op, res, err); {
		case err != nil:
			return nil, err
		case k == 0:
			return nil, notFound(op, "the collection")
		}
		return nil, nil
	}
	// date_added is now, or one microsecond after the last one if the clock
	// has not moved on (or went back), and then one microsecond apart.
	var lastSeq, lastAdded int64
	err := q.q.QueryRowContext(ctx, `UPDATE stix_collections SET last_seq = last_seq + $2,
		last_added = (CASE WHEN $3 > last_added THEN $3 ELSE last_added + 1 END) + $2 - 1
		WHERE id = $1 RETURNING last_seq, last_added`, collection, int64(n), micros(now)).Scan(&lastSeq, &lastAdded)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(op, "the collection")
	}
	if err != nil {
		return nil, mapErr(op, err)
	}
	ps := make([]cti.Position, n)
	for i := range ps {
		back := int64(n - 1 - i)
		ps[i] = cti.Position{Seq: lastSeq - back, DateAdded: fromMicros(lastAdded - back)}
	}
	return ps, nil
}

// InsertSTIX stores v after ReserveSTIX locked its collection, and keeps
// latest and earliest of the object's versions right.
func (q *Queries) InsertSTIX(ctx context.Context, v cti.Version) error {
	const op = "store.InsertSTIX"
	if err := q.writable(op); err != nil {
		return err
	}
	if v.Version.IsZero() || v.DateAdded.IsZero() {
		return verbund.InvalidFields(op, map[string]string{"version": "a version and a date_added are required"})
	}
	var (
		lo, hi sql.NullInt64
		same   int
	)
	ver := micros(v.Version)
	// The same version is looked for first: on PostgreSQL a failed INSERT
	// would abort the whole transaction.
	err := q.q.QueryRowContext(ctx, `SELECT MIN(version), MAX(version), COUNT(CASE WHEN version = $3 THEN 1 END)
		FROM stix_objects WHERE collection_id = $1 AND stix_id = $2`, v.Collection, v.ID, ver).Scan(&lo, &hi, &same)
	if err != nil {
		return mapErr(op, err)
	}
	if same > 0 {
		return &verbund.Error{Op: op, Kind: verbund.Conflict, Msg: "the collection holds this version of the object"}
	}
	latest, earliest := !hi.Valid || ver > hi.Int64, !lo.Valid || ver < lo.Int64
	if latest && hi.Valid {
		if _, err := q.q.ExecContext(ctx, `UPDATE stix_objects SET latest = FALSE
			WHERE collection_id = $1 AND stix_id = $2 AND latest`, v.Collection, v.ID); err != nil {
			return mapErr(op, err)
		}
	}
	if earliest && lo.Valid {
		if _, err := q.q.ExecContext(ctx, `UPDATE stix_objects SET earliest = FALSE
			WHERE collection_id = $1 AND stix_id = $2 AND earliest`, v.Collection, v.ID); err != nil {
			return mapErr(op, err)
		}
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO stix_objects (collection_id, seq, date_added, stix_id, type,
		spec_version, version, latest, earliest, marking_id, raw) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		v.Collection, v.Seq, micros(v.DateAdded), v.ID, v.Type, v.SpecVersion, ver, latest, earliest,
		v.Marked.ObjectID, []byte(v.Raw))
	return mapErr(op, err)
}

// DeleteSTIX removes versions of object id with their markings, sets
// latest and earliest of the versions that remain, and removes the
// object's observables when none remains.
func (q *Queries) DeleteSTIX(ctx context.Context, collection, id string, versions []time.Time) error {
	const op = "store.DeleteSTIX"
	if _, err := q.ReserveSTIX(ctx, collection, 0, time.Time{}); err != nil {
		return err
	}
	for _, t := range versions {
		var marking string
		err := q.q.QueryRowContext(ctx, `DELETE FROM stix_objects WHERE collection_id = $1 AND stix_id = $2
			AND version = $3 RETURNING marking_id`, collection, id, micros(t)).Scan(&marking)
		if errors.Is(err, sql.ErrNoRows) {
			continue // gone already
		}
		if err != nil {
			return mapErr(op, err)
		}
		if _, err := q.q.ExecContext(ctx, `DELETE FROM object_markings WHERE kind = $1 AND object_id = $2`,
			policy.KindSTIX, marking); err != nil {
			return mapErr(op, err)
		}
	}
	res, err := q.q.ExecContext(ctx, `UPDATE stix_objects SET
		latest = (version = (SELECT MAX(version) FROM stix_objects WHERE collection_id = $1 AND stix_id = $2)),
		earliest = (version = (SELECT MIN(version) FROM stix_objects WHERE collection_id = $1 AND stix_id = $2))
		WHERE collection_id = $1 AND stix_id = $2`, collection, id)
	left, err := rowsAffected(op, res, err)
	if err != nil {
		return err
	}
	if left == 0 {
		if _, err := q.q.ExecContext(ctx, `DELETE FROM stix_observables WHERE collection_id = $1 AND stix_id = $2`,
			collection, id); err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

// AddSTIXObservables records the observables of object id; a value
// recorded already for the object is kept once.
func (q *Queries) AddSTIXObservables(ctx context.Context, collection, id string, obs []stix.Observable) error {
	const op = "store.AddSTIXObservables"
	if err := q.writable(op); err != nil {
		return err
	}
	for _, o := range obs {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO stix_observables (type, value, collection_id, stix_id)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, o.Type, o.Value, collection, id); err != nil {
			return mapErr(op, err)
		}
	}
	return nil
}

// PutSTIXStatus stores status s.
func (q *Queries) PutSTIXStatus(ctx context.Context, s cti.Status) error {
	const op = "store.PutSTIXStatus"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "request_timestamp", s.RequestTimestamp); err != nil {
		return err
	}
	details, err := json.Marshal(statusDetails{Successes: s.Successes, Failures: s.Failures})
	if err != nil {
		return verbund.Errorf(op, err)
	}
	_, err = q.q.ExecContext(ctx, `INSERT INTO stix_status (id, collection_id, org_id, requested_by, requested_at,
		total_count, success_count, failure_count, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, s.Collection, s.OrgID, s.RequestedBy, micros(s.RequestTimestamp), s.Total(), len(s.Successes),
		len(s.Failures), details)
	return conflict(op, err, "a status with this id exists", nil)
}
