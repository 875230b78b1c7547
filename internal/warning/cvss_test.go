package warning

import (
	"strings"
	"testing"
)

// The examples of the CVSS v3.1 specification's example document
// (FIRST, "CVSS v3.1 Examples") with their published base scores.
func TestBaseScoreMatchesTheSpecificationExamples(t *testing.T) {
	for _, tc := range []struct {
		name, vector string
		score        float64
		severity     Severity
	}{
		{"phpMyAdmin XSS CVE-2013-1937", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, SeverityMedium},
		{"MySQL CVE-2013-0375", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, SeverityMedium},
		{"SSLv3 POODLE CVE-2014-3566", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1, SeverityLow},
		{"VMware guest to host CVE-2012-1516", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, SeverityCritical},
		{"Apache Tomcat XML parser CVE-2009-0783", "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2, SeverityMedium},
		{"Cisco IOS arbitrary command CVE-2012-0384", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8, SeverityHigh},
		{"Apple iWork denial of service CVE-2015-1098", "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8, SeverityHigh},
		{"OpenSSL Heartbleed CVE-2014-0160", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, SeverityHigh},
		{"GNU Bash Shellshock CVE-2014-6271", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, SeverityCritical},
		{"DNS Kaminsky bug CVE-2008-1447", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8, SeverityMedium},
		{"Sophos login screen bypass CVE-2014-2005", "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8, SeverityMedium},
		{"Joomla directory traversal CVE-2010-0467", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8, SeverityMedium},
		{"Cisco access control bypass CVE-2012-1342", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N", 5.8, SeverityMedium},
		{"no impact", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0, SeverityNone},
		{"maximum with scope change", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10, SeverityCritical},
		{"with temporal metrics", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C", 9.8, SeverityCritical},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCVSS(tc.vector)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.BaseScore(); got != tc.score {
				t.Errorf("base score %v, want %v", got, tc.score)
			}
			if got := c.Severity(); got != tc.severity {
				t.Errorf("severity %s, want %s", got, tc.severity)
			}
		})
	}
}

func TestRoundupAvoidsFloatingPointError(t *testing.T) {
	for in, want := range map[float64]float64{4.000000000001: 4.0, 4.02: 4.1, 4.0: 4.0, 0.01: 0.1} {
		if got := roundup(in); got != want {
			t.Errorf("roundup(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestParseCVSSSaysWhatIsWrong(t *testing.T) {
	for vector, want := range map[string]string{
		"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H":                  "starts with CVSS:3.1/",
		"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H":         "version 3.1",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H":             "eight base metrics",
		"CVSS:3.1/AC:L/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H":         "must be AV",
		"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H":         "AV must be one of N, A, L, P",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z":     "E must be one of",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/E:P": "twice",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/QQ:1":    "unknown metric",
	} {
		_, err := ParseCVSS(vector)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error saying %q", vector, err, want)
		}
	}
}

func FuzzParseCVSS(f *testing.F) {
	f.Add("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	f.Add("CVSS:3.1/AV:A/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:L/E:X/MAV:N")
	f.Add("CVSS:3.1/")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCVSS(s)
		if err != nil {
			return
		}
		score := c.BaseScore()
		if score < 0 || score > 10 || score*10 != float64(int(score*10)) {
			t.Errorf("%q: base score %v is not a one-decimal number in [0, 10]", s, score)
		}
		if _, err := ParseCVSS(c.Vector); err != nil {
			t.Errorf("%q parsed, but its vector %q does not: %v", s, c.Vector, err)
		}
	})
}
