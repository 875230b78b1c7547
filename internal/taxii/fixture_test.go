package taxii_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/taxii"
	"github.com/verbund/verbund/internal/taxii/cti"
)

const (
	mediaTAXII = "application/taxii+json;version=2.1"
	pw         = "correct horse battery staple"
)

// alliance is an installation with the office and four members, each with
// an API token, and two collections of the office:
//
//   - community: TLP:GREEN for the community, every reader may add;
//   - alliance: TLP:GREEN for the sectors energy and finance and the
//     organisation cert, every reader may add. AMBER+STRICT objects in it
//     reach cert alone (sectors do not count for STRICT).
//
// The members energy (sector energy), cert (ict-services) and finance
// (finance) signed the agreement; late (energy) did not.
type alliance struct {
	t    testing.TB
	db   *store.DB
	h    http.Handler
	deps taxii.Deps
	svc  *cti.Service
	door *sharing.Door
	ids  *identity.Service

	office, energy, cert, finance, late identity.Organisation
	officeAdmin                         identity.Principal
	community, shared                   cti.Collection
	// tokens maps a name to an API token: office, energy, cert, finance,
	// late (all with intel:read and intel:write), energy-read (intel:read
	// only), energy-write (intel:write only), energy-warnings
	// (warnings:read only).
	tokens map[string]string
}

