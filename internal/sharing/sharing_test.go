package sharing_test

import (
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

const pw = "correct horse battery staple"

// The door builds viewers from the real services and stores; what the
// policy then decides is what a user of each organisation would see.
func TestDoor(t *testing.T) {
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
		pol, err := policy.New(policy.Config{Regime: policy.HubRegime(), ReadScopes: policy.DefaultConfig().ReadScopes, OfficeGrants: policy.DefaultConfig().OfficeGrants})
		if err != nil {
			t.Fatal(err)
		}
		door := sharing.New(pol, mem, des, des, ids, clock)

		sys := identity.SystemPrincipal()
		mkOrg := func(name string, kind identity.OrgKind, sectors ...string) identity.Organisation {
			o, err := ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: name, Kind: kind, Country: "DE", Sectors: sectors})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		office := mkOrg("Office", identity.KindOffice)
		energy := mkOrg("Stadtwerke", identity.KindMember, "energy")
		cert := mkOrg("CERT Nordwest", identity.KindMember, "ict-services")
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
		admin := mkUser(office, "admin@office.example", identity.RoleOfficeAdmin, identity.RoleAssessor)
		energyAdmin := mkUser(energy, "admin@sw.example", identity.RoleOrgAdmin)
		certAdmin := mkUser(cert, "admin@cert.example", identity.RoleOrgAdmin)

		agr, err := mem.PublishAgreement(ctx, admin, map[string]string{"de": "Vertraulichkeit", "nl": "Vertrouwelijkheid", "en": "Confidentiality"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mem.Sign(ctx, energyAdmin, energy.ID, agr.Version, "de"); err != nil {
			t.Fatal(err)
		}
		// The CERT has not signed yet.

		green := policy.Object{Kind: policy.KindIndicator, ID: "ind-1", OwnerOrg: office.ID,
			Marking: policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true}}}
		confidential := policy.Object{Kind: policy.KindIndicator, ID: "ind-2", OwnerOrg: office.ID,
			Marking: policy.Marking{TLP: policy.Amber, Confidential: true, Audience: policy.Audience{Sectors: []string{"energy", "ict-services"}}}}

		view := func(p identity.Principal) policy.Viewer {
			v, err := door.Viewer(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		ve, vc, vp := view(energyAdmin), view(certAdmin), view(identity.Principal{})
		if !ve.AcceptedCurrentAgreement || vc.AcceptedCurrentAgreement {
			t.Fatalf("agreement facts: energy %v, cert %v", ve.AcceptedCurrentAgreement, vc.AcceptedCurrentAgreement)
		}
		if !door.Decide(&ve, &green).Allow {
			t.Error("a member that signed does not see TLP:GREEN")
		}
		if d := door.Decide(&vc, &green); d.Allow {
			t.Errorf("a member that has not signed the current agreement sees TLP:GREEN: %v", d)
		}
		if d := door.Decide(&vp, &green); d.Allow {
			t.Errorf("the public sees TLP:GREEN: %v", d)
		}
		// Confidential information in the hub: only with a valid designation.
		if d := door.Decide(&ve, &confidential); d.Allow || d.Step != policy.StepLegal {
			t.Errorf("confidential without a designation: %v", d)
		}

		// The CERT signs and is designated after an assessment.
		if _, err := mem.Sign(ctx, certAdmin, cert.ID, agr.Version, "en"); err != nil {
			t.Fatal(err)
		}
		a, err := des.OpenAssessment(ctx, admin, designation.NewAssessment{OrgID: cert.ID, Category: policy.CategoryDesignatedCSIRT, SectorWide: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range designation.Criteria {
			if _, err := des.RecordFinding(ctx, admin, a.ID, designation.NewFinding{Criterion: c, Met: true, Note: "checked"}); err != nil {
				t.Fatal(err)
			}
		}
		d, err := des.Designate(ctx, admin, a.ID, designation.Terms{ValidFrom: now, ValidUntil: now.AddDate(1, 0, 0), ReviewAt: now.AddDate(0, 6, 0)})
		if err != nil {
			t.Fatal(err)
		}
		vc = view(certAdmin)
		if dec := door.Decide(&vc, &confidential); !dec.Allow {
			t.Fatalf("a designated CSIRT of the audience is refused: %v", dec)
		}

		// Revocation takes effect for the next viewer built, at once.
		if _, err := des.Revoke(ctx, admin, d.ID, "assessment withdrawn"); err != nil {
			t.Fatal(err)
		}
		vc = view(certAdmin)
		dec := door.Read(ctx, certAdmin, &vc, &confidential)
		if dec.Allow {
			t.Fatal("a revoked designation still reads confidential information")
		}
		denied, err := db.ListAudit(ctx, audit.Filter{Action: "read.denied"})
		if err != nil || len(denied) != 1 || denied[0].ObjectID != "ind-2" || denied[0].ActorUser != certAdmin.User.ID {
			t.Fatalf("the refused read is not audited: %+v, %v", denied, err)
		}

		// Circles reach the viewer's organisation, nested.
		outer, err := des.CreateCircle(ctx, admin, designation.NewCircle{Name: "Energy ISAC"})
		if err != nil {
			t.Fatal(err)
		}
		inner, err := des.CreateCircle(ctx, admin, designation.NewCircle{Name: "Grid operators"})
		if err != nil {
			t.Fatal(err)
		}
		if err := des.AddCircleOrg(ctx, admin, inner.ID, energy.ID); err != nil {
			t.Fatal(err)
		}
		if err := des.AddCircleCircle(ctx, admin, outer.ID, inner.ID); err != nil {
			t.Fatal(err)
		}
		inCircle := policy.Object{Kind: policy.KindIndicator, ID: "ind-3", OwnerOrg: office.ID,
			Marking: policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Circles: []string{outer.ID}}}}
		ve, vc = view(energyAdmin), view(certAdmin)
		if !door.Decide(&ve, &inCircle).Allow {
			t.Error("a member of a nested circle does not see what is shared with the outer circle")
		}
		if door.Decide(&vc, &inCircle).Allow {
			t.Error("an organisation outside the circle sees what is shared with it")
		}

		// A token carries only its scopes.
		_, tok, err := ids.CreateToken(ctx, energyAdmin, identity.NewToken{OrgID: energy.ID, Name: "siem", Scopes: []identity.Scope{identity.ScopeWarningsRead}})
		if err != nil {
			t.Fatal(err)
		}
		vt := view(identity.Principal{Token: &tok, Org: &energy})
		if vt.Kind != policy.ViewerToken || door.Decide(&vt, &green).Allow {
			t.Errorf("a token without intel:read reads an indicator: %+v", vt)
		}
	})
}
