package cti

import (
	"context"

	"github.com/verbund/verbund/internal/policy"
)

// NarrowReader is a Reader that can leave out of a scan, in the database,
// the versions the policy certainly refuses a viewer. Page uses it when the
// store has it; the door still decides every version it returns.
type NarrowReader interface {
	// ScanSTIXFor is ScanSTIX without versions whose marking cannot let v
	// see them under pol. It may return versions pol refuses v, never
	// leave out one it allows.
	ScanSTIXFor(ctx context.Context, pol *policy.Policy, v *policy.Viewer, collection string, f Filter, after int64, n int, raw bool) ([]Version, error)
}

// scan returns what ScanSTIX returns, narrowed for v when the store can.
func (s *Service) scan(ctx context.Context, v *policy.Viewer, collection string, f Filter, after int64, n int, raw bool) ([]Version, error) {
	if nr, ok := s.store.(NarrowReader); ok {
		return nr.ScanSTIXFor(ctx, s.door.Policy(), v, collection, f, after, n, raw)
	}
	return s.store.ScanSTIX(ctx, collection, f, after, n, raw)
}
