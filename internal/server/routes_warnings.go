package server

import "net/http"

// addWarningsRoutes adds the routes of this area; see addRoutes.
func (s *Server) addWarningsRoutes(mux *http.ServeMux) {
	_ = mux
}
