package store_test

// The conformance suite: every test runs against SQLite and PostgreSQL
// through storetest.Each, and asserts the contracts of the domain interfaces
// (identity.Tx, audit.Store, mail.Store) as their callers rely on them. It is
// split by concern across the conformance_*_test.go files.

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// t0 has microsecond precision, as stored, so that times survive a round trip
// unchanged.
var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC)

// update runs fn in a transaction of db and fails t when it returns an error.
func update(t *testing.T, db *store.DB, fn func(tx identity.Tx) error) {
	t.Helper()
	if err := db.Identity().Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// wantKind fails t unless err is a *verbund.Error of kind k.
func wantKind(t *testing.T, err error, k verbund.Kind) {
	t.Helper()
	var ve *verbund.Error
	if !errors.As(err, &ve) || ve.Kind != k {
		t.Fatalf("error = %v, want kind %s", err, k)
	}
}

func org(id, name, country string, sectors ...string) identity.Organisation {
	return identity.Organisation{
		ID: id, Name: name, Kind: identity.KindMember, Status: identity.StatusActive,
		Country: country, Sectors: sectors, ContactName: "Contact " + id,
		ContactEmail: id + "@example.org", ContactPhone: "+49 30 1234",
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func user(id, orgID, email, name string, roles ...identity.Role) identity.User {
	return identity.User{
		ID: id, OrgID: orgID, Email: email, Name: name, Lang: "de",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", Roles: roles,
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func ids[T any](xs []T, id func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func orgID(o identity.Organisation) string { return o.ID }
func userID(u identity.User) string        { return u.ID }

func TestOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Identity()
		office := org("o-office", "Alliance Office", "DE")
		office.Kind, office.Sectors = identity.KindOffice, nil
		beta := org("o-beta", "beta Energie", "DE", "water", "energy", "energy") // a repeated sector is stored once
		alpha := org("o-alpha", "Alpha Bank", "AT", "finance")
		gamma := org("o-gamma", "Gamma Kliniken", "DE", "health", "energy")
		gamma.Status = identity.StatusSuspended
		update(t, db, func(tx identity.Tx) error {
			for _, o := range []identity.Organisation{office, beta, alpha, gamma} {
				if err := tx.CreateOrganisation(ctx, o); err != nil {
					return err
				}
			}
			return nil
		})

		got, err := s.Organisation(ctx, beta.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := beta
		want.Sectors = []string{"energy", "water"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Organisation = %+v\nwant %+v", got, want)
		}
		_, err = s.Organisation(ctx, "o-missing")
		wantKind(t, err, verbund.NotFound)

		for _, tc := range []struct {
			name string
			f    identity.OrgFilter
			want []string
		}{
			{"all, by name in any case", identity.OrgFilter{}, []string{"o-office", "o-alpha", "o-beta", "o-gamma"}},
			{"kind", identity.OrgFilter{Kind: identity.KindMember}, []string{"o-alpha", "o-beta", "o-gamma"}},
			{"status", identity.OrgFilter{Status: identity.StatusSuspended}, []string{"o-gamma"}},
			{"sector", identity.OrgFilter{Sector: "energy"}, []string{"o-beta", "o-gamma"}},
			{"sector and status", identity.OrgFilter{Sector: "energy", Status: identity.StatusActive}, []string{"o-beta"}},
			{"no match", identity.OrgFilter{Sector: "space"}, []string{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				os, err := s.ListOrganisations(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(os, orgID); !slices.Equal(got, tc.want) {
					t.Errorf("ListOrganisations(%+v) = %v, want %v", tc.f, got, tc.want)
				}
			})
		}
		t.Run("sectors are listed whole when filtered by one", func(t *testing.T) {
			os, err := s.ListOrganisations(ctx, identity.OrgFilter{Sector: "health"})
			if err != nil {
				t.Fatal(err)
			}
			if len(os) != 1 || !slices.Equal(os[0].Sectors, []string{"energy", "health"}) {
				t.Errorf("ListOrganisations(health) = %+v, want gamma with energy and health", os)
			}
		})

		for _, tc := range []struct {
			name    string
			o       identity.Organisation
			wantErr bool
		}{
			{"same name and country", org("o-x1", "Alpha Bank", "AT"), true},
			{"same name in other case", org("o-x2", "ALPHA BANK", "AT"), true},
			{"same name in other country", org("o-x3", "Alpha Bank", "DE"), false},
			{"same id", org("o-alpha", "Other", "AT"), true},
		} {
			t.Run("create "+tc.name, func(t *testing.T) {
				err := s.Update(ctx, func(tx identity.Tx) error { return tx.CreateOrganisation(ctx, tc.o) })
				if tc.wantErr {
					wantKind(t, err, verbund.Conflict)
				} else if err != nil {
					t.Fatal(err)
				}
			})
		}

		t.Run("update", func(t *testing.T) {
			changed := gamma
			changed.Name, changed.Status, changed.Country = "Gamma Health", identity.StatusActive, "AT"
			changed.Sectors = []string{"health"}
			changed.ContactPhone = ""
			changed.UpdatedAt = t0.Add(time.Hour)
			changed.CreatedAt = t0.Add(time.Hour) // not stored: creation is history
			update(t, db, func(tx identity.Tx) error { return tx.UpdateOrganisation(ctx, changed) })
			got, err := s.Organisation(ctx, gamma.ID)
			if err != nil {
				t.Fatal(err)
			}
			changed.CreatedAt = t0
			if !reflect.DeepEqual(got, changed) {
				t.Errorf("after UpdateOrganisation = %+v\nwant %+v", got, changed)
			}
		})
		t.Run("update to a taken name", func(t *testing.T) {
			o := beta
			o.Name, o.Country = "alpha bank", "AT"
			wantKind(t, s.Update(ctx, func(tx identity.Tx) error { return tx.UpdateOrganisation(ctx, o) }), verbund.Conflict)
		})
		t.Run("update missing", func(t *testing.T) {
			o := org("o-missing", "Nobody", "DE")
			wantKind(t, s.Update(ctx, func(tx identity.Tx) error { return tx.UpdateOrganisation(ctx, o) }), verbund.NotFound)
		})
	})
}

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Identity()
		u1 := user("u-1", "o-1", "Erika.Mustermann@Example.ORG", "erika Mustermann", identity.RoleOrgAdmin, identity.RoleOrgMember)
		u2 := user("u-2", "o-1", "max@example.org", "Max Muster", identity.RoleOrgMember)
		u3 := user("u-3", "o-2", "anna@example.org", "Anna Andersson") // no roles
		update(t, db, func(tx identity.Tx) error {
			for _, o := range []identity.Organisation{org("o-1", "One", "DE"), org("o-2", "Two", "DE")} {
				if err := tx.CreateOrganisation(ctx, o); err != nil {
					return err
				}
			}
			for _, u := range []identity.User{u1, u2, u3} {
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
			}
			return nil
		})

		want := u1
		want.Email = "erika.mustermann@example.org"
		for _, tc := range []struct {
			name string
			get  func() (identity.User, error)
		}{
			{"by id", func() (identity.User, error) { return s.User(ctx, "u-1") }},
			{"by email as stored", func() (identity.User, error) { return s.UserByEmail(ctx, "erika.mustermann@example.org") }},
			{"by email in other case", func() (identity.User, error) { return s.UserByEmail(ctx, "ERIKA.mustermann@EXAMPLE.org") }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := tc.get()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %+v\nwant %+v", got, want)
				}
			})
		}
		_, err := s.User(ctx, "u-missing")
		wantKind(t, err, verbund.NotFound)
		_, err = s.UserByEmail(ctx, "nobody@example.org")
		wantKind(t, err, verbund.NotFound)
		if got, err := s.User(ctx, "u-3"); err != nil || got.Roles != nil {
			t.Errorf("User(u-3) = %+v, %v; want no roles", got, err)
		}

		users, err := s.ListUsers(ctx, "o-1")
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(users, userID); !slices.Equal(got, []string{"u-1", "u-2"}) {
			t.Errorf("ListUsers(o-1) = %v, want [u-1 u-2] (by name in any case)", got)
		}
		if users, err := s.ListUsers(ctx, "o-missing"); err != nil || len(users) != 0 {
			t.Errorf("ListUsers(o-missing) = %v, %v; want none", users, err)
		}

		for _, email := range []string{"max@example.org", "MAX@example.org", "Max@Example.Org"} {
			t.Run("duplicate "+email, func(t *testing.T) {
				err := s.Update(ctx, func(tx identity.Tx) error {
					return tx.CreateUser(ctx, user("u-dup", "o-2", email, "Dup"))
				})
				wantKind(t, err, verbund.Conflict)
				if verbund.ErrorFields(err)["email"] == "" {
					t.Errorf("conflict %v does not name the e-mail field", err)
				}
			})
		}

		t.Run("update replaces fields and roles", func(t *testing.T) {
			changed := u2
			changed.Email = "other@example.org" // not changed by UpdateUser
			changed.OrgID = "o-2"               // nor this
			changed.Name, changed.Lang, changed.PasswordHash = "Max Mustermann", "en", "$argon2id$new"
			changed.TOTPSecret, changed.TOTPEnabled, changed.Disabled = "JBSWY3DPEHPK3PXP", true, true
			changed.Roles = []identity.Role{identity.RoleOrgAdmin}
			changed.UpdatedAt = t0.Add(time.Minute)
			update(t, db, func(tx identity.Tx) error { return tx.UpdateUser(ctx, changed) })
			got, err := s.User(ctx, u2.ID)
			if err != nil {
				t.Fatal(err)
			}
			changed.Email, changed.OrgID = u2.Email, u2.OrgID
			if !reflect.DeepEqual(got, changed) {
				t.Errorf("after UpdateUser = %+v\nwant %+v", got, changed)
			}
		})
		t.Run("update missing", func(t *testing.T) {
			err := s.Update(ctx, func(tx identity.Tx) error {
				return tx.UpdateUser(ctx, user("u-missing", "o-1", "x@example.org", "X"))
			})
			wantKind(t, err, verbund.NotFound)
		})
	})
}

func TestUpdateRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Identity()
		boom := errors.New("boom")
		err := s.Update(ctx, func(tx identity.Tx) error {
			if err := tx.CreateOrganisation(ctx, org("o-1", "One", "DE")); err != nil {
				return err
			}
			if err := tx.SetSetting(ctx, "k", "v"); err != nil {
				return err
			}
			if _, err := tx.AppendAudit(ctx, audit.Entry{At: t0, Action: "org.create", Outcome: audit.Success}); err != nil {
				return err
			}
			// Reads in the transaction see its own changes.
			if _, err := tx.Organisation(ctx, "o-1"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update = %v, want the error of fn", err)
		}
		_, err = s.Organisation(ctx, "o-1")
		wantKind(t, err, verbund.NotFound)
		if v, err := s.Setting(ctx, "k"); err != nil || v != "" {
			t.Errorf("Setting after rollback = %q, %v; want unset", v, err)
		}
		if es, err := db.ListAudit(ctx, audit.Filter{}); err != nil || len(es) != 0 {
			t.Errorf("ListAudit after rollback = %v, %v; want none", es, err)
		}

		t.Run("panic", func(t *testing.T) {
			func() {
				defer func() { _ = recover() }()
				_ = s.Update(ctx, func(tx identity.Tx) error {
					if err := tx.SetSetting(ctx, "p", "v"); err != nil {
						return err
					}
					panic("boom")
				})
			}()
			if v, err := s.Setting(ctx, "p"); err != nil || v != "" {
				t.Errorf("Setting after panic = %q, %v; want unset", v, err)
			}
		})
	})
}

