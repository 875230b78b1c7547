package server

import "net/http"

// addSharingRoutes adds the routes of this area; see addRoutes.
func (s *Server) addSharingRoutes(mux *http.ServeMux) {
	_ = mux
}
