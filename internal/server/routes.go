package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/taxii"

	"github.com/verbund/verbund/internal/membership"
)

// addRoutes lists the whole HTTP surface of Verbund. Every route names the
// rule that authorises it (see access.go); there is no other way to add one.
func (s *Server) addRoutes(mux *http.ServeMux) {
	// Operations: no login, no session, no rule beyond being reachable.
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /readyz", s.handleReadyz())
	mux.Handle("GET /metrics", s.handleMetrics())
	mux.Handle("GET /static/", s.handleStatic())
	mux.Handle("GET /favicon.ico", http.RedirectHandler("/static/favicon.svg", http.StatusMovedPermanently))
	s.routes = append(s.routes,
		route{Pattern: "GET /healthz", Access: "public"}, route{Pattern: "GET /readyz", Access: "public"},
		route{Pattern: "GET /metrics", Access: "public"}, route{Pattern: "GET /static/", Access: "public"},
		route{Pattern: "GET /favicon.ico", Access: "public"})

	// Public pages and the login steps.
	s.page(mux, "GET /{$}", public, s.handleHome())
	s.page(mux, "GET /login", public, s.handleLoginForm())
	s.page(mux, "POST /login", public, s.handleLogin())
	s.page(mux, "GET /login/2fa", loginStep, s.handleSecondFactorForm())
	s.page(mux, "POST /login/2fa", loginStep, s.handleSecondFactor())
	s.page(mux, "POST /logout", loginStep, s.handleLogout())
	s.page(mux, "GET /reset", public, s.handleResetRequestForm())
	s.page(mux, "POST /reset", public, s.handleResetRequest())
	s.page(mux, "GET /reset/{token}", public, s.handleResetForm())
	s.page(mux, "POST /reset/{token}", public, s.handleReset())
	s.page(mux, "POST /lang", loginStep, s.handleLanguage())
	s.page(mux, "GET /problems/{code}", public, s.handleProblemDoc())

	// Joining the alliance, and what anyone may see of its members.
	s.page(mux, "GET /register", public, s.handleRegisterForm())
	s.page(mux, "POST /register", public, s.handleRegister())
	s.page(mux, "GET /register/sent", public, s.handleRegisterSent())
	s.page(mux, "GET /register/verify/{secret}", public, s.handleVerifyRegistration())
	s.page(mux, "GET /register/resend", public, s.handleResendForm())
	s.page(mux, "POST /register/resend", public, s.handleResend())
	s.page(mux, "GET /agreement", public, s.handleAgreement())
	s.page(mux, "GET /partners", public, s.handlePartners())
	s.page(mux, "GET /verify", public, s.handleVerifyForm())
	s.page(mux, "GET /verify/{badge}", public, s.handleVerifyBadge())
	s.page(mux, "GET /badges/{file}", public, s.handleBadgeSVG())
	s.page(mux, "GET /.well-known/verbund-badge-key", public, s.handleBadgeKey())
	s.page(mux, "GET /.well-known/verbund-badge-key.json", public, s.handleBadgeKeyJSON())
	s.page(mux, "GET /goodbye", public, s.handleGoodbye())

	// The member area: the viewer's own organisation only.
	s.page(mux, "POST /agreement/accept", orgAdmin, s.handleAcceptAgreement())
	s.page(mux, "GET /agreement/receipt/{signature}", anyUser, s.handleReceipt())
	s.page(mux, "GET /member", anyUser, s.handleMember())
	s.page(mux, "GET /member/network", anyUser, s.handleNetwork())
	s.page(mux, "GET /member/partner", anyUser, s.handleStatusPage(membership.Partner))
	s.page(mux, "POST /member/partner/apply", orgAdmin, s.handleApply(membership.Partner))
	s.page(mux, "POST /member/partner/contributions", anyUser, s.handleContribute(membership.Partner))
	s.page(mux, "GET /member/multiplier", anyUser, s.handleStatusPage(membership.Multiplier))
	s.page(mux, "POST /member/multiplier/apply", orgAdmin, s.handleApply(membership.Multiplier))
	s.page(mux, "POST /member/multiplier/contributions", anyUser, s.handleContribute(membership.Multiplier))

	// The user's own account.
	s.page(mux, "GET /account", enrolment, s.handleAccount())
	s.page(mux, "POST /account/password", enrolment, s.handleChangePassword())
	s.page(mux, "GET /account/2fa", enrolment, s.handleTOTPPage())
	s.page(mux, "GET /account/2fa/qr.png", enrolment, s.handleTOTPQR())
	s.page(mux, "POST /account/2fa/begin", enrolment, s.handleTOTPBegin())
	s.page(mux, "POST /account/2fa/confirm", enrolment, s.handleTOTPConfirm())
	s.page(mux, "POST /account/2fa/disable", enrolment, s.handleTOTPDisable())

	// An organisation's administration (its admins, and office admins for any).
	s.page(mux, "GET /org/{org}", orgAdmin, s.handleOrg())
	s.page(mux, "POST /org/{org}/users", orgAdmin, s.handleCreateUser())
	s.page(mux, "POST /org/{org}/users/{user}/roles", orgAdmin, s.handleSetRoles())
	s.page(mux, "POST /org/{org}/users/{user}/disabled", orgAdmin, s.handleSetDisabled())
	s.page(mux, "GET /org/{org}/tokens", orgAdmin, s.handleTokens())
	s.page(mux, "POST /org/{org}/tokens", orgAdmin, s.handleCreateToken())
	s.page(mux, "POST /org/{org}/tokens/{token}/revoke", orgAdmin, s.handleRevokeToken())
	s.page(mux, "POST /org/{org}/network", orgAdmin, s.handleNetworkVisible())
	s.page(mux, "GET /org/{org}/terminate", orgAdmin, s.handleTerminateForm())
	s.page(mux, "POST /org/{org}/terminate", orgAdmin, s.handleTerminate())

	// The office.
	s.page(mux, "GET /office/organisations", officeUser, s.handleOrganisations())
	s.page(mux, "POST /office/organisations", officeAdm, s.handleCreateOrganisation())
	s.page(mux, "GET /office/audit", officeAdm, s.handleAuditLog())
	s.page(mux, "GET /office/outbox", officeAdm, s.handleOutbox())
	s.page(mux, "GET /office/outbox/{id}", officeAdm, s.handleOutboxMessage())
	s.page(mux, "GET /office/settings", officeAdm, s.handleSettings())
	s.page(mux, "POST /office/settings", officeAdm, s.handleSaveSettings())
	s.page(mux, "POST /office/organisations/{org}/activate", officeReview, s.handleOrgChange(s.activateOrg))
	s.page(mux, "POST /office/organisations/{org}/suspend", officeAdm, s.handleOrgChange(s.Membership.Suspend))
	s.page(mux, "POST /office/organisations/{org}/reinstate", officeAdm, s.handleOrgChange(s.Membership.Reinstate))
	s.page(mux, "POST /office/organisations/{org}/expel", officeAdm, s.handleOrgChange(s.Membership.Expel))
	s.page(mux, "GET /office/membership", officeReview, s.handleOfficeMembership())
	s.page(mux, "POST /office/applications/{application}/decision", officeReview, s.handleDecideApplication())
	s.page(mux, "POST /office/contributions/{contribution}/decision", officeReview, s.handleDecideContribution())
	s.page(mux, "GET /office/membership/checklist", officeAdm, s.handleChecklist())
	s.page(mux, "POST /office/membership/checklist", officeAdm, s.handleSaveChecklist())
	s.page(mux, "GET /office/agreement", officeAdm, s.handleOfficeAgreement())
	s.page(mux, "POST /office/agreement", officeAdm, s.handlePublishAgreement())

	// Recipients of the designated-hub model and circles.
	s.page(mux, "GET /office/designations", officeUser, s.handleDesignations())
	s.page(mux, "POST /office/assessments", assessor, s.handleOpenAssessment())
	s.page(mux, "GET /office/assessments/{assessment}", officeUser, s.handleAssessment())
	s.page(mux, "POST /office/assessments/{assessment}/findings", assessor, s.handleFinding())
	s.page(mux, "POST /office/assessments/{assessment}/evidence", assessor, s.handleEvidence())
	s.page(mux, "POST /office/assessments/{assessment}/designate", assessor, s.handleDesignate())
	s.page(mux, "POST /office/assessments/{assessment}/refuse", assessor, s.handleRefuse())
	s.page(mux, "POST /office/designations/{designation}/revoke", assessor, s.handleRevokeDesignation())
	s.page(mux, "GET /office/circles", officeUser, s.handleCircles())
	s.page(mux, "POST /office/circles", officeAdm, s.handleCreateCircle())
	s.page(mux, "GET /office/circles/{circle}", officeUser, s.handleCircles())
	s.page(mux, "POST /office/circles/{circle}/members", officeAdm, s.handleCircleMember(true))
	s.page(mux, "POST /office/circles/{circle}/members/remove", officeAdm, s.handleCircleMember(false))

	// Capabilities, each in its own file.
	s.addSharingRoutes(mux)   // explainer and requests for access: routes_sharing.go
	s.addIntelRoutes(mux)     // threat intelligence pages: routes_intel.go
	s.addLookupRoutes(mux)    // observable lookup: routes_lookup.go
	s.addRemotesRoutes(mux)   // TAXII remotes: routes_remotes.go
	s.addWarningsRoutes(mux)  // warnings and advisories: routes_warnings.go
	s.addCSAFRoutes(mux)      // the CSAF 2.0 trusted provider: routes_csaf.go
	s.addIncidentsRoutes(mux) // incident reports and cases: routes_incidents.go

	// TAXII 2.1 for machine clients. It answers in TAXII's own formats, and
	// it takes API tokens only (Bearer, or the password of HTTP Basic): a
	// browser session is not a TAXII credential, so there is nothing to
	// forge across sites.
	if s.STIX != nil && s.Door != nil {
		mux.Handle("/taxii2/", taxii.New(taxii.Config{BaseURL: s.cfg.BaseURL, CursorKey: s.derivedKey("taxii cursor")},
			taxii.Deps{Principal: s.tokenPrincipal, Door: s.Door, Collections: s.STIX, Logger: s.Logger}))
		s.routes = append(s.routes, route{Pattern: "/taxii2/", Access: "TAXII: API token with intel:read (intel:write to add)"})
	}

	// REST API, documented in openapi.json.
	mux.Handle("GET /api/v1/openapi.json", s.handleOpenAPI())
	s.routes = append(s.routes, route{Pattern: "GET /api/v1/openapi.json", Access: "public", API: true})
	s.apiRoutes["GET /api/v1/openapi.json"] = true
	s.api(mux, "GET /api/v1/me", anyUser.withScope(identity.ScopeProfileRead), s.apiMe())
	s.api(mux, "GET /api/v1/organisations", officeUser.withScope(identity.ScopeOrgRead), s.apiOrganisations())
	s.api(mux, "GET /api/v1/organisations/{org}", anyUser.withScope(identity.ScopeOrgRead), s.apiOrganisation())
	s.api(mux, "GET /api/v1/organisations/{org}/users", orgAdmin.withScope(identity.ScopeOrgRead), s.apiUsers())
	s.api(mux, "GET /api/v1/organisations/{org}/tokens", orgAdmin, s.apiTokens())
	s.api(mux, "POST /api/v1/organisations/{org}/tokens", orgAdmin, s.apiCreateToken())
	s.api(mux, "DELETE /api/v1/organisations/{org}/tokens/{token}", orgAdmin, s.apiRevokeToken())
	s.api(mux, "GET /api/v1/audit", officeAdm.withScope(identity.ScopeAuditRead), s.apiAudit())
	s.api(mux, "POST /api/v1/registrations", publicAPI, s.apiRegister())
	s.api(mux, "GET /api/v1/agreement", public, s.apiAgreement())
	s.api(mux, "GET /api/v1/partners", public, s.apiPartners())
	s.api(mux, "GET /api/v1/badges/{badge}", public, s.apiBadge())
	s.api(mux, "GET /api/v1/organisations/{org}/membership", anyUser.withScope(identity.ScopeOrgRead), s.apiMembership())
	s.api(mux, "DELETE /api/v1/organisations/{org}/membership", orgAdmin, s.apiTerminate())
	s.api(mux, "GET /api/v1/organisations/{org}/applications", anyUser.withScope(identity.ScopeOrgRead), s.apiApplications())
	s.api(mux, "POST /api/v1/organisations/{org}/applications", orgAdmin, s.apiApply())
	s.api(mux, "GET /api/v1/organisations/{org}/contributions", anyUser.withScope(identity.ScopeOrgRead), s.apiContributions())
	s.api(mux, "POST /api/v1/organisations/{org}/contributions", anyUser, s.apiContribute())
	s.api(mux, "GET /api/v1/membership/queue", officeReview, s.apiQueue())
	s.api(mux, "POST /api/v1/applications/{application}/decision", officeReview, s.apiDecideApplication())
	s.api(mux, "POST /api/v1/contributions/{contribution}/decision", officeReview, s.apiDecideContribution())
	mux.Handle("/api/", s.guard(fallback, true, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			s.writeProblem(w, r, errMethod)
			return
		}
		s.apiNotFound(w, r)
	})))

	// Anything else: 405 for a known path with another method, else the
	// friendly 404 page.
	mux.Handle("/", s.guard(fallback, false, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			s.fail(w, r, errMethod)
			return
		}
		s.fail(w, r, notFound)
	})))
}

var errMethod = &verbund.Error{Op: "server", Kind: verbund.Invalid, Code: "method-not-allowed",
	Msg: "this address does not accept this method"}

// allowedMethods returns the methods that a route other than the
// catch-alls serves for r's path, as an Allow header value, or "".
func allowedMethods(mux *http.ServeMux, r *http.Request) string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" && pattern != "/api/" {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	return strings.Join(allow, ", ")
}

// tokenPrincipal returns the principal of the API token a machine client
// sends, or the public principal: TAXII then answers 401 in its own format.
func (s *Server) tokenPrincipal(r *http.Request) identity.Principal {
	tok := bearerOrBasic(r)
	if tok == "" {
		return identity.Principal{}
	}
	p, err := s.Identity.AuthenticateToken(r.Context(), tok)
	if err != nil {
		return identity.Principal{}
	}
	return p
}

// derivedKey derives a key for one purpose from the installation's key.
func (s *Server) derivedKey(purpose string) []byte {
	m := hmac.New(sha256.New, s.CSRFKey)
	m.Write([]byte("verbund key\x00" + purpose))
	return m.Sum(nil)
}
