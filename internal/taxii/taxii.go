package taxii

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// Config is the TAXII server's part of the installation's configuration.
// Zero fields take the defaults named.
type Config struct {
	// BaseURL is the public origin, e.g. https://verbund.example.org,
	// without a trailing slash; discovery names the API root under it. ""
	// takes the scheme and host of each request.
	BaseURL string
	// Path is where the handler is mounted, with slashes on both ends:
	// "/taxii2/". Discovery is answered there.
	Path string
	// APIRoot is the name of the one API root: "api", served at Path+"api/".
	APIRoot string

	// Title, Description and Contact describe the server in discovery;
	// Title defaults to "Verbund TAXII 2.1".
	Title, Description, Contact string
	// RootTitle and RootDescription describe the API root; RootTitle
	// defaults to Title.
	RootTitle, RootDescription string

	// MaxContentLength is the largest request body accepted, in bytes
	// (10 MiB); the API root announces it.
	MaxContentLength int64
	// MaxObjects is the largest number of objects one envelope may carry
	// (10,000), so that a body of tiny bad objects cannot make a status of
	// millions of failures.
	MaxObjects int
	// DefaultLimit is the page size when a request gives no limit (100);
	// MaxLimit the largest page (1000).
	DefaultLimit, MaxLimit int
	// CursorKey signs the next values of pagination. Every node of an
	// installation must use the same key of at least 32 bytes; nil takes a
	// random key, with which cursors do not survive a restart.
	CursorKey []byte
}

// Deps are what the TAXII server calls.
type Deps struct {
	// Principal returns who is making the request; the public when nobody
	// is authenticated.
	Principal func(*http.Request) identity.Principal
	// Door builds the viewer of a principal; every object passes it.
	Door *sharing.Door
	// Collections keeps the collections and their objects; it must use the
	// same Door.
	Collections *cti.Service
	// Logger receives the errors that are ours (status 500 and above).
	Logger *slog.Logger
}

// MediaTypeTAXII is the media type of every TAXII 2.1 resource.
const MediaTypeTAXII = "application/taxii+json;version=2.1"

// server is the handler New returns.
type server struct {
	cfg  Config
	deps Deps
	svc  *cti.Service
	key  []byte
}

