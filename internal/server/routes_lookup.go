package server

import "net/http"

// addLookupRoutes adds the routes of this area; see addRoutes.
func (s *Server) addLookupRoutes(mux *http.ServeMux) {
	_ = mux
}
