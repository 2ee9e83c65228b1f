package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/faulttest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// errKilled is what every call of a run that was killed returns: the process is gone. It wraps ErrConflict so the
// courier does not spend its mark retries on a dead run (a lost claim is final for it too).
var errKilled = fmt.Errorf("killed: %w", glassbox.ErrConflict)

// dice decides, with one seeded generator shared by every run, what happens at each call.
type dice struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func (d *dice) roll() float64 { d.mu.Lock(); defer d.mu.Unlock(); return d.rng.Float64() }

// run is one process: a processor whose store and mailer fail or die at random points. Once it died, every
// call it makes fails: nothing after a kill happens.
type run struct {
	glassbox.Store
	dice      *dice
	dead      atomic.Bool
	pFail     float64 // a call fails and the run goes on (throttling)
	pKill     float64 // the run dies before the call
	pKillLate float64 // the call takes effect, then the run dies before hearing so
	mail      *sendLog
}

// step decides a write call's fate: do is the call; it returns the call's error or the injected one.
func (r *run) step(do func() error) error {
	if r.dead.Load() {
		return errKilled
	}
	switch x := r.dice.roll(); {
	case x < r.pKill:
		r.dead.Store(true)
		return errKilled
	case x < r.pKill+r.pKillLate:
		_ = do()
		r.dead.Store(true)
		return errKilled
	case x < r.pKill+r.pKillLate+r.pFail:
		return errors.New("ProvisionedThroughputExceededException: injected")
	}
	return do()
}

func (r *run) HoldMessage(ctx context.Context, m glassbox.Message) error {
	return r.step(func() error { return r.Store.HoldMessage(ctx, m) })
}
func (r *run) BatchHeld(ctx context.Context, b glassbox.Message) error {
	return r.step(func() error { return r.Store.BatchHeld(ctx, b) })
}
func (r *run) ClaimMessage(ctx context.Context, m glassbox.Message, lease time.Duration) error {
	return r.step(func() error { return r.Store.ClaimMessage(ctx, m, lease) })
}
func (r *run) MarkMessageSent(ctx context.Context, id, token string, at time.Time, pid string) error {
	if r.dead.Load() {
		return errKilled
	}
	if x := r.dice.roll(); x < r.pKill {
		r.dead.Store(true)
		return errKilled
	}
	return r.Store.MarkMessageSent(ctx, id, token, at, pid)
}
func (r *run) FailMessage(ctx context.Context, id, token string, at time.Time, reason string) error {
	return r.step(func() error { return r.Store.FailMessage(ctx, id, token, at, reason) })
}
func (r *run) DropHeld(ctx context.Context, id string) error {
	return r.step(func() error { return r.Store.DropHeld(ctx, id) })
}
func (r *run) ReleaseMessage(ctx context.Context, id, token string) error {
	return r.step(func() error { return r.Store.ReleaseMessage(ctx, id, token) })
}
func (r *run) PutTask(ctx context.Context, t glassbox.Task) error {
	return r.step(func() error { return r.Store.PutTask(ctx, t) })
}
func (r *run) MarkEventProcessed(ctx context.Context, id string) error {
	return r.step(func() error { return r.Store.MarkEventProcessed(ctx, id) })
}
func (r *run) HeldMessages(ctx context.Context, before time.Time, limit int) ([]glassbox.Message, error) {
	if r.dead.Load() {
		return nil, errKilled
	}
	return r.Store.HeldMessages(ctx, before, limit)
}

// Send is the run's mailer: it may die before the send, or after the mail went out.
func (r *run) Send(_ context.Context, e glassbox.RawEmail) (string, error) {
	id, err := faulttest.MessageIDOf(e.Data)
	if err != nil {
		return "", err
	}
	if !r.dead.Load() && r.pFail > 0 && r.dice.roll() < 0.1 {
		return "", errors.New("SES: injected failure") // not sent: the courier releases the claim
	}
	return "ses", r.step(func() error { r.mail.add(id, r); return nil })
}

