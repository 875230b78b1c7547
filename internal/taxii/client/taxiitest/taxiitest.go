// Package taxiitest runs a real Verbund TAXII 2.1 server for the tests of
// TAXII clients: the real services over a real database, served on an
// httptest server, with an office, two members and API tokens.
package taxiitest

import (
	"encoding/json"
	"fmt"
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

// Site is one Verbund installation serving TAXII 2.1 at URL.
//
// The office runs it; the members Energy (sector energy) and Finance
// (sector finance) signed the agreement. Its collections, both owned by
// the office and open to every reader for adding:
//
//   - Community: TLP:GREEN for the community;
//   - Sectors: TLP:GREEN for the community and the sector finance, so
//     that a TLP:AMBER object in it reaches the sector finance only.
type Site struct {
	DB       *store.DB
	Identity *identity.Service
	Door     *sharing.Door
	STIX     *cti.Service
	Server   *httptest.Server
	// URL is the discovery URL, Root the URL of the API root.
	URL, Root string

	Office, Energy, Finance identity.Organisation
	OfficeAdmin             identity.Principal
	Community, Sectors      cti.Collection
	// Tokens maps a name to an API token: office, energy, finance (each
	// with intel:read and intel:write), energy-read (intel:read only).
	Tokens map[string]string
	// Requests counts the TAXII requests served.
	Requests atomic.Int64
}

// New starts a site on db; it stops when t ends.
func New(t testing.TB, db *store.DB) *Site {
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
	s := &Site{DB: db, Identity: ids, Door: door, STIX: cti.NewService(db.STIX(), door, nil), Tokens: map[string]string{}}

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
			Name: "Admin " + o.Name, Password: "correct horse battery staple", Roles: []identity.Role{role}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := ids.Principal(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	s.Office = mkOrg("Office", identity.KindOffice)
	s.Energy = mkOrg("Stadtwerke Nord", identity.KindMember, "energy")
	s.Finance = mkOrg("Bank Süd", identity.KindMember, "finance")
	s.OfficeAdmin = mkAdmin(s.Office, identity.RoleOfficeAdmin)
	agr, err := mem.PublishAgreement(ctx, s.OfficeAdmin, map[string]string{"de": "Vertraulichkeit", "nl": "Vertrouwelijkheid", "en": "Confidentiality"})
	if err != nil {
		t.Fatal(err)
	}
	admins := map[string]identity.Principal{"office": s.OfficeAdmin}
	for name, o := range map[string]identity.Organisation{"energy": s.Energy, "finance": s.Finance} {
		admins[name] = mkAdmin(o, identity.RoleOrgAdmin)
		if _, err := mem.Sign(ctx, admins[name], o.ID, agr.Version, "de"); err != nil {
			t.Fatal(err)
		}
	}
	mkToken := func(name string, admin identity.Principal, scopes ...identity.Scope) {
		secret, _, err := ids.CreateToken(ctx, admin, identity.NewToken{OrgID: admin.OrgID(), Name: name, Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
		s.Tokens[name] = secret
	}
	for name, admin := range admins {
		mkToken(name, admin, identity.ScopeIntelRead, identity.ScopeIntelWrite)
	}
	mkToken("energy-read", admins["energy"], identity.ScopeIntelRead)
	s.Community = s.collection(t, "Community", policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}})
	s.Sectors = s.collection(t, "Sectors", policy.Marking{TLP: policy.Green,
		Audience: policy.Audience{Community: true, Sectors: []string{"finance"}}})

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
	h := taxii.New(taxii.Config{CursorKey: []byte("0123456789abcdef0123456789abcdef")},
		taxii.Deps{Principal: principal, Door: door, Collections: s.STIX})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Server.Close)
	s.URL = s.Server.URL + "/taxii2/"
	s.Root = s.URL + "api/"
	return s
}

// collection creates a collection of the office that every reader may add
// to.
func (s *Site) collection(t testing.TB, title string, m policy.Marking) cti.Collection {
	c, err := s.STIX.CreateCollection(t.Context(), s.OfficeAdmin, cti.NewCollection{Title: title, OwnerOrg: s.Office.ID,
		Default: m, ReadersWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Add stores objects in c as the office admin and fails t unless every one
// of them is stored.
func (s *Site) Add(t testing.TB, c cti.Collection, objects ...string) {
	t.Helper()
	v, err := s.Door.Viewer(t.Context(), s.OfficeAdmin)
	if err != nil {
		t.Fatal(err)
	}
	raws := make([]json.RawMessage, len(objects))
	for i, o := range objects {
		raws[i] = json.RawMessage(o)
	}
	st, err := s.STIX.Add(t.Context(), s.OfficeAdmin, &v, &c, raws)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Failures) > 0 {
		t.Fatalf("adding objects: %+v", st.Failures)
	}
}

// IDs returns the STIX ids of the latest versions in c that the office
// admin sees, in the order they were added, each once.
func (s *Site) IDs(t testing.TB, c cti.Collection) []string {
	t.Helper()
	v, err := s.Door.Viewer(t.Context(), s.OfficeAdmin)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var after cti.Position
	for {
		p, err := s.STIX.Page(t.Context(), &v, &c, cti.Query{}, after, 1000, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, ver := range p.Versions {
			out = append(out, ver.ID)
		}
		if !p.More {
			return out
		}
		after = p.Next
	}
}

// Versions returns every stored version of object id in c with its
// marking but without JSON, whoever may see it: what a test checks of the
// storage behind the door.
func (s *Site) Versions(t testing.TB, c cti.Collection, id string) []cti.Version {
	t.Helper()
	vs, err := s.DB.STIX().STIXVersionsOf(t.Context(), c.ID, []string{id})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

var serial atomic.Int64

// UUID returns a fresh version 4 UUID, unique in the test binary.
func UUID() string {
	n := serial.Add(1)
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n>>48, n&0xffffffffffff)
}

// Indicator returns an indicator with a fresh id, modified some hours
// after a fixed instant, with the TLP marking definition given ("" for
// none), that compares the IPv4 address ip.
func Indicator(hours int, marking, ip string) (id, object string) {
	id = "indicator--" + UUID()
	return id, IndicatorVersion(id, hours, marking, ip)
}

// IndicatorVersion returns a version of indicator id; see Indicator.
func IndicatorVersion(id string, hours int, marking, ip string) string {
	refs := ""
	if marking != "" {
		refs = `,"object_marking_refs":["` + marking + `"]`
	}
	at := func(h int) string {
		return time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour).Format("2006-01-02T15:04:05.000Z")
	}
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":%q,"modified":%q,`+
		`"name":"bad address","pattern":"[ipv4-addr:value = '%s']","pattern_type":"stix","valid_from":%q%s}`,
		id, at(0), at(hours), ip, at(0), refs)
}
