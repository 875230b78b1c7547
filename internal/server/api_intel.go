package server

import (
	"net/http"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The REST equivalents of the intel forms, for tools that hold an API token
// with intel:write. What they add is served over TAXII like everything else.

type intelCreatedJSON struct {
	ID         string `json:"id"`
	Collection string `json:"collection"`
	URL        string `json:"url"`
}

// apiTime reads an optional RFC 3339 timestamp of a request body.
func apiTime(f map[string]string, field, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		f[field] = "must be an RFC 3339 time such as 2026-03-01T14:30:00Z"
	}
	return t.UTC()
}

// apiIntelCollection returns the collection named by ref (id or alias)
// that the caller may add to.
func (s *Server) apiIntelCollection(r *http.Request, ref string) (*intelContext, cti.Collection, error) {
	ic, err := s.intelContext(r)
	if err != nil {
		return nil, cti.Collection{}, err
	}
	c, ok := findCollection(ic.Write, ref)
	if !ok || s.STIX == nil {
		return nil, cti.Collection{}, verbund.InvalidFields("server.intel", map[string]string{"collection": "must name a collection you may add to, by id or alias"})
	}
	return ic, c, nil
}

func (s *Server) apiIntelIndicator() http.Handler {
	type body struct {
		Collection  string `json:"collection"`
		Kind        string `json:"kind"`
		Value       string `json:"value"`
		Name        string `json:"name"`
		Description string `json:"description"`
		TLP         string `json:"tlp"`
		ValidFrom   string `json:"valid_from"`
		ValidUntil  string `json:"valid_until"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b body
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		ic, c, err := s.apiIntelCollection(r, b.Collection)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		f := map[string]string{}
		in := cti.NewIndicator{Kind: b.Kind, Value: b.Value, Name: b.Name, Description: b.Description, TLP: b.TLP,
			ValidFrom: apiTime(f, "valid_from", b.ValidFrom), ValidUntil: apiTime(f, "valid_until", b.ValidUntil)}
		if len(f) > 0 {
			s.writeProblem(w, r, verbund.InvalidFields("server.apiIntelIndicator", f))
			return
		}
		id, err := s.STIX.AddIndicator(r.Context(), ic.P, &ic.V, &c, in)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		s.intelCreated(w, c, id)
	})
}

func (s *Server) apiIntelSighting() http.Handler {
	type body struct {
		Collection  string `json:"collection"`
		Indicator   string `json:"indicator"`
		Count       *int   `json:"count"`
		FirstSeen   string `json:"first_seen"`
		LastSeen    string `json:"last_seen"`
		Anonymous   bool   `json:"anonymous"`
		Description string `json:"description"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b body
		if err := decodeJSON(r, &b); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		ic, c, err := s.apiIntelCollection(r, b.Collection)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		f := map[string]string{}
		in := cti.NewSighting{Indicator: b.Indicator, Count: 1, Anonymous: b.Anonymous, Description: b.Description,
			FirstSeen: apiTime(f, "first_seen", b.FirstSeen), LastSeen: apiTime(f, "last_seen", b.LastSeen)}
		if b.Count != nil {
			in.Count = *b.Count
		}
		if len(f) > 0 {
			s.writeProblem(w, r, verbund.InvalidFields("server.apiIntelSighting", f))
			return
		}
		id, err := s.STIX.AddSighting(r.Context(), ic.P, &ic.V, &c, in)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		s.intelCreated(w, c, id)
	})
}

func (s *Server) intelCreated(w http.ResponseWriter, c cti.Collection, id string) {
	u := intelItem{Collection: c.ID, ID: id}.URL()
	w.Header().Set("Location", s.cfg.BaseURL+u)
	writeJSON(w, http.StatusCreated, intelCreatedJSON{ID: id, Collection: c.ID, URL: s.cfg.BaseURL + u})
}
