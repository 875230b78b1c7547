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
	if s.Explainer != nil {
		// Every office role; the explainer checks again and audits each use.
		s.page(mux, "GET /office/sharing/explain", officeUser, s.handleExplain())
		s.api(mux, "GET /api/v1/sharing/explain", officeUser, s.apiExplain())
	}
	if s.Relay != nil && s.Explainer != nil && s.STIX != nil && s.Door != nil {
		s.page(mux, "POST /office/sharing/relay", relayer, s.handleRelay())
		s.api(mux, "POST /api/v1/sharing/relays", relayer, s.apiRelay())
	}
}
