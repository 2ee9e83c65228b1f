package pipeline_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/schedule"
)

// fixedTime is a clock stopped at one time.
type fixedTime time.Time

func (c fixedTime) Now() time.Time { return time.Time(c) }

// authority is a timestamp authority stand-in: a token per stamp, or err.
type authority struct {
	mu    sync.Mutex
	calls int
	err   error
}

func (a *authority) Stamp(_ context.Context, digest []byte) ([]byte, time.Time, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	if a.err != nil {
		return nil, time.Time{}, a.err
	}
	return append([]byte("token:"), digest...), time.Time{}, nil
}

// chatSink accepts Telegram messages.
type chatSink struct{}

func (chatSink) Send(_ context.Context, m glassbox.Message, _ []glassbox.IssuedDocument) (string, error) {
	return m.Chat + ":1", nil
}

// TestReportsSealAtEachDigest: DigestFunction's dispatcher seals each project as it composes its digest, with
// the timestamp authority when one is configured, and the client's digest carries that seal's hash, which
// lists the event received minutes before. An authority that is down leaves the seal unstamped and the digest
// delivered, and is asked once for all the projects due (timeline.StampBreaker).
func TestReportsSealAtEachDigest(t *testing.T) {
	t.Parallel()
	// Friday 27 November 2026, 15:00 in Moscow: the demo projects' digests are due; the tick runs 5 minutes later.
	send := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tick := send.Add(5 * time.Minute)
	for name, down := range map[string]bool{"Stamped": false, "AuthorityDown": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			store, cfg := demoStore(t)
			var due []string
			for _, p := range cfg.Projects {
				if plan := cfg.ProjectReports(p); plan.Weekly {
					if _, at := plan.DueWeek(tick); at.Equal(send) {
						due = append(due, p.ID)
					}
				}
			}
			if len(due) < 2 {
				t.Fatalf("projects due at %s: %q, want the demo's two or more", send, due)
			}
			received := send.Add(-2 * time.Minute)
			for _, id := range due {
				e := glassbox.Event{ID: "trello:" + id + "-done", ProjectID: id, BindingID: "b", Provider: "trello", Kind: glassbox.EventTaskMoved,
					TaskID: "c1", Title: "Макет", Status: glassbox.StatusDone, PrevStatus: glassbox.StatusReview, OccurredAt: received, ReceivedAt: received}
				if err := store.AppendEvent(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			tsa := &authority{}
			if down {
				tsa.err = errors.New("503 Service Unavailable")
			}
			outDir := t.TempDir()
			d := pipeline.Reports(pipeline.ReportDeps{Store: store, Reads: store, Mailer: outbox.New(outDir), Telegram: chatSink{},
				Clock: fixedTime(tick), SealClock: fixedTime(tick), Timeline: store, Stamper: tsa,
				// One worker: side by side, each worker may find the authority down once (a timeout each, at the
				// same time); one at a time, only the first asks.
				Options: schedule.Options{Rate: 1000, Workers: 1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}})
			res, err := d.Tick(ctx)
			if err != nil || res.Delivered < len(due) {
				t.Fatalf("tick: %+v, %v; want the %d digests delivered", res, err, len(due))
			}
			mail, err := outbox.List(outDir)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range due {
				seals, err := store.Seals(ctx, id)
				if err != nil || len(seals) != 1 || len(seals[0].Entries) != 1 || seals[0].Entries[0].ID != "event:trello:"+id+"-done" {
					t.Fatalf("%s: seals %+v, %v; want one, of the event received before the digest", id, seals, err)
				}
				if stamped := len(seals[0].Timestamp) > 0; stamped == down {
					t.Errorf("%s: seal stamped %v with the authority down %v", id, stamped, down)
				}
				carried := false
				for _, m := range mail {
					carried = carried || strings.Contains(m.Text, seals[0].Hash)
				}
				if !carried {
					t.Errorf("%s: no digest carries its seal's hash %s", id, seals[0].Hash)
				}
			}
			if want := len(due); down {
				want = 1
				if tsa.calls != want {
					t.Errorf("the authority, down, was asked %d times, want once for the tick", tsa.calls)
				}
			} else if tsa.calls != want {
				t.Errorf("the authority was asked %d times, want %d", tsa.calls, want)
			}
		})
	}
}
