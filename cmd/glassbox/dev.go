package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/httpapi"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/links"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/money"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/react"
	"github.com/glassbox-oss/glassbox/shared/remind"
)

//go:embed demo/agency.yaml
var demoAgency []byte

//go:embed demo/bitrix24-crm-deal-get-response.json
var demoBitrixDeal []byte

// The demo bindings' webhook secrets, which the signed samples in events/ were signed with, and the key that
// signs payment and download links. Only glassbox dev uses them; a deployment keeps its own in SSM.
var demoSecrets = map[string]string{
	"/glassbox/trello/demo-board":        "demo-trello-secret",
	"/glassbox/amocrm/demo-amo":          "demo-amo-token-4f9c2b7e1a",
	"/glassbox/bitrix24/demo-bitrix":     "51856fefc120afa4b628cc82d3935cce",
	"/glassbox/hubspot/demo-hubspot":     "demo-hubspot-client-secret",
	"/glassbox/pipedrive/demo-pipedrive": "glassbox:demo-pipedrive-password",
	demoLinkKeyParam:                     "demo-link-key-0123456789abcdef0123456789abcdef",
}

const (
	demoLinkKeyParam = "/glassbox/links/key"
	// demoBitrixAPIParam holds the Bitrix24 incoming-webhook URL; in dev it points at the fake Bitrix24 REST
	// API the dev server itself serves (/fake/bitrix24/...), which answers crm.deal.get with the sample deal.
	demoBitrixAPIParam = "/glassbox/bitrix24/demo-bitrix-api"
)

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dev [--addr 127.0.0.1:8080] [--data .glassbox]", devAbout)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	data := fs.String("data", ".glassbox", "data folder: the embedded store and the outbox")
	sweepEvery := fs.Duration("sweep-every", 30*time.Second, "how often to finish events left unprocessed (also done once at start)")
	flushEvery := fs.Duration("flush-every", 30*time.Second, "how often to send held notices that are due and tell managers of overdue tasks")
	claimLease := fs.Duration("claim-lease", 0, "how long a message claim holds before another attempt may take it over (default 2m)")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv, err := newDevServer(ctx, *data, logger, devOptions{ClaimLease: *claimLease})
	if err != nil {
		ln.Close()
		return err
	}
	defer srv.Close()
	if err := srv.setBaseURL(ctx, "http://"+ln.Addr().String()); err != nil {
		return err
	}
	go srv.sweep(ctx, *sweepEvery)
	go srv.flush(ctx, *flushEvery)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	fmt.Fprintf(stdout, "glassbox dev: http://%s  (webhooks at /hooks/{provider}/{binding}, mail at /outbox)\n", ln.Addr())
	for _, hint := range devHints(ctx, srv.store, ln.Addr().String(), *data) {
		fmt.Fprintln(stdout, hint)
	}
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// devServer is glassbox dev: the ingest handler and the react processor wired in-process over the embedded
// store, with mail going to an outbox folder.
type devServer struct {
	store  *localstore.Store
	mux    *http.ServeMux
	links  *billing.Links
	proc   *react.Processor
	logger *slog.Logger
	remind func(now time.Time) *remind.Reminder
}

// devOptions tune glassbox dev.
type devOptions struct {
	// ClaimLease: see react.Options; 0 takes the default. The fault test shortens it, so that a claim left by
	// a killed server is taken over soon after the restart.
	ClaimLease time.Duration
}

