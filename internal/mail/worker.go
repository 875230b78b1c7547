package mail

import (
	"context"
	"log/slog"
	"time"
)

// Sender hands one message to a mail server.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Worker sends due messages from the outbox, with retries and backoff.
// Several workers (on several nodes) may run at once: each message is
// claimed before it is sent, so only one of them sends it. A message is
// marked sent only after the server accepted it, so a crash between the two
// sends it again after the claim's lease rather than never (at-least-once).
type Worker struct {
	Store    Store
	Sender   Sender
	Logger   *slog.Logger
	Now      func() time.Time
	Interval time.Duration // how often to look for due messages; default 5 s
	Batch    int           // messages per round; default 50
}

// ClaimLease is how long a claimed message is reserved for the worker that
// claimed it.
const ClaimLease = 5 * time.Minute

// Run sends until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	interval := w.Interval
	if interval == 0 {
		interval = 5 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		w.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce sends the messages due now and returns how many were accepted.
func (w *Worker) RunOnce(ctx context.Context) int {
	now := w.now()
	batch := w.Batch
	if batch == 0 {
		batch = 50
	}
	due, err := w.Store.DueMail(ctx, now, batch)
	if err != nil {
		if ctx.Err() == nil {
			w.Logger.Error("reading the mail outbox failed", "err", err)
		}
		return 0
	}
	sent := 0
	for _, m := range due {
		if ctx.Err() != nil {
			return sent
		}
		ok, err := w.Store.ClaimMail(ctx, m.ID, now, w.now().Add(ClaimLease))
		if err != nil {
			w.Logger.Error("claiming mail failed", "mail_id", m.ID, "err", err)
			continue
		}
		if !ok {
			continue // another worker has it
		}
		if err := w.Sender.Send(ctx, m); err != nil {
			attempts := m.Attempts + 1
			status := Pending
			if attempts >= MaxAttempts {
				status = Failed
			}
			next := w.now().Add(Backoff(attempts))
			// The address is logged, never the content.
			w.Logger.Warn("sending mail failed", "mail_id", m.ID, "attempts", attempts, "status", status, "err", err)
			if err := w.Store.MarkMailFailed(ctx, m.ID, attempts, next, truncate(err.Error(), 500), status); err != nil {
				w.Logger.Error("recording a mail failure failed", "mail_id", m.ID, "err", err)
			}
			continue
		}
		if err := w.Store.MarkMailSent(ctx, m.ID, w.now()); err != nil {
			w.Logger.Error("recording a sent mail failed", "mail_id", m.ID, "err", err)
			continue
		}
		sent++
	}
	return sent
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC()
	}
	return time.Now().UTC()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
