package server

import "net/http"

// addIncidentsRoutes adds the routes of this area; see addRoutes.
func (s *Server) addIncidentsRoutes(mux *http.ServeMux) {
	// Members report; the service checks that the organisation is active
	// and that the report or case is the organisation's.
	s.page(mux, "GET /incidents", anyUser, s.handleIncidents())
	s.page(mux, "GET /incidents/new", anyUser, s.handleNewIncident())
	s.page(mux, "POST /incidents", anyUser, s.handleSaveIncident())
	s.page(mux, "GET /incidents/reports/{report}/edit", anyUser, s.handleEditIncident())
	s.page(mux, "POST /incidents/reports/{report}", anyUser, s.handleSaveIncident())
	s.page(mux, "GET /incidents/reports/{report}/attachments/{attachment}", anyUser, s.handleIncidentAttachment())
	s.page(mux, "GET /incidents/cases/{case}", anyUser, s.handleIncidentCase())
	s.page(mux, "POST /incidents/cases/{case}/messages", anyUser, s.handleIncidentMessage())

	// The office's analysts triage.
	s.page(mux, "GET /office/incidents", analyst, s.handleOfficeIncidents())
	s.page(mux, "GET /office/incidents/{case}", analyst, s.handleOfficeIncident())
	s.page(mux, "POST /office/incidents/{case}/assign", analyst, s.handleOfficeIncidentChange("assign"))
	s.page(mux, "POST /office/incidents/{case}/status", analyst, s.handleOfficeIncidentChange("status"))
	s.page(mux, "POST /office/incidents/{case}/messages", analyst, s.handleOfficeIncidentChange("message"))

	// Reports from the public, when the installation takes them.
	s.page(mux, "GET /report", public, s.handlePublicReportForm())
	s.page(mux, "POST /report", public, s.handlePublicReport())
	s.page(mux, "GET /report/follow-up", public, s.handleFollowUpForm())
	s.page(mux, "POST /report/follow-up", public, s.handleFollowUp())

	s.addIncidentsAPIRoutes(mux)
}