// sendLog is every mail that went out, by message id, and the runs that sent it.
type sendLog struct {
	mu    sync.Mutex
	sends map[string]int
	by    map[string][]*run
}

func (l *sendLog) add(id string, r *run) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sends[id]++
	l.by[id] = append(l.by[id], r)
}

// diedAfter says whether a run that sent id died afterwards (before it could mark it sent, or its mark was
// lost with it): the protocol's one allowed resend, under the same Message-ID.
func (l *sendLog) diedAfter(id string) bool {
	for _, r := range l.by[id][:len(l.by[id])-1] {
		if r.dead.Load() {
			return true
		}
	}
	return false
}

// TestFaultFlushLosesAndDoublesNothing runs task events and flushes over a day and a half of a Moscow project
// (coalescing 10 minutes, quiet hours 21:00–09:00) with runs that fail calls, die before a call, or die right
// after a call took effect (a hold, a batch, a claim, a send, a mark), and with two flushes overlapping at
// random. Then every done notice must have reached the client in exactly one message (by itself or in one
// coalesced message), and every overdue task must have told the manager once; the notices of a client whose
// address is suppressed must have gone nowhere, ended failed, and left the waiting messages; on DynamoDB Local
// and on the local store.
func TestFaultFlushLosesAndDoublesNothing(t *testing.T) {
	t.Run("LocalStore", func(t *testing.T) {
		s, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		flushFault(t, s)
	})
	t.Run("DynamoDBLocal", func(t *testing.T) {
		endpoint := os.Getenv("DYNAMODB_ENDPOINT")
		if endpoint == "" {
			t.Fatal("DYNAMODB_ENDPOINT is not set: run `make test`, or `make emulators-start` and source .cache/dynamodb.env")
		}
		client := dynamo.NewLocalClient(endpoint)
		table := fmt.Sprintf("glassbox-flush-fault-%d", time.Now().UnixNano())
		if err := dynamo.CreateTable(t.Context(), client, table); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &table}) })
		flushFault(t, dynamo.New(client, table))
	})
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) set(t time.Time)         { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }
func (c *fakeClock) advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func flushFault(t *testing.T, store glassbox.Store) {
	const (
		projects, cards = 3, 60
		lease           = time.Minute
	)
	seed := faulttest.Seed(t)
	ctx := t.Context()
	moscow, _ := time.LoadLocation("Europe/Moscow")
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, moscow) // a Tuesday
	start0 := start.UTC()
	cfg := glassbox.Config{
		Agency: glassbox.Agency{Name: "Студия", Sender: "notify@studio.example", Locale: "ru", TimeZone: "Europe/Moscow"},
		Clients: []glassbox.Client{{ID: "acme", Name: "Acme", Contacts: []glassbox.Person{{Name: "Анна", Email: "anna@acme.example"}}},
			{ID: "gone", Name: "Gone", Contacts: []glassbox.Person{{Name: "Олег", Email: "oleg@gone.example"}}}},
		Projects: []glassbox.Project{{ID: "suppressed", ClientID: "gone", Name: "Подавленный",
			Manager: glassbox.Person{Name: "Мария", Email: "maria@studio.example"}}},
	}
	for p := range projects {
		cfg.Projects = append(cfg.Projects, glassbox.Project{ID: fmt.Sprintf("p%d", p), ClientID: "acme", Name: fmt.Sprintf("Проект %d", p),
			Manager: glassbox.Person{Name: "Мария", Email: "maria@studio.example"}})
	}
	if err := store.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := store.Suppress(ctx, glassbox.Suppression{Recipient: "oleg@gone.example", Channel: glassbox.ChannelEmail,
		Cause: glassbox.CauseBounced, At: start0}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	d := &dice{rng: rand.New(rand.NewPCG(seed^1, seed^2))}
	type planned struct {
		at time.Time
		e  glassbox.Event
	}
	var plan []planned
	wantDone := map[string]bool{}    // notice id → must reach the client once
	wantOverdue := map[string]bool{} // manager notice id → once
	wantFailed := map[string]bool{}  // notice id to the suppressed client → never sent, failed
	for i := range cards {
		at := start.Add(time.Duration(rng.IntN(int(12*time.Hour/time.Minute))) * time.Minute) // 10:00–22:00
		project := fmt.Sprintf("p%d", rng.IntN(projects))
		if i%7 == 6 {
			project = "suppressed" // every recipient suppressed: the courier records it failed
		}
		e := glassbox.Event{ID: fmt.Sprintf("trello:a%d", i), ProjectID: project, Provider: "trello", TaskID: fmt.Sprintf("c%d", i),
			Title: fmt.Sprintf("Задача %d", i), URL: fmt.Sprintf("https://trello.com/c/c%d", i), OccurredAt: at.UTC()}
		if i%5 == 4 { // a due date that passes while the card is not done
			e.Kind, e.HasDue, e.Due = glassbox.EventTaskUpdated, true, at.Add(time.Duration(1+rng.IntN(120))*time.Minute).UTC()
			task := glassbox.Task{ProjectID: project, Provider: "trello", TaskID: e.TaskID, Due: e.Due}
			msgs := overdueIDs(t, cfg, task)
			for _, id := range msgs {
				wantOverdue[id] = true
			}
		} else {
			e.Kind, e.ListID, e.ListName, e.Status, e.PrevStatus = glassbox.EventTaskMoved, "done", "Done", glassbox.StatusDone, glassbox.StatusInProgress
			id := glassbox.MessageID(e.ID, glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelEmail)
			if project == "suppressed" {
				wantFailed[id] = true
			} else {
				wantDone[id] = true
			}
		}
		plan = append(plan, planned{at.UTC(), e})
	}
	sort.Slice(plan, func(i, j int) bool { return plan[i].at.Before(plan[j].at) })

	clock := &fakeClock{now: start.UTC()}
	mail := &sendLog{sends: map[string]int{}, by: map[string][]*run{}}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var kills atomic.Int64
	newRun := func(faulty bool) (*run, *react.Processor) {
		r := &run{Store: store, dice: d, mail: mail}
		if faulty {
			r.pFail, r.pKill, r.pKillLate = 0.04, 0.03, 0.03
		}
		p := react.NewProcessor(r, react.Senders{glassbox.ChannelEmail: courier.Email{Mailer: r}}, clock, react.Options{ClaimLease: lease, Logger: quiet})
		return r, p
	}
	// An event is retried (the stream, the sweep) until a run processes it to the end.
	process := func(e glassbox.Event) {
		for try := 0; ; try++ {
			r, p := newRun(try < 20)
			if _, err := p.Process(ctx, e); err == nil {
				return
			} else if r.dead.Load() {
				kills.Add(1)
			}
			if try > 0 && try%3 == 0 {
				clock.advance(lease + time.Second) // a claim a dead run left is taken over after the lease
			}
			if try > 40 {
				t.Fatalf("event %s still fails after %d tries", e.ID, try)
			}
		}
	}
	flush := func(faulty bool) {
		r, p := newRun(faulty)
		if _, err := p.Flush(ctx); err != nil && !r.dead.Load() && !errors.Is(err, glassbox.ErrConflict) {
			t.Errorf("flush: %v", err)
		}
		if r.dead.Load() {
			kills.Add(1)
		}
	}

	// The day: events at their minute; a flush (sometimes two at once) every two minutes.
	next := 0
	end := start.Add(13 * time.Hour).UTC()
	for now := start.UTC(); now.Before(end); now = now.Add(2 * time.Minute) {
		clock.set(now)
		for ; next < len(plan) && !plan[next].at.After(now); next++ {
			process(plan[next].e)
		}
		if rng.Float64() < 0.3 {
			var wg sync.WaitGroup
			for range 2 {
				wg.Add(1)
				go func() { defer wg.Done(); flush(true) }()
			}
			wg.Wait()
		} else {
			flush(true)
		}
	}
	for ; next < len(plan); next++ {
		process(plan[next].e)
	}
	// The next morning, faulty flushes go on; then clean ones, after every claim's lease, until nothing waits.
	morning := start.Add(24 * time.Hour).UTC()
	for i := range 30 {
		clock.set(morning.Add(time.Duration(i) * time.Minute))
		flush(true)
	}
	clock.set(morning.Add(time.Hour))
	for range 5 {
		flush(false)
		clock.advance(lease + time.Second)
	}
	if left, err := store.HeldMessages(ctx, clock.Now().Add(365*24*time.Hour), 1000); err != nil || len(left) != 0 {
		t.Errorf("held messages left: %d, %v", len(left), err)
		for _, m := range left {
			t.Logf("left: %s %s %s project=%s until=%s claimed=%s members=%d", m.ID, m.Kind, m.State, m.ProjectID, m.Hold.Until, m.ClaimedAt, len(m.Hold.Members))
		}
	}

	// Count: each notice in exactly one distinct sent message; a message id sent twice only when its run died
	// right after sending it.
	covered := map[string][]string{}
	var resent int
	for id, n := range mail.sends {
		if n > 1 {
			if !mail.diedAfter(id) {
				t.Errorf("message %s sent %d times with no kill after a send to explain it", id, n)
			}
			resent++
		}
		m, err := store.Message(ctx, id)
		if err != nil {
			t.Fatalf("sent message %s not in the store: %v", id, err)
		}
		members := []string{id}
		if m.Kind == glassbox.MessageTasksDone {
			members = m.Hold.Members
		}
		for _, member := range members {
			covered[member] = append(covered[member], id)
		}
	}
	var lost, doubled, coalesced int
	for id := range wantDone {
		switch n := len(covered[id]); {
		case n == 0:
			lost++
			t.Errorf("lost: done notice %s", id)
		case n > 1:
			doubled++
			t.Errorf("doubled: done notice %s went out in %v", id, covered[id])
		}
	}
	for id := range wantOverdue {
		if len(covered[id]) != 1 {
			t.Errorf("overdue notice %s went out in %v, want once", id, covered[id])
		}
	}
	for id := range mail.sends {
		if m, _ := store.Message(ctx, id); m.Kind == glassbox.MessageTasksDone {
			coalesced++
		}
	}
	// A notice to the suppressed client went nowhere and ended failed, by itself or in a failed coalesced message.
	for id := range wantFailed {
		if len(covered[id]) != 0 {
			t.Errorf("notice %s to a suppressed address went out in %v", id, covered[id])
		}
		m, err := store.Message(ctx, id)
		if err != nil {
			t.Fatalf("notice %s: %v", id, err)
		}
		if m.State == glassbox.MessageBatched {
			m, err = store.Message(ctx, m.Hold.Batch)
			if err != nil {
				t.Fatalf("batch of %s: %v", id, err)
			}
		}
		if m.State != glassbox.MessageFailed && m.State != glassbox.MessageDropped {
			t.Errorf("notice %s to a suppressed address ended %s, want failed", id, m.State)
		}
	}
	t.Logf("FLUSH FAULT seed=%d notices=%d suppressed=%d overdue=%d sends=%d coalesced_messages=%d kills=%d resent_same_id=%d lost=%d doubled=%d",
		seed, len(wantDone), len(wantFailed), len(wantOverdue), len(mail.sends), coalesced, kills.Load(), resent, lost, doubled)
}

// overdueIDs are the ids of the manager's overdue notices for a task.
func overdueIDs(t *testing.T, cfg glassbox.Config, task glassbox.Task) []string {
	t.Helper()
	p, _ := cfg.Project(task.ProjectID)
	cause := "overdue:" + task.ProjectID + "/" + task.Provider + "/" + task.TaskID + "@" + task.Due.UTC().Format("2006-01-02T15:04:05Z")
	_ = p
	return []string{glassbox.MessageID(cause, glassbox.MessageTaskOverdue, glassbox.AudienceManager, glassbox.ChannelEmail)}
}
