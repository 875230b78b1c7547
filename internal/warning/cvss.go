package warning

import (
	"math"
	"strconv"
	"strings"

	"github.com/verbund/verbund"
)

// CVSS is a parsed CVSS v3.1 base vector. The temporal and environmental
// metrics may follow the base metrics in a vector; they are checked for
// form and kept in the vector string, but only the base score is computed.
type CVSS struct {
	Vector                     string // as given, the canonical "CVSS:3.1/AV:…" form
	AV, AC, PR, UI, S, C, I, A byte
}

// cvssMetrics lists the base metrics in the order the specification writes
// them, with their allowed values.
var cvssMetrics = []struct {
	name   string
	values string
}{
	{"AV", "NALP"}, {"AC", "LH"}, {"PR", "NLH"}, {"UI", "NR"}, {"S", "UC"}, {"C", "HLN"}, {"I", "HLN"}, {"A", "HLN"},
}

// cvssOptional lists the temporal and environmental metrics a vector may
// carry after the base metrics (CVSS v3.1 section 6), with their values.
var cvssOptional = map[string][]string{
	"E": {"X", "H", "F", "P", "U"}, "RL": {"X", "U", "W", "T", "O"}, "RC": {"X", "C", "R", "U"},
	"CR": {"X", "H", "M", "L"}, "IR": {"X", "H", "M", "L"}, "AR": {"X", "H", "M", "L"},
	"MAV": {"X", "N", "A", "L", "P"}, "MAC": {"X", "L", "H"}, "MPR": {"X", "N", "L", "H"}, "MUI": {"X", "N", "R"},
	"MS": {"X", "U", "C"}, "MC": {"X", "H", "L", "N"}, "MI": {"X", "H", "L", "N"}, "MA": {"X", "H", "L", "N"},
}

// ParseCVSS reads a CVSS v3.1 vector string such as
// "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H". The eight base metrics
// are required, each once, in the specification's order; the prefix must be
// CVSS:3.1. The error says what is wrong.
func ParseCVSS(s string) (CVSS, error) {
	const op = "warning.ParseCVSS"
	bad := func(msg string) (CVSS, error) {
		return CVSS{}, &verbund.Error{Op: op, Kind: verbund.Invalid, Code: "cvss-invalid", Msg: msg}
	}
	s = strings.TrimSpace(s)
	parts := strings.Split(s, "/")
	if parts[0] != "CVSS:3.1" {
		if strings.HasPrefix(parts[0], "CVSS:") {
			return bad("only CVSS version 3.1 vectors are accepted, starting with CVSS:3.1/")
		}
		return bad("a CVSS vector starts with CVSS:3.1/")
	}
	if len(parts) < 1+len(cvssMetrics) {
		return bad("a CVSS vector needs the eight base metrics AV, AC, PR, UI, S, C, I and A")
	}
	var c CVSS
	vals := [8]*byte{&c.AV, &c.AC, &c.PR, &c.UI, &c.S, &c.C, &c.I, &c.A}
	for i, m := range cvssMetrics {
		name, v, ok := strings.Cut(parts[1+i], ":")
		if !ok || name != m.name {
			return bad("metric " + strconv.Itoa(i+1) + " must be " + m.name + " (the base metrics come in the order AV, AC, PR, UI, S, C, I, A)")
		}
		if len(v) != 1 || !strings.Contains(m.values, v) {
			return bad(m.name + " must be one of " + strings.Join(strings.Split(m.values, ""), ", "))
		}
		*vals[i] = v[0]
	}
	seen := map[string]bool{}
	for _, p := range parts[1+len(cvssMetrics):] {
		name, v, ok := strings.Cut(p, ":")
		allowed, known := cvssOptional[name]
		switch {
		case !ok || !known:
			return bad("unknown metric " + strconv.Quote(p))
		case seen[name]:
			return bad("metric " + name + " is given twice")
		}
		seen[name] = true
		valid := false
		for _, a := range allowed {
			valid = valid || a == v
		}
		if !valid {
			return bad(name + " must be one of " + strings.Join(allowed, ", "))
		}
	}
	c.Vector = s
	return c, nil
}

// BaseScore computes the base score per CVSS v3.1 section 7.1 and its
// Roundup function (Appendix A).
func (c CVSS) BaseScore() float64 {
	weight := func(metric string, v byte) float64 {
		switch metric + string(v) {
		case "AVN":
			return 0.85
		case "AVA":
			return 0.62
		case "AVL":
			return 0.55
		case "AVP":
			return 0.2
		case "ACL":
			return 0.77
		case "ACH":
			return 0.44
		case "UIN":
			return 0.85
		case "UIR":
			return 0.62
		case "CIAH":
			return 0.56
		case "CIAL":
			return 0.22
		}
		return 0
	}
	changed := c.S == 'C'
	var pr float64
	switch c.PR {
	case 'N':
		pr = 0.85
	case 'L':
		pr = 0.62
		if changed {
			pr = 0.68
		}
	case 'H':
		pr = 0.27
		if changed {
			pr = 0.5
		}
	}
	iss := 1 - (1-weight("CIA", c.C))*(1-weight("CIA", c.I))*(1-weight("CIA", c.A))
	var impact float64
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	} else {
		impact = 6.42 * iss
	}
	exploitability := 8.22 * weight("AV", c.AV) * weight("AC", c.AC) * pr * weight("UI", c.UI)
	if impact <= 0 {
		return 0
	}
	if changed {
		return roundup(math.Min(1.08*(impact+exploitability), 10))
	}
	return roundup(math.Min(impact+exploitability, 10))
}

// roundup is the Roundup function of CVSS v3.1 Appendix A: the smallest
// number with one decimal that is equal to or higher than x, computed on
// integers so that floating-point error does not round 4.000000001 up.
func roundup(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return float64(i/10000+1) / 10
}

// Severity returns the qualitative rating of the base score (CVSS v3.1
// section 5).
func (c CVSS) Severity() Severity { return SeverityOfScore(c.BaseScore()) }

// SeverityOfScore maps a CVSS score to its qualitative rating.
func SeverityOfScore(score float64) Severity {
	switch {
	case score == 0:
		return SeverityNone
	case score < 4:
		return SeverityLow
	case score < 7:
		return SeverityMedium
	case score < 9:
		return SeverityHigh
	}
	return SeverityCritical
}
