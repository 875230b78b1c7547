package incident_test

import (
	"strings"
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
)

func TestCaseWorkflow(t *testing.T) {
	for _, tc := range []struct {
		from, to incident.Status
		lessons  string
		kind     verbund.Kind // 0: allowed
	}{
		{incident.StatusNew, incident.StatusTriaged, "", 0},
		{incident.StatusTriaged, incident.StatusInProgress, "", 0},
		{incident.StatusInProgress, incident.StatusClosed, "Patch VPN gateways within 48 hours.", 0},
		{incident.StatusClosed, incident.StatusInProgress, "", 0},
		{incident.StatusNew, incident.StatusClosed, "Test report, nothing happened.", 0},
		{incident.StatusInProgress, incident.StatusClosed, "  ", verbund.Invalid},
		{incident.StatusNew, incident.StatusInProgress, "", verbund.Conflict},
		{incident.StatusClosed, incident.StatusNew, "", verbund.Conflict},
		{incident.StatusNew, "archived", "", verbund.Invalid},
	} {
		err := incident.Move(tc.from, tc.to, tc.lessons)
		if tc.kind == 0 && err != nil || tc.kind != 0 && !verbund.IsKind(err, tc.kind) {
			t.Errorf("%s → %s: err = %v, want kind %v", tc.from, tc.to, err, tc.kind)
		}
	}
}

func TestFollowUp(t *testing.T) {
	a, err := incident.NewFollowUp()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := incident.NewFollowUp()
	if a.Reference == b.Reference || a.Secret == b.Secret {
		t.Error("two follow-ups are the same")
	}
	if len(a.Reference) != len("VB-XXXX-XXXX") || strings.ContainsAny(a.Reference[3:], "01ILOU") {
		t.Errorf("reference %q, want VB-XXXX-XXXX without look-alike characters", a.Reference)
	}
	h := incident.HashSecret(a.Secret)
	if !incident.SecretMatches(a.Secret, h) {
		t.Error("the secret does not match its own hash")
	}
	typed := strings.ToLower(a.Secret[:8]) + " - " + a.Secret[8:]
	if !incident.SecretMatches(typed, h) {
		t.Errorf("%q (case and spaces changed) does not match", typed)
	}
	if incident.SecretMatches(b.Secret, h) || incident.SecretMatches("", h) || incident.SecretMatches(a.Secret, nil) {
		t.Error("a wrong secret matches")
	}
}

func validReport(now time.Time) incident.Report {
	return incident.Report{
		ID: "r1", OrgID: "org1", UserID: "u1",
		Title: "Ransomware on file servers", Description: "Files on two servers were encrypted overnight.",
		Classification: incident.Classification{Class: "information-content-security", Type: "unauthorised-information-modification"},
		Sectors:        []string{"energy"}, Impact: incident.ImpactHigh,
		Timeline:   incident.Timeline{Started: now.Add(-30 * time.Hour), Detected: now.Add(-6 * time.Hour)},
		Indicators: []stix.Observable{{Type: stix.IPv4Addr, Value: "203.0.113.45"}},
		Marking:    policy.Marking{TLP: policy.Amber, Audience: policy.Audience{Sectors: []string{"energy"}}},
		NIS2:       true, Stage: incident.EarlyWarning,
	}
}

func TestReportSubmission(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	sectors := []string{"energy", "water"}
	r := validReport(now)
	if err := r.CheckSubmission(now, sectors); err != nil {
		t.Fatalf("a complete report: %v (%v)", err, verbund.ErrorFields(err))
	}
	for _, tc := range []struct {
		name   string
		change func(*incident.Report)
		field  string
	}{
		{"no title", func(r *incident.Report) { r.Title = " " }, "title"},
		{"no description", func(r *incident.Report) { r.Description = "" }, "description"},
		{"no class", func(r *incident.Report) { r.Classification = incident.Classification{} }, "class"},
		{"wrong type", func(r *incident.Report) { r.Classification.Type = "phishing" }, "type"},
		{"no impact", func(r *incident.Report) { r.Impact = "" }, "impact"},
		{"unknown sector", func(r *incident.Report) { r.Sectors = []string{"space"} }, "sectors"},
		{"detected before started", func(r *incident.Report) { r.Timeline.Detected = r.Timeline.Started.Add(-time.Hour) }, "detected"},
		{"started in the future", func(r *incident.Report) { r.Timeline.Started = now.Add(24 * time.Hour) }, "started"},
		{"cross-border without countries", func(r *incident.Report) { r.CrossBorder = true }, "countries"},
		{"bad country", func(r *incident.Report) { r.CrossBorder, r.Countries = true, []string{"Netherlands"} }, "countries"},
		{"RED without named users", func(r *incident.Report) { r.Marking = policy.Marking{TLP: policy.Red} }, "marking"},
		{"NIS2 from the public", func(r *incident.Report) { r.OrgID = "" }, "nis2"},
		{"a stage outside NIS2", func(r *incident.Report) { r.NIS2 = false }, "stage"},
		{"title too long", func(r *incident.Report) { r.Title = strings.Repeat("x", 201) }, "title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := validReport(now)
			tc.change(&r)
			err := r.CheckSubmission(now, sectors)
			found := false
			for k := range verbund.ErrorFields(err) {
				if k == tc.field || strings.HasPrefix(k, tc.field+".") {
					found = true
				}
			}
			if !verbund.IsKind(err, verbund.Invalid) || !found {
				t.Errorf("err = %v %v, want a problem with %s", err, verbund.ErrorFields(err), tc.field)
			}
		})
	}
	// A draft keeps anything within the limits, however incomplete.
	draft := incident.Report{Title: "Something odd on the VPN", Draft: true}
	if err := draft.CheckDraft(); err != nil {
		t.Errorf("an incomplete draft is refused: %v", err)
	}
	draft.Description = strings.Repeat("x", 20001)
	if err := draft.CheckDraft(); verbund.ErrorFields(err)["description"] == "" {
		t.Errorf("an oversized draft: err = %v", err)
	}
	if o := validReport(now); o.Object().Kind != policy.KindIncident || o.Object().OwnerOrg != "org1" {
		t.Errorf("policy object = %+v", o.Object())
	}
}
