package bench_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// capacityMeter asks DynamoDB for the capacity each read consumes (ReturnConsumedCapacity TOTAL) and sums it:
// the read units a digest costs on demand.
type capacityMeter struct {
	mu    sync.Mutex
	units float64
}

func (m *capacityMeter) register(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("benchCapacityMeter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			switch p := in.Parameters.(type) {
			case *dynamodb.QueryInput:
				p.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
			case *dynamodb.GetItemInput:
				p.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
			}
			out, md, err := next.HandleInitialize(ctx, in)
			var cc *types.ConsumedCapacity
			switch r := out.Result.(type) {
			case *dynamodb.QueryOutput:
				cc = r.ConsumedCapacity
			case *dynamodb.GetItemOutput:
				cc = r.ConsumedCapacity
			}
			if cc != nil && cc.CapacityUnits != nil {
				m.mu.Lock()
				m.units += *cc.CapacityUnits
				m.mu.Unlock()
			}
			return out, md, err
		}), middleware.After)
}

func (m *capacityMeter) reset()         { m.mu.Lock(); m.units = 0; m.mu.Unlock() }
func (m *capacityMeter) total() float64 { m.mu.Lock(); defer m.mu.Unlock(); return m.units }

// digestFriday is when the benchmarked digest goes: week 2026-W48 of the demo project (Moscow).
var digestFriday = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// historyTable is a fresh table with the demo agency and weeks of the demo project's history before
// digestFriday: each week 20 tasks (created, started, half of them done; in older weeks all done, so closed),
// 40 task events, 20 messages, and eight weeks of daily figures from two sources per week of history.
func historyTable(b *testing.B, weeks int) (*dynamo.Store, *dynamo.RequestCounter, *capacityMeter) {
	b.Helper()
	counter, meter := &dynamo.RequestCounter{}, &capacityMeter{}
	store := demoTable(b, "bench-digest", counter.Register, meter.register)
	ctx := context.Background()
	const project = "romashka-site"
	for w := range weeks {
		end := digestFriday.Add(-time.Duration(w) * 7 * 24 * time.Hour)
		for i := range 20 {
			id := fmt.Sprintf("w%d-t%d", w, i)
			steps := []glassbox.TaskStatus{glassbox.StatusTodo, glassbox.StatusInProgress}
			if w > 0 || i%2 == 0 {
				steps = append(steps, glassbox.StatusDone)
			}
			storeTask(b, store, project, id, steps, func(s int) time.Time { return end.Add(-time.Duration(6*24-(i*6+s)) * time.Hour) })
			m := glassbox.Message{ID: "msg-" + id, ProjectID: project, EventID: "trello:" + id, Kind: glassbox.MessageTaskDone,
				Audience: glassbox.AudienceClient, Channel: glassbox.ChannelEmail, State: glassbox.MessageClaimed, ClaimToken: "t",
				ClaimedAt: end.Add(-time.Duration(100+i) * time.Hour), Subject: "Готово: " + id, Text: "…"}
			if err := store.ClaimMessage(ctx, m, time.Minute); err != nil {
				b.Fatal(err)
			}
		}
	}
	var ms []glassbox.Metric
	for day := range weeks * 8 * 7 {
		date := digestFriday.AddDate(0, 0, -1-day).Format(time.DateOnly)
		for _, src := range []string{"yandex_direct", "vk_ads"} {
			ms = append(ms, glassbox.Metric{ProjectID: project, Date: date, Source: src, Spend: 3000_00 + int64(day), Currency: "RUB",
				Impressions: 4000, Clicks: 120, Leads: 5, Origin: "bench", UpdatedAt: digestFriday})
		}
	}
	if err := store.PutMetrics(ctx, ms); err != nil {
		b.Fatal(err)
	}
	sealHistory(b, store, project, weeks)
	counter.Reset()
	meter.reset()
	return store, counter, meter
}

