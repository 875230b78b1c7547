package stix

import (
	"reflect"
	"strings"
	"testing"

	"github.com/verbund/verbund"
)

// normaliseCases: kind and input, and the observable expected ("" type for
// an error).
var normaliseCases = []struct {
	kind, in  string
	typ, want string
}{
	{"ip", " 198.51.100.7 ", IPv4Addr, "198.51.100.7"},
	{"ip", "198.51.100.7/32", IPv4Addr, "198.51.100.7"},
	{"ip", "198.51.100.7/24", IPv4Addr, "198.51.100.0/24"},
	{"cidr", "10.1.2.3/8", IPv4Addr, "10.0.0.0/8"},
	{"ip", "2001:0DB8:dead:beef:dead:beef:dead:0001", IPv6Addr, "2001:db8:dead:beef:dead:beef:dead:1"},
	{"ip", "2001:db8::1/128", IPv6Addr, "2001:db8::1"},
	{"ip", "2001:db8::1/32", IPv6Addr, "2001:db8::/32"},
	{"ipv4-addr", "2001:db8::1", "", ""},
	{"ipv6-addr", "192.0.2.1", "", ""},
	{"ip", "fe80::1%eth0", "", ""},
	{"ip", "192.0.2.256", "", ""},
	{"ip", "010.0.0.1", "", ""},
	{"ip", "192.0.2.0/33", "", ""},
	{"domain", "Example.COM.", DomainName, "example.com"},
	{"domain", "_dmarc.example.org", DomainName, "_dmarc.example.org"},
	{"domain-name", "bücher.example", DomainName, "bücher.example"},
	{"domain", "exa mple.com", "", ""},
	{"domain", "a..b", "", ""},
	{"domain", strings.Repeat("a", 64) + ".com", "", ""},
	{"domain", "192.0.2.1", "", ""},
	{"domain", "300.1.2.3", "", ""},
	{"", "300.1.2.3", "", ""},
	{"domain", "host.123", "", ""},
	{"domain", "123.example", DomainName, "123.example"},
	{"url", " HTTPS://Example.COM/Path?q=A ", URL, "https://example.com/Path?q=A"},
	{"url", "example.com/path", "", ""},
	{"url", "http://", "", ""},
	{"email", "Alice@Example.COM", EmailAddr, "Alice@example.com"},
	{"email-addr", "a@b", EmailAddr, "a@b"},
	{"email", "@example.com", "", ""},
	{"email", "Alice <alice@example.com>", "", ""},
	{"email", "alice@exa mple.com", "", ""},
	{"hash", "D41D8CD98F00B204E9800998ECF8427E", FileHashMD5, "d41d8cd98f00b204e9800998ecf8427e"},
	{"hash", "da39a3ee5e6b4b0d3255bfef95601890afd80709", FileHashSHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	{"hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", FileHashSHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"hash", strings.Repeat("cf83e135", 16), FileHashSHA512, strings.Repeat("cf83e135", 16)},
	{"hash", "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C", FileHashSSDEEP, "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"},
	{"hash", "T1" + strings.Repeat("A1", 35), FileHashTLSH, strings.Repeat("a1", 35)},
	{"hash", "abc", "", ""},
	{"hash", strings.Repeat("g", 32), "", ""},
	{"sha256", strings.Repeat("AB", 32), FileHashSHA256, strings.Repeat("ab", 32)},
	{"SHA3-256", strings.Repeat("ab", 32), FileHashSHA3256, strings.Repeat("ab", 32)},
	{"file:hashes.SHA-1", strings.Repeat("ab", 20), FileHashSHA1, strings.Repeat("ab", 20)},
	{"md5", strings.Repeat("ab", 20), "", ""},
	{"", "198.51.100.7", IPv4Addr, "198.51.100.7"},
	{"", "10.0.0.0/8", IPv4Addr, "10.0.0.0/8"},
	{"", "::1", IPv6Addr, "::1"},
	{"", "www.Example.com", DomainName, "www.example.com"},
	{"", "https://example.com/x", URL, "https://example.com/x"},
	{"", "mallory@example.net", EmailAddr, "mallory@example.net"},
	{"", "d41d8cd98f00b204e9800998ecf8427e", FileHashMD5, "d41d8cd98f00b204e9800998ecf8427e"},
	{"", "deadbeef", "", ""},
	{"", "hello", "", ""},
	{"", "   ", "", ""},
	{"printer", "x", "", ""},
}

func TestNormaliseObservable(t *testing.T) {
	for _, tc := range normaliseCases {
		got, err := NormaliseObservable(tc.kind, tc.in)
		if tc.typ == "" {
			if err == nil {
				t.Errorf("NormaliseObservable(%q, %q) = %+v, want an error", tc.kind, tc.in, got)
			} else if !verbund.IsKind(err, verbund.Invalid) || len(verbund.ErrorFields(err)) != 1 {
				t.Errorf("NormaliseObservable(%q, %q): error %v is not Invalid with one field", tc.kind, tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("NormaliseObservable(%q, %q): %v", tc.kind, tc.in, err)
			continue
		}
		if want := (Observable{tc.typ, tc.want}); got != want {
			t.Errorf("NormaliseObservable(%q, %q) = %+v, want %+v", tc.kind, tc.in, got, want)
		}
	}
}

func TestHashAlgorithm(t *testing.T) {
	for in, want := range map[string]string{
		"md5": "MD5", "SHA1": "SHA-1", "sha-1": "SHA-1", "SHA_256": "SHA-256", "sha256": "SHA-256",
		"SHA-512": "SHA-512", "sha3-256": "SHA3-256", "SHA3_512": "SHA3-512", "ssdeep": "SSDEEP", "TLSH": "TLSH",
	} {
		if got, ok := HashAlgorithm(in); !ok || got != want {
			t.Errorf("HashAlgorithm(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := HashAlgorithm("CRC32"); ok {
		t.Error("CRC32 is not a STIX hash algorithm")
	}
}

func TestPatternObservables(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	tests := []struct {
		pattern string
		want    []Observable
	}{
		{`[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.0/24' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY [domain-name:value = 'Example.com']`,
			[]Observable{{IPv4Addr, "198.51.100.1"}, {IPv4Addr, "203.0.113.0/24"}, {IPv6Addr, "2001:db8:dead:beef:dead:beef:dead:1"}, {DomainName, "example.com"}}},
		{`[file:hashes.'SHA-256' = '` + strings.ToUpper(sha) + `' OR file:hashes.sha256 = '` + sha + `' OR file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E']`,
			[]Observable{{FileHashSHA256, sha}, {FileHashMD5, "d41d8cd98f00b204e9800998ecf8427e"}}},
		{`[url:value IN ('http://Evil.example/a', 'https://evil.example/b')]`,
			[]Observable{{URL, "http://evil.example/a"}, {URL, "https://evil.example/b"}}},
		{`[email-message:from_ref.value = 'ceo@Example.com' AND email-message:to_refs[*].value = 'x@example.org'] OR [email-addr:value = 'y@example.net']`,
			[]Observable{{EmailAddr, "ceo@example.com"}, {EmailAddr, "x@example.org"}, {EmailAddr, "y@example.net"}}},
		{`[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33']`,
			[]Observable{{IPv4Addr, "203.0.113.33"}}},
		// Not usable: negations, other operators, wrong types, garbage values.
		{`[ipv4-addr:value != '198.51.100.1' AND ipv4-addr:value NOT = '198.51.100.2']`, nil},
		{`[ipv4-addr:value ISSUBSET '198.51.100.0/24' OR domain-name:value LIKE '%.example']`, nil},
		{`[ipv4-addr:value NOT IN ('198.51.100.1')]`, nil},
		{`[ipv4-addr:value = '2001:db8::1' OR ipv6-addr:value = '198.51.100.1' OR ipv4-addr:value = 'nonsense']`, nil},
		{`[file:hashes.MD5 = 'abc' OR file:hashes.CRC32 = 'abcdabcd' OR file:name = 'x.exe']`, nil},
		{`[domain-name:value = 'a.example'] AND [domain-name:value = 'A.example.']`, []Observable{{DomainName, "a.example"}}},
	}
	for _, tc := range tests {
		p, err := ParsePattern(tc.pattern)
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tc.pattern, err)
			continue
		}
		if got := p.Observables(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Observables of %s\n got  %v\n want %v", tc.pattern, got, tc.want)
		}
	}
}
