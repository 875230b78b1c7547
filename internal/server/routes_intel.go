package server

import "net/http"

// addIntelRoutes adds the routes of this area; see addRoutes.
func (s *Server) addIntelRoutes(mux *http.ServeMux) {
	_ = mux
}
