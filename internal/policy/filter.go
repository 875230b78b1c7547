package policy

import "time"

// Filter keeps the objects v may see at now, in their order, and returns
// them. Like slices.DeleteFunc it works in place: it reuses objs's backing
// array, zeroes the elements past the result and allocates nothing. Copy
// objs first if the caller still needs the unfiltered list.
func (p *Policy) Filter(v *Viewer, objs []Object, now time.Time) []Object {
	n := 0
	for i := range objs {
		if p.Decide(v, &objs[i], now).Allow {
			if n != i {
				objs[n] = objs[i]
			}
			n++
		}
	}
	clear(objs[n:])
	return objs[:n]
}

// FilterFunc is Filter for a read path's own element type: object returns
// the policy's view of an item (typically a pointer to an embedded Object).
// It works in place, keeps the order and allocates nothing.
func FilterFunc[T any](p *Policy, v *Viewer, items []T, object func(*T) *Object, now time.Time) []T {
	n := 0
	for i := range items {
		if p.Decide(v, object(&items[i]), now).Allow {
			if n != i {
				items[n] = items[i]
			}
			n++
		}
	}
	clear(items[n:])
	return items[:n]
}
