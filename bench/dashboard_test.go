package bench_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/dashboard"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

type benchClock struct{ t time.Time }

func (c benchClock) Now() time.Time { return c.t }

// dashboardTable is a fresh table with the demo agency and a year of the demo project's history before
// digestFriday: 500 tasks (created, started, done; the last 40 still open, 5 of them waiting on the client),
// their events, a weekly digest and a monthly report a period, and a year of daily figures from two sources.
// It returns the store, its request counter and a live dashboard link's token.
func dashboardTable(b *testing.B) (*dynamo.Store, *dynamo.RequestCounter, string) {
	b.Helper()
	ctx := context.Background()
	counter := &dynamo.RequestCounter{}
	store := demoTable(b, "bench-dashboard", counter.Register)
	const project, tasks = "romashka-site", 500
	start := digestFriday.AddDate(-1, 0, 0)
	step := digestFriday.Sub(start) / tasks
	for i := range tasks {
		id := fmt.Sprintf("t%d", i)
		created := start.Add(time.Duration(i) * step)
		steps := []glassbox.TaskStatus{glassbox.StatusTodo, glassbox.StatusInProgress, glassbox.StatusDone}
		switch {
		case i >= tasks-5:
			steps = []glassbox.TaskStatus{glassbox.StatusTodo, glassbox.StatusWaiting}
		case i >= tasks-40:
			steps = steps[:2]
		}
		storeTask(b, store, project, id, steps, func(s int) time.Time { return created.Add(time.Duration(s) * step / 3) })
	}
	for w := range 52 {
		at := digestFriday.AddDate(0, 0, -7*w)
		for _, kind := range []glassbox.MessageKind{glassbox.MessageWeeklyDigest, glassbox.MessageMonthlyReport} {
			if kind == glassbox.MessageMonthlyReport && w%4 != 0 {
				continue
			}
			m := glassbox.Message{ID: fmt.Sprintf("%s-%d", kind, w), ProjectID: project, EventID: "report", Kind: kind,
				Audience: glassbox.AudienceClient, Channel: glassbox.ChannelEmail, State: glassbox.MessageClaimed, ClaimToken: "t",
				ClaimedAt: at, Subject: fmt.Sprintf("Отчёт %d", w), Text: "Итоги недели…"}
			if err := store.ClaimMessage(ctx, m, time.Minute); err != nil {
				b.Fatal(err)
			}
			if err := store.MarkMessageSent(ctx, m.ID, "t", at, "ses-"+m.ID); err != nil {
				b.Fatal(err)
			}
		}
	}
	var ms []glassbox.Metric
	for day := range 365 {
		date := digestFriday.AddDate(0, 0, -day).Format(time.DateOnly)
		for _, src := range []string{"yandex_direct", "vk_ads"} {
			ms = append(ms, glassbox.Metric{ProjectID: project, Date: date, Source: src, Spend: 3000_00 + int64(day), Currency: "RUB",
				Leads: 5, Minutes: 60, Origin: "bench", UpdatedAt: digestFriday})
		}
	}
	if err := store.PutMetrics(ctx, ms); err != nil {
		b.Fatal(err)
	}
	// A year of the client's answers: a rating a week and an approval of every tenth task.
	for w := range 52 {
		f := glassbox.Feedback{ID: fmt.Sprintf("fb:r%d", w), ProjectID: project, Kind: glassbox.FeedbackRating, Score: 4 + w%2,
			MessageID: fmt.Sprintf("%s-%d", glassbox.MessageWeeklyDigest, w), At: digestFriday.AddDate(0, 0, -7*w).Add(time.Hour)}
		if err := store.RecordFeedback(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < tasks-40; i += 10 {
		f := glassbox.Feedback{ID: fmt.Sprintf("fb:a%d", i), ProjectID: project, Kind: glassbox.FeedbackAccepted, Provider: "trello",
			TaskID: fmt.Sprintf("t%d", i), MessageID: "m", At: start.Add(time.Duration(i)*step + step/2)}
		if err := store.RecordFeedback(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	// Sealed, and the snapshot made, as SealFunction leaves them.
	clock := benchClock{digestFriday}
	if _, err := (timeline.Sealer{Store: store, Clock: clock}).Seal(ctx, project); err != nil {
		b.Fatal(err)
	}
	if err := (dashboard.Refresher{Store: store, Clock: clock}).RefreshAll(ctx); err != nil {
		b.Fatal(err)
	}
	token, l, err := dashboard.NewLink(start, project, "", time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	if err := store.CreateDashboardLink(ctx, l); err != nil {
		b.Fatal(err)
	}
	counter.Reset()
	return store, counter, token
}

// signer stands in for billing.Links: signing is not what is measured.
type signer struct{}

func (signer) DocumentURLUntil(_ context.Context, _ glassbox.Config, d glassbox.Document, _ time.Time) (string, error) {
	return "/documents/" + d.ID + "?exp=1&sig=x", nil
}

// BenchmarkDashboard renders the demo project's dashboard page (GET /p/{token}, as LinkFunction answers it) with
// 500 tasks and a year of history behind it (events, messages, ratings, approvals, seals, the snapshot), against
// DynamoDB Local. view reports the median (p50_ms) and p90 of a view, and DynamoDB requests per view: the link,
// then three queries by key at once (the configuration is kept a minute, so it is read by the first view only);
// none grows with the history, except by pages of 1 MB. reads is the same requests alone, so the difference is
// the page's own work (on a loaded machine DynamoDB Local's latency dominates both).
func BenchmarkDashboard(b *testing.B) {
	store, counter, token := dashboardTable(b)
	h := dashboard.NewHandler(store, signer{}, nil, benchClock{digestFriday}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	req := events.APIGatewayV2HTTPRequest{RawPath: "/p/" + token}
	req.RequestContext.HTTP.Method = http.MethodGet
	ctx := context.Background()
	measure := func(name string, f func() error) {
		b.Run(name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			counter.Reset()
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				if err := f(); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "p90_ms")
			b.ReportMetric(float64(counter.Total())/float64(b.N), "requests/view")
		})
	}
	measure("view", func() error {
		resp, err := h.Handle(ctx, req)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("view: %d %s", resp.StatusCode, resp.Body)
		}
		return err
	})
	const project = "romashka-site"
	measure("reads", func() error {
		if _, err := store.DashboardLink(ctx, dashboard.Hash(token)); err != nil {
			return err
		}
		_, err := store.DashboardReads(ctx, project, digestFriday.Add(-dashboard.EventWindow), digestFriday.Add(-dashboard.ReportWindow), digestFriday)
		return err
	})
}