func newDevServer(ctx context.Context, dataDir string, logger *slog.Logger, opts devOptions) (*devServer, error) {
	store, err := openLocal(dataDir)
	if err != nil {
		return nil, err
	}
	if err := seedDemo(ctx, store, logger); err != nil {
		store.Close()
		return nil, err
	}
	outboxDir := filepath.Join(dataDir, "outbox")
	clock := glassbox.SystemClock{}
	mailer := outbox.New(outboxDir)
	pipe := pipeline.New(pipeline.Deps{
		Store: store, Mailer: mailer, Clock: clock, Secrets: store, LinkKeyParam: demoLinkKeyParam,
		// The configuration cannot change under a running dev server (apply --data needs it stopped), and an
		// event of a project the cache lacks reads it again anyway.
		ClaimLease: opts.ClaimLease, ConfigTTL: time.Minute, Logger: logger,
	})
	proc, docLinks := pipe.Processor, pipe.Links
	// Webhooks and payment confirmations both store events; on Lambda the table's stream runs the processor,
	// here it runs right after each new event is stored.
	events := processingStore{store, proc, logger}
	payLinks := links.NewHandler(events, store, clock, links.Options{KeyParam: demoLinkKeyParam, Logger: logger})
	hooks := ingest.NewHandler(events, store, providers.All(), clock, ingest.Options{Logger: logger})

	mux := http.NewServeMux()
	mux.Handle("/hooks/{provider}/{binding}", httpapi.Handler(hooks.Handle, []string{"provider", "binding"}, ingest.MaxBodyBytes))
	mux.Handle("/pay/{doc}", httpapi.Handler(payLinks.Handle, []string{"doc"}, links.MaxBodyBytes))
	mux.Handle("/documents/{doc}", httpapi.Handler(payLinks.Handle, []string{"doc"}, links.MaxBodyBytes))
	mux.HandleFunc("GET /fake/bitrix24/rest/1/demo/crm.deal.get.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(demoBitrixDeal)
	})
	d := &devServer{store: store, mux: mux, links: docLinks, proc: proc, logger: logger}
	d.remind = func(now time.Time) *remind.Reminder {
		return remind.New(store, pipeline.Senders(mailer, nil), docLinks, fixedClock{now}, 0, logger)
	}
	// A reminder pass as if it were the given time (RFC 3339, default now): reminders come days after a due
	// date, so a demo needs to move the clock.
	mux.HandleFunc("POST /admin/remind", func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().UTC()
		if at := r.URL.Query().Get("at"); at != "" {
			t, err := time.Parse(time.RFC3339, at)
			if err != nil {
				http.Error(w, "at must be an RFC 3339 time", http.StatusBadRequest)
				return
			}
			now = t.UTC()
		}
		res, err := d.remind(now).Run(r.Context())
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(map[string]any{"result": res, "error": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(res)
	})
	mux.Handle("/outbox", outbox.Handler(outboxDir))
	mux.Handle("/outbox/", outbox.Handler(outboxDir))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		cfg, err := store.Config(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		page := indexView{Config: cfg}
		for _, p := range cfg.Projects {
			docs, err := store.DocumentsBetween(r.Context(), p.ID, time.Time{}, time.Now().Add(24*time.Hour))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			for _, doc := range docs {
				url, err := docLinks.DocumentURL(r.Context(), cfg, doc, clock.Now())
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				page.Documents = append(page.Documents, indexDocument{Document: doc, URL: url,
					Total: money.Format(doc.Total, doc.Currency, doc.Locale)})
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = indexPage.Execute(w, page)
	})
	return d, nil
}

// setBaseURL tells the server where it is reachable, for the links in emails and the fake Bitrix24 API.
func (d *devServer) setBaseURL(ctx context.Context, base string) error {
	d.links.PublicBaseURL = base
	return d.store.PutSecret(ctx, demoBitrixAPIParam, base+"/fake/bitrix24/rest/1/demo/")
}

// processingStore processes each new event right after it is stored, as the table's stream does on AWS. A
// duplicate is not processed again; a failure is logged, and `glassbox replay --data` processes the event again.
type processingStore struct {
	*localstore.Store
	proc   *react.Processor
	logger *slog.Logger
}

func (s processingStore) AppendEvent(ctx context.Context, e glassbox.Event) error {
	if err := s.Store.AppendEvent(ctx, e); err != nil {
		return err
	}
	if _, err := s.proc.Process(ctx, e); err != nil {
		s.logger.Error("processing failed; the sweep retries it", "event_id", e.ID, "error", err.Error())
	}
	return nil
}

// sweep finishes the events left unprocessed (a crash of an earlier run, a failed send), as SweepFunction does
// on AWS: once at start for every marked event, also those a failed sweep postponed (nothing else is running
// yet), then every interval for events whose turn is older than the interval, until ctx ends.
func (d *devServer) sweep(ctx context.Context, every time.Duration) {
	d.sweepOnce(ctx, -react.MaxSweepBackoff) // every marked event, postponed or not
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.sweepOnce(ctx, every)
		}
	}
}

