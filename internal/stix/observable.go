package stix

import (
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/verbund/verbund"
)

// Observable is a value that can be looked up: its Type is the STIX object
// type ("ipv4-addr", "domain-name", …) or, for a file hash, the object path
// "file:hashes.SHA-256"; its Value is normalised so that equal things compare
// equal.
type Observable struct {
	Type  string
	Value string
}

// The types of observables.
const (
	IPv4Addr   = "ipv4-addr"   // an address, or a CIDR block, as 198.51.100.0/24
	IPv6Addr   = "ipv6-addr"   // in RFC 5952 form, or a CIDR block
	DomainName = "domain-name" // lower case, without a trailing dot
	URL        = "url"         // with lower-case scheme and host
	EmailAddr  = "email-addr"  // with lower-case domain

	FileHashMD5     = "file:hashes.MD5"
	FileHashSHA1    = "file:hashes.SHA-1"
	FileHashSHA256  = "file:hashes.SHA-256"
	FileHashSHA512  = "file:hashes.SHA-512"
	FileHashSHA3256 = "file:hashes.SHA3-256"
	FileHashSHA3512 = "file:hashes.SHA3-512"
	FileHashSSDEEP  = "file:hashes.SSDEEP"
	FileHashTLSH    = "file:hashes.TLSH"
)

// hashAlgorithms maps an algorithm name with case, hyphens and underscores
// removed to its name in the STIX hash-algorithm-ov vocabulary.
var hashAlgorithms = map[string]string{
	"MD5": "MD5", "SHA1": "SHA-1", "SHA256": "SHA-256", "SHA512": "SHA-512",
	"SHA3256": "SHA3-256", "SHA3512": "SHA3-512", "SSDEEP": "SSDEEP", "TLSH": "TLSH",
}

// HashAlgorithm returns the STIX vocabulary name of a hash algorithm written
// any common way: "sha256", "SHA_256" and "SHA-256" are all "SHA-256".
func HashAlgorithm(name string) (string, bool) {
	key := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(name)))
	alg, ok := hashAlgorithms[key]
	return alg, ok
}

// hexLengths are the lengths, in hex digits, of the fixed-size algorithms.
var hexLengths = map[string]int{"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-512": 128, "SHA3-256": 64, "SHA3-512": 128}

// NormaliseObservable reads a value a person typed, of the given kind:
// "ip" (IPv4 or IPv6 address or CIDR block), "ipv4-addr", "ipv6-addr",
// "cidr", "domain" or "domain-name", "url", "email" or "email-addr", "hash"
// (the algorithm detected from length and characters), a hash algorithm
// ("sha256", "SHA-1", …), or "" to detect the kind. Surrounding space is
// ignored. A 64-digit hash is taken for SHA-256 and a 128-digit one for
// SHA-512, not their SHA3 namesakes, unless the kind names SHA3. The error
// is a *verbund.Error of kind Invalid with the problem under "value" (or
// "kind").
func NormaliseObservable(kind, value string) (Observable, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return Observable{}, invalidObservable("value", "is empty")
	}
	if !utf8.ValidString(v) {
		return Observable{}, invalidObservable("value", "is not valid UTF-8")
	}
	k := strings.ToLower(strings.TrimSpace(kind))
	var (
		o   Observable
		msg string
	)
	switch k {
	case "":
		o, msg = detect(v)
	case "ip", "cidr":
		o, msg = normaliseIP(v, "")
	case "ipv4", IPv4Addr:
		o, msg = normaliseIP(v, IPv4Addr)
	case "ipv6", IPv6Addr:
		o, msg = normaliseIP(v, IPv6Addr)
	case "domain", DomainName:
		o, msg = normaliseDomain(v)
	case URL:
		o, msg = normaliseURL(v)
	case "email", EmailAddr:
		o, msg = normaliseEmail(v)
	case "hash":
		o, msg = detectHash(v)
	default:
		alg, ok := HashAlgorithm(strings.TrimPrefix(k, "file:hashes."))
		if !ok {
			return Observable{}, invalidObservable("kind", "must be ip, cidr, domain, url, email, hash or a hash algorithm")
		}
		o, msg = normaliseHash(alg, v)
	}
	if msg != "" {
		return Observable{}, invalidObservable("value", msg)
	}
	return o, nil
}

func invalidObservable(field, msg string) error {
	return &verbund.Error{Op: "stix.NormaliseObservable", Kind: verbund.Invalid,
		Msg: "the value is not a valid observable", Fields: map[string]string{field: msg}}
}

// detect guesses the kind: a URL has a scheme, an e-mail address an @, then
// addresses, hashes and domain names are tried in that order.
func detect(v string) (Observable, string) {
	switch {
	case strings.Contains(v, "://"):
		return normaliseURL(v)
	case strings.Contains(v, "@"):
		return normaliseEmail(v)
	}
	if o, msg := normaliseIP(v, ""); msg == "" {
		return o, ""
	}
	if o, msg := detectHash(v); msg == "" {
		return o, ""
	}
	if strings.Contains(v, ".") {
		if o, msg := normaliseDomain(v); msg == "" {
			return o, ""
		}
	}
	return Observable{}, "is not an IP address, CIDR block, domain name, URL, e-mail address or file hash"
}

