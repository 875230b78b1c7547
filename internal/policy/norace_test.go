//go:build !race

package policy

import (
	"slices"
	"testing"
)

// The race detector allocates on its own, so the allocation test is built
// only without it; .ci/run runs it in a pass without -race.

func TestDecideDoesNotAllocate(t *testing.T) {
	p := hubPolicy(t)
	v := member("u-e1", "energy-org", "energy", "finance")
	v.Designations = []Designation{{Category: CategoryISP}, {Category: CategoryDesignatedCSIRT, ValidUntil: now}}
	objs := benchObjects(1000)
	for _, viewer := range []Viewer{v, {}, token("energy-org", "warnings:read"), officeUser("u-analyst", RoleAnalyst)} {
		allocs := testing.AllocsPerRun(10, func() {
			for i := range objs {
				d := p.Decide(&viewer, &objs[i], now)
				_ = d
			}
		})
		if allocs != 0 {
			t.Errorf("Decide for a %s allocates %.1f times per 1000 objects", viewer.Kind, allocs)
		}
	}
	work := slices.Clone(objs)
	if allocs := testing.AllocsPerRun(10, func() {
		copy(work, objs)
		_ = p.Filter(&v, work, now)
	}); allocs != 0 {
		t.Errorf("Filter allocates %.1f times", allocs)
	}
}