func (d *devServer) sweepOnce(ctx context.Context, grace time.Duration) react.SweepResult {
	res, err := d.proc.Sweep(ctx, grace, react.DefaultSweepLimit)
	switch {
	case err != nil:
		d.logger.Error("sweep", "error", err.Error())
	case res.Found > 0:
		d.logger.Info("sweep finished unprocessed events", "found", res.Found, "finished", res.Finished,
			"failed", res.Failed, "issued", res.Issued, "sent", res.Sent)
	}
	return res
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func (d *devServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.mux.ServeHTTP(w, r) }

func (d *devServer) Close() error { return d.store.Close() }

// seedDemo loads the demo agency into an empty store, so a newcomer's first `make dev` has something to show.
func seedDemo(ctx context.Context, store *localstore.Store, logger *slog.Logger) error {
	stored, err := store.Config(ctx)
	switch {
	case err == nil && !olderDemo(stored):
		return nil
	case err != nil && !errors.Is(err, glassbox.ErrNotFound):
		return err
	}
	cfg, err := agencyfile.Parse(demoAgency, providers.Catalog())
	if err != nil {
		return fmt.Errorf("demo agency: %w", err)
	}
	if err := store.PutConfig(ctx, cfg); err != nil {
		return err
	}
	for name, value := range demoSecrets {
		if err := store.PutSecret(ctx, name, value); err != nil {
			return err
		}
	}
	logger.Info("loaded the demo agency", "agency", cfg.Agency.Name)
	return nil
}

type indexView struct {
	glassbox.Config
	Documents []indexDocument
}

type indexDocument struct {
	glassbox.Document
	URL, Total string
}

// olderDemo says a data folder holds the demo agency of an earlier release (Trello only, nothing billed), which
// the CRM samples of make demo would not find; it is replaced by the current demo. An agency applied by hand is
// left alone.
func olderDemo(c glassbox.Config) bool {
	return len(c.Sellers) == 0 && len(c.Bindings) == 1 && c.Bindings[0].ID == "demo-board"
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Glassbox dev</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:760px;margin:2rem auto;color:#1f2933}code{background:#f2f4f7;padding:1px 4px;border-radius:3px}td,th{text-align:left;padding:4px 10px 4px 0}</style>
</head><body>
<h1>Glassbox dev</h1>
<p>Agency: <b>{{.Agency.Name}}</b> · <a href="/outbox">Outbox</a></p>
<h2>Webhook bindings</h2>
<table><tr><th>hook</th><th>project</th><th>secret parameter</th></tr>
{{range .Bindings}}<tr><td><code>POST /hooks/{{.Provider}}/{{.ID}}</code></td><td>{{if .ProjectID}}{{.ProjectID}}{{else}}{{range $i, $d := .Deals}}{{if $i}}, {{end}}deal {{$d.DealID}} → {{$d.ProjectID}}{{end}}{{end}}</td><td><code>{{.SecretParam}}</code></td></tr>{{end}}
</table>
<h2>Issued documents</h2>
{{if .Documents}}<table><tr><th>document</th><th>project</th><th>stage</th><th>total</th><th>state</th></tr>
{{range .Documents}}<tr><td><a href="{{.URL}}">{{.Kind}} {{.Number}}</a></td><td>{{.ProjectID}}</td><td>{{.StageName}}</td><td>{{.Total}}</td><td>{{.State}}</td></tr>{{end}}
</table>{{else}}<p>None yet: a CRM sample from <code>make demo</code> closes a stage and issues an act and an invoice.</p>{{end}}
<p>Run <code>make demo</code> to post the signed samples from <code>events/</code>, then open the <a href="/outbox">outbox</a>.</p>
</body></html>`))

// flush sends the held notices that are due (quiet hours over, coalescing window closed) and tells managers of
// overdue tasks, as FlushFunction does on AWS: at start and every interval, until ctx ends.
func (d *devServer) flush(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := d.proc.Flush(ctx)
		switch {
		case err != nil:
			d.logger.Error("flush", "error", err.Error())
		case res != (react.FlushResult{}):
			d.logger.Info("flush sent held notices", "due", res.Due, "sent", res.Sent, "coalesced", res.Coalesced,
				"batched", res.Batched, "overdue", res.Overdue, "failed", res.Failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
