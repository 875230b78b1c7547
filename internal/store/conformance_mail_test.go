package store_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

func message(id, to string, created time.Time) mail.Message {
	return mail.Message{ID: id, To: to, Subject: "Subject " + id, Text: "Text " + id,
		HTML: "<p>" + id + "</p>", Status: mail.Pending, CreatedAt: created}
}

func mailIDs(ms []mail.Message) []string {
	return ids(ms, func(m mail.Message) string { return m.ID })
}

func TestMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		m1 := message("m1", "a@example.org", t0)
		m2 := message("m2", "a@example.org", t0.Add(time.Minute))
		m2.NextAttempt = t0.Add(10 * time.Minute)
		m3 := message("m3", "a@example.org", t0.Add(2*time.Minute))
		m3.Status = mail.Held
		m4 := message("m4", "b@example.org", t0.Add(3*time.Minute))
		// In the transaction of an action, and on its own.
		update(t, db, func(tx identity.Tx) error { return tx.EnqueueMail(ctx, m1) })
		for _, m := range []mail.Message{m2, m3, m4} {
			if err := db.EnqueueMail(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := db.Mail(ctx, "m2"); err != nil || !reflect.DeepEqual(got, m2) {
			t.Errorf("Mail = %+v, %v\nwant %+v", got, err, m2)
		}
		_, err := db.Mail(ctx, "m-missing")
		wantKind(t, err, verbund.NotFound)
		wantKind(t, db.EnqueueMail(ctx, m1), verbund.Conflict)
		for _, m := range []mail.Message{
			{To: "x@example.org", Status: mail.Pending, CreatedAt: t0},
			{ID: "x", To: "x@example.org", Status: mail.Pending},
			{ID: "x", To: "x@example.org", CreatedAt: t0},
		} {
			wantKind(t, db.EnqueueMail(ctx, m), verbund.Invalid)
		}

		due := func(now time.Time, limit int) []string {
			t.Helper()
			ms, err := db.DueMail(ctx, now, limit)
			if err != nil {
				t.Fatal(err)
			}
			return mailIDs(ms)
		}
		for _, tc := range []struct {
			name  string
			now   time.Time
			limit int
			want  []string
		}{
			{"pending and due, not held", t0.Add(5 * time.Minute), 10, []string{"m1", "m4"}},
			{"next attempt reached", t0.Add(10 * time.Minute), 10, []string{"m1", "m2", "m4"}},
			{"limit", t0.Add(10 * time.Minute), 1, []string{"m1"}},
			{"default limit", t0.Add(10 * time.Minute), 0, []string{"m1", "m2", "m4"}},
		} {
			t.Run("due "+tc.name, func(t *testing.T) {
				if got := due(tc.now, tc.limit); !slices.Equal(got, tc.want) {
					t.Errorf("DueMail = %v, want %v", got, tc.want)
				}
			})
		}

		for _, tc := range []struct {
			name string
			f    mail.Filter
			want []string
		}{
			{"all, newest first", mail.Filter{}, []string{"m4", "m3", "m2", "m1"}},
			{"status", mail.Filter{Status: mail.Held}, []string{"m3"}},
			{"to", mail.Filter{To: "b@example.org"}, []string{"m4"}},
			{"limit", mail.Filter{Limit: 2}, []string{"m4", "m3"}},
			{"offset", mail.Filter{Limit: 2, Offset: 2}, []string{"m2", "m1"}},
			{"past the end", mail.Filter{Offset: 10}, []string{}},
		} {
			t.Run("list "+tc.name, func(t *testing.T) {
				ms, err := db.ListMail(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := mailIDs(ms); !slices.Equal(got, tc.want) {
					t.Errorf("ListMail(%+v) = %v, want %v", tc.f, got, tc.want)
				}
			})
		}

		t.Run("failed attempt postpones", func(t *testing.T) {
			next := t0.Add(20 * time.Minute)
			if err := db.MarkMailFailed(ctx, "m1", 1, next, "421 try again later", mail.Pending); err != nil {
				t.Fatal(err)
			}
			got, _ := db.Mail(ctx, "m1")
			if got.Attempts != 1 || !got.NextAttempt.Equal(next) || got.LastError != "421 try again later" || got.Status != mail.Pending {
				t.Errorf("after MarkMailFailed: %+v", got)
			}
			if got := due(t0.Add(10*time.Minute), 10); !slices.Equal(got, []string{"m2", "m4"}) {
				t.Errorf("DueMail before the next attempt = %v, want [m2 m4]", got)
			}
			if got := due(next, 10); !slices.Equal(got, []string{"m1", "m2", "m4"}) {
				t.Errorf("DueMail at the next attempt = %v, want [m1 m2 m4]", got)
			}
		})
		t.Run("given up", func(t *testing.T) {
			if err := db.MarkMailFailed(ctx, "m2", mail.MaxAttempts, t0.Add(time.Hour), "550 no such user", mail.Failed); err != nil {
				t.Fatal(err)
			}
			if got := due(t0.Add(1000*time.Hour), 10); slices.Contains(got, "m2") {
				t.Errorf("DueMail = %v, includes a failed message", got)
			}
		})
		t.Run("sent", func(t *testing.T) {
			at := t0.Add(21 * time.Minute)
			if err := db.MarkMailSent(ctx, "m1", at); err != nil {
				t.Fatal(err)
			}
			got, _ := db.Mail(ctx, "m1")
			if got.Status != mail.Sent || !got.SentAt.Equal(at) || got.LastError != "" {
				t.Errorf("after MarkMailSent: %+v", got)
			}
			if got := due(t0.Add(1000*time.Hour), 10); !slices.Equal(got, []string{"m4"}) {
				t.Errorf("DueMail = %v, want [m4]", got)
			}
		})
		t.Run("missing or wrong", func(t *testing.T) {
			wantKind(t, db.MarkMailSent(ctx, "m-missing", t0), verbund.NotFound)
			wantKind(t, db.MarkMailFailed(ctx, "m-missing", 1, t0, "x", mail.Pending), verbund.NotFound)
			wantKind(t, db.MarkMailFailed(ctx, "m4", 1, t0, "x", mail.Sent), verbund.Invalid)
		})
		t.Run("rollback discards the message", func(t *testing.T) {
			boom := errors.New("boom")
			err := db.Identity().Update(ctx, func(tx identity.Tx) error {
				if err := tx.EnqueueMail(ctx, message("m5", "c@example.org", t0)); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("Update = %v, want boom", err)
			}
			_, err = db.Mail(ctx, "m5")
			wantKind(t, err, verbund.NotFound)
		})
	})
}
