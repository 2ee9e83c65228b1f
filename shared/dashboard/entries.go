package dashboard

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// approvalPrefix starts the MessageID of the page's approval links: the rest is the id of the event that
// delivered the task (its done), so an answer names the delivery it was given to.
const approvalPrefix = "dashboard:"

// deliverables are the tasks whose newest status in the event window is done, newest first, each with the
// client's answer given since it was done, or the signed links to answer.
func (b *Builder) deliverables(ctx context.Context, cfg glassbox.Config, p glassbox.Project, events []glassbox.Event,
	feedback []glassbox.Feedback, locale string, loc *time.Location) ([]DeliverableView, error) {
	type key struct{ provider, task string }
	// newest is each task's newest status event; delivered, while that status is done, the event that made
	// it done: a move from one done list to another, or a second event saying done (an issue closed and moved
	// to Done), is no new delivery (notify.Decide sends no new notice for it), so an answer given since the
	// first still stands and the links keep naming the first.
	newest, delivered := map[key]glassbox.Event{}, map[key]glassbox.Event{}
	var order []key
	for _, e := range events {
		if e.TaskID == "" || e.Status == "" || (e.Kind != glassbox.EventTaskMoved && e.Kind != glassbox.EventTaskCreated) {
			continue
		}
		k := key{e.Provider, e.TaskID}
		prev, seen := newest[k]
		if !seen {
			order = append(order, k)
		}
		newest[k] = e // events are oldest first: the last one is the task's status now
		if e.Status == glassbox.StatusDone && !(seen && prev.Status == glassbox.StatusDone) {
			delivered[k] = e
		}
	}
	var signer *linksign.Signer
	if b.Approvals != nil {
		s, err := b.Approvals.Signer(ctx)
		if err != nil {
			return nil, fmt.Errorf("dashboard: approval links: %w", err)
		}
		signer = s
	}
	ru := locale == glassbox.LocaleRU
	var out []DeliverableView
	for i := len(order) - 1; i >= 0; i-- {
		current := newest[order[i]]
		if current.Status != glassbox.StatusDone {
			continue
		}
		e := delivered[order[i]]
		// The task as it is now, done since e.
		title, url := current.Title, current.URL
		if strings.TrimSpace(title) == "" {
			title, url = e.Title, e.URL
		}
		// A done task without a title (a delivery that named none) is nothing the client could judge.
		if strings.TrimSpace(title) == "" {
			continue
		}
		d := DeliverableView{Title: title, URL: url, Done: e.ReceivedAt, Day: dayWords(e.OccurredAt.In(loc), ru), State: "awaiting"}
		// The newest answer given after this delivery (an answer to an earlier delivery of a reopened task
		// is no answer to this one). Feedback is oldest first.
		var answered time.Time
		for _, f := range feedback {
			if f.Provider != e.Provider || f.TaskID != e.TaskID || f.At.Before(e.ReceivedAt) {
				continue
			}
			// A page's answer names its delivery: one naming an earlier delivery (a page left open since) is
			// not this one's. (A notice's answer is this one's when it came after it.)
			if strings.HasPrefix(f.MessageID, approvalPrefix) && f.MessageID != approvalPrefix+e.ID {
				continue
			}
			switch f.Kind {
			case glassbox.FeedbackAccepted:
				d.State, answered = "accepted", f.At
			case glassbox.FeedbackChangesRequested:
				d.State, answered = "changes", f.At
			}
		}
		switch d.State {
		case "accepted":
			d.Words = words(ru).t("принято ", "accepted ") + dayWords(answered.In(loc), ru)
		case "changes":
			d.Words = words(ru).t("запрошены правки ", "changes requested ") + dayWords(answered.In(loc), ru)
		default:
			d.Words = words(ru).t("ждёт вашего ответа", "awaiting your answer")
			if signer != nil {
				// The link names this delivery (the done event), so an answer here is one record, once.
				a := linksign.Approval{ProjectID: p.ID, Provider: e.Provider, TaskID: e.TaskID, MessageID: approvalPrefix + e.ID}
				base := strings.TrimRight(cfg.Agency.PublicURL, "/")
				a.Decision = linksign.DecisionAccept
				d.Accept = signer.ApprovalURL(base, a)
				a.Decision = linksign.DecisionChanges
				d.Changes = signer.ApprovalURL(base, a)
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// timelineEntries are the newest TimelineEntries of the events, the messages sent to the client and the
// client's feedback that arrived since since, newest first, each marked sealed when it arrived by the newest
// seal's end. Messages to the manager are on the sealed timeline too, but not on the client's page: bad news
// reaches the client from a person, never from a robot. since is the event window's start: messages are read
// for longer (the reports') and feedback whole (the answers), and an entry older than the window would stand
// on the page beside a gap where that time's events are left out.
func timelineEntries(events []glassbox.Event, msgs []glassbox.Message, feedback []glassbox.Feedback, seal glassbox.SealHead,
	since time.Time, locale string, loc *time.Location) []EntryView {
	ru := locale == glassbox.LocaleRU
	var out []EntryView
	add := func(at time.Time, what, title, actor string, sealable bool) {
		if at.Before(since) {
			return
		}
		out = append(out, EntryView{At: at.UTC(), Day: dayWords(at.In(loc), ru), What: what, Title: title, Actor: actor,
			Sealed: sealable && seal.Seq > 0 && !at.After(seal.To)})
	}
	for _, e := range events {
		// A sealer reads events by when they occurred, back to the look-back before the last seal's end: one
		// delivered more than that after it happened is taken by no seal (docs/timeline.md), however its
		// arrival falls. (One the look-back still reached, as after a quiet spell, shows unsealed: the page
		// errs on the side of claiming less.)
		sealable := !e.OccurredAt.Before(e.ReceivedAt.Add(-timeline.LookBack))
		add(e.ReceivedAt, eventWords(e, locale), eventTitle(e), e.Actor, sealable)
	}
	for _, m := range msgs {
		if sentToClient(m) {
			what := words(ru).t("письмо вам", "email to you")
			if m.Channel == glassbox.ChannelTelegram {
				what = words(ru).t("сообщение вам в Telegram", "Telegram message to you")
			}
			add(m.SentAt, what, m.Subject, "", true)
		}
	}
	for _, f := range feedback {
		add(f.At, feedbackWords(f, ru), f.Title, "", true)
	}
	slices.SortStableFunc(out, func(a, b EntryView) int { return b.At.Compare(a.At) })
	if len(out) > TimelineEntries {
		out = out[:TimelineEntries]
	}
	return out
}

// sentToClient says m went out to the client (a bounce after sending included): what the page may list. Messages
// to the manager or the accountant never are.
func sentToClient(m glassbox.Message) bool {
	return m.Audience == glassbox.AudienceClient && !m.SentAt.IsZero() &&
		(m.State == glassbox.MessageSent || m.State == glassbox.MessageBounced)
}

func feedbackWords(f glassbox.Feedback, ru bool) string {
	switch f.Kind {
	case glassbox.FeedbackAccepted:
		return words(ru).t("вы приняли", "you accepted")
	case glassbox.FeedbackChangesRequested:
		return words(ru).t("вы попросили правки", "you asked for changes")
	}
	return words(ru).t(fmt.Sprintf("ваша оценка: %d из 5", f.Score), fmt.Sprintf("your rating: %d of 5", f.Score))
}

// sealView states the timeline's seal and last check in the page's language.
func sealView(snap glassbox.DashboardSnapshot, shown []EntryView, projectID, locale string, loc *time.Location) SealView {
	ru := locale == glassbox.LocaleRU
	v := SealView{Seq: snap.Seal.Seq, Hash: snap.Seal.Hash, SealedAt: snap.Seal.SealedAt, Timestamped: snap.Seal.Timestamped}
	for _, e := range shown {
		// Waiting for the next seal: arrived after the newest seal's window (not an entry no seal takes).
		if !e.Sealed && e.At.After(snap.Seal.To) {
			v.Waiting++
		}
	}
	when := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04 MST") }
	if v.Seq == 0 {
		v.Lines = append(v.Lines, words(ru).t("Хронология ещё не запечатана: первая печать будет в течение часа.",
			"The timeline is not sealed yet: the first seal comes within the hour."))
		return v
	}
	line := words(ru).t(fmt.Sprintf("Печать № %d от %s, контрольная сумма %s", v.Seq, when(v.SealedAt), v.Hash),
		fmt.Sprintf("Seal no. %d of %s, checksum %s", v.Seq, when(v.SealedAt), v.Hash))
	if v.Timestamped {
		line += words(ru).t(", с меткой времени независимого сервиса (RFC 3161)", ", timestamped by an independent authority (RFC 3161)")
	}
	v.Lines = append(v.Lines, line+".")
	if c := snap.Check; c != nil && c.Seals > 0 {
		v.Checked, v.Intact, v.Problems = c.At, len(c.Problems) == 0, c.Problems
		if v.Intact {
			v.Lines = append(v.Lines, words(ru).t(
				fmt.Sprintf("Проверено %s: записей — %d, печатей — %d; всё совпадает с тем, что было запечатано.", when(c.At), c.Sealed, c.Seals),
				fmt.Sprintf("Verified %s: %d %s in %d %s, all as sealed.", when(c.At), c.Sealed, glassbox.Plural(locale, c.Sealed, "entry", "entries"),
					c.Seals, glassbox.Plural(locale, c.Seals, "seal", "seals"))))
		} else {
			v.Lines = append(v.Lines, words(ru).t(
				fmt.Sprintf("Проверка %s нашла расхождения с запечатанным: %s.", when(c.At), strings.Join(c.Problems, "; ")),
				fmt.Sprintf("The check of %s found differences from what was sealed: %s.", when(c.At), strings.Join(c.Problems, "; "))))
		}
	}
	if v.Waiting > 0 {
		v.Lines = append(v.Lines, words(ru).t(fmt.Sprintf("Новых записей вне печати: %d, они войдут в следующую.", v.Waiting),
			fmt.Sprintf("%d newer entries are not sealed yet; the next seal takes them.", v.Waiting)))
	}
	v.Verify = "glassbox verify --project " + projectID + " --checkpoint " + v.Hash
	v.Lines = append(v.Lines, words(ru).t("Проверить без нас: ", "Check it without us: ")+v.Verify)
	return v
}

// personalLink is a signed link meant for one recipient of a report (a rating, an unsubscribe) or for the
// agency (an approval, a "payment received" click): whoever holds the dashboard must not get them.
var personalLink = regexp.MustCompile(`/(?:r|u|a|pay)/[A-Za-z0-9._~%-]{6,}`)

// withoutPersonalLinks is a report's text as the dashboard shows it: every line with a personal link left out,
// with the lead-in line ending in a colon that introduced them ("Оцените неделю …:").
func withoutPersonalLinks(text string) string {
	var out []string
	dropped := false
	for _, line := range strings.Split(text, "\n") {
		if personalLink.MatchString(line) {
			if n := len(out); !dropped && n > 0 && strings.HasSuffix(strings.TrimSpace(out[n-1]), ":") {
				out = out[:n-1]
			}
			dropped = true
			continue
		}
		dropped = false
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
