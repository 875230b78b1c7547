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

// Sightings returns the newest visible version of every sighting in c whose
// sighting_of_ref is id, with its JSON, from at most the first maxScan
// stored versions of sightings.
func (s *Service) Sightings(ctx context.Context, v *policy.Viewer, c *Collection, id string) ([]Version, error) {
	var out []Version
	after := Position{}
	for range 10 {
		pg, err := s.Page(ctx, v, c, Query{Filter: Filter{Types: []string{"sighting"}}}, after, 500, true)
		if err != nil {
			return nil, err
		}
		for _, w := range pg.Versions {
			if sightingOf(w.Raw) == id {
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

func sightingOf(raw []byte) string {
	var s struct {
		Ref string `json:"sighting_of_ref"`
	}
	_ = json.Unmarshal(raw, &s)
	return s.Ref
}
