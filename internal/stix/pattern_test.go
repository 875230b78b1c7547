package stix

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// validPatterns are patterns the grammar and rules of STIX 2.1 section 9
// accept, with their canonical form ("" when it is the input itself).
var validPatterns = []struct {
	in, want string
}{
	// Constants, operators and object paths (9.2, 9.3, 9.5).
	{`[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']`, ""},
	{`[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']`, ""},
	{`[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]`, ""},
	{`[file:size IN (1024, 2048, 4096)]`, ""},
	{`[file:name IN ()]`, ""},
	{`[file:name NOT IN ('a.exe', 'b.exe')]`, ""},
	{`[file:name NOT = 'a']`, ""},
	{`[file:name LIKE 'invoice%.pdf']`, ""},
	{`[file:name NOT LIKE '%.txt']`, ""},
	{`[email-message:from_ref.value MATCHES '.+\\@example\\.com$']`, ""},
	{`[ipv4-addr:value ISSUBSET '198.51.100.0/24']`, ""},
	{`[ipv4-addr:value NOT ISSUPERSET '198.51.100.0/24']`, ""},
	{`[EXISTS windows-registry-key:values]`, ""},
	{`[EXISTS file:hashes.MD5 AND file:size = 0]`, ""},
	{`[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']`, ""},
	{`[artifact:payload_bin = b'QR==']`, `[artifact:payload_bin = b'QQ==']`},
	{`[x509-certificate:serial_number = h'0A1b']`, `[x509-certificate:serial_number = h'0a1b']`},
	{`[x:y = h'']`, ""},
	{`[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\System\\Foo']`, ""},
	{`[a:b = 'it\'s']`, ""},
	{"[a:b = 'two\nlines']", ""},
	{`[file:name = 'naïve ☃.exe']`, ""},
	{`[a:b = true] OR [a:c = false]`, ""},
	{`[a:b = -5 AND a:c = +5 AND a:d = -0.5 AND a:e = .5 AND a:f = 00.25]`, `[a:b = -5 AND a:c = 5 AND a:d = -0.5 AND a:e = 0.5 AND a:f = 0.25]`},
	{`[a:b = -0]`, `[a:b = 0]`},
	{`[a:b = 2.0]`, `[a:b = 2.0]`},
	{`[a:b == 1 AND a:c <> 2]`, `[a:b = 1 AND a:c != 2]`},
	{`[a:b < 1 AND a:c <= 2 AND a:d > 3 AND a:e >= 4]`, ""},
	{`[a:b[0] = 1 AND a:b[-1] = 2 AND a:b[+3] = 3]`, `[a:b[0] = 1 AND a:b[-1] = 2 AND a:b[3] = 3]`},
	{`[a:'b' = 1]`, `[a:b = 1]`},
	{`[a:'true' = 1 AND a:'x y'.'AND' = 2 AND a:'' = 3]`, ""},
	{`[x_custom:Prop_1 = 1]`, ""},
	{`[a:b = t'2016-02-29T23:59:60.123Z']`, ""},
	{`[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']`, ""},
	// Observation operators and precedence (9.6).
	{`[domain-name:value = 'example.com'] FOLLOWEDBY [url:value = 'http://example.com/foo']`, ""},
	{`[a:b = 1] OR [a:c = 2] AND [a:d = 3]`, ""},
	{`([a:b = 1] OR [a:c = 2]) AND [a:d = 3]`, ""},
	{`[a:b = 1] AND ([a:c = 2] AND [a:d = 3])`, ""},
	{`([a:b = 1] AND [a:c = 2]) AND [a:d = 3]`, `[a:b = 1] AND [a:c = 2] AND [a:d = 3]`},
	{`[a:b = 1] FOLLOWEDBY ([a:c = 2] FOLLOWEDBY [a:d = 3])`, ""},
	{`[a:b = 1] FOLLOWEDBY [a:c = 2] OR [a:d = 3]`, ""},
	{`(([a:b = 1]))`, `[a:b = 1]`},
	{`[((a:b = 1))]`, `[a:b = 1]`},
	{`[(a:b = 1 OR a:c = 2) AND a:d = 3]`, ""},
	{`[a:b = 1 OR a:c = 2 AND a:d = 3]`, ""},
	{`[(a:b = 1 OR c:d = 2) AND (a:e = 3 OR c:f = 4)]`, ""},
	{`[a:b = 1 OR c:d = 2]`, ""},
	{`[a:b=1]AND[c:d=2]`, `[a:b = 1] AND [c:d = 2]`},
	// Qualifiers (9.7).
	{`([file:name = 'x'] AND [process:name = 'y']) WITHIN 300 SECONDS`, ""},
	{`[a:b = 1] AND [a:c = 2] WITHIN 5 SECONDS`, ""},
	{`[a:b = 1] REPEATS 5 TIMES WITHIN 1.5 SECONDS`, ""},
	{`[a:b = 1] WITHIN 10.0 SECONDS`, `[a:b = 1] WITHIN 10 SECONDS`},
	{`[a:b = 1] WITHIN 0.001 SECONDS`, ""},
	{`([a:b = 1] WITHIN 5 SECONDS) REPEATS 2 TIMES`, `[a:b = 1] WITHIN 5 SECONDS REPEATS 2 TIMES`},
	{`([a:b = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS`, ""},
	{`([a:b = 1]) WITHIN 5 SECONDS`, `[a:b = 1] WITHIN 5 SECONDS`},
	{`[file:name = 'foo.dll'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`, ""},
	{`[network-traffic:src_port = 37020] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' OR [ipv4-addr:value = '192.168.122.83'] START t'2016-06-01T03:55:00.123Z' STOP t'2016-06-01T04:30:24.743Z'`, ""},
	{`([a:b = 1] OR [c:d = 2] FOLLOWEDBY [e:f = 3]) WITHIN 600 SECONDS REPEATS 2 TIMES START t'2016-01-01T00:00:00Z' STOP t'2017-01-01T00:00:00Z'`, ""},
	// White space, comments.
	{"/* leading */ [ a:b\t=\n1 ] // trailing", `[a:b = 1]`},
	{"[a:b\u00a0=\u30001]\u2028", `[a:b = 1]`},
	{"[file : name = 'x' ]", `[file:name = 'x']`},
}

