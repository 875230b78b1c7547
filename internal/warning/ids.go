package warning

import (
	"net/url"
	"regexp"
	"strings"
)

// cveID is the form of a CVE identifier: the year and a sequence number of
// at least four digits (CVE Numbering Authority rules, since 2014).
var cveID = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)

// ValidCVE reports whether s is a well-formed CVE id such as CVE-2024-3400.
func ValidCVE(s string) bool { return cveID.MatchString(s) }

// cpeAV is one attribute value of a CPE 2.3 formatted string (NISTIR 7695
// section 6.2): unreserved characters and quoted special characters,
// optionally led or ended by the wildcards ? and *, or the logical values *
// and -.
const cpeAV = `(?:(?:\?*|\*?)(?:[a-zA-Z0-9\-._]|\\[\\*?!"#$%&'()+,/:;<=>@\[\]^` + "`" + `{|}~])+(?:\?*|\*?)|[*\-])`

// cpe23 is the whole formatted string: part, vendor, product, version,
// update, edition, language, sw_edition, target_sw, target_hw, other.
var cpe23 = regexp.MustCompile(`^cpe:2\.3:[aho*\-](?::` + cpeAV + `){5}:(?:[a-zA-Z]{2,3}(?:-(?:[a-zA-Z]{2}|[0-9]{3}))?|[*\-])(?::` + cpeAV + `){4}$`)

// ValidCPE returns "" when s is a CPE 2.3 formatted string, else what is
// wrong with it.
func ValidCPE(s string) string {
	switch {
	case !strings.HasPrefix(s, "cpe:2.3:"):
		return "a CPE 2.3 formatted string starts with cpe:2.3 and a colon"
	case strings.Count(s, ":")-strings.Count(s, `\:`) != 12:
		return "a CPE 2.3 name has 13 parts separated by colons (cpe, 2.3, part, vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw, other)"
	case !cpe23.MatchString(s):
		return "the CPE is not a valid CPE 2.3 formatted string (the part is a, o, h, * or -, and special characters are escaped with a backslash)"
	}
	return ""
}

// purlType is the type of a package URL: an ASCII letter, then letters,
// digits, '.', '+' and '-'.
var purlType = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9.+\-]*$`)

// ValidPURL returns "" when s is a package URL (the purl specification:
// pkg:type/namespace/name@version?qualifiers#subpath), else what is wrong.
func ValidPURL(s string) string {
	rest, ok := strings.CutPrefix(s, "pkg:")
	if !ok {
		return "a package URL starts with pkg:"
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return "a package URL contains no spaces (encode them as %20)"
	}
	rest, _, _ = strings.Cut(rest, "#")
	rest, qs, hasQ := strings.Cut(rest, "?")
	rest = strings.TrimLeft(rest, "/")
	typ, path, ok := strings.Cut(rest, "/")
	if !ok || !purlType.MatchString(typ) {
		return "a package URL names its type after pkg and a colon, starting with a letter (pkg:type/name)"
	}
	if at := strings.LastIndex(path, "@"); at >= 0 {
		if at == len(path)-1 {
			return "the version after @ is empty"
		}
		path = path[:at]
	}
	path = strings.Trim(path, "/")
	if path == "" {
		return "a package URL names the package (pkg:type/name)"
	}
	for _, seg := range strings.Split(path, "/") {
		if _, err := url.PathUnescape(seg); err != nil {
			return "a package URL has a broken percent-encoding"
		}
	}
	if hasQ {
		for _, kv := range strings.Split(qs, "&") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" || v == "" {
				return "each qualifier of a package URL is key=value"
			}
		}
	}
	return ""
}
