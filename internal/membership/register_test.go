package membership_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

func TestRegisterVerifyActivate(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		in := registration("Stadtwerke Musterstadt", "stadtwerke.example")
		in.Website = "Stadtwerke.Example/"
		r := f.register(t, in)

		if r.Org.Status != identity.StatusPending || r.Org.Country != "DE" || !slices.Equal(r.Org.Sectors, []string{"energy", "water"}) {
			t.Errorf("registered organisation = %+v, want pending in DE with its sectors", r.Org)
		}
		if !slices.Equal(r.User.Roles, []identity.Role{identity.RoleOrgAdmin}) || r.User.OrgID != r.Org.ID {
			t.Errorf("first user = %+v, want the organisation's admin", r.User)
		}
		prof, err := f.db.Profile(ctx, r.Org.ID)
		if err != nil || prof.Website != "https://stadtwerke.example" || prof.Verified() || prof.ContactFunction != "CISO" || prof.Lang != "en" {
			t.Errorf("profile = %+v, %v", prof, err)
		}
		sum := sha256.Sum256([]byte(texts["en"]))
		if s := r.Signature; s.Version != 1 || s.Lang != "en" || s.TextSHA256 != hex.EncodeToString(sum[:]) ||
			s.IP != "198.51.100.7" || !s.SignedAt.Equal(f.clk.Now()) || s.UserID != r.User.ID {
			t.Errorf("signature = %+v", s)
		}
		m := f.lastMail(t, r.User.Email, "mail.verify")
		if m.Status != mail.Held {
			t.Errorf("verification mail status = %s, want held as configured", m.Status)
		}
		if ok, _ := f.svc.AcceptedCurrent(ctx, r.Org.ID); !ok {
			t.Error("the agreement accepted at registration does not count")
		}
		// The password works at once; the organisation is not active yet.
		if _, err := f.ids.Login(ctx, r.User.Email, pw); err != nil {
			t.Errorf("login of the new user: %v", err)
		}

		f.clk.Add(47 * time.Hour)
		org, err := f.svc.Verify(ctx, f.link(t, r.User.Email))
		if err != nil {
			t.Fatal(err)
		}
		if org.Status != identity.StatusActive || f.org(t, r.Org.ID).Status != identity.StatusActive {
			t.Errorf("after verification the organisation is %s, want active", org.Status)
		}
		sts, _ := f.db.ListStatuses(ctx, membership.StatusFilter{OrgID: r.Org.ID})
		if len(sts) != 1 || sts[0].Status != membership.Participant || !sts[0].Since.Equal(f.clk.Now()) {
			t.Errorf("statuses = %+v, want participant since the verification", sts)
		}
		bs, _ := f.db.ListBadges(ctx, r.Org.ID)
		if len(bs) != 1 || bs[0].Status != membership.Participant {
			t.Errorf("badges = %+v, want one participant badge", bs)
		}
		f.lastMail(t, "contact@stadtwerke.example", "mail.status.active")
		for _, a := range []string{"membership.register", "agreement.sign", "membership.verify", "membership.activate", "membership.status.start", "badge.issue"} {
			es := f.audits(t, a, audit.Success)
			if len(es) == 0 {
				t.Errorf("no audit entry %s", a)
			} else if es[0].ActorOrg != r.Org.ID {
				t.Errorf("audit entry %s names actor organisation %q, want %q", a, es[0].ActorOrg, r.Org.ID)
			}
		}
	})
}

func TestRegisterRefusesInvalidInput(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		for _, tc := range []struct {
			name   string
			change func(*membership.NewRegistration)
			code   string
			fields []string
		}{
			{"empty", func(in *membership.NewRegistration) { *in = membership.NewRegistration{} }, "",
				[]string{"name", "legal_form", "street", "postcode", "city", "country", "sectors", "size_class",
					"contact_name", "contact_email", "user_name", "user_email", "password", "accept_agreement", "agreement_lang"}},
			{"country not eligible", func(in *membership.NewRegistration) { in.Country = "fr" }, "country-not-eligible", []string{"country"}},
			{"country malformed", func(in *membership.NewRegistration) { in.Country = "Germany" }, "", []string{"country"}},
			{"unknown sector", func(in *membership.NewRegistration) { in.Sectors = []string{"piracy"} }, "", []string{"sectors"}},
			{"size class", func(in *membership.NewRegistration) { in.SizeClass = "huge" }, "", []string{"size_class"}},
			{"website", func(in *membership.NewRegistration) { in.Website = "javascript:alert(1)" }, "", []string{"website"}},
			{"e-mail", func(in *membership.NewRegistration) { in.UserEmail = "ada at example" }, "", []string{"user_email"}},
			{"short password", func(in *membership.NewRegistration) { in.Password = "short" }, "", []string{"password"}},
			{"agreement not accepted", func(in *membership.NewRegistration) { in.AcceptAgreement = false }, "", []string{"accept_agreement"}},
			{"agreement outdated", func(in *membership.NewRegistration) { in.AgreementVersion = 0 }, "agreement-outdated", []string{"agreement_version"}},
			{"agreement language", func(in *membership.NewRegistration) { in.AgreementLang = "fr" }, "", []string{"agreement_lang"}},
			{"two-line name", func(in *membership.NewRegistration) { in.Name = "A\nB" }, "", []string{"name"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := registration("Valid GmbH", "valid.example")
				tc.change(&in)
				_, err := f.svc.Register(t.Context(), in)
				wantErr(t, err, verbund.Invalid, tc.code)
				got := verbund.ErrorFields(err)
				for _, k := range tc.fields {
					if got[k] == "" {
						t.Errorf("no problem reported for %s; got %v", k, got)
					}
				}
				if len(got) != len(tc.fields) {
					t.Errorf("fields = %v, want exactly %v", got, tc.fields)
				}
			})
		}
		if n := len(f.audits(t, "membership.register", audit.Success)); n != 0 {
			t.Errorf("%d registrations recorded, want none", n)
		}
		orgs, _ := f.db.ListOrganisations(t.Context(), identity.OrgFilter{Kind: identity.KindMember})
		if len(orgs) != 0 {
			t.Errorf("refused registrations left organisations behind: %+v", orgs)
		}
	})
}

