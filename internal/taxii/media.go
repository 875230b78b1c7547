package taxii

import (
	"mime"
	"strconv"
	"strings"
)

// acceptable reports whether the Accept header values admit
// application/taxii+json;version=2.1: that type without a version or with
// version 2.1, application/* or */*, each with a q above 0. A request
// without Accept header accepts anything (RFC 9110, 12.5.1); TAXII clients
// send one.
func acceptable(values []string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		for _, mr := range strings.Split(v, ",") {
			mr = strings.TrimSpace(mr)
			if mr == "" {
				continue
			}
			typ, params, ok := parseMediaRange(mr)
			if !ok {
				continue
			}
			if q, ok := params["q"]; ok {
				f, err := strconv.ParseFloat(q, 64)
				if err != nil || f <= 0 {
					continue
				}
			}
			switch typ {
			case "*/*", "application/*":
				return true
			case "application/taxii+json":
				if ver, ok := params["version"]; !ok || ver == "2.1" {
					return true
				}
			}
		}
	}
	return false
}

// parseMediaRange splits one media range into its lower-case type and its
// parameters.
func parseMediaRange(s string) (string, map[string]string, bool) {
	typ, params, err := mime.ParseMediaType(s)
	if err != nil {
		// mime refuses "*/*" with parameters in some forms; read it plainly.
		base, rest, _ := strings.Cut(s, ";")
		typ = strings.ToLower(strings.TrimSpace(base))
		if strings.Count(typ, "/") != 1 {
			return "", nil, false
		}
		params = map[string]string{}
		for _, p := range strings.Split(rest, ";") {
			k, v, ok := strings.Cut(p, "=")
			if ok {
				params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"`)
			}
		}
	}
	return typ, params, true
}

// taxiiContent reports whether a Content-Type names a TAXII 2.1 body:
// application/taxii+json with version 2.1 or without a version.
func taxiiContent(ct string) bool {
	typ, params, err := mime.ParseMediaType(ct)
	if err != nil || typ != "application/taxii+json" {
		return false
	}
	ver, ok := params["version"]
	return !ok || ver == "2.1"
}
