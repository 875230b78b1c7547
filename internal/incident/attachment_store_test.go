package incident_test

import (
	"bytes"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// Attachments are taken by their content and read only by those the
// policy lets read their report.
func TestAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		ctx := t.Context()
		r, err := f.svc.SaveDraft(ctx, f.sw, f.draft())
		if err != nil {
			t.Fatal(err)
		}
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 100)...)
		a, err := f.svc.Attach(ctx, f.sw, r.ID, `C:\Users\soc\screen shot.PNG`, png, 0)
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != "screen shot.PNG" || a.MediaType != "image/png" || a.Size != int64(len(png)) || len(a.SHA256) != 64 {
			t.Errorf("stored %+v", a)
		}
		if _, err := f.svc.Attach(ctx, f.sw, r.ID, "invoice.pdf", []byte("MZ\x90\x00program"), 0); verbund.ErrorFields(err)["attachment"] == "" {
			t.Errorf("a program named .pdf was taken: %v", err)
		}
		if _, err := f.svc.Attach(ctx, f.sw, r.ID, "big.log", bytes.Repeat([]byte("x"), 2000), 1000); verbund.ErrorFields(err)["attachment"] != "big.log is larger than the limit of 1000 bytes" {
			t.Errorf("an attachment over the limit: %v", err)
		}
		if _, err := f.svc.Attach(ctx, f.bank, r.ID, "x.png", png, 0); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("another organisation attached to the draft: %v", err)
		}
		if _, _, err := f.svc.Submit(ctx, f.sw, r.ID); err != nil {
			t.Fatal(err)
		}
		// TLP:AMBER for the energy sector: the other utility reads it, the bank does not.
		got, err := f.svc.Attachment(ctx, f.wind, r.ID, a.ID)
		if err != nil || !bytes.Equal(got.Content, png) {
			t.Errorf("the energy member could not read the attachment: %v", err)
		}
		if _, err := f.svc.Attachment(ctx, f.bank, r.ID, a.ID); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("the bank read the attachment: %v", err)
		}
		if list, err := f.svc.Attachments(ctx, f.analyst, r.ID); err != nil || len(list) != 1 {
			t.Errorf("the analyst sees %d attachments: %v", len(list), err)
		}
		if _, err := f.svc.Attach(ctx, f.sw, r.ID, "late.png", png, 0); verbund.ErrorCode(err) != "submitted" {
			t.Errorf("attached to a submitted report: %v", err)
		}
	})
}

// A draft with nothing but a title is kept: no TLP level chosen yet is not
// a reason to lose what was typed.
func TestDraftWithoutMarking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, false)
		r, err := f.svc.SaveDraft(t.Context(), f.sw, incident.Report{Title: "Half written"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Report(t.Context(), f.sw, r.ID)
		if err != nil || got.Title != "Half written" || !got.Draft {
			t.Errorf("read back %+v, %v", got, err)
		}
	})
}