// normaliseIP reads an address or CIDR block; want restricts the family. A
// block is masked to its network; a /32 or /128 block is a single address.
func normaliseIP(v, want string) (Observable, string) {
	var prefix netip.Prefix
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return Observable{}, "is not an IP address or CIDR block"
		}
		prefix = p.Masked()
	} else {
		a, err := netip.ParseAddr(v)
		if err != nil || a.Zone() != "" {
			return Observable{}, "is not an IP address"
		}
		prefix = netip.PrefixFrom(a, a.BitLen())
	}
	typ := IPv6Addr
	if prefix.Addr().Is4() {
		typ = IPv4Addr
	}
	if want != "" && typ != want {
		return Observable{}, "is not an " + strings.TrimSuffix(want, "-addr") + " address"
	}
	if prefix.IsSingleIP() {
		return Observable{Type: typ, Value: prefix.Addr().String()}, ""
	}
	return Observable{Type: typ, Value: prefix.String()}, ""
}

// normaliseDomain lower-cases a domain name and drops a trailing dot. Labels
// are 1 to 63 bytes of letters, digits, hyphens, underscores or non-ASCII
// characters (internationalised names are kept as written), at most 253
// bytes in all.
func normaliseDomain(v string) (Observable, string) {
	d := strings.ToLower(strings.TrimSuffix(v, "."))
	if d == "" || len(d) > 253 || !utf8.ValidString(d) {
		return Observable{}, "is not a domain name"
	}
	for _, label := range strings.Split(d, ".") {
		if len(label) == 0 || len(label) > 63 {
			return Observable{}, "is not a domain name: each label must have 1 to 63 characters"
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r >= 0x80 && r != utf8.RuneError) {
				return Observable{}, "is not a domain name: it contains " + string(r)
			}
		}
	}
	if _, err := netip.ParseAddr(d); err == nil {
		return Observable{}, "is an IP address, not a domain name"
	}
	// A top-level domain is never all digits (RFC 3696 section 2), so
	// 300.1.2.3 is a mistyped address, not a host name.
	if tld := d[strings.LastIndexByte(d, '.')+1:]; isDecimal(tld) {
		return Observable{}, "is not a domain name: the last label is a number (a mistyped IP address?)"
	}
	return Observable{Type: DomainName, Value: d}, ""
}

// normaliseURL requires a scheme and a host and lower-cases both; path,
// query and fragment are kept as written.
func normaliseURL(v string) (Observable, string) {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return Observable{}, "is not a URL with a scheme and a host, such as https://example.com/path"
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	return Observable{Type: URL, Value: u.String()}, ""
}

// normaliseEmail checks local-part@domain and lower-cases the domain; the
// local part is case-sensitive (RFC 5321) and kept.
func normaliseEmail(v string) (Observable, string) {
	at := strings.LastIndexByte(v, '@')
	if at <= 0 || at > 64 || strings.ContainsFunc(v[:at], func(r rune) bool { return r <= ' ' || r == 0x7f || r == '<' || r == '>' }) {
		return Observable{}, "is not an e-mail address of the form name@example.com"
	}
	d, msg := normaliseDomain(v[at+1:])
	if msg != "" {
		return Observable{}, "is not an e-mail address: the domain " + strings.TrimPrefix(msg, "is ")
	}
	return Observable{Type: EmailAddr, Value: v[:at+1] + d.Value}, ""
}

// detectHash recognises MD5, SHA-1, SHA-256 and SHA-512 by their number of
// hex digits, TLSH by its 70 hex digits (optionally after "T1"), and SSDEEP
// by its blocksize:hash:hash form.
func detectHash(v string) (Observable, string) {
	if isHex(v) {
		switch len(v) {
		case 32:
			return normaliseHash("MD5", v)
		case 40:
			return normaliseHash("SHA-1", v)
		case 64:
			return normaliseHash("SHA-256", v)
		case 128:
			return normaliseHash("SHA-512", v)
		case 70:
			return normaliseHash("TLSH", v)
		}
	}
	if o, msg := normaliseHash("TLSH", v); msg == "" {
		return o, ""
	}
	if o, msg := normaliseHash("SSDEEP", v); msg == "" {
		return o, ""
	}
	return Observable{}, "is not an MD5, SHA-1, SHA-256, SHA-512, SSDEEP or TLSH hash"
}

// normaliseHash checks a value against its algorithm and lower-cases hex.
func normaliseHash(alg, v string) (Observable, string) {
	typ := "file:hashes." + alg
	switch alg {
	case "SSDEEP":
		parts := strings.Split(v, ":")
		if len(parts) != 3 || !isDecimal(parts[0]) || !isBase64Text(parts[1]) || !isBase64Text(parts[2]) {
			return Observable{}, "is not an SSDEEP hash of the form blocksize:hash:hash"
		}
		return Observable{Type: typ, Value: v}, ""
	case "TLSH":
		h := strings.ToLower(v)
		if len(h) == 72 && strings.HasPrefix(h, "t1") {
			h = h[2:]
		}
		if len(h) != 70 || !isHex(h) {
			return Observable{}, "is not a TLSH hash of 70 hex digits"
		}
		return Observable{Type: typ, Value: h}, ""
	}
	n := hexLengths[alg]
	if len(v) != n || !isHex(v) {
		return Observable{}, "is not a " + alg + " hash: it must be " + itoa(int64(n)) + " hex digits"
	}
	return Observable{Type: typ, Value: strings.ToLower(v)}, ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if hexValue(s[i]) < 0 {
			return false
		}
	}
	return s != ""
}

func isDecimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isBase64Text(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(identPart(c) && c != '_' || c == '+' || c == '/') {
			return false
		}
	}
	return s != ""
}
