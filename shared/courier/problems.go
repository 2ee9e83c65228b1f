package courier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// Undeliverable is a channel's answer that the message can never go out as it is: sending it again would fail
// the same way, so it is recorded as failed, not retried. Cause CauseBlocked also suppresses the recipient (the
// bot was removed from the chat, or the chat does not exist); CauseRejected fails only this message (Telegram could not parse it).
type Undeliverable struct {
	Cause     glassbox.SuppressionCause
	Recipient string
	// Detail is what the channel said; it must not hold a secret (the bot token).
	Detail string
}

func (e *Undeliverable) Error() string {
	return fmt.Sprintf("undeliverable to %s (%s): %s", e.Recipient, e.Cause, e.Detail)
}

// ChatMoved is a channel's answer that the chat has a new id (a Telegram group upgraded to a supergroup).
type ChatMoved struct {
	From, To string
}

func (e *ChatMoved) Error() string { return fmt.Sprintf("chat %s moved to %s", e.From, e.To) }

// ConfigSource gives the configuration that reports to the manager are addressed with.
type ConfigSource interface {
	Config(ctx context.Context) (glassbox.Config, error)
}

// ReportTo makes the courier tell the project's manager, by email, about a message that did not arrive (a
// blocked bot, a rejected text) and a chat that moved, finding the project in cfg. Without it such problems are
// only logged. It returns c.
func (c *Courier) ReportTo(cfg ConfigSource) *Courier {
	c.config = cfg
	return c
}

// NotesTTL is how long the courier trusts its copy of the suppressions and chat moves: a bounce recorded by
// the bounce function, or a suppression the admin cleared, is seen by a warm function within this time. It
// keeps the check off the per-message request budget.
const NotesTTL = time.Minute

type notesCache struct {
	mu    sync.Mutex
	notes glassbox.DeliveryNotes
	at    time.Time
	ok    bool
}

func (c *Courier) deliveryNotes(ctx context.Context) (glassbox.DeliveryNotes, error) {
	c.notes.mu.Lock()
	defer c.notes.mu.Unlock()
	now := c.clock.Now()
	if c.notes.ok && now.Sub(c.notes.at) < NotesTTL && !now.Before(c.notes.at) {
		return c.notes.notes, nil
	}
	n, err := c.store.DeliveryNotes(ctx)
	if err != nil {
		return n, fmt.Errorf("read suppressions: %w", err)
	}
	c.notes.notes, c.notes.at, c.notes.ok = n, now, true
	return n, nil
}

// ForgetNotes drops the cached suppressions and chat moves, so the next message reads them again: glassbox
// dev calls it after a simulated bounce, which another courier recorded.
func (c *Courier) ForgetNotes() {
	c.notes.mu.Lock()
	defer c.notes.mu.Unlock()
	c.notes.ok = false
}

// remember adds what this courier just learnt to its copy, so its next message knows without a read.
func (c *Courier) remember(f func(n *glassbox.DeliveryNotes)) {
	c.notes.mu.Lock()
	defer c.notes.mu.Unlock()
	if c.notes.ok {
		f(&c.notes.notes)
	}
}

// addressed follows a message's chat to where it moved and drops suppressed recipients. skipped says why
// nothing is left to send to, when so; then the message keeps its recipients, because it is stored as claimed
// before it is recorded failed, and an attempt that takes the claim over after the one recording it died must
// find the same reason (a message to nobody would be refused by the mailer, put back and tried for ever).
func addressed(m glassbox.Message, notes glassbox.DeliveryNotes) (_ glassbox.Message, skipped string) {
	if m.ChannelOrEmail() == glassbox.ChannelTelegram {
		m.Chat = notes.Chat(m.Chat)
		if s, ok := notes.Suppressed(m.Chat); ok {
			return m, fmt.Sprintf("chat %s is suppressed (%s on %s)", m.Chat, s.Cause, s.At.Format(time.DateOnly))
		}
		return m, ""
	}
	if len(m.To) == 0 {
		return m, "it has no recipient" // one stored so by an earlier attempt: it can never go
	}
	var to []glassbox.Person
	var reasons []string
	for _, p := range m.To {
		if s, ok := notes.Suppressed(p.Email); ok {
			reasons = append(reasons, fmt.Sprintf("%s is suppressed (%s on %s)", p.Email, s.Cause, s.At.Format(time.DateOnly)))
			continue
		}
		to = append(to, p)
	}
	switch {
	case len(reasons) == 0:
		return m, ""
	case len(to) == 0:
		return m, strings.Join(reasons, "; ")
	}
	m.To = to
	return m, ""
}