// New returns the TAXII 2.1 server. It panics when a dependency is missing,
// which is a mistake of the wiring found at start-up.
func New(cfg Config, deps Deps) http.Handler {
	if deps.Principal == nil || deps.Door == nil || deps.Collections == nil {
		panic("taxii.New: Principal, Door and Collections are required")
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Path == "" {
		cfg.Path = "/taxii2/"
	}
	if !strings.HasPrefix(cfg.Path, "/") {
		cfg.Path = "/" + cfg.Path
	}
	if !strings.HasSuffix(cfg.Path, "/") {
		cfg.Path += "/"
	}
	if cfg.APIRoot == "" {
		cfg.APIRoot = "api"
	}
	cfg.APIRoot = strings.Trim(cfg.APIRoot, "/")
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.Title == "" {
		cfg.Title = "Verbund TAXII 2.1"
	}
	if cfg.RootTitle == "" {
		cfg.RootTitle = cfg.Title
	}
	if cfg.MaxContentLength <= 0 {
		cfg.MaxContentLength = 10 << 20
	}
	if cfg.MaxObjects <= 0 {
		cfg.MaxObjects = 10000
	}
	if cfg.MaxLimit <= 0 {
		cfg.MaxLimit = 1000
	}
	if cfg.DefaultLimit <= 0 {
		cfg.DefaultLimit = min(100, cfg.MaxLimit)
	}
	s := &server{cfg: cfg, deps: deps, svc: deps.Collections, key: cfg.CursorKey}
	if len(s.key) == 0 {
		s.key = make([]byte, 32)
		rand.Read(s.key) // never fails
	}
	return s
}

// route is what a request path names.
type route struct {
	kind       string // one of the route kinds below
	collection string
	object     string
	status     string
}

// The route kinds, which also name the endpoint a cursor belongs to.
const (
	routeDiscovery   = "discovery"
	routeRoot        = "root"
	routeStatus      = "status"
	routeCollections = "collections"
	routeCollection  = "collection"
	routeObjects     = "objects"
	routeObject      = "object"
	routeVersions    = "versions"
	routeManifest    = "manifest"
)

// methods lists the methods of each route kind.
var methods = map[string][]string{
	routeDiscovery: {"GET"}, routeRoot: {"GET"}, routeStatus: {"GET"}, routeCollections: {"GET"},
	routeCollection: {"GET"}, routeObjects: {"GET", "POST"}, routeObject: {"GET", "DELETE"},
	routeVersions: {"GET"}, routeManifest: {"GET"},
}

// match reads the route of path; ok is false when path names nothing. A
// missing trailing slash is forgiven.
func (s *server) match(path string) (rt route, ok bool) {
	rest, found := strings.CutPrefix(path, s.cfg.Path)
	if !found {
		if path+"/" == s.cfg.Path {
			return route{kind: routeDiscovery}, true
		}
		return route{}, false
	}
	rest = strings.TrimSuffix(rest, "/")
	if rest == "" {
		return route{kind: routeDiscovery}, true
	}
	seg := strings.Split(rest, "/")
	if seg[0] != s.cfg.APIRoot || slices.Contains(seg, "") {
		return route{}, false
	}
	seg = seg[1:]
	switch {
	case len(seg) == 0:
		return route{kind: routeRoot}, true
	case len(seg) == 2 && seg[0] == "status":
		return route{kind: routeStatus, status: seg[1]}, true
	case seg[0] != "collections":
		return route{}, false
	case len(seg) == 1:
		return route{kind: routeCollections}, true
	}
	rt.collection = seg[1]
	switch {
	case len(seg) == 2:
		rt.kind = routeCollection
	case len(seg) == 3 && seg[2] == "objects":
		rt.kind = routeObjects
	case len(seg) == 3 && seg[2] == "manifest":
		rt.kind = routeManifest
	case len(seg) == 4 && seg[2] == "objects":
		rt.kind, rt.object = routeObject, seg[3]
	case len(seg) == 5 && seg[2] == "objects" && seg[4] == "versions":
		rt.kind, rt.object = routeVersions, seg[3]
	default:
		return route{}, false
	}
	return rt, true
}

// request is one request on its way through the handlers.
type request struct {
	*http.Request
	rt        route
	principal identity.Principal
	viewer    policy.Viewer
}

// ServeHTTP routes, authenticates, negotiates and dispatches.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, ok := s.match(r.URL.Path)
	if !ok {
		s.fail(w, r, errNotFound("there is no TAXII resource at this path"))
		return
	}
	allowed := methods[rt.kind]
	if !slices.Contains(allowed, r.Method) {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.fail(w, r, &httpError{status: http.StatusMethodNotAllowed, code: "method-not-allowed",
			desc: "this resource answers " + strings.Join(allowed, " and ")})
		return
	}
	p := s.deps.Principal(r)
	if !p.Authenticated() {
		w.Header().Add("WWW-Authenticate", `Basic realm="verbund-taxii", charset="UTF-8"`)
		w.Header().Add("WWW-Authenticate", `Bearer realm="verbund-taxii"`)
		s.fail(w, r, &httpError{status: http.StatusUnauthorized, code: "unauthenticated",
			desc: "authenticate with an API token, as Bearer token or as HTTP Basic password"})
		return
	}
	if !acceptable(r.Header.Values("Accept")) {
		s.fail(w, r, &httpError{status: http.StatusNotAcceptable, code: "not-acceptable",
			desc: "this server answers only " + MediaTypeTAXII + "; send it in the Accept header"})
		return
	}
	if err := scopeFor(p, r.Method, rt.kind); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	if audit.RequestFrom(ctx).ID == "" {
		ctx = audit.WithRequest(ctx, audit.Request{ID: newErrorID(), UserAgent: r.UserAgent()})
	}
	v, err := s.deps.Door.Viewer(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req := &request{Request: r.WithContext(ctx), rt: rt, principal: p, viewer: v}
	switch rt.kind {
	case routeDiscovery:
		s.discovery(w, req)
	case routeRoot:
		s.apiRoot(w, req)
	case routeStatus:
		s.status(w, req)
	case routeCollections:
		s.collections(w, req)
	case routeCollection:
		s.collection(w, req)
	case routeObjects:
		if r.Method == "POST" {
			s.addObjects(w, req)
		} else {
			s.objects(w, req)
		}
	case routeObject:
		if r.Method == "DELETE" {
			s.deleteObject(w, req)
		} else {
			s.object(w, req)
		}
	case routeVersions:
		s.versions(w, req)
	case routeManifest:
		s.manifest(w, req)
	}
}

// scopeFor checks the token scope the method needs. Users in a session hold
// every scope; what they see is the policy's business.
func scopeFor(p identity.Principal, method, kind string) error {
	switch {
	case method != "GET":
		if !p.HasScope(identity.ScopeIntelWrite) {
			return &httpError{status: http.StatusForbidden, code: "token-scope-missing",
				desc: "this request needs a token with the scope " + string(identity.ScopeIntelWrite)}
		}
	case kind == routeStatus:
		if !p.HasScope(identity.ScopeIntelRead) && !p.HasScope(identity.ScopeIntelWrite) {
			return &httpError{status: http.StatusForbidden, code: "token-scope-missing",
				desc: "the status of an addition needs a token with the scope intel:read or intel:write"}
		}
	case !p.HasScope(identity.ScopeIntelRead):
		return &httpError{status: http.StatusForbidden, code: "token-scope-missing",
			desc: "this request needs a token with the scope " + string(identity.ScopeIntelRead)}
	}
	return nil
}
