package schedule_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/schedule"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Ticks every 15 minutes over three weeks in which Europe (25 October) and the United States (1 November) leave
// summer time: each project's weekly digest goes once a week, at the first tick at or after Friday 15:00 in its
// own zone, whatever the offset that week, and October's monthly report and call reminder go on the first
// working day of November (Monday the 2nd) at 10:00 local. The first tick is on a Monday: the Friday before is
// more than the catch-up window ago and is not sent.
func TestTickSendsAtLocalTimeAcrossDST(t *testing.T) {
	t.Parallel()
	zones := []string{"Europe/Moscow", "Europe/Berlin", "America/New_York"}
	store := openLocal(t)
	cfg := agency(len(zones), zones...)
	if err := store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	start, end := time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	c := &clock{now: start}
	snd := newSender(c)
	d := newDispatcher(store, c, &composer{}, snd, schedule.Options{})
	for ; c.Now().Before(end); c.advance(15 * time.Minute) {
		if _, err := d.Tick(t.Context()); err != nil {
			t.Fatalf("tick at %s: %v", c.Now(), err)
		}
	}
	for i, name := range zones {
		loc := zone(t, name)
		p := cfg.Projects[i]
		plan := cfg.ProjectReports(p)
		recipient := "anna@" + p.ClientID + ".example"
		for _, week := range []string{"2026-W43", "2026-W44", "2026-W45"} {
			period, err := plan.WeekPeriod(week)
			if err != nil {
				t.Fatal(err)
			}
			id := reportID(p.ID, period, recipient)
			at := snd.at[id]
			if len(at) != 1 {
				t.Errorf("%s %s: sent %d times, want once", name, week, len(at))
				continue
			}
			local := at[0].In(loc)
			if local.Weekday() != time.Friday || local.Hour() != 15 || local.Minute() != 0 {
				t.Errorf("%s %s: sent %s local, want Friday 15:00", name, week, local.Format("Mon 2006-01-02 15:04 MST"))
			}
			if !period.To.Equal(at[0]) {
				t.Errorf("%s %s: period ends %s, sent %s: the digest's window should end when it goes", name, week, period.To, at[0])
			}
		}
		period, _ := plan.WeekPeriod("2026-W42") // Friday 16 October: before the first tick's catch-up window
		if n := snd.count(reportID(p.ID, period, recipient)); n != 0 {
			t.Errorf("%s: the week before the first tick was sent %d times, want none", name, n)
		}
		month, _ := plan.MonthPeriod("2026-10")
		at := snd.at[reportID(p.ID, month, recipient)]
		if len(at) != 1 || at[0].In(loc).Format("Mon 2006-01-02 15:04") != "Mon 2026-11-02 10:00" {
			t.Errorf("%s: October's report sent at %v, want once on Mon 2026-11-02 10:00 local", name, at)
		}
		call := glassbox.MessageID(glassbox.ReportCause(p.ID, month, p.Manager.Email), glassbox.MessageCallReminder, glassbox.AudienceManager, glassbox.ChannelEmail)
		if n := snd.count(call); n != 1 {
			t.Errorf("%s: the call reminder went %d times, want once with the monthly report", name, n)
		}
	}
	if got, want := int(snd.n.Load()), len(zones)*(3+2); got != want {
		t.Errorf("%d messages sent, want %d (three digests, a monthly report and a call reminder per project)", got, want)
	}
}

// A tick sends a report whose time came at most the catch-up window ago: after an outage of hours it goes, a
// day and more late it does not (nor does a project added after it).
func TestTickCatchUpWindow(t *testing.T) {
	t.Parallel()
	moscow := zone(t, "Europe/Moscow")
	friday := time.Date(2026, 11, 27, 15, 0, 0, 0, moscow)
	tests := []struct {
		name string
		at   time.Time
		want int
	}{
		{"a minute early", friday.Add(-time.Minute), 0},
		{"on time", friday, 1},
		{"after an outage of six hours", friday.Add(6 * time.Hour), 1},
		{"at the end of the window", friday.Add(schedule.DefaultCatchUp), 1},
		{"a day and a quarter late", friday.Add(schedule.DefaultCatchUp + 15*time.Minute), 0},
		{"the Tuesday after", friday.Add(4 * 24 * time.Hour), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := openLocal(t)
			cfg := agency(1)
			off := glassbox.Reports{Monthly: glassbox.ReportSchedule{Off: true}}
			cfg.Agency.Reports = &off
			if err := store.PutConfig(t.Context(), cfg); err != nil {
				t.Fatal(err)
			}
			c := &clock{now: tt.at.UTC()}
			snd := newSender(c)
			res, err := newDispatcher(store, c, &composer{}, snd, schedule.Options{}).Tick(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if int(snd.n.Load()) != tt.want || res.Delivered != tt.want {
				t.Errorf("sent %d, delivered %d, want %d", snd.n.Load(), res.Delivered, tt.want)
			}
		})
	}
}

