package policy

import (
	"iter"
	"slices"
)

// Set is an immutable set of identifiers (sector names, circle ids, token
// scopes). It is built once per viewer, so that the many decisions made for
// that viewer look members up without allocating. The zero Set is empty.
type Set struct {
	items []string // sorted, unique, no empty strings; never mutated after NewSet
}

// NewSet returns the set of items. Empty strings are dropped: an empty id
// must never match an empty id on the other side.
func NewSet(items ...string) Set {
	s := make([]string, 0, len(items))
	for _, it := range items {
		if it != "" {
			s = append(s, it)
		}
	}
	slices.Sort(s)
	return Set{items: slices.Compact(s)}
}

// linearMax is the size up to which a linear scan beats binary search on
// short strings; viewers typically have a handful of sectors and scopes.
const linearMax = 8

// Has reports whether x is in s.
func (s Set) Has(x string) bool {
	if len(s.items) <= linearMax {
		for _, it := range s.items {
			if it == x {
				return true
			}
		}
		return false
	}
	_, ok := slices.BinarySearch(s.items, x)
	return ok
}

// Len returns the number of items.
func (s Set) Len() int { return len(s.items) }

// All yields the items in ascending order.
func (s Set) All() iter.Seq[string] { return slices.Values(s.items) }

// contains reports whether list holds x; x == "" never matches.
func contains(list []string, x string) bool {
	if x == "" {
		return false
	}
	for _, it := range list {
		if it == x {
			return true
		}
	}
	return false
}
