package incident_test

import (
	"testing"
	"time"

	"github.com/verbund/verbund/internal/incident"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("time zone %s: %v", name, err)
	}
	return loc
}

func at(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func byStage(ds []incident.Deadline) map[incident.Stage]incident.Deadline {
	m := map[incident.Stage]incident.Deadline{}
	for _, d := range ds {
		m[d.Stage] = d
	}
	return m
}

// The 24 and 72 hours are elapsed hours: across the switch to summer time
// the wall clock of the deadline moves by the hour the night lost.
func TestHourDeadlinesAcrossDaylightSaving(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	aware := at(t, berlin, "2026-03-28 10:00") // CET; summer time starts on 29 March
	ds := byStage(incident.Reporting{Aware: aware, Location: berlin}.Deadlines(aware))
	if got, want := ds[incident.EarlyWarning].Due.In(berlin), at(t, berlin, "2026-03-29 11:00"); !got.Equal(want) {
		t.Errorf("early warning due %v, want %v (24 elapsed hours)", got, want)
	}
	if got := ds[incident.EarlyWarning].Due.Sub(aware); got != 24*time.Hour {
		t.Errorf("early warning %v after awareness, want 24h", got)
	}
	if got, want := ds[incident.Notification].Due, aware.Add(72*time.Hour); !got.Equal(want) {
		t.Errorf("notification due %v, want %v", got, want)
	}
	if ds[incident.Final].State != incident.Waiting || !ds[incident.Final].Due.IsZero() {
		t.Errorf("final report before the notification: %+v, want waiting without a date", ds[incident.Final])
	}
	// The same instant seen from another zone has the same hour deadlines.
	ny := incident.Reporting{Aware: aware.In(zone(t, "America/New_York")), Location: zone(t, "America/New_York")}
	if got := byStage(ny.Deadlines(aware))[incident.Notification].Due; !got.Equal(ds[incident.Notification].Due) {
		t.Errorf("the notification deadline depends on the zone: %v vs %v", got, ds[incident.Notification].Due)
	}
}

func TestTrustServiceNotifiesWithin24Hours(t *testing.T) {
	aware := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	ds := byStage(incident.Reporting{Aware: aware, TrustService: true}.Deadlines(aware))
	if got := ds[incident.Notification].Due.Sub(aware); got != 24*time.Hour {
		t.Errorf("trust service notification due after %v, want 24h", got)
	}
}

// One month is a calendar month in the organisation's zone, ending with
// the last hour of the day with the same date (or the month's last day).
func TestMonthAfter(t *testing.T) {
	berlin, amsterdam := zone(t, "Europe/Berlin"), zone(t, "Europe/Amsterdam")
	for _, tc := range []struct {
		name  string
		from  time.Time
		loc   *time.Location
		ends  string // the local day the period ends on
		hours int    // the length of that day, in hours
	}{
		{"ordinary", at(t, berlin, "2026-03-30 15:00"), berlin, "2026-04-30", 24},
		{"31 January, no 31 February", at(t, amsterdam, "2026-01-31 10:00"), amsterdam, "2026-02-28", 24},
		{"leap year", at(t, amsterdam, "2028-01-31 10:00"), amsterdam, "2028-02-29", 24},
		{"31 May to 30 June", at(t, berlin, "2026-05-31 09:00"), berlin, "2026-06-30", 24},
		{"December to January", at(t, berlin, "2026-12-15 12:00"), berlin, "2027-01-15", 24},
		{"ends on the 25-hour day summer time ends", at(t, berlin, "2026-09-25 16:00"), berlin, "2026-10-25", 25},
		{"ends on the 23-hour day summer time starts", at(t, berlin, "2027-02-28 16:00"), berlin, "2027-03-28", 23},
		// The same instant: 1 June in Berlin, still 31 May in UTC.
		{"zone decides the date (Berlin)", time.Date(2026, 5, 31, 23, 30, 0, 0, time.UTC), berlin, "2026-07-01", 24},
		{"zone decides the date (UTC)", time.Date(2026, 5, 31, 23, 30, 0, 0, time.UTC), nil, "2026-06-30", 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := tc.loc
			if loc == nil {
				loc = time.UTC
			}
			end := incident.MonthAfter(tc.from, tc.loc).In(loc)
			if got := end.Format("2006-01-02"); got != tc.ends {
				t.Errorf("ends on %s, want %s", got, tc.ends)
			}
			next := end.Add(time.Nanosecond)
			if next.Hour() != 0 || next.Minute() != 0 || next.Format("2006-01-02") == tc.ends {
				t.Errorf("ends at %v, want the last instant of the day", end)
			}
			y, m, d := end.Date()
			if got := next.Sub(time.Date(y, m, d, 0, 0, 0, 0, loc)); got != time.Duration(tc.hours)*time.Hour {
				t.Errorf("the last day has %v, want %dh", got, tc.hours)
			}
		})
	}
}

