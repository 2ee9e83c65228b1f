package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	sessdk "github.com/aws/aws-sdk-go-v2/service/ses"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/react"
	"github.com/glassbox-oss/glassbox/shared/ses"
)

// runReplay processes stored events again. Events are kept forever and processing is idempotent (task state
// folds once, a sent message is never sent again), so replaying a window around what the dead-letter queue
// reported is always safe. The window is over the provider's time of the action, which is a little before the
// stream's arrival times in the DLQ record: widen it.
func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("replay (--table NAME [--endpoint URL] | --data DIR) (--event ID | --from T [--to T] [--project ID])",
		"Processes stored events again; safe to repeat, since a sent message is never sent again.")
	var sf storeFlags
	sf.register(fs)
	eventID := fs.String("event", "", "one event id, e.g. trello:6650f1a2c3d4e5f601234567")
	project := fs.String("project", "", "only this project (default: every project), with --from")
	from := fs.String("from", "", "RFC 3339 start of the window (inclusive)")
	to := fs.String("to", "", "RFC 3339 end of the window (exclusive); default now")
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
			cfg, err := store.Config(ctx)
			if err != nil {
				return fmt.Errorf("replay: read config: %w", err)
			}
			projects = projects[:0]
			for _, p := range cfg.Projects {
				projects = append(projects, p.ID)
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
		return errors.New("replay: give --event ID, or --from TIME [--to TIME] [--project ID]")
	}

	var mailer react.Mailer
	if sf.data != "" {
		mailer = outbox.New(filepath.Join(sf.data, "outbox"))
	} else {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return err
		}
		mailer = ses.NewMailer(sessdk.NewFromConfig(cfg))
	}
	proc := react.NewProcessor(store, mailer, glassbox.SystemClock{}, react.Options{Logger: slog.New(slog.NewTextHandler(stderr, nil))})
	failed := 0
	for _, e := range events {
		if err := proc.Process(ctx, e); err != nil {
			failed++
			fmt.Fprintf(stdout, "FAIL %s: %v\n", e.ID, err)
			continue
		}
		fmt.Fprintf(stdout, "ok   %s\n", e.ID)
	}
	if failed > 0 {
		return fmt.Errorf("replay: %d of %d events failed", failed, len(events))
	}
	fmt.Fprintf(stdout, "replayed %d events\n", len(events))
	return nil
}
