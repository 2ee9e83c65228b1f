//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/trello"
)

// BenchmarkDevDeliveries is glassbox dev under load: distinct signed Trello deliveries, each a card moved to
// Done, posted over loopback HTTP to the dev server on a data folder on disk. Every delivery takes the full
// path: verify, store the event, fold the task, claim the client's notice, write it to the outbox, mark it
// sent; the answer comes after all of it. concurrency=8 is the figure in the README; concurrency=1 is a lone
// sender, which grouped commits must not slow down. Reports deliveries per second, and the CPU time (user and
// system, of the whole process, so the sending client's too) per delivery, which says more than the rate on a
// machine that other work shares.
func BenchmarkDevDeliveries(b *testing.B) {
	for _, concurrency := range []int{1, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) { benchDeliveries(b, concurrency) })
	}
}

func benchDeliveries(b *testing.B, concurrency int) {
	data := benchDataFolder(b)
	dev, err := newDevServer(context.Background(), data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(dev)
	defer func() { srv.Close(); dev.Close() }()
	if err := dev.setBaseURL(context.Background(), srv.URL); err != nil {
		b.Fatal(err)
	}
	// Keep one connection per sender, as a webhook sender with keep-alive does; the default keeps two idle.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	defer client.CloseIdleConnections()
	reqs := doneDeliveries(b, b.N)

	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, concurrency)
	cpuBefore := cpuTime(b)
	b.ResetTimer()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(reqs); i = int(next.Add(1)) - 1 {
				status, body, err := post(context.Background(), client, srv.URL, reqs[i])
				if err == nil && (status != http.StatusOK || !strings.Contains(body, `"accepted"`)) {
					err = fmt.Errorf("delivery %d: %d %s", i, status, body)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	cpu := cpuTime(b) - cpuBefore
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/delivery")

	// Every delivery was processed to the end: one client notice each, by email and in the client's Telegram
	// group (the demo project has one).
	files, err := os.ReadDir(filepath.Join(data, "outbox"))
	if err != nil {
		b.Fatal(err)
	}
	var mail, chat int
	for _, f := range files {
		switch {
		case strings.HasSuffix(f.Name(), ".eml"):
			mail++
		case strings.HasSuffix(f.Name(), ".tg.json"):
			chat++
		}
	}
	if mail != b.N || chat != b.N {
		b.Fatalf("%d emails and %d Telegram messages in the outbox after %d deliveries", mail, chat, b.N)
	}
}

// doneDeliveries returns n distinct signed deliveries of the done sample: each its own action on its own card.
func doneDeliveries(b *testing.B, n int) []events.APIGatewayV2HTTPRequest {
	b.Helper()
	sample, err := loadRequest(filepath.Join(eventsDir, "ingest-trello-done.json"))
	if err != nil {
		b.Fatal(err)
	}
	secret := demoSecrets["/glassbox/trello/demo-board"]
	const callbackURL = "https://demo.glassbox.example/hooks/trello/demo-board"
	out := make([]events.APIGatewayV2HTTPRequest, n)
	for i := range out {
		body := strings.ReplaceAll(sample.Body, "6650f1a2c3d4e5f601234567", fmt.Sprintf("a%023x", i))
		body = strings.ReplaceAll(body, "664e0b7d9a1c2b3d4e5f6071", fmt.Sprintf("c%023x", i))
		req := sample
		req.Body = body
		req.Headers = cloneHeaders(sample.Headers)
		req.Headers["x-trello-webhook"] = trello.Sign(secret, []byte(body), callbackURL)
		out[i] = req
	}
	return out
}

// cpuTime is the CPU time the process has used, in user and system mode.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// benchDataFolder is a new, empty data folder for one run: in $GLASSBOX_BENCH_DATA when set, where it is
// left for the caller to remove (scripts/bench.sh does at its end), else a temporary folder removed after the
// run. ext4 without a journal, as on the CI machine, passes over inodes freed in the last minute or more
// whenever it allocates one; removing a run's thousands of outbox files right before the next run made every
// outbox write of that run scan past them, and measured the removal rather than glassbox dev.
func benchDataFolder(b *testing.B) string {
	root := os.Getenv("GLASSBOX_BENCH_DATA")
	if root == "" {
		return b.TempDir()
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		b.Fatal(err)
	}
	dir, err := os.MkdirTemp(root, "dev-")
	if err != nil {
		b.Fatal(err)
	}
	return dir
}
