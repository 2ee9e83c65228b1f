package react

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// FlushResult is what one flush found and did.
type FlushResult struct {
	// Due counts the waiting messages whose time came; Sent those this flush sent (a coalesced message counts
	// once), Batched the notices it coalesced into Coalesced messages.
	Due       int `json:"due"`
	Sent      int `json:"sent"`
	Batched   int `json:"batched"`
	Coalesced int `json:"coalesced"`
	// Dropped counts held task-done notices whose task was no longer done when their time came.
	Dropped int `json:"dropped"`
	// Overdue counts the managers' overdue notices sent.
	Overdue int `json:"overdue"`
	// Failed counts what failed and waits for the next flush.
	Failed int `json:"failed"`
}

// DefaultFlushLimit bounds one flush's reads of held messages and of due tasks.
const DefaultFlushLimit = 500

// MaxBatch is the most tasks one coalesced message lists (a store writes a batch and its members in one
// transaction of at most 100 items); on Telegram fewer may fit (notify.CoalescedFitting).
const MaxBatch = 50

// Flush sends the held messages whose time came, and tells managers of tasks that fell overdue. The
// FlushFunction runs it every minute, glassbox dev in a loop.
//
// Held task-done notices of one project, audience and channel go as one coalesced message when there are
// several (the window of the earliest closed; those whose window is still open go with it, since they would
// otherwise go alone a few minutes later), or as themselves when alone. Exactly once across crashes and
// overlapping flushes: BatchHeld writes the coalesced message (its id derived from its members) and moves
// the members from held to batched in one all-or-nothing write, so a notice is in one batch or none; the
// coalesced message then waits among the held messages until the courier has claimed, sent and marked it.
// A flush that dies anywhere leaves either the members held or the coalesced message waiting: the next
// flush finds it and sends it (after the claim's lease, if it died while sending).
func (p *Processor) Flush(ctx context.Context) (FlushResult, error) {
	var res FlushResult
	cfg, err := p.cachedConfig(ctx)
	if errors.Is(err, glassbox.ErrNotFound) {
		return res, nil // nothing applied yet: nothing can be held
	}
	if err != nil {
		return res, fmt.Errorf("react: flush: read config: %w", err)
	}
	now := p.clock.Now().UTC()
	// Read ahead by the longest coalescing window, so notices whose window is still open can join a due one.
	held, err := p.store.HeldMessages(ctx, now.Add(longestWindow(cfg)+time.Nanosecond), DefaultFlushLimit)
	if err != nil {
		return res, fmt.Errorf("react: flush: %w", err)
	}
	tasks := map[string]taskRead{} // an email and its Telegram copy are about the same task: read it once
	for _, g := range groupHeld(held) {
		p.flushGroup(ctx, cfg, now, g, tasks, &res)
	}
	if err := p.flushOverdue(ctx, cfg, now, &res); err != nil {
		return res, err
	}
	return res, nil
}

// longestWindow is the longest coalescing window any project has.
func longestWindow(cfg glassbox.Config) time.Duration {
	var d time.Duration
	for _, pr := range cfg.Projects {
		d = max(d, cfg.ProjectTiming(pr).Coalesce)
	}
	return d
}

// groupHeld groups waiting messages by project, audience and channel, in the order read (earliest first).
func groupHeld(held []glassbox.Message) [][]glassbox.Message {
	var order []string
	groups := map[string][]glassbox.Message{}
	for _, m := range held {
		k := m.ProjectID + "\x00" + string(m.Audience) + "\x00" + string(m.ChannelOrEmail()) + "\x00" + m.Chat
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], m)
	}
	out := make([][]glassbox.Message, len(order))
	for i, k := range order {
		out[i] = groups[k]
	}
	return out
}

func due(m glassbox.Message, now time.Time) bool { return m.Hold != nil && !m.Hold.Until.After(now) }

func (p *Processor) flushGroup(ctx context.Context, cfg glassbox.Config, now time.Time, g []glassbox.Message, tasks map[string]taskRead, res *FlushResult) {
	project, configured := cfg.Project(g[0].ProjectID)
	if configured && g[0].Audience == glassbox.AudienceClient && cfg.ProjectTiming(project).IsQuiet(now) {
		return // a flush that ran late into quiet hours leaves them for the morning
	}
	// With coalescing off (coalesce: off or 0) notices held over quiet hours go each as its own message, as the
	// project asked: only the due ones are taken, and none is listed in a coalesced message.
	coalescing := configured && cfg.ProjectTiming(project).Coalesce > 0
	var members []glassbox.Message
	anyDue := false
	for _, m := range g {
		if !due(m, now) && !(m.Coalesces() && coalescing) {
			continue
		}
		if m.Coalesces() {
			members = append(members, m)
			anyDue = anyDue || due(m, now)
			continue
		}
		res.Due++
		p.send(ctx, m, res) // a coalesced message waiting, a claim a dead flush left, another held kind
	}
	if !anyDue {
		return
	}
	members = p.current(ctx, members, tasks, res)
	res.Due += len(members)
	if len(members) == 0 {
		return
	}
	if len(members) == 1 || !coalescing {
		for _, m := range members {
			p.send(ctx, m, res)
		}
		return
	}
	sort.SliceStable(members, func(i, j int) bool { return members[i].Hold.Until.Before(members[j].Hold.Until) })
	for rest := members; len(rest) > 0; {
		// A coalesced message lists at most MaxBatch tasks, and on Telegram only as many as its text can hold:
		// the others go in the next one, so every task is listed, with its link, in the message it is batched in.
		chunk := rest[:min(MaxBatch, len(rest))]
		batch, n, err := notify.CoalescedFitting(cfg, chunk, p.approvals(ctx, cfg))
		if err != nil {
			rest = rest[len(chunk):]
			res.Failed++
			p.log.Error("flush: coalesce", "project", g[0].ProjectID, "error", err.Error())
			continue
		}
		chunk, rest = chunk[:n], rest[n:]
		if n < 2 {
			p.send(ctx, chunk[0], res)
			continue
		}
		batch.ClaimedAt = now
		batch.Hold.Until = now
		if err := p.store.BatchHeld(ctx, batch); err != nil {
			// Another flush batched or sent one of them first: what is left waits for the next flush.
			res.Failed++
			p.log.Warn("flush: batch", "message_id", batch.ID, "error", err.Error())
			continue
		}
		res.Batched += len(chunk)
		res.Coalesced++
		p.send(ctx, batch, res)
	}
}

