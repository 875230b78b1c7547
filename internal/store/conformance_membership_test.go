package store_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// The conformance suite for membership.Tx and membership.Reader.

// mupdate runs fn in a membership transaction of db and fails t on error.
func mupdate(t *testing.T, db *store.DB, fn func(tx membership.Tx) error) {
	t.Helper()
	if err := db.Membership().Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func profile(orgID string) membership.Profile {
	return membership.Profile{
		OrgID: orgID, LegalForm: "GmbH", Street: "Hauptstraße 1", Postcode: "10115", City: "Berlin",
		Website: "https://" + orgID + ".example", SizeClass: "10-49", ContactFunction: "CISO", Lang: "de",
		RegisteredBy: "u-" + orgID, CreatedAt: t0, UpdatedAt: t0,
	}
}

func TestMembershipProfiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Membership()
		a, b := org("o-a", "A", "DE"), org("o-b", "B", "DE")
		b.Status = identity.StatusPending
		update(t, db, func(tx identity.Tx) error {
			for _, o := range []identity.Organisation{a, b} {
				if err := tx.CreateOrganisation(ctx, o); err != nil {
					return err
				}
			}
			return nil
		})
		pa, pb := profile("o-a"), profile("o-b")
		pa.NetworkVisible = true
		pb.CreatedAt = t0.Add(time.Second)
		mupdate(t, db, func(tx membership.Tx) error {
			if err := tx.CreateProfile(ctx, pa); err != nil {
				return err
			}
			return tx.CreateProfile(ctx, pb)
		})
		if got, err := s.Profile(ctx, "o-a"); err != nil || !reflect.DeepEqual(got, pa) {
			t.Errorf("Profile = %+v, %v\nwant %+v", got, err, pa)
		}
		_, err := s.Profile(ctx, "o-missing")
		wantKind(t, err, verbund.NotFound)
		wantKind(t, s.Update(ctx, func(tx membership.Tx) error { return tx.CreateProfile(ctx, pa) }), verbund.Conflict)
		wantKind(t, s.Update(ctx, func(tx membership.Tx) error { return tx.CreateProfile(ctx, profile("o-missing")) }), verbund.Invalid)

		for _, tc := range []struct {
			name string
			f    membership.ProfileFilter
			want []string
		}{
			{"all, oldest first", membership.ProfileFilter{}, []string{"o-a", "o-b"}},
			{"by organisation status", membership.ProfileFilter{OrgStatus: identity.StatusPending}, []string{"o-b"}},
			{"network only", membership.ProfileFilter{NetworkOnly: true}, []string{"o-a"}},
			{"network and pending", membership.ProfileFilter{NetworkOnly: true, OrgStatus: identity.StatusPending}, []string{}},
		} {
			ps, err := s.ListProfiles(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(ps, func(p membership.Profile) string { return p.OrgID }); !slices.Equal(got, tc.want) {
				t.Errorf("%s: ListProfiles = %v, want %v", tc.name, got, tc.want)
			}
		}

		changed := pb
		changed.City, changed.NetworkVisible, changed.VerifiedAt = "Köln", true, t0.Add(time.Hour)
		changed.UpdatedAt, changed.CreatedAt = t0.Add(time.Hour), t0.Add(time.Hour)
		mupdate(t, db, func(tx membership.Tx) error { return tx.UpdateProfile(ctx, changed) })
		changed.CreatedAt = pb.CreatedAt
		if got, err := s.Profile(ctx, "o-b"); err != nil || !reflect.DeepEqual(got, changed) {
			t.Errorf("after UpdateProfile = %+v, %v\nwant %+v", got, err, changed)
		}
		wantKind(t, s.Update(ctx, func(tx membership.Tx) error { return tx.UpdateProfile(ctx, profile("o-missing")) }), verbund.NotFound)
		// Outside a transaction the store refuses to write.
		wantKind(t, db.Queries.CreateProfile(ctx, profile("o-x")), verbund.Internal)
	})
}

func TestContactEmailInUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Membership()
		a, gone := org("o-a", "A", "DE"), org("o-gone", "Gone", "DE")
		a.ContactEmail, gone.ContactEmail, gone.Status = "office@a.example", "office@gone.example", identity.StatusTerminated
		update(t, db, func(tx identity.Tx) error {
			if err := tx.CreateOrganisation(ctx, a); err != nil {
				return err
			}
			return tx.CreateOrganisation(ctx, gone)
		})
		for _, tc := range []struct {
			addr, except string
			want         bool
		}{
			{"office@a.example", "", true},
			{"Office@A.example", "o-other", true},
			{"office@a.example", "o-a", false}, // its own address
			{"office@gone.example", "", false},
			{"x@a.example", "", false},
		} {
			if got, err := s.ContactEmailInUse(ctx, tc.addr, tc.except); err != nil || got != tc.want {
				t.Errorf("ContactEmailInUse(%q, %q) = %v, %v; want %v", tc.addr, tc.except, got, err, tc.want)
			}
		}
	})
}

func TestVerifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Membership()
		seedUser(t, db)
		v := membership.Verification{Hash: hash("secret"), UserID: "u-1", OrgID: "o-1", CreatedAt: t0, ExpiresAt: t0.Add(48 * time.Hour)}
		mupdate(t, db, func(tx membership.Tx) error { return tx.CreateVerification(ctx, v) })
		if got, err := s.Verification(ctx, hash("secret")); err != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("Verification = %+v, %v\nwant %+v", got, err, v)
		}
		_, err := s.Verification(ctx, hash("other"))
		wantKind(t, err, verbund.NotFound)

		use := func(h []byte) (bool, error) {
			var ok bool
			err := s.Update(ctx, func(tx membership.Tx) error {
				var err error
				ok, err = tx.UseVerification(ctx, h, t0.Add(time.Hour))
				return err
			})
			return ok, err
		}
		if ok, err := use(hash("secret")); !ok || err != nil {
			t.Fatalf("first use = %v, %v; want true", ok, err)
		}
		if ok, err := use(hash("secret")); ok || err != nil {
			t.Errorf("second use = %v, %v; want false: a link works once", ok, err)
		}
		_, err = use(hash("other"))
		wantKind(t, err, verbund.NotFound)
		if got, _ := s.Verification(ctx, hash("secret")); !got.UsedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("UsedAt = %v, want %v", got.UsedAt, t0.Add(time.Hour))
		}
		noExpiry := v
		noExpiry.Hash, noExpiry.ExpiresAt = hash("x"), time.Time{}
		wantKind(t, s.Update(ctx, func(tx membership.Tx) error { return tx.CreateVerification(ctx, noExpiry) }), verbund.Invalid)
	})
}

func TestAgreementsAndSignatures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Membership()
		seedUser(t, db)
		office, gone := org("o-office", "Office", "DE"), org("o-gone", "Gone", "DE")
		office.Kind, gone.Status = identity.KindOffice, identity.StatusTerminated
		update(t, db, func(tx identity.Tx) error {
			if err := tx.CreateOrganisation(ctx, office); err != nil {
				return err
			}
			return tx.CreateOrganisation(ctx, gone)
		})
		_, err := s.CurrentAgreement(ctx)
		wantKind(t, err, verbund.NotFound)

		v1 := membership.Agreement{Version: 1, Texts: map[string]string{"de": "Vertrag", "en": "Agreement", "nl": "Overeenkomst"},
			PublishedAt: t0, PublishedBy: "u-office"}
		v2 := v1
		v2.Version, v2.Texts, v2.PublishedAt = 2, map[string]string{"de": "Vertrag 2", "en": "Agreement 2", "nl": "Overeenkomst 2"}, t0.Add(time.Hour)
		mupdate(t, db, func(tx membership.Tx) error {
			if err := tx.CreateAgreement(ctx, v1); err != nil {
				return err
			}
			return tx.CreateAgreement(ctx, v2)
		})
		if got, err := s.CurrentAgreement(ctx); err != nil || !reflect.DeepEqual(got, v2) {
			t.Errorf("CurrentAgreement = %+v, %v\nwant %+v", got, err, v2)
		}
		if got, err := s.Agreement(ctx, 1); err != nil || !reflect.DeepEqual(got, v1) {
			t.Errorf("Agreement(1) = %+v, %v\nwant %+v", got, err, v1)
		}
		for _, v := range []int{0, 3, -1} {
			_, err := s.Agreement(ctx, v)
			wantKind(t, err, verbund.NotFound)
		}
		wantKind(t, s.Update(ctx, func(tx membership.Tx) error { return tx.CreateAgreement(ctx, v1) }), verbund.Conflict)

		sig := func(id, orgID string, version int, at time.Time) membership.Signature {
			return membership.Signature{ID: id, OrgID: orgID, UserID: "u-1", Version: version, Lang: "de",
				TextSHA256: "ab12", SignedAt: at, IP: "192.0.2.1"}
		}
		s1, s2 := sig("g-1", "o-1", 1, t0), sig("g-2", "o-1", 2, t0.Add(2*time.Hour))
		mupdate(t, db, func(tx membership.Tx) error {
			for _, g := range []membership.Signature{s1, s2, sig("g-3", "o-2", 1, t0)} {
				if err := tx.CreateSignature(ctx, g); err != nil {
					return err
				}
			}
			return nil
		})
		if got, err := s.Signature(ctx, "g-2"); err != nil || !reflect.DeepEqual(got, s2) {
			t.Errorf("Signature = %+v, %v\nwant %+v", got, err, s2)
		}
		_, err = s.Signature(ctx, "g-missing")
		wantKind(t, err, verbund.NotFound)
		if got, err := s.ListSignatures(ctx, "o-1"); err != nil || !reflect.DeepEqual(got, []membership.Signature{s2, s1}) {
			t.Errorf("ListSignatures = %+v, %v; want newest first", got, err)
		}
		for _, tc := range []struct {
			org     string
			version int
			want    bool
		}{{"o-1", 2, true}, {"o-1", 1, true}, {"o-2", 2, false}, {"o-2", 1, true}} {
			if got, err := s.HasSigned(ctx, tc.org, tc.version); err != nil || got != tc.want {
				t.Errorf("HasSigned(%s, %d) = %v, %v; want %v", tc.org, tc.version, got, err, tc.want)
			}
		}
		// The office and ended memberships are not asked to sign.
		if got, err := s.Unsigned(ctx, 2); err != nil || !slices.Equal(ids(got, orgID), []string{"o-2"}) {
			t.Errorf("Unsigned(2) = %v, %v; want [o-2]", ids(got, orgID), err)
		}
		wantKind(t, s.Update(ctx, func(tx membership.Tx) error { return tx.CreateSignature(ctx, sig("g-4", "o-1", 9, t0)) }), verbund.Invalid)
	})
}

func TestEnsureSetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, s := t.Context(), db.Membership()
		for _, v := range []string{"first", "second"} {
			var got string
			mupdate(t, db, func(tx membership.Tx) error {
				var err error
				got, err = tx.EnsureSetting(ctx, "k", v)
				return err
			})
			if got != "first" {
				t.Errorf("EnsureSetting(k, %s) = %q, want the first value", v, got)
			}
		}
		if v, _ := s.Setting(ctx, "k"); v != "first" {
			t.Errorf("Setting(k) = %q", v)
		}
	})
}