// Recipients who unsubscribed get nothing; the others get their digest, and later ticks neither send again
// nor rebuild the report (its delivery is recorded); an empty week the plan skips is recorded too.
func TestTickUnsubscribedAndRecorded(t *testing.T) {
	t.Parallel()
	store := openLocal(t)
	cfg := agency(2)
	cfg.Projects[0].Reports = &glassbox.Reports{Recipients: []string{"anna@c0000.example", "boss@c0000.example"}}
	cfg.Projects[1].Reports = &glassbox.Reports{EmptyWeek: glassbox.EmptyWeekSkip}
	if err := store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	if err := store.Unsubscribe(t.Context(), glassbox.Unsubscription{ProjectID: "p0000", Recipient: "Boss@c0000.example", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 11, 27, 15, 0, 0, 0, zone(t, "Europe/Moscow"))
	c := &clock{now: friday.UTC()}
	snd := newSender(c)
	comp := &composer{skip: map[string]bool{"p0001": true}}
	d := newDispatcher(store, c, comp, snd, schedule.Options{})
	for range 8 {
		res, err := d.Tick(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if c.Now().Equal(friday.UTC()) && (res.Due != 2 || res.Delivered != 2) {
			t.Errorf("first tick: %+v, want two reports due and delivered", res)
		}
		c.advance(15 * time.Minute)
	}
	period, _ := cfg.ProjectReports(cfg.Projects[0]).WeekPeriod("2026-W48")
	if n := snd.count(reportID("p0000", period, "anna@c0000.example")); n != 1 {
		t.Errorf("anna got the digest %d times, want once", n)
	}
	if n := snd.count(reportID("p0000", period, "boss@c0000.example")); n != 0 {
		t.Errorf("the unsubscribed recipient got the digest %d times", n)
	}
	if n := snd.n.Load(); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if n := comp.calls.Load(); n != 2 {
		t.Errorf("reports built %d times over eight ticks, want 2 (once each; then the record spares the rebuild)", n)
	}
	got, err := store.ReportsDelivered(t.Context(), "2026-W48")
	if err != nil || len(got) != 2 {
		t.Errorf("recorded deliveries %+v, %v; want both projects", got, err)
	}
}

// A send that fails (throttled) fails its report's tick; the next tick sends what is unsent, and nothing twice.
func TestTickRetriesAfterSendFailure(t *testing.T) {
	t.Parallel()
	store := openLocal(t)
	cfg := agency(3)
	cfg.Projects[1].Reports = &glassbox.Reports{Recipients: []string{"anna@c0001.example", "boss@c0001.example"}}
	if err := store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 11, 27, 15, 0, 0, 0, zone(t, "Europe/Moscow"))
	c := &clock{now: friday.UTC()}
	snd := newSender(c)
	period, _ := cfg.ProjectReports(cfg.Projects[1]).WeekPeriod("2026-W48")
	second := reportID("p0001", period, "boss@c0001.example")
	snd.failFirst[second] = true
	d := newDispatcher(store, c, &composer{}, snd, schedule.Options{})
	res, err := d.Tick(t.Context())
	if err == nil || res.Failed != 1 || res.Delivered != 2 {
		t.Fatalf("first tick: %+v, %v; want one report failed and two delivered", res, err)
	}
	c.advance(15 * time.Minute)
	res, err = d.Tick(t.Context())
	if err != nil || res.Due != 1 || res.Delivered != 1 {
		t.Fatalf("second tick: %+v, %v; want the failed report delivered", res, err)
	}
	for id, n := range snd.sends {
		if n != 1 {
			t.Errorf("%s sent %d times", id, n)
		}
	}
	if snd.count(second) != 1 || snd.n.Load() != 4 {
		t.Errorf("sends %v, want four messages once each", snd.sends)
	}
}

// Sends are paced at the rate, across the workers together.
func TestTickPacesSends(t *testing.T) {
	t.Parallel()
	store := openLocal(t)
	if err := store.PutConfig(t.Context(), agency(21)); err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 11, 27, 15, 0, 0, 0, zone(t, "Europe/Moscow"))
	c := &clock{now: friday.UTC()}
	snd := newSender(c)
	d := newDispatcher(store, c, &composer{}, snd, schedule.Options{Rate: 20, Workers: 4})
	began := time.Now()
	if _, err := d.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	// 21 sends at 20 a second: the last one a second after the first.
	if took := time.Since(began); took < 950*time.Millisecond {
		t.Errorf("21 sends at 20/s took %s, want about a second", took)
	}
	if snd.n.Load() != 21 {
		t.Errorf("sent %d, want 21", snd.n.Load())
	}
}

