package membership_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/verbund/verbund/internal/membership"
)

func TestNormaliseWebsite(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"example.org", "https://example.org", true},
		{" https://Example.ORG/ ", "https://example.org", true},
		{"HTTP://www.example.org/About?x=1", "http://www.example.org/About?x=1", true},
		{"example.org:8443/path", "https://example.org:8443/path", true},
		{"xn--mnchen-3ya.de", "https://xn--mnchen-3ya.de", true},
		{"", "", false},
		{"localhost", "", false},
		{"javascript:alert(1)", "", false},
		{"ftp://example.org", "", false},
		{"https://user:pw@example.org", "", false},
		{"https://example.org/#top", "", false},
		{"https://exa mple.org", "", false},
		{"https://-bad-.org", "", false},
		{"https://example.org:99999", "", false},
		{"https://example.org:", "", false},
		{"https://münchen.de", "", false},
		{"https://" + strings.Repeat("a", 600) + ".org", "", false},
	} {
		got, ok := membership.NormaliseWebsite(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormaliseWebsite(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzNormaliseWebsite(f *testing.F) {
	for _, s := range []string{"example.org", "https://Example.org/a b", "http://x.y:80/%41?q=%zz", "https://a.b/c;d", "a.b/?", "a.b/%2F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, ok := membership.NormaliseWebsite(s)
		if !ok {
			return
		}
		u, err := url.Parse(out)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Fragment != "" || u.Host == "" {
			t.Fatalf("NormaliseWebsite(%q) = %q: not an http(s) address without user or fragment", s, out)
		}
		if again, ok := membership.NormaliseWebsite(out); !ok || again != out {
			t.Fatalf("NormaliseWebsite(%q) = %q, %v; want it to normalise to itself", out, again, ok)
		}
		if len(out) > membership.MaxURLLen || strings.ContainsAny(out, " <>\"") {
			t.Fatalf("NormaliseWebsite(%q) = %q: too long or with characters unsafe in markup", s, out)
		}
	})
}
