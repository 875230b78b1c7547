package store_test

import (
	"crypto/sha256"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// seedUser stores organisation o-1 with user u-1, and o-2 with u-2.
func seedUser(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	update(t, db, func(tx identity.Tx) error {
		for _, o := range []identity.Organisation{org("o-1", "One", "DE"), org("o-2", "Two", "DE")} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		if err := tx.CreateUser(ctx, user("u-1", "o-1", "one@example.org", "One")); err != nil {
			return err
		}
		return tx.CreateUser(ctx, user("u-2", "o-2", "two@example.org", "Two"))
	})
}

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Identity()
		seedUser(t, db)
		sess := func(id, userID string, expires time.Time) identity.Session {
			return identity.Session{ID: id, UserID: userID, CSRFToken: "csrf-" + id, MFAPassed: true,
				CreatedAt: t0, LastSeenAt: t0, ExpiresAt: expires, IP: "192.0.2.7", UserAgent: "Firefox"}
		}
		a := sess("s-a", "u-1", t0.Add(time.Hour))
		update(t, db, func(tx identity.Tx) error {
			for _, x := range []identity.Session{a, sess("s-b", "u-1", t0.Add(2*time.Hour)),
				sess("s-c", "u-2", t0.Add(time.Minute)), sess("s-d", "u-2", t0.Add(time.Hour))} {
				if err := tx.CreateSession(ctx, x); err != nil {
					return err
				}
			}
			return nil
		})
		if got, err := s.Session(ctx, "s-a"); err != nil || !reflect.DeepEqual(got, a) {
			t.Errorf("Session = %+v, %v\nwant %+v", got, err, a)
		}
		_, err := s.Session(ctx, "s-missing")
		wantKind(t, err, verbund.NotFound)

		t.Run("touch", func(t *testing.T) {
			for _, tc := range []struct {
				at, want time.Time
			}{
				{t0.Add(5 * time.Minute), t0.Add(5 * time.Minute)},
				{t0.Add(2 * time.Minute), t0.Add(5 * time.Minute)}, // a late request does not move it back
			} {
				update(t, db, func(tx identity.Tx) error { return tx.TouchSession(ctx, "s-a", tc.at) })
				if got, _ := s.Session(ctx, "s-a"); !got.LastSeenAt.Equal(tc.want) {
					t.Errorf("TouchSession(%v): last seen %v, want %v", tc.at, got.LastSeenAt, tc.want)
				}
			}
			wantKind(t, s.Update(ctx, func(tx identity.Tx) error {
				return tx.TouchSession(ctx, "s-missing", t0)
			}), verbund.NotFound)
		})

		t.Run("delete expired", func(t *testing.T) {
			var n int
			update(t, db, func(tx identity.Tx) (err error) {
				// s-c ends exactly at now: not before it, so it stays.
				n, err = tx.DeleteExpiredSessions(ctx, t0.Add(time.Minute))
				return err
			})
			if n != 0 {
				t.Errorf("DeleteExpiredSessions at the end of s-c = %d, want 0", n)
			}
			update(t, db, func(tx identity.Tx) (err error) {
				n, err = tx.DeleteExpiredSessions(ctx, t0.Add(time.Minute+time.Microsecond))
				return err
			})
			if n != 1 {
				t.Errorf("DeleteExpiredSessions after the end of s-c = %d, want 1", n)
			}
			_, err := s.Session(ctx, "s-c")
			wantKind(t, err, verbund.NotFound)
		})

		t.Run("delete", func(t *testing.T) {
			for range 2 { // a second logout is no error
				update(t, db, func(tx identity.Tx) error { return tx.DeleteSession(ctx, "s-d") })
			}
			_, err := s.Session(ctx, "s-d")
			wantKind(t, err, verbund.NotFound)
		})

		t.Run("delete by user", func(t *testing.T) {
			var n int
			update(t, db, func(tx identity.Tx) (err error) {
				n, err = tx.DeleteUserSessions(ctx, "u-1")
				return err
			})
			if n != 2 {
				t.Errorf("DeleteUserSessions = %d, want 2", n)
			}
			for _, id := range []string{"s-a", "s-b"} {
				_, err := s.Session(ctx, id)
				wantKind(t, err, verbund.NotFound)
			}
		})
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Identity()
		seedUser(t, db)
		tok := func(id, orgID string, created time.Time) identity.Token {
			return identity.Token{ID: id, OrgID: orgID, CreatedBy: "u-1", Name: "Token " + id,
				Prefix: "p" + id, Hash: hash("vbd_p" + id + "_secret"),
				Scopes:    []identity.Scope{identity.ScopeIntelRead, identity.ScopeWarningsRead},
				CreatedAt: created}
		}
		active := tok("t1", "o-1", t0)
		expiring := tok("t2", "o-1", t0.Add(time.Minute))
		expiring.ExpiresAt = t0.Add(24 * time.Hour)
		expired := tok("t3", "o-1", t0.Add(2*time.Minute))
		expired.ExpiresAt = t0.Add(time.Hour)
		revoked := tok("t4", "o-1", t0.Add(3*time.Minute))
		revoked.RevokedAt = t0.Add(time.Minute)
		other := tok("t5", "o-2", t0)
		update(t, db, func(tx identity.Tx) error {
			for _, x := range []identity.Token{active, expiring, expired, revoked, other} {
				if err := tx.CreateToken(ctx, x); err != nil {
					return err
				}
			}
			return nil
		})

		if got, err := s.Token(ctx, "t2"); err != nil || !reflect.DeepEqual(got, expiring) {
			t.Errorf("Token = %+v, %v\nwant %+v", got, err, expiring)
		}
		if got, err := s.TokenByPrefix(ctx, "pt4"); err != nil || !reflect.DeepEqual(got, revoked) {
			t.Errorf("TokenByPrefix = %+v, %v\nwant %+v", got, err, revoked)
		}
		_, err := s.Token(ctx, "t-missing")
		wantKind(t, err, verbund.NotFound)
		_, err = s.TokenByPrefix(ctx, "p-missing")
		wantKind(t, err, verbund.NotFound)

		dup := tok("t6", "o-1", t0)
		dup.Prefix = active.Prefix
		wantKind(t, s.Update(ctx, func(tx identity.Tx) error { return tx.CreateToken(ctx, dup) }), verbund.Conflict)

		ts, err := s.ListTokens(ctx, "o-1")
		if err != nil {
			t.Fatal(err)
		}
		tokenID := func(x identity.Token) string { return x.ID }
		if got := ids(ts, tokenID); !slices.Equal(got, []string{"t4", "t3", "t2", "t1"}) {
			t.Errorf("ListTokens = %v, want newest first [t4 t3 t2 t1]", got)
		}

		t.Run("revoke org tokens counts only active ones", func(t *testing.T) {
			now := t0.Add(2 * time.Hour) // t3 has expired, t4 is revoked
			var n int
			update(t, db, func(tx identity.Tx) (err error) {
				n, err = tx.RevokeOrgTokens(ctx, "o-1", now)
				return err
			})
			if n != 2 {
				t.Errorf("RevokeOrgTokens = %d, want 2 (t1, t2)", n)
			}
			for _, tc := range []struct {
				id          string
				wantRevoked time.Time
			}{{"t1", now}, {"t2", now}, {"t3", time.Time{}}, {"t4", revoked.RevokedAt}, {"t5", time.Time{}}} {
				got, _ := s.Token(ctx, tc.id)
				if !got.RevokedAt.Equal(tc.wantRevoked) {
					t.Errorf("%s revoked at %v, want %v", tc.id, got.RevokedAt, tc.wantRevoked)
				}
			}
		})

		t.Run("revoke keeps the first revocation", func(t *testing.T) {
			update(t, db, func(tx identity.Tx) error { return tx.RevokeToken(ctx, "t5", t0.Add(time.Hour)) })
			update(t, db, func(tx identity.Tx) error { return tx.RevokeToken(ctx, "t5", t0.Add(3*time.Hour)) })
			got, _ := s.Token(ctx, "t5")
			if !got.RevokedAt.Equal(t0.Add(time.Hour)) || got.Active(t0.Add(2*time.Hour)) {
				t.Errorf("t5 revoked at %v, want %v", got.RevokedAt, t0.Add(time.Hour))
			}
			wantKind(t, s.Update(ctx, func(tx identity.Tx) error {
				return tx.RevokeToken(ctx, "t-missing", t0)
			}), verbund.NotFound)
		})

		t.Run("touch", func(t *testing.T) {
			update(t, db, func(tx identity.Tx) error { return tx.TouchToken(ctx, "t1", t0.Add(time.Hour)) })
			update(t, db, func(tx identity.Tx) error { return tx.TouchToken(ctx, "t1", t0.Add(time.Minute)) })
			if got, _ := s.Token(ctx, "t1"); !got.LastUsedAt.Equal(t0.Add(time.Hour)) {
				t.Errorf("last used %v, want %v", got.LastUsedAt, t0.Add(time.Hour))
			}
			wantKind(t, s.Update(ctx, func(tx identity.Tx) error {
				return tx.TouchToken(ctx, "t-missing", t0)
			}), verbund.NotFound)
		})
	})
}

func TestRecoveryCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		seedUser(t, db)
		count := func(userID string) (n int) {
			t.Helper()
			update(t, db, func(tx identity.Tx) (err error) {
				n, err = tx.CountRecoveryCodes(ctx, userID)
				return err
			})
			return n
		}
		use := func(userID, code string, at time.Time) (ok bool) {
			t.Helper()
			update(t, db, func(tx identity.Tx) (err error) {
				ok, err = tx.UseRecoveryCode(ctx, userID, hash(code), at)
				return err
			})
			return ok
		}
		update(t, db, func(tx identity.Tx) error {
			return tx.ReplaceRecoveryCodes(ctx, "u-1", [][]byte{hash("a"), hash("b"), hash("c")})
		})
		if n := count("u-1"); n != 3 {
			t.Fatalf("CountRecoveryCodes = %d, want 3", n)
		}
		for _, tc := range []struct {
			user, code string
			want       bool
			left       int
		}{
			{"u-1", "b", true, 2},
			{"u-1", "b", false, 2}, // once only
			{"u-2", "a", false, 2}, // another user's code
			{"u-1", "x", false, 2},
			{"u-1", "a", true, 1},
		} {
			if got := use(tc.user, tc.code, t0); got != tc.want {
				t.Errorf("UseRecoveryCode(%s, %s) = %v, want %v", tc.user, tc.code, got, tc.want)
			}
			if n := count("u-1"); n != tc.left {
				t.Errorf("after using %s of %s: %d codes left, want %d", tc.code, tc.user, n, tc.left)
			}
		}
		update(t, db, func(tx identity.Tx) error {
			return tx.ReplaceRecoveryCodes(ctx, "u-1", [][]byte{hash("d"), hash("e")})
		})
		if n := count("u-1"); n != 2 {
			t.Errorf("after replace: %d codes, want 2", n)
		}
		if use("u-1", "c", t0) {
			t.Error("a replaced code still works")
		}
		if !use("u-1", "d", t0) {
			t.Error("a new code does not work")
		}
	})
}

func TestResetTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Identity()
		seedUser(t, db)
		expires := t0.Add(time.Hour)
		update(t, db, func(tx identity.Tx) error {
			for _, secret := range []string{"r1", "r2", "r3"} {
				if err := tx.CreateResetToken(ctx, hash(secret), "u-1", expires); err != nil {
					return err
				}
			}
			return nil
		})
		consume := func(secret string, now time.Time) (string, error) {
			var userID string
			err := s.Update(ctx, func(tx identity.Tx) (err error) {
				userID, err = tx.ConsumeResetToken(ctx, hash(secret), now)
				return err
			})
			return userID, err
		}
		for _, tc := range []struct {
			name, secret string
			now          time.Time
			wantUser     string
		}{
			{"valid", "r1", t0, "u-1"},
			{"used", "r1", t0, ""},
			{"unknown", "nope", t0, ""},
			{"at its expiry", "r2", expires, ""},
			{"just before expiry", "r3", expires.Add(-time.Microsecond), "u-1"},
			{"expired", "r2", expires.Add(time.Second), ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := consume(tc.secret, tc.now)
				if tc.wantUser == "" {
					wantKind(t, err, verbund.NotFound)
					return
				}
				if err != nil || got != tc.wantUser {
					t.Errorf("ConsumeResetToken = %q, %v; want %q", got, err, tc.wantUser)
				}
			})
		}
	})
}

func TestUseTOTPStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedUser(t, db)
		ctx := t.Context()
		use := func(user string, step int64) bool {
			var ok bool
			update(t, db, func(tx identity.Tx) error {
				var err error
				ok, err = tx.UseTOTPStep(ctx, user, step)
				return err
			})
			return ok
		}
		for _, c := range []struct {
			user string
			step int64
			want bool
		}{
			{"u-1", 100, true},  // first use
			{"u-1", 100, false}, // the same step again: a replay
			{"u-1", 99, false},  // an earlier step
			{"u-2", 100, true},  // another user's steps are their own
			{"u-1", 101, true},  // the next step
			{"nobody", 5, false},
		} {
			if got := use(c.user, c.step); got != c.want {
				t.Errorf("UseTOTPStep(%s, %d) = %v, want %v", c.user, c.step, got, c.want)
			}
		}
	})
}
