package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// appendAll appends es in one transaction and returns the sealed entries.
func appendAll(t *testing.T, db *store.DB, es ...audit.Entry) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	update(t, db, func(tx identity.Tx) error {
		for _, e := range es {
			sealed, err := tx.AppendAudit(t.Context(), e)
			if err != nil {
				return err
			}
			out = append(out, sealed)
		}
		return nil
	})
	return out
}

func entry(action string, at time.Time) audit.Entry {
	return audit.Entry{At: at, ActorUser: "u-1", ActorOrg: "o-1", Action: action,
		ObjectType: "user", ObjectID: "u-1", Outcome: audit.Success, Reason: "because",
		RequestID: "req-1", IP: "192.0.2.1"}
}

func seqs(es []audit.Entry) []int64 {
	out := []int64{}
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

// wantBreak fails t unless audit.Verify reports a break at seq.
func wantBreak(t *testing.T, db *store.DB, seq int64) {
	t.Helper()
	_, err := audit.Verify(t.Context(), db)
	var b *audit.Break
	if !errors.As(err, &b) || b.Seq != seq {
		t.Fatalf("Verify = %v, want a break at entry %d", err, seq)
	}
}

func TestAppendAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		first := entry("auth.login", t0.Add(789)) // nanoseconds are not stored
		got := appendAll(t, db, first)
		got = append(got, appendAll(t, db, entry("auth.logout", t0.Add(time.Minute)), entry("auth.login", t0.Add(2*time.Minute)))...)
		for i, e := range got {
			prev := audit.Entry{}
			if i > 0 {
				prev = got[i-1]
			}
			if e.Seq != int64(i+1) || e.PrevHash != prev.Hash || e.Hash != e.ComputeHash() || e.Hash == "" {
				t.Errorf("entry %d is not sealed onto %d: %+v", i+1, prev.Seq, e)
			}
		}
		if !got[0].At.Equal(t0) {
			t.Errorf("At = %v, want %v truncated to microseconds", got[0].At, t0)
		}
		listed, err := db.ListAudit(ctx, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(listed)
		if !reflect.DeepEqual(listed, got) {
			t.Errorf("ListAudit = %+v\nwant what AppendAudit returned: %+v", listed, got)
		}

		t.Run("rollback leaves no entry", func(t *testing.T) {
			boom := errors.New("boom")
			err := db.Identity().Update(ctx, func(tx identity.Tx) error {
				if _, err := tx.AppendAudit(ctx, entry("org.create", t0)); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("Update = %v, want boom", err)
			}
			next := appendAll(t, db, entry("org.create", t0.Add(time.Hour)))[0]
			if next.Seq != 4 || next.PrevHash != got[2].Hash {
				t.Errorf("after a rollback the next entry is %d on %q, want 4 on entry 3", next.Seq, next.PrevHash)
			}
			if n, err := audit.Verify(ctx, db); n != 4 || err != nil {
				t.Errorf("Verify = %d, %v; want 4, nil", n, err)
			}
		})

		for _, tc := range []struct {
			name string
			e    audit.Entry
		}{
			{"without time", audit.Entry{Action: "x", Outcome: audit.Success}},
			{"without action", audit.Entry{At: t0, Outcome: audit.Success}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := db.Identity().Update(ctx, func(tx identity.Tx) error {
					_, err := tx.AppendAudit(ctx, tc.e)
					return err
				})
				wantKind(t, err, verbund.Invalid)
			})
		}
	})
}

func TestListAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
		e2 := entry("auth.login", at(1))
		e2.ActorUser, e2.ActorOrg, e2.Outcome = "", "", audit.Failure
		e4 := entry("token.create", at(3))
		e4.ActorUser, e4.ActorOrg, e4.ObjectID = "u-2", "o-2", "t-1"
		e7 := entry("token.revoke", at(6))
		e7.ActorUser, e7.ActorOrg, e7.ObjectID, e7.Outcome = "u-2", "o-2", "t-1", audit.Denied
		appendAll(t, db,
			entry("auth.login", at(0)), e2, entry("auth.logout", at(2)), e4,
			entry("authx.login", at(4)), // shares "auth" but not "auth."
			entry("Auth.login", at(5)),  // prefixes compare case-sensitively
			e7)
		for _, tc := range []struct {
			name string
			f    audit.Filter
			want []int64
		}{
			{"all, newest first", audit.Filter{}, []int64{7, 6, 5, 4, 3, 2, 1}},
			{"exact action", audit.Filter{Action: "auth.login"}, []int64{2, 1}},
			{"action prefix", audit.Filter{Action: "auth."}, []int64{3, 2, 1}},
			{"other action prefix", audit.Filter{Action: "token."}, []int64{7, 4}},
			{"action without dot is exact", audit.Filter{Action: "auth"}, []int64{}},
			{"actor user", audit.Filter{ActorUser: "u-2"}, []int64{7, 4}},
			{"actor org", audit.Filter{ActorOrg: "o-1"}, []int64{6, 5, 3, 1}},
			{"object", audit.Filter{ObjectID: "t-1"}, []int64{7, 4}},
			{"outcome", audit.Filter{Outcome: audit.Failure}, []int64{2}},
			{"since, inclusive", audit.Filter{Since: at(5)}, []int64{7, 6}},
			{"until, exclusive", audit.Filter{Until: at(2)}, []int64{2, 1}},
			{"since and until", audit.Filter{Since: at(1), Until: at(3)}, []int64{3, 2}},
			{"before seq", audit.Filter{BeforeSeq: 4}, []int64{3, 2, 1}},
			{"limit", audit.Filter{Limit: 2}, []int64{7, 6}},
			{"next page", audit.Filter{BeforeSeq: 6, Limit: 2}, []int64{5, 4}},
			{"combined", audit.Filter{Action: "token.", Outcome: audit.Success}, []int64{4}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				es, err := db.ListAudit(t.Context(), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := seqs(es); !slices.Equal(got, tc.want) {
					t.Errorf("ListAudit(%+v) = %v, want %v", tc.f, got, tc.want)
				}
			})
		}
	})
}

