package sharing_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// The explainer never says "can see" where the policy denies, or the
// reverse, and files every organisation once, under the policy's reason:
// random alliances, viewers and markings, under both regimes.
func TestJudgeAgreesWithDecide(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	open, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	hubCfg := policy.DefaultConfig()
	hubCfg.Regime = policy.HubRegime()
	hub, err := policy.New(hubCfg)
	if err != nil {
		t.Fatal(err)
	}
	sectors := []string{"energy", "water", "health"}
	orgs := []string{"office", "o1", "o2", "o3", "o4", "o5", "o6"}
	users := []string{"u1", "u2", "u3", "u4"}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	subset := func(items []string) []string {
		var out []string
		for _, it := range items {
			if r.IntN(3) == 0 {
				out = append(out, it)
			}
		}
		return out
	}
	instant := func() time.Time {
		if r.IntN(2) == 0 {
			return time.Time{}
		}
		return now.Add(time.Duration(r.IntN(97)-48) * time.Hour)
	}
	statuses := []policy.OrgStatus{policy.StatusActive, policy.StatusActive, policy.StatusPending, policy.StatusSuspended, policy.StatusTerminated}
	circles, err := policy.NewCircles([]policy.CircleDef{{ID: "c1", Orgs: []string{"o1", "o2"}}, {ID: "c2", Orgs: []string{"o3"}, Circles: []string{"c1"}}})
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for range 3000 {
		pol := open
		if r.IntN(2) == 0 {
			pol = hub
		}
		var subjects []policy.Viewer
		for _, id := range orgs {
			v := policy.Viewer{Kind: policy.ViewerUser, OrgID: id, OrgStatus: statuses[r.IntN(len(statuses))],
				AcceptedCurrentAgreement: r.IntN(4) != 0, OrgSectors: policy.NewSet(subset(sectors)...),
				Circles: circles.Of(id), IsOffice: id == "office"}
			for range r.IntN(3) {
				v.Designations = append(v.Designations, policy.Designation{Category: policy.Category(r.IntN(5)),
					SectorWide: r.IntN(2) == 0, ValidFrom: instant(), ValidUntil: instant(), RevokedAt: instant()})
			}
			subjects = append(subjects, v)
		}
		m := policy.Marking{TLP: policy.TLP(r.IntN(7)), Audience: policy.Audience{Community: r.IntN(4) == 0,
			Sectors: subset(sectors), Circles: subset([]string{"c1", "c2"}), Orgs: subset(orgs), Users: subset(users)},
			Confidential: r.IntN(2) == 0, Identifiable: r.IntN(3) == 0}
		if r.IntN(3) == 0 {
			m.Purpose = policy.PurposeInformUsers
		}
		o := policy.Object{Kind: policy.KindSTIX, ID: "x", OwnerOrg: orgs[r.IntN(len(orgs))], Draft: r.IntN(6) == 0, Marking: m}
		var os, ps []sharing.Subject
		for _, v := range subjects {
			os = append(os, sharing.Subject{OrgID: v.OrgID, OrgName: "name of " + v.OrgID, Viewer: v})
		}
		for _, u := range m.Audience.Users {
			v := subjects[r.IntN(len(subjects))]
			v.UserID = u
			ps = append(ps, sharing.Subject{OrgID: v.OrgID, UserID: u, UserName: u, Viewer: v})
		}
		e := sharing.Judge(pol, &o, os, ps, now)
		seen := map[string]int{}
		for _, v := range e.Can {
			seen[v.OrgID]++
			if d := pol.Decide(&v.Viewer, &o, now); !d.Allow {
				t.Fatalf("explainer: %s can see %+v; policy: %s", v.OrgID, m, d)
			}
			compared++
		}
		for _, g := range e.Cannot {
			for _, v := range g.Verdicts {
				seen[v.OrgID]++
				d := pol.Decide(&v.Viewer, &o, now)
				if d.Allow || d.Code != g.Code || v.Decision.Code != d.Code {
					t.Fatalf("explainer: %s cannot see %+v because %s; policy: %s", v.OrgID, m, g.Code, d)
				}
				compared++
			}
		}
		for _, id := range orgs {
			if seen[id] != 1 {
				t.Fatalf("organisation %s is listed %d times", id, seen[id])
			}
		}
		for _, v := range e.People {
			if d := pol.Decide(&v.Viewer, &o, now); d != v.Decision {
				t.Fatalf("explainer on %s: %s; policy: %s", v.UserID, v.Decision, d)
			}
		}
	}
	if compared < 3000*len(orgs) {
		t.Fatalf("only %d verdicts compared", compared)
	}
}