func newAlliance(t testing.TB, db *store.DB, cfg taxii.Config) *alliance {
	t.Helper()
	ctx := t.Context()
	icfg := identity.DefaultConfig()
	icfg.Argon2, icfg.MailHeld = identity.FastArgon2, true
	ids := identity.NewService(db.Identity(), icfg)
	mcfg := membership.DefaultConfig()
	mcfg.Argon2, mcfg.MailHeld = identity.FastArgon2, true
	mem := membership.NewService(db.Membership(), mcfg)
	des := designation.NewService(db.Designation(), designation.DefaultConfig())
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	door := sharing.New(pol, mem, des, des, ids, nil)
	a := &alliance{t: t, db: db, ids: ids, tokens: map[string]string{}}
	a.svc, a.door = cti.NewService(db.STIX(), door, nil), door

	sys := identity.SystemPrincipal()
	mkOrg := func(name string, kind identity.OrgKind, sectors ...string) identity.Organisation {
		o, err := ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: name, Kind: kind, Country: "DE", Sectors: sectors})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	mkAdmin := func(o identity.Organisation, role identity.Role) identity.Principal {
		u, err := ids.CreateUser(ctx, sys, identity.NewUser{OrgID: o.ID, Email: "admin@" + strings.ToLower(strings.Fields(o.Name)[0]) + ".example",
			Name: "Admin " + o.Name, Password: pw, Roles: []identity.Role{role}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := ids.Principal(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a.office = mkOrg("Office", identity.KindOffice)
	a.energy = mkOrg("Stadtwerke Nord", identity.KindMember, "energy")
	a.cert = mkOrg("CERT Nordwest", identity.KindMember, "ict-services")
	a.finance = mkOrg("Bank Süd", identity.KindMember, "finance")
	a.late = mkOrg("Netz Ost", identity.KindMember, "energy")
	a.officeAdmin = mkAdmin(a.office, identity.RoleOfficeAdmin)
	admins := map[string]identity.Principal{"office": a.officeAdmin}
	agr, err := mem.PublishAgreement(ctx, a.officeAdmin, map[string]string{"de": "Vertraulichkeit", "nl": "Vertrouwelijkheid", "en": "Confidentiality"})
	if err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]identity.Organisation{"energy": a.energy, "cert": a.cert, "finance": a.finance, "late": a.late} {
		admins[name] = mkAdmin(o, identity.RoleOrgAdmin)
		if name != "late" {
			if _, err := mem.Sign(ctx, admins[name], o.ID, agr.Version, "de"); err != nil {
				t.Fatal(err)
			}
		}
	}
	rw := []identity.Scope{identity.ScopeIntelRead, identity.ScopeIntelWrite}
	mkToken := func(name string, admin identity.Principal, scopes ...identity.Scope) {
		secret, _, err := ids.CreateToken(ctx, admin, identity.NewToken{OrgID: admin.OrgID(), Name: name, Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
		a.tokens[name] = secret
	}
	for name, admin := range admins {
		mkToken(name, admin, rw...)
	}
	mkToken("energy-read", admins["energy"], identity.ScopeIntelRead)
	mkToken("energy-write", admins["energy"], identity.ScopeIntelWrite)
	mkToken("energy-warnings", admins["energy"], identity.ScopeWarningsRead)

	a.community = a.collection("Community", policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}})
	a.shared = a.collection("Alliance", policy.Marking{TLP: policy.Green,
		Audience: policy.Audience{Sectors: []string{"energy", "finance"}, Orgs: []string{a.cert.ID}}})

	principal := func(r *http.Request) identity.Principal {
		var tok string
		if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			tok = b
		} else if _, pass, ok := r.BasicAuth(); ok {
			tok = pass
		}
		if tok == "" {
			return identity.Principal{}
		}
		p, err := ids.AuthenticateToken(r.Context(), tok)
		if err != nil {
			return identity.Principal{}
		}
		return p
	}
	if cfg.CursorKey == nil {
		cfg.CursorKey = []byte("0123456789abcdef0123456789abcdef")
	}
	a.deps = taxii.Deps{Principal: principal, Door: door, Collections: a.svc}
	a.h = taxii.New(cfg, a.deps)
	return a
}

// collection creates a collection of the office that every reader may add
// to.
func (a *alliance) collection(title string, m policy.Marking) cti.Collection {
	c, err := a.svc.CreateCollection(a.t.Context(), a.officeAdmin, cti.NewCollection{Title: title, OwnerOrg: a.office.ID,
		Default: m, ReadersWrite: true})
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// viewerOf builds the viewer of p as the door does for a request.
func (a *alliance) viewerOf(p identity.Principal) *policy.Viewer {
	v, err := a.door.Viewer(a.t.Context(), p)
	if err != nil {
		a.t.Fatal(err)
	}
	return &v
}

// response is an answer of the handler.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v, failing the test when it is not JSON.
func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

// taxiiError decodes the body as a TAXII error message and checks the
// status in it.
func (r response) taxiiError(t testing.TB, status int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != mediaTAXII {
		t.Errorf("Content-Type %q, want %q", ct, mediaTAXII)
	}
	var m map[string]any
	r.json(t, &m)
	if m["title"] == "" || m["http_status"] != fmt.Sprint(status) || m["error_id"] == "" || m["error_code"] == "" {
		t.Errorf("error message %s lacks title, error_id, error_code or http_status %d", r.body, status)
	}
	return m
}

// req sends a request as the token named; headers are name, value pairs
// and default to the TAXII Accept (and Content-Type with a body).
func (a *alliance) req(method, path, token string, body []byte, headers ...string) response {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r := httptest.NewRequestWithContext(a.t.Context(), method, path, rd)
	r.Header.Set("Accept", mediaTAXII)
	if body != nil {
		r.Header.Set("Content-Type", mediaTAXII)
	}
	if token != "" {
		secret, ok := a.tokens[token]
		if !ok {
			a.t.Fatalf("no token %q", token)
		}
		r.Header.Set("Authorization", "Bearer "+secret)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			r.Header.Del(headers[i])
		} else {
			r.Header.Set(headers[i], headers[i+1])
		}
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, r)
	return response{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
}

func (a *alliance) get(path, token string, headers ...string) response {
	a.t.Helper()
	return a.req("GET", path, token, nil, headers...)
}

// post adds objects to collection c as the token named and returns the
// status resource.
func (a *alliance) post(c cti.Collection, token string, objects ...string) statusResource {
	a.t.Helper()
	r := a.req("POST", objectsPath(c), token, envelope(objects...))
	if r.status != http.StatusAccepted {
		a.t.Fatalf("POST objects: status %d, body %s", r.status, r.body)
	}
	var st statusResource
	r.json(a.t, &st)
	return st
}

type statusResource struct {
	ID           string   `json:"id"`
	Status       string   `json:"status"`
	Request      string   `json:"request_timestamp"`
	TotalCount   int      `json:"total_count"`
	SuccessCount int      `json:"success_count"`
	Successes    []detail `json:"successes"`
	FailureCount int      `json:"failure_count"`
	Failures     []detail `json:"failures"`
	PendingCount *int     `json:"pending_count"`
}

type detail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message"`
}

type envelopeResource struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

func envelope(objects ...string) []byte {
	return []byte(`{"objects":[` + strings.Join(objects, ",") + `]}`)
}

func objectsPath(c cti.Collection) string { return "/taxii2/api/collections/" + c.ID + "/objects/" }

// The STIX objects of the tests.

var serial atomic.Int64

// uuid4 returns a fresh version 4 UUID, deterministic per test binary run.
func uuid4() string {
	n := serial.Add(1)
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n>>48, n&0xffffffffffff)
}

// stixTime is a STIX timestamp some hours after a fixed instant.
func stixTime(hours int) string {
	return time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC).Add(time.Duration(hours) * time.Hour).Format("2006-01-02T15:04:05.000Z")
}

// indicator returns an indicator with the id, version (hours) and TLP
// marking id given ("" for none) that compares the IPv4 address ip.
func indicator(id string, version int, marking, ip string) string {
	refs := ""
	if marking != "" {
		refs = `,"object_marking_refs":["` + marking + `"]`
	}
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":%q,"modified":%q,`+
		`"name":"bad address","pattern":"[ipv4-addr:value = '%s']","pattern_type":"stix","valid_from":%q%s}`,
		id, stixTime(0), stixTime(version), ip, stixTime(0), refs)
}

// malware returns a malware SDO.
func malware(id string, version int) string {
	return fmt.Sprintf(`{"type":"malware","spec_version":"2.1","id":%q,"created":%q,"modified":%q,"name":"Emotet","is_family":true}`,
		id, stixTime(0), stixTime(version))
}
