package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// access is the rule a route is authorised by. Every route has one, given in
// routes.go; the wrapper below enforces it before the handler runs.
type access struct {
	name string
	// public routes need no login.
	public bool
	// roles: a session user needs one of them; empty means any user.
	roles []identity.Role
	// scope: the scope an API token needs. Empty: tokens are refused.
	scope identity.Scope
	// pendingMFA: reachable while the second factor is still owed.
	pendingMFA bool
	// beforeEnrolment: reachable when the office requires a second factor
	// and the user has not set one up yet.
	beforeEnrolment bool
	// inert: the handler changes nothing whatever the method (the 404 and
	// 405 answers), so it needs no CSRF token.
	inert bool
	// sessionless: a public API route whose handler ignores any session
	// (registration by a machine). A forged request could only do what its
	// sender can do directly, so it needs no CSRF token; browsers' cross-site
	// requests are still refused by CrossOriginProtection.
	sessionless bool
}

var (
	public     = access{name: "public", public: true}
	fallback   = access{name: "public (404/405 only)", public: true, inert: true}
	loginStep  = access{name: "login-step", public: true, pendingMFA: true, beforeEnrolment: true}
	anyUser    = access{name: "user"}
	enrolment  = access{name: "user (enrolment)", beforeEnrolment: true}
	orgAdmin   = access{name: "org-admin or office-admin", roles: []identity.Role{identity.RoleOrgAdmin, identity.RoleOfficeAdmin}}
	officeUser = access{name: "office", roles: identity.OfficeRoles}
	officeAdm  = access{name: "office-admin", roles: []identity.Role{identity.RoleOfficeAdmin}}
	// officeReview is for the membership decisions: reviewers and office admins.
	officeReview = access{name: "reviewer or office-admin", roles: []identity.Role{identity.RoleReviewer, identity.RoleOfficeAdmin}}
	// publicAPI is public and needs no session (see sessionless).
	publicAPI = access{name: "public (no session)", public: true, sessionless: true}
	assessor  = access{name: "assessor or office-admin", roles: []identity.Role{identity.RoleAssessor, identity.RoleOfficeAdmin}}
	// analyst is for the office's incident handling: triage and relay.
	analyst = access{name: "analyst", roles: []identity.Role{identity.RoleAnalyst}}
)

// withScope returns a copy of a that API tokens with scope may pass.
func (a access) withScope(s identity.Scope) access {
	a.scope = s
	a.name += " / token:" + string(s)
	return a
}

// route is one entry of the route table.
type route struct {
	Pattern string
	Access  string
	API     bool
}

func principalOf(ctx context.Context) identity.Principal {
	p, _ := ctx.Value(keyPrincipal).(identity.Principal)
	return p
}

func (s *Server) sessionCookieName() string {
	if s.cfg.TLS {
		return "__Host-vb_session"
	}
	return "vb_session"
}

// page registers an HTML route.
func (s *Server) page(mux *http.ServeMux, pattern string, a access, h http.Handler) {
	s.routes = append(s.routes, route{Pattern: pattern, Access: a.name})
	mux.Handle(pattern, s.guard(a, false, h))
}

// api registers a REST route; it is also recorded for the OpenAPI check.
func (s *Server) api(mux *http.ServeMux, pattern string, a access, h http.Handler) {
	s.routes = append(s.routes, route{Pattern: pattern, Access: a.name, API: true})
	s.apiRoutes[pattern] = true
	mux.Handle(pattern, s.guard(a, true, h))
}

// errSessionEnded marks a page request whose session cookie no longer works.
var errSessionEnded = errors.New("session ended")

// authenticate finds the principal of r: an API token (API routes only) or
// a session cookie. A cookie that no longer works gives the public principal
// and errSessionEnded, so that the login page can say why.
func (s *Server) authenticate(r *http.Request, isAPI bool) (identity.Principal, error) {
	if isAPI {
		if tok := bearerOrBasic(r); tok != "" {
			return s.Identity.AuthenticateToken(r.Context(), tok)
		}
	}
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil || c.Value == "" {
		return identity.Principal{}, nil
	}
	p, err := s.Identity.Authenticate(r.Context(), c.Value)
	if verbund.IsKind(err, verbund.Unauthenticated) {
		return identity.Principal{}, errSessionEnded
	}
	return p, err
}

// bearerOrBasic returns the token of an Authorization header: a Bearer
// token, or the password of HTTP Basic (user name ignored), as TAXII
// clients send it.
func bearerOrBasic(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(tok)
	}
	if _, pw, ok := r.BasicAuth(); ok {
		return pw
	}
	return ""
}

