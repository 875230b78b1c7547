package identity_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// clock is a settable time for the service under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const pw = "correct horse battery staple"

// fixture is an office, a member organisation with an admin and a member,
// and the service on a real database.
type fixture struct {
	db          *store.DB
	svc         *identity.Service
	clk         *clock
	office, org identity.Organisation
	officeAdmin identity.User
	admin, memb identity.User
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := t.Context()
	clk := &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	cfg := identity.DefaultConfig()
	cfg.Now = clk.Now
	cfg.Argon2 = identity.FastArgon2
	cfg.MailHeld = true
	cfg.BaseURL = "https://verbund.example"
	cfg.Text = func(lang, key string, args ...any) string {
		parts := []string{lang, key}
		for _, a := range args {
			parts = append(parts, strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toString(a), "\n", " "), "  ", " ")))
		}
		return strings.Join(parts, " | ")
	}
	svc := identity.NewService(db.Identity(), cfg)
	sys := identity.SystemPrincipal()
	f := &fixture{db: db, svc: svc, clk: clk}
	var err error
	if f.office, err = svc.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: "Office", Kind: identity.KindOffice, Country: "DE"}); err != nil {
		t.Fatal(err)
	}
	if f.org, err = svc.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: "Stadtwerke Test", Country: "de", Sectors: []string{"energy"}}); err != nil {
		t.Fatal(err)
	}
	mk := func(org, email string, roles ...identity.Role) identity.User {
		u, err := svc.CreateUser(ctx, sys, identity.NewUser{OrgID: org, Email: email, Name: email, Password: pw, Roles: roles})
		if err != nil {
			t.Fatalf("create %s: %v", email, err)
		}
		return u
	}
	f.officeAdmin = mk(f.office.ID, "admin@office.example", identity.RoleOfficeAdmin)
	f.admin = mk(f.org.ID, "admin@sw.example", identity.RoleOrgAdmin)
	f.memb = mk(f.org.ID, "Member@SW.example", identity.RoleOrgMember)
	return f
}

