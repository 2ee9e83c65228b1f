package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/glassbox-oss/glassbox/shared/dashboard"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/schedule"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// devReportRate is glassbox dev's send rate: the outbox takes any, but a tick should still look like one.
const devReportRate = 50

// scheduleReports runs the schedule tick as DigestFunction does on AWS, every interval until ctx ends (0: never).
// The first tick is one interval after start, not at start: a server (re)started on a Friday afternoon mails
// nothing before the newcomer's demo, and on AWS the next tick is at most 15 minutes away too.
func (d *devServer) scheduleReports(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.tick(ctx, time.Now().UTC())
		}
	}
}

// tick seals every project's timeline (SealFunction's hourly run), then runs one schedule tick as of now, whose
// reports seal their projects again as they are composed (DigestFunction's), and logs what it did. Sealing goes
// by the real clock, not now (a tick ?at= next Friday must not close the timeline's window in the future), and
// a failure to seal is logged and sends the reports anyway.
func (d *devServer) tick(ctx context.Context, now time.Time) (schedule.Result, error) {
	d.seal(ctx)
	res, err := d.reports(now).Tick(ctx)
	switch {
	case err != nil:
		d.logger.Error("schedule tick", "error", err.Error())
	case res.Due > 0:
		d.logger.Info("schedule tick sent reports", "due", res.Due, "delivered", res.Delivered, "messages", res.Messages)
	}
	return res, err
}

// seal does what SealFunction does: seals every project's timeline, then refreshes the dashboards' snapshots.
// The whole timeline is checked at every call (a demo's history is small), so a tampered entry shows on the
// page within a tick. Failures are logged: the caller goes on.
func (d *devServer) seal(ctx context.Context) {
	if err := timeline.SealAll(ctx, d.store, timeline.Sealer{Store: d.store, Clock: glassbox.SystemClock{}}, d.logger); err != nil {
		d.logger.Error("seal the timelines", "error", err.Error())
	}
	refresh := dashboard.Refresher{Store: d.store, Clock: glassbox.SystemClock{}, CheckEvery: time.Nanosecond, Logger: d.logger}
	if err := refresh.RefreshAll(ctx); err != nil {
		d.logger.Error("refresh the dashboards", "error", err.Error())
	}
}

// serveTick is POST /dev/tick: a schedule tick now, or as of ?at=<RFC 3339> (Friday's digest on a Tuesday).
// back=… (the index page's buttons) answers with the outbox; otherwise the tick's result as JSON.
func (d *devServer) serveTick(w http.ResponseWriter, r *http.Request) {
	now := time.Now().UTC()
	if at := r.FormValue("at"); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			http.Error(w, "at must be an RFC 3339 time, like 2026-12-04T15:00:00+03:00", http.StatusBadRequest)
			return
		}
		now = t.UTC()
	}
	res, err := d.tick(r.Context(), now)
	if err == nil && r.FormValue("back") != "" {
		http.Redirect(w, r, "/outbox", http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]any{"result": res, "error": err.Error()})
		return
	}
	_ = json.NewEncoder(w).Encode(res)
}

// nextDigest is when the first project with a weekly digest gets its next one, for the index page's button:
// the digest of the week that is under way, with everything received so far.
func nextDigest(cfg glassbox.Config, now time.Time) (glassbox.Project, time.Time, bool) {
	for _, p := range cfg.Projects {
		plan := cfg.ProjectReports(p)
		if !plan.Weekly {
			continue
		}
		// The latest send time at or before a week from now is the next one.
		_, send := plan.DueWeek(now.Add(7 * 24 * time.Hour))
		if !send.After(now) {
			send = send.Add(7 * 24 * time.Hour)
		}
		return p, send, true
	}
	return glassbox.Project{}, time.Time{}, false
}

// demoHistoryProject is the demo project that gets a week of task history and eight weeks of ad figures.
const demoHistoryProject = "romashka-site"

// serveDemoHistory is POST /dev/history, which make demo calls: the demo project's recent past, as its tracker
// and ad cabinets would have sent it, so that the first digest has something to say.
func (d *devServer) serveDemoHistory(w http.ResponseWriter, r *http.Request) {
	n, err := seedDemoHistory(r.Context(), d.store, time.Now().UTC())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// The history is in the past: seal it now, so the dashboard shows it sealed and checked at once.
	d.seal(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"project": demoHistoryProject, "events": n.events, "tasks": n.tasks, "metrics": n.metrics})
}

type seeded struct{ events, tasks, metrics int }

// demoTask is one task of the demo history: its title and the steps it went through, in order.
type demoTask struct {
	id, title string
	steps     []demoStep
}

type demoStep struct {
	// at is how far into the history the step happened, 0 to 1.
	at     float64
	kind   glassbox.EventKind
	status glassbox.TaskStatus
	note   string
	mins   int64
}

