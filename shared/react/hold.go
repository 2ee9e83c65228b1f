package react

import (
	"context"
	"errors"
	"fmt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// deliverOrHold sends each message once, or stores it to go later when the project's timing holds it (a
// client notice in quiet hours, a task-done notice in its coalescing window; a held stage close's documents are
// read from the store when it goes). Holding is one conditional
// write of the message under its deterministic id, in place of the claim and the mark, so a held event costs
// no more requests than a sent one and a redelivered event holds nothing twice.
func (p *Processor) deliverOrHold(ctx context.Context, out *Outcome, timing glassbox.Timing, task glassbox.HeldTask, msgs []glassbox.Message, known ...glassbox.IssuedDocument) error {
	now := p.clock.Now().UTC()
	var send []glassbox.Message
	oneByOne := false
	for _, m := range msgs {
		if until, hold := timing.HoldUntil(m, now); hold {
			held := m
			held.ClaimedAt = now
			held.Hold = &glassbox.Hold{Until: until, Task: task}
			switch err := p.store.HoldMessage(ctx, held); {
			case err == nil:
				out.Held++
				p.log.Info("message held", "message_id", m.ID, "kind", m.Kind, "channel", m.ChannelOrEmail(), "until", until)
				continue
			case errors.Is(err, glassbox.ErrAlreadySent):
				continue // held, batched or sent by an earlier attempt
			case errors.Is(err, glassbox.ErrClaimHeld):
				// An earlier attempt decided to send it and claimed it: the courier waits out its lease. A claim
				// together with the others would fail on it, so each goes by itself.
				oneByOne = true
			default:
				return fmt.Errorf("react: %w", err)
			}
		}
		send = append(send, m)
	}
	if !oneByOne {
		return p.deliver(ctx, out, send, known...)
	}
	for _, m := range send {
		if err := p.deliver(ctx, out, []glassbox.Message{m}, known...); err != nil {
			return err
		}
	}
	return nil
}