func TestParsePatternValid(t *testing.T) {
	for _, tc := range validPatterns {
		p, err := ParsePattern(tc.in)
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tc.in, err)
			continue
		}
		want := tc.want
		if want == "" {
			want = tc.in
		}
		if got := p.String(); got != want {
			t.Errorf("ParsePattern(%q).String()\n got  %s\n want %s", tc.in, got, want)
		}
	}
}

// TestPatternRoundTrip checks that the canonical form parses back to itself.
func TestPatternRoundTrip(t *testing.T) {
	for _, tc := range validPatterns {
		p, err := ParsePattern(tc.in)
		if err != nil {
			continue // reported by TestParsePatternValid
		}
		out := p.String()
		q, err := ParsePattern(out)
		if err != nil {
			t.Errorf("canonical %q does not parse: %v", out, err)
			continue
		}
		if q.String() != out {
			t.Errorf("canonical %q prints as %q", out, q.String())
		}
	}
}

// invalidPatterns fail with an error at line:column whose message contains msg.
var invalidPatterns = []struct {
	in        string
	line, col int
	msg       string
}{
	{`file:size = 1280`, 1, 1, "expected '[' or '('"},
	{`[file:size = ]`, 1, 14, "expected a constant, found ']'"},
	{`[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]`, 1, 20, "expected a constant"},
	{`[file.size = 1280]`, 1, 6, "expected ':' after the object type"},
	{`[file:name MATCHES /.*\.dll/]`, 1, 20, "unexpected character '/'"},
	{`[a:b = 1] WITHIN ]`, 1, 18, "expected a positive number of seconds"},
	{`[a:b = 1] WITHIN 5 HOURS`, 1, 20, "expected SECONDS, found 'HOURS'"},
	{`[a:b = 1] WITHIN 5`, 1, 19, "expected SECONDS, found the end of the pattern"},
	{`[a:b = 1] WITHIN -5 SECONDS`, 1, 18, "expected a positive number of seconds"},
	{`[a:b = 1] WITHIN 0 SECONDS`, 1, 18, "greater than 0"},
	{`[a:b = 1] REPEATS 0 TIMES`, 1, 19, "greater than 0"},
	{`[a:b = 1] REPEATS 2.5 TIMES`, 1, 19, "expected a positive integer"},
	{`[a:b ISSUBSET ]`, 1, 15, "expected a string constant after ISSUBSET"},
	{`[a:b LIKE 5]`, 1, 11, "expected a string constant after LIKE"},
	{`[a:b =? 1]`, 1, 7, "unexpected character '?'"},
	{`[a:b = t'2457-73-22T32:81:84.1Z']`, 1, 8, "month out of range"},
	{`[a:b = t'2015-02-29T00:00:00Z']`, 1, 8, "day out of range"},
	{`[a:b = t'2016-06-01T00:00:00+01:00']`, 1, 8, "end with Z"},
	{`[a:b = t'2016-06-01T12:00:60Z']`, 1, 8, "second out of range"},
	{`[a:b = b'====']`, 1, 8, "base64"},
	{`[a:b = b'']`, 1, 8, "base64"},
	{`[a:b = h'abc']`, 1, 8, "even number"},
	{`[a:b = h'zz']`, 1, 8, "digits 0-9 and a-f"},
	{`[a:b = 007]`, 1, 8, "leading zero"},
	{`[a:b = 99999999999999999999]`, 1, 8, "out of range"},
	{`[a:b > true]`, 1, 8, "expected a number, string, timestamp, binary or hex constant"},
	{`[a:b = 1] within 2 seconds`, 1, 11, "keywords are case-sensitive: WITHIN"},
	{`[file:name = 'x' and file:size = 1]`, 1, 18, "keywords are case-sensitive: AND"},
	{`[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS`, 1, 28, "two WITHIN qualifiers"},
	{`([a:b = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS`, 1, 30, "two WITHIN qualifiers"},
	{`[a:b = 1] REPEATS 2 TIMES REPEATS 3 TIMES`, 1, 27, "two REPEATS qualifiers"},
	{`[a:b = 1] START t'2016-06-01T02:00:00Z' STOP t'2016-06-01T01:00:00Z'`, 1, 46, "STOP timestamp must be later"},
	{`[a:b = 1] START t'2016-06-01T02:00:00Z' STOP t'2016-06-01T02:00:00Z'`, 1, 46, "STOP timestamp must be later"},
	{`[a:b = 1] START '2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`, 1, 17, "expected a timestamp t'…' after START"},
	{`[a:b = 1] START t'2016-06-01T00:00:00Z'`, 1, 40, "expected STOP"},
	{`[file:name = 'x' AND domain-name:value = 'y']`, 1, 18, "satisfiable by one object type"},
	{`[a:x = 1 AND (a:y = 2 OR b:z = 3) AND b:w = 4]`, 1, 35, "satisfiable by one object type"},
	{`[file:extensions.windows-pebinary-ext.sections = 1]`, 1, 18, "must be quoted: 'windows-pebinary-ext'"},
	{`[a:b-c = 1]`, 1, 4, "must be quoted"},
	{`[a:true = 1]`, 1, 4, "expected a property name, found 'true'"},
	{`[a:b = 'unterminated]`, 1, 8, "unterminated string"},
	{`[a:b = 'bad \n escape']`, 1, 13, `only \' and \\ are allowed`},
	{`[]`, 1, 2, "expected an object path, '(' or EXISTS, found ']'"},
	{`[NOT a:b = 1]`, 1, 2, "found 'NOT'"},
	{`[a:b NOT EXISTS]`, 1, 10, "expected a comparison operator"},
	{`[a:b = 1`, 1, 9, "expected AND, OR or ']', found the end of the pattern"},
	{`[a:b = 1]]`, 1, 10, "expected AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern"},
	{`[a:b = 1] AND`, 1, 14, "expected '[' or '('"},
	{`[a:b = 1] FOLLOWEDBY `, 1, 22, "expected '[' or '('"},
	{`[a:b = 1] AND ([c:d = 2]`, 1, 25, "or ')'"},
	{`[a:b = 1] /* open`, 1, 11, "unterminated comment"},
	{`[a:b IN (1, 2]`, 1, 14, "expected ',' or ')'"},
	{`[a:b IN 1]`, 1, 9, "expected '(' to begin the set after IN"},
	{`[a:b[x] = 1]`, 1, 6, "expected a list index or '*'"},
	{`[a:b = 1.]`, 1, 9, "found '.'"},
	{`[a:b = 1e5]`, 1, 9, "found 'e5'"},
	{"[a:b = 1]\n  OR [a:c = 2]\n  within 5 SECONDS", 3, 3, "keywords are case-sensitive"},
	{"[a:b = 'é'] AND", 1, 16, "expected '['"},
	{"\x00", 1, 1, "unexpected character"},
	{"[a:b = 1] \xff", 1, 11, "invalid UTF-8"},
	{strings.Repeat("(", 300) + "[a:b = 1]" + strings.Repeat(")", 300), 1, 251, "nested too deeply"},
	{"[" + strings.Repeat("(", 300) + "a:b = 1" + strings.Repeat(")", 300) + "]", 1, 251, "nested too deeply"},
}

