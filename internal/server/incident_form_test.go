package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
)

// Times typed in the form are read in the organisation's zone, across a
// change from summer to winter time.
func TestReadReportTimes(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	org := &identity.Organisation{ID: "o", Country: "DE", Sectors: []string{"energy"}}
	v := url.Values{"started": {"2026-10-25T01:30"}, "detected": {"2026-10-25T04:30"}, "ended": {"yesterday"}, "tlp": {"AMBER"}}
	r, bad, _ := readReport(v, org, "u", "office", berlin)
	if got := r.Timeline.Started; !got.Equal(time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC)) {
		t.Errorf("started %v: summer time (UTC+2) not applied", got)
	}
	if got := r.Timeline.Detected; !got.Equal(time.Date(2026, 10, 25, 3, 30, 0, 0, time.UTC)) {
		t.Errorf("detected %v: winter time (UTC+1) not applied", got)
	}
	if bad["ended"] == "" || !r.Timeline.Ended.IsZero() {
		t.Errorf("an unreadable end time is not named: %v", bad)
	}
	if m := r.Marking; m.TLP != policy.Amber || len(m.Audience.Sectors) != 1 || m.Audience.Sectors[0] != "energy" {
		t.Errorf("marking without a chosen audience: %+v", m)
	}
	v.Set("ongoing", "on")
	if _, bad, _ := readReport(v, org, "u", "office", berlin); bad["ended"] != "" {
		t.Errorf("an ongoing incident is refused for its end time: %v", bad)
	}
}

// The report form reads whatever is sent without failing, and what it
// names as bad is a field of the form.
func FuzzReadReport(f *testing.F) {
	f.Add("Titel", "fraud/phishing", "2026-11-23T10:00", "evil.example\nnot one", "AMBER", "sectors", "DE, nl")
	f.Add("", "x", "2026-13-40T99:99", "hxxp://a[.]b/", "WHITE", "community", ";;")
	fields := map[string]bool{"started": true, "detected": true, "ended": true, "indicators": true, "tlp": true}
	f.Fuzz(func(t *testing.T, title, class, at, indicators, tlp, audience, countries string) {
		v := url.Values{"title": {title}, "classification": {class}, "started": {at}, "detected": {at}, "ended": {at},
			"indicators": {indicators}, "tlp": {tlp}, "audience": {audience}, "countries": {countries}}
		org := &identity.Organisation{ID: "o", Country: "NL"}
		r, bad, _ := readReport(v, org, "u", "office", time.UTC)
		for k := range bad {
			if !fields[k] {
				t.Errorf("problem of an unknown field %q", k)
			}
		}
		if r.Marking.TLP == policy.Red && (len(r.Marking.Audience.Users) != 1 || r.Marking.Audience.Users[0] != "u") {
			t.Errorf("TLP:RED without the reporter named: %+v", r.Marking)
		}
	})
}

// The API's report body is read without failing; each bad indicator is
// named by its index.
func FuzzIncidentInput(f *testing.F) {
	f.Add([]byte(`{"title":"x","indicators":["1.2.3.4","bad one"],"tlp":"amber","started":"2026-11-23T10:00:00Z"}`))
	f.Add([]byte(`{"indicators":[""],"tlp":"white","detected":"nope"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var in incidentInput
		if json.Unmarshal(b, &in) != nil {
			return
		}
		r, bad := in.report()
		for k := range bad {
			if !strings.HasPrefix(k, "indicators") && k != "tlp" && k != "started" && k != "detected" && k != "ended" {
				t.Errorf("problem of an unknown property %q", k)
			}
		}
		if len(r.Indicators) > len(in.Indicators) {
			t.Errorf("%d indicators from %d lines", len(r.Indicators), len(in.Indicators))
		}
	})
}

// Names in Content-Disposition never break the header.
func FuzzMimeAttachment(f *testing.F) {
	f.Add("screen shot.png")
	f.Add("\"\r\nSet-Cookie: x\".pdf")
	f.Fuzz(func(t *testing.T, name string) {
		h := mimeAttachment(name)
		if strings.ContainsAny(h, "\r\n\x00") || !utf8.ValidString(h) {
			t.Errorf("header %q", h)
		}
		if strings.Count(h, `"`) != 2 {
			t.Errorf("quotes in %q", h)
		}
	})
}
