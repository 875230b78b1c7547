package incident_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/stix"
)

func TestParseIndicators(t *testing.T) {
	text := strings.Join([]string{
		"# seen in the proxy logs",
		"203.0.113.45",
		"  hxxp://login-netz[.]example/owa  ",
		"",
		"not an indicator at all!",
		"198.51.100.0/24",
		"203.0.113.45", // again
		"a3f5c8d2e1b4967f0c2d8e5a1b3c7f9e2d4a6b8c0e1f3a5b7c9d1e3f5a7b9c1d",
		"ceo[@]stadtwerke-example[.]de",
		"300.1.2.3",
	}, "\n")
	obs, bad := incident.ParseIndicators(text)
	want := []stix.Observable{
		{Type: stix.IPv4Addr, Value: "203.0.113.45"},
		{Type: stix.URL, Value: "http://login-netz.example/owa"},
		{Type: stix.IPv4Addr, Value: "198.51.100.0/24"},
		{Type: stix.FileHashSHA256, Value: "a3f5c8d2e1b4967f0c2d8e5a1b3c7f9e2d4a6b8c0e1f3a5b7c9d1e3f5a7b9c1d"},
		{Type: stix.EmailAddr, Value: "ceo@stadtwerke-example.de"},
	}
	if len(obs) != len(want) {
		t.Fatalf("kept %v, want %v", obs, want)
	}
	for i := range want {
		if obs[i] != want[i] {
			t.Errorf("indicator %d = %+v, want %+v", i, obs[i], want[i])
		}
	}
	if len(bad) != 2 || bad[0].Line != 5 || bad[1].Line != 10 || bad[0].Problem == "" || bad[1].Text != "300.1.2.3" {
		t.Errorf("bad lines = %+v, want lines 5 and 10 named with their problems", bad)
	}
}

func TestParseIndicatorsLimit(t *testing.T) {
	var b strings.Builder
	for i := 0; i < incident.MaxIndicatorLines+5; i++ {
		fmt.Fprintf(&b, "host%d.example.org\n", i)
	}
	obs, bad := incident.ParseIndicators(b.String())
	if len(obs) != incident.MaxIndicatorLines || len(bad) != 1 || !strings.Contains(bad[0].Problem, "STIX bundle") {
		t.Errorf("kept %d with %d bad lines, want %d and one line saying to send a bundle", len(obs), len(bad), incident.MaxIndicatorLines)
	}
}

func TestCheckAttachment(t *testing.T) {
	pdf := []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj")
	for _, tc := range []struct {
		name, file string
		head       []byte
		size       int64
		mediaType  string // "" when refused
		wantName   string
		problem    string
	}{
		{"pdf", "Bericht.pdf", pdf, 2000, "application/pdf", "Bericht.pdf", ""},
		{"png with a wrong name gets its extension", "screenshot.dat", []byte("\x89PNG\r\n\x1a\n\x00\x00"), 10, "image/png", "screenshot.png", ""},
		{"path and control characters go", `C:\Users\x\Desktop\..\fire` + "\x07wall.log", []byte("Nov 23 10:00:01 fw1 DROP src=203.0.113.45\n"), 44, "text/plain; charset=utf-8", "firewall.log", ""},
		{"pcap", "capture.pcap", []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0}, 100, "application/vnd.tcpdump.pcap", "capture.pcap", ""},
		{"csv", "hosts.csv", []byte("host,ip\nfw1,192.0.2.1\n"), 22, "text/csv; charset=utf-8", "hosts.csv", ""},
		{"program named pdf", "invoice.pdf", []byte("MZ\x90\x00\x03"), 5000, "", "", "program"},
		{"ELF", "tool", []byte("\x7fELF\x02\x01"), 5000, "", "", "program"},
		{"script", "run.txt", []byte("#!/bin/sh\nrm -rf /\n"), 20, "", "", "program"},
		{"html as text", "page.txt", []byte("<!DOCTYPE html><script>alert(1)</script>"), 40, "", "", "HTML"},
		{"svg", "logo.svg", []byte("<svg onload=alert(1)>"), 20, "", "", "not a type"},
		{"binary text", "x.txt", []byte("abc\x00def"), 7, "", "", "not a type"},
		{"too large", "big.pdf", pdf, incident.DefaultMaxAttachment + 1, "", "", "10 MiB"},
		{"empty", "nothing.txt", nil, 0, "", "", "empty"},
		{"unknown", "data.bin", []byte{1, 2, 3, 4, 5}, 5, "", "", "not a type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := incident.CheckAttachment(tc.file, tc.head, tc.size, 0)
			if tc.mediaType == "" {
				if !verbund.IsKind(err, verbund.Invalid) || !strings.Contains(verbund.ErrorFields(err)["attachment"], tc.problem) {
					t.Fatalf("err = %v (%v), want a problem mentioning %q", err, verbund.ErrorFields(err), tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.MediaType != tc.mediaType || a.Name != tc.wantName || a.Size != tc.size {
				t.Errorf("got %+v, want %s named %s", a, tc.mediaType, tc.wantName)
			}
		})
	}
}

func FuzzParseIndicators(f *testing.F) {
	f.Add("203.0.113.45\nhxxps://evil[.]example/a\n# c\n\nfoo")
	f.Add("2001:db8::1/64\nx@y[.]z\nd41d8cd98f00b204e9800998ecf8427e")
	f.Fuzz(func(t *testing.T, text string) {
		obs, bad := incident.ParseIndicators(text)
		if len(obs)+len(bad) > incident.MaxIndicatorLines+1 {
			t.Fatalf("%d results for at most %d lines", len(obs)+len(bad), incident.MaxIndicatorLines)
		}
		seen := map[stix.Observable]bool{}
		for _, o := range obs {
			if seen[o] || o.Type == "" || o.Value == "" {
				t.Fatalf("indicator %+v repeated or empty", o)
			}
			seen[o] = true
		}
		for _, b := range bad {
			if b.Problem == "" || b.Line < 1 {
				t.Fatalf("bad line without a problem: %+v", b)
			}
		}
	})
}

func FuzzCheckAttachment(f *testing.F) {
	f.Add("a.pdf", []byte("%PDF-1.4"), int64(10))
	f.Add("../../etc/passwd", []byte("root:x:0:0"), int64(10))
	f.Add("x.txt", []byte("MZ"), int64(2))
	f.Fuzz(func(t *testing.T, name string, head []byte, size int64) {
		a, err := incident.CheckAttachment(name, head, size, 0)
		if err != nil {
			if !verbund.IsKind(err, verbund.Invalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
			return
		}
		if a.Name == "" || strings.ContainsAny(a.Name, "/\\\x00\n\r") || a.MediaType == "" || a.Size != size {
			t.Fatalf("accepted %q as %+v", name, a)
		}
		if len(head) >= 2 && string(head[:2]) == "MZ" {
			t.Fatal("accepted a Windows program")
		}
	})
}