func TestParsePatternInvalid(t *testing.T) {
	for _, tc := range invalidPatterns {
		p, err := ParsePattern(tc.in)
		if err == nil {
			t.Errorf("ParsePattern(%q) = %s, want an error", tc.in, p)
			continue
		}
		var pe *PatternError
		if !errors.As(err, &pe) {
			t.Errorf("ParsePattern(%q): error %T is not a *PatternError", tc.in, err)
			continue
		}
		if pe.Line != tc.line || pe.Column != tc.col || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("ParsePattern(%q):\n got  %v\n want line %d, column %d: …%s…", tc.in, err, tc.line, tc.col, tc.msg)
		}
	}
}

func TestPatternErrorOffsetIsBytes(t *testing.T) {
	_, err := ParsePattern("[a:b = 'é'] AND")
	var pe *PatternError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v", err)
	}
	if pe.Offset != 16 || pe.Column != 16 {
		t.Errorf("offset %d, column %d; want byte offset 16 (é has two bytes) and column 16", pe.Offset, pe.Column)
	}
	if got := pe.Error(); got != "line 1, column 16: expected '[' or '(' to begin an observation expression, found the end of the pattern" {
		t.Errorf("Error() = %q", got)
	}
}

func TestPatternTree(t *testing.T) {
	p, err := ParsePattern(`[a:b = 1] AND [a:c = 2] WITHIN 5 SECONDS OR [a:d = 3]`)
	if err != nil {
		t.Fatal(err)
	}
	or, ok := p.Expr.(*ObservationOp)
	if !ok || or.Op != ObsOr {
		t.Fatalf("top is %#v, want OR", p.Expr)
	}
	and, ok := or.Left.(*ObservationOp)
	if !ok || and.Op != ObsAnd {
		t.Fatalf("left of OR is %#v, want AND", or.Left)
	}
	q, ok := and.Right.(*Qualified)
	if !ok || len(q.Qualifiers) != 1 || q.Qualifiers[0].Kind != Within || q.Qualifiers[0].Seconds != 5 {
		t.Fatalf("WITHIN must bind to [a:c = 2] alone, got %#v", and.Right)
	}
	c := q.Expr.(*Observation).Comparison.(*Comparison)
	if c.Path.String() != "a:c" || c.Op != Equal || c.Value.Kind != IntConst || c.Value.Int != 2 {
		t.Errorf("comparison %#v", c)
	}
}

