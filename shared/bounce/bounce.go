// Package bounce acts on SES's delivery feedback: a permanent bounce or a complaint, published by the
// configuration set's event destination to an SNS topic (template.yaml), marks our message bounced, suppresses
// the address, so nothing more is sent there until the admin clears it (glassbox suppressions clear), and tells
// the project's manager («письмо клиенту не дошло: адрес не существует»). A transient bounce (a full mailbox)
// changes nothing: SES has retried already, and the next message may well arrive. This protects the AWS
// account's bounce and complaint rates, which SES suspends accounts for.
package bounce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Notification is SES's bounce or complaint notification, as an identity's notification topic or a
// configuration set's event destination publishes it (the first says notificationType, the second eventType).
type Notification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Bounce           *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		ComplainedRecipients  []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Mail struct {
		// MessageID is the id SES gave the message when it was sent, which the courier stored as its provider id.
		MessageID string `json:"messageId"`
		// Tags are the message's tags; a configuration set's event destination adds ses:configuration-set.
		Tags map[string][]string `json:"tags"`
	} `json:"mail"`
}

// SentWith reports whether the notification says its message went out with the configuration set named set.
func (n Notification) SentWith(set string) bool {
	return set != "" && slices.Contains(n.Mail.Tags["ses:configuration-set"], set)
}

// Parse decodes a notification.
func Parse(data []byte) (Notification, error) {
	var n Notification
	if err := json.Unmarshal(data, &n); err != nil {
		return n, fmt.Errorf("bounce: decode SES notification: %w", err)
	}
	return n, nil
}

// Type is Bounce, Complaint, Delivery...: whichever of the two fields SES filled.
func (n Notification) Type() string {
	if n.NotificationType != "" {
		return n.NotificationType
	}
	return n.EventType
}

// Undelivered is one recipient a notification says will never get our mail.
type Undelivered struct {
	Address string
	Cause   glassbox.SuppressionCause
	// Detail is what the receiving server or the complaint said.
	Detail string
}

// Undelivered lists the recipients to suppress: every one of a permanent bounce or a complaint; none of a
// transient or undetermined bounce, or of any other notification.
func (n Notification) Undelivered() []Undelivered {
	var out []Undelivered
	switch {
	case n.Type() == "Bounce" && n.Bounce != nil && n.Bounce.BounceType == "Permanent":
		for _, r := range n.Bounce.BouncedRecipients {
			detail := strings.TrimSpace(strings.TrimPrefix(r.DiagnosticCode, "smtp;"))
			if detail == "" {
				detail = "permanent bounce (" + n.Bounce.BounceSubType + ")"
			}
			out = append(out, Undelivered{Address: r.EmailAddress, Cause: glassbox.CauseBounced, Detail: detail})
		}
	case n.Type() == "Complaint" && n.Complaint != nil:
		for _, r := range n.Complaint.ComplainedRecipients {
			out = append(out, Undelivered{Address: r.EmailAddress, Cause: glassbox.CauseComplained,
				Detail: strings.TrimSpace("complaint " + n.Complaint.ComplaintFeedbackType)})
		}
	}
	return out
}

// Store is what handling feedback needs of the store.
type Store interface {
	courier.Store
	Config(ctx context.Context) (glassbox.Config, error)
	MessageByProviderID(ctx context.Context, providerID string) (glassbox.Message, error)
	MarkMessageBounced(ctx context.Context, id string, at time.Time, reason string) error
}

// Handler acts on SES notifications. The courier sends the manager's reports.
type Handler struct {
	store   Store
	courier *courier.Courier
	clock   glassbox.Clock
	log     *slog.Logger
	// configurationSet is the SES configuration set Glassbox sends with; empty when unknown (glassbox dev).
	configurationSet string
}

// New builds a Handler that reports through mailer (SES on AWS, the outbox in glassbox dev).
func New(store Store, mailer courier.Mailer, clock glassbox.Clock, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	c := courier.New(store, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: mailer}}, clock, 0, log).ReportTo(store)
	return &Handler{store: store, courier: c, clock: clock, log: log}
}

// SentWith names the SES configuration set every Glassbox email goes out with (SES_CONFIGURATION_SET). A
// notification of a message sent with it is about a message of ours, so when the message is not found yet (the
// bounce outran the sent mark, or gsi2 has not caught up) Handle returns an error and the invocation is retried,
// instead of the manager never hearing of it.
func (h *Handler) SentWith(configurationSet string) *Handler {
	h.configurationSet = configurationSet
	return h
}

