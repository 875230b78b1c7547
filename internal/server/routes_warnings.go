package server

import (
	"net/http"

	"github.com/verbund/verbund/internal/identity"
)

// addWarningsRoutes adds the routes of this area; see addRoutes. Reading
// is public: the sharing policy decides what each requester sees, which is
// TLP:CLEAR alone for the public. Changes need a user or a token with
// warnings:write; the warning service decides who may take which step.
func (s *Server) addWarningsRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /warnings", public, s.handleWarnings())
	s.page(mux, "GET /warnings.atom", public, s.handleWarningsAtom())
	s.page(mux, "GET /warnings/new", anyUser, s.handleNewWarningForm())
	s.page(mux, "POST /warnings", anyUser, s.handleCreateWarning())
	s.page(mux, "GET /warnings/{warning}", public, s.handleWarning())
	s.page(mux, "GET /warnings/{warning}/edit", anyUser, s.handleEditWarningForm())
	s.page(mux, "POST /warnings/{warning}/edit", anyUser, s.handleEditWarning())
	s.page(mux, "POST /warnings/{warning}/submit", anyUser, s.handleWarningStep("submit"))
	s.page(mux, "POST /warnings/{warning}/approve", anyUser, s.handleWarningStep("approve"))
	s.page(mux, "POST /warnings/{warning}/publish", anyUser, s.handleWarningStep("publish"))
	s.page(mux, "POST /warnings/{warning}/withdraw", anyUser, s.handleWarningStep("withdraw"))
	s.page(mux, "POST /warnings/{warning}/ack", anyUser, s.handleAcknowledge())
	s.page(mux, "GET /office/warnings", officeUser, s.handleOfficeWarnings())
	s.page(mux, "POST /office/warnings/four-eyes", officeAdm, s.handleFourEyes())

	read := public.withScope(identity.ScopeWarningsRead)
	write := anyUser.withScope(identity.ScopeWarningsWrite)
	s.api(mux, "GET /api/v1/warnings", read, s.apiWarnings())
	s.api(mux, "POST /api/v1/warnings", write, s.apiCreateWarning())
	s.api(mux, "GET /api/v1/warnings/{warning}", read, s.apiWarning())
	s.api(mux, "PUT /api/v1/warnings/{warning}", write, s.apiChangeWarning(false))
	s.api(mux, "POST /api/v1/warnings/{warning}/revisions", write, s.apiChangeWarning(true))
	s.api(mux, "POST /api/v1/warnings/{warning}/submit", write, s.apiWarningStep("submit"))
	s.api(mux, "POST /api/v1/warnings/{warning}/approve", write, s.apiWarningStep("approve"))
	s.api(mux, "POST /api/v1/warnings/{warning}/publish", write, s.apiWarningStep("publish"))
	s.api(mux, "POST /api/v1/warnings/{warning}/withdraw", write, s.apiWarningStep("withdraw"))
	s.api(mux, "POST /api/v1/warnings/{warning}/acknowledgement", write, s.apiAcknowledge())
	s.api(mux, "GET /api/v1/warnings/{warning}/acknowledgements", officeUser.withScope(identity.ScopeWarningsRead), s.apiAcknowledgements())
}