func TestDeadlineStates(t *testing.T) {
	aware := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	r := incident.Reporting{Aware: aware, Submitted: map[incident.Stage]time.Time{}}
	state := func(now time.Time, s incident.Stage) incident.DeadlineState {
		return byStage(r.Deadlines(now))[s].State
	}
	if got := state(aware.Add(time.Hour), incident.EarlyWarning); got != incident.Open {
		t.Errorf("an hour after awareness: %s, want open", got)
	}
	if got := state(aware.Add(20*time.Hour), incident.EarlyWarning); got != incident.DueSoon {
		t.Errorf("20 hours after awareness: %s, want due soon", got)
	}
	if d := byStage(r.Deadlines(aware))[incident.EarlyWarning]; !d.Remind.Before(d.Due) || !d.Remind.After(aware) {
		t.Errorf("reminder at %v for a deadline at %v", d.Remind, d.Due)
	}
	if got := state(aware.Add(25*time.Hour), incident.EarlyWarning); got != incident.Overdue {
		t.Errorf("25 hours after awareness: %s, want overdue", got)
	}
	r.Submitted[incident.EarlyWarning] = aware.Add(23 * time.Hour)
	r.Submitted[incident.Notification] = aware.Add(80 * time.Hour)
	now := aware.Add(100 * time.Hour)
	if got := state(now, incident.EarlyWarning); got != incident.OnTime {
		t.Errorf("early warning after 23h: %s, want on time", got)
	}
	if got := state(now, incident.Notification); got != incident.Late {
		t.Errorf("notification after 80h: %s, want late", got)
	}
	// The final report's month runs from the notification, not from awareness.
	// (Still ongoing, so the month's end is the progress report's.)
	if got, want := byStage(r.Deadlines(now))[incident.Progress].Due, incident.MonthAfter(aware.Add(80*time.Hour), nil); !got.Equal(want) {
		t.Errorf("report due at the month's end %v, want %v: one month after the notification", got, want)
	}
}

// An incident still ongoing when the final report falls due calls for a
// progress report then, and the final report one month after it is handled.
func TestProgressReportWhileOngoing(t *testing.T) {
	aware := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	notified := aware.Add(48 * time.Hour)
	month := incident.MonthAfter(notified, nil)
	r := incident.Reporting{Aware: aware, Submitted: map[incident.Stage]time.Time{
		incident.EarlyWarning: aware.Add(time.Hour), incident.Notification: notified}}

	handledEarly := r
	handledEarly.Handled = notified.Add(10 * 24 * time.Hour)
	ds := byStage(handledEarly.Deadlines(notified))
	if _, ok := ds[incident.Progress]; ok || !ds[incident.Final].Due.Equal(month) {
		t.Errorf("handled within the month: %+v, want a final report due %v and no progress report", ds, month)
	}

	ds = byStage(r.Deadlines(month.Add(time.Hour)))
	if !ds[incident.Progress].Due.Equal(month) || ds[incident.Progress].State != incident.Overdue {
		t.Errorf("ongoing: progress report %+v, want due %v and overdue", ds[incident.Progress], month)
	}
	if ds[incident.Final].State != incident.Waiting {
		t.Errorf("ongoing: final report %+v, want waiting for the end of the incident", ds[incident.Final])
	}

	handledLate := r
	handledLate.Handled = month.Add(5 * 24 * time.Hour)
	ds = byStage(handledLate.Deadlines(handledLate.Handled))
	if want := incident.MonthAfter(handledLate.Handled, nil); !ds[incident.Final].Due.Equal(want) {
		t.Errorf("handled after the month: final due %v, want %v", ds[incident.Final].Due, want)
	}
	if _, ok := ds[incident.Progress]; !ok {
		t.Error("handled after the month: the progress report was due and is gone")
	}
}
