package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/bounce"
	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/dashboard"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/httpapi"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/links"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/money"
	"github.com/glassbox-oss/glassbox/shared/outbox"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/react"
	"github.com/glassbox-oss/glassbox/shared/remind"
	"github.com/glassbox-oss/glassbox/shared/schedule"
	"github.com/glassbox-oss/glassbox/shared/telegram"
)

//go:embed demo/agency.yaml
var demoAgency []byte

//go:embed demo/bitrix24-crm-deal-get-response.json
var demoBitrixDeal []byte

//go:embed demo/kaiten-card-get-response.json
var demoKaitenCard []byte

// demoAsanaTasks are what the stand-in for Asana's API answers to GET /tasks/{gid}, by gid: the demo's done task
// and the task it creates.
var demoAsanaTasks = map[string][]byte{
	"1207654321000042": demoAsanaDone,
	"1207654321000077": demoAsanaTodo,
}

var (
	//go:embed demo/asana-task-get-response.json
	demoAsanaDone []byte
	//go:embed demo/asana-task-get-todo-response.json
	demoAsanaTodo []byte
)

//go:embed demo/github-graphql-node-response.json
var demoGitHubNode []byte

// The demo bindings' webhook secrets, which the signed samples in events/ were signed with, and the key that
// signs payment and download links. Only glassbox dev uses them; a deployment keeps its own in SSM.
var demoSecrets = map[string]string{
	"/glassbox/trello/demo-board":        "demo-trello-secret",
	"/glassbox/amocrm/demo-amo":          "demo-amo-token-4f9c2b7e1a",
	"/glassbox/bitrix24/demo-bitrix":     "51856fefc120afa4b628cc82d3935cce",
	"/glassbox/hubspot/demo-hubspot":     "demo-hubspot-client-secret",
	"/glassbox/pipedrive/demo-pipedrive": "glassbox:demo-pipedrive-password",
	"/glassbox/jira/demo-jira":           "demo-jira-webhook-secret",
	"/glassbox/clickup/demo-clickup":     "demo-clickup-webhook-secret",
	demoClickUpAPIParam:                  "pk_demo_clickup_token",
	demoLinkKeyParam:                     "demo-link-key-0123456789abcdef0123456789abcdef",
	"/glassbox/kaiten/demo-kaiten":       "9c2f6a1e5b8d47f3a0c4e7b1d9f2a6c3e8b5d0f7a2c9e4b1f6d3a8c5e0b7f2a9",
	demoKaitenAPIParam:                   demoKaitenAPIToken,
	// Asana's webhook secret is not here: its handshake hands it over (events/ingest-asana-handshake.json).
	demoAsanaAPIParam:                    demoAsanaToken,
	"/glassbox/github/demo-github":       "demo-github-webhook-secret",
	"/glassbox/github/demo-github-token": "demo-github-token",
	"/glassbox/linear/demo-linear":       "lin_wh_demo_secret",
	"/glassbox/hook/demo-hook":           "demo-hook-secret",
	"/glassbox/metrics/demo-metrics":     "demo-metrics-secret",
	demoBotParam:                         demoBotToken,
}

