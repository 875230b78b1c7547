package server

import (
	"context"
	"net/http"
	"strconv"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The observable lookup of the REST API: "do we know this?" for one value
// (GET) or a batch (POST). Every object answered passed the door
// (cti.Service.LookupMany).

// lookupJSON is the answer for one value.
type lookupJSON struct {
	Value      string            `json:"value"`
	Type       string            `json:"type,omitempty"`
	Normalised string            `json:"normalised,omitempty"`
	Error      string            `json:"error,omitempty"`
	Matches    []lookupMatchJSON `json:"matches"`
	Truncated  bool              `json:"truncated"`
}

// lookupMatchJSON is one object that compares the value.
type lookupMatchJSON struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Collection string `json:"collection"`
	Name       string `json:"name,omitempty"`
	TLP        string `json:"tlp"`
	Modified   string `json:"modified"`
	Matched    string `json:"matched"`
}

// lookupBatch is the body of POST /api/v1/intel/lookup.
type lookupBatch struct {
	Values []string `json:"values"`
}

// parseLookupBatch decodes the body of a batch lookup.
func parseLookupBatch(r *http.Request) ([]string, error) {
	const op = "server.parseLookupBatch"
	var b lookupBatch
	if err := decodeJSON(r, &b); err != nil {
		return nil, err
	}
	switch {
	case b.Values == nil:
		return nil, verbund.InvalidFields(op, map[string]string{"values": "is required: a list of values to look up"})
	case len(b.Values) > cti.MaxLookupValues:
		return nil, verbund.InvalidFields(op, map[string]string{"values": "at most " + strconv.Itoa(cti.MaxLookupValues) + " values per request"})
	}
	return b.Values, nil
}

// lookup runs LookupMany for the request's principal and renders the
// answers.
func (s *Server) lookup(ctx context.Context, values []string) ([]lookupJSON, error) {
	if s.STIX == nil || s.Door == nil {
		return nil, verbund.E("server.lookup", verbund.Unavailable, "this installation keeps no threat intelligence")
	}
	p := principalOf(ctx)
	v, err := s.Door.Viewer(ctx, p)
	if err != nil {
		return nil, err
	}
	rs, err := s.STIX.LookupMany(ctx, p, &v, values)
	if err != nil {
		return nil, err
	}
	out := make([]lookupJSON, len(rs))
	for i, r := range rs {
		l := lookupJSON{Value: r.Value, Matches: []lookupMatchJSON{}, Truncated: r.Truncated}
		if r.Err != nil {
			l.Error = "the value " + firstField(r.Err)
		} else {
			l.Type, l.Normalised = r.Observable.Type, r.Observable.Value
		}
		for _, m := range r.Matches {
			l.Matches = append(l.Matches, lookupMatchJSON{ID: m.ID, Type: m.Type, Collection: m.Collection, Name: m.Name,
				TLP: m.Marked.Marking.TLP.String(), Modified: cti.FormatTimestamp(m.Version.Version), Matched: m.Via.Value})
		}
		out[i] = l
	}
	return out, nil
}

// firstField returns the problem of the value in err, or its message.
func firstField(err error) string {
	f := verbund.ErrorFields(err)
	for _, k := range []string{"value", "kind"} {
		if msg, ok := f[k]; ok {
			return msg
		}
	}
	return verbund.ErrorMessage(err)
}

// apiLookup answers GET /api/v1/intel/lookup?value=…: the answer for one
// value. A value that is no observable is a problem (400) here.
func (s *Server) apiLookup() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const op = "server.apiLookup"
		q := r.URL.Query()
		if len(q["value"]) != 1 {
			s.writeProblem(w, r, verbund.InvalidFields(op, map[string]string{"value": "give exactly one value to look up; POST a batch for more"}))
			return
		}
		out, err := s.lookup(r.Context(), q["value"])
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if out[0].Error != "" {
			s.writeProblem(w, r, verbund.InvalidFields(op, map[string]string{"value": out[0].Error}))
			return
		}
		writeJSON(w, http.StatusOK, lookupOneJSON{lookupJSON: out[0], MaxMatches: cti.MaxLookupMatches})
	})
}

// lookupOneJSON is the answer of a lookup of one value, with the bound
// on its matches.
type lookupOneJSON struct {
	lookupJSON
	MaxMatches int `json:"max_matches"`
}

// apiLookupBatch answers POST /api/v1/intel/lookup with {"values": […]}:
// one result per value, in order; a value that is no observable gets its
// own error and does not fail the batch.
func (s *Server) apiLookupBatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values, err := parseLookupBatch(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		out, err := s.lookup(r.Context(), values)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"max_matches": cti.MaxLookupMatches, "results": out})
	})
}
