package server

import "net/http"

// addRemotesRoutes adds the routes of this area; see addRoutes. TAXII
// remotes are the office's business: other TAXII 2.1 servers a collection
// is pulled from or pushed to. Their credentials are write-only.
func (s *Server) addRemotesRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /office/remotes", officeAdm, s.handleRemotes())
	s.page(mux, "POST /office/remotes", officeAdm, s.handleCreateRemote())
	s.page(mux, "GET /office/remotes/{remote}", officeAdm, s.handleRemote())
	s.page(mux, "POST /office/remotes/{remote}", officeAdm, s.handleUpdateRemote())
	s.page(mux, "POST /office/remotes/{remote}/enable", officeAdm, s.handleRemoteAction("enable"))
	s.page(mux, "POST /office/remotes/{remote}/disable", officeAdm, s.handleRemoteAction("disable"))
	s.page(mux, "POST /office/remotes/{remote}/run", officeAdm, s.handleRemoteAction("run"))
	s.page(mux, "POST /office/remotes/{remote}/delete", officeAdm, s.handleRemoteAction("delete"))

	s.api(mux, "GET /api/v1/remotes", officeAdm, s.apiRemotes())
	s.api(mux, "POST /api/v1/remotes", officeAdm, s.apiCreateRemote())
	s.api(mux, "GET /api/v1/remotes/{remote}", officeAdm, s.apiRemote())
	s.api(mux, "PATCH /api/v1/remotes/{remote}", officeAdm, s.apiUpdateRemote())
	s.api(mux, "DELETE /api/v1/remotes/{remote}", officeAdm, s.apiDeleteRemote())
	s.api(mux, "POST /api/v1/remotes/{remote}/run", officeAdm, s.apiRunRemote())
}