// sealHistory seals the project's history as SealFunction would have by digestFriday: daily up to eight days
// before it (fewer runs to set up; no seal that old is read again), then hourly up to an hour before it, so
// the digest's own seal reads the look-back week of hourly seals it reads on AWS.
func sealHistory(b *testing.B, store *dynamo.Store, project string, weeks int) {
	b.Helper()
	hourly := digestFriday.AddDate(0, 0, -8)
	var runs []time.Time
	for at := digestFriday.AddDate(0, 0, -7*weeks-1); at.Before(hourly); at = at.AddDate(0, 0, 1) {
		runs = append(runs, at)
	}
	for at := hourly; at.Before(digestFriday); at = at.Add(time.Hour) {
		runs = append(runs, at)
	}
	for _, at := range runs {
		if _, err := (timeline.Sealer{Store: store, Clock: benchClock{at}}).Seal(context.Background(), project); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDigest builds the demo project's weekly digest (digest.Composer.Compose, as the schedule tick calls
// it) with 2 and 20 weeks of history behind it (1× and 10×; not 1 week, which would leave the week before empty,
// and a digest does look one week back for events that arrive late, glassbox.ReportLateness), composed as
// DigestFunction composes it: sealing the project's timeline first (timeline.Sealer's Checkpoint, over a history
// sealed hourly as SealFunction does) and carrying the head. The reads must follow the period's window and the
// seal's look-back week, not the history: read_units/digest and requests/digest stay the same at 10×. seal is
// the seal's part alone. window-reads is the reads the Composer's Store contract names for one period (events
// of the window, open tasks, eight weeks of figures, the period's documents and messages, open invoices),
// whatever the content does with them.
func BenchmarkDigest(b *testing.B) {
	for _, weeks := range []int{2, 20} {
		store, counter, meter := historyTable(b, weeks)
		ctx := context.Background()
		cfg, err := store.Config(ctx)
		if err != nil {
			b.Fatal(err)
		}
		p, _ := cfg.Project("romashka-site")
		plan := cfg.ProjectReports(p)
		period, _ := plan.DueWeek(digestFriday)
		sealer := timeline.Sealer{Store: store, Clock: benchClock{digestFriday}}
		composer := digest.New(store, nil).WithCheckpoints(sealer)
		run := func(name string, f func() error) {
			b.Run(fmt.Sprintf("history=%dx/%s", weeks/2, name), func(b *testing.B) {
				counter.Reset()
				meter.reset()
				b.ResetTimer()
				for range b.N {
					if err := f(); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(counter.Total())/float64(b.N), "requests/digest")
				b.ReportMetric(math.Round(meter.total()/float64(b.N)*10)/10, "read_units/digest")
			})
		}
		run("compose", func() error {
			_, err := composer.Compose(ctx, cfg, p, plan, period)
			return err
		})
		run("seal", func() error {
			h, err := sealer.Checkpoint(ctx, p.ID)
			if err == nil && h == "" {
				err = fmt.Errorf("no seal")
			}
			return err
		})
		run("window-reads", func() error {
			from, to := period.EventWindow()
			if _, err := store.EventsBetween(ctx, p.ID, from, to); err != nil {
				return err
			}
			if _, err := store.OpenTasks(ctx, p.ID); err != nil {
				return err
			}
			last := period.To.In(plan.Zone)
			if _, err := store.MetricsBetween(ctx, p.ID, last.AddDate(0, 0, -56).Format(time.DateOnly), last.Format(time.DateOnly)); err != nil {
				return err
			}
			if _, err := store.DocumentsBetween(ctx, p.ID, period.From, period.To); err != nil {
				return err
			}
			if _, err := store.MessagesBetween(ctx, p.ID, period.From, period.To); err != nil {
				return err
			}
			_, err := store.OpenInvoices(ctx)
			return err
		})
	}
}

// demoTable is a fresh DynamoDB Local table, deleted when the benchmark ends, holding the demo agency; register
// adds request middleware (counters) to its client.
func demoTable(b *testing.B, prefix string, register ...func(*middleware.Stack) error) *dynamo.Store {
	b.Helper()
	endpoint := os.Getenv("DYNAMODB_ENDPOINT")
	if endpoint == "" {
		b.Fatal("DYNAMODB_ENDPOINT is not set: run `make bench`")
	}
	ctx := context.Background()
	client := dynamo.NewLocalClient(endpoint, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, register...) })
	name := fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, name); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &name}) })
	cfg, err := agencyfile.Load("../cmd/glassbox/demo/agency.yaml", providers.Catalog())
	if err != nil {
		b.Fatal(err)
	}
	store := dynamo.New(client, name)
	if err := store.PutConfig(ctx, cfg); err != nil {
		b.Fatal(err)
	}
	return store
}

// storeTask stores a demo-board Trello task's history: one event per status in steps (created, then moved),
// the i-th at at(i), and the task folded from them.
func storeTask(b *testing.B, store *dynamo.Store, project, id string, steps []glassbox.TaskStatus, at func(step int) time.Time) {
	b.Helper()
	ctx := context.Background()
	var task glassbox.Task
	prev := glassbox.StatusUnknown
	for s, status := range steps {
		kind := glassbox.EventTaskMoved
		if s == 0 {
			kind = glassbox.EventTaskCreated
		}
		e := glassbox.Event{ID: fmt.Sprintf("trello:%s-%d", id, s), ProjectID: project, BindingID: "demo-board", Provider: "trello",
			Kind: kind, TaskID: id, Title: "Задача " + id, URL: "https://trello.com/c/" + id, Status: status, PrevStatus: prev,
			OccurredAt: at(s), ReceivedAt: at(s)}
		prev = status
		if err := store.AppendEvent(ctx, e); err != nil {
			b.Fatal(err)
		}
		task.Apply(e)
	}
	task.Version = 1
	if err := store.PutTask(ctx, task); err != nil {
		b.Fatal(err)
	}
}