func toString(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case int:
		return strings.Repeat("", 0) + itoa(v)
	}
	return ""
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func (f *fixture) principal(t *testing.T, u identity.User) identity.Principal {
	t.Helper()
	p, err := f.svc.Principal(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantKind(t *testing.T, err error, k verbund.Kind) {
	t.Helper()
	if verbund.ErrorKind(err) != k || err == nil {
		t.Fatalf("got error %v (kind %v), want kind %v", err, verbund.ErrorKind(err), k)
	}
}

func withIP(ctx context.Context, ip string) context.Context {
	return audit.WithRequest(ctx, audit.Request{ID: "req-" + ip, IP: ip})
}

func TestLoginAndSessionLifetime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := withIP(t.Context(), "192.0.2.10")

		_, err := f.svc.Login(ctx, "member@sw.example", "wrong password!!")
		wantKind(t, err, verbund.Unauthenticated)
		_, err = f.svc.Login(ctx, "nobody@sw.example", pw)
		wantKind(t, err, verbund.Unauthenticated)
		if verbund.ErrorMessage(err) != "the e-mail address or the password is wrong" {
			t.Errorf("unknown account message %q must not differ from a wrong password", verbund.ErrorMessage(err))
		}

		res, err := f.svc.Login(ctx, "  MEMBER@sw.example ", pw)
		if err != nil {
			t.Fatalf("login with differently cased address: %v", err)
		}
		if res.NeedSecondFactor {
			t.Error("a user without TOTP must not be asked for a second factor")
		}
		p, err := f.svc.Authenticate(ctx, res.Secret)
		if err != nil || p.User.ID != f.memb.ID || p.Org.ID != f.org.ID {
			t.Fatalf("Authenticate = %+v, %v", p, err)
		}

		// Idle timeout: used within the window it lives on; unused past it, it ends.
		f.clk.Add(90 * time.Minute)
		if _, err := f.svc.Authenticate(ctx, res.Secret); err != nil {
			t.Fatalf("session used after 90 minutes: %v", err)
		}
		f.clk.Add(2*time.Hour + time.Second)
		_, err = f.svc.Authenticate(ctx, res.Secret)
		wantKind(t, err, verbund.Unauthenticated)

		// Absolute timeout: kept busy, it still ends after 12 hours.
		res, err = f.svc.Login(ctx, f.memb.Email, pw)
		if err != nil {
			t.Fatal(err)
		}
		for range 12 {
			f.clk.Add(59 * time.Minute)
			if _, err := f.svc.Authenticate(ctx, res.Secret); err != nil {
				t.Fatalf("busy session ended early: %v", err)
			}
		}
		f.clk.Add(13 * time.Minute)
		_, err = f.svc.Authenticate(ctx, res.Secret)
		wantKind(t, err, verbund.Unauthenticated)

		// Logout ends the session at once.
		res, _ = f.svc.Login(ctx, f.memb.Email, pw)
		if err := f.svc.Logout(ctx, res.Secret); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Authenticate(ctx, res.Secret)
		wantKind(t, err, verbund.Unauthenticated)

		entries, err := db.ListAudit(ctx, audit.Filter{Action: "auth.", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var failures, successes, logouts int
		for _, e := range entries {
			switch {
			case e.Action == "auth.login" && e.Outcome == audit.Failure:
				failures++
				if e.IP != "192.0.2.10" || e.RequestID == "" {
					t.Errorf("failed login entry lacks request data: %+v", e)
				}
			case e.Action == "auth.login" && e.Outcome == audit.Success:
				successes++
			case e.Action == "auth.logout":
				logouts++
			}
		}
		if failures != 2 || successes != 3 || logouts != 1 {
			t.Errorf("audit: %d failed logins, %d logins, %d logouts; want 2, 3, 1", failures, successes, logouts)
		}
	})
}

func TestLoginThrottling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := withIP(t.Context(), "198.51.100.7")
		for i := range 5 {
			if _, err := f.svc.Login(ctx, f.memb.Email, "wrong password "+itoa(i)); !verbund.IsKind(err, verbund.Unauthenticated) {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		_, err := f.svc.Login(ctx, f.memb.Email, pw)
		wantKind(t, err, verbund.TooManyRequests)
		// Another account from another address is not affected.
		if _, err := f.svc.Login(withIP(t.Context(), "198.51.100.8"), f.admin.Email, pw); err != nil {
			t.Fatalf("other account: %v", err)
		}
		// After the window, the right password works again.
		f.clk.Add(16 * time.Minute)
		if _, err := f.svc.Login(ctx, f.memb.Email, pw); err != nil {
			t.Fatalf("after the window: %v", err)
		}

		// Per address: many accounts guessed from one address are stopped too.
		ctx = withIP(t.Context(), "203.0.113.99")
		for i := range 30 {
			_, _ = f.svc.Login(ctx, "guess"+itoa(i)+"@sw.example", "wrong password xx")
		}
		_, err = f.svc.Login(ctx, f.admin.Email, pw)
		wantKind(t, err, verbund.TooManyRequests)
	})
}

func TestSecondFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := withIP(t.Context(), "192.0.2.20")
		p := f.principal(t, f.memb)
		enr, err := f.svc.BeginTOTP(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(enr.URI, "otpauth://totp/") || len(enr.QRPNG) < 100 || enr.Secret == "" {
			t.Fatalf("enrolment = %+v", enr)
		}
		if _, err := f.svc.ConfirmTOTP(ctx, p, "000000"); !verbund.IsKind(err, verbund.Invalid) {
			t.Fatalf("wrong code confirmed: %v", err)
		}
		code, _ := totp.GenerateCode(enr.Secret, f.clk.Now())
		codes, err := f.svc.ConfirmTOTP(ctx, p, code)
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != identity.RecoveryCodeCount {
			t.Fatalf("%d recovery codes", len(codes))
		}

		res, err := f.svc.Login(ctx, f.memb.Email, pw)
		if err != nil || !res.NeedSecondFactor {
			t.Fatalf("login with TOTP enabled: %+v, %v", res, err)
		}
		pend, err := f.svc.Authenticate(ctx, res.Secret)
		if err != nil || pend.Session.MFAPassed {
			t.Fatalf("pending session: %+v %v", pend.Session, err)
		}
		if _, err := f.svc.SecondFactor(ctx, res.Secret, "123456"); !verbund.IsKind(err, verbund.Unauthenticated) {
			t.Fatalf("wrong code: %v", err)
		}
		f.clk.Add(30 * time.Second)
		code, _ = totp.GenerateCode(enr.Secret, f.clk.Now())
		done, err := f.svc.SecondFactor(ctx, res.Secret, code[:3]+" "+code[3:])
		if err != nil {
			t.Fatalf("right code (typed with a space): %v", err)
		}
		if done.Secret == res.Secret {
			t.Error("the session secret must change when the second factor is given")
		}
		if _, err := f.svc.Authenticate(ctx, res.Secret); err == nil {
			t.Error("the pre-second-factor secret still works")
		}
		full, err := f.svc.Authenticate(ctx, done.Secret)
		if err != nil || !full.Session.MFAPassed {
			t.Fatalf("after second factor: %+v %v", full.Session, err)
		}

		// The same code cannot be used twice, not even within its window.
		res, err = f.svc.Login(ctx, f.memb.Email, pw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SecondFactor(ctx, res.Secret, code); verbund.ErrorMessage(err) != "this code was used already; wait for the next code of your app" {
			t.Fatalf("replayed code: %v", err)
		}
		f.clk.Add(30 * time.Second)
		next, _ := totp.GenerateCode(enr.Secret, f.clk.Now())
		if _, err := f.svc.SecondFactor(ctx, res.Secret, next); err != nil {
			t.Fatalf("the next step's code: %v", err)
		}

		// A recovery code works once.
		for i, want := range []bool{true, false} {
			res, err := f.svc.Login(ctx, f.memb.Email, pw)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.SecondFactor(ctx, res.Secret, strings.ToUpper(codes[0]))
			if (err == nil) != want {
				t.Fatalf("recovery code use %d: err = %v", i+1, err)
			}
		}
		left, err := f.svc.RecoveryCodesLeft(ctx, f.principal(t, f.memb))
		if err != nil || left != identity.RecoveryCodeCount-1 {
			t.Errorf("recovery codes left = %d, %v", left, err)
		}

		// With the office requiring a second factor it cannot be removed.
		if err := f.svc.SetRequire2FA(ctx, f.principal(t, f.memb), true); !verbund.IsKind(err, verbund.Forbidden) {
			t.Fatalf("a member changed the security settings: %v", err)
		}
		if err := f.svc.SetRequire2FA(ctx, f.principal(t, f.officeAdmin), true); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DisableTOTP(ctx, f.principal(t, f.memb), pw); !verbund.IsKind(err, verbund.Forbidden) {
			t.Fatalf("removed a required second factor: %v", err)
		}
		if err := f.svc.SetRequire2FA(ctx, f.principal(t, f.officeAdmin), false); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DisableTOTP(ctx, f.principal(t, f.memb), "wrong password!!"); !verbund.IsKind(err, verbund.Invalid) {
			t.Fatalf("disabled with a wrong password: %v", err)
		}
		if err := f.svc.DisableTOTP(ctx, f.principal(t, f.memb), pw); err != nil {
			t.Fatal(err)
		}
		res, _ = f.svc.Login(ctx, f.memb.Email, pw)
		if res.NeedSecondFactor {
			t.Error("second factor still asked for after removal")
		}
	})
}

