package policy

import (
	"testing"
	"time"
)

// The alliance the example-based tests play in.
//
//	office      the office that runs the alliance
//	owner-org   owns the objects under test (sector water); u-author wrote them, u-colleague works there
//	named-org   named in audiences (sector finance)
//	energy-org  in sector energy, which audiences name
//	inner-org   in circle inner, which circle outer contains; audiences name outer
//	other-org   in sector health, named nowhere
//	friend-org  u-named works here; audiences name u-named
var (
	now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	testCircles = mustCircles([]CircleDef{
		{ID: "outer", Circles: []string{"inner"}},
		{ID: "inner", Orgs: []string{"inner-org"}},
		{ID: "unused", Orgs: []string{"other-org"}},
	})
)

func mustCircles(defs []CircleDef) *Circles {
	c, err := NewCircles(defs)
	if err != nil {
		panic(err)
	}
	return c
}

func mustPolicy(t testing.TB, c Config) *Policy {
	t.Helper()
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func openPolicy(t testing.TB) *Policy { return mustPolicy(t, DefaultConfig()) }

func hubPolicy(t testing.TB) *Policy {
	c := DefaultConfig()
	c.Regime = HubRegime()
	return mustPolicy(t, c)
}

// member returns an active user of org who accepted the agreement.
func member(user, org string, sectors ...string) Viewer {
	return Viewer{
		Kind: ViewerUser, UserID: user, OrgID: org,
		OrgStatus: StatusActive, AcceptedCurrentAgreement: true,
		OrgSectors: NewSet(sectors...), Circles: testCircles.Of(org),
	}
}

// token returns a token of an active organisation with scopes.
func token(org string, scopes ...string) Viewer {
	v := member("", org)
	v.Kind = ViewerToken
	v.Scopes = NewSet(scopes...)
	return v
}

// officeUser returns a user of the office holding roles.
func officeUser(user string, roles ...Role) Viewer {
	v := member(user, "office")
	v.IsOffice = true
	for _, r := range roles {
		v.OfficeRoles |= Roles(r)
	}
	return v
}

func with(v Viewer, f func(*Viewer)) Viewer {
	f(&v)
	return v
}

// object returns an object of owner-org written by u-author.
func object(kind string, m Marking) Object {
	return Object{Kind: kind, ID: "obj-1", OwnerOrg: "owner-org", CreatedBy: "u-author", Marking: m}
}

// want is an expected decision: a code and, for allows through the
// audience, the path.
type want struct {
	code Code
	via  Via
}

func (w want) allow() bool {
	for _, c := range codeInfo {
		if c.code == w.code {
			return c.allow
		}
	}
	panic("unknown code " + string(w.code))
}

func check(t *testing.T, got Decision, w want) {
	t.Helper()
	if got.Allow != w.allow() || got.Code != w.code || (w.via != ViaNone && got.Via != w.via) {
		t.Errorf("got %v (%q), want code %s via %s", got, got.Explain(), w.code, w.via)
	}
}

func verdict(allow bool) string {
	if allow {
		return "sees"
	}
	return "does not see"
}
