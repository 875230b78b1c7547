package store

import "context"

// WalkBatch exposes walkBatch, so that tests can walk across batches.
const WalkBatch = walkBatch

// Exec runs query on the writer outside every rule of the store: tests use it
// to tamper with rows the way somebody with access to the database could.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := db.write.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
