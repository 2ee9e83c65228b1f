// Package courier sends decided messages exactly once: claim the message's deterministic id, send it on its
// channel (email: a MIME message with the PDFs of the documents it carries; Telegram: a Bot API message), mark
// it sent. React (notices, stage closes) and Remind (reminders) both deliver through it. docs/data-model.md,
// "Exactly once", explains the protocol.
package courier

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Store is what delivery needs of the store.
type Store interface {
	ClaimMessage(ctx context.Context, m glassbox.Message, lease time.Duration) error
	MarkMessageSent(ctx context.Context, id, token string, sentAt time.Time, providerID string) error
	ReleaseMessage(ctx context.Context, id, token string) error
	FailMessage(ctx context.Context, id, token string, at time.Time, reason string) error
	Suppress(ctx context.Context, s glassbox.Suppression) error
	MoveChat(ctx context.Context, m glassbox.ChatMove) error
	DeliveryNotes(ctx context.Context) (glassbox.DeliveryNotes, error)
	Document(ctx context.Context, id string) (glassbox.Document, error)
	DocumentPDF(ctx context.Context, id string) ([]byte, error)
}

// Mailer sends a complete message and returns the mail service's id for it.
type Mailer interface {
	Send(ctx context.Context, e glassbox.RawEmail) (string, error)
}

// Sender sends a message on one channel and returns the channel's id for it. docs are the message's
// attachments, read for it. An error means the message was not sent and may be tried again, except
// *Undeliverable (never: the message fails) and *ChatMoved (send it to the new chat).
type Sender interface {
	Send(ctx context.Context, m glassbox.Message, docs []glassbox.IssuedDocument) (string, error)
}

// Senders are the channels a courier can send on.
type Senders map[glassbox.Channel]Sender

// DefaultClaimLease suits a function timeout of 30 s: it must exceed the timeout, so that a claim older than
// the lease belongs to an attempt that can no longer be running.
const DefaultClaimLease = 2 * time.Minute

// Courier delivers messages.
type Courier struct {
	store   Store
	senders Senders
	clock   glassbox.Clock
	lease   time.Duration
	log     *slog.Logger
	// config, when set, is where reports to the manager find the project (ReportTo).
	config ConfigSource
	notes  notesCache
}

// New builds a Courier; lease 0 means DefaultClaimLease.
func New(store Store, senders Senders, clock glassbox.Clock, lease time.Duration, log *slog.Logger) *Courier {
	if lease <= 0 {
		lease = DefaultClaimLease
	}
	if log == nil {
		log = slog.Default()
	}
	return &Courier{store: store, senders: senders, clock: clock, lease: lease, log: log}
}

// Deliver claims, sends and marks one message, and says whether this call sent it. A message sent before is
// skipped (false, nil). So is one that can never arrive: every recipient suppressed, or the channel refused it
// for good (courier.Undeliverable); it is recorded failed with the reason, and the manager told. A Telegram
// chat that moved is followed. An error means "retry later": the claim was released, or another attempt holds
// it.
// Attachments come from known when it holds them with their PDF (documents just issued), else from the store.
func (c *Courier) Deliver(ctx context.Context, m glassbox.Message, known ...glassbox.IssuedDocument) (sent bool, err error) {
	m, sender, skipped, log, err := c.prepare(ctx, m)
	if err != nil {
		return false, err
	}
	switch err := c.store.ClaimMessage(ctx, m, c.lease); {
	case errors.Is(err, glassbox.ErrAlreadySent):
		log.Info("message already sent")
		return false, nil
	case err != nil:
		return false, fmt.Errorf("courier: claim message %s: %w", m.ID, err)
	}
	if skipped != "" {
		// Nobody left to send to: recorded as not sent, with the reason, rather than retried or called sent.
		if err := c.store.FailMessage(ctx, m.ID, m.ClaimToken, c.clock.Now().UTC(), skipped); err != nil {
			return false, fmt.Errorf("courier: record message %s not sent: %w", m.ID, err)
		}
		log.Warn("message not sent: every recipient is suppressed", "reason", skipped)
		return false, nil
	}
	providerID, sent, err := c.send(ctx, m, sender, known, log)
	if !sent {
		return false, err
	}
	if err := c.markSent(ctx, m, providerID); err != nil {
		// The mail is out, so this call did send it. The claim stays; an attempt after the lease would send
		// the message again (same Message-ID, so mail programs show it once). Nothing better is left to do.
		log.Error("mark message sent", "error", err.Error())
	}
	log.Info("message sent", "provider_message_id", providerID, "attachments", len(m.Attachments))
	return true, nil
}

// send sends a message this call has claimed, on its channel, following a chat that moved. sent says the
// channel has it (then the caller marks it sent). Otherwise the message is settled: released for a retry (an
// error), or recorded failed when it can never arrive (nil).
func (c *Courier) send(ctx context.Context, m glassbox.Message, sender Sender, known []glassbox.IssuedDocument, log *slog.Logger) (providerID string, sent bool, err error) {
	docs, err := c.attachments(ctx, m, known)
	if err != nil {
		_ = c.store.ReleaseMessage(ctx, m.ID, m.ClaimToken)
		return "", false, err
	}
	providerID, err = sender.Send(ctx, m, docs)
	var moved *ChatMoved
	if errors.As(err, &moved) {
		m = c.follow(ctx, m, moved, log)
		providerID, err = sender.Send(ctx, m, docs)
	}
	var undeliverable *Undeliverable
	if errors.As(err, &undeliverable) {
		return "", false, c.fail(ctx, m, undeliverable, log)
	}
	if err != nil {
		if rerr := c.store.ReleaseMessage(ctx, m.ID, m.ClaimToken); rerr != nil {
			log.Error("release claim after failed send", "error", rerr.Error())
		}
		return "", false, fmt.Errorf("courier: send message %s: %w", m.ID, err)
	}
	return providerID, true, nil
}

// prepare readies m to be claimed by this call: its sender, its recipients as the suppressions and chat moves
// leave them (skipped says why nobody is left), a fresh claim token and the claim time.
func (c *Courier) prepare(ctx context.Context, m glassbox.Message) (_ glassbox.Message, _ Sender, skipped string, _ *slog.Logger, _ error) {
	log := c.log.With("message_id", m.ID, "kind", m.Kind, "audience", m.Audience, "channel", m.ChannelOrEmail(), "project", m.ProjectID)
	sender, ok := c.senders[m.ChannelOrEmail()]
	if !ok {
		return m, nil, "", log, fmt.Errorf("courier: message %s: no sender for channel %q", m.ID, m.ChannelOrEmail())
	}
	notes, err := c.deliveryNotes(ctx)
	if err != nil {
		return m, nil, "", log, fmt.Errorf("courier: message %s: %w", m.ID, err)
	}
	m, skipped = addressed(m, notes)
	m.State = glassbox.MessageClaimed
	m.ClaimToken = newToken()
	m.ClaimedAt = c.clock.Now().UTC()
	return m, sender, skipped, log, nil
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

// attachments reads the documents a message carries, with their PDFs: from known when it holds them (documents
// just issued), else from the store.
func (c *Courier) attachments(ctx context.Context, m glassbox.Message, known []glassbox.IssuedDocument) ([]glassbox.IssuedDocument, error) {
	var docs []glassbox.IssuedDocument
	for _, id := range m.Attachments {
		d, pdf, err := c.attachment(ctx, id, known)
		if err != nil {
			return nil, fmt.Errorf("courier: message %s: %w", m.ID, err)
		}
		docs = append(docs, glassbox.IssuedDocument{Document: d, PDF: pdf})
	}
	return docs, nil
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
