package react_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/react"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// mailer records what was sent and fails the next n sends when told to.
type mailer struct {
	mu    sync.Mutex
	sent  []glassbox.RawEmail
	fails int
}

func (m *mailer) Send(_ context.Context, e glassbox.RawEmail) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fails > 0 {
		m.fails--
		return "", errors.New("SES throttled")
	}
	m.sent = append(m.sent, e)
	return "ses-id", nil
}

func (m *mailer) count() int { m.mu.Lock(); defer m.mu.Unlock(); return len(m.sent) }

var config = glassbox.Config{
	// Notices go at once here; hold_test.go tests quiet hours and coalescing.
	Agency: glassbox.Agency{Name: "Studio", Sender: "notify@studio.example", Locale: "en", TimeZone: "UTC",
		QuietHours: &glassbox.QuietHours{Off: true}, Coalesce: "off"},
	Clients: []glassbox.Client{{ID: "acme", Name: "Acme", Contacts: []glassbox.Person{
		{Name: "Ann Lee", Email: "ann@acme.example"}}}},
	Projects: []glassbox.Project{{ID: "site", ClientID: "acme", Name: "Site",
		Manager: glassbox.Person{Name: "Mary Major", Email: "mary@studio.example"}}},
}

type fixture struct {
	store  *localstore.Store
	mail   *mailer
	clock  *clock
	proc   *react.Processor
	logger *slog.Logger
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.PutConfig(context.Background(), config); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: store, mail: &mailer{}, clock: &clock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)},
		logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	f.proc = react.NewProcessor(store, email(f.mail), f.clock, react.Options{ClaimLease: time.Minute, Logger: f.logger})
	return f
}

func doneEvent(id string) glassbox.Event {
	return glassbox.Event{
		ID: "trello:" + id, ProjectID: "site", Provider: "trello", Kind: glassbox.EventTaskMoved, TaskID: "card-" + id,
		Title: "Landing page", URL: "https://trello.com/c/x", ListID: "l3", ListName: "Done", Status: glassbox.StatusDone,
		PrevListID: "l2", PrevStatus: glassbox.StatusInProgress, OccurredAt: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
	}
}

func TestProcessingTwiceSendsOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := f.proc.Process(ctx, doneEvent("a")); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.mail.count(); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	task, err := f.store.Task(ctx, "site", "trello", "card-a")
	if err != nil {
		t.Fatal(err)
	}
	if task.Status != glassbox.StatusDone || task.Version != 1 {
		t.Fatalf("task = %+v, want done at version 1", task)
	}
	raw := string(f.mail.sent[0].Data)
	for _, want := range []string{"To: Ann Lee <ann@acme.example>", "Reply-To: Mary Major <mary@studio.example>", "References: <project-site@studio.example>"} {
		if !strings.Contains(raw, want) {
			t.Errorf("message lacks %q:\n%s", want, raw)
		}
	}
}

func TestFailedSendReleasesClaimAndRetrySends(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.mail.fails = 1
	if _, err := f.proc.Process(ctx, doneEvent("b")); err == nil {
		t.Fatal("Process succeeded although the send failed; the stream would not retry")
	}
	if _, err := f.proc.Process(ctx, doneEvent("b")); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := f.mail.count(); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
}

