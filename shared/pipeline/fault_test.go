package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	sessdk "github.com/aws/aws-sdk-go-v2/service/ses"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/faulttest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/ses"
)

// faults draws the injected failures from one seeded source, so GLASSBOX_FAULT_SEED reproduces a run's draws
// (the interleaving of goroutines still varies).
type faults struct {
	mu  sync.Mutex
	rng *rand.Rand
	on  atomic.Bool
}

func (f *faults) hit(p float64) bool {
	if !f.on.Load() {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rng.Float64() < p
}

// throttlingHTTP answers a share of DynamoDB requests itself with the 400 DynamoDB sends when it throttles, so
// the SDK's retryer sees real throttles: most are retried away, some outlast the retries and reach the store.
//
// A smaller share of requests reach DynamoDB and are applied, but their answer is lost (a 500 instead, as after
// a timeout): the SDK retries a write that is already done.
type throttlingHTTP struct {
	next   aws.HTTPClient
	faults *faults
	p      float64
	pLost  float64
	// injected counts the throttled answers; surfaced those given to the last attempt the SDK makes, which
	// the caller then sees as an error. lost counts the applied requests whose answer was replaced by a 500.
	injected, surfaced, lost atomic.Int64
}

var throttleCodes = []string{"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}

func (h *throttlingHTTP) Do(req *http.Request) (*http.Response, error) {
	if h.faults.hit(h.pLost) {
		resp, err := h.next.Do(req)
		if err != nil {
			return resp, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		h.lost.Add(1)
		return awsError(req, http.StatusInternalServerError, "InternalServerError", "injected: applied, answer lost"), nil
	}
	if !h.faults.hit(h.p) {
		return h.next.Do(req)
	}
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	n := h.injected.Add(1)
	// "attempt=3; max=3": the SDK gives up after this one.
	attempt, max := sdkAttempt(req.Header.Get("Amz-Sdk-Request"))
	if attempt >= max {
		h.surfaced.Add(1)
	}
	return awsError(req, http.StatusBadRequest, throttleCodes[n%int64(len(throttleCodes))], "injected throttle"), nil
}

// awsError is DynamoDB's answer for an error of the given code.
func awsError(req *http.Request, status int, code, message string) *http.Response {
	body := fmt.Sprintf(`{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":%q}`, code, message)
	return &http.Response{
		Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode: status,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":     {"application/x-amz-json-1.0"},
			"X-Amzn-Requestid": {"injected"},
		},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

func sdkAttempt(h string) (attempt, max int) {
	attempt, max = 1, 1
	for _, part := range strings.Split(h, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		switch k {
		case "attempt":
			attempt = n
		case "max":
			max = n
		}
	}
	return attempt, max
}

// failingMailer fails a share of sends before handing the message to SES, and counts the messages SES took by
// Message-ID: the mail that really went out.
type failingMailer struct {
	next interface {
		Send(ctx context.Context, e glassbox.RawEmail) (string, error)
	}
	faults *faults
	p      float64

	failed atomic.Int64
	mu     sync.Mutex
	sends  map[string]int
}

func (m *failingMailer) Send(ctx context.Context, e glassbox.RawEmail) (string, error) {
	if m.faults.hit(m.p) {
		m.failed.Add(1)
		return "", errors.New("injected: SES is failing")
	}
	id, err := m.next.Send(ctx, e)
	if err != nil {
		return "", err
	}
	msgID, perr := faulttest.MessageIDOf(e.Data)
	if perr != nil {
		return "", fmt.Errorf("sent a message without a Message-ID: %w", perr)
	}
	m.mu.Lock()
	m.sends[msgID]++
	m.mu.Unlock()
	return id, nil
}

func (m *failingMailer) counts() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.sends))
	for k, v := range m.sends {
		out[k] = v
	}
	return out
}

type mapSecrets map[string]string

func (s mapSecrets) KeepSecret(context.Context, string, string) error { return nil }

func (s mapSecrets) Secret(_ context.Context, name string) (string, error) {
	v, ok := s[name]
	if !ok {
		return "", fmt.Errorf("secret %s: %w", name, glassbox.ErrNotFound)
	}
	return v, nil
}

// streamStore passes each event it stored to the stream, as the table's stream does on AWS. A duplicate is
// passed on too: it may be this very write, applied by a request whose answer was lost and then retried.
type streamStore struct {
	*dynamo.Store
	stream chan<- glassbox.Event
}

func (s streamStore) AppendEvent(ctx context.Context, e glassbox.Event) error {
	err := s.Store.AppendEvent(ctx, e)
	if err == nil || errors.Is(err, glassbox.ErrDuplicate) {
		s.stream <- e
	}
	return err
}

// TestFaultThrottlingAndFailingSESLoseAndDoubleNothing runs the pipeline on DynamoDB Local and the SES emulator
// with failures injected at random calls: DynamoDB throttles (some outlast the SDK's retries) and SES refuses
// sends. Distinct Trello deliveries and amoCRM stage closes go through ingest (retried until 2xx, as providers
// do), the stream processes each stored event a few times at most (then it would go to the dead-letter queue),
// and the sweep runs until nothing is left unprocessed. Then a client without faults counts: every expected
// message went to SES exactly once, every expected document was issued once, numbers have no gaps.
func TestFaultThrottlingAndFailingSESLoseAndDoubleNothing(t *testing.T) {
	const (
		cards, projects = 40, 15          // 40 + 30 deliveries, 100 messages, 60 documents
		throttleShare   = 0.3             // of DynamoDB requests
		lostShare       = 0.05            // of DynamoDB requests: applied, but the answer is lost
		sesFailShare    = 0.2             // of sends
		streamAttempts  = 3               // before a record would go to the dead-letter queue
		lease           = 3 * time.Second // above the longest claim-to-mark time: render, send, 1.5 s of mark retries
	)
	dynamoEndpoint, sesEndpoint := os.Getenv("DYNAMODB_ENDPOINT"), os.Getenv("SES_ENDPOINT")
	if dynamoEndpoint == "" || sesEndpoint == "" {
		t.Fatal("DYNAMODB_ENDPOINT and SES_ENDPOINT are not set: run `make test` (scripts/with-emulators.sh starts " +
			"both), or `make emulators-start` and source .cache/dynamodb.env and .cache/ses.env")
	}
	seed := faulttest.Seed(t)
	started := time.Now()
	ctx := t.Context()

	load, err := faulttest.NewLoad(cards, projects)
	if err != nil {
		t.Fatal(err)
	}
	clean := dynamo.NewLocalClient(dynamoEndpoint)
	table := fmt.Sprintf("glassbox-fault-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, clean, table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = clean.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &table})
	})
	cleanStore := dynamo.New(clean, table)
	if err := cleanStore.PutConfig(ctx, load.Agency); err != nil {
		t.Fatal(err)
	}

	f := &faults{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	throttle := &throttlingHTTP{next: awshttp.NewBuildableClient(), faults: f, p: throttleShare, pLost: lostShare}
	faulty := dynamo.NewLocalClient(dynamoEndpoint, func(o *dynamodb.Options) {
		o.HTTPClient = throttle
		// The SDK's own retries, with short waits so the test stays quick; no client-side retry quota, so
		// what reaches the store is decided by the injected throttles alone.
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.MaxBackoff = 20 * time.Millisecond
			so.RateLimiter = ratelimit.None
		})
	})
	sesClient := sessdk.New(sessdk.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(strings.TrimSuffix(sesEndpoint, "/")),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", ""), RetryMaxAttempts: 1,
	})
	mailer := &failingMailer{next: ses.NewMailer(sesClient), faults: f, p: sesFailShare, sends: map[string]int{}}
	secrets := mapSecrets(faulttest.Secrets())
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	stream := make(chan glassbox.Event, 4*len(load.Deliveries))
	store := streamStore{dynamo.New(faulty, table), stream}
	proc := pipeline.New(pipeline.Deps{
		Store: store, Mailer: mailer, Clock: glassbox.SystemClock{}, Secrets: secrets,
		LinkKeyParam: faulttest.LinkKeyParam, PublicBaseURL: "https://fault.glassbox.example",
		ClaimLease: lease, Logger: logger,
	}).Processor
	hooks := ingest.NewHandler(store, secrets, providers.All(), glassbox.SystemClock{}, ingest.Options{Logger: logger})
	f.on.Store(true)

	// The providers post every delivery until it is answered 2xx; the stream processes each stored event up to
	// streamAttempts times; meanwhile the sweep runs with no grace, racing the stream for the same events.
	var retried, deadLettered, streamFailures atomic.Int64
	deliveries := make(chan faulttest.Delivery)
	var providersDone, streamDone sync.WaitGroup
	for range 4 {
		providersDone.Add(1)
		go func() {
			defer providersDone.Done()
			for d := range deliveries {
				for try := 0; ; try++ {
					res, err := hooks.Handle(ctx, d.Request)
					if err == nil && res.StatusCode/100 == 2 {
						break
					}
					if try == 0 {
						retried.Add(1)
					}
					if try > 50 {
						t.Errorf("%s: still not answered 2xx after %d tries: %d %s", d.Name, try, res.StatusCode, res.Body)
						return
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	for range 3 {
		streamDone.Add(1)
		go func() {
			defer streamDone.Done()
			for e := range stream {
				for attempt := 1; ; attempt++ {
					if _, err := proc.Process(ctx, e); err == nil {
						break
					}
					streamFailures.Add(1)
					if attempt == streamAttempts {
						deadLettered.Add(1)
						break
					}
				}
			}
		}()
	}
	sweeping := make(chan struct{})
	sweeperDone := make(chan struct{})
	var sweeps atomic.Int64
	go func() {
		defer close(sweeperDone)
		for {
			select {
			case <-sweeping:
				return
			case <-time.After(150 * time.Millisecond):
			}
			if _, err := proc.Sweep(ctx, 0, 50); err == nil {
				sweeps.Add(1)
			}
		}
	}()
	for _, d := range load.Deliveries {
		deliveries <- d
	}
	close(deliveries)
	providersDone.Wait()
	close(stream)
	streamDone.Wait()
	close(sweeping)
	<-sweeperDone

	// What the stream gave up on, the sweep finishes: it runs until nothing is left, faults still on.
	unprocessed := -1
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if _, err := proc.Sweep(ctx, 0, 1000); err == nil {
			sweeps.Add(1)
		}
		evs, err := cleanStore.UnprocessedEvents(ctx, time.Now().Add(time.Hour), 1000)
		if err != nil {
			t.Fatal(err)
		}
		if unprocessed = len(evs); unprocessed == 0 {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	f.on.Store(false)

	count, err := load.Check(ctx, mailer.counts(), cleanStore)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FAULT dynamo seed=%d throttles_injected=%d throttles_past_sdk_retries=%d answers_lost=%d send_failures_injected=%d "+
		"events=%d retried_deliveries=%d stream_failures=%d dead_lettered=%d sweeps=%d messages=%d documents=%d "+
		"lost=%d doubled=%d resent=%d unprocessed=%d elapsed=%s",
		seed, throttle.injected.Load(), throttle.surfaced.Load(), throttle.lost.Load(), mailer.failed.Load(), len(load.Deliveries),
		retried.Load(), streamFailures.Load(), deadLettered.Load(), sweeps.Load(), count.Messages, count.Documents,
		count.Lost, count.Doubled, count.Resent, unprocessed, time.Since(started).Round(100*time.Millisecond))
	if count.Lost != 0 || count.Doubled != 0 || count.Resent != 0 || unprocessed != 0 {
		t.Fatalf("seed %d: lost %d, doubled %d, sent again %d, unprocessed %d:\n%s", seed, count.Lost, count.Doubled,
			count.Resent, unprocessed, strings.Join(count.Problems, "\n"))
	}
	if throttle.surfaced.Load() == 0 || mailer.failed.Load() == 0 {
		t.Fatalf("seed %d: no fault reached the pipeline (throttles past retries %d, send failures %d): the test proved nothing",
			seed, throttle.surfaced.Load(), mailer.failed.Load())
	}
}
