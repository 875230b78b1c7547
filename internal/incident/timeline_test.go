package incident_test

import (
	"testing"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/incident"
)

func TestTimelineValidate(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return now.Add(time.Duration(n) * time.Hour) }
	for _, tc := range []struct {
		name   string
		tl     incident.Timeline
		fields []string
	}{
		{"complete", incident.Timeline{Started: h(-30), Detected: h(-5), Ended: h(-1)}, nil},
		{"ongoing, start unknown", incident.Timeline{Detected: h(-5)}, nil},
		{"a clock slightly ahead", incident.Timeline{Detected: now.Add(2 * time.Minute)}, nil},
		{"detection missing", incident.Timeline{Started: h(-5)}, []string{"detected"}},
		{"detected before it started", incident.Timeline{Started: h(-2), Detected: h(-5)}, []string{"detected"}},
		{"in the future", incident.Timeline{Started: h(2), Detected: h(3), Ended: h(4)}, []string{"started", "detected", "ended"}},
		{"ended before it started", incident.Timeline{Started: h(-2), Detected: h(-1), Ended: h(-3)}, []string{"ended"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.tl.Validate(now)
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !verbund.IsKind(err, verbund.Invalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
			f := verbund.ErrorFields(err)
			for _, name := range tc.fields {
				if f[name] == "" {
					t.Errorf("no problem named for %s: %v", name, f)
				}
			}
			if len(f) != len(tc.fields) {
				t.Errorf("problems %v, want only %v", f, tc.fields)
			}
		})
	}
}