// TestAuditTamper changes stored entries behind the store's back, as somebody
// with access to the database could, and expects Verify to name the entry.
func TestAuditTamper(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(es []audit.Entry) (string, []any)
		want   int64
	}{
		{"reason changed", func([]audit.Entry) (string, []any) {
			return `UPDATE audit_log SET reason = 'nothing happened' WHERE seq = 3`, nil
		}, 3},
		{"time changed", func([]audit.Entry) (string, []any) {
			return `UPDATE audit_log SET at = at + 1 WHERE seq = 3`, nil
		}, 3},
		{"changed and rehashed", func(es []audit.Entry) (string, []any) {
			e := es[2]
			e.Reason = "nothing happened"
			return `UPDATE audit_log SET reason = $1, hash = $2 WHERE seq = 3`, []any{e.Reason, e.ComputeHash()}
		}, 4},
		{"deleted", func([]audit.Entry) (string, []any) {
			return `DELETE FROM audit_log WHERE seq = 3`, nil
		}, 4},
		{"forged before the first", func(es []audit.Entry) (string, []any) {
			return `INSERT INTO audit_log (seq, at, action, outcome, prev_hash, hash)
				VALUES (0, 1, 'auth.login', 'success', '', $1)`, []any{es[0].Hash}
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := t.Context()
				var es []audit.Entry
				for i := range 5 {
					es = append(es, appendAll(t, db, entry(fmt.Sprintf("test.%d", i), t0.Add(time.Duration(i)*time.Second)))...)
				}
				if n, err := audit.Verify(ctx, db); n != 5 || err != nil {
					t.Fatalf("Verify before tampering = %d, %v; want 5, nil", n, err)
				}
				query, args := tc.tamper(es)
				if n, err := db.Exec(ctx, query, args...); err != nil || n != 1 {
					t.Fatalf("tamper: %d rows, %v", n, err)
				}
				wantBreak(t, db, tc.want)
			})
		})
	}
}

func TestWalkAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		total := 2*store.WalkBatch + 500 // crosses two batch boundaries
		es := make([]audit.Entry, total)
		for i := range es {
			es[i] = entry("test.walk", t0.Add(time.Duration(i)*time.Millisecond))
		}
		appendAll(t, db, es...)

		var walked []int64
		if err := db.WalkAudit(ctx, func(e audit.Entry) error {
			walked = append(walked, e.Seq)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(walked) != total || !slices.IsSorted(walked) || walked[0] != 1 || walked[total-1] != int64(total) {
			t.Fatalf("WalkAudit visited %d entries from %d to %d, want 1 to %d in order",
				len(walked), walked[0], walked[len(walked)-1], total)
		}
		if n, err := audit.Verify(ctx, db); n != int64(total) || err != nil {
			t.Errorf("Verify = %d, %v; want %d, nil", n, err, total)
		}

		t.Run("stops at the first error of fn", func(t *testing.T) {
			stop := errors.New("stop")
			calls := 0
			err := db.WalkAudit(ctx, func(e audit.Entry) error {
				calls++
				if e.Seq == store.WalkBatch+1 {
					return stop
				}
				return nil
			})
			if err != stop || calls != store.WalkBatch+1 {
				t.Errorf("WalkAudit = %v after %d calls, want stop after %d", err, calls, store.WalkBatch+1)
			}
		})

		t.Run("fn may use the transaction", func(t *testing.T) {
			err := db.InTx(ctx, func(q *store.Queries) error {
				return q.WalkAudit(ctx, func(e audit.Entry) error {
					_, err := q.Setting(ctx, "x")
					return err
				})
			})
			if err != nil {
				t.Error(err)
			}
		})

		for _, tc := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {10, 10}, {1000, 500}} {
			t.Run(fmt.Sprintf("limit %d", tc.limit), func(t *testing.T) {
				es, err := db.ListAudit(ctx, audit.Filter{Limit: tc.limit})
				if err != nil || len(es) != tc.want || es[0].Seq != int64(total) {
					t.Errorf("ListAudit(limit %d) = %d entries, %v; want the newest %d", tc.limit, len(es), err, tc.want)
				}
			})
		}
	})
}

// TestConcurrentAppendAudit appends from many goroutines at once: every
// entry must seal onto a distinct predecessor.
func TestConcurrentAppendAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		const workers, each = 8, 20
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					errs <- db.Identity().Update(ctx, func(tx identity.Tx) error {
						if _, err := tx.AppendAudit(ctx, entry(fmt.Sprintf("test.w%d", w), t0)); err != nil {
							return err
						}
						// Work between sealing and committing widens the
						// window a missing lock would leave open.
						return tx.SetSetting(ctx, fmt.Sprintf("w%d", w), fmt.Sprint(i))
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n, err := audit.Verify(ctx, db); n != workers*each || err != nil {
			t.Errorf("Verify = %d, %v; want %d, nil", n, err, workers*each)
		}
	})
}
