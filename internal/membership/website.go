package membership

import (
	"net/url"
	"strconv"
	"strings"
)

// MaxURLLen bounds a website or contribution link.
const MaxURLLen = 500

// NormaliseWebsite reads a web address as people type it ("example.org",
// "https://Example.org/about") and returns it in one form: scheme http or
// https (https when none is given), a lower-case host name with at least one
// dot (internationalised names in their xn-- form), no user information and
// no fragment. ok is false for anything else; the result of a successful
// call normalises to itself.
func NormaliseWebsite(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxURLLen || strings.ContainsFunc(s, notURLChar) {
		return "", false
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil || u.Fragment != "" || strings.Contains(s, "#") {
		return "", false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if !validHost(host) {
		return "", false
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || !allDigits(port) || n < 1 || n > 65535 {
			return "", false
		}
		host += ":" + port
	} else if strings.HasSuffix(u.Host, ":") {
		return "", false
	}
	u.Host = host
	if u.Path == "/" && u.RawQuery == "" {
		u.Path, u.RawPath = "", ""
	}
	out := u.String()
	if len(out) > MaxURLLen {
		return "", false
	}
	return out, true
}

// notURLChar reports whether r may not appear in a URL (RFC 3986: the
// unreserved and reserved characters and "%"). Addresses with other
// characters, such as spaces, quotes, angle brackets or letters beyond
// ASCII, are refused rather than guessed at.
func notURLChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-._~:/?#[]@!$&'()*+,;=%", r)
}

// validHost reports whether h is a DNS name of labels of letters, digits and
// hyphens (or their punycode), with at least two labels.
func validHost(h string) bool {
	if len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
