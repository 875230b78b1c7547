package server

import "net/http"

// addIncidentsRoutes adds the routes of this area; see addRoutes.
func (s *Server) addIncidentsRoutes(mux *http.ServeMux) {
	_ = mux
}
