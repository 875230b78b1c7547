package store_test

import (
	"slices"
	"testing"

	"github.com/verbund/verbund/internal/csaf"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
	"github.com/verbund/verbund/internal/warning"
)

// The CSAF provider finds published and withdrawn warnings by tracking id;
// drafts are no documents.
func TestPublishedRefs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Warnings()
		desSeed(t, db)
		content := warning.Content{Lang: "en", Texts: map[string]warning.Text{"en": {Title: "T"}}}
		for i, st := range []warning.State{warning.Published, warning.Draft, warning.Withdrawn, warning.Review} {
			w := warning.Warning{ID: "w-" + string(st), TrackingID: "VB-2026-000" + string(rune('1'+i)), OwnerOrg: "o-1", CreatedBy: "u-1",
				State: st, Draft: content, Marking: policy.Marking{TLP: policy.Clear}, CreatedAt: t0, UpdatedAt: t0}
			err := s.Update(ctx, func(tx warning.Tx) error {
				if err := designation.SaveMarking(ctx, tx, policy.KindWarning, w.ID, w.OwnerOrg, w.CreatedBy, w.Marking); err != nil {
					return err
				}
				return tx.CreateWarning(ctx, w)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		refs, err := db.PublishedRefs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []csaf.Ref{{WarningID: "w-published", TrackingID: "VB-2026-0001"}, {WarningID: "w-withdrawn", TrackingID: "VB-2026-0003"}}
		if !slices.Equal(refs, want) {
			t.Errorf("PublishedRefs = %+v, want %+v", refs, want)
		}
	})
}