// A tick whose function time runs out stops starting reports and leaves them, and the sends that would come
// after the deadline, to the next tick, which sends them: none lost, none twice.
func TestTickDeadlineResumes(t *testing.T) {
	t.Parallel()
	store := openLocal(t)
	const n = 40
	if err := store.PutConfig(t.Context(), agency(n)); err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 11, 27, 15, 0, 0, 0, zone(t, "Europe/Moscow"))
	c := &clock{now: friday.UTC()}
	snd := newSender(c)
	d := newDispatcher(store, c, &composer{}, snd, schedule.Options{Rate: 20, Reserve: 400 * time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	res, _ := d.Tick(ctx)
	if res.Left == 0 || res.Delivered == 0 || res.Delivered >= n {
		t.Fatalf("the tick cut short: %+v; want some delivered and some left", res)
	}
	c.advance(15 * time.Minute)
	res2, err := d.Tick(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res.Delivered+res2.Delivered != n {
		t.Errorf("delivered %d then %d, want %d in all", res.Delivered, res2.Delivered, n)
	}
	if len(snd.sends) != n {
		t.Errorf("%d digests sent, want %d", len(snd.sends), n)
	}
	for id, k := range snd.sends {
		if k != 1 {
			t.Errorf("%s sent %d times", id, k)
		}
	}
}

// A digest set at a local time the clock skips (02:30 on the night New York springs forward) or passes twice
// (01:30 on the night it falls back) goes once that week, and once the weeks around it.
func TestTickSkippedAndRepeatedLocalTimes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		at         string
		start, end time.Time
	}{
		{"02:30 does not exist on 8 March", "02:30", time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 17, 0, 0, 0, 0, time.UTC)},
		{"01:30 happens twice on 1 November", "01:30", time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := openLocal(t)
			cfg := agency(1, "America/New_York")
			cfg.Agency.Reports = &glassbox.Reports{Weekly: glassbox.ReportSchedule{Day: "sunday", At: tt.at}, Monthly: glassbox.ReportSchedule{Off: true}}
			if err := store.PutConfig(t.Context(), cfg); err != nil {
				t.Fatal(err)
			}
			c := &clock{now: tt.start}
			snd := newSender(c)
			d := newDispatcher(store, c, &composer{}, snd, schedule.Options{})
			for ; c.Now().Before(tt.end); c.advance(15 * time.Minute) {
				if _, err := d.Tick(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			// Two Sundays in the window (it starts more than the catch-up window after the one before): each
			// digest once, on its Sunday night.
			if len(snd.sends) != 2 {
				t.Fatalf("%d digests sent, want 2: %v", len(snd.sends), snd.at)
			}
			ny := zone(t, "America/New_York")
			for id, n := range snd.sends {
				local := snd.at[id][0].In(ny)
				if n != 1 || local.Weekday() != time.Sunday || local.Hour() > 3 {
					t.Errorf("%s: sent %d times, at %s local; want once, on the Sunday night", id, n, local.Format("Mon 2006-01-02 15:04 MST"))
				}
			}
		})
	}
}

