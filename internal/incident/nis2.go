package incident

import (
	"time"
)

// Reporting under article 23 of the NIS2 directive. An essential or
// important entity that becomes aware of a significant incident reports in
// stages, each with its own deadline:
//
//   - an early warning without undue delay and in any event within 24 hours
//     of becoming aware of the incident (art. 23(4)(a));
//   - an incident notification within 72 hours of becoming aware, or within
//     24 hours for a provider of trust services (art. 23(4)(b));
//   - a final report not later than one month after the incident
//     notification was submitted (art. 23(4)(d)); when the incident is still
//     ongoing then, a progress report at that time instead, and the final
//     report within one month of the incident having been handled
//     (art. 23(4)(e)).
//
// Periods in hours are elapsed time: 24 hours after awareness is the same
// instant in every time zone and across a change to or from daylight
// saving time. This is the cautious reading: Regulation (EEC, Euratom)
// No 1182/71 would let an hour-period start with the next full hour, and
// Verbund never shows a deadline later than the law's. A period of one
// month is a calendar period in the organisation's time zone
// (Regulation 1182/71, art. 3(2)(c)): it ends with the last hour of the
// day in the next month with the same date, or of that month's last day
// when it has no such date (31 January → 28 or 29 February).

// Stage is one step of the reporting under article 23.
type Stage string

// The stages of a NIS2 report, in the order they are due.
const (
	EarlyWarning Stage = "early-warning"
	Notification Stage = "notification"
	Progress     Stage = "progress"
	Final        Stage = "final"
)

// Stages lists the stages in order, for catalogues and forms.
func Stages() []Stage { return []Stage{EarlyWarning, Notification, Progress, Final} }

// Reporting is what the deadlines of one case depend on.
type Reporting struct {
	// Aware is when the entity became aware of the significant incident.
	Aware time.Time
	// Location is the organisation's time zone, for periods in months;
	// nil is UTC.
	Location *time.Location
	// TrustService marks a provider of trust services, whose incident
	// notification is due within 24 hours.
	TrustService bool
	// Submitted holds when each stage was submitted; a stage not in it is
	// still open.
	Submitted map[Stage]time.Time
	// Handled is when the incident was handled (closed by the reporter);
	// zero while it is ongoing.
	Handled time.Time
}

// DeadlineState is where a stage stands at a moment.
type DeadlineState string

// The states of a deadline.
const (
	Open    DeadlineState = "open"     // not submitted, due later than the reminder lead
	DueSoon DeadlineState = "due-soon" // not submitted, the reminder time has passed
	Overdue DeadlineState = "overdue"  // not submitted, the deadline has passed
	OnTime  DeadlineState = "on-time"  // submitted by the deadline
	Late    DeadlineState = "late"     // submitted after the deadline
	Waiting DeadlineState = "waiting"  // its deadline depends on a stage not yet submitted
)

// Deadline is one stage's deadline in a case.
type Deadline struct {
	Stage Stage
	// Due is the deadline; zero while State is Waiting.
	Due time.Time
	// Remind is when the reporter is reminded, if the stage is still open.
	Remind    time.Time
	Submitted time.Time // zero while open
	State     DeadlineState
}

// reminderLead is how long before a deadline the reporter is reminded.
var reminderLead = map[Stage]time.Duration{
	EarlyWarning: 6 * time.Hour,
	Notification: 24 * time.Hour,
	Progress:     3 * 24 * time.Hour,
	Final:        3 * 24 * time.Hour,
}

// Deadlines computes every stage's deadline of r as it stands at now. The
// progress report appears only when the final report's first deadline
// comes while the incident is still ongoing: then that deadline is the
// progress report's and the final report falls due one month after the
// incident is handled.
func (r Reporting) Deadlines(now time.Time) []Deadline {
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	notifyWithin := 72 * time.Hour
	if r.TrustService {
		notifyWithin = 24 * time.Hour
	}
	out := []Deadline{
		r.deadline(EarlyWarning, r.Aware.Add(24*time.Hour), now),
		r.deadline(Notification, r.Aware.Add(notifyWithin), now),
	}
	notified, ok := r.Submitted[Notification]
	if !ok {
		return append(out, Deadline{Stage: Final, State: Waiting})
	}
	oneMonth := MonthAfter(notified, loc)
	ongoingThen := r.Handled.IsZero() || r.Handled.After(oneMonth)
	if !ongoingThen {
		return append(out, r.deadline(Final, oneMonth, now))
	}
	out = append(out, r.deadline(Progress, oneMonth, now))
	if r.Handled.IsZero() {
		return append(out, Deadline{Stage: Final, State: Waiting})
	}
	return append(out, r.deadline(Final, MonthAfter(r.Handled, loc), now))
}

func (r Reporting) deadline(s Stage, due, now time.Time) Deadline {
	d := Deadline{Stage: s, Due: due, Remind: due.Add(-reminderLead[s])}
	if at, ok := r.Submitted[s]; ok {
		d.Submitted = at
		if at.After(due) {
			d.State = Late
		} else {
			d.State = OnTime
		}
		return d
	}
	switch {
	case now.After(due):
		d.State = Overdue
	case !now.Before(d.Remind):
		d.State = DueSoon
	default:
		d.State = Open
	}
	return d
}

// MonthAfter returns the end of a period of one month that runs from t, in
// loc: the last instant of the day in the next month that has t's date in
// loc, or of that month's last day when it has no such date.
func MonthAfter(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	y, m, d := l.Date()
	first := time.Date(y, m+1, 1, 0, 0, 0, 0, loc) // normalises December
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	// The period ends with the expiry of the last hour of that day: the
	// instant before the next day begins, whatever its length in hours.
	return time.Date(first.Year(), first.Month(), d+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
}
