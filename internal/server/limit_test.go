package server

import (
	"testing"
	"time"
)

// The limiter counts per key in a sliding window: the limit holds for a
// window after the first event, and each event expires on its own.
func TestLimiterWindow(t *testing.T) {
	l := newLimiter(3, time.Hour)
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if l.full("a", t0) {
			t.Fatalf("full after %d events", i)
		}
		l.add("a", t0.Add(time.Duration(i)*10*time.Minute))
	}
	if !l.full("a", t0.Add(30*time.Minute)) {
		t.Error("not full after 3 events")
	}
	if l.full("b", t0.Add(30*time.Minute)) {
		t.Error("another key is limited too")
	}
	// The first event leaves the window an hour after it happened.
	if !l.full("a", t0.Add(time.Hour-time.Second)) || l.full("a", t0.Add(time.Hour)) {
		t.Error("the window does not slide with the oldest event")
	}
	if l.full("a", t0.Add(3*time.Hour)); len(l.seen) != 0 {
		t.Errorf("expired keys are kept: %v", l.seen)
	}
}
