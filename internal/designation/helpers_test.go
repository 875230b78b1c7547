package designation_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
)

// clock is a settable time for the service under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// day is the length of a calendar day in the tests' UTC.
const day = 24 * time.Hour

// t0 is when every test starts.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// fixture is an office with its staff, two member organisations with their
// users, and the designation service on a real database.
type fixture struct {
	db  *store.DB
	svc *designation.Service
	ids *identity.Service
	clk *clock

	office, csirt, isp identity.Organisation

	officeAdmin, assessor, reviewer identity.Principal // users of the office
	csirtAdmin, csirtMember         identity.Principal // users of the CSIRT
	ispAdmin                        identity.Principal // the ISP's administrator
	system                          identity.Principal
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	return setupWith(t, db, designation.Config{})
}

func setupWith(t *testing.T, db *store.DB, cfg designation.Config) *fixture {
	t.Helper()
	ctx := t.Context()
	clk := &clock{t: t0}
	icfg := identity.DefaultConfig()
	icfg.Now, icfg.Argon2, icfg.MailHeld = clk.Now, identity.FastArgon2, true
	ids := identity.NewService(db.Identity(), icfg)
	cfg.Now = clk.Now
	f := &fixture{db: db, svc: designation.NewService(db.Designation(), cfg), ids: ids, clk: clk, system: identity.SystemPrincipal()}
	org := func(name string, kind identity.OrgKind) identity.Organisation {
		o, err := ids.CreateOrganisation(ctx, f.system, identity.NewOrganisation{Name: name, Kind: kind, Country: "NL", Sectors: []string{"energy"}})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return o
	}
	f.office = org("NCSC", identity.KindOffice)
	f.csirt = org("Energy CSIRT", identity.KindMember)
	f.isp = org("Example ISP", identity.KindMember)
	user := func(o identity.Organisation, email string, roles ...identity.Role) identity.Principal {
		u, err := ids.CreateUser(ctx, f.system, identity.NewUser{OrgID: o.ID, Email: email, Name: email,
			Password: "correct horse battery staple", Roles: roles})
		if err != nil {
			t.Fatalf("create %s: %v", email, err)
		}
		p, err := ids.Principal(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.officeAdmin = user(f.office, "admin@ncsc.example", identity.RoleOfficeAdmin)
	f.assessor = user(f.office, "assessor@ncsc.example", identity.RoleAssessor)
	f.reviewer = user(f.office, "reviewer@ncsc.example", identity.RoleReviewer)
	f.csirtAdmin = user(f.csirt, "admin@csirt.example", identity.RoleOrgAdmin)
	f.csirtMember = user(f.csirt, "member@csirt.example", identity.RoleOrgMember)
	f.ispAdmin = user(f.isp, "admin@isp.example", identity.RoleOrgAdmin)
	return f
}

// open opens an assessment of org in cat by the assessor.
func (f *fixture) open(t *testing.T, org string, cat policy.Category, sectorWide bool) designation.Assessment {
	t.Helper()
	a, err := f.svc.OpenAssessment(t.Context(), f.assessor, designation.NewAssessment{OrgID: org, Category: cat, SectorWide: sectorWide})
	if err != nil {
		t.Fatalf("OpenAssessment: %v", err)
	}
	return a
}

// findAll records a finding that is met on every criterion.
func (f *fixture) findAll(t *testing.T, id string) {
	t.Helper()
	for _, c := range designation.Criteria {
		if _, err := f.svc.RecordFinding(t.Context(), f.assessor, id, designation.NewFinding{Criterion: c, Met: true, Note: "checked " + string(c)}); err != nil {
			t.Fatalf("RecordFinding %s: %v", c, err)
		}
	}
}

// terms returns a validity of a year from now with a review after half a
// year.
func (f *fixture) terms() designation.Terms {
	now := f.clk.Now()
	return designation.Terms{ValidFrom: now, ValidUntil: now.AddDate(1, 0, 0), ReviewAt: now.AddDate(0, 6, 0)}
}

// designate runs a whole assessment of org in cat to a designation.
func (f *fixture) designate(t *testing.T, org string, cat policy.Category, sectorWide bool) designation.Designation {
	t.Helper()
	a := f.open(t, org, cat, sectorWide)
	f.findAll(t, a.ID)
	d, err := f.svc.Designate(t.Context(), f.assessor, a.ID, f.terms())
	if err != nil {
		t.Fatalf("Designate: %v", err)
	}
	return d
}

// wantErr fails t unless err is a *verbund.Error of kind k with code (when
// code is not "") and exactly the field names fields (when not nil).
func wantErr(t *testing.T, err error, k verbund.Kind, code string, fields ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s %s %v", k, code, fields)
	}
	if got := verbund.ErrorKind(err); got != k {
		t.Fatalf("error %v: kind %s, want %s", err, got, k)
	}
	if code != "" && verbund.ErrorCode(err) != code {
		t.Fatalf("error %v: code %q, want %q", err, verbund.ErrorCode(err), code)
	}
	if fields != nil {
		var got []string
		for k := range verbund.ErrorFields(err) {
			got = append(got, k)
		}
		slices.Sort(got)
		slices.Sort(fields)
		if !slices.Equal(got, fields) {
			t.Fatalf("error %v: fields %v, want %v", err, got, fields)
		}
	}
}

// auditOf returns the audit entries of action, oldest first.
func (f *fixture) auditOf(t *testing.T, action string) []audit.Entry {
	t.Helper()
	es, err := f.db.ListAudit(t.Context(), audit.Filter{Action: action, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(es)
	return es
}

// lastAudit returns the newest entry of action and fails t when there is
// none.
func (f *fixture) lastAudit(t *testing.T, action string) audit.Entry {
	t.Helper()
	es := f.auditOf(t, action)
	if len(es) == 0 {
		t.Fatalf("no audit entry %s", action)
	}
	return es[len(es)-1]
}

// verifyAudit fails t unless the audit chain holds.
func (f *fixture) verifyAudit(t *testing.T) {
	t.Helper()
	if _, err := audit.Verify(t.Context(), f.db); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
}
