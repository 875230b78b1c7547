package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/warning"
)

func TestWarningStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Warnings()
		desSeed(t, db)
		content := warning.Content{Lang: "nl", Texts: map[string]warning.Text{"nl": {Title: "Kwetsbaarheid", Summary: "Patchen."},
			"de": {Title: "Schwachstelle"}}, Severity: warning.SeverityHigh, CVEs: []string{"CVE-2026-0001"},
			Products: []warning.Product{{Vendor: "Acme", Name: "PLC", Versions: "< 2", PURL: "pkg:generic/acme/plc@1"}}}
		w := warning.Warning{ID: "w-1", OwnerOrg: "o-1", CreatedBy: "u-1", State: warning.Draft, Draft: content,
			Marking:   policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"energy"}}},
			CreatedAt: t0, UpdatedAt: t0, EditedBy: "u-1"}

		// Without its marking, a warning cannot be stored.
		err := s.Update(ctx, func(tx warning.Tx) error {
			w.TrackingID = "VB-2026-0001"
			return tx.CreateWarning(ctx, w)
		})
		if err == nil {
			t.Fatal("a warning without a marking was stored")
		}
		err = s.Update(ctx, func(tx warning.Tx) error {
			for want := 1; want <= 3; want++ {
				n, err := tx.NextTrackingNumber(ctx, 2026)
				if err != nil || n != want {
					t.Errorf("tracking number %d, %v; want %d", n, err, want)
				}
			}
			if n, err := tx.NextTrackingNumber(ctx, 2027); err != nil || n != 1 {
				t.Errorf("first number of 2027: %d, %v", n, err)
			}
			if err := designation.SaveMarking(ctx, tx, policy.KindWarning, w.ID, w.OwnerOrg, w.CreatedBy, w.Marking); err != nil {
				return err
			}
			return tx.CreateWarning(ctx, w)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Warning(ctx, "w-1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Draft, content) || got.State != warning.Draft || !got.CreatedAt.Equal(t0) ||
			got.Marking.TLP != policy.Amber || len(got.Revisions) != 0 {
			t.Errorf("stored %+v", got)
		}
		if _, err := s.Warning(ctx, "w-2"); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("an unknown warning: %v", err)
		}

		// Revisions come back in order; a number is taken once.
		r1 := warning.Revision{Number: 1, At: t0.Add(time.Hour), By: "u-1", Summary: "Initial release", Content: content}
		r2 := r1
		r2.Number, r2.At, r2.Summary = 2, t0.Add(2*time.Hour), "Fixed version named"
		r2.Content.Texts = map[string]warning.Text{"nl": {Title: "Kwetsbaarheid (update)"}}
		err = s.Update(ctx, func(tx warning.Tx) error {
			if _, err := tx.LockWarning(ctx, "w-1"); err != nil {
				return err
			}
			for _, r := range []warning.Revision{r2, r1} {
				if err := tx.AddRevision(ctx, "w-1", r); err != nil {
					return err
				}
			}
			got.State, got.PublishedAt, got.UpdatedAt = warning.Published, r1.At, r2.At
			return tx.UpdateWarning(ctx, got)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Update(ctx, func(tx warning.Tx) error { return tx.AddRevision(ctx, "w-1", r1) })
		if !verbund.IsKind(err, verbund.Conflict) {
			t.Errorf("revision 1 added twice: %v", err)
		}
		ws, err := s.WarningsByID(ctx, []string{"w-1", "w-unknown"})
		if err != nil || len(ws) != 1 {
			t.Fatalf("WarningsByID: %v, %v", ws, err)
		}
		if rs := ws[0].Revisions; len(rs) != 2 || rs[0].Summary != "Initial release" || rs[1].Content.Original().Title != "Kwetsbaarheid (update)" ||
			!rs[1].At.Equal(r2.At) || ws[0].State != warning.Published || !ws[0].PublishedAt.Equal(r1.At) {
			t.Errorf("after publication: %+v", ws[0])
		}

		// An organisation's newer acknowledgement replaces its older one.
		for _, a := range []warning.Acknowledgement{{WarningID: "w-1", OrgID: "o-1", Status: warning.AckSeen, By: "u-1", At: t0},
			{WarningID: "w-1", OrgID: "o-1", Status: warning.AckFixed, By: "u-1", At: t0.Add(time.Hour)},
			{WarningID: "w-1", OrgID: "o-2", Status: warning.AckAffected, At: t0}} {
			if err := s.Update(ctx, func(tx warning.Tx) error { return tx.PutAcknowledgement(ctx, a) }); err != nil {
				t.Fatal(err)
			}
		}
		acks, err := s.Acknowledgements(ctx, "w-1")
		if err != nil || len(acks) != 2 || acks[0].Status != warning.AckFixed || !acks[0].At.Equal(t0.Add(time.Hour)) || acks[1].Status != warning.AckAffected {
			t.Errorf("acknowledgements %+v, %v", acks, err)
		}
		if _, err := s.AcknowledgementOf(ctx, "w-1", "o-3"); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("an acknowledgement nobody gave: %v", err)
		}
		// Changes need a transaction.
		if _, err := db.NextTrackingNumber(ctx, 2026); err == nil {
			t.Error("a tracking number outside a transaction")
		}
	})
}
