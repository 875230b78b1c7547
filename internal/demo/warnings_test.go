package demo_test

import (
	"slices"
	"testing"

	"github.com/verbund/verbund/internal/demo"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/warning"
)

// The demo's warnings show every part of the workflow to a newcomer, and
// each reader sees what the policy allows.
func TestSeedWarnings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		st := demo.Stores{Identity: db.Identity(), Membership: db.Membership(), Designation: db.Designation(), Warnings: db.Warnings()}
		if _, err := demo.Seed(ctx, st, func(lang, key string, args ...any) string { return key }); err != nil {
			t.Fatal(err)
		}
		ids := identity.NewService(db.Identity(), identity.DefaultConfig())
		mem := membership.NewService(db.Membership(), membership.DefaultConfig())
		des := designation.NewService(db.Designation(), designation.DefaultConfig())
		pol, err := policy.New(policy.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		door := sharing.New(pol, mem, des, des, ids, nil)
		svc := warning.NewService(db.Warnings(), door, warning.Config{})
		list := func(email string, f warning.Filter) []warning.Warning {
			t.Helper()
			p := identity.Principal{}
			if email != "" {
				u, err := db.UserByEmail(ctx, email)
				if err != nil {
					t.Fatal(err)
				}
				if p, err = ids.Principal(ctx, u.ID); err != nil {
					t.Fatal(err)
				}
			}
			v, err := door.Viewer(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			ws, err := svc.List(ctx, &v, f)
			if err != nil {
				t.Fatal(err)
			}
			return ws
		}
		publisher := "publisher@office.verbund.example"
		out := list(publisher, warning.Filter{})
		states := map[warning.State]int{}
		updated, contribution, severities := false, false, map[warning.Severity]bool{}
		for _, w := range out {
			states[w.State]++
			updated = updated || w.Revision() >= 3
			contribution = contribution || w.Contribution
			severities[w.Current().Severity] = true
		}
		if states[warning.Published] < 5 || states[warning.Withdrawn] != 1 || !updated || !contribution || len(severities) < 3 {
			t.Errorf("the publisher sees %v, updated %v, contribution %v, severities %v", states, updated, contribution, severities)
		}
		if n := len(list(publisher, warning.Filter{State: warning.Review})); n != 1 {
			t.Errorf("%d warnings wait for approval, want 1", n)
		}
		if n := len(list(publisher, warning.Filter{State: warning.Draft})); n != 1 {
			t.Errorf("%d drafts, want 1", n)
		}
		public := list("", warning.Filter{})
		for _, w := range public {
			if w.Marking.TLP != policy.Clear {
				t.Errorf("the public sees %s marked %s", w.TrackingID, w.Marking.TLP)
			}
		}
		if len(public) < 2 {
			t.Errorf("the public sees %d warnings", len(public))
		}
		// The energy grid operator sees the AMBER warning for energy, the
		// water association the one for water, and neither the other's.
		energy := list("soc@nordsee-netz.example", warning.Filter{})
		water := list("soc@wv-oberlausitz.example", warning.Filter{})
		title := func(ws []warning.Warning) []string {
			var out []string
			for _, w := range ws {
				out = append(out, w.Current().Original().Title)
			}
			return out
		}
		if !slices.Contains(title(energy), "Ausgenutzte Lücke im Netzleitsystem GridControl") || slices.Contains(title(energy), "Unautorisierter Fernzugriff auf Bedienoberfläche AquaView") {
			t.Errorf("the energy member sees %v", title(energy))
		}
		if !slices.Contains(title(water), "Unautorisierter Fernzugriff auf Bedienoberfläche AquaView") || slices.Contains(title(water), "Ausgenutzte Lücke im Netzleitsystem GridControl") {
			t.Errorf("the water member sees %v", title(water))
		}
		acks := 0
		for _, w := range out {
			as, err := db.Acknowledgements(ctx, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			acks += len(as)
		}
		if acks < 10 {
			t.Errorf("%d acknowledgements", acks)
		}
	})
}