// demoTasks are the demo project's week: tasks done, carried over (one with a reason), waiting on the client,
// not started, and work logged.
var demoTasks = []demoTask{
	{"h-proto", "Прототип главной страницы", []demoStep{
		{0.05, glassbox.EventTaskMoved, glassbox.StatusInProgress, "", 0},
		{0.30, glassbox.EventWorkLogged, "", "", 180},
		{0.45, glassbox.EventTaskMoved, glassbox.StatusDone, "", 0}}},
	{"h-about", "Тексты раздела «О компании»", []demoStep{
		{0.10, glassbox.EventTaskCreated, glassbox.StatusTodo, "", 0},
		{0.40, glassbox.EventTaskMoved, glassbox.StatusInProgress, "", 0},
		{0.55, glassbox.EventWorkLogged, "", "", 120},
		{0.70, glassbox.EventTaskMoved, glassbox.StatusDone, "", 0}}},
	{"h-metrika", "Подключить Яндекс Метрику и цели", []demoStep{
		{0.20, glassbox.EventTaskMoved, glassbox.StatusDone, "", 45}}},
	{"h-card", "Дизайн карточки товара", []demoStep{
		{0.15, glassbox.EventTaskMoved, glassbox.StatusInProgress, "", 0},
		{0.60, glassbox.EventWorkLogged, "", "", 240},
		{0.80, glassbox.EventTaskNoted, "", "Переносится: ждём фотографии товаров от фотографа", 0}}},
	{"h-logo", "Согласовать логотип в шапке", []demoStep{
		{0.35, glassbox.EventTaskMoved, glassbox.StatusWaiting, "Ждём от вас выбор одного из двух вариантов", 0}}},
	{"h-form", "Форма обратной связи", []demoStep{
		{0.50, glassbox.EventTaskCreated, glassbox.StatusTodo, "", 0}}},
}

// seedDemoHistory writes the demo project's history straight into the store: the task events, received at
// their past times (a digest takes events by when they were received) and marked processed, because their
// notices belong to that past and are not sent now; the tasks as the events leave them; and eight weeks of
// daily figures from two ad sources, up to yesterday. The history spans the digest period under way, so the
// next digest (the index page's button) tells it. Seeding again changes nothing.
func seedDemoHistory(ctx context.Context, store *localstore.Store, now time.Time) (seeded, error) {
	var n seeded
	cfg, err := store.Config(ctx)
	if err != nil {
		return n, err
	}
	p, ok := cfg.Project(demoHistoryProject)
	if !ok {
		return n, fmt.Errorf("the agency has no project %s: the demo history is for the demo agency", demoHistoryProject)
	}
	// The history runs from the start of the period under way (at most six days back) to a minute ago.
	plan := cfg.ProjectReports(p)
	period, _ := plan.DueWeek(now.Add(7 * 24 * time.Hour))
	from := period.From
	if from.After(now) || now.Sub(from) > 6*24*time.Hour {
		from = now.Add(-6 * 24 * time.Hour)
	}
	span := now.Add(-time.Minute).Sub(from)
	for _, dt := range demoTasks {
		var task glassbox.Task
		if _, err := store.Task(ctx, p.ID, "trello", dt.id); err == nil {
			continue // seeded before
		} else if !errors.Is(err, glassbox.ErrNotFound) {
			return n, err
		}
		status := glassbox.StatusTodo
		for i, s := range dt.steps {
			at := from.Add(time.Duration(s.at * float64(span))).Truncate(time.Second)
			e := glassbox.Event{ID: fmt.Sprintf("trello:demo-history-%s-%d", dt.id, i), ProjectID: p.ID, BindingID: "demo-board",
				Provider: "trello", ProviderEventID: fmt.Sprintf("demo-history-%s-%d", dt.id, i), Kind: s.kind, TaskID: dt.id,
				Title: dt.title, URL: "https://trello.com/c/" + dt.id, Actor: "Мария Иванова", Note: s.note, Minutes: s.mins,
				OccurredAt: at, ReceivedAt: at}
			if s.status != "" {
				e.PrevStatus, e.Status = status, s.status
				status = s.status
			}
			if err := store.AppendEvent(ctx, e); err != nil && !errors.Is(err, glassbox.ErrDuplicate) {
				return n, err
			}
			if err := store.MarkEventProcessed(ctx, e.ID); err != nil {
				return n, err
			}
			task.Apply(e)
			n.events++
		}
		task.Version = 1
		if err := store.PutTask(ctx, task); err != nil {
			return n, err
		}
		n.tasks++
	}
	ms := demoMetrics(p.ID, now)
	if err := store.PutMetrics(ctx, ms); err != nil {
		return n, err
	}
	n.metrics = len(ms)
	return n, nil
}

// demoMetrics are eight weeks of daily figures up to yesterday (Moscow) from Yandex Direct and VK Ads: spend in
// kopecks, clicks and leads that grow a little week by week, less at weekends. The same day gives the same
// figures, so seeding again replaces them with themselves.
func demoMetrics(projectID string, now time.Time) []glassbox.Metric {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		moscow = time.UTC
	}
	today := now.In(moscow)
	var out []glassbox.Metric
	for back := 56; back >= 1; back-- {
		day := time.Date(today.Year(), today.Month(), today.Day()-back, 12, 0, 0, 0, moscow)
		weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
		growth := 1 + 0.04*float64(56-back)/7 // four percent a week
		wave := 1 + 0.1*math.Sin(float64(day.YearDay()))
		scale := growth * wave
		if weekend {
			scale *= 0.6
		}
		for _, src := range []struct {
			name                 string
			spend, clicks, leads float64
			impressionsPerClick  float64
		}{
			{"yandex_direct", 3500_00, 140, 6, 25},
			{"vk_ads", 1800_00, 90, 2.5, 60},
		} {
			clicks := int64(src.clicks * scale)
			out = append(out, glassbox.Metric{ProjectID: projectID, Date: day.Format(time.DateOnly), Source: src.name,
				Spend: int64(src.spend * scale), Currency: "RUB", Impressions: int64(float64(clicks) * src.impressionsPerClick),
				Clicks: clicks, Leads: int64(math.Round(src.leads * scale)), Origin: "demo", UpdatedAt: now})
		}
	}
	return out
}