func TestPatternConstants(t *testing.T) {
	p, err := ParsePattern(`[a:s = 'it\'s \\ here' AND a:t = t'2016-06-01T00:00:00.5Z' AND a:b = b'AAEC' AND a:path.'x-y'[2][*] = 1]`)
	if err != nil {
		t.Fatal(err)
	}
	var cs []*Comparison
	var walk func(ComparisonExpr)
	walk = func(e ComparisonExpr) {
		if op, ok := e.(*ComparisonOp); ok {
			walk(op.Left)
			walk(op.Right)
			return
		}
		cs = append(cs, e.(*Comparison))
	}
	walk(p.Expr.(*Observation).Comparison)
	if cs[0].Value.Str != `it's \ here` {
		t.Errorf("string decoded as %q", cs[0].Value.Str)
	}
	if ts := cs[1].Value.Time(); ts.Nanosecond() != 500000000 || ts.Year() != 2016 {
		t.Errorf("timestamp read as %v", ts)
	}
	if cs[2].Value.Kind != BinaryConst || cs[2].Value.Str != "AAEC" {
		t.Errorf("binary %#v", cs[2].Value)
	}
	steps := cs[3].Path.Steps
	if len(steps) != 4 || steps[1].Key != "x-y" || steps[2].Kind != IndexStep || steps[2].Index != 2 || steps[3].Kind != AnyIndexStep {
		t.Errorf("path steps %#v", steps)
	}
}

func TestPatternTooLong(t *testing.T) {
	s := "[a:b IN (" + strings.Repeat("'x', ", maxLength/5) + "'y')]"
	_, err := ParsePattern(s)
	var pe *PatternError
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "longer than 1 MiB") {
		t.Errorf("got %v, want the length refused", err)
	}
}

// TestPatternManyTypes parses an AND of two ORs over thousands of object
// types, the case where the type-satisfiability check must stay linear.
func TestPatternManyTypes(t *testing.T) {
	var left, right []string
	for i := range 20000 {
		n := strconv.Itoa(i)
		left = append(left, "t"+n+":x = 1")
		right = append(right, "t"+n+":y = 2")
	}
	s := "[(" + strings.Join(left, " OR ") + ") AND (" + strings.Join(right, " OR ") + ")]"
	p, err := ParsePattern(s)
	if err != nil {
		t.Fatal(err)
	}
	if p.String() != s {
		t.Error("canonical form differs")
	}
}