// On real storage the explainer judges each organisation as a user of it
// that is named on nothing would be judged by the door, says why an
// organisation cannot see, answers the office only, and audits each use.
func TestExplainer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		icfg := identity.DefaultConfig()
		icfg.Now, icfg.Argon2, icfg.MailHeld = clock, identity.FastArgon2, true
		ids := identity.NewService(db.Identity(), icfg)
		mcfg := membership.DefaultConfig()
		mcfg.Now, mcfg.Argon2, mcfg.MailHeld = clock, identity.FastArgon2, true
		mem := membership.NewService(db.Membership(), mcfg)
		dcfg := designation.DefaultConfig()
		dcfg.Now = clock
		des := designation.NewService(db.Designation(), dcfg)
		pol, err := policy.New(policy.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		door := sharing.New(pol, mem, des, des, ids, clock)
		x := sharing.NewExplainer(door, db.Access(), nil)

		sys := identity.SystemPrincipal()
		mkOrg := func(name string, kind identity.OrgKind, sectors ...string) identity.Organisation {
			o, err := ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: name, Kind: kind, Country: "DE", Sectors: sectors})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		mkUser := func(o identity.Organisation, email string, roles ...identity.Role) identity.Principal {
			u, err := ids.CreateUser(ctx, sys, identity.NewUser{OrgID: o.ID, Email: email, Name: email, Password: pw, Roles: roles})
			if err != nil {
				t.Fatal(err)
			}
			p, err := ids.Principal(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		office := mkOrg("Office", identity.KindOffice)
		energy := mkOrg("Stadtwerke", identity.KindMember, "energy")
		water := mkOrg("Wasserverband", identity.KindMember, "water")
		late := mkOrg("Netzbetreiber", identity.KindMember, "energy")
		admin := mkUser(office, "admin@office.example", identity.RoleOfficeAdmin)
		analyst := mkUser(office, "analyst@office.example", identity.RoleAnalyst)
		energyAdmin := mkUser(energy, "admin@sw.example", identity.RoleOrgAdmin)
		waterAdmin := mkUser(water, "admin@wv.example", identity.RoleOrgAdmin)
		lateUser := mkUser(late, "soc@nb.example", identity.RoleOrgMember)
		agr, err := mem.PublishAgreement(ctx, admin, map[string]string{"de": "V", "nl": "V", "en": "A"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []identity.Principal{energyAdmin, waterAdmin} {
			if _, err := mem.Sign(ctx, p, p.Org.ID, agr.Version, "de"); err != nil {
				t.Fatal(err)
			}
		}
		// Netzbetreiber is in the energy sector but has not accepted the
		// agreement.
		marked := designation.Marked{Kind: policy.KindIndicator, ObjectID: "ind-1", OwnerOrg: office.ID,
			Marking: policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"energy"}}}}
		if err := db.Access().Update(ctx, func(tx sharing.AccessTx) error {
			return designation.SaveMarking(ctx, tx, marked.Kind, marked.ObjectID, marked.OwnerOrg, "", marked.Marking)
		}); err != nil {
			t.Fatal(err)
		}

		e, err := x.Explain(ctx, analyst, sharing.ExplainQuery{Kind: policy.KindIndicator, ID: "ind-1", Org: water.ID})
		if err != nil {
			t.Fatal(err)
		}
		o := marked.Object(false)
		for _, p := range []identity.Principal{energyAdmin, waterAdmin, lateUser} {
			v, err := door.Viewer(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			want := door.Decide(&v, &o)
			got := verdictOf(e, p.Org.ID)
			if got == nil || got.Decision.Allow != want.Allow || got.Decision.Code != want.Code {
				t.Errorf("%s: explainer %+v, door %s", p.Org.Name, got, want)
			}
		}
		if len(e.Can) != 2 || e.Can[0].OrgName != "Office" || e.Can[1].OrgName != "Stadtwerke" {
			t.Errorf("can see: %+v", e.Can)
		}
		if e.Focus == nil || e.Focus.OrgID != water.ID || e.Focus.Decision.Code != policy.CodeAudienceNotIncl {
			t.Errorf("why can the Wasserverband not see it: %+v", e.Focus)
		}
		if v := verdictOf(e, late.ID); v == nil || v.Decision.Code != policy.CodeAgreement {
			t.Errorf("Netzbetreiber: %+v, want agreement-not-accepted", v)
		}

		if _, err := x.Explain(ctx, energyAdmin, sharing.ExplainQuery{Kind: policy.KindIndicator, ID: "ind-1"}); err == nil {
			t.Error("a member uses the explainer")
		}
		if _, err := x.Explain(ctx, admin, sharing.ExplainQuery{Kind: policy.KindIndicator, ID: "ind-2"}); err == nil {
			t.Error("an object that does not exist is explained")
		}
		if _, err := x.Explain(ctx, admin, sharing.ExplainQuery{Kind: policy.KindIndicator, ID: "ind-1", Org: "nope"}); err == nil {
			t.Error("an organisation that does not exist is explained")
		}
		ue, err := x.Explain(ctx, admin, sharing.ExplainQuery{Kind: policy.KindIndicator, ID: "ind-1", User: lateUser.User.ID})
		if err != nil || ue.Focus == nil || ue.Focus.UserID != lateUser.User.ID || ue.Focus.Decision.Code != policy.CodeAgreement {
			t.Errorf("why can the user not see it: %+v %v", ue.Focus, err)
		}
		entries, err := db.ListAudit(ctx, audit.Filter{Action: "sharing.explain"})
		if err != nil {
			t.Fatal(err)
		}
		outcomes := map[audit.Outcome]int{}
		for _, en := range entries {
			outcomes[en.Outcome]++
		}
		if outcomes[audit.Success] != 2 || outcomes[audit.Denied] != 1 || outcomes[audit.Failure] != 2 {
			t.Errorf("audited uses: %v", outcomes)
		}
	})
}

func verdictOf(e sharing.Explanation, org string) *sharing.Verdict {
	for _, v := range e.Can {
		if v.OrgID == org {
			return &v
		}
	}
	for _, g := range e.Cannot {
		for _, v := range g.Verdicts {
			if v.OrgID == org {
				return &v
			}
		}
	}
	return nil
}
