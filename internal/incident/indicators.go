package incident

import (
	"bufio"
	"strconv"
	"strings"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/stix"
)

// MaxIndicatorLines is the most lines of indicators one report takes; a
// longer list belongs in a STIX bundle.
const MaxIndicatorLines = 1000

// LineError is the problem of one line of indicators.
type LineError struct {
	Line    int // 1-based
	Text    string
	Problem string
}

// ParseIndicators reads indicators a reporter typed or pasted, one per line:
// IP addresses and CIDR blocks, domain names, URLs, e-mail addresses and
// file hashes, their kind detected. Blank lines and lines starting with #
// are skipped; a value repeated is kept once. "defanged" forms that
// analysts write so nobody clicks them (hxxp://, example[.]com, 192.0.2[.]1)
// are read as what they stand for. Every bad line is named with its
// problem, and the good ones are kept.
func ParseIndicators(text string) (obs []stix.Observable, bad []LineError) {
	seen := map[stix.Observable]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if len(obs)+len(bad) >= MaxIndicatorLines {
			bad = append(bad, LineError{Line: n, Text: shorten(line), Problem: "more than " +
				strconv.Itoa(MaxIndicatorLines) + " indicators; send the rest as a STIX bundle"})
			break
		}
		o, err := stix.NormaliseObservable("", refang(line))
		if err != nil {
			bad = append(bad, LineError{Line: n, Text: shorten(line), Problem: problem(err)})
			continue
		}
		if !seen[o] {
			seen[o] = true
			obs = append(obs, o)
		}
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, LineError{Line: n + 1, Problem: "the line is too long"})
	}
	return obs, bad
}

// refang undoes the usual ways of defanging an indicator.
func refang(s string) string {
	r := strings.NewReplacer("[.]", ".", "(.)", ".", "{.}", ".", "[:]", ":", "[@]", "@", "(@)", "@", "[at]", "@")
	s = r.Replace(s)
	lower := strings.ToLower(s)
	for _, p := range []struct{ from, to string }{{"hxxps://", "https://"}, {"hxxp://", "http://"}, {"fxp://", "ftp://"}} {
		if strings.HasPrefix(lower, p.from) {
			return p.to + s[len(p.from):]
		}
	}
	return s
}

func problem(err error) string {
	for _, v := range verbund.ErrorFields(err) {
		return v
	}
	return verbund.ErrorMessage(err)
}

func shorten(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
