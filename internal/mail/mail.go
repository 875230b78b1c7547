// Package mail sends e-mail through a durable outbox.
//
// Every message is first stored in the outbox (in the transaction of the
// action that caused it, where there is one); a worker then hands it to SMTP,
// retrying with backoff. Without SMTP configured (and in demo mode) messages
// stay in the outbox as "held", where the office admin can read them.
package mail

import (
	"context"
	"time"
)

// Status of a message in the outbox.
type Status string

const (
	Pending Status = "pending" // waiting for (another) attempt
	Sent    Status = "sent"    // accepted by the SMTP server
	Held    Status = "held"    // no SMTP configured: kept for reading in the UI
	Failed  Status = "failed"  // gave up after MaxAttempts
)

// MaxAttempts is how often the worker tries a message before giving up.
const MaxAttempts = 12

// Message is one e-mail in the outbox.
type Message struct {
	ID          string
	To          string
	Subject     string
	Text        string
	HTML        string // optional; sent as multipart/alternative with Text
	Status      Status
	Attempts    int
	NextAttempt time.Time
	LastError   string
	CreatedAt   time.Time
	SentAt      time.Time
}

// NewMessage returns a new message for the outbox, pending, or held for
// reading under Outbox when held is true (no SMTP server, or demo mode).
func NewMessage(id, to, subject, text string, at time.Time, held bool) Message {
	m := Message{ID: id, To: to, Subject: subject, Text: text, CreatedAt: at, Status: Pending}
	if held {
		m.Status = Held
	}
	return m
}

// Backoff returns how long to wait after the given number of failed attempts:
// 30 s doubling up to 6 h.
func Backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}

// Filter narrows a listing of the outbox.
type Filter struct {
	Status Status
	To     string
	Limit  int // default 50, at most 500
	Offset int
}

// Store is the outbox storage.
type Store interface {
	// EnqueueMail stores m (its ID, CreatedAt and Status must be set).
	EnqueueMail(ctx context.Context, m Message) error
	// ListMail returns messages matching f, newest first.
	ListMail(ctx context.Context, f Filter) ([]Message, error)
	Mail(ctx context.Context, id string) (Message, error)
	// DueMail returns up to limit pending messages whose next attempt is at or
	// before now, oldest first.
	DueMail(ctx context.Context, now time.Time, limit int) ([]Message, error)
	// ClaimMail takes message id for one attempt by moving its next attempt
	// to until; false when another worker took it first. A worker that dies
	// after claiming leaves the message due again at until.
	ClaimMail(ctx context.Context, id string, now, until time.Time) (bool, error)
	// MarkMailSent records that m was accepted at at.
	MarkMailSent(ctx context.Context, id string, at time.Time) error
	// MarkMailFailed records a failed attempt: attempts, next attempt, error
	// and the resulting status (Pending or Failed).
	MarkMailFailed(ctx context.Context, id string, attempts int, next time.Time, lastErr string, status Status) error
}
