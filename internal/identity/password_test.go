package identity

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery staple", FastArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC Argon2id string", h)
	}
	if ok, err := VerifyPassword("correct horse battery staple", h); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := VerifyPassword("correct horse battery stable", h); ok {
		t.Fatal("wrong password verified")
	}
	h2, _ := HashPassword("correct horse battery staple", FastArgon2)
	if h == h2 {
		t.Fatal("two hashes of one password must differ (salt)")
	}
	for _, bad := range []string{
		"", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		strings.Replace(h, "m=1024", "m=99999999", 1), // absurd memory must not be honoured
		strings.Replace(h, "t=1", "t=0", 1),
		h[:len(h)-10],
	} {
		if ok, err := VerifyPassword("correct horse battery staple", bad); ok || err == nil {
			t.Errorf("malformed hash %q: ok=%v err=%v", bad, ok, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                        false,
		"elevenchars":                  false,
		"twelve chars":                 true,
		"äöüäöüäöüäöü":                 true, // counted in characters, not bytes
		strings.Repeat("x", 257):       false,
		"correct horse battery staple": true,
	} {
		if got := CheckPasswordPolicy(pw) == ""; got != ok {
			t.Errorf("CheckPasswordPolicy(%q) ok = %v, want %v", pw, got, ok)
		}
	}
}

func TestTokenFormat(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		tok, prefix := newTokenString()
		p, ok := ParseToken(tok)
		if !ok || p != prefix {
			t.Fatalf("ParseToken(%q) = %q, %v; want %q", tok, p, ok, prefix)
		}
		if seen[prefix] {
			t.Fatalf("prefix %q repeated", prefix)
		}
		seen[prefix] = true
	}
	for _, bad := range []string{"", "vbd_", "vbd_short_x", "Bearer vbd_0123456789_" + strings.Repeat("a", 43), "xyz_0123456789_" + strings.Repeat("a", 43)} {
		if _, ok := ParseToken(bad); ok {
			t.Errorf("ParseToken(%q) accepted", bad)
		}
	}
}

func TestRecoveryCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 500 {
		c := recoveryCode()
		if len(c) != 14 || c[4] != '-' || c[9] != '-' {
			t.Fatalf("code %q has the wrong shape", c)
		}
		if strings.ContainsAny(c, "01ilo") {
			t.Fatalf("code %q has a look-alike character", c)
		}
		if seen[c] {
			t.Fatalf("code %q repeated", c)
		}
		seen[c] = true
	}
	if normaliseRecoveryCode(" ABCD-efgh JKMN ") != "abcdefghjkmn" {
		t.Error("typed codes are not normalised")
	}
}

// FuzzParseToken: token strings come from outside (Authorization headers).
func FuzzParseToken(f *testing.F) {
	tok, _ := newTokenString()
	f.Add(tok)
	f.Add("vbd_abc_def")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := ParseToken(s)
		if ok && (len(p) != 10 || !strings.HasPrefix(s, TokenPrefix+p+"_")) {
			t.Fatalf("ParseToken(%q) = %q", s, p)
		}
	})
}

// FuzzVerifyPassword: stored hashes may be damaged; verification must never
// panic or accept.
func FuzzVerifyPassword(f *testing.F) {
	h, _ := HashPassword("pw", FastArgon2)
	f.Add(h)
	f.Add("$argon2id$v=19$m=1,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, s string) {
		if s == h {
			return
		}
		if ok, _ := VerifyPassword("pw", s); ok && !strings.HasPrefix(s, "$argon2id$") {
			t.Fatalf("accepted %q", s)
		}
	})
}
