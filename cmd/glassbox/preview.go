package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// runPreview shows what a webhook would produce, without sending anything or touching any store: it runs the
// real pipeline (parse, decide, number, render, word) on a scratch store and writes the PDFs and the emails
// (.eml) into a folder. Signatures are not checked, so any sample from events/ works with any agency file; its
// help and its output say so, since a delivery that previews well may still be refused.
func runPreview(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("preview [-f agency.yaml] --event events/ingest-amocrm-stage-closed.json [-o DIR]",
		"Runs the real pipeline (parse, decide, number, render, word) for one sample webhook on a scratch store and\n"+
			"writes the PDFs and the emails (.eml) into a folder, sending nothing. Signatures, tokens and passwords are\n"+
			"NOT checked, so any sample works with any agency file: a delivery preview shows may still be refused.")
	file := fs.String("f", "", "agency file (default: the demo agency)")
	event := fs.String("event", "", "an API Gateway request from events/, e.g. events/ingest-amocrm-stage-closed.json")
	out := fs.String("o", "preview", "folder for the PDFs and .eml files")
	bitrixDeal := fs.String("bitrix-deal", "events/bitrix24-crm-deal-get-response.json", "what Bitrix24's crm.deal.get answers, for Bitrix24 events")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *event == "" {
		return errors.New("preview: --event is required")
	}
	cfg, err := previewConfig(*file)
	if err != nil {
		return err
	}
	req, err := loadRequest(*event)
	if err != nil {
		return err
	}
	provider, bindingID := req.PathParameters["provider"], req.PathParameters["binding"]
	var p ingest.Provider
	for _, pr := range providers.All() {
		if pr.Info().Name == provider {
			p = pr
		}
	}
	b, ok := cfg.Binding(provider, bindingID)
	if p == nil || !ok {
		return fmt.Errorf("preview: the agency file has no %s binding %q", provider, bindingID)
	}
	now := time.Now().UTC()
	d, err := ingest.NewDelivery(req, b.CallbackURL, now)
	if err != nil {
		return fmt.Errorf("preview: %s: %w", *event, err)
	}
	evs, err := ingest.Parse(p, d, b)
	if err != nil {
		return fmt.Errorf("preview: %s: %w", *event, err)
	}
	fmt.Fprintln(stdout, "note: preview does not check the delivery's signature, token or password; the real hook may still answer 401")
	if len(evs) == 0 {
		fmt.Fprintln(stdout, "nothing to preview: the binding does not route this delivery, or it is not a change Glassbox acts on")
		return nil
	}

	scratch, err := os.MkdirTemp("", "glassbox-preview-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	store, err := localstore.Open(filepath.Join(scratch, "db"))
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.PutConfig(ctx, cfg); err != nil {
		return err
	}
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, *bitrixDeal)
	}))
	defer fake.Close()
	for name, value := range map[string]string{"preview-link-key": "preview-link-key-0123456789abcdef0123456789", b.APIParam: fake.URL + "/rest/"} {
		if name == "" {
			continue
		}
		if err := store.PutSecret(ctx, name, value); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	deps := pipeline.Deps{
		Store: store, Mailer: outbox.New(*out), Secrets: store,
		LinkKeyParam: "preview-link-key", PublicBaseURL: "https://glassbox.example",
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	proc := pipeline.New(deps).Processor
	for _, e := range evs {
		if _, err := proc.Process(ctx, e); err != nil {
			return fmt.Errorf("preview: %w", err)
		}
	}
	if err := previewHeld(ctx, store, deps, stdout); err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	n := 0
	for _, pr := range cfg.Projects {
		docs, err := store.DocumentsBetween(ctx, pr.ID, time.Time{}, now.Add(24*time.Hour*365*10))
		if err != nil {
			return err
		}
		for _, d := range docs {
			data, err := store.DocumentPDF(ctx, d.ID)
			if err != nil {
				return err
			}
			path := filepath.Join(*out, d.FileName())
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s  (%d bytes)\n", path, len(data))
			n++
		}
	}
	mail, err := outbox.List(*out)
	if err != nil {
		return err
	}
	for _, m := range mail {
		fmt.Fprintf(stdout, "%s  to %s: %s\n", filepath.Join(*out, m.File), strings.Join(m.To, ", "), m.Subject)
	}
	if n == 0 && len(mail) == 0 {
		fmt.Fprintln(stdout, "the event was accepted, but its stage means nothing in the binding's stage_map")
	}
	return nil
}

func previewConfig(path string) (glassbox.Config, error) {
	if path == "" {
		return agencyfile.Parse(demoAgency, providers.Catalog())
	}
	return agencyfile.Load(path, providers.Catalog())
}