// periods records the period each report was built for, by project and key.
type periods struct {
	composer
	mu  sync.Mutex
	got map[string]glassbox.Period
}

func (c *periods) Compose(ctx context.Context, cfg glassbox.Config, p glassbox.Project, plan glassbox.ReportPlan, period glassbox.Period) ([]glassbox.Message, error) {
	c.mu.Lock()
	c.got[p.ID+" "+period.Key] = period
	c.mu.Unlock()
	return c.composer.Compose(ctx, cfg, p, plan, period)
}

// When the weekly day or time changes after a week was reported, the next digest starts where the last one
// ended: moved later (Monday to Friday in a week already reported on Monday), the days in between are in the
// next digest rather than in none; moved earlier (Friday to Monday), the days already reported are not
// reported twice.
func TestTickScheduleChangeLosesNoEvents(t *testing.T) {
	t.Parallel()
	msk := zone(t, "Europe/Moscow")
	for _, tc := range []struct {
		name        string
		first, then string
		firstSend   time.Time // the W47 digest, on the first schedule
		nextSend    time.Time // the W48 digest, on the changed schedule
	}{
		{"later", "monday", "friday", time.Date(2026, 11, 16, 15, 0, 0, 0, msk), time.Date(2026, 11, 27, 15, 0, 0, 0, msk)},
		{"earlier", "friday", "monday", time.Date(2026, 11, 20, 15, 0, 0, 0, msk), time.Date(2026, 11, 23, 15, 0, 0, 0, msk)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := openLocal(t)
			cfg := agency(1)
			cfg.Projects[0].Reports = &glassbox.Reports{Weekly: glassbox.ReportSchedule{Day: tc.first}, Monthly: glassbox.ReportSchedule{Off: true}}
			if err := store.PutConfig(t.Context(), cfg); err != nil {
				t.Fatal(err)
			}
			c := &clock{now: tc.firstSend.UTC()}
			comp := &periods{got: map[string]glassbox.Period{}}
			d := newDispatcher(store, c, comp, newSender(c), schedule.Options{})
			if _, err := d.Tick(t.Context()); err != nil {
				t.Fatal(err)
			}
			cfg.Projects[0].Reports.Weekly.Day = tc.then
			if err := store.PutConfig(t.Context(), cfg); err != nil {
				t.Fatal(err)
			}
			for c.Now().Before(tc.nextSend.UTC()) {
				c.advance(15 * time.Minute)
				if _, err := d.Tick(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			w47, w48 := comp.got["p0000 2026-W47"], comp.got["p0000 2026-W48"]
			if !w47.To.Equal(tc.firstSend) {
				t.Fatalf("W47 digest %+v, want it to end at %s", w47, tc.firstSend)
			}
			if !w48.From.Equal(w47.To) || !w48.To.Equal(tc.nextSend) {
				t.Errorf("W48 digest [%s, %s), want [%s, %s): where W47's ended, to its own send time",
					w48.From, w48.To, w47.To, tc.nextSend.UTC())
			}
		})
	}
}

// A week whose digest no tick sent (the function down past the catch-up window) leaves its events to the next
// digest, which starts where the last one delivered ended.
func TestTickMissedWeekLosesNoEvents(t *testing.T) {
	t.Parallel()
	msk := zone(t, "Europe/Moscow")
	store := openLocal(t)
	cfg := agency(1)
	cfg.Projects[0].Reports = &glassbox.Reports{Monthly: glassbox.ReportSchedule{Off: true}}
	if err := store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	w47 := time.Date(2026, 11, 20, 15, 0, 0, 0, msk)
	c := &clock{now: w47.UTC()}
	comp := &periods{got: map[string]glassbox.Period{}}
	d := newDispatcher(store, c, comp, newSender(c), schedule.Options{})
	if _, err := d.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.now = w47.AddDate(0, 0, 14).UTC() // W48's Friday passed without a tick; W49's comes
	if _, err := d.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, sent := comp.got["p0000 2026-W48"]; sent {
		t.Fatal("W48 was sent past the catch-up window")
	}
	if got := comp.got["p0000 2026-W49"]; !got.From.Equal(w47) {
		t.Errorf("W49 digest starts %s, want %s where W47's ended (W48's events in it, not in none)", got.From, w47.UTC())
	}
}
