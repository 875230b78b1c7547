package designation_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

func (f *fixture) circle(t *testing.T, p identity.Principal, name string, hide bool) designation.Circle {
	t.Helper()
	c, err := f.svc.CreateCircle(t.Context(), p, designation.NewCircle{Name: name, HideMembers: hide})
	if err != nil {
		t.Fatalf("CreateCircle %s: %v", name, err)
	}
	return c
}

func TestCreateAndUpdateCircle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		c, err := f.svc.CreateCircle(ctx, f.officeAdmin, designation.NewCircle{Name: " Energy ISAC ", Description: "grid operators"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "Energy ISAC" || c.OwnerOrg != f.office.ID || c.CreatedBy != f.officeAdmin.User.ID || !c.CreatedAt.Equal(t0) {
			t.Errorf("CreateCircle = %+v", c)
		}
		own := f.circle(t, f.csirtAdmin, "Our constituents", false)
		if own.OwnerOrg != f.csirt.ID {
			t.Errorf("owner = %s, want the CSIRT", own.OwnerOrg)
		}
		// Another owner may use the same name.
		f.circle(t, f.ispAdmin, "Energy ISAC", false)

		for _, tc := range []struct {
			name   string
			p      identity.Principal
			in     designation.NewCircle
			kind   verbund.Kind
			code   string
			fields []string
		}{
			{"the public", identity.Principal{}, designation.NewCircle{Name: "x"}, verbund.Forbidden, "", nil},
			{"the installation without an owner", f.system, designation.NewCircle{Name: "x"}, verbund.Invalid, "circle-invalid", []string{"owner_org"}},
			{"an organisation's member", f.csirtMember, designation.NewCircle{Name: "x"}, verbund.Forbidden, "", nil},
			{"an assessor for the office", f.assessor, designation.NewCircle{Name: "x"}, verbund.Forbidden, "", nil},
			{"an admin for another organisation", f.csirtAdmin, designation.NewCircle{Name: "x", OwnerOrg: f.isp.ID}, verbund.Forbidden, "", nil},
			{"the office admin for a member", f.officeAdmin, designation.NewCircle{Name: "x", OwnerOrg: f.isp.ID}, verbund.Forbidden, "", nil},
			{"an owner that does not exist", f.officeAdmin, designation.NewCircle{Name: "x", OwnerOrg: "o-missing"}, verbund.Invalid, "circle-invalid", []string{"owner_org"}},
			{"no name", f.officeAdmin, designation.NewCircle{Name: " "}, verbund.Invalid, "circle-invalid", []string{"name"}},
			{"a name taken in another case", f.officeAdmin, designation.NewCircle{Name: "energy isac"}, verbund.Conflict, "circle-name-taken", []string{"name"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.CreateCircle(ctx, tc.p, tc.in)
				wantErr(t, err, tc.kind, tc.code, tc.fields...)
			})
		}

		f.clk.Add(day)
		u, err := f.svc.UpdateCircle(ctx, f.officeAdmin, c.ID, designation.CircleChange{Name: "Energy sector ISAC", Description: "grid operators", HideMembers: true})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := f.svc.Circle(ctx, f.officeAdmin, c.ID)
		if got.Name != "Energy sector ISAC" || !got.HideMembers || !got.UpdatedAt.Equal(t0.Add(day)) || got.Name != u.Name {
			t.Errorf("after UpdateCircle = %+v", got)
		}
		if e := f.lastAudit(t, "circle.update"); e.ObjectID != c.ID || e.Reason != "renamed, membership hidden from members" {
			t.Errorf("audit = %+v", e)
		}
		_, err = f.svc.UpdateCircle(ctx, f.csirtAdmin, c.ID, designation.CircleChange{Name: "mine"})
		wantErr(t, err, verbund.Forbidden, "")
		_, err = f.svc.UpdateCircle(ctx, f.csirtAdmin, own.ID, designation.CircleChange{Name: ""})
		wantErr(t, err, verbund.Invalid, "circle-invalid", "name")
		_, err = f.svc.UpdateCircle(ctx, f.officeAdmin, "c-missing", designation.CircleChange{Name: "x"})
		wantErr(t, err, verbund.NotFound, "")
		if e := f.lastAudit(t, "circle.create"); e.ObjectType != "organisation" || e.ObjectID != f.isp.ID || e.Outcome != audit.Denied {
			t.Errorf("last circle.create = %+v, want the denied attempt", e)
		}
		f.verifyAudit(t)
	})
}

func TestCircleMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		c := f.circle(t, f.csirtAdmin, "Constituents", false)
		for _, org := range []string{f.isp.ID, f.office.ID} {
			if err := f.svc.AddCircleOrg(ctx, f.csirtAdmin, c.ID, org); err != nil {
				t.Fatal(err)
			}
		}
		wantErr(t, f.svc.AddCircleOrg(ctx, f.csirtAdmin, c.ID, f.isp.ID), verbund.Conflict, "already-member")
		wantErr(t, f.svc.AddCircleOrg(ctx, f.csirtAdmin, c.ID, "o-missing"), verbund.Invalid, "circle-invalid", "org_id")
		wantErr(t, f.svc.AddCircleOrg(ctx, f.csirtMember, c.ID, f.csirt.ID), verbund.Forbidden, "")
		wantErr(t, f.svc.AddCircleOrg(ctx, f.officeAdmin, c.ID, f.csirt.ID), verbund.Forbidden, "")
		wantErr(t, f.svc.AddCircleOrg(ctx, f.csirtAdmin, "c-missing", f.csirt.ID), verbund.NotFound, "")
		got, _ := f.svc.Circle(ctx, f.csirtAdmin, c.ID)
		want := []string{f.isp.ID, f.office.ID}
		slices.Sort(want)
		if !slices.Equal(got.Orgs, want) {
			t.Errorf("Orgs = %v, want %v", got.Orgs, want)
		}
		if err := f.svc.RemoveCircleOrg(ctx, f.csirtAdmin, c.ID, f.office.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.svc.RemoveCircleOrg(ctx, f.csirtAdmin, c.ID, f.office.ID), verbund.NotFound, "")
		wantErr(t, f.svc.RemoveCircleOrg(ctx, f.ispAdmin, c.ID, f.isp.ID), verbund.Forbidden, "")
		if es := f.auditOf(t, "circle.add-org"); len(es) != 4 || es[0].Reason != "organisation "+f.isp.ID {
			t.Errorf("circle.add-org audit = %+v", es)
		}
		if es := f.auditOf(t, "circle.remove-org"); len(es) != 2 || es[0].Outcome != audit.Success || es[1].Outcome != audit.Denied {
			t.Errorf("circle.remove-org audit = %+v", es)
		}
		defs, err := f.svc.CircleDefs(ctx)
		if err != nil || len(defs) != 1 || !slices.Equal(defs[0].Orgs, []string{f.isp.ID}) {
			t.Errorf("CircleDefs = %+v, %v", defs, err)
		}
	})
}

func TestNestedCircles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		a := f.circle(t, f.officeAdmin, "A", false)
		b := f.circle(t, f.officeAdmin, "B", false)
		c := f.circle(t, f.officeAdmin, "C", false)
		other := f.circle(t, f.csirtAdmin, "CSIRT's", false)
		nest := func(p identity.Principal, outer, inner string) error {
			return f.svc.AddCircleCircle(ctx, p, outer, inner)
		}
		for _, s := range [][2]string{{a.ID, b.ID}, {b.ID, c.ID}} {
			if err := nest(f.officeAdmin, s[0], s[1]); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.svc.AddCircleOrg(ctx, f.officeAdmin, c.ID, f.isp.ID); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name         string
			p            identity.Principal
			outer, inner string
			kind         verbund.Kind
			code         string
			fields       []string
		}{
			{"itself", f.officeAdmin, a.ID, a.ID, verbund.Invalid, "circle-cycle", []string{"circle_id"}},
			{"a direct cycle", f.officeAdmin, b.ID, a.ID, verbund.Invalid, "circle-cycle", []string{"circle_id"}},
			{"a cycle through nesting", f.officeAdmin, c.ID, a.ID, verbund.Invalid, "circle-cycle", []string{"circle_id"}},
			{"a member already", f.officeAdmin, a.ID, b.ID, verbund.Conflict, "already-member", nil},
			{"a circle of another owner", f.officeAdmin, a.ID, other.ID, verbund.Invalid, "circle-invalid", []string{"circle_id"}},
			{"a circle that does not exist", f.officeAdmin, a.ID, "c-missing", verbund.Invalid, "circle-invalid", []string{"circle_id"}},
			{"not the owner", f.csirtAdmin, a.ID, c.ID, verbund.Forbidden, "", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantErr(t, nest(tc.p, tc.outer, tc.inner), tc.kind, tc.code, tc.fields...)
			})
		}
		// Nesting past an existing path is no cycle.
		if err := nest(f.officeAdmin, a.ID, c.ID); err != nil {
			t.Errorf("a second path to C: %v", err)
		}

		defs, err := f.svc.CircleDefs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := policy.NewCircles(defs)
		if err != nil {
			t.Fatal(err)
		}
		if in := res.Of(f.isp.ID); !in.Has(a.ID) || !in.Has(b.ID) || !in.Has(c.ID) || in.Has(other.ID) {
			t.Errorf("the ISP is in %v", slices.Collect(in.All()))
		}
		if err := f.svc.RemoveCircleCircle(ctx, f.officeAdmin, b.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.svc.RemoveCircleCircle(ctx, f.officeAdmin, b.ID, c.ID), verbund.NotFound, "")
		wantErr(t, f.svc.RemoveCircleCircle(ctx, f.csirtAdmin, a.ID, b.ID), verbund.Forbidden, "")
		// Now C may contain B: B no longer contains C.
		if err := nest(f.officeAdmin, c.ID, b.ID); err != nil {
			t.Errorf("after removal: %v", err)
		}
		if es := f.auditOf(t, "circle.add-circle"); len(es) != 5 {
			t.Errorf("%d circle.add-circle entries, want 5 (4 added, 1 denied)", len(es))
		}
		f.verifyAudit(t)
	})
}

