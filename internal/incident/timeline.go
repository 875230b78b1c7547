package incident

import (
	"time"

	"github.com/verbund/verbund"
)

// Timeline is when an incident happened, as its reporter tells it.
type Timeline struct {
	Started  time.Time // when the incident began; zero when unknown
	Detected time.Time // when the organisation became aware of it
	// Ended is when it stopped; zero while it is ongoing.
	Ended time.Time
}

// clockSkew is how far in the future a time may lie, for clocks that run a
// little ahead of the server's.
const clockSkew = 5 * time.Minute

// Validate checks t at now: the detection is known, nothing lies in the
// future, the incident was not detected before it started nor ended before
// it started. Every problem is named by its field.
func (t Timeline) Validate(now time.Time) error {
	f := map[string]string{}
	future := now.Add(clockSkew)
	if t.Detected.IsZero() {
		f["detected"] = "say when your organisation became aware of the incident"
	} else if t.Detected.After(future) {
		f["detected"] = "lies in the future"
	}
	if t.Started.After(future) {
		f["started"] = "lies in the future"
	}
	if t.Ended.After(future) {
		f["ended"] = "lies in the future"
	}
	if !t.Started.IsZero() && !t.Detected.IsZero() && t.Detected.Before(t.Started) && f["detected"] == "" {
		f["detected"] = "is before the incident started: it cannot be detected before it began"
	}
	if !t.Started.IsZero() && !t.Ended.IsZero() && t.Ended.Before(t.Started) && f["ended"] == "" {
		f["ended"] = "is before the incident started"
	}
	if len(f) > 0 {
		return verbund.InvalidFields("incident.Timeline", f)
	}
	return nil
}

// Ongoing reports whether the incident has not ended.
func (t Timeline) Ongoing() bool { return t.Ended.IsZero() }
