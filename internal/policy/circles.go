package policy

import (
	"slices"

	"github.com/verbund/verbund"
)

// CircleDef defines a circle: a named sharing group of organisations. A
// circle may contain other circles; every organisation in a contained circle
// is in the containing circle too. Containment may be cyclic (A contains B
// contains A): both then have the same members.
type CircleDef struct {
	ID      string
	Orgs    []string // organisation ids directly in the circle
	Circles []string // ids of circles whose members are members of this one
}

// Circles resolves circle membership transitively. It is built once from all
// circle definitions (when they change, build a new one) and is safe for
// concurrent use. A nil *Circles has no circles.
type Circles struct {
	of      map[string]Set      // org id → every circle it is in, directly or through nesting
	members map[string][]string // circle id → every org in it, sorted
}

// NewCircles resolves defs. It fails when an id is empty or defined twice, or
// when a circle contains a circle that is not defined: a typo must not make a
// circle silently smaller.
func NewCircles(defs []CircleDef) (*Circles, error) {
	const op = "policy.NewCircles"
	index := make(map[string]int, len(defs))
	for i, d := range defs {
		if d.ID == "" {
			return nil, &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "circle-invalid", Msg: "a circle has no id"}
		}
		if _, dup := index[d.ID]; dup {
			return nil, &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "circle-invalid", Msg: "circle " + quote(d.ID) + " is defined twice"}
		}
		index[d.ID] = i
	}
	// parents[i] lists the circles that contain circle i.
	parents := make([][]int, len(defs))
	for i, d := range defs {
		for _, child := range d.Circles {
			j, ok := index[child]
			if !ok {
				return nil, &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "circle-invalid",
					Msg: "circle " + quote(d.ID) + " contains the unknown circle " + quote(child)}
			}
			parents[j] = append(parents[j], i)
		}
	}
	// up[i] is circle i and every circle containing it, transitively. The
	// walk marks what it has seen, so cycles end.
	up := make([][]string, len(defs))
	seen := make([]int, len(defs)) // generation marks: seen[k] == i+1 means visited in walk i
	var stack []int
	for i := range defs {
		stack = append(stack[:0], i)
		seen[i] = i + 1
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			up[i] = append(up[i], defs[k].ID)
			for _, p := range parents[k] {
				if seen[p] != i+1 {
					seen[p] = i + 1
					stack = append(stack, p)
				}
			}
		}
	}
	direct := make(map[string][]string) // org → circles naming it directly or through nesting
	for i, d := range defs {
		for _, org := range d.Orgs {
			if org != "" {
				direct[org] = append(direct[org], up[i]...)
			}
		}
	}
	c := &Circles{of: make(map[string]Set, len(direct)), members: make(map[string][]string)}
	for org, ids := range direct {
		s := NewSet(ids...)
		c.of[org] = s
		for _, id := range s.items {
			c.members[id] = append(c.members[id], org)
		}
	}
	for _, orgs := range c.members {
		slices.Sort(orgs)
	}
	return c, nil
}

// Of returns every circle org is in, directly or through nesting. Viewers
// carry this set.
func (c *Circles) Of(org string) Set {
	if c == nil {
		return Set{}
	}
	return c.of[org]
}

// Orgs returns the organisations in circle id, directly or through nesting,
// sorted. Callers must not modify the result.
func (c *Circles) Orgs(id string) []string {
	if c == nil {
		return nil
	}
	return c.members[id]
}
