package account

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// SMTP sends mail through an SMTP server (STARTTLS when the server offers
// it, PLAIN authentication when a user is set).
type SMTP struct {
	Addr     string // host:port
	From     string // the envelope and header sender
	User     string
	Password string // never logged
}

// Send implements Sender.
func (s *SMTP) Send(ctx context.Context, m Mail) error {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("smtp address %q: %w", s.Addr, err)
	}
	var a smtp.Auth
	if s.User != "" {
		a = smtp.PlainAuth("", s.User, s.Password, host)
	}
	msg := "From: " + s.From + "\r\nTo: " + m.To + "\r\nSubject: " + mimeWord(m.Subject) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(m.Body, "\n", "\r\n")
	return smtp.SendMail(s.Addr, a, s.From, []string{m.To}, []byte(msg))
}

// mimeWord encodes a header value that is not ASCII (RFC 2047).
func mimeWord(s string) string {
	for _, r := range s {
		if r > 126 {
			return "=?utf-8?q?" + strings.NewReplacer("=", "=3D", "?", "=3F", "_", "=5F", " ", "_").Replace(qp(s)) + "?="
		}
	}
	return s
}

func qp(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c > 126 {
			fmt.Fprintf(&b, "=%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// LogSender prints messages to the log: how a developer receives
// invitations when no SMTP server is configured.
type LogSender struct{ Log *slog.Logger }

// Send implements Sender.
func (l LogSender) Send(ctx context.Context, m Mail) error {
	l.Log.InfoContext(ctx, "mail (development: no SMTP server configured)", "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// MaxAttempts is how often a message is tried before it is left aside.
const MaxAttempts = 10

// Deliver sends the pending messages once, recording each outcome.
func (s *Service) Deliver(ctx context.Context, sender Sender) (sent int, err error) {
	var pending []Mail
	if err := s.store.View(ctx, func(r Reader) (err error) {
		pending, err = r.PendingMail(ctx, 100)
		return err
	}); err != nil {
		return 0, fmt.Errorf("reading the outbox: %w", err)
	}
	for _, m := range pending {
		sendErr := sender.Send(ctx, m)
		m.Attempts++
		if sendErr != nil {
			m.LastError = sendErr.Error()
		} else {
			m.SentAt, m.LastError = s.now(), ""
			sent++
		}
		if err := s.store.Update(ctx, func(w Writer) error { return w.UpdateMail(ctx, &m) }); err != nil {
			return sent, fmt.Errorf("updating the outbox: %w", err)
		}
	}
	return sent, nil
}

// RunOutbox delivers pending messages every interval until ctx ends, and
// purges ended sessions every hundred rounds.
func (s *Service) RunOutbox(ctx context.Context, sender Sender, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for round := 0; ; round++ {
		if _, err := s.Deliver(ctx, sender); err != nil && ctx.Err() == nil {
			log.Error("delivering mail", "err", err)
		}
		if round%100 == 0 {
			if _, err := s.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
				log.Error("purging ended sessions", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// String describes the server without the password.
func (s SMTP) String() string { return "smtp://" + s.User + "@" + s.Addr + " from " + s.From }

// LogValue keeps the password out of structured logs.
func (s SMTP) LogValue() slog.Value { return slog.StringValue(s.String()) }