func TestRegisterAllowedCountriesIsConfiguration(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		in := registration("Waterschap", "waterschap.example")
		in.Country = "NL"
		f.register(t, in)
		in = registration("Stadtwerke", "stadtwerke.example")
		_, err := f.svc.Register(t.Context(), in)
		wantErr(t, err, verbund.Invalid, "country-not-eligible")
		if msg := verbund.ErrorMessage(err); msg == "" || msg == "the input is not valid" {
			t.Errorf("message %q does not say why", msg)
		}
	}, func(c *membership.Config) { c.AllowedCountries = []string{"nl", "BE"} })
}

func TestRegisterRefusesDuplicates(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		first := f.register(t, registration("Stadtwerke Musterstadt", "stadtwerke.example"))
		for _, tc := range []struct {
			name   string
			change func(*membership.NewRegistration)
			code   string
			field  string
		}{
			{"same name and country in other case", func(in *membership.NewRegistration) { in.Name = "STADTWERKE musterstadt" }, "org-exists", "name"},
			{"first user's address in use", func(in *membership.NewRegistration) { in.UserEmail = "ADA@stadtwerke.example" }, "email-in-use", "user_email"},
			{"contact address is a user's", func(in *membership.NewRegistration) { in.ContactEmail = first.User.Email }, "email-in-use", "contact_email"},
			{"contact address of a member", func(in *membership.NewRegistration) { in.ContactEmail = "contact@stadtwerke.example" }, "email-in-use", "contact_email"},
			{"office user's address", func(in *membership.NewRegistration) { in.UserEmail = "admin@office.example" }, "email-in-use", "user_email"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := registration("Other AG", "other.example")
				tc.change(&in)
				_, err := f.svc.Register(ctx, in)
				wantErr(t, err, verbund.Conflict, tc.code)
				if verbund.ErrorFields(err)[tc.field] == "" {
					t.Errorf("fields = %v, want a problem with %s", verbund.ErrorFields(err), tc.field)
				}
			})
		}
		_, err := f.svc.Register(ctx, registration("Stadtwerke Musterstadt", "stadtwerke.example"))
		if msg := verbund.ErrorMessage(err); verbund.ErrorCode(err) != "org-exists" || msg == "" {
			t.Errorf("duplicate = %v", err)
		}
		orgs, _ := f.db.ListOrganisations(ctx, identity.OrgFilter{Kind: identity.KindMember})
		if len(orgs) != 1 {
			t.Errorf("%d member organisations, want 1: refused registrations must leave nothing behind", len(orgs))
		}
	})
}

func TestRegisterWithoutAgreement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := membership.NewService(db.Membership(), membership.Config{Argon2: identity.FastArgon2})
		_, err := svc.Register(t.Context(), registration("Early Bird", "early.example"))
		wantErr(t, err, verbund.Conflict, "no-agreement")
		if _, err := svc.CurrentAgreement(t.Context()); !verbund.IsKind(err, verbund.NotFound) {
			t.Errorf("CurrentAgreement = %v, want not found", err)
		}
	})
}

func TestVerificationLink(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		r := f.register(t, registration("Stadtwerke", "stadtwerke.example"))
		old := f.link(t, r.User.Email)

		_, err := f.svc.Verify(ctx, "not-a-link-anybody-sent")
		wantErr(t, err, verbund.Invalid, "verification-invalid")

		f.clk.Add(48 * time.Hour)
		_, err = f.svc.Verify(ctx, old)
		wantErr(t, err, verbund.Invalid, "verification-expired")
		if f.org(t, r.Org.ID).Status != identity.StatusPending {
			t.Error("an expired link changed the organisation")
		}
		if len(f.audits(t, "membership.verify", audit.Failure)) != 2 {
			t.Error("failed verifications are not audited")
		}

		// Asking for a new link: unknown addresses get the same answer and no mail.
		if err := f.svc.ResendVerification(ctx, "nobody@nowhere.example"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ResendVerification(ctx, " ADA@stadtwerke.example "); err != nil {
			t.Fatal(err)
		}
		fresh := f.link(t, r.User.Email)
		if fresh == old || len(f.mails(t, r.User.Email, "mail.verify")) != 2 {
			t.Fatal("no new link was sent")
		}
		if _, err := f.svc.Verify(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		// Single use: neither the same link nor any other works again.
		_, err = f.svc.Verify(ctx, fresh)
		wantErr(t, err, verbund.Invalid, "verification-invalid")
		if err := f.svc.ResendVerification(ctx, r.User.Email); err != nil {
			t.Fatal(err)
		}
		if n := len(f.mails(t, r.User.Email, "mail.verify")); n != 2 {
			t.Errorf("%d links for a confirmed address, want no new one", n)
		}
		for range 4 { // five a day per address
			if err := f.svc.ResendVerification(ctx, "nobody@nowhere.example"); err != nil {
				t.Fatal(err)
			}
		}
		err = f.svc.ResendVerification(ctx, "nobody@nowhere.example")
		wantErr(t, err, verbund.TooManyRequests, "resend-throttled")
	})
}