func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := withIP(t.Context(), "192.0.2.30")
		old, err := f.svc.Login(ctx, f.memb.Email, pw)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RequestPasswordReset(ctx, "nobody@nowhere.example"); err != nil {
			t.Fatalf("unknown address must get the same answer: %v", err)
		}
		if err := f.svc.RequestPasswordReset(ctx, "MEMBER@sw.example"); err != nil {
			t.Fatal(err)
		}
		msgs, err := db.ListMail(ctx, mail.Filter{To: "member@sw.example"})
		if err != nil {
			t.Fatal(err)
		}
		// The welcome mail was not sent (the user had a password); the reset mail was.
		if len(msgs) != 1 || msgs[0].Status != mail.Held {
			t.Fatalf("outbox = %+v", msgs)
		}
		_, link, ok := strings.Cut(msgs[0].Text, "https://verbund.example/reset/")
		if !ok {
			t.Fatalf("no reset link in %q", msgs[0].Text)
		}
		secret := strings.Fields(strings.Trim(link, " |"))[0]

		if err := f.svc.ResetPassword(ctx, secret, "short"); !verbund.IsKind(err, verbund.Invalid) {
			t.Fatalf("short password accepted: %v", err)
		}
		const next = "a new and longer passphrase"
		if err := f.svc.ResetPassword(ctx, secret, next); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(ctx, old.Secret); err == nil {
			t.Error("a session from before the reset still works")
		}
		if _, err := f.svc.Login(ctx, f.memb.Email, pw); err == nil {
			t.Error("the old password still works")
		}
		if _, err := f.svc.Login(ctx, f.memb.Email, next); err != nil {
			t.Errorf("the new password does not work: %v", err)
		}
		if err := f.svc.ResetPassword(ctx, secret, "yet another passphrase"); verbund.ErrorCode(err) != "reset-link-invalid" {
			t.Errorf("a used link worked again: %v", err)
		}

		// An expired link does not work.
		_ = f.svc.RequestPasswordReset(ctx, f.admin.Email)
		msgs, _ = db.ListMail(ctx, mail.Filter{To: f.admin.Email})
		_, link, _ = strings.Cut(msgs[0].Text, "/reset/")
		f.clk.Add(61 * time.Minute)
		if err := f.svc.ResetPassword(ctx, strings.Fields(strings.Trim(link, " |"))[0], next); verbund.ErrorCode(err) != "reset-link-invalid" {
			t.Errorf("an expired link worked: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		admin := f.principal(t, f.admin)

		if _, _, err := f.svc.CreateToken(ctx, f.principal(t, f.memb), identity.NewToken{OrgID: f.org.ID, Name: "x", Scopes: []identity.Scope{identity.ScopeIntelRead}}); !verbund.IsKind(err, verbund.Forbidden) {
			t.Fatalf("a member created a token: %v", err)
		}
		if _, _, err := f.svc.CreateToken(ctx, admin, identity.NewToken{OrgID: f.office.ID, Name: "x", Scopes: []identity.Scope{identity.ScopeIntelRead}}); !verbund.IsKind(err, verbund.Forbidden) {
			t.Fatalf("an org admin created a token for another organisation: %v", err)
		}
		_, _, err := f.svc.CreateToken(ctx, admin, identity.NewToken{OrgID: f.org.ID, Name: " ", Scopes: []identity.Scope{"root"}, ExpiresAt: f.clk.Now().Add(-time.Hour)})
		fields := verbund.ErrorFields(err)
		if fields["name"] == "" || fields["scopes"] == "" || fields["expires_at"] == "" {
			t.Fatalf("bad token input: %v", err)
		}

		secret, tok, err := f.svc.CreateToken(ctx, admin, identity.NewToken{OrgID: f.org.ID, Name: "SIEM",
			Scopes: []identity.Scope{identity.ScopeIntelRead, identity.ScopeProfileRead, identity.ScopeIntelRead}, ExpiresAt: f.clk.Now().Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if len(tok.Scopes) != 2 || !strings.HasPrefix(secret, "vbd_"+tok.Prefix+"_") {
			t.Fatalf("token %+v, secret %q", tok, secret)
		}
		stored, _ := db.Token(ctx, tok.ID)
		if strings.Contains(string(stored.Hash), secret) || len(stored.Hash) != 32 {
			t.Fatal("the token secret must be stored only as its SHA-256")
		}
		p, err := f.svc.AuthenticateToken(ctx, secret)
		if err != nil || p.Org.ID != f.org.ID || !p.HasScope(identity.ScopeIntelRead) || p.HasScope(identity.ScopeIntelWrite) {
			t.Fatalf("AuthenticateToken: %+v, %v", p, err)
		}
		for _, c := range []struct{ token, code string }{
			{"not-a-token", "token-malformed"},
			{secret[:len(secret)-1] + "x", "token-unknown"},
			{"vbd_0123456789_" + strings.Repeat("a", 43), "token-unknown"},
		} {
			if _, err := f.svc.AuthenticateToken(ctx, c.token); verbund.ErrorCode(err) != c.code {
				t.Errorf("token %q: %v, want %s", c.token, err, c.code)
			}
		}
		f.clk.Add(49 * time.Hour)
		if _, err := f.svc.AuthenticateToken(ctx, secret); verbund.ErrorCode(err) != "token-expired" {
			t.Errorf("expired token: %v", err)
		}

		secret2, tok2, _ := f.svc.CreateToken(ctx, admin, identity.NewToken{OrgID: f.org.ID, Name: "TAXII", Scopes: []identity.Scope{identity.ScopeIntelRead}})
		if err := f.svc.RevokeToken(ctx, f.principal(t, f.memb), tok2.ID); err == nil {
			t.Fatal("a member revoked a token")
		}
		if err := f.svc.RevokeToken(ctx, admin, tok2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateToken(ctx, secret2); verbund.ErrorCode(err) != "token-revoked" {
			t.Errorf("revoked token: %v", err)
		}
		entries, _ := db.ListAudit(ctx, audit.Filter{Action: "token.", Limit: 100})
		count := map[string]int{}
		for _, e := range entries {
			count[e.Action+" "+string(e.Outcome)]++
		}
		want := map[string]int{"token.create success": 2, "token.revoke success": 1, "token.create denied": 2, "token.revoke denied": 1}
		for k, n := range want {
			if count[k] != n {
				t.Errorf("audit %q: %d entries, want %d (all: %v)", k, count[k], n, count)
			}
		}
	})
}

func TestRolesAndUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		admin := f.principal(t, f.admin)

		_, err := f.svc.CreateUser(ctx, admin, identity.NewUser{OrgID: f.org.ID, Email: "x@sw.example", Name: "X", Roles: []identity.Role{identity.RoleAnalyst}})
		if verbund.ErrorFields(err)["roles"] == "" {
			t.Fatalf("an office role given to a member organisation's user: %v", err)
		}
		_, err = f.svc.CreateUser(ctx, admin, identity.NewUser{OrgID: f.org.ID, Email: "MEMBER@sw.example", Name: "Dup", Roles: []identity.Role{identity.RoleOrgMember}})
		wantKind(t, err, verbund.Conflict)
		u, err := f.svc.CreateUser(ctx, admin, identity.NewUser{OrgID: f.org.ID, Email: "new@sw.example", Name: "New", Lang: "nl", Roles: []identity.Role{identity.RoleOrgMember}})
		if err != nil {
			t.Fatal(err)
		}
		welcome, _ := db.ListMail(ctx, mail.Filter{To: "new@sw.example"})
		if len(welcome) != 1 || !strings.HasPrefix(welcome[0].Subject, "nl | mail.welcome.subject") {
			t.Fatalf("welcome mail = %+v", welcome)
		}

		if err := f.svc.SetRoles(ctx, admin, u.ID, []identity.Role{identity.RoleOrgAdmin}); err != nil {
			t.Fatal(err)
		}
		// The last admin cannot drop the role, but can once another admin exists.
		if err := f.svc.SetRoles(ctx, f.principal(t, f.officeAdmin), f.officeAdmin.ID, []identity.Role{identity.RoleAnalyst}); !verbund.IsKind(err, verbund.Conflict) {
			t.Fatalf("the last office admin dropped the role: %v", err)
		}
		if err := f.svc.SetRoles(ctx, admin, f.admin.ID, []identity.Role{identity.RoleOrgMember}); err != nil {
			t.Fatalf("dropping admin while another admin exists: %v", err)
		}
		if err := f.svc.SetDisabled(ctx, f.principal(t, u), u.ID, true); !verbund.IsKind(err, verbund.Conflict) {
			t.Fatalf("the last org admin disabled itself: %v", err)
		}

		// Disabling ends sessions at once.
		res, err := f.svc.Login(ctx, f.memb.Email, pw)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetDisabled(ctx, f.principal(t, u), f.memb.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(ctx, res.Secret); err == nil {
			t.Error("a disabled user's session still works")
		}
		if _, err := f.svc.Login(ctx, f.memb.Email, pw); verbund.ErrorCode(err) != "account-disabled" {
			t.Errorf("disabled user login: %v", err)
		}

		// An org admin of one organisation cannot touch another's users.
		other, _ := f.svc.CreateOrganisation(ctx, identity.SystemPrincipal(), identity.NewOrganisation{Name: "Other", Country: "NL"})
		if _, err := f.svc.Users(ctx, f.principal(t, u), other.ID); !verbund.IsKind(err, verbund.Forbidden) {
			t.Errorf("listed another organisation's users: %v", err)
		}
		roleChanges, _ := db.ListAudit(ctx, audit.Filter{Action: "user.roles"})
		if len(roleChanges) != 2 || !strings.Contains(roleChanges[0].Reason, "from org-admin to org-member") {
			t.Errorf("role changes audited as %+v", roleChanges)
		}
	})
}

func TestTerminatedOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := t.Context()
		secret, _, err := f.svc.CreateToken(ctx, f.principal(t, f.admin), identity.NewToken{OrgID: f.org.ID, Name: "t", Scopes: []identity.Scope{identity.ScopeProfileRead}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.svc.Login(ctx, f.memb.Email, pw)
		if err != nil {
			t.Fatal(err)
		}
		org := f.org
		org.Status = identity.StatusTerminated
		if err := db.Identity().Update(ctx, func(tx identity.Tx) error { return tx.UpdateOrganisation(ctx, org) }); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateToken(ctx, secret); verbund.ErrorCode(err) != "org-terminated" {
			t.Errorf("token of a terminated organisation: %v", err)
		}
		if _, err := f.svc.Authenticate(ctx, res.Secret); err == nil {
			t.Error("session of a terminated organisation still works")
		}
		if _, err := f.svc.Login(ctx, f.memb.Email, pw); verbund.ErrorCode(err) != "org-terminated" {
			t.Errorf("login of a terminated organisation: %v", err)
		}
	})
}
