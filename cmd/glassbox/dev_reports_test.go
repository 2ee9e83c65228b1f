package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/schedule"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// The newcomer's path to a digest: after make demo's deliveries and its history (POST /dev/history), the index
// page's "Send the coming digest now" runs a tick as of the demo project's next Friday 15:00 (POST /dev/tick
// ?at=…), and the week's digest is in the outbox, to the client; pressing it again sends nothing more.
func TestDevTickSendsTheComingDigest(t *testing.T) {
	h := newDevHarness(t)
	if status, body := h.sendSample("ingest-trello-done.json"); status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	resp, err := h.srv.Client().Post(h.srv.URL+"/dev/history", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /dev/history: %d", resp.StatusCode)
	}

	page := get(t, h.srv.URL+"/")
	m := regexp.MustCompile(`name="at" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "Send the coming digest now") || !strings.Contains(page, `action="/dev/tick"`) {
		t.Fatalf("the index page has no digest button:\n%s", page)
	}
	at, err := time.Parse(time.RFC3339, html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	moscow, _ := time.LoadLocation("Europe/Moscow")
	if local := at.In(moscow); local.Weekday() != time.Friday || local.Format("15:04") != "15:00" || !at.After(time.Now()) {
		t.Errorf("the button sends as of %s, want the coming Friday 15:00 in Moscow", local)
	}

	cfg, err := h.dev.store.Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := cfg.Project(demoHistoryProject)
	plan := cfg.ProjectReports(p)
	period, _ := plan.DueWeek(at)
	placeholder := false
	if msgs, err := digest.New(h.dev.store, nil).Compose(context.Background(), cfg, p, plan, period); err == nil && len(msgs) > 0 && msgs[0].From.Email == "" {
		placeholder = true
	}

	before := len(h.mail())
	res := postTick(t, h, at)
	if res.Due == 0 {
		t.Fatalf("tick as of %s: %+v, want the demo projects' digests due", at, res)
	}
	if placeholder {
		t.Skip("digest.Composer is the placeholder (its messages have no From): the outbox part runs once the report content is merged")
	}
	if res.Delivered != res.Due || res.Messages == 0 {
		t.Errorf("tick: %+v, want every due digest delivered", res)
	}
	mail := h.mail()
	if len(mail) <= before {
		t.Fatalf("no digest in the outbox")
	}
	client := false
	for _, mm := range mail[:len(mail)-before] {
		for _, to := range mm.To {
			client = client || strings.Contains(to, "@romashka.example")
		}
	}
	if !client {
		t.Errorf("no new email to the client: %+v", mail[:len(mail)-before])
	}
	after := len(h.mail())
	if res := postTick(t, h, at.Add(15*time.Minute)); res.Due != 0 || res.Messages != 0 {
		t.Errorf("the next tick: %+v, want nothing due", res)
	}
	if got := len(h.mail()); got != after {
		t.Errorf("%d emails after pressing again, want still %d", got, after)
	}
}

func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// postTick runs POST /dev/tick?at=… and decodes its result (also from a failed tick's answer).
func postTick(t *testing.T, h *devHarness, at time.Time) schedule.Result {
	t.Helper()
	resp, err := h.srv.Client().PostForm(h.srv.URL+"/dev/tick", url.Values{"at": {at.Format(time.RFC3339)}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var res schedule.Result
	if resp.StatusCode == http.StatusOK {
		err = json.Unmarshal(b, &res)
	} else {
		var failed struct{ Result schedule.Result }
		err = json.Unmarshal(b, &failed)
		res = failed.Result
	}
	if err != nil {
		t.Fatalf("POST /dev/tick: %d %s", resp.StatusCode, b)
	}
	return res
}

// The demo history lies in the digest period under way, received at past times; its tasks are done, carried
// over with a reason, waiting on the client and not started; the figures are eight weeks of two sources up to
// yesterday. Seeding again adds nothing.
func TestSeedDemoHistory(t *testing.T) {
	h := newDevHarness(t)
	ctx := context.Background()
	now := time.Now().UTC()
	n, err := seedDemoHistory(ctx, h.dev.store, now)
	if err != nil {
		t.Fatal(err)
	}
	if n.tasks != len(demoTasks) || n.metrics != 56*2 {
		t.Errorf("seeded %+v, want %d tasks and 112 figures", n, len(demoTasks))
	}
	cfg, _ := h.dev.store.Config(ctx)
	p, _ := cfg.Project(demoHistoryProject)
	_, send, _ := nextDigest(cfg, now)
	period, _ := cfg.ProjectReports(p).DueWeek(send)
	from, to := period.EventWindow()
	evs, err := h.dev.store.EventsBetween(ctx, p.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	taken := 0
	for _, e := range evs {
		if !e.ReceivedAt.Before(now) {
			t.Errorf("event %s received %s, not in the past", e.ID, e.ReceivedAt)
		}
		if period.Takes(e) {
			taken++
		}
	}
	if taken != n.events || taken == 0 {
		t.Errorf("the coming digest takes %d of %d seeded events, want all", taken, n.events)
	}
	unprocessed, _ := h.dev.store.UnprocessedEvents(ctx, now.Add(time.Hour), 100)
	if len(unprocessed) != 0 {
		t.Errorf("%d seeded events left unprocessed: the sweep would send their notices now", len(unprocessed))
	}
	open, _ := h.dev.store.OpenTasks(ctx, p.ID)
	statuses := map[glassbox.TaskStatus]int{}
	for _, task := range open {
		statuses[task.Status]++
	}
	if statuses[glassbox.StatusInProgress] != 1 || statuses[glassbox.StatusWaiting] != 1 || statuses[glassbox.StatusTodo] != 1 {
		t.Errorf("open tasks by status %v, want one in progress, one waiting, one not started", statuses)
	}
	again, err := seedDemoHistory(ctx, h.dev.store, now)
	if err != nil || again.events != 0 || again.tasks != 0 {
		t.Errorf("seeding again: %+v, %v; want nothing new", again, err)
	}
}

// glassbox dev's digests seal too, on the same code path as DigestFunction: a schedule tick alone (without the
// tick's hourly-style seal of every project before it) seals the demo project's new entries as it composes the
// digest, and the digest carries the hash of that seal, not an older one.
func TestDevDigestSeals(t *testing.T) {
	h := newDevHarness(t)
	ctx := context.Background()
	if _, err := seedDemoHistory(ctx, h.dev.store, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if head, err := timeline.Latest(ctx, h.dev.store, demoHistoryProject); err != nil || head.Seq != 0 {
		t.Fatalf("sealed before the digest: %+v, %v", head, err)
	}
	cfg, err := h.dev.store.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, at, _ := nextDigest(cfg, time.Now().UTC())
	res, err := h.dev.reports(at).Tick(ctx)
	if err != nil || res.Delivered == 0 {
		t.Fatalf("tick as of %s: %+v, %v", at, res, err)
	}
	head, err := timeline.Latest(ctx, h.dev.store, demoHistoryProject)
	if err != nil || head.Seq == 0 {
		t.Fatalf("the digest did not seal: %+v, %v", head, err)
	}
	if !head.SealedAt.Before(time.Now().Add(time.Minute)) {
		t.Errorf("sealed at %s: by the tick's clock, not the real one", head.SealedAt)
	}
	carried := false
	for _, m := range h.mail() {
		carried = carried || strings.Contains(m.Text, head.Hash)
	}
	if !carried {
		t.Errorf("no digest in the outbox carries the seal's hash %s", head.Hash)
	}
}
