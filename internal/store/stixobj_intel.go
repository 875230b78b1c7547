package store

import (
	"context"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/taxii/cti"
)

// ScanSTIXBefore returns up to n versions of collection matching the ids
// and types of f that were added strictly before before (zero: from the
// newest), newest first, each with its marking and JSON; see cti.Reader.
func (q *Queries) ScanSTIXBefore(ctx context.Context, collection string, f cti.Filter, before time.Time, n int) ([]cti.Version, error) {
	var w where
	w.add(`o.collection_id = ?`, collection)
	if !before.IsZero() {
		w.add(`o.date_added < ?`, micros(before))
	}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		ph := make([]string, len(vals))
		for i, v := range vals {
			ph[i] = w.arg(v)
		}
		w.conds = append(w.conds, col+` IN (`+strings.Join(ph, ", ")+`)`)
	}
	in(`o.stix_id`, f.IDs)
	in(`o.type`, f.Types)
	return q.stixVersions(ctx, "store.ScanSTIXBefore", w.String()+` ORDER BY o.seq DESC LIMIT `+w.arg(max(n, 0)), w.args, true)
}
