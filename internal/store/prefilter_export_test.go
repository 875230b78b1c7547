package store

import (
	"context"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
)

// MarkedCandidates exposes the pre-filter alone, so that the differential
// test can show that it narrows at all.
func (q *Queries) MarkedCandidates(ctx context.Context, pol *policy.Policy, v *policy.Viewer, kind string) ([]designation.Marked, error) {
	return q.markedCandidates(ctx, pol, v, kind)
}