// TestConcurrentNesting nests A into B and B into A at the same time, many
// times over: never both, so no cycle is ever stored.
func TestConcurrentNesting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		for i := range 5 {
			a := f.circle(t, f.officeAdmin, "A"+string(rune('0'+i)), false)
			b := f.circle(t, f.officeAdmin, "B"+string(rune('0'+i)), false)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			wg.Go(func() { errs[0] = f.svc.AddCircleCircle(ctx, f.officeAdmin, a.ID, b.ID) })
			wg.Go(func() { errs[1] = f.svc.AddCircleCircle(ctx, f.officeAdmin, b.ID, a.ID) })
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("round %d: errors %v and %v; want exactly one to succeed", i, errs[0], errs[1])
			}
			for _, err := range errs {
				if err != nil && verbund.ErrorCode(err) != "circle-cycle" {
					t.Errorf("round %d: %v", i, err)
				}
			}
		}
	})
}

func TestCircleVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		open := f.circle(t, f.officeAdmin, "Open", false)
		hidden := f.circle(t, f.officeAdmin, "Hidden", true)
		outer := f.circle(t, f.officeAdmin, "Outer", false)
		private := f.circle(t, f.csirtAdmin, "Private", false)
		for _, c := range []string{open.ID, hidden.ID} {
			if err := f.svc.AddCircleOrg(ctx, f.officeAdmin, c, f.isp.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.svc.AddCircleCircle(ctx, f.officeAdmin, outer.ID, hidden.ID); err != nil {
			t.Fatal(err)
		}
		type seen struct {
			name    string
			members bool
		}
		list := func(p identity.Principal) []seen {
			t.Helper()
			cs, err := f.svc.ListCircles(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			out := []seen{}
			for _, c := range cs {
				out = append(out, seen{c.Name, c.Orgs != nil || c.Circles != nil})
			}
			return out
		}
		for _, tc := range []struct {
			name string
			p    identity.Principal
			want []seen
		}{
			// The ISP is in Open and Hidden directly and in Outer through
			// Hidden; Hidden keeps its members from it.
			{"a member", f.ispAdmin, []seen{{"Hidden", false}, {"Open", true}, {"Outer", true}}},
			// The CSIRT is in none of the office's circles and owns Private.
			{"an owner", f.csirtMember, []seen{{"Private", false}}},
			// The office sees everything; Private has no members to show.
			{"the office", f.reviewer, []seen{{"Hidden", true}, {"Open", true}, {"Outer", true}, {"Private", false}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := list(tc.p)
				if !slices.Equal(got[:min(len(got), len(tc.want))], tc.want) || len(got) != len(tc.want) {
					t.Errorf("ListCircles = %v, want %v", got, tc.want)
				}
			})
		}
		if c, err := f.svc.Circle(ctx, f.ispAdmin, hidden.ID); err != nil || c.Orgs != nil || c.Name != "Hidden" {
			t.Errorf("hidden circle for a member = %+v, %v", c, err)
		}
		if c, err := f.svc.Circle(ctx, f.ispAdmin, open.ID); err != nil || len(c.Orgs) != 1 {
			t.Errorf("open circle for a member = %+v, %v", c, err)
		}
		_, err := f.svc.Circle(ctx, f.csirtAdmin, open.ID)
		wantErr(t, err, verbund.NotFound, "")
		_, err = f.svc.Circle(ctx, f.ispAdmin, private.ID)
		wantErr(t, err, verbund.NotFound, "")
		if c, err := f.svc.Circle(ctx, f.system, hidden.ID); err != nil || len(c.Orgs) != 1 {
			t.Errorf("hidden circle for the system = %+v, %v", c, err)
		}
	})
}
