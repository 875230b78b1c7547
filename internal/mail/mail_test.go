package mail_test

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/store/storetest"
)

// smtpServer is a small but real SMTP server (RFC 5321 dialogue over TCP)
// that keeps what it receives, and can be told to refuse recipients.
type smtpServer struct {
	ln     net.Listener
	mu     sync.Mutex
	got    []string // DATA of accepted messages
	refuse bool
}

func newSMTPServer(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { io.WriteString(c, line+"\r\n") }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-test greets you")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			s.mu.Lock()
			refuse := s.refuse
			s.mu.Unlock()
			if refuse {
				say("451 4.3.0 try again later")
			} else {
				say("250 ok")
			}
		case cmd == "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.got = append(s.got, b.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		case cmd == "RSET", cmd == "NOOP":
			say("250 ok")
		default:
			say("502 not implemented")
		}
	}
}

func (s *smtpServer) setRefuse(v bool) {
	s.mu.Lock()
	s.refuse = v
	s.mu.Unlock()
}

func (s *smtpServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

func TestWorkerDeliversWithRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		srv := newSMTPServer(t)
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		m := mail.Message{ID: "m1", To: "soc@stadtwerke.example", Subject: "Warnung: kritische Lücke in VPN-Gateways",
			Text: "Guten Tag,\nbitte sofort patchen.\n", HTML: "<p>Guten Tag,</p><p>bitte <b>sofort</b> patchen.</p>",
			Status: mail.Pending, CreatedAt: now}
		if err := db.EnqueueMail(ctx, m); err != nil {
			t.Fatal(err)
		}
		w := &mail.Worker{Store: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock,
			Sender: &mail.SMTP{Addr: srv.ln.Addr().String(), From: "verbund@office.example", Insecure: true, Timeout: 5 * time.Second}}

		// The server refuses: the message stays pending with a later attempt.
		srv.setRefuse(true)
		if n := w.RunOnce(ctx); n != 0 {
			t.Fatalf("sent %d while the server refuses", n)
		}
		got, _ := db.Mail(ctx, "m1")
		if got.Status != mail.Pending || got.Attempts != 1 || !got.NextAttempt.Equal(now.Add(mail.Backoff(1))) || !strings.Contains(got.LastError, "451") {
			t.Fatalf("after a refusal: %+v", got)
		}
		// Not due yet: nothing is tried.
		srv.setRefuse(false)
		if n := w.RunOnce(ctx); n != 0 || len(srv.received()) != 0 {
			t.Fatal("a message was retried before its backoff ended")
		}
		now = now.Add(mail.Backoff(1))
		if n := w.RunOnce(ctx); n != 1 {
			t.Fatalf("sent %d, want 1", n)
		}
		got, _ = db.Mail(ctx, "m1")
		if got.Status != mail.Sent || got.SentAt.IsZero() {
			t.Fatalf("after delivery: %+v", got)
		}
		data := srv.received()
		if len(data) != 1 {
			t.Fatalf("server received %d messages", len(data))
		}
		for _, want := range []string{"To: soc@stadtwerke.example", "Subject: =?utf-8?q?Warnung:_kritische_L=C3=BCcke_in_VPN-Gateways?=",
			"multipart/alternative", "text/plain; charset=utf-8", "text/html; charset=utf-8", "Message-ID: <m1@office.example>"} {
			if !strings.Contains(data[0], want) {
				t.Errorf("message lacks %q:\n%s", want, data[0])
			}
		}
		// Delivered once: another round sends nothing.
		if n := w.RunOnce(ctx); n != 0 {
			t.Errorf("a sent message was sent again")
		}
	})
}

func TestWorkerGivesUp(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := t.Context()
	srv := newSMTPServer(t)
	srv.setRefuse(true)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	_ = db.EnqueueMail(ctx, mail.Message{ID: "m2", To: "a@b.example", Subject: "s", Text: "t", Status: mail.Pending, CreatedAt: now})
	w := &mail.Worker{Store: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now },
		Sender: &mail.SMTP{Addr: srv.ln.Addr().String(), From: "v@o.example", Insecure: true}}
	for i := 1; i <= mail.MaxAttempts; i++ {
		w.RunOnce(ctx)
		now = now.Add(mail.Backoff(i))
	}
	got, _ := db.Mail(ctx, "m2")
	if got.Status != mail.Failed || got.Attempts != mail.MaxAttempts {
		t.Fatalf("after %d refusals: %+v", mail.MaxAttempts, got)
	}
}

func TestSMTPRequiresTLSUnlessInsecure(t *testing.T) {
	srv := newSMTPServer(t)
	s := &mail.SMTP{Addr: srv.ln.Addr().String(), From: "v@o.example", Timeout: 5 * time.Second}
	err := s.Send(t.Context(), mail.Message{To: "a@b.example", Subject: "s", Text: "t"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("plain-text SMTP without insecure=true: %v", err)
	}
	if len(srv.received()) != 0 {
		t.Fatal("a message went out without TLS")
	}
}

func TestBackoff(t *testing.T) {
	prev := time.Duration(0)
	for i := 1; i <= mail.MaxAttempts+5; i++ {
		d := mail.Backoff(i)
		if d < prev || d > 6*time.Hour {
			t.Fatalf("Backoff(%d) = %v after %v", i, d, prev)
		}
		prev = d
	}
	if mail.Backoff(1) != 30*time.Second {
		t.Errorf("first retry after %v", mail.Backoff(1))
	}
}

func TestParseSMTPURL(t *testing.T) {
	s, err := mail.ParseSMTPURL("smtp://user:p%40ss@mail.example:2525?insecure=true", "verbund@example.org")
	if err != nil || s.Addr != "mail.example:2525" || s.Username != "user" || s.Password != "p@ss" || !s.Insecure {
		t.Fatalf("%+v %v", s, err)
	}
	if s, _ := mail.ParseSMTPURL("smtp://mail.example", "v@e.org"); s.Addr != "mail.example:587" {
		t.Errorf("default port: %s", s.Addr)
	}
	for _, bad := range []string{"http://mail.example", "mail.example:25", "smtp://"} {
		if _, err := mail.ParseSMTPURL(bad, "v@e.org"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Two workers on one outbox: every message is sent exactly once.
func TestWorkersShareTheOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		srv := newSMTPServer(t)
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		for i := range 40 {
			_ = db.EnqueueMail(ctx, mail.Message{ID: "m" + strings.Repeat("x", i), To: "a@b.example", Subject: "s", Text: "t", Status: mail.Pending, CreatedAt: now})
		}
		mk := func() *mail.Worker {
			return &mail.Worker{Store: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }, Batch: 40,
				Sender: &mail.SMTP{Addr: srv.ln.Addr().String(), From: "v@o.example", Insecure: true}}
		}
		var wg sync.WaitGroup
		var sent [2]int
		for i := range 2 {
			wg.Go(func() { sent[i] = mk().RunOnce(ctx) })
		}
		wg.Wait()
		if sent[0]+sent[1] != 40 || len(srv.received()) != 40 {
			t.Fatalf("workers sent %d + %d, server got %d; want 40 in all", sent[0], sent[1], len(srv.received()))
		}
	})
}

func TestNewMessageHeldOrPending(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	if m := mail.NewMessage("1", "a@example.org", "S", "T", at, false); m.Status != mail.Pending || m.To != "a@example.org" || !m.CreatedAt.Equal(at) {
		t.Errorf("a message to send = %+v, want pending", m)
	}
	if m := mail.NewMessage("2", "a@example.org", "S", "T", at, true); m.Status != mail.Held {
		t.Errorf("a held message = %+v, want held", m)
	}
}
