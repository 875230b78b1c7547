package server

import "net/http"

// addCSAFRoutes adds the routes of this area; see addRoutes.
func (s *Server) addCSAFRoutes(mux *http.ServeMux) {
	_ = mux
}
