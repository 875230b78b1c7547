package store

import "context"

// QueryColumn runs query on the read pool and returns the first column of
// every row as text: tests use it to try the SQL pre-filters the schema is
// designed for.
func (db *DB) QueryColumn(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