// TestWritesNeedTransaction checks that a change outside Update fails the
// same way on both engines instead of committing piecemeal on one of them.
func TestWritesNeedTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		wantKind(t, db.CreateOrganisation(ctx, org("o-1", "One", "DE")), verbund.Internal)
		wantKind(t, db.SetSetting(ctx, "k", "v"), verbund.Internal)
		_, err := db.AppendAudit(ctx, audit.Entry{At: t0, Action: "x"})
		wantKind(t, err, verbund.Internal)
		if _, err := db.Organisation(ctx, "o-1"); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("Organisation after refused create: %v, want not found", err)
		}
	})
}

func TestSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Identity()
		for _, step := range []struct {
			set, want string
		}{{"", ""}, {"true", "true"}, {"false", "false"}} {
			if step.set != "" {
				update(t, db, func(tx identity.Tx) error { return tx.SetSetting(ctx, "require_2fa", step.set) })
			}
			if got, err := s.Setting(ctx, "require_2fa"); err != nil || got != step.want {
				t.Errorf("Setting = %q, %v; want %q", got, err, step.want)
			}
		}
		if got, err := s.Setting(ctx, "other"); err != nil || got != "" {
			t.Errorf("Setting(other) = %q, %v; want \"\"", got, err)
		}
	})
}

func TestLoginFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Identity()
		update(t, db, func(tx identity.Tx) error {
			for i := range 3 {
				if err := tx.RecordLoginFailure(ctx, "email:a@example.org", t0.Add(time.Duration(i)*time.Minute)); err != nil {
					return err
				}
			}
			return tx.RecordLoginFailure(ctx, "ip:192.0.2.1", t0)
		})
		for _, tc := range []struct {
			key   string
			since time.Time
			want  int
		}{
			{"email:a@example.org", time.Time{}, 3},
			{"email:a@example.org", t0.Add(time.Minute), 2}, // at or after since
			{"email:a@example.org", t0.Add(time.Minute + time.Microsecond), 1},
			{"email:a@example.org", t0.Add(time.Hour), 0},
			{"ip:192.0.2.1", t0, 1},
			{"email:b@example.org", time.Time{}, 0},
		} {
			if got, err := s.CountLoginFailures(ctx, tc.key, tc.since); err != nil || got != tc.want {
				t.Errorf("CountLoginFailures(%s, %v) = %d, %v; want %d", tc.key, tc.since, got, err, tc.want)
			}
		}
		update(t, db, func(tx identity.Tx) error { return tx.ClearLoginFailures(ctx, "email:a@example.org") })
		if got, _ := s.CountLoginFailures(ctx, "email:a@example.org", time.Time{}); got != 0 {
			t.Errorf("after clear: %d failures, want 0", got)
		}
		if got, _ := s.CountLoginFailures(ctx, "ip:192.0.2.1", time.Time{}); got != 1 {
			t.Errorf("clear removed another key's failures: %d left, want 1", got)
		}
	})
}

func TestMigrations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate = %v, %v; want nothing applied", applied, err)
		}
		known, err := store.Migrations(db.Dialect())
		if err != nil {
			t.Fatal(err)
		}
		status, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(status) != len(known) || len(known) == 0 {
			t.Fatalf("MigrationStatus lists %d migrations, want the %d known", len(status), len(known))
		}
		for _, m := range status {
			if m.AppliedAt.IsZero() {
				t.Errorf("migration %04d_%s not applied", m.Version, m.Name)
			}
		}
		// A database that a newer Verbund migrated refuses this one.
		if _, err := db.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_the_future', 1)`,
			len(known)+1); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); !verbund.IsKind(err, verbund.Invalid) || !strings.Contains(err.Error(), "upgrade Verbund") {
			t.Errorf("Migrate on a newer database = %v, want a request to upgrade", err)
		}
	})
}
