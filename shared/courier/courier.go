// Package courier sends decided messages exactly once: claim the message's deterministic id, build the MIME
// message (with the PDFs of the documents it carries), send it, mark it sent. React (notices, stage closes) and
// Remind (reminders) both deliver through it. docs/data-model.md, "Exactly once", explains the protocol.
package courier

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/mime"
)

// Store is what delivery needs of the store.
type Store interface {
	ClaimMessage(ctx context.Context, m glassbox.Message, lease time.Duration) error
	MarkMessageSent(ctx context.Context, id, token string, sentAt time.Time, providerID string) error
	ReleaseMessage(ctx context.Context, id, token string) error
	Document(ctx context.Context, id string) (glassbox.Document, error)
	DocumentPDF(ctx context.Context, id string) ([]byte, error)
}

// Mailer sends a complete message and returns the mail service's id for it.
type Mailer interface {
	Send(ctx context.Context, e glassbox.RawEmail) (string, error)
}

// DefaultClaimLease suits a function timeout of 30 s: it must exceed the timeout, so that a claim older than
// the lease belongs to an attempt that can no longer be running.
const DefaultClaimLease = 2 * time.Minute

// Courier delivers messages.
type Courier struct {
	store  Store
	mailer Mailer
	clock  glassbox.Clock
	lease  time.Duration
	log    *slog.Logger
}

// New builds a Courier; lease 0 means DefaultClaimLease.
func New(store Store, mailer Mailer, clock glassbox.Clock, lease time.Duration, log *slog.Logger) *Courier {
	if lease <= 0 {
		lease = DefaultClaimLease
	}
	if log == nil {
		log = slog.Default()
	}
	return &Courier{store: store, mailer: mailer, clock: clock, lease: lease, log: log}
}

// Deliver claims, sends and marks one message, and says whether this call sent it. A message sent before is
// skipped (false, nil). An error means "retry later": the claim was released, or another attempt holds it.
// Attachments come from known when it holds them with their PDF (documents just issued), else from the store.
func (c *Courier) Deliver(ctx context.Context, m glassbox.Message, known ...glassbox.IssuedDocument) (sent bool, err error) {
	log := c.log.With("message_id", m.ID, "kind", m.Kind, "audience", m.Audience, "project", m.ProjectID)
	m.State = glassbox.MessageClaimed
	m.ClaimToken = newToken()
	m.ClaimedAt = c.clock.Now().UTC()
	switch err := c.store.ClaimMessage(ctx, m, c.lease); {
	case errors.Is(err, glassbox.ErrAlreadySent):
		log.Info("message already sent")
		return false, nil
	case err != nil:
		return false, fmt.Errorf("courier: claim message %s: %w", m.ID, err)
	}
	raw, err := c.render(ctx, m, known)
	if err != nil {
		_ = c.store.ReleaseMessage(ctx, m.ID, m.ClaimToken)
		return false, err
	}
	providerID, err := c.mailer.Send(ctx, raw)
	if err != nil {
		if rerr := c.store.ReleaseMessage(ctx, m.ID, m.ClaimToken); rerr != nil {
			log.Error("release claim after failed send", "error", rerr.Error())
		}
		return false, fmt.Errorf("courier: send message %s: %w", m.ID, err)
	}
	if err := c.markSent(ctx, m, providerID); err != nil {
		// The mail is out, so this call did send it. The claim stays; an attempt after the lease would send
		// the message again (same Message-ID, so mail programs show it once). Nothing better is left to do.
		log.Error("mark message sent", "error", err.Error())
	}
	log.Info("message sent", "provider_message_id", providerID, "attachments", len(m.Attachments))
	return true, nil
}

// Marking a sent message sent is retried this many times, waiting markBackoff, then twice that, and so on.
const (
	markAttempts = 5
	markBackoff  = 100 * time.Millisecond
	// markTimeout bounds the marking, which outlives the caller's context.
	markTimeout = 10 * time.Second
)

// markSent records that the mail is out. Once the mail system has the message, an unrecorded send is a send
// the next attempt after the lease repeats, so the mark is worth more than the caller's deadline: it goes on
// when ctx is cancelled (a shutdown, a sweep at its deadline), and a transient failure (throttling) is retried
// with backoff. A lost claim (ErrConflict: another attempt took it over after the lease) is final.
func (c *Courier) markSent(ctx context.Context, m glassbox.Message, providerID string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	sentAt := c.clock.Now().UTC()
	wait := markBackoff
	for attempt := 1; ; attempt++ {
		err := c.store.MarkMessageSent(ctx, m.ID, m.ClaimToken, sentAt, providerID)
		if err == nil || errors.Is(err, glassbox.ErrConflict) || attempt == markAttempts {
			return err
		}
		c.log.Warn("mark message sent failed; retrying", "message_id", m.ID, "attempt", attempt, "error", err.Error())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait *= 2
	}
}

// render builds the MIME message. Message-ID derives from the message id, so a resend after a crash carries the
// same id and mail programs show it once; References names one root per project, so a client's mail program
// threads one project's messages together.
func (c *Courier) render(ctx context.Context, m glassbox.Message, known []glassbox.IssuedDocument) (glassbox.RawEmail, error) {
	domain := "glassbox.local"
	if i := strings.LastIndexByte(m.From.Email, '@'); i >= 0 {
		domain = m.From.Email[i+1:]
	}
	msg := mime.Message{
		From:       mime.Address{Name: m.From.Name, Email: m.From.Email},
		Subject:    m.Subject,
		Date:       m.ClaimedAt,
		MessageID:  m.ID + "@" + domain,
		References: []string{"project-" + m.ProjectID + "@" + domain},
		Text:       m.Text,
		HTML:       m.HTML,
	}
	if m.ReplyTo.Email != "" {
		msg.ReplyTo = []mime.Address{{Name: m.ReplyTo.Name, Email: m.ReplyTo.Email}}
	}
	to := make([]string, 0, len(m.To))
	for _, p := range m.To {
		msg.To = append(msg.To, mime.Address{Name: p.Name, Email: p.Email})
		to = append(to, p.Email)
	}
	for _, id := range m.Attachments {
		d, pdf, err := c.attachment(ctx, id, known)
		if err != nil {
			return glassbox.RawEmail{}, fmt.Errorf("courier: message %s: %w", m.ID, err)
		}
		msg.Attachments = append(msg.Attachments, mime.Attachment{Filename: d.FileName(), ASCIIFilename: d.ASCIIFileName(),
			ContentType: "application/pdf", Data: pdf})
	}
	data, err := msg.Bytes()
	if err != nil {
		return glassbox.RawEmail{}, fmt.Errorf("courier: build message %s: %w", m.ID, err)
	}
	return glassbox.RawEmail{From: m.From.Email, To: to, Data: data}, nil
}

func (c *Courier) attachment(ctx context.Context, id string, known []glassbox.IssuedDocument) (glassbox.Document, []byte, error) {
	for _, k := range known {
		if k.Document.ID == id && k.PDF != nil {
			return k.Document, k.PDF, nil
		}
	}
	d, err := c.store.Document(ctx, id)
	if err != nil {
		return d, nil, fmt.Errorf("read document %s: %w", id, err)
	}
	pdf, err := c.store.DocumentPDF(ctx, id)
	if err != nil {
		return d, nil, fmt.Errorf("read PDF of %s: %w", id, err)
	}
	return d, pdf, nil
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
