package schedule_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/schedule"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// scaleProjects are due in the same hour; scaleRate is the tests' send rate (messages a second), high enough
// that a pass over them takes seconds on a 2-core machine, low enough that pacing is what takes the time.
const (
	scaleProjects = 1000
	scaleRate     = 250
)

// dynamoTable opens a fresh table on DynamoDB Local, its requests counted.
func dynamoTable(t *testing.T) (*dynamo.Store, *dynamo.RequestCounter) {
	t.Helper()
	endpoint := os.Getenv("DYNAMODB_ENDPOINT")
	if endpoint == "" {
		t.Fatal("DYNAMODB_ENDPOINT is not set: run `make test`, or `make emulators-start` and source .cache/dynamodb.env")
	}
	counter := &dynamo.RequestCounter{}
	client := dynamo.NewLocalClient(endpoint, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, counter.Register) })
	table := fmt.Sprintf("glassbox-schedule-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(t.Context(), client, table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &table}) })
	return dynamo.New(client, table), counter
}

// scaleAgency stores scaleProjects projects on a fresh table, their monthly reports off.
func scaleAgency(t *testing.T) (*dynamo.Store, *dynamo.RequestCounter) {
	t.Helper()
	store, counter := dynamoTable(t)
	cfg := agency(scaleProjects)
	off := glassbox.Reports{Monthly: glassbox.ReportSchedule{Off: true}}
	cfg.Agency.Reports = &off
	if err := store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	return store, counter
}

// scaleWeek is the clock at the send time of every project's digest of ISO week 2026-W{week}: Friday 15:00 in
// Moscow. Each scenario takes its own week, so they share one table and agency.
func scaleWeek(t *testing.T, week int) (*clock, string) {
	friday := time.Date(2026, 11, 27, 15, 0, 0, 0, zone(t, "Europe/Moscow")).AddDate(0, 0, 7*(week-48))
	return &clock{now: friday.UTC()}, fmt.Sprintf("2026-W%02d", week)
}

// everyDigestOnce checks that every project's report of the week was delivered, each of its messages (as many
// as its recorded delivery says: the content is the composer's) sent exactly once.
func everyDigestOnce(t *testing.T, store *dynamo.Store, week string, snd *sender) {
	t.Helper()
	recs, err := store.ReportsDelivered(t.Context(), week)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != scaleProjects {
		t.Errorf("%d reports recorded delivered, want %d", len(recs), scaleProjects)
	}
	snd.mu.Lock()
	defer snd.mu.Unlock()
	perProject := map[string]int{}
	for id, n := range snd.sends {
		if n != 1 {
			t.Errorf("message %s sent %d times, want once", id, n)
		}
		perProject[snd.msgs[id].ProjectID]++
	}
	for _, r := range recs {
		if perProject[r.ProjectID] != r.Messages || r.Messages == 0 {
			t.Errorf("project %s: %d messages sent, its report has %d", r.ProjectID, perProject[r.ProjectID], r.Messages)
		}
	}
}

// A thousand projects due in the same hour, on DynamoDB Local with the digest composer: one tick at the set
// rate sends every digest once, each report sealing its project's timeline first as DigestFunction's does; cut short by the function's deadline, the next tick finishes and nothing is
// lost or doubled; two ticks at once send nothing twice; a send that fails goes at the next tick.
func TestScaleOnDynamoDBLocal(t *testing.T) {
	store, counter := scaleAgency(t)
	t.Run("FanOut", func(t *testing.T) {
		c, week := scaleWeek(t, 48)
		counter.Reset()
		snd := newSender(c)
		// As DigestFunction composes: each report seals its project's timeline first.
		composer := digest.New(store, nil).WithCheckpoints(timeline.Sealer{Store: store, Clock: c})
		d := newDispatcher(store, c, composer, snd, schedule.Options{Rate: scaleRate, Workers: 8})
		began := time.Now()
		res, err := d.Tick(t.Context())
		took := time.Since(began)
		if err != nil {
			t.Fatal(err)
		}
		if res.Delivered != scaleProjects {
			t.Errorf("%+v: want %d delivered", res, scaleProjects)
		}
		// The pace bounds the tick from below: n messages at r a second take (n-1)/r seconds at least.
		if floor := time.Duration(float64(res.Messages-1) / scaleRate * float64(time.Second)); took < floor {
			t.Errorf("%d messages in %s at %d/s: faster than the pace allows (%s)", res.Messages, took, scaleRate, floor)
		}
		t.Logf("BENCH schedule_fanout projects=%d rate=%d messages=%d seconds=%.1f requests_per_report=%.2f writes_per_report=%.2f",
			scaleProjects, scaleRate, res.Messages, took.Seconds(), float64(counter.Total())/scaleProjects, float64(counter.Writes())/scaleProjects)
		everyDigestOnce(t, store, week, snd)
		// A later tick of the window finds every report recorded: nothing built, nothing sent.
		c.advance(15 * time.Minute)
		if res, err := d.Tick(t.Context()); err != nil || res.Due != 0 || res.Messages != 0 {
			t.Errorf("the next tick: %+v, %v; want nothing due", res, err)
		}
	})
	t.Run("TimeoutThenNextTick", func(t *testing.T) {
		c, week := scaleWeek(t, 49)
		snd := newSender(c)
		d := newDispatcher(store, c, digest.New(store, nil), snd, schedule.Options{Rate: scaleRate, Workers: 8, Reserve: time.Second})
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		first, _ := d.Tick(ctx)
		cancel()
		if first.Left == 0 || first.Delivered == 0 {
			t.Fatalf("the first tick was not cut short: %+v", first)
		}
		c.advance(15 * time.Minute) // the next scheduled tick; claims of the cut-off one are older than the lease
		second, err := d.Tick(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("cut short: %+v; next tick: %+v", first, second)
		everyDigestOnce(t, store, week, snd)
	})
	t.Run("OverlappingTicks", func(t *testing.T) {
		c, week := scaleWeek(t, 50)
		snd := newSender(c)
		var wg sync.WaitGroup
		for range 2 {
			d := newDispatcher(store, c, digest.New(store, nil), snd, schedule.Options{Rate: scaleRate, Workers: 8})
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = d.Tick(t.Context()) // a report the other tick holds fails here, and is delivered there
			}()
		}
		wg.Wait()
		c.advance(15 * time.Minute)
		if _, err := newDispatcher(store, c, digest.New(store, nil), snd, schedule.Options{Rate: scaleRate, Workers: 8}).Tick(t.Context()); err != nil {
			t.Fatal(err)
		}
		everyDigestOnce(t, store, week, snd)
	})
	t.Run("RetryAfterSendFailure", func(t *testing.T) {
		c, week := scaleWeek(t, 51)
		snd := newSender(c)
		snd.failEvery = 20
		d := newDispatcher(store, c, digest.New(store, nil), snd, schedule.Options{Rate: scaleRate, Workers: 8})
		first, err := d.Tick(t.Context())
		if err == nil || first.Failed == 0 {
			t.Fatalf("first tick: %+v, %v; want the failed sends' reports failed", first, err)
		}
		c.advance(15 * time.Minute)
		second, err := d.Tick(t.Context())
		if err != nil || second.Delivered != first.Failed {
			t.Fatalf("second tick: %+v, %v; want the %d failed reports delivered", second, err, first.Failed)
		}
		everyDigestOnce(t, store, week, snd)
	})
}
