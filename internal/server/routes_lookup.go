package server

import (
	"net/http"

	"github.com/verbund/verbund/internal/identity"
)

// addLookupRoutes adds the routes of this area; see addRoutes.
func (s *Server) addLookupRoutes(mux *http.ServeMux) {
	// Observable lookup, one value or a batch: api_lookup.go.
	s.api(mux, "GET /api/v1/intel/lookup", anyUser.withScope(identity.ScopeIntelRead), s.apiLookup())
	s.api(mux, "POST /api/v1/intel/lookup", anyUser.withScope(identity.ScopeIntelRead), s.apiLookupBatch())
}
