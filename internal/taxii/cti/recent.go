package cti

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// Cursor is where a listing of the newest objects goes on: with what was
// added before the version added at DateAdded to Collection. Versions are
// ordered by date_added, then collection id, both descending; date_added
// increases strictly within a collection, so the order is total.
type Cursor struct {
	DateAdded  time.Time
	Collection string
}

// IsZero reports whether c is the start of a listing.
func (c Cursor) IsZero() bool { return c.DateAdded.IsZero() }

// String writes c for a URL: microseconds since the epoch, a dot, the
// collection id.
func (c Cursor) String() string {
	return strconv.FormatInt(c.DateAdded.UnixMicro(), 10) + "." + c.Collection
}

// ParseCursor reads a cursor String wrote; "" is the start. Anything else
// is a verbund.Invalid error: the value comes from a URL.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	bad := verbund.E("cti.ParseCursor", verbund.Invalid, "the position in the listing is not valid; start from the beginning")
	at, coll, ok := strings.Cut(s, ".")
	if !ok || at == "" || at[0] == '+' || at[0] == '-' {
		return Cursor{}, bad
	}
	us, err := strconv.ParseInt(at, 10, 64)
	if err != nil || us <= 0 || us > 253402300799999999 { // up to 9999-12-31
		return Cursor{}, bad
	}
	if u, err := uuid.Parse(coll); err != nil || u.String() != coll {
		return Cursor{}, bad
	}
	return Cursor{DateAdded: time.UnixMicro(us).UTC(), Collection: coll}, nil
}

func (c Cursor) less(d Cursor) bool {
	if !c.DateAdded.Equal(d.DateAdded) {
		return c.DateAdded.Before(d.DateAdded)
	}
	return c.Collection < d.Collection
}

func cursorOf(v *Version) Cursor { return Cursor{DateAdded: v.DateAdded, Collection: v.Collection} }

// Recent returns, newest first, up to limit objects of the collections cs
// that the viewer v of principal p may read, each in the newest version v
// may see, after the cursor after (zero: from the newest). types narrows
// to those STIX types. next is the cursor of the following page, zero at
// the end. Collections v may not read are left out; every version passes
// the door.
func (s *Service) Recent(ctx context.Context, p identity.Principal, v *policy.Viewer, cs []Collection, types []string, after Cursor, limit int) (out []Version, next Cursor, err error) {
	if limit < 1 {
		return nil, Cursor{}, verbund.E("cti.Recent", verbund.Invalid, "the limit must be positive")
	}
	maxScan := int(s.maxScan.Load())
	batch := min(max(2*limit, 64), 500)
	type part struct {
		found []Version
		done  bool   // nothing older is left
		floor Cursor // the oldest version decided, when not done
	}
	var parts []part
	for i := range cs {
		c := &cs[i]
		if read, _ := s.Access(p, v, c); !read {
			continue
		}
		before := after.DateAdded
		if !after.IsZero() && c.ID < after.Collection {
			before = before.Add(time.Microsecond) // the tie at DateAdded comes later in the order
		}
		var pt part
		scanned := 0
		for {
			vs, err := s.store.ScanSTIXBefore(ctx, c.ID, Filter{Types: types}, before, batch)
			if err != nil {
				return nil, Cursor{}, err
			}
			keep, err := s.selected(ctx, v, c, vs, Selection{Last: true}, nil)
			if err != nil {
				return nil, Cursor{}, err
			}
			for k := range vs {
				if keep[k] {
					pt.found = append(pt.found, vs[k])
				}
			}
			scanned += len(vs)
			if len(vs) < batch {
				pt.done = true
				break
			}
			oldest := &vs[len(vs)-1]
			before = oldest.DateAdded
			if len(pt.found) >= limit || scanned >= maxScan {
				pt.floor = cursorOf(oldest)
				break
			}
		}
		parts = append(parts, pt)
	}
	// What lies below the highest floor of a collection not read to its end
	// is not decided yet: it waits for the next page.
	var cutoff Cursor
	for _, pt := range parts {
		out = append(out, pt.found...)
		if !pt.done && cutoff.less(pt.floor) {
			cutoff = pt.floor
		}
	}
	slices.SortFunc(out, func(a, b Version) int {
		ca, cb := cursorOf(&a), cursorOf(&b)
		switch {
		case cb.less(ca):
			return -1
		case ca.less(cb):
			return 1
		}
		return 0
	})
	if !cutoff.IsZero() {
		out = slices.DeleteFunc(out, func(w Version) bool { return cursorOf(&w).less(cutoff) })
	}
	if len(out) > limit {
		out = out[:limit]
		return out, cursorOf(&out[limit-1]), nil
	}
	return out, cutoff, nil
}
