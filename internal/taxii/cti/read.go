package cti

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
)

// Selection is the TAXII version filter (match[version]): the first or last
// version of each object, all versions, or versions at given timestamps.
// The parts are alternatives. First and Last are taken among the versions
// the viewer may see that match the spec versions asked for.
type Selection struct {
	All, First, Last bool
	At               []time.Time
}

// IsZero reports whether s selects nothing explicitly; listings then take
// the last version, as TAXII says.
func (s Selection) IsZero() bool { return !s.All && !s.First && !s.Last && len(s.At) == 0 }

// Query is what a listing asks for.
type Query struct {
	Filter
	Select Selection // zero: Last
}

// Page is one page of a listing.
type Page struct {
	Versions []Version
	// More is true when the listing may go on; Next is then the position to
	// resume after. A page may hold fewer versions than asked for, even
	// none, and still have More: a listing decides at most a bounded number
	// of stored versions per page.
	More bool
	Next Position
}

// Page returns up to limit versions of c that match q and that the viewer v
// may see, after the position after (zero: from the start), in the order
// they were added. raw asks for the objects' JSON. Every version passes
// the door; the store only narrows.
func (s *Service) Page(ctx context.Context, v *policy.Viewer, c *Collection, q Query, after Position, limit int, raw bool) (Page, error) {
	if limit < 1 {
		return Page{}, verbund.E("cti.Page", verbund.Invalid, "the limit must be positive")
	}
	sel := q.Select
	if sel.IsZero() {
		sel.Last = true
	}
	f := q.Filter
	if !sel.All && !sel.First && !sel.Last {
		f.Versions = sel.At
	}
	maxScan := int(s.maxScan.Load())
	batch := min(max(limit+1, 64), 2000, maxScan)
	var out Page
	cur, scanned := after, 0
	for {
		vs, err := s.scan(ctx, v, c.ID, f, cur.Seq, batch, raw)
		if err != nil {
			return Page{}, err
		}
		keep, err := s.selected(ctx, v, c, vs, sel, f.SpecVersions)
		if err != nil {
			return Page{}, err
		}
		for i := range vs {
			if !keep[i] {
				continue
			}
			if len(out.Versions) == limit {
				last := &out.Versions[limit-1]
				out.More, out.Next = true, Position{Seq: last.Seq, DateAdded: last.DateAdded}
				return out, nil
			}
			out.Versions = append(out.Versions, vs[i])
		}
		scanned += len(vs)
		if n := len(vs); n > 0 {
			cur = Position{Seq: vs[n-1].Seq, DateAdded: vs[n-1].DateAdded}
		}
		if len(vs) < batch {
			return out, nil
		}
		if scanned >= maxScan {
			// Everything up to cur was decided: resume after it.
			out.More, out.Next = true, cur
			return out, nil
		}
	}
}

// selected decides which of vs the viewer gets under sel: those it may see
// and that the selection picks among the versions it may see.
func (s *Service) selected(ctx context.Context, v *policy.Viewer, c *Collection, vs []Version, sel Selection, specs []string) ([]bool, error) {
	keep := make([]bool, len(vs))
	var unsure []string // objects whose first or last visible version needs a look at the others
	for i := range vs {
		o := vs[i].Object()
		if !s.door.Decide(v, &o).Allow {
			continue
		}
		keep[i] = true
		if !sel.All && (sel.Last && !vs[i].Latest || sel.First && !vs[i].Earliest) {
			unsure = append(unsure, vs[i].ID)
		}
	}
	var lo, hi map[string]time.Time // earliest and latest visible version per object
	if len(unsure) > 0 {
		slices.Sort(unsure)
		unsure = slices.Compact(unsure)
		all, err := s.store.STIXVersionsOf(ctx, c.ID, unsure)
		if err != nil {
			return nil, err
		}
		lo, hi = map[string]time.Time{}, map[string]time.Time{}
		for i := range all {
			w := &all[i]
			if len(specs) > 0 && !slices.Contains(specs, w.SpecVersion) {
				continue
			}
			if o := w.Object(); !s.door.Decide(v, &o).Allow {
				continue
			}
			if t, ok := lo[w.ID]; !ok || w.Version.Before(t) {
				lo[w.ID] = w.Version
			}
			if t, ok := hi[w.ID]; !ok || w.Version.After(t) {
				hi[w.ID] = w.Version
			}
		}
	}
	for i := range vs {
		if !keep[i] || sel.All {
			continue
		}
		w := &vs[i]
		keep[i] = slices.ContainsFunc(sel.At, w.Version.Equal) ||
			sel.Last && (w.Latest || w.Version.Equal(hi[w.ID])) ||
			sel.First && (w.Earliest || w.Version.Equal(lo[w.ID]))
	}
	return keep, nil
}

