package server

import "net/http"

// addRemotesRoutes adds the routes of this area; see addRoutes.
func (s *Server) addRemotesRoutes(mux *http.ServeMux) {
	_ = mux
}
