package demo_test

import (
	"testing"
	"time"

	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/store"
)

// checkIncidents checks what a newcomer should find of incident reporting
// in the demo: cases in every status, a NIS2 case with a late stage, a
// thread with question and answer, a report from the public, drafts.
func checkIncidents(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	inc := db.Incidents()
	cases, err := inc.ListCases(ctx, incident.CaseQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	status := map[incident.Status]int{}
	late, public, threads := false, false, 0
	for _, c := range cases {
		status[c.Status]++
		if c.OrgID == "" {
			public = true
		}
		f := false
		rs, err := inc.ListReports(ctx, incident.ReportQuery{CaseID: c.ID, Drafts: &f})
		if err != nil {
			t.Fatal(err)
		}
		if c.NIS2 {
			for _, d := range c.Reporting(rs).Deadlines(time.Now()) {
				late = late || d.State == incident.Late
			}
		}
		msgs, err := inc.Messages(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		office, reporter := false, false
		for _, m := range msgs {
			office, reporter = office || m.Office, reporter || !m.Office
		}
		if office && reporter {
			threads++
		}
	}
	if len(cases) < 6 || status[incident.StatusNew] == 0 || status[incident.StatusTriaged] == 0 ||
		status[incident.StatusInProgress] == 0 || status[incident.StatusClosed] == 0 {
		t.Errorf("demo cases by status: %v", status)
	}
	if !late || !public || threads < 3 {
		t.Errorf("demo: a late NIS2 stage %v, a public report %v, %d threads with question and answer", late, public, threads)
	}
	tr := true
	drafts, err := inc.ListReports(ctx, incident.ReportQuery{Drafts: &tr})
	if err != nil || len(drafts) < 2 {
		t.Errorf("demo drafts: %d, %v", len(drafts), err)
	}
}
