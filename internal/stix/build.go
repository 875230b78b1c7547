package stix

import (
	"strings"

	"github.com/verbund/verbund"
)

// IndicatorKinds are the kinds of value IndicatorPattern builds a pattern
// for, in the order a form offers them.
var IndicatorKinds = []string{"ipv4", "ipv6", "cidr", "domain", "url", "md5", "sha1", "sha256", "email"}

// IndicatorPattern builds the STIX pattern that matches one value a person
// typed, of one of IndicatorKinds: "[ipv4-addr:value = '198.51.100.7']",
// "[file:hashes.'SHA-256' = '…']". The value is validated for its kind and
// normalised as NormaliseObservable does; quotes and backslashes in it are
// escaped as STIX patterning requires (section 9.4.1). The pattern is
// parsed before it is returned, so it is always one ParsePattern accepts,
// and its only observable is the one returned.
//
// The error is a *verbund.Error of kind Invalid with the problem under
// "kind" or "value".
func IndicatorPattern(kind, value string) (string, Observable, error) {
	k := strings.ToLower(strings.TrimSpace(kind))
	norm := map[string]string{"ipv4": "ipv4", "ipv6": "ipv6", "cidr": "cidr", "domain": "domain", "url": URL,
		"md5": "md5", "sha1": "sha1", "sha256": "sha256", "email": "email"}[k]
	if norm == "" {
		return "", Observable{}, buildError("kind", "must be one of "+strings.Join(IndicatorKinds, ", "))
	}
	if k == "cidr" && !strings.Contains(value, "/") {
		return "", Observable{}, buildError("value", "is not a CIDR block such as 198.51.100.0/24")
	}
	o, err := NormaliseObservable(norm, value)
	if err != nil {
		return "", Observable{}, err
	}
	if k == "cidr" && !strings.Contains(o.Value, "/") {
		return "", Observable{}, buildError("value", "is a single address, not a CIDR block: choose IPv4 or IPv6")
	}
	var b strings.Builder
	b.WriteByte('[')
	if alg, ok := strings.CutPrefix(o.Type, "file:hashes."); ok {
		b.WriteString("file:hashes.")
		if bareKey(alg) {
			b.WriteString(alg)
		} else {
			writeQuoted(&b, alg)
		}
	} else {
		b.WriteString(o.Type + ":value")
	}
	b.WriteString(" = ")
	writeQuoted(&b, o.Value)
	b.WriteByte(']')
	pattern := b.String()
	p, err := ParsePattern(pattern)
	if err != nil {
		return "", Observable{}, buildError("value", "cannot be written as a STIX pattern: "+err.Error())
	}
	if obs := p.Observables(); len(obs) != 1 || obs[0] != o {
		return "", Observable{}, buildError("value", "cannot be written as a STIX pattern")
	}
	return pattern, o, nil
}

func buildError(field, msg string) error {
	return &verbund.Error{Op: "stix.IndicatorPattern", Kind: verbund.Invalid,
		Msg: "the value is not a valid observable", Fields: map[string]string{field: msg}}
}