// current keeps the held task-done notices that still tell the truth, and drops the others for good: a card
// done at 22:00 and reopened at 23:00 must not reach the client as done at 09:00 (the manager heard of the
// reopening at once), and a card done twice is told once. A task that cannot be read now waits for the next
// flush.
func (p *Processor) current(ctx context.Context, members []glassbox.Message, tasks map[string]taskRead, res *FlushResult) []glassbox.Message {
	// A card done, reopened and done again has two held notices; the latest tells it, the others are dropped.
	latest := map[string]glassbox.Message{}
	for _, m := range members {
		k := m.Hold.Task.Provider + "\x00" + m.Hold.Task.TaskID
		if l, ok := latest[k]; !ok || l.ClaimedAt.Before(m.ClaimedAt) {
			latest[k] = m
		}
	}
	var out []glassbox.Message
	for _, m := range members {
		t := m.Hold.Task
		if t.TaskID == "" {
			out = append(out, m)
			continue
		}
		if l := latest[t.Provider+"\x00"+t.TaskID]; l.ID != m.ID {
			p.drop(ctx, m, "a later notice of the same task goes instead", res)
			continue
		}
		k := m.ProjectID + "\x00" + t.Provider + "\x00" + t.TaskID
		r, ok := tasks[k]
		if !ok {
			r.task, r.err = p.store.Task(ctx, m.ProjectID, t.Provider, t.TaskID)
			tasks[k] = r
		}
		task, err := r.task, r.err
		switch {
		case err != nil && !errors.Is(err, glassbox.ErrNotFound):
			res.Failed++
			p.log.Warn("flush: read the task of a held notice", "message_id", m.ID, "error", err.Error())
		case err != nil || task.Status == glassbox.StatusDone:
			out = append(out, m)
		default:
			p.drop(ctx, m, "its task is no longer done ("+string(task.Status)+")", res)
		}
	}
	return out
}

// taskRead is a task a flush read, or why it could not.
type taskRead struct {
	task glassbox.Task
	err  error
}

func (p *Processor) drop(ctx context.Context, m glassbox.Message, why string, res *FlushResult) {
	if err := p.store.DropHeld(ctx, m.ID); err != nil {
		res.Failed++
		p.log.Warn("flush: drop a held notice", "message_id", m.ID, "error", err.Error())
		return
	}
	res.Dropped++
	p.log.Info("flush: held notice dropped", "message_id", m.ID, "task", m.Hold.Task.TaskID, "why", why)
}

// send delivers one waiting message through the courier.
func (p *Processor) send(ctx context.Context, m glassbox.Message, res *FlushResult) {
	sent, err := p.courier.Deliver(ctx, m)
	switch {
	case err != nil:
		res.Failed++
		p.log.Warn("flush: send held message", "message_id", m.ID, "error", err.Error())
	case sent:
		res.Sent++
	}
}

// flushOverdue tells the manager once per task and due date that a task is past its due date and not done,
// reading only the tasks the due index lists. The message id names the task and the due date, so a flush that
// dies between sending and recording it sends nothing twice; recording it (the task's OverdueToldFor, which
// takes it out of the index) is an ordinary versioned task write.
func (p *Processor) flushOverdue(ctx context.Context, cfg glassbox.Config, now time.Time, res *FlushResult) error {
	tasks, err := p.store.DueTasks(ctx, now, DefaultFlushLimit)
	if err != nil {
		return fmt.Errorf("react: flush: %w", err)
	}
	for _, listed := range tasks {
		// The index is eventually consistent: the task may have been done or moved a moment ago.
		t, err := p.store.Task(ctx, listed.ProjectID, listed.Provider, listed.TaskID)
		if err != nil {
			res.Failed++
			p.log.Warn("flush: read due task", "task", listed.TaskID, "error", err.Error())
			continue
		}
		if due, ok := t.OverdueCheck(); !ok || due.After(now) {
			continue
		}
		project, ok := cfg.Project(t.ProjectID)
		if ok {
			msgs, err := notify.Overdue(cfg, project, t)
			if err != nil {
				res.Failed++
				p.log.Error("flush: word overdue notice", "task", t.TaskID, "error", err.Error())
				continue
			}
			failed := false
			for _, m := range msgs {
				sent, err := p.courier.Deliver(ctx, m)
				if err != nil {
					failed = true
					p.log.Warn("flush: send overdue notice", "message_id", m.ID, "error", err.Error())
				} else if sent {
					res.Overdue++
				}
			}
			if failed {
				res.Failed++
				continue
			}
		}
		// A task of a project no longer configured has nobody to tell: it leaves the index too.
		t.OverdueToldFor = t.Due
		t.Version++
		if err := p.store.PutTask(ctx, t); err != nil && !errors.Is(err, glassbox.ErrConflict) {
			res.Failed++
			p.log.Warn("flush: record overdue notice", "task", t.TaskID, "error", err.Error())
		}
		// On ErrConflict an event moved the task meanwhile; the next flush reads it again, and the notice's id
		// keeps it from going twice.
	}
	return nil
}
