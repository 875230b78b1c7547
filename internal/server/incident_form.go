package server

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/policy"
)

// The incident report form: what a reporter types, read into a report, and
// a report written back into the form's values. Reading never fails as a
// whole: a value that cannot be read is named in the problems and left out
// of the report, so that the draft keeps everything else and the form keeps
// what was typed.

// localTime is the form of <input type="datetime-local">.
const localTime = "2006-01-02T15:04"

// Audiences of the form, from the narrowest.
const (
	audienceOffice    = "office"    // the office only
	audienceSectors   = "sectors"   // the sectors affected
	audienceCommunity = "community" // every member (TLP:GREEN)
)

// reportForm is what the form needs besides the typed values.
type reportForm struct {
	ID       string // of the draft; "" for a new report
	CaseID   string
	Stage    string
	Public   bool // the form without an account
	TimeZone string
	Sectors  []string
	Taxonomy []incident.Class
	Impacts  []incident.Impact
	Stages   []incident.Stage
	TLPs     []string
	// Types lists the attachment types taken, for the hint.
	Types []string
	// BadLines are the indicator lines that could not be read.
	BadLines []incident.LineError
	// Attachments already stored with the draft.
	Attachments []incident.AttachmentInfo
}

func newReportForm(tz string, public bool) reportForm {
	f := reportForm{Public: public, TimeZone: tz, Sectors: identity.Sectors, Taxonomy: incident.Taxonomy,
		Impacts: incident.Impacts(), Stages: []incident.Stage{incident.EarlyWarning, incident.Notification, incident.Progress, incident.Final},
		TLPs: []string{"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}}
	for _, t := range incident.AttachmentTypes() {
		f.Types = append(f.Types, t.Extensions[0])
	}
	f.Types = append(f.Types, ".txt", ".log", ".csv", ".json", ".eml", ".md")
	return f
}

// readReport reads the form values v of a reporter of org (nil: from the
// public) into a report, with the problems of the values it could not read
// by field. loc is the time zone the times are typed in.
func readReport(v url.Values, org *identity.Organisation, userID, officeID string, loc *time.Location) (incident.Report, map[string]string, []incident.LineError) {
	bad := map[string]string{}
	r := incident.Report{
		Title:        strings.TrimSpace(v.Get("title")),
		Description:  strings.TrimSpace(v.Get("description")),
		Services:     strings.TrimSpace(v.Get("services")),
		Impact:       incident.Impact(v.Get("impact")),
		CrossBorder:  v.Get("cross_border") != "",
		RelayAllowed: v.Get("relay") != "",
		NIS2:         v.Get("nis2") != "",
		TrustService: v.Get("trust_service") != "",
		Stage:        incident.Stage(v.Get("stage")),
		ContactEmail: strings.TrimSpace(v.Get("contact_email")),
	}
	if !r.NIS2 {
		r.Stage, r.TrustService = "", false
	}
	if c, t, ok := strings.Cut(v.Get("classification"), "/"); ok {
		r.Classification = incident.Classification{Class: c, Type: t}
	}
	for _, s := range v["sectors"] {
		if s != "" && !slices.Contains(r.Sectors, s) {
			r.Sectors = append(r.Sectors, s)
		}
	}
	for _, c := range strings.FieldsFunc(v.Get("countries"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		r.Countries = append(r.Countries, strings.ToUpper(c))
	}
	at := func(field string) time.Time {
		s := strings.TrimSpace(v.Get(field))
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(localTime, s, loc)
		if err != nil {
			if t, err = time.ParseInLocation(localTime+":05", s, loc); err != nil {
				bad[field] = "give a date and a time, e.g. 2026-11-23T14:30"
				return time.Time{}
			}
		}
		return t.UTC()
	}
	r.Timeline = incident.Timeline{Started: at("started"), Detected: at("detected"), Ended: at("ended")}
	if v.Get("ongoing") != "" {
		r.Timeline.Ended = time.Time{}
		delete(bad, "ended")
	}
	obs, lines := incident.ParseIndicators(v.Get("indicators"))
	r.Indicators = obs
	if len(lines) > 0 {
		bad["indicators"] = "some lines are not indicators; the others are kept"
	}

	if org == nil {
		return r, bad, lines
	}
	tlp, err := policy.ParseTLP(v.Get("tlp"))
	if err != nil && v.Get("tlp") != "" {
		bad["tlp"] = "choose CLEAR, GREEN, AMBER, AMBER+STRICT or RED"
	}
	r.Marking = markingOf(tlp, v.Get("audience"), r.Sectors, org, userID, officeID)
	return r, bad, lines
}

// markingOf builds the marking the form's TLP and audience choice stand
// for. TLP:RED names the reporter; TLP:AMBER+STRICT names the office, as
// sectors are not named organisations.
func markingOf(tlp policy.TLP, audience string, sectors []string, org *identity.Organisation, userID, officeID string) policy.Marking {
	m := policy.Marking{TLP: tlp, Confidential: tlp >= policy.Amber, Identifiable: tlp >= policy.Amber}
	if len(sectors) == 0 {
		sectors = org.Sectors
	}
	switch {
	case tlp == policy.Red:
		m.Audience.Users = []string{userID}
	case tlp == policy.AmberStrict || audience == audienceOffice:
		m.Audience.Orgs = []string{officeID}
	case audience == audienceCommunity && tlp <= policy.Green:
		m.Audience.Community = true
	default:
		m.Audience.Sectors = slices.Clone(sectors)
	}
	if tlp == policy.Clear {
		m.Confidential, m.Identifiable = false, false
	}
	return m
}

// reportValues writes r back into form values, in loc.
func reportValues(r incident.Report, officeID string, loc *time.Location) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("title", r.Title)
	set("description", r.Description)
	set("services", r.Services)
	set("impact", string(r.Impact))
	set("contact_email", r.ContactEmail)
	if r.Classification.Class != "" {
		v.Set("classification", r.Classification.Class+"/"+r.Classification.Type)
	}
	v["sectors"] = slices.Clone(r.Sectors)
	set("countries", strings.Join(r.Countries, ", "))
	tm := func(k string, t time.Time) {
		if !t.IsZero() {
			v.Set(k, t.In(loc).Format(localTime))
		}
	}
	tm("started", r.Timeline.Started)
	tm("detected", r.Timeline.Detected)
	tm("ended", r.Timeline.Ended)
	if r.Timeline.Ongoing() {
		v.Set("ongoing", "on")
	}
	flag := func(k string, b bool) {
		if b {
			v.Set(k, "on")
		}
	}
	flag("cross_border", r.CrossBorder)
	flag("relay", r.RelayAllowed)
	flag("nis2", r.NIS2)
	flag("trust_service", r.TrustService)
	set("stage", string(r.Stage))
	var lines []string
	for _, o := range r.Indicators {
		lines = append(lines, o.Value)
	}
	set("indicators", strings.Join(lines, "\n"))
	set("tlp", r.Marking.TLP.Label())
	a := r.Marking.Audience
	switch {
	case a.Community:
		v.Set("audience", audienceCommunity)
	case len(a.Orgs) == 1 && a.Orgs[0] == officeID:
		v.Set("audience", audienceOffice)
	case len(a.Sectors) > 0:
		v.Set("audience", audienceSectors)
	}
	return v
}

// formProblems maps the problems of a report's fields to the fields of the
// form: the classification's class and type to its one select, the
// marking's to the TLP and audience.
func formProblems(fields map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		switch {
		case k == "class" || k == "type":
			k = "classification"
		case k == "marking.audience" || strings.HasPrefix(k, "marking.audience."):
			k = "audience"
		case strings.HasPrefix(k, "marking"):
			k = "tlp"
		}
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

// lineNumber formats the number of a line for the form.
func lineNumber(n int) string { return strconv.Itoa(n) }
