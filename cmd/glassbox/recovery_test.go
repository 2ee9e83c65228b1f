package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/httpapi"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// seededData returns a data folder holding the demo agency and its secrets, with nothing running on it.
func seededData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	dev, err := newDevServer(context.Background(), data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dev.Close()
	return data
}

// acceptOnly stores a sample as Ingest does and processes nothing: the state a process killed right after the
// write leaves. It returns the stored event ids.
func acceptOnly(t *testing.T, data, sample string) []string {
	t.Helper()
	store, err := openLocal(data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h := ingest.NewHandler(store, store, providers.All(), glassbox.SystemClock{}, ingest.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	mux := http.NewServeMux()
	mux.Handle("/hooks/{provider}/{binding}", httpapi.Handler(h.Handle, []string{"provider", "binding"}, ingest.MaxBodyBytes))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req := mustLoad(t, sample)
	resign(&req, time.Now())
	status, body, err := post(context.Background(), srv.Client(), srv.URL, req)
	if err != nil || status != 200 || !strings.Contains(body, "accepted") {
		t.Fatalf("accept %s: %d %s %v", sample, status, body, err)
	}
	evs, err := store.UnprocessedEvents(context.Background(), time.Now().Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	return ids
}

func mails(t *testing.T, data string) []outbox.Summary {
	t.Helper()
	m, err := outbox.List(filepath.Join(data, "outbox"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return m
}

func replay(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"replay"}, args...), &out, io.Discard)
	return out.String(), err
}

// TestReplayIssuesAndSendsAStageCloseNeverProcessed: an amoCRM stage close stored but never processed (killed
// 1–15 ms in) is issued and sent by replay, which builds the same processor as React, billing included. The
// replay says so per event; a second replay has nothing left to do.
func TestReplayIssuesAndSendsAStageCloseNeverProcessed(t *testing.T) {
	data := seededData(t)
	ids := acceptOnly(t, data, "ingest-amocrm-stage-closed.json")
	if len(ids) != 1 {
		t.Fatalf("unprocessed events %v, want the one close", ids)
	}
	out, err := replay(t, "--data", data, "--unprocessed")
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	if want := "ok      " + ids[0] + ": issued 2, sent 2"; !strings.Contains(out, want) {
		t.Fatalf("replay said:\n%s\nwant a line %q", out, want)
	}
	m := mails(t, data)
	if len(byRecipient(m, "anna@romashka.example")) != 1 || len(m) != 2 {
		t.Fatalf("after replay %d emails (%d to the client), want 2: the client's and the accountant's", len(m), len(byRecipient(m, "anna@romashka.example")))
	}
	out, err = replay(t, "--data", data, "--event", ids[0])
	if err != nil || !strings.Contains(out, ids[0]+": nothing left to do") {
		t.Fatalf("second replay: %v\n%s", err, out)
	}
	if n := len(mails(t, data)); n != 2 {
		t.Errorf("after a second replay %d emails, want still 2", n)
	}
}

// failNth fails the nth send (1-based) and passes the others to next.
type failNth struct {
	mu   sync.Mutex
	n, i int
	next *outbox.Mailer
}

func (f *failNth) Send(ctx context.Context, e glassbox.RawEmail) (string, error) {
	f.mu.Lock()
	f.i++
	fail := f.i == f.n
	f.mu.Unlock()
	if fail {
		return "", errors.New("killed before this send")
	}
	return f.next.Send(ctx, e)
}

// TestReplaySendsWhatAHalfDoneStageCloseMissed: documents issued and the client's email sent, the
// accountant's never (killed at 16–18 ms): replay sends the accountant's email only, issuing nothing again.
func TestReplaySendsWhatAHalfDoneStageCloseMissed(t *testing.T) {
	data := seededData(t)
	ids := acceptOnly(t, data, "ingest-amocrm-stage-closed.json")
	store, err := localstore.Open(filepath.Join(data, "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := store.Event(context.Background(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	half := pipeline.New(pipeline.Deps{Store: store, Secrets: store, LinkKeyParam: demoLinkKeyParam,
		Mailer: &failNth{n: 2, next: outbox.New(filepath.Join(data, "outbox"))}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := half.Processor.Process(context.Background(), e); err == nil {
		t.Fatal("processing with the accountant's send failing succeeded")
	}
	store.Close()
	if m := mails(t, data); len(m) != 1 || len(byRecipient(m, "anna@romashka.example")) != 1 {
		t.Fatalf("before replay: %d emails, want the client's only", len(m))
	}

	out, err := replay(t, "--data", data, "--unprocessed")
	if err != nil || !strings.Contains(out, ids[0]+": sent 1") {
		t.Fatalf("replay: %v\n%s\nwant %q", err, out, ids[0]+": sent 1")
	}
	m := mails(t, data)
	if len(m) != 2 || len(byRecipient(m, "anna@romashka.example")) != 1 {
		t.Fatalf("after replay %d emails (%d to the client), want 2 (1)", len(m), len(byRecipient(m, "anna@romashka.example")))
	}
}

// TestReplayFailsLoudly: a replay whose events fail exits non-zero and says FAILED per event.
func TestReplayFailsLoudly(t *testing.T) {
	data := seededData(t)
	ids := acceptOnly(t, data, "ingest-trello-done.json")
	blocker := filepath.Join(data, "outbox") // a file where the outbox folder should be: every send fails
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := replay(t, "--data", data, "--unprocessed")
	if err == nil || !strings.Contains(out, "FAILED  "+ids[0]) {
		t.Fatalf("replay with the outbox broken = %v\n%s\nwant an error and a FAILED line", err, out)
	}
}

// TestReplayFromADeadLetterRecord: the window comes straight from the message Lambda puts in the dead-letter
// queue for a stream batch; events received in it are replayed, whatever the provider's time of the action.
func TestReplayFromADeadLetterRecord(t *testing.T) {
	data := seededData(t)
	ids := acceptOnly(t, data, "ingest-amocrm-stage-closed.json") // its provider time is in the past
	sample, err := os.ReadFile(filepath.Join(eventsDir, "react-dlq-record.json"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	rec := strings.NewReplacer("2026-11-23T10:15:02Z", now.Add(-time.Second).Format(time.RFC3339),
		"2026-11-23T10:15:04Z", now.Format(time.RFC3339)).Replace(string(sample))
	path := filepath.Join(t.TempDir(), "dlq.json")
	if err := os.WriteFile(path, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := replay(t, "--data", data, "--dlq-record", path)
	if err != nil || !strings.Contains(out, ids[0]+": issued 2, sent 2") {
		t.Fatalf("replay --dlq-record: %v\n%s", err, out)
	}

	// A window that holds nothing replays nothing.
	old := strings.NewReplacer("2026-11-23T10:15:02Z", "2020-01-01T00:00:00Z", "2026-11-23T10:15:04Z", "2020-01-01T00:00:01Z").Replace(string(sample))
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := replay(t, "--data", data, "--dlq-record", path); err != nil || !strings.Contains(out, "replayed 0 events") {
		t.Errorf("replay of an old window: %v\n%s", err, out)
	}
	if err := os.WriteFile(path, []byte(`{"version":"1.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := replay(t, "--data", data, "--dlq-record", path); err == nil || !strings.Contains(err.Error(), "DDBStreamBatchInfo") {
		t.Errorf("replay of a record without batch info = %v", err)
	}
}

// TestDevRestartFinishesATrelloDeliveryStoredButNotProcessed: killed after storing a done delivery, restarted;
// the provider's retry is answered "duplicate" (it is stored), and the start-up sweep emails the client once.
func TestDevRestartFinishesATrelloDeliveryStoredButNotProcessed(t *testing.T) {
	data := seededData(t)
	acceptOnly(t, data, "ingest-trello-done.json")
	dev, err := newDevServer(context.Background(), data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	srv := httptest.NewServer(dev)
	defer srv.Close()
	if err := dev.setBaseURL(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	status, body, err := post(context.Background(), srv.Client(), srv.URL, mustLoad(t, "ingest-trello-done.json"))
	if err != nil || status != 200 || !strings.Contains(body, "duplicate") {
		t.Fatalf("retry: %d %s %v; want 200 duplicate", status, body, err)
	}
	if n := len(mails(t, data)); n != 0 {
		t.Fatalf("%d emails before the sweep, want 0 (the retry is a duplicate)", n)
	}
	if res := dev.sweepOnce(context.Background(), 0); res.Finished != 1 || res.Sent != 2 {
		t.Fatalf("start-up sweep = %+v, want one event finished, one email and its Telegram copy", res)
	}
	m := mails(t, data)
	if len(m) != 1 || len(byRecipient(m, "anna@romashka.example")) != 1 {
		t.Fatalf("after the sweep %d emails, want the client's notice once", len(m))
	}
	if res := dev.sweepOnce(context.Background(), 0); res.Found != 0 {
		t.Errorf("second sweep found %d, want 0", res.Found)
	}
}

// TestReplayOnDynamoDBRefusesRelativeLinks: on a deployment's table, replay without --public-url for an agency
// without public_url would mail links without a host, and a message goes out once: it refuses instead.
func TestReplayOnDynamoDBRefusesRelativeLinks(t *testing.T) {
	endpoint := os.Getenv("DYNAMODB_ENDPOINT")
	if endpoint == "" {
		t.Fatal("DYNAMODB_ENDPOINT is not set: run `make test`, or scripts/dynamodb-local.sh start and source .cache/dynamodb.env")
	}
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	table := "replay-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := run(context.Background(), []string{"apply", "-f", "demo/agency.yaml", "--table", table, "--endpoint", endpoint, "--create-table"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	_, err := replay(t, "--table", table, "--endpoint", endpoint, "--unprocessed")
	if err == nil || !strings.Contains(err.Error(), "--public-url") {
		t.Fatalf("replay without a public URL = %v; want a refusal naming --public-url", err)
	}
	out, err := replay(t, "--table", table, "--endpoint", endpoint, "--unprocessed", "--public-url", "https://glassbox.example")
	if err != nil || !strings.Contains(out, "replayed 0 events") {
		t.Fatalf("replay with a public URL: %v\n%s", err, out)
	}
}

// TestReplayClaimLeaseIsTheDeployments: replay claims the messages React and the sweep claim; with a shorter
// lease it would take over a claim of a sweep still sending and send again.
func TestReplayClaimLeaseIsTheDeployments(t *testing.T) {
	tpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	leases := regexp.MustCompile(`(?m)^\s+CLAIM_LEASE: (\S+)`).FindAllSubmatch(tpl, -1)
	if len(leases) == 0 {
		t.Fatal("template.yaml sets no CLAIM_LEASE")
	}
	var help bytes.Buffer
	_ = run(context.Background(), []string{"replay", "-h"}, &help, &help)
	for _, l := range leases {
		d, err := time.ParseDuration(string(l[1]))
		if err != nil {
			t.Fatal(err)
		}
		if want := "(default " + d.String() + ")"; !strings.Contains(help.String(), want) {
			t.Errorf("replay -h does not show the template's CLAIM_LEASE %s as its default (%s):\n%s", l[1], want, help.String())
		}
	}
}

// TestDevStartFinishesWhatAKilledRunLeft: `glassbox dev` itself (not a helper of it) sweeps at start: a done
// delivery stored by a run killed before processing it is emailed once the server is up again, with the timer
// far off.
func TestDevStartFinishesWhatAKilledRunLeft(t *testing.T) {
	data := seededData(t)
	acceptOnly(t, data, "ingest-trello-done.json")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"dev", "--addr", "127.0.0.1:0", "--data", data, "--sweep-every", "1h"}, io.Discard, io.Discard)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(mails(t, data)) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("glassbox dev: %v", err)
	}
	m := mails(t, data)
	if len(m) != 1 || len(byRecipient(m, "anna@romashka.example")) != 1 {
		t.Fatalf("after starting glassbox dev: %d emails, want the client's notice once", len(m))
	}
}
