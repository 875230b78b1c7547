package stix

import (
	"strings"
	"testing"

	"github.com/verbund/verbund"
)

func TestIndicatorPattern(t *testing.T) {
	for _, tc := range []struct {
		kind, value, want string
	}{
		{"ipv4", " 203.0.113.45 ", "[ipv4-addr:value = '203.0.113.45']"},
		{"ipv6", "2001:DB8::1", "[ipv6-addr:value = '2001:db8::1']"},
		{"cidr", "198.51.100.77/24", "[ipv4-addr:value = '198.51.100.0/24']"},
		{"cidr", "2001:db8::/32", "[ipv6-addr:value = '2001:db8::/32']"},
		{"domain", "Login.Example.ORG.", "[domain-name:value = 'login.example.org']"},
		{"url", "HTTP://Evil.Example/x?q=it's\\", `[url:value = 'http://evil.example/x?q=it\'s\\']`},
		{"md5", "D41D8CD98F00B204E9800998ECF8427E", "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']"},
		{"sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"},
		{"sha256", strings.Repeat("ab", 32), "[file:hashes.'SHA-256' = '" + strings.Repeat("ab", 32) + "']"},
		{"email", "o'brien@Example.COM", `[email-addr:value = 'o\'brien@example.com']`},
	} {
		got, o, err := IndicatorPattern(tc.kind, tc.value)
		if err != nil || got != tc.want {
			t.Errorf("IndicatorPattern(%q, %q) = %s, %v; want %s", tc.kind, tc.value, got, err, tc.want)
			continue
		}
		p, err := ParsePattern(got)
		if err != nil {
			t.Errorf("%s does not parse: %v", got, err)
			continue
		}
		if obs := p.Observables(); len(obs) != 1 || obs[0] != o {
			t.Errorf("%s compares %v, want only %v", got, obs, o)
		}
	}
}

func TestIndicatorPatternRefusesWhatDoesNotFit(t *testing.T) {
	for _, tc := range []struct{ kind, value, field string }{
		{"ipv4", "2001:db8::1", "value"},
		{"ipv4", "not an address", "value"},
		{"cidr", "198.51.100.7", "value"},
		{"cidr", "198.51.100.7/32", "value"},
		{"domain", "exa mple.org", "value"},
		{"url", "example.org/path", "value"},
		{"md5", strings.Repeat("a", 40), "value"},
		{"sha256", strings.Repeat("g", 64), "value"},
		{"email", "nobody", "value"},
		{"registry", "x", "kind"},
		{"ipv4", "", "value"},
	} {
		_, _, err := IndicatorPattern(tc.kind, tc.value)
		if !verbund.IsKind(err, verbund.Invalid) || verbund.ErrorFields(err)[tc.field] == "" {
			t.Errorf("IndicatorPattern(%q, %q) = %v; want a problem with %s", tc.kind, tc.value, err, tc.field)
		}
	}
}

// Whatever is typed, the builder answers with a pattern that parses and
// compares exactly the value, or with a problem of the input.
func FuzzIndicatorPattern(f *testing.F) {
	for _, k := range IndicatorKinds {
		f.Add(k, "203.0.113.45")
		f.Add(k, "http://a.example/'\\")
	}
	f.Add("email", "a'b@example.org")
	f.Add("cidr", "2001:db8::/48")
	f.Fuzz(func(t *testing.T, kind, value string) {
		pattern, o, err := IndicatorPattern(kind, value)
		if err != nil {
			if !verbund.IsKind(err, verbund.Invalid) || len(verbund.ErrorFields(err)) == 0 {
				t.Fatalf("error %v is not a field problem", err)
			}
			return
		}
		p, err := ParsePattern(pattern)
		if err != nil {
			t.Fatalf("%q does not parse: %v", pattern, err)
		}
		if obs := p.Observables(); len(obs) != 1 || obs[0] != o {
			t.Fatalf("%q compares %v, want %v", pattern, obs, o)
		}
	})
}
