package server

import (
	"sync"
	"time"
)

// Registrations are limited per client address: a person registers one
// organisation, and a script that tries many names or addresses (to learn
// which are registered, or to fill the office's queue) is stopped after a
// few.
const (
	registrationLimit  = 10
	registrationWindow = time.Hour
	// limiterKeys bounds the addresses a limiter remembers; beyond it,
	// addresses without a recent event are forgotten first.
	limiterKeys = 10_000
)

// limiter counts events per key in a sliding window, in memory. Each node
// of an installation counts for itself: behind a load balancer with n nodes
// a client gets up to n times the limit, which is still a limit, and a
// restart forgets the counts. Login failures, which must hold across nodes,
// are counted in the database by the identity service instead.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	seen   map[string][]time.Time // key → times of events in the window, oldest first
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, seen: map[string][]time.Time{}}
}

// recent returns the events of key in the window before now, dropping
// older ones. The caller holds mu.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	ts := l.seen[key]
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-l.window)) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.seen, key)
		return nil
	}
	l.seen[key] = ts
	return ts
}

// full reports whether key has reached the limit at now.
func (l *limiter) full(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key, now)) >= l.limit
}

// add counts an event of key at now.
func (l *limiter) add(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) >= limiterKeys {
		for k := range l.seen {
			l.recent(k, now)
		}
	}
	l.seen[key] = append(l.recent(key, now), now)
}
