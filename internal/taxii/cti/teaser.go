package cti

import (
	"context"
	"encoding/json"

	"github.com/verbund/verbund/internal/policy"
)

// Teaser returns the newest version of object id in c, without JSON, when
// the viewer v may not read it but may learn that it exists
// (sharing.Door.ExistenceShows): a page then shows its type, level and
// owner and offers to ask for access. ok is false otherwise; callers first
// ask Visible, which records the refused read.
func (s *Service) Teaser(ctx context.Context, v *policy.Viewer, c *Collection, id string) (Version, bool, error) {
	all, err := s.store.STIXVersionsOf(ctx, c.ID, []string{id})
	if err != nil || len(all) == 0 {
		return Version{}, false, err
	}
	newest := all[len(all)-1]
	o := newest.Object()
	if s.door.Decide(v, &o).Allow || !s.door.ExistenceShows(v, &o) {
		return Version{}, false, nil
	}
	return newest, true, nil
}

// Sightings returns the newest version v may see of every sighting in c
// whose sighting_of_ref is id, with its JSON, in the order they were added.
func (s *Service) Sightings(ctx context.Context, v *policy.Viewer, c *Collection, id string) ([]Version, error) {
	return s.referring(ctx, v, c, "sighting", func(r refs) bool { return r.SightingOf == id })
}

// Relationships returns the newest version v may see of every relationship
// in c whose source_ref or target_ref is id, with its JSON.
func (s *Service) Relationships(ctx context.Context, v *policy.Viewer, c *Collection, id string) ([]Version, error) {
	return s.referring(ctx, v, c, "relationship", func(r refs) bool { return r.Source == id || r.Target == id })
}

// refs are the references of sightings and relationships.
type refs struct {
	SightingOf string `json:"sighting_of_ref"`
	Source     string `json:"source_ref"`
	Target     string `json:"target_ref"`
}

// referring reads the objects of type typ in c that v may see and keeps
// those match accepts. Such references are not indexed: it reads at most
// ten pages of 500.
func (s *Service) referring(ctx context.Context, v *policy.Viewer, c *Collection, typ string, match func(refs) bool) ([]Version, error) {
	var out []Version
	after := Position{}
	for range 10 {
		pg, err := s.Page(ctx, v, c, Query{Filter: Filter{Types: []string{typ}}}, after, 500, true)
		if err != nil {
			return nil, err
		}
		for _, w := range pg.Versions {
			var r refs
			if json.Unmarshal(w.Raw, &r) == nil && match(r) {
				out = append(out, w)
			}
		}
		if !pg.More {
			break
		}
		after = pg.Next
	}
	return out, nil
}
