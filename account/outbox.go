package account

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
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

// MailDir writes each message to a file of its own in a directory: how a
// developer receives invitations and password resets when no SMTP server
// is configured. A message holds a live link (a one-time token), so it is
// never printed to the log: the log says which file holds it. The
// directory is made with mode 0700, the files with 0600.
type MailDir struct {
	Dir string
	Log *slog.Logger // nil: nothing is logged
}

// Send implements Sender: it writes the message, as an RFC 5322 text a
// mail program opens, to a new file named after its time and id.
func (d *MailDir) Send(ctx context.Context, m Mail) error {
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return fmt.Errorf("making the mail directory: %w", err)
	}
	name := filepath.Join(d.Dir, fmt.Sprintf("%s-%06d.eml", m.CreatedAt.UTC().Format("20060102T150405Z"), m.ID))
	msg := "Date: " + m.CreatedAt.UTC().Format(time.RFC1123Z) + "\r\nTo: " + m.To + "\r\nSubject: " + mimeWord(m.Subject) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(m.Body, "\n", "\r\n")
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("writing a message: %w", err)
	}
	_, err = f.WriteString(msg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing a message: %w", err)
	}
	if d.Log != nil {
		d.Log.InfoContext(ctx, "mail written to a file (development: no SMTP server configured)", "file", name, "subject", m.Subject)
	}
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