const (
	demoLinkKeyParam = "/glassbox/links/key"
	// demoBitrixAPIParam holds the Bitrix24 incoming-webhook URL; in dev it points at the fake Bitrix24 REST
	// API the dev server itself serves (/fake/bitrix24/...), which answers crm.deal.get with the sample deal.
	demoBitrixAPIParam = "/glassbox/bitrix24/demo-bitrix-api"
	// demoKaitenAPIParam holds the Kaiten API token the demo reads cards back with; the stand-in Kaiten API
	// (/fake/kaiten/...) answers only to it.
	demoKaitenAPIParam = "/glassbox/kaiten/demo-kaiten-api"
	demoKaitenAPIToken = "demo-kaiten-api-token"
	// fakeKaitenAPIPath is where glassbox dev serves its stand-in of a company's Kaiten API; the demo binding's
	// api_url names it, and setBaseURL points it at the server's own address.
	fakeKaitenAPIPath = "/fake/kaiten/api/latest"
	// demoAsanaAPIParam holds the token the demo Asana binding reads tasks back with; the stand-in for Asana's
	// API that glassbox dev serves (/fake/asana/api/1.0) accepts only it.
	demoAsanaAPIParam = "/glassbox/asana/demo-asana-api"
	demoAsanaToken    = "demo-asana-personal-access-token"
	// demoAsanaAPIPath is where glassbox dev serves its stand-in for Asana's API.
	demoAsanaAPIPath = "/fake/asana/api/1.0"
	// demoBotParam holds the demo agency's Telegram bot token (agency.telegram_bot_param), which the dev
	// server's Bot API stand-in (/fake/telegram/bot{token}/sendMessage) accepts.
	demoBotParam = "/glassbox/telegram/bot"
	demoBotToken = "7000000001:demo-bot-token"
	// devTelegramAPI is where the dev server's Telegram sender finds the Bot API: its own stand-in, reached
	// in-process (devMux), so it works before the server knows its address.
	devTelegramAPI = "http://glassbox-dev/fake/telegram"
)

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dev [--addr 127.0.0.1:8080] [--data .glassbox]", devAbout)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	data := fs.String("data", ".glassbox", "data folder: the embedded store and the outbox")
	sweepEvery := fs.Duration("sweep-every", 30*time.Second, "how often to finish events left unprocessed (also done once at start)")
	flushEvery := fs.Duration("flush-every", 30*time.Second, "how often to send held notices that are due and tell managers of overdue tasks")
	tickEvery := fs.Duration("tick-every", time.Minute, "how often to send the weekly digests and monthly reports that are due, first one interval after start (DigestFunction: 15m; 0: only POST /dev/tick)")
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
	go srv.scheduleReports(ctx, *tickEvery)
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
	// reports builds the schedule dispatcher of a tick as of now.
	reports func(now time.Time) *schedule.Dispatcher
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
	botAPI := telegramStandIn(store, store, mailer)
	pipe := pipeline.New(pipeline.Deps{
		Store: store, Feedback: store, Mailer: mailer, Clock: clock, Secrets: store, LinkKeyParam: demoLinkKeyParam,
		TelegramAPI: devTelegramAPI, TelegramHTTP: inProcessClient(botAPI),
		// The configuration cannot change under a running dev server (apply --data needs it stopped), and an
		// event of a project the cache lacks reads it again anyway.
		ClaimLease: opts.ClaimLease, ConfigTTL: time.Minute, Logger: logger,
	})
	proc, docLinks := pipe.Processor, pipe.Links
	// Webhooks and payment confirmations both store events; on Lambda the table's stream runs the processor,
	// here it runs right after each new event is stored.
	events := processingStore{store, proc, logger}
	notices := courier.New(store, pipeline.Senders(mailer, nil), clock, opts.ClaimLease, logger)
	payLinks := links.NewHandler(events, store, clock, links.Options{KeyParam: demoLinkKeyParam, Logger: logger}).
		WithUnsubscribe(store, notices).WithFeedback(store, notices)
	hooks := ingest.NewHandler(events, store, providers.All(), clock, ingest.Options{Logger: logger})

	mux := http.NewServeMux()

	mux.Handle("/hooks/{provider}/{binding}", httpapi.Handler(hooks.Handle, []string{"provider", "binding"}, ingest.MaxBodyBytes))
	mux.Handle("/pay/{doc}", httpapi.Handler(payLinks.Handle, []string{"doc"}, links.MaxBodyBytes))
	mux.Handle("/documents/{doc}", httpapi.Handler(payLinks.Handle, []string{"doc"}, links.MaxBodyBytes))
	mux.Handle("/u/{token}", httpapi.Handler(payLinks.Handle, []string{"token"}, links.MaxBodyBytes))
	// Feedback: a task-done notice's Принять / Есть правки, a report's rating 1–5.
	mux.Handle("/a/{token}", httpapi.Handler(payLinks.Handle, []string{"token"}, links.MaxBodyBytes))
	mux.Handle("/r/{token}", httpapi.Handler(payLinks.Handle, []string{"token"}, links.MaxBodyBytes))
	mux.HandleFunc("GET /fake/bitrix24/rest/1/demo/crm.deal.get.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(demoBitrixDeal)
	})
	// A stand-in of a company's Kaiten API: GET /cards/{id} answers the sample card to the demo's API token, as
	// Kaiten does; and the card's link in a notice (the company address, without /api/latest) names the card.
	mux.HandleFunc("GET "+fakeKaitenAPIPath+"/cards/{card}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get("Authorization") != "Bearer "+demoKaitenAPIToken:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"Invalid token"}`))
		case r.PathValue("card") != demoKaitenCardID:
			w.WriteHeader(http.StatusNotFound)
		default:
			_, _ = w.Write(demoKaitenCard)
		}
	})
	mux.HandleFunc("GET /fake/kaiten/{card}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Kaiten stand-in of glassbox dev: card %s would open here.\n", r.PathValue("card"))
	})
	serveFakeClickUp(mux)
	mux.HandleFunc("GET "+demoAsanaAPIPath+"/tasks/{gid}", serveDemoAsanaTask)
	// GitHub's GraphQL API, as the demo binding's api_url names it: every node is the demo issue.
	mux.HandleFunc("POST /fake/github/graphql", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(demoGitHubNode)
	})
	mux.Handle("POST /fake/telegram/{bot}/sendMessage", botAPI)
	d := &devServer{store: store, mux: mux, links: docLinks, proc: proc, logger: logger}
	d.remind = func(now time.Time) *remind.Reminder {
		return remind.New(store, pipeline.Senders(mailer, nil), docLinks, fixedClock{now}, 0, logger)
	}
	// A reminder pass as if it were the given time (RFC 3339, default now): reminders come days after a due
	// date, so a demo needs to move the clock.
	d.reports = func(now time.Time) *schedule.Dispatcher {
		return pipeline.Reports(pipeline.ReportDeps{Store: store, Reads: store, Mailer: mailer, Secrets: store,
			Unsubscribe: docLinks.UnsubscribeURL, Rating: docLinks.RatingURL, TelegramAPI: devTelegramAPI, TelegramHTTP: inProcessClient(botAPI), Clock: fixedClock{now},
			Options: schedule.Options{Rate: devReportRate, Logger: logger},
			// Each report seals its project first, as on AWS, by the real clock: a tick as of a coming Friday
			// must not close the timeline's window in the future.
			Timeline: store, SealClock: glassbox.SystemClock{}})
	}
	d.serveDashboards(dashboard.NewHandler(store, docLinks, &linksign.KeyedSigner{Keys: store, Param: demoLinkKeyParam}, clock, logger))
	mux.HandleFunc("POST /dev/tick", d.serveTick)
	mux.HandleFunc("POST /dev/history", d.serveDemoHistory)
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
	// A bounce as SES would report it, through the same handler as BounceFunction: the address is suppressed,
	// the message marked bounced, the manager told (in the outbox).
	bounces := bounce.New(store, mailer, clock, logger)
	mux.HandleFunc("POST /dev/bounce", func(w http.ResponseWriter, r *http.Request) {
		res, err := simulateBounce(r, outboxDir, bounces)
		proc.ForgetDeliveryNotes()
		switch {
		case errors.Is(err, fs.ErrNotExist):
			http.Error(w, err.Error(), http.StatusNotFound)
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
		case r.FormValue("back") != "":
			http.Redirect(w, r, "/outbox", http.StatusSeeOther)
		default:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(res)
		}
	})
	outboxPages := outbox.Handler(outboxDir, outbox.WithBounceButton("/dev/bounce"))
	mux.Handle("/outbox", outboxPages)
	mux.Handle("/outbox/", outboxPages)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		cfg, err := store.Config(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		page := indexView{Config: cfg}
		if u, err := d.dashboardURL(r.Context(), demoDashboardProject); err == nil {
			page.Dashboard = u
		}
		if p, at, ok := nextDigest(cfg, clock.Now()); ok {
			page.NextDigest = indexDigest{Project: p.Name, At: at.Format(time.RFC3339),
				Local: at.In(cfg.ProjectZone(p)).Format("Monday 2 January 15:04 MST")}
		}
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

// setBaseURL tells the server where it is reachable, for the links in emails and the fake provider APIs.
func (d *devServer) setBaseURL(ctx context.Context, base string) error {
	d.links.PublicBaseURL = base
	if err := d.store.PutSecret(ctx, demoBitrixAPIParam, base+"/fake/bitrix24/rest/1/demo/"); err != nil {
		return err
	}
	return d.pointFakeAPIs(ctx, base)
}

// pointFakeAPIs points bindings whose api_url is one of this server's stand-ins (a loopback address, path
// /fake/...) at the address the server listens on now, which --addr and tests choose.
func (d *devServer) pointFakeAPIs(ctx context.Context, base string) error {
	cfg, err := d.store.Config(ctx)
	if errors.Is(err, glassbox.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	changed := false
	for i, b := range cfg.Bindings {
		u, err := url.Parse(b.APIURL)
		if err != nil || !strings.HasPrefix(u.Path, "/fake/") || !isLoopback(u.Hostname()) {
			continue
		}
		if to := base + u.Path; to != b.APIURL {
			cfg.Bindings[i].APIURL, changed = to, true
		}
	}
	if !changed {
		return nil
	}
	return d.store.PutConfig(ctx, cfg)
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// demoKaitenCardID is the card of the Kaiten samples in events/, which the stand-in Kaiten API knows.
const demoKaitenCardID = "18734512"

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
	case res.Found > 0 || res.FeedbackNotices > 0:
		d.logger.Info("sweep finished unprocessed events", "found", res.Found, "finished", res.Finished,
			"failed", res.Failed, "issued", res.Issued, "sent", res.Sent, "feedback_notices", res.FeedbackNotices)
	}
	return res
}

// telegramStandIn is the Bot API of local runs (glassbox dev, replay --data): Telegram messages land in the
// outbox beside the emails. The token it accepts is the one the agency's telegram_bot_param names, read per
// request, so an agency applied with another parameter is answered 401, as Telegram would.
func telegramStandIn(cfg interface {
	Config(ctx context.Context) (glassbox.Config, error)
}, secrets billing.Secrets, mailer *outbox.Mailer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := ""
		if c, err := cfg.Config(r.Context()); err == nil && c.Agency.TelegramBotParam != "" {
			token, _ = secrets.Secret(r.Context(), c.Agency.TelegramBotParam)
		}
		(&telegram.StandIn{Token: token, Post: mailer.PostTelegram}).ServeHTTP(w, r)
	})
}