// follow records a chat's move (once, and the manager is told once) and readdresses m to the new chat.
func (c *Courier) follow(ctx context.Context, m glassbox.Message, moved *ChatMoved, log *slog.Logger) glassbox.Message {
	mv := glassbox.ChatMove{From: moved.From, To: moved.To, ProjectID: m.ProjectID, At: c.clock.Now().UTC()}
	switch err := c.store.MoveChat(ctx, mv); {
	case errors.Is(err, glassbox.ErrDuplicate):
	case err != nil:
		// The message still goes to the new chat; the next one learns the move again from Telegram.
		log.Error("record chat move", "from", moved.From, "to", moved.To, "error", err.Error())
	default:
		log.Warn("chat moved; messages follow it", "from", moved.From, "to", moved.To)
		c.report(ctx, glassbox.DeliveryProblem{Message: m, Recipient: moved.From, MovedTo: moved.To}, log)
	}
	c.remember(func(n *glassbox.DeliveryNotes) { n.Moves = append(n.Moves, mv) })
	m.Chat = moved.To
	return m
}

// fail records a message the channel refused for good, suppresses the recipient when the channel says it
// will refuse every message (a blocked bot), and tells the manager. The message is then final: nil means the
// event causing it is done with it.
func (c *Courier) fail(ctx context.Context, m glassbox.Message, u *Undeliverable, log *slog.Logger) error {
	now := c.clock.Now().UTC()
	if u.Cause == glassbox.CauseBlocked {
		s := glassbox.Suppression{Recipient: u.Recipient, Channel: m.ChannelOrEmail(), Cause: u.Cause, Detail: u.Detail,
			MessageID: m.ID, ProjectID: m.ProjectID, At: now}
		if err := c.store.Suppress(ctx, s); err != nil && !errors.Is(err, glassbox.ErrDuplicate) {
			_ = c.store.ReleaseMessage(ctx, m.ID, m.ClaimToken)
			return fmt.Errorf("courier: suppress %s: %w", u.Recipient, err)
		}
		s.Recipient = glassbox.SuppressionKey(s.Recipient)
		c.remember(func(n *glassbox.DeliveryNotes) { n.Suppressions = append(n.Suppressions, s) })
	}
	if err := c.store.FailMessage(ctx, m.ID, m.ClaimToken, now, u.Error()); err != nil {
		return fmt.Errorf("courier: record message %s failed: %w", m.ID, err)
	}
	log.Error("message undeliverable", "cause", u.Cause, "detail", u.Detail)
	c.report(ctx, glassbox.DeliveryProblem{Message: m, Cause: u.Cause, Recipient: u.Recipient, Detail: u.Detail}, log)
	return nil
}

// Report tells the project's manager about a delivery problem, by email, once per problem (its message id
// derives from the message and recipient concerned). Problems of reports themselves are only logged, so a
// manager whose own address bounces does not start a loop. The bounce handler reports through it too.
func (c *Courier) Report(ctx context.Context, p glassbox.DeliveryProblem) error {
	if p.Message.Kind == glassbox.MessageDeliveryFailed || p.Message.Kind == glassbox.MessageChatMigrated {
		return nil
	}
	if c.config == nil {
		return errors.New("courier: no configuration to address the report with")
	}
	cfg, err := c.config.Config(ctx)
	if err != nil {
		return fmt.Errorf("courier: report: read config: %w", err)
	}
	report, ok, err := notify.DeliveryProblem(cfg, p)
	if err != nil || !ok {
		return err
	}
	_, err = c.Deliver(ctx, report)
	return err
}

// report is Report for problems found while sending: a failure is logged, as the message is final already.
func (c *Courier) report(ctx context.Context, p glassbox.DeliveryProblem, log *slog.Logger) {
	if err := c.Report(ctx, p); err != nil {
		log.Error("tell the manager about a delivery problem", "error", err.Error())
	}
}
