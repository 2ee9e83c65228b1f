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
	"github.com/glassbox-oss/glassbox/shared/asana"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/kaiten"
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
	if len(args) > 0 && (args[0] == "digest" || args[0] == "monthly") {
		return runPreviewReport(ctx, args[0], args[1:], stdout, stderr)
	}
	fs := newFlags("preview [-f agency.yaml] --event events/ingest-amocrm-stage-closed.json [--project ID] [-o DIR]",
		"Runs the real pipeline (parse, decide, number, render, word) for one sample webhook on a scratch store and\n"+
			"writes what each channel would send into a folder, sending nothing: the PDFs, the emails (.eml, and their\n"+
			"HTML part as .html to open in a browser) and the Telegram messages (.telegram.txt, in Telegram's HTML).\n"+
			"The agency file's message templates apply. --project previews the sample as an event of that project\n"+
			"(the sample's binding is pointed at it; a binding the agency file lacks comes from the demo agency).\n"+
			"Signatures, tokens and passwords are NOT checked, so any sample works with any agency file: a delivery\n"+
			"preview shows may still be refused.")
	file := fs.String("f", "", "agency file (default: the demo agency)")
	event := fs.String("event", "", "an API Gateway request from events/, e.g. events/ingest-amocrm-stage-closed.json")
	out := fs.String("o", "preview", "folder for the PDFs, .eml, .html and .telegram.txt files")
	project := fs.String("project", "", "preview the sample as an event of this project (a projects[].id)")
	bitrixDeal := fs.String("bitrix-deal", "events/bitrix24-crm-deal-get-response.json", "what Bitrix24's crm.deal.get answers, for Bitrix24 events")
	kaitenCard := fs.String("kaiten-card", "events/kaiten-card-get-response.json", "what Kaiten's GET /cards/{id} answers, for Kaiten events")
	asanaTask := fs.String("asana-task", "events/asana-task-get-response.json", "what Asana's GET /tasks/{gid} answers, for Asana events (the task's gid must be the event's)")
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
	if *project != "" {
		if b, ok, err = bindForPreview(&cfg, provider, bindingID, *project); err != nil {
			return err
		}
	}
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
	// Stand-ins of the providers' APIs, so a preview reads back without calling out: Bitrix24's crm.deal.get
	// through the api_param URL; GitHub's GraphQL, Kaiten's GET /cards/{id} and Asana's GET /tasks/{gid} through
	// the bindings' api_url, pointed here.
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/fake/github/graphql":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(demoGitHubNode)
			return
		case strings.Contains(r.URL.Path, "/cards/"):
			http.ServeFile(w, r, *kaitenCard)
			return
		case strings.Contains(r.URL.Path, "/tasks/"):
			http.ServeFile(w, r, *asanaTask)
			return
		}
		http.ServeFile(w, r, *bitrixDeal)
	}))
	defer fake.Close()
	cfg.Bindings = append([]glassbox.Binding(nil), cfg.Bindings...)
	for i, cb := range cfg.Bindings {
		switch {
		case cb.Provider == kaiten.Name:
			cfg.Bindings[i].APIURL = fake.URL + "/api/latest"
		case cb.Provider == asana.Name:
			cfg.Bindings[i].APIURL = fake.URL
		case cb.Provider == b.Provider && cb.ID == b.ID:
			cfg.Bindings[i].APIURL = fake.URL + "/fake/" + b.Provider
		}
	}
	if err := store.PutConfig(ctx, cfg); err != nil {
		return err
	}
	// Telegram copies go to a Bot API stand-in that keeps them beside the emails, as in glassbox dev.
	for name, value := range map[string]string{"preview-link-key": "preview-link-key-0123456789abcdef0123456789", b.APIParam: fake.URL + "/rest/",
		cfg.Agency.TelegramBotParam: "preview-bot-token"} {
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
	mailer := outbox.New(*out)
	deps := pipeline.Deps{
		Store: store, Mailer: mailer, Secrets: store,
		TelegramAPI: devTelegramAPI, TelegramHTTP: inProcessClient(telegramStandIn(store, store, mailer)),
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
		if m.HTML == "" {
			continue
		}
		page := filepath.Join(*out, strings.TrimSuffix(m.File, ".eml")+".html")
		if err := os.WriteFile(page, []byte(m.HTML), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s  (its HTML part)\n", page)
	}
	chats, err := outbox.ListTelegram(*out)
	if err != nil {
		return err
	}
	for _, m := range chats {
		fmt.Fprintf(stdout, "%s  to Telegram chat %s:\n", filepath.Join(*out, m.File), m.Chat)
		// The text as Telegram gets it (its HTML subset), indented under the file it is kept in.
		for _, line := range strings.Split(m.Text, "\n") {
			fmt.Fprintf(stdout, "    %s\n", line)
		}
	}
	if n == 0 && len(mail) == 0 && len(chats) == 0 {
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

// bindForPreview points the sample's binding at a project, so that the sample previews as that project's event
// (its locale, its contacts and chats, its templates). A binding the agency file lacks is taken from the demo
// agency, whose bindings fit the samples in events/.
func bindForPreview(cfg *glassbox.Config, provider, bindingID, project string) (glassbox.Binding, bool, error) {
	if _, ok := cfg.Project(project); !ok {
		return glassbox.Binding{}, false, fmt.Errorf("preview: the agency file has no project %q", project)
	}
	b, ok := cfg.Binding(provider, bindingID)
	if !ok {
		demo, err := agencyfile.Parse(demoAgency, providers.Catalog())
		if err != nil {
			return glassbox.Binding{}, false, err
		}
		if b, ok = demo.Binding(provider, bindingID); !ok {
			return glassbox.Binding{}, false, fmt.Errorf("preview: neither the agency file nor the demo agency has a %s binding %q", provider, bindingID)
		}
		cfg.Bindings = append(cfg.Bindings, b)
	}
	b.ProjectID = project
	routes := make([]glassbox.DealRoute, len(b.Deals))
	for i, d := range b.Deals {
		d.ProjectID = project
		routes[i] = d
	}
	b.Deals = routes
	for i, x := range cfg.Bindings {
		if x.Provider == provider && x.ID == bindingID {
			cfg.Bindings[i] = b
		}
	}
	return b, true, nil
}