// Result is what one notification did.
type Result struct {
	// Suppressed counts the addresses this notification suppressed (an address suppressed before is not
	// counted); MessageID is our message it concerned, empty when none of ours (another sender on the identity).
	Suppressed int    `json:"suppressed"`
	MessageID  string `json:"messageId,omitempty"`
}

// Handle acts on one notification. Every step is idempotent (a suppression and a bounce are recorded once, the
// report has a deterministic id), so a notification SNS delivers twice, or a retried invocation, does nothing
// twice. An error means "retry": Lambda retries the asynchronous SNS invocation twice, then puts the event in
// BounceFunction's dead-letter queue (template.yaml).
func (h *Handler) Handle(ctx context.Context, data []byte) (Result, error) {
	var res Result
	n, err := Parse(data)
	if err != nil {
		return res, err
	}
	gone := n.Undelivered()
	log := h.log.With("ses_message_id", n.Mail.MessageID, "type", n.Type())
	if len(gone) == 0 {
		log.Info("SES notification needs nothing (not a permanent bounce or a complaint)")
		return res, nil
	}
	m, err := h.store.MessageByProviderID(ctx, n.Mail.MessageID)
	var notYetFound bool
	switch {
	case errors.Is(err, glassbox.ErrNotFound) && n.SentWith(h.configurationSet):
		// Ours, but its sent mark is not written yet or gsi2 has not caught up: the address is suppressed now,
		// and the error below has the notification retried so the message is marked and the manager told.
		notYetFound = true
		log.Warn("SES notification for a message of ours that is not found yet; it is retried")
	case errors.Is(err, glassbox.ErrNotFound):
		// Not one of ours (another sender on the identity): the address is suppressed all the same.
		log.Warn("SES notification for a message Glassbox does not know")
	case err != nil:
		return res, fmt.Errorf("bounce: find message %s: %w", n.Mail.MessageID, err)
	default:
		res.MessageID = m.ID
	}
	now := h.clock.Now().UTC()
	var reasons []string
	for _, u := range gone {
		s := glassbox.Suppression{Recipient: u.Address, Channel: glassbox.ChannelEmail, Cause: u.Cause, Detail: u.Detail,
			MessageID: m.ID, ProjectID: m.ProjectID, At: now}
		switch err := h.store.Suppress(ctx, s); {
		case errors.Is(err, glassbox.ErrDuplicate):
		case err != nil:
			return res, fmt.Errorf("bounce: suppress %s: %w", u.Address, err)
		default:
			res.Suppressed++
		}
		reasons = append(reasons, fmt.Sprintf("%s %s: %s", glassbox.SuppressionKey(u.Address), u.Cause, u.Detail))
		log.Warn("address suppressed", "address", glassbox.SuppressionKey(u.Address), "cause", u.Cause, "message_id", m.ID)
	}
	if notYetFound {
		return res, fmt.Errorf("bounce: message %s, sent with configuration set %s, is not found yet: %w",
			n.Mail.MessageID, h.configurationSet, glassbox.ErrNotFound)
	}
	if res.MessageID == "" {
		return res, nil
	}
	if err := h.store.MarkMessageBounced(ctx, m.ID, now, strings.Join(reasons, "; ")); err != nil {
		return res, fmt.Errorf("bounce: mark message %s bounced: %w", m.ID, err)
	}
	for _, u := range gone {
		p := glassbox.DeliveryProblem{Message: m, Cause: u.Cause, Recipient: u.Address, Detail: u.Detail}
		if err := h.courier.Report(ctx, p); err != nil {
			return res, fmt.Errorf("bounce: tell the manager about %s: %w", u.Address, err)
		}
	}
	return res, nil
}

// HandleSNS is the Lambda handler: each SNS record carries one SES notification.
func (h *Handler) HandleSNS(ctx context.Context, e events.SNSEvent) error {
	var errs []error
	for _, r := range e.Records {
		if _, err := h.Handle(ctx, []byte(r.SNS.Message)); err != nil {
			h.log.Error("SES notification failed; the invocation is retried", "sns_message_id", r.SNS.MessageID, "error", err.Error())
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
