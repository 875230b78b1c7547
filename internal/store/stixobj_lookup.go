package store

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The observable index answers batches: every key of a batch is looked up
// by the primary key of stix_observables (type, value, …) in one statement
// per chunk of keys, the keys passed as one JSON parameter (SQLite) or two
// arrays (PostgreSQL); see pairsTable.

var _ cti.LookupStore = stixStore{}

// lookupChunk is how many keys or references one statement takes.
const lookupChunk = 5000

// STIXObservableMatches returns, for each of keys, up to limit objects
// whose pattern compares it; see cti.LookupStore.
func (q *Queries) STIXObservableMatches(ctx context.Context, keys []stix.Observable, limit int) ([][]cti.ObjectRef, error) {
	const op = "store.STIXObservableMatches"
	out := make([][]cti.ObjectRef, len(keys))
	for start := 0; start < len(keys); start += lookupChunk {
		part := keys[start:min(start+lookupChunk, len(keys))]
		types, values := make([]string, len(part)), make([]string, len(part))
		for i, k := range part {
			types[i], values[i] = k.Type, k.Value
		}
		with, args, err := q.pairsTable("k", types, values)
		if err != nil {
			return nil, verbund.Errorf(op, err)
		}
		// Each key's rows are a range of the primary key; the window keeps
		// the answer for a value that thousands of objects compare bounded.
		query := with + `
			SELECT n, collection_id, stix_id FROM (
				SELECT k.n, o.collection_id, o.stix_id,
					ROW_NUMBER() OVER (PARTITION BY k.n ORDER BY o.collection_id, o.stix_id) AS r
				FROM k CROSS JOIN stix_observables o
				WHERE o.type = k.a AND o.value = k.b) x
			WHERE r <= ` + strconv.Itoa(max(limit, 1))
		rows, err := q.q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, mapErr(op, err)
		}
		for rows.Next() {
			var (
				n int
				r cti.ObjectRef
			)
			if err := rows.Scan(&n, &r.Collection, &r.ID); err != nil {
				rows.Close()
				return nil, mapErr(op, err)
			}
			if n += start; n >= start && n < len(out) {
				out[n] = append(out[n], r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(op, err)
		}
	}
	for i := range out {
		slices.SortFunc(out[i], func(a, b cti.ObjectRef) int {
			if c := strings.Compare(a.Collection, b.Collection); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	return out, nil
}

// STIXBlockLengths returns the prefix lengths of the CIDR blocks in the
// index; see cti.LookupStore. It reads the index's addresses, which is why
// the service keeps the answer for a while.
func (q *Queries) STIXBlockLengths(ctx context.Context) (map[string][]int, error) {
	const op = "store.STIXBlockLengths"
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT type, value FROM stix_observables
		WHERE type IN ($1, $2) AND value LIKE '%/%'`, stix.IPv4Addr, stix.IPv6Addr)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	out := map[string][]int{}
	for rows.Next() {
		var typ, value string
		if err := rows.Scan(&typ, &value); err != nil {
			return nil, mapErr(op, err)
		}
		p, err := netip.ParsePrefix(value)
		if err != nil {
			continue
		}
		if n := p.Bits(); !slices.Contains(out[typ], n) {
			out[typ] = append(out[typ], n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(op, err)
	}
	for _, ns := range out {
		slices.Sort(ns)
	}
	return out, nil
}

// STIXVersionsFor returns every version of the objects refs with JSON and
// marking, by collection, id, then version; see cti.LookupStore.
func (q *Queries) STIXVersionsFor(ctx context.Context, refs []cti.ObjectRef) ([]cti.Version, error) {
	const op = "store.STIXVersionsFor"
	var out []cti.Version
	for start := 0; start < len(refs); start += lookupChunk {
		part := refs[start:min(start+lookupChunk, len(refs))]
		colls, ids := make([]string, len(part)), make([]string, len(part))
		for i, r := range part {
			colls[i], ids[i] = r.Collection, r.ID
		}
		with, args, err := q.pairsTable("r", colls, ids)
		if err != nil {
			return nil, verbund.Errorf(op, err)
		}
		vs, err := q.stixVersionsWith(ctx, op, with+" ", `r CROSS JOIN `,
			` WHERE o.collection_id = r.a AND o.stix_id = r.b`, args, true)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	slices.SortFunc(out, func(a, b cti.Version) int {
		if c := strings.Compare(a.Collection, b.Collection); c != 0 {
			return c
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return a.Version.Compare(b.Version)
	})
	return out, nil
}

// pairsTable returns a WITH clause that names a table (n, a, b) of the
// pairs as[i], bs[i] with n = i, and its arguments: one JSON parameter on
// SQLite, two arrays on PostgreSQL. Either way the statement's text does not
// grow with the pairs, so that preparing it costs the same for a batch of
// ten thousand as for one.
func (q *Queries) pairsTable(name string, as, bs []string) (string, []any, error) {
	if q.dialect == SQLite {
		pairs := make([][2]string, len(as))
		for i := range as {
			pairs[i] = [2]string{as[i], bs[i]}
		}
		j, err := json.Marshal(pairs)
		if err != nil {
			return "", nil, err
		}
		return `WITH ` + name + ` (n, a, b) AS (SELECT CAST(key AS INTEGER), json_extract(value, '$[0]'), json_extract(value, '$[1]')
			FROM json_each(?))`, []any{string(j)}, nil
	}
	return `WITH ` + name + ` (n, a, b) AS (SELECT CAST(u.n - 1 AS INTEGER), u.a, u.b
		FROM unnest(CAST($1 AS TEXT[]), CAST($2 AS TEXT[])) WITH ORDINALITY AS u (a, b, n))`, []any{as, bs}, nil
}
