package policy

import (
	"strings"

	"github.com/verbund/verbund"
)

// TLP is a Traffic Light Protocol 2.0 level. The levels are ordered from the
// widest (CLEAR) to the narrowest (RED); the zero value is no level at all and
// reaches nobody but the owner, so a marking that was never set denies.
type TLP uint8

// The TLP 2.0 levels, widest first.
const (
	Clear       TLP = iota + 1 // public, also without login
	Green                      // the community
	Amber                      // named recipient organisations, need-to-know inside
	AmberStrict                // named organisations only, no onward sharing
	Red                        // named individual users only
)

var tlpLabels = [...]string{"", "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}

// Valid reports whether t is one of the five levels.
func (t TLP) Valid() bool { return t >= Clear && t <= Red }

// String returns the TLP 2.0 label with its prefix, "TLP:AMBER+STRICT", or
// "TLP:UNKNOWN" for anything else.
func (t TLP) String() string {
	switch t {
	case Clear:
		return "TLP:CLEAR"
	case Green:
		return "TLP:GREEN"
	case Amber:
		return "TLP:AMBER"
	case AmberStrict:
		return "TLP:AMBER+STRICT"
	case Red:
		return "TLP:RED"
	}
	return "TLP:UNKNOWN"
}

// Label returns the label without prefix, "AMBER+STRICT", or "" for an
// invalid level.
func (t TLP) Label() string {
	if !t.Valid() {
		return ""
	}
	return tlpLabels[t]
}

// Narrower reports whether t restricts more than u: RED is narrower than
// AMBER. Invalid levels are neither narrower nor wider than anything.
func (t TLP) Narrower(u TLP) bool { return t.Valid() && u.Valid() && t > u }

// Wider reports whether t reaches more than u: CLEAR is wider than GREEN.
// Invalid levels are neither narrower nor wider than anything.
func (t TLP) Wider(u TLP) bool { return t.Valid() && u.Valid() && t < u }

// ParseTLP reads a TLP 2.0 label. It accepts the label with or without the
// "TLP:" prefix, in any case, with surrounding space: "TLP:AMBER+STRICT",
// "amber+strict", "clear". The TLP 1.0 label WHITE is refused with an error
// that names its successor CLEAR, so that old feeds fail loudly rather than
// being guessed at.
func ParseTLP(s string) (TLP, error) {
	label := strings.TrimSpace(s)
	if len(label) >= 4 && strings.EqualFold(label[:4], "tlp:") {
		label = strings.TrimSpace(label[4:])
	}
	for t := Clear; t <= Red; t++ {
		if strings.EqualFold(label, tlpLabels[t]) {
			return t, nil
		}
	}
	e := &verbund.Error{Op: "policy.ParseTLP", Kind: verbund.Invalid, Code: "tlp-unknown"}
	if strings.EqualFold(label, "WHITE") {
		e.Msg = "TLP:WHITE is a TLP 1.0 label; TLP 2.0 calls it TLP:CLEAR"
	} else {
		e.Msg = "unknown TLP label " + quote(s) + "; use CLEAR, GREEN, AMBER, AMBER+STRICT or RED"
	}
	e.Fields = map[string]string{"tlp": e.Msg}
	return 0, e
}

// MarshalText encodes t as its prefixed label; an invalid level is an error,
// so that a broken marking is never written out as if it were one.
func (t TLP) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, &verbund.Error{Op: "policy.TLP.MarshalText", Kind: verbund.Invalid, Code: "tlp-unknown", Msg: "no TLP level set"}
	}
	return []byte(t.String()), nil
}

// UnmarshalText decodes a label as ParseTLP does.
func (t *TLP) UnmarshalText(b []byte) error {
	v, err := ParseTLP(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// quote shortens and quotes outside input for an error message.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		s = s[:max] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
