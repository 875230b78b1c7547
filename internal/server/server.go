// Package server is Verbund's HTTP surface: the HTML pages, the REST API and
// the operational endpoints. routes.go lists every route with the rule that
// authorises it; nothing is reachable that is not listed there.
package server

import (
	"context"
	"database/sql"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/sharing/stixrelay"
	"github.com/verbund/verbund/internal/taxii/cti"
	"github.com/verbund/verbund/internal/warning"
)

// Config is the server's part of the installation's configuration.
type Config struct {
	BaseURL        string // e.g. https://verbund.example.org, without trailing slash
	TLS            bool   // served over TLS: cookies are Secure and __Host- prefixed, HSTS is sent
	Demo           bool
	TrustedProxies []netip.Prefix // X-Forwarded-For is believed only from these
	MaxBodyBytes   int64          // request body limit for forms and JSON
	Version        string
}

// Database is what the operational endpoints need of the database.
type Database interface {
	Ping(ctx context.Context) error
	Stats() sql.DBStats
}

// Deps are the services the server calls.
type Deps struct {
	Logger   *slog.Logger
	Identity *identity.Service
	// Membership is required: registration, the agreement and the member
	// area are part of every installation.
	Membership  *membership.Service
	Designation *designation.Service
	// STIX keeps the TAXII collections; nil serves no TAXII.
	STIX *cti.Service
	// CSAF runs the CSAF 2.0 trusted provider; nil serves none.
	CSAF *CSAFProvider
	// Warnings are the warnings and advisories; required with Door.
	Warnings *warning.Service
	// Door is the one way to information objects: every read path asks it.
	Door    *sharing.Door
	Access  *sharing.Access // requests for access to objects; nil serves none
	Audit   audit.Store
	Mail    mail.Store
	DB      Database
	Catalog *i18n.Catalog
	// CSRFKey signs form tokens; all nodes of an installation share it.
	CSRFKey []byte
	Now     func() time.Time

	// Explainer tells the office who sees an object and why; Relay passes
	// sanitised copies of STIX objects on. Nil serves neither.
	Explainer *sharing.Explainer
	Relay     *stixrelay.Service
	// Remotes keeps the TAXII servers collections are pulled from and
	// pushed to; nil offers none.
	Remotes *federation.Service
	// Incidents takes incident reports and runs their cases; nil serves no
	// incident pages or API.
	Incidents *incident.Service
}

// Server holds the dependencies shared by all handlers.
type Server struct {
	Deps
	cfg       Config
	pages     map[string]*template.Template
	metrics   *metrics
	registry  *prometheus.Registry
	routes    []route
	apiRoutes map[string]bool // "METHOD /api/v1/path" of every API route, for the OpenAPI check
	// registrations counts the registrations tried per client address.
	registrations *limiter
	// followUps counts wrong follow-up secrets, reportsFrom reports from
	// the public, per client address.
	followUps, reportsFrom *limiter
}

// New returns the whole HTTP surface of Verbund as one handler.
func New(cfg Config, deps Deps) (http.Handler, error) {
	_, h, err := newServer(cfg, deps)
	return h, err
}

// newServer is New, also returning the server behind the handler for tests.
func newServer(cfg Config, deps Deps) (*Server, http.Handler, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if deps.Membership == nil {
		return nil, nil, errors.New("server: the membership service is missing")
	}
	s := &Server{Deps: deps, cfg: cfg, apiRoutes: map[string]bool{},
		registrations: newLimiter(registrationLimit, registrationWindow),
		followUps:     newLimiter(followUpLimit, 15*time.Minute), reportsFrom: newLimiter(reportLimit, time.Hour)}
	pages, err := parseTemplates()
	if err != nil {
		return nil, nil, err
	}
	s.pages = pages
	s.registry = prometheus.NewRegistry()
	s.metrics = newMetrics(s.registry, deps.DB)
	mux := http.NewServeMux()
	s.addRoutes(mux)
	// Browsers tell where a request comes from (Sec-Fetch-Site, Origin);
	// cross-site unsafe requests are refused before any handler runs. API
	// clients that send neither header pass, and are checked by token.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := &verbund.Error{Op: "server.crossOrigin", Kind: verbund.Forbidden, Code: "cross-origin",
			Msg: "cross-site requests that change something are refused"}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			s.writeProblem(w, r, err)
			return
		}
		s.fail(w, r, err)
	}))
	return s, s.middleware(cop.Handler(mux)), nil
}

// Routes lists the registered routes with their rules, for tests and docs.
func (s *Server) Routes() []route { return s.routes }
