package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	sessdk "github.com/aws/aws-sdk-go-v2/service/ses"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/react"
	"github.com/glassbox-oss/glassbox/shared/ses"
	"github.com/glassbox-oss/glassbox/shared/ssm"
	"github.com/glassbox-oss/glassbox/shared/telegram"
)

// dlqMargin widens a dead-letter record's arrival window: the stream's arrival times and the events' receipt
// times come from different clocks.
const dlqMargin = time.Minute

// runReplay processes stored events again, through the same processor as React, billing included. Events are
// kept forever and processing is idempotent (task state folds once, a close issues its documents once, a sent
// message is never sent again), so replaying any window is safe: what an earlier run left undone is done, and
// nothing else. The sweep (SweepFunction, glassbox dev) does this by itself for events still marked
// unprocessed; replay is for an admin who wants it now, or for a window of their choosing.
func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("replay (--table NAME [--endpoint URL] | --data DIR) (--event ID | --unprocessed | --dlq-record FILE | --from T [--to T] [--project ID])",
		"Processes stored events again through the same processor as React, billing included, and says per event what it\n"+
			"did (issued, sent, nothing left to do, FAILED). Safe to repeat: a close is issued once and a sent message is\n"+
			"never sent again. Exits 1 when any event failed.")
	var sf storeFlags
	sf.register(fs)
	eventID := fs.String("event", "", "one event id, e.g. trello:6650f1a2c3d4e5f601234567")
	project := fs.String("project", "", "only this project (default: every project), with --from")
	from := fs.String("from", "", "RFC 3339 start of the window over the provider's time of the action (inclusive)")
	to := fs.String("to", "", "RFC 3339 end of the window (exclusive); default now")
	dlqRecord := fs.String("dlq-record", "", "a message from the dead-letter queue (JSON file): replays the events received in its batch's arrival window")
	unprocessed := fs.Bool("unprocessed", false, "every event still marked unprocessed, whatever its age (what the sweep would do)")
	linkKeyParam := fs.String("link-key-param", demoLinkKeyParam, "the SSM parameter (or, with --data, local secret) holding the link key")
	claimLease := fs.Duration("claim-lease", 5*time.Minute, "how long a message claim of a sender that may still be running holds: the deployment's CLAIM_LEASE")
	publicURL := fs.String("public-url", "", "where links in emails point: the stack's PublicBaseUrl (default: the agency's public_url; with --data http://127.0.0.1:8080)")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	store, closeStore, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()

	var events []glassbox.Event
	switch {
	case *eventID != "":
		e, err := store.Event(ctx, *eventID)
		if err != nil {
			return fmt.Errorf("replay: event %s: %w", *eventID, err)
		}
		events = []glassbox.Event{e}
	case *unprocessed:
		// Every marked event, also those a failed sweep postponed into the future.
		if events, err = store.UnprocessedEvents(ctx, time.Now().UTC().Add(react.MaxSweepBackoff+time.Hour), 1<<20); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	case *dlqRecord != "":
		first, last, err := readDLQRecord(*dlqRecord)
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		fmt.Fprintf(stdout, "dead-letter batch arrived %s .. %s; replaying events received in that window ±%s\n",
			first.Format(time.RFC3339), last.Format(time.RFC3339), dlqMargin)
		if events, err = receivedBetween(ctx, store, first.Add(-dlqMargin), last.Add(dlqMargin)); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	case *from != "":
		start, err := time.Parse(time.RFC3339, *from)
		if err != nil {
			return fmt.Errorf("replay: --from: %w", err)
		}
		end := time.Now().UTC()
		if *to != "" {
			if end, err = time.Parse(time.RFC3339, *to); err != nil {
				return fmt.Errorf("replay: --to: %w", err)
			}
		}
		projects := []string{*project}
		if *project == "" {
			if projects, err = projectIDs(ctx, store); err != nil {
				return fmt.Errorf("replay: %w", err)
			}
		}
		for _, p := range projects {
			evs, err := store.EventsBetween(ctx, p, start, end)
			if err != nil {
				return err
			}
			events = append(events, evs...)
		}
	default:
		return errors.New("replay: give --event ID, --unprocessed, --dlq-record FILE, or --from TIME [--to TIME] [--project ID]")
	}

	if *publicURL == "" && sf.data == "" {
		// Links in emails would be relative, and a message is sent once: it could never be sent right again.
		cfg, err := store.Config(ctx)
		if err != nil {
			return fmt.Errorf("replay: read config: %w", err)
		}
		if cfg.Agency.PublicURL == "" {
			return errors.New("replay: say where links point: --public-url (the stack's PublicBaseUrl output), since the agency file sets no public_url")
		}
	}
	deps := pipeline.Deps{Store: store, LinkKeyParam: *linkKeyParam, PublicBaseURL: *publicURL, ClaimLease: *claimLease,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if sf.data != "" {
		local, ok := store.(billing.Secrets) // the local store stands in for SSM
		if !ok {
			return fmt.Errorf("replay: the store of %s keeps no secrets", sf.data)
		}
		mailer := outbox.New(filepath.Join(sf.data, "outbox"))
		deps.Mailer, deps.Secrets = mailer, local
		deps.TelegramAPI, deps.TelegramHTTP = devTelegramAPI, inProcessClient(telegramStandIn(store, local, mailer))
		if deps.PublicBaseURL == "" {
			deps.PublicBaseURL = "http://127.0.0.1:8080"
		}
	} else {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return err
		}
		deps.Mailer, deps.Secrets = ses.NewMailer(sessdk.NewFromConfig(cfg)), ssm.NewSecrets(ssm.NewClient(cfg), time.Minute)
		deps.TelegramAPI = telegram.DefaultBaseURL
	}
	proc := pipeline.New(deps).Processor
	failed := 0
	for _, e := range events {
		out, err := proc.Process(ctx, e)
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "FAILED  %s: %v\n", e.ID, err)
			continue
		}
		fmt.Fprintf(stdout, "ok      %s: %s\n", e.ID, out)
	}
	if failed > 0 {
		return fmt.Errorf("replay: %d of %d events failed; they stay marked unprocessed and the sweep retries them", failed, len(events))
	}
	fmt.Fprintf(stdout, "replayed %d events\n", len(events))
	return nil
}