// simulateBounce reports the email in the outbox named by the form's file (its message id in glassbox dev) as
// SES would: bounced permanently at every recipient, or, with type=complaint, marked as spam.
func simulateBounce(r *http.Request, outboxDir string, h *bounce.Handler) (bounce.Result, error) {
	file := r.FormValue("file")
	if file == "" {
		return bounce.Result{}, errors.New("give file=NAME, an email of the outbox (its name ends in .eml)")
	}
	m, err := outbox.Read(outboxDir, file)
	if err != nil {
		return bounce.Result{}, err
	}
	var to []string
	for _, a := range m.To {
		if addr, err := mail.ParseAddress(a); err == nil {
			to = append(to, addr.Address)
		}
	}
	return h.Handle(r.Context(), bounce.Simulated(file, to, r.FormValue("type") == "complaint", time.Now()))
}

// inProcessClient reaches a handler in the same process, so the dev server's own senders work before it
// knows its address.
func inProcessClient(h http.Handler) *http.Client {
	return &http.Client{Transport: inProcess{h}, Timeout: 10 * time.Second}
}

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func (d *devServer) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.mux.ServeHTTP(w, r) }

func (d *devServer) Close() error { return d.store.Close() }

// seedDemo loads the demo agency into an empty store, so a newcomer's first `make dev` has something to show.
func seedDemo(ctx context.Context, store *localstore.Store, logger *slog.Logger) error {
	cfg, err := agencyfile.Parse(demoAgency, providers.Catalog())
	if err != nil {
		return fmt.Errorf("demo agency: %w", err)
	}
	stored, err := store.Config(ctx)
	switch {
	case err == nil && !olderDemo(stored, cfg):
		return nil
	case err != nil && !errors.Is(err, glassbox.ErrNotFound):
		return err
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
	Documents  []indexDocument
	NextDigest indexDigest
	// Dashboard is the demo project's dashboard link (dev_dashboard.go); empty for an agency without it.
	Dashboard string
}

// indexDigest is the next weekly digest the index page offers to send now.
type indexDigest struct{ Project, At, Local string }

type indexDocument struct {
	glassbox.Document
	URL, Total string
}

// olderDemo says a data folder holds the demo agency of an earlier release, which some samples of make demo would
// not find: every binding it has is one of the current demo's, and the current demo has more (a release added a
// CRM or a tracker), or a Telegram bot it lacks (the done notice's Telegram copy would not show). It is replaced
// by the current demo (events and messages stay); an agency applied by hand is left alone.
func olderDemo(stored, demo glassbox.Config) bool {
	if stored.Agency.Name != demo.Agency.Name || len(stored.Bindings) == 0 || len(stored.Bindings) > len(demo.Bindings) {
		return false
	}
	for _, b := range stored.Bindings {
		if _, ok := demo.Binding(b.Provider, b.ID); !ok {
			return false
		}
	}
	noBot := stored.Agency.TelegramBotParam == "" && demo.Agency.TelegramBotParam != ""
	return len(stored.Bindings) < len(demo.Bindings) || noBot
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Glassbox dev</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:760px;margin:2rem auto;color:#1f2933}code{background:#f2f4f7;padding:1px 4px;border-radius:3px}td,th{text-align:left;padding:4px 10px 4px 0}</style>
</head><body>
<h1>Glassbox dev</h1>
<p>Agency: <b>{{.Agency.Name}}</b> · <a href="/outbox">Outbox</a></p>
{{if .Dashboard}}<p>The client's dashboard of the demo project: <a href="{{.Dashboard}}">{{.Dashboard}}</a></p>{{end}}
<h2>Webhook bindings</h2>
<table><tr><th>hook</th><th>project</th><th>secret parameter</th></tr>
{{range .Bindings}}<tr><td><code>POST /hooks/{{.Provider}}/{{.ID}}</code></td><td>{{if .ProjectID}}{{.ProjectID}}{{else}}{{range $i, $d := .Deals}}{{if $i}}, {{end}}deal {{$d.DealID}} → {{$d.ProjectID}}{{end}}{{end}}</td><td><code>{{.SecretParam}}</code></td></tr>{{end}}
</table>
<h2>Issued documents</h2>
{{if .Documents}}<table><tr><th>document</th><th>project</th><th>stage</th><th>total</th><th>state</th></tr>
{{range .Documents}}<tr><td><a href="{{.URL}}">{{.Kind}} {{.Number}}</a></td><td>{{.ProjectID}}</td><td>{{.StageName}}</td><td>{{.Total}}</td><td>{{.State}}</td></tr>{{end}}
</table>{{else}}<p>None yet: a CRM sample from <code>make demo</code> closes a stage and issues an act and an invoice.</p>{{end}}
<h2>Reports</h2>
<p>Weekly digests and monthly reports go by themselves at their time in each project's zone (checked every minute here, every 15 on AWS).</p>
<form method="post" action="/dev/tick"><input type="hidden" name="back" value="1">
<button>Send the reports due now</button></form>
{{with .NextDigest}}{{if .At}}<form method="post" action="/dev/tick"><input type="hidden" name="back" value="1"><input type="hidden" name="at" value="{{.At}}">
<p><button>Send the coming digest now</button> as if it were {{.Local}}: {{.Project}}'s digest of the week under way, with everything received so far.</p></form>{{end}}{{end}}
<p>Run <code>make demo</code> to post the signed samples from <code>events/</code>, then open the <a href="/outbox">outbox</a>.</p>
</body></html>`))

// serveDemoAsanaTask answers GET /tasks/{gid} as Asana's API does, for the demo's tasks and token.
func serveDemoAsanaTask(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	if r.Header.Get("Authorization") != "Bearer "+demoAsanaToken {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"errors":[{"message":"Not Authorized"}]}`))
		return
	}
	task, ok := demoAsanaTasks[r.PathValue("gid")]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"errors":[{"message":"task: Unknown object: ` + template.JSEscapeString(r.PathValue("gid")) + `"}]}`))
		return
	}
	_, _ = w.Write(task)
}

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
