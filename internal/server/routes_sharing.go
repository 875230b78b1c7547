package server

import "net/http"

// addSharingRoutes adds the routes of this area; see addRoutes. Requests
// for access need the access service; the explainer and relays the door.
func (s *Server) addSharingRoutes(mux *http.ServeMux) {
	if s.Access != nil {
		// Any user may ask; the service decides whether the object's
		// existence shows, and who decides a request.
		s.page(mux, "GET /access-requests/new", anyUser, s.handleAccessNew())
		s.page(mux, "POST /access-requests", anyUser, s.handleAccessCreate())
		s.page(mux, "GET /access-requests", anyUser, s.handleAccessList())
		s.page(mux, "GET /access-requests/{request}", anyUser, s.handleAccessRequest())
		s.page(mux, "POST /access-requests/{request}/decision", orgAdmin, s.handleAccessDecide())
		s.api(mux, "POST /api/v1/access-requests", anyUser, s.apiCreateAccessRequest())
		s.api(mux, "GET /api/v1/access-requests", anyUser, s.apiAccessRequests())
		s.api(mux, "GET /api/v1/access-requests/{request}", anyUser, s.apiAccessRequest())
		s.api(mux, "POST /api/v1/access-requests/{request}/decision", orgAdmin, s.apiDecideAccessRequest())
	}
}