// guard enforces rule a, CSRF and the second-factor gates, then calls h.
func (s *Server) guard(a access, isAPI bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(err error) {
			if isAPI {
				s.writeProblem(w, r, err)
			} else {
				s.fail(w, r, err)
			}
		}
		p, err := s.authenticate(r, isAPI)
		ended := errors.Is(err, errSessionEnded)
		if err != nil && !ended {
			fail(err)
			return
		}
		if ended {
			s.clearSessionCookie(w)
		}
		ctx := context.WithValue(r.Context(), keyPrincipal, p)
		ctx = context.WithValue(ctx, keyLang, s.language(r, p))
		ctx = context.WithValue(ctx, keyAgreement, &agreementMemo{})
		r = r.WithContext(ctx)

		if p.Session != nil && !p.Session.MFAPassed && !a.pendingMFA {
			if isAPI {
				fail(verbund.E("server.guard", verbund.Unauthenticated, "the login is not complete: give the second factor first"))
			} else {
				http.Redirect(w, r, "/login/2fa", http.StatusSeeOther)
			}
			return
		}
		if p.User != nil && p.Session != nil && p.Session.MFAPassed && !p.User.TOTPEnabled && !a.beforeEnrolment {
			if req, _ := s.Identity.Require2FA(ctx); req {
				if isAPI {
					fail(verbund.E("server.guard", verbund.Forbidden, "the office requires a second factor: set it up in your account first"))
				} else {
					http.Redirect(w, r, "/account/2fa?required=1", http.StatusSeeOther)
				}
				return
			}
		}
		if !a.public {
			if !p.Authenticated() {
				if isAPI {
					fail(verbund.E("server.guard", verbund.Unauthenticated, "authentication required: send an API token as Bearer token or log in"))
					return
				}
				q := url.Values{"next": {r.URL.RequestURI()}}
				if ended {
					q.Set("ended", "1")
				}
				http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
				return
			}
			if err := s.authorise(a, p); err != nil {
				e := audit.New(ctx, s.Now(), "access.denied", audit.Denied)
				if p.User != nil {
					e.ActorUser = p.User.ID
				}
				if p.Token != nil {
					e.ActorToken = p.Token.ID
				}
				e.ActorOrg, e.ObjectType, e.ObjectID, e.Reason = p.OrgID(), "route", r.Pattern, verbund.ErrorMessage(err)
				s.recordAudit(ctx, e)
				fail(err)
				return
			}
		}
		if !safeMethod(r.Method) && p.Token == nil && !a.inert && !a.sessionless {
			if err := formTooLarge(r); err != nil {
				fail(err)
				return
			}
			if !s.validCSRF(r) {
				if isAPI {
					fail(&verbund.Error{Op: "server.guard", Kind: verbund.Forbidden, Code: "csrf",
						Msg: "missing or wrong X-CSRF-Token header: requests with a session cookie must carry it"})
				} else {
					s.csrfFailed(w, r)
				}
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// formTooLarge reads the form of r (where the CSRF token would be) and
// returns the error when the body is over the limit, so that it is answered
// as too large rather than as a missing token.
func formTooLarge(r *http.Request) error {
	if r.Header.Get("X-CSRF-Token") != "" {
		return nil
	}
	err := r.ParseForm()
	if err == nil {
		err = r.ParseMultipartForm(32 << 20) // as PostFormValue does
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return nil
}

// authorise checks the role and scope part of a for p.
func (s *Server) authorise(a access, p identity.Principal) error {
	const op = "server.authorise"
	if p.Token != nil {
		if a.scope == "" {
			return &verbund.Error{Op: op, Kind: verbund.Forbidden, Code: "token-not-allowed", Msg: "this endpoint cannot be used with an API token"}
		}
		if !p.Token.Has(a.scope) {
			return &verbund.Error{Op: op, Kind: verbund.Forbidden, Code: "missing-scope", Msg: "the API token lacks the scope " + string(a.scope)}
		}
		officeOnly := len(a.roles) > 0 && !slices.ContainsFunc(a.roles, func(r identity.Role) bool { return !r.IsOffice() })
		if officeOnly && (p.Org == nil || p.Org.Kind != identity.KindOffice) {
			return &verbund.Error{Op: op, Kind: verbund.Forbidden, Code: "office-only", Msg: "only tokens of the office may use this endpoint"}
		}
		return nil
	}
	if len(a.roles) > 0 && !slices.ContainsFunc(a.roles, p.Has) {
		return &verbund.Error{Op: op, Kind: verbund.Forbidden, Code: "missing-role", Msg: "you do not have the role this page needs"}
	}
	return nil
}

// recordAudit appends one entry in a transaction of its own; failures are
// logged, never shown.
func (s *Server) recordAudit(ctx context.Context, e audit.Entry) {
	if err := s.Identity.Record(context.WithoutCancel(ctx), e); err != nil {
		s.Logger.ErrorContext(ctx, "audit append failed", "request_id", requestID(ctx), "err", err)
	}
}

func (s *Server) setSessionCookie(w http.ResponseWriter, secret string) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: secret, Path: "/", HttpOnly: true,
		Secure: s.cfg.TLS, SameSite: http.SameSiteLaxMode, MaxAge: int(s.Identity.Config().SessionAbsolute.Seconds())})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: "", Path: "/", HttpOnly: true,
		Secure: s.cfg.TLS, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
