package demo_test

import (
	"testing"
	"time"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/demo"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// The demo is what a newcomer sees first: it must seed the alliance the
// README describes, keep the audit chain intact, and seed only once.
func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		st := demo.Stores{Identity: db.Identity(), Membership: db.Membership(), Designation: db.Designation(), STIX: db.STIX(), Warnings: db.Warnings(), Incidents: db.Incidents()}
		text := func(lang, key string, args ...any) string { return key }
		logins, err := demo.Seed(ctx, st, text)
		if err != nil {
			t.Fatalf("seeding: %v", err)
		}
		again, err := demo.Seed(ctx, st, text)
		if err != nil || len(again) != len(logins) {
			t.Fatalf("seeding twice: %v", err)
		}
		checkIntel(t, db)
		orgs, err := db.ListOrganisations(ctx, identity.OrgFilter{})
		if err != nil {
			t.Fatal(err)
		}
		status := map[identity.OrgStatus]int{}
		for _, o := range orgs {
			status[o.Status]++
		}
		if len(orgs) < 13 || status[identity.StatusSuspended] != 1 || status[identity.StatusPending] != 1 {
			t.Errorf("organisations by status: %v (of %d)", status, len(orgs))
		}
		roles := map[identity.Role]bool{}
		for _, l := range logins {
			u, err := db.UserByEmail(ctx, l.Email)
			if err != nil {
				t.Fatalf("demo login %s: %v", l.Email, err)
			}
			ok, _ := identity.VerifyPassword(demo.Password, u.PasswordHash)
			if !ok {
				t.Errorf("%s does not have the demo password", l.Email)
			}
			for _, r := range u.Roles {
				roles[r] = true
			}
		}
		for _, r := range append(append([]identity.Role{}, identity.OfficeRoles...), identity.OrgRoles...) {
			if !roles[r] {
				t.Errorf("no demo user has the role %s", r)
			}
		}

		sys := identity.SystemPrincipal()
		mem := membership.NewService(db.Membership(), membership.DefaultConfig())
		notAccepted, err := mem.NotAccepted(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		if len(notAccepted) < 2 {
			t.Errorf("%d organisations have not accepted the new agreement, want the demo's two at least", len(notAccepted))
		}
		partners, err := mem.PartnerDirectory(ctx, "")
		if err != nil || len(partners) != 2 {
			t.Errorf("partner directory: %d entries, %v", len(partners), err)
		}
		des := designation.NewService(db.Designation(), designation.DefaultConfig())
		valid := 0
		for _, o := range orgs {
			ds, err := des.DesignationsOf(ctx, o.ID, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.Valid(time.Now()) {
					valid++
				}
			}
		}
		if valid != 2 {
			t.Errorf("%d valid designations, want 2", valid)
		}
		checkIncidents(t, db)
		if n, err := audit.Verify(ctx, db); err != nil || n < 100 {
			t.Errorf("audit chain after seeding: %d entries, %v", n, err)
		}
		checkWarnings(t, db)
	})
}
