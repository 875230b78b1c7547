package server

import (
	"net/http"

	"github.com/verbund/verbund/internal/identity"
)

// addIntelRoutes adds the routes of this area; see addRoutes. Threat
// intelligence for people: what the viewer may read, what it contributes,
// and the search for a value. Every object passes the sharing door in
// cti.Service; contributing needs intel:write, which session users hold.
func (s *Server) addIntelRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /intel", anyUser, s.handleIntel())
	s.page(mux, "GET /intel/search", anyUser, s.handleIntelSearch())
	s.page(mux, "GET /intel/contribute", anyUser, s.handleIntelContributeForm())
	s.page(mux, "POST /intel/contribute", anyUser, s.handleIntelContribute())
	s.page(mux, "GET /intel/{collection}/objects/{object}", anyUser, s.handleIntelObject())
	s.page(mux, "POST /intel/{collection}/objects/{object}/sightings", anyUser, s.handleIntelSighting())
	s.api(mux, "POST /api/v1/intel/indicators", anyUser.withScope(identity.ScopeIntelWrite), s.apiIntelIndicator())
	s.api(mux, "POST /api/v1/intel/sightings", anyUser.withScope(identity.ScopeIntelWrite), s.apiIntelSighting())
}
