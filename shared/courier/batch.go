package courier

import (
	"context"
	"log/slog"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// claimed is a message this call claimed in a batch, ready to send.
type claimed struct {
	m      glassbox.Message
	sender Sender
	log    *slog.Logger
}

// DeliverAll delivers the messages one event causes, as Deliver does each, and says how many this call sent.
// When the store claims and marks in batches (glassbox.MessageBatchStore) and every message is plain (a new
// notice, not a held one, with a sender and someone to send to), they are claimed in one request, sent, and
// the sent ones marked in one request. Anything else, and a batch claim that fails (one of them was sent
// before, or another attempt holds it), goes message by message through Deliver, which tells each case apart.
// An error means "retry later", as Deliver's: what this call claimed and did not send is released.
func (c *Courier) DeliverAll(ctx context.Context, msgs []glassbox.Message, known ...glassbox.IssuedDocument) (sent int, err error) {
	if batch, ok := c.store.(glassbox.MessageBatchStore); ok && len(msgs) > 1 {
		// Marks wait until every message of the call is sent, so a run that dies in between sends the earlier ones
		// again after the lease. Emails go first: a resent email has the same Message-ID, which mail programs
		// show once; a Telegram message, which nothing collapses, goes last, marked right after its own send.
		msgs = emailsFirst(msgs)
		if ms, ok := c.claimAll(ctx, batch, msgs); ok {
			return c.sendAll(ctx, batch, ms, known)
		}
	}
	for _, m := range msgs {
		ok, err := c.Deliver(ctx, m, known...)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// claimAll claims plain messages in one request. ok false means nothing was claimed: the messages go one by
// one (also when there are more than the store takes in one request; it says so with an error).
func (c *Courier) claimAll(ctx context.Context, batch glassbox.MessageBatchStore, msgs []glassbox.Message) (_ []claimed, ok bool) {
	out := make([]claimed, 0, len(msgs))
	ready := make([]glassbox.Message, 0, len(msgs))
	for _, m := range msgs {
		if m.Hold != nil {
			return nil, false // a held message's claim and release differ; Deliver handles them
		}
		m, sender, skipped, log, err := c.prepare(ctx, m)
		if err != nil || skipped != "" {
			return nil, false
		}
		out = append(out, claimed{m: m, sender: sender, log: log})
		ready = append(ready, m)
	}
	if err := batch.ClaimMessages(ctx, ready, c.lease); err != nil {
		c.log.Info("claim messages together failed; claiming one by one", "messages", len(ready), "error", err.Error())
		return nil, false
	}
	return out, true
}

// sendAll sends the messages claimAll claimed, in order, and marks those sent. When a send fails, the
// messages after it are released at once (a retry claims them again), those sent before it are marked, and
// the error comes back.
func (c *Courier) sendAll(ctx context.Context, batch glassbox.MessageBatchStore, ms []claimed, known []glassbox.IssuedDocument) (int, error) {
	var sent []claimed
	var marks []glassbox.SentMark
	var failed error
	for i, cm := range ms {
		providerID, ok, err := c.send(ctx, cm.m, cm.sender, known, cm.log)
		if err != nil {
			failed = err
			for _, rest := range ms[i+1:] {
				if rerr := c.store.ReleaseMessage(ctx, rest.m.ID, rest.m.ClaimToken); rerr != nil {
					rest.log.Error("release claim after an earlier message failed", "error", rerr.Error())
				}
			}
			break
		}
		if ok {
			sent = append(sent, cm)
			marks = append(marks, glassbox.SentMark{ID: cm.m.ID, Token: cm.m.ClaimToken, ProviderID: providerID})
		}
	}
	c.markAll(ctx, batch, sent, marks)
	return len(sent), failed
}

// markAll marks the sent messages sent in one request, or, when that fails, one by one with markSent's
// retries. Like markSent it goes on after ctx has ended: the messages are out.
func (c *Courier) markAll(ctx context.Context, batch glassbox.MessageBatchStore, sent []claimed, marks []glassbox.SentMark) {
	together := false
	if len(marks) > 1 {
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
		sentAt := c.clock.Now().UTC()
		for i := range marks {
			marks[i].SentAt = sentAt
		}
		err := batch.MarkMessagesSent(mctx, marks)
		cancel()
		if err != nil {
			c.log.Warn("mark messages sent together failed; marking one by one", "messages", len(marks), "error", err.Error())
		}
		together = err == nil
	}
	for i, cm := range sent {
		if !together {
			if err := c.markSent(ctx, cm.m, marks[i].ProviderID); err != nil {
				// As in Deliver: the message is out; an attempt after the lease would send it again.
				cm.log.Error("mark message sent", "error", err.Error())
			}
		}
		cm.log.Info("message sent", "provider_message_id", marks[i].ProviderID, "attachments", len(cm.m.Attachments))
	}
}

// emailsFirst orders messages so that emails come before other channels, keeping the order within each.
func emailsFirst(msgs []glassbox.Message) []glassbox.Message {
	out := make([]glassbox.Message, 0, len(msgs))
	for _, m := range msgs {
		if m.ChannelOrEmail() == glassbox.ChannelEmail {
			out = append(out, m)
		}
	}
	for _, m := range msgs {
		if m.ChannelOrEmail() != glassbox.ChannelEmail {
			out = append(out, m)
		}
	}
	return out
}