// readDLQRecord reads the arrival window of the stream batch a dead-letter message describes: Lambda's
// on-failure record for a DynamoDB stream source carries DDBStreamBatchInfo, not the records themselves.
func readDLQRecord(path string) (first, last time.Time, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return first, last, err
	}
	var rec struct {
		Info *struct {
			First string `json:"approximateArrivalOfFirstRecord"`
			Last  string `json:"approximateArrivalOfLastRecord"`
		} `json:"DDBStreamBatchInfo"`
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return first, last, fmt.Errorf("%s is not a dead-letter message: %w", path, err)
	}
	if rec.Info == nil {
		return first, last, fmt.Errorf("%s has no DDBStreamBatchInfo: not a DynamoDB stream failure record", path)
	}
	if first, err = time.Parse(time.RFC3339, rec.Info.First); err != nil {
		return first, last, fmt.Errorf("%s: approximateArrivalOfFirstRecord: %w", path, err)
	}
	if last, err = time.Parse(time.RFC3339, rec.Info.Last); err != nil {
		return first, last, fmt.Errorf("%s: approximateArrivalOfLastRecord: %w", path, err)
	}
	if last.Before(first) {
		first, last = last, first
	}
	return first.UTC(), last.UTC(), nil
}

// receivedBetween lists the events Glassbox received in [from, to], over every project. Events are indexed by
// the provider's time of the action, which may be long before receipt (a late redelivery), so each project's
// history up to a little after to is read and filtered by receipt time: an admin's command, not a hot path.
func receivedBetween(ctx context.Context, store glassbox.Store, from, to time.Time) ([]glassbox.Event, error) {
	projects, err := projectIDs(ctx, store)
	if err != nil {
		return nil, err
	}
	var out []glassbox.Event
	for _, p := range projects {
		evs, err := store.EventsBetween(ctx, p, time.Time{}, to.Add(time.Hour)) // the provider's clock may run ahead
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if !e.ReceivedAt.Before(from) && !e.ReceivedAt.After(to) {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

func projectIDs(ctx context.Context, store glassbox.Store) ([]string, error) {
	cfg, err := store.Config(ctx)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	ids := make([]string, 0, len(cfg.Projects))
	for _, p := range cfg.Projects {
		ids = append(ids, p.ID)
	}
	return ids, nil
}