// Visible returns the versions of object id in c that the viewer v of
// principal p may see, by version, without their JSON; NotFound when there
// are none, whether the object does not exist or is not for v. A named
// object that exists but is not for v is refused through the door, which
// records the refusal in the audit log.
func (s *Service) Visible(ctx context.Context, p identity.Principal, v *policy.Viewer, c *Collection, id string) ([]Version, error) {
	all, err := s.store.STIXVersionsOf(ctx, c.ID, []string{id})
	if err != nil {
		return nil, err
	}
	var out []Version
	for i := range all {
		if o := all[i].Object(); s.door.Decide(v, &o).Allow {
			out = append(out, all[i])
		}
	}
	if len(out) == 0 {
		if n := len(all); n > 0 {
			o := all[n-1].Object()
			s.door.Read(ctx, p, v, &o)
		}
		return nil, verbund.E("cti.Visible", verbund.NotFound, "no such object in the collection")
	}
	return out, nil
}

// Delete removes from c the versions of object id that sel picks among
// those v may see and that match specs (all of them when sel is zero). The
// organisation that added a version may delete it, and so may the owner of
// the collection; both need write access to c. NotFound when v sees no
// such version, Forbidden when one of them is not v's to delete. It
// returns how many versions it removed.
func (s *Service) Delete(ctx context.Context, p identity.Principal, v *policy.Viewer, c *Collection, id string, sel Selection, specs []string) (int, error) {
	const op = "cti.Delete"
	if _, write := s.Access(p, v, c); !write {
		return 0, verbund.E(op, verbund.Forbidden, "you may not delete objects from this collection")
	}
	vs, err := s.Visible(ctx, p, v, c, id)
	if err != nil {
		return 0, err
	}
	vs = slices.DeleteFunc(vs, func(w Version) bool { return len(specs) > 0 && !slices.Contains(specs, w.SpecVersion) })
	if !sel.IsZero() && !sel.All && len(vs) > 0 {
		first, last := vs[0].Version, vs[len(vs)-1].Version // vs is by version
		vs = slices.DeleteFunc(vs, func(w Version) bool {
			return !(slices.ContainsFunc(sel.At, w.Version.Equal) || sel.First && w.Version.Equal(first) || sel.Last && w.Version.Equal(last))
		})
	}
	if len(vs) == 0 {
		return 0, verbund.E(op, verbund.NotFound, "no version of the object matches")
	}
	versions := make([]time.Time, len(vs))
	for i := range vs {
		if vs[i].Marked.OwnerOrg != v.OrgID && c.OwnerOrg != v.OrgID {
			return 0, verbund.E(op, verbund.Forbidden, "only the organisation that added a version, or the owner of the collection, may delete it")
		}
		versions[i] = vs[i].Version
	}
	now := s.now().UTC()
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteSTIX(ctx, c.ID, id, versions); err != nil {
			return err
		}
		e := actorEntry(ctx, p, now, "stix.delete", audit.Success)
		e.ObjectType, e.ObjectID = policy.KindSTIX, c.ID+"/"+id
		e.Reason = "deleted " + strconv.Itoa(len(versions)) + " version(s)"
		_, err := tx.AppendAudit(ctx, e)
		return err
	})
	if err != nil {
		return 0, err
	}
	return len(versions), nil
}

// Lookup returns, of every object whose indicator pattern compares o, the
// newest version v may see, in any collection v may read.
func (s *Service) Lookup(ctx context.Context, p identity.Principal, v *policy.Viewer, o stix.Observable) ([]Version, error) {
	refs, err := s.store.STIXObservableRefs(ctx, o)
	if err != nil {
		return nil, err
	}
	byCollection := map[string][]string{}
	var order []string
	for _, r := range refs {
		if _, ok := byCollection[r.Collection]; !ok {
			order = append(order, r.Collection)
		}
		byCollection[r.Collection] = append(byCollection[r.Collection], r.ID)
	}
	var out []Version
	for _, cid := range order {
		c, err := s.store.STIXCollection(ctx, cid)
		if err != nil {
			return nil, err
		}
		if read, _ := s.Access(p, v, &c); !read {
			continue
		}
		all, err := s.store.STIXVersionsOf(ctx, cid, byCollection[cid])
		if err != nil {
			return nil, err
		}
		var newest *Version
		for i := range all {
			w := &all[i]
			if newest != nil && newest.ID != w.ID {
				out = append(out, *newest)
				newest = nil
			}
			if ob := w.Object(); s.door.Decide(v, &ob).Allow {
				newest = w // versions come by id, then version
			}
		}
		if newest != nil {
			out = append(out, *newest)
		}
	}
	return out, nil
}