func TestClaimOfADeadWorkerIsTakenOverAfterTheLease(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := doneEvent("c")
	id := glassbox.MessageID(e.ID, glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelEmail)
	// Another attempt claimed the message and died before sending.
	dead := glassbox.Message{ID: id, ProjectID: "site", EventID: e.ID, State: glassbox.MessageClaimed,
		ClaimToken: "dead-worker", ClaimedAt: f.clock.Now()}
	if err := f.store.ClaimMessage(ctx, dead, time.Minute); err != nil {
		t.Fatal(err)
	}

	f.clock.Advance(10 * time.Second)
	if _, err := f.proc.Process(ctx, e); !errors.Is(err, glassbox.ErrClaimHeld) {
		t.Fatalf("within the lease: Process error = %v, want ErrClaimHeld (retry later)", err)
	}
	if n := f.mail.count(); n != 0 {
		t.Fatalf("sent %d within the lease, want 0", n)
	}

	f.clock.Advance(time.Minute)
	if _, err := f.proc.Process(ctx, e); err != nil {
		t.Fatalf("after the lease: %v", err)
	}
	if n := f.mail.count(); n != 1 {
		t.Fatalf("sent %d after the lease, want 1", n)
	}
	m, err := f.store.Message(ctx, id)
	if err != nil || m.State != glassbox.MessageSent {
		t.Fatalf("message = %+v, %v; want sent", m, err)
	}
}

func TestRetryAfterTaskWasWrittenStillSends(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// A card created straight into Done: the notice depends on the state before the event. The first attempt
	// folds the task and then fails to send; the retry must still send.
	e := doneEvent("d")
	e.Kind, e.PrevListID, e.PrevStatus = glassbox.EventTaskCreated, "", ""
	f.mail.fails = 1
	if _, err := f.proc.Process(ctx, e); err == nil {
		t.Fatal("want the failed send to fail Process")
	}
	if _, err := f.proc.Process(ctx, e); err != nil {
		t.Fatal(err)
	}
	if n := f.mail.count(); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
}

func TestUnknownProjectIsDropped(t *testing.T) {
	f := newFixture(t)
	e := doneEvent("e")
	e.ProjectID = "gone"
	if _, err := f.proc.Process(context.Background(), e); err != nil {
		t.Fatalf("Process = %v, want nil (nothing to retry)", err)
	}
	if n := f.mail.count(); n != 0 {
		t.Fatalf("sent %d, want 0", n)
	}
}

func TestStreamHandlerStopsAtFirstFailure(t *testing.T) {
	f := newFixture(t)
	byKey := map[string]glassbox.Event{"1": doneEvent("s1"), "2": doneEvent("s2"), "3": doneEvent("s3")}
	decode := func(img map[string]events.DynamoDBAttributeValue) (glassbox.Event, error) {
		e, ok := byKey[img["k"].String()]
		if !ok {
			return e, errors.New("not an event")
		}
		return e, nil
	}
	rec := func(name, key, seq string) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{
			SequenceNumber: seq, NewImage: map[string]events.DynamoDBAttributeValue{"k": events.NewStringAttribute(key)}}}
	}
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		rec("MODIFY", "1", "100"), // not an insert: skipped
		rec("INSERT", "x", "101"), // not an event: skipped, never retried
		rec("INSERT", "1", "102"), // sent
		rec("INSERT", "2", "103"), // send fails: reported, batch stops
		rec("INSERT", "3", "104"), // not reached: Lambda retries from 103
	}}
	proc := react.NewProcessor(f.store, email(failOn{next: f.mail, card: "s2"}), f.clock, react.Options{Logger: f.logger})
	h := react.NewStreamHandler(proc, decode, f.logger)
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "103" {
		t.Fatalf("failures = %+v, want only sequence 103", resp.BatchItemFailures)
	}
	if n := f.mail.count(); n != 1 {
		t.Fatalf("sent %d, want 1 (only s1; s3 waits for the retry)", n)
	}
}

// failOn fails every send whose message mentions the card of one event.
type failOn struct {
	next *mailer
	card string
}

func (f failOn) Send(ctx context.Context, e glassbox.RawEmail) (string, error) {
	if strings.Contains(string(e.Data), "Message-ID: <"+glassbox.MessageID("trello:"+f.card, glassbox.MessageTaskDone, glassbox.AudienceClient, glassbox.ChannelEmail)) {
		return "", errors.New("mail service down")
	}
	return f.next.Send(ctx, e)
}

// email is the email channel over a test mailer.
func email(m courier.Mailer) react.Senders {
	return react.Senders{glassbox.ChannelEmail: courier.Email{Mailer: m}}
}
