package store

import (
	"context"

	"github.com/verbund/verbund/internal/csaf"
)

// PublishedRefs lists the id and tracking id of every published or
// withdrawn warning, by tracking id: the CSAF provider finds a document by
// its file name among them, then asks the sharing door before it reads the
// warning. See csaf.Refs.
func (q *Queries) PublishedRefs(ctx context.Context) ([]csaf.Ref, error) {
	const op = "store.PublishedRefs"
	rows, err := q.q.QueryContext(ctx, `SELECT id, tracking_id FROM warnings WHERE state IN ('published', 'withdrawn') ORDER BY tracking_id`)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []csaf.Ref
	for rows.Next() {
		var r csaf.Ref
		if err := rows.Scan(&r.WarningID, &r.TrackingID); err != nil {
			return nil, mapErr(op, err)
		}
		out = append(out, r)
	}
	return out, mapErr(op, rows.Err())
}
