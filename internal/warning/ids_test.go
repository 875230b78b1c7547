package warning

import (
	"strings"
	"testing"
)

func TestValidCVE(t *testing.T) {
	for id, want := range map[string]bool{
		"CVE-2024-3400": true, "CVE-2021-44228": true, "CVE-2023-1234567": true,
		"CVE-24-3400": false, "CVE-2024-340": false, "cve-2024-3400": false, "CVE-2024-3400 ": false, "GHSA-2024-3400": false,
	} {
		if got := ValidCVE(id); got != want {
			t.Errorf("ValidCVE(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestValidCPE(t *testing.T) {
	valid := []string{
		"cpe:2.3:o:siemens:simatic_s7-1500_cpu_firmware:2.9.2:*:*:*:*:*:*:*",
		"cpe:2.3:a:paloaltonetworks:pan-os:10.2.0:-:*:*:*:*:*:*",
		"cpe:2.3:h:schneider-electric:modicon_m580:-:*:*:*:*:*:*:*",
		`cpe:2.3:a:vendor:product\:with\:colons:1.0:*:*:en-us:*:*:*:*`,
		"cpe:2.3:a:apache:log4j:2.*:*:*:*:*:*:*:*",
	}
	for _, s := range valid {
		if msg := ValidCPE(s); msg != "" {
			t.Errorf("%s: %s", s, msg)
		}
	}
	for s, want := range map[string]string{
		"cpe:/o:siemens:simatic":                                 "starts with cpe:2.3",
		"cpe:2.3:o:siemens:simatic:2.9":                          "13 parts",
		"cpe:2.3:x:siemens:simatic:2.9:*:*:*:*:*:*:*":            "not a valid CPE 2.3",
		"cpe:2.3:a:ven dor:product:1.0:*:*:*:*:*:*:*":            "not a valid CPE 2.3",
		"cpe:2.3:a:vendor:product:1.0:*:*:english:*:*:*:*":       "not a valid CPE 2.3",
		"cpe:2.3:a:vendor:pro*duct:1.0:*:*:*:*:*:*:*":            "not a valid CPE 2.3",
		"cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*:extra":       "13 parts",
		"cpe:2.3:a:vendor::1.0:*:*:*:*:*:*:*":                    "not a valid CPE 2.3",
		"cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*\n":           "not a valid CPE 2.3",
		"CPE:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*":             "starts with cpe:2.3",
		"cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:" + "\\" + "q": "not a valid CPE 2.3",
	} {
		if msg := ValidCPE(s); !strings.Contains(msg, want) {
			t.Errorf("%q: %q, want a message saying %q", s, msg, want)
		}
	}
}

func TestValidPURL(t *testing.T) {
	for _, s := range []string{"pkg:npm/%40angular/core@16.2.0", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
		"pkg:pypi/django@4.2?os=linux", "pkg:github/siemens/sicam-toolbox", "pkg:deb/debian/openssl@3.0.11-1?arch=amd64#src"} {
		if msg := ValidPURL(s); msg != "" {
			t.Errorf("%s: %s", s, msg)
		}
	}
	for s, want := range map[string]string{
		"npm/left-pad":              "starts with pkg:",
		"pkg:/left-pad":             "names its type",
		"pkg:1npm/left-pad":         "names its type",
		"pkg:npm/":                  "names the package",
		"pkg:npm/left-pad@":         "version after @ is empty",
		"pkg:npm/left pad":          "no spaces",
		"pkg:npm/left-pad%zz":       "percent-encoding",
		"pkg:npm/left-pad?arch":     "key=value",
		"pkg:npm/left-pad?arch=&a=": "key=value",
	} {
		if msg := ValidPURL(s); !strings.Contains(msg, want) {
			t.Errorf("%q: %q, want a message saying %q", s, msg, want)
		}
	}
}

func FuzzValidCPE(f *testing.F) {
	f.Add("cpe:2.3:o:siemens:simatic_s7-1500_cpu_firmware:2.9.2:*:*:*:*:*:*:*")
	f.Add(`cpe:2.3:a:vendor:product\:x:1.0:*:*:en-us:*:*:*:*`)
	f.Fuzz(func(t *testing.T, s string) {
		if ValidCPE(s) != "" {
			return
		}
		// A valid CPE has its 13 parts and nothing a URL would need to
		// carry unescaped.
		if !strings.HasPrefix(s, "cpe:2.3:") || strings.ContainsAny(s, " \n\t") {
			t.Errorf("%q accepted", s)
		}
	})
}

func FuzzValidPURL(f *testing.F) {
	f.Add("pkg:npm/%40angular/core@16.2.0?x=y#sub/path")
	f.Add("pkg:maven/org.apache/log4j@2")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidPURL(s) != "" {
			return
		}
		if !strings.HasPrefix(s, "pkg:") || strings.ContainsAny(s, " \n\t\r") {
			t.Errorf("%q accepted", s)
		}
	})
}

func FuzzCheckContent(f *testing.F) {
	f.Add("en", "Title", "CVE-2024-1", "Siemens", "S7", "cpe:2.3:o:siemens:s7:1:*:*:*:*:*:*:*", "https://example.org", "CVSS:3.1/AV:N")
	f.Fuzz(func(t *testing.T, lang, title, cve, vendor, product, cpe, ref, cvss string) {
		c := Content{Lang: lang, Texts: map[string]Text{lang: {Title: title}}, CVEs: []string{cve},
			Products: []Product{{Vendor: vendor, Name: product, CPE: cpe}}, References: []string{ref}, CVSS: cvss}
		normalise(&c)
		if f := check(&c); len(f) == 0 {
			for _, id := range c.CVEs {
				if !ValidCVE(id) {
					t.Errorf("CVE %q accepted", id)
				}
			}
			if c.CVSS != "" {
				if _, err := ParseCVSS(c.CVSS); err != nil {
					t.Errorf("CVSS %q accepted", c.CVSS)
				}
			}
		}
	})
}
