package main

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/github"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// trackerStory is what make demo sends one tracker, and what each delivery is answered.
type trackerStory struct {
	name  string
	steps []trackerStep
	// title is the demo task's, as the client's done notice names it.
	title string
}

type trackerStep struct {
	sample string
	status int
	answer string // a fragment of the JSON answer: "accepted", "duplicate", "ignored"
}

var trackerStories = []trackerStory{
	{"github", []trackerStep{
		{"ingest-github-ping.json", http.StatusOK, `"ignored"`},
		{"ingest-github-created.json", http.StatusOK, `"accepted"`},
		{"ingest-github-done.json", http.StatusOK, `"accepted"`},
		{"ingest-github-done.json", http.StatusOK, `"duplicate"`},
		// The board's workflow moves the closed issue to Done: stored, read back, and nothing more is sent.
		{"ingest-github-board-done.json", http.StatusOK, `"accepted"`},
		{"ingest-github-comment-ignored.json", http.StatusOK, `"ignored"`},
		{"ingest-github-forged.json", http.StatusUnauthorized, `"error"`},
	}, "Форма обратной связи"},
	{"linear", []trackerStep{
		{"ingest-linear-created.json", http.StatusOK, `"accepted"`},
		{"ingest-linear-done.json", http.StatusOK, `"accepted"`},
		{"ingest-linear-done.json", http.StatusOK, `"duplicate"`},
		{"ingest-linear-comment-ignored.json", http.StatusOK, `"ignored"`},
		{"ingest-linear-forged.json", http.StatusUnauthorized, `"error"`},
	}, "Страница «О компании»"},
	{"hook", []trackerStep{
		{"ingest-hook-created.json", http.StatusOK, `"accepted"`},
		{"ingest-hook-done.json", http.StatusOK, `"accepted"`},
		{"ingest-hook-done.json", http.StatusOK, `"duplicate"`},
		{"ingest-hook-other-project-ignored.json", http.StatusOK, `"ignored"`},
		{"ingest-hook-forged.json", http.StatusUnauthorized, `"error"`},
	}, "Баннер для соцсетей"},
}

// TestTrackerDemoTellsTheClientOnce: each tracker's demo story ends in one done notice to the client of the
// demo tracker project, however often and by however many hooks the move is delivered.
func TestTrackerDemoTellsTheClientOnce(t *testing.T) {
	for _, story := range trackerStories {
		t.Run(story.name, func(t *testing.T) {
			h := newDevHarness(t)
			for i, s := range story.steps {
				req := mustLoad(t, s.sample)
				resign(&req, time.Now()) // as make demo does: some providers sign the time they send
				status, body := h.send(req)
				if status != s.status || !strings.Contains(body, s.answer) {
					t.Fatalf("step %d, %s: %d %s; want %d %s", i, s.sample, status, body, s.status, s.answer)
				}
			}
			mail := h.mail()
			if len(mail) != 1 {
				t.Fatalf("got %d emails, want 1: %+v", len(mail), mail)
			}
			m := mail[0]
			if got, want := strings.Join(m.To, ","), "Анна Смирнова <anna@romashka.example>"; got != want {
				t.Errorf("To = %q, want %q", got, want)
			}
			if got, want := m.Subject, "Готово: «"+story.title+"» — Новый сайт"; got != want {
				t.Errorf("Subject = %q, want %q", got, want)
			}
		})
	}
}

// TestGitHubBoardMoveReadsTheIssueBack: a board's Status change names the issue by node id only; React reads its
// title and link through GitHub's GraphQL API (glassbox dev's stand-in at the binding's api_url, which follows
// the address the server listens on) before the client is told.
func TestGitHubBoardMoveReadsTheIssueBack(t *testing.T) {
	if sample, err := os.ReadFile("../../events/github-graphql-node-response.json"); err != nil || string(sample) != string(demoGitHubNode) {
		t.Fatalf("events/github-graphql-node-response.json differs from demo/'s copy, which glassbox dev serves (%v)", err)
	}
	h := newDevHarness(t)
	if status, body := h.sendSample("ingest-github-board-done.json"); status != http.StatusOK || !strings.Contains(body, `"accepted"`) {
		t.Fatalf("%d %s", status, body)
	}
	mail := h.mail()
	if len(mail) != 1 {
		t.Fatalf("got %d emails, want 1", len(mail))
	}
	if m := mail[0]; m.Subject != "Готово: «Форма обратной связи» — Новый сайт" || !strings.Contains(m.Text, "https://github.com/acme/site/issues/42") {
		t.Fatalf("notice without the issue read back: %q\n%s", m.Subject, m.Text)
	}
}

// TestLinearRetriesAndReplays: a Linear delivery sent again an hour later (a retry, or a replay under another
// Linear-Delivery) is the same event, stored once and told once; one stamped longer ago than Linear retries is
// refused and stores nothing.
func TestLinearRetriesAndReplays(t *testing.T) {
	h := newDevHarness(t)
	first := mustLoad(t, "ingest-linear-done.json")
	resign(&first, time.Now())
	if status, body := h.send(first); status != http.StatusOK || !strings.Contains(body, `"accepted"`) {
		t.Fatalf("first delivery: %d %s", status, body)
	}
	retry := first
	retry.Headers = cloneHeaders(first.Headers)
	retry.Headers["linear-delivery"] = "8f0c2a3e-4d5b-4c6a-9e7f-1a2b3c4d0099"
	if status, body := h.send(retry); status != http.StatusOK || !strings.Contains(body, `"duplicate"`) {
		t.Fatalf("the same delivery again under another Linear-Delivery: %d %s, want duplicate", status, body)
	}
	old := mustLoad(t, "ingest-linear-created.json")
	resign(&old, time.Now().Add(-9*time.Hour))
	if status, body := h.send(old); status != http.StatusUnauthorized || !strings.Contains(body, "webhookTimestamp") {
		t.Fatalf("a delivery stamped 9 h ago: %d %s, want 401 naming webhookTimestamp", status, body)
	}
	if n := len(h.mail()); n != 1 {
		t.Fatalf("%d emails, want the one done notice", n)
	}
}

// TestGenericHookReadmeExampleWorks runs the README's curl + openssl example, as written, against glassbox dev:
// the signature it computes verifies, the report is stored once, and the client is told once.
func TestGenericHookReadmeExampleWorks(t *testing.T) {
	for _, tool := range []string{"bash", "openssl", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the README example needs %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- generic-hook-example -->\n```sh\n")
	script, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("README.md has no generic hook example block after <!-- generic-hook-example -->")
	}
	h := newDevHarness(t)
	run := func() string {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Env = append(os.Environ(), "HOOK_URL="+h.srv.URL+"/hooks/hook/demo-hook", "SECRET="+demoSecrets["/glassbox/hook/demo-hook"])
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the README example failed: %v\n%s", err, out)
		}
		return string(out)
	}
	if out := run(); !strings.Contains(out, `"accepted"`) {
		t.Fatalf("first run answered %s, want accepted", out)
	}
	if out := run(); !strings.Contains(out, `"duplicate"`) {
		t.Fatalf("second run answered %s, want duplicate", out)
	}
	mail := h.mail()
	if len(mail) != 1 || mail[0].Subject != "Готово: «Баннер для соцсетей» — Новый сайт" {
		t.Fatalf("got %d emails %+v, want the done notice once", len(mail), mail)
	}
}

// TestEarlierDemoGainsNewBindings: a data folder holding the demo of a release before a provider was added
// gets the current demo on start, so make demo's new samples do not get 404; an agency of one's own is kept.
func TestEarlierDemoGainsNewBindings(t *testing.T) {
	demo, err := agencyfile.Parse(demoAgency, providers.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	earlier := demo
	earlier.Bindings = nil
	for _, b := range demo.Bindings {
		if b.Provider != "github" && b.Provider != "linear" && b.Provider != "hook" {
			earlier.Bindings = append(earlier.Bindings, b)
		}
	}
	own := earlier
	own.Bindings = append(own.Bindings[:len(own.Bindings):len(own.Bindings)], glassbox.Binding{ID: "own-board", Provider: "trello"})

	for _, tt := range []struct {
		name   string
		stored glassbox.Config
		want   int
	}{
		{"EarlierDemo", earlier, len(demo.Bindings)},
		{"OwnAgencyKept", own, len(own.Bindings)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			store, err := openLocal(data)
			if err != nil {
				t.Fatal(err)
			}
			if err := store.PutConfig(t.Context(), tt.stored); err != nil {
				t.Fatal(err)
			}
			store.Close()
			dev, err := newDevServer(t.Context(), data, slog.New(slog.NewTextHandler(io.Discard, nil)), devOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer dev.Close()
			cfg, err := dev.store.Config(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Bindings) != tt.want {
				t.Fatalf("%d bindings after start, want %d", len(cfg.Bindings), tt.want)
			}
		})
	}
}

// TestGitHubReopenedTellsTheManager: an issue closed (the client is told) and reopened goes back to the manager
// only, though the reopened delivery does not say the issue was done: React's stored status does.
func TestGitHubReopenedTellsTheManager(t *testing.T) {
	h := newDevHarness(t)
	for _, name := range []string{"ingest-github-created.json", "ingest-github-done.json"} {
		if status, body := h.sendSample(name); status != http.StatusOK {
			t.Fatalf("%s: %d %s", name, status, body)
		}
	}
	body, err := os.ReadFile("../../shared/github/testdata/github-issues-reopened.json")
	if err != nil {
		t.Fatal(err)
	}
	req := mustLoad(t, "ingest-github-done.json")
	req.Headers = cloneHeaders(req.Headers)
	req.Body = string(body)
	req.Headers["x-github-delivery"] = "5b1e4c20-cc78-11e3-8f1a-7a1f0e9b0099"
	req.Headers["x-hub-signature-256"] = github.Sign(demoSecrets["/glassbox/github/demo-github"], body)
	if status, answer := h.send(req); status != http.StatusOK || !strings.Contains(answer, `"accepted"`) {
		t.Fatalf("reopened: %d %s", status, answer)
	}
	mail := h.mail()
	if len(mail) != 2 {
		t.Fatalf("got %d emails, want the client's done notice and the manager's reopened one", len(mail))
	}
	reopened := 0
	for _, m := range mail {
		if strings.Join(m.To, ",") == "Мария Иванова <maria@pixel.example>" && strings.HasPrefix(m.Subject, "Снова в работе") {
			reopened++
		}
	}
	if reopened != 1 {
		t.Fatalf("emails %+v; want one telling the manager it was reopened", mail)
	}
}

// TestPreviewReadsAGitHubBoardMoveBackWithoutCallingOut: preview reads a board item back from its own stand-in of
// GitHub's API, not from the binding's api_url (which pointed at a dev server that was not running).
func TestPreviewReadsAGitHubBoardMoveBackWithoutCallingOut(t *testing.T) {
	var stdout strings.Builder
	err := run(t.Context(), []string{"preview", "--event", "../../events/ingest-github-board-done.json", "-o", t.TempDir()}, &stdout, io.Discard)
	if err != nil || !strings.Contains(stdout.String(), "Готово: «Форма обратной связи» — Новый сайт") {
		t.Fatalf("preview: %v; said:\n%s", err, stdout.String())
	}
}

// TestWholeDemoTellsEachTrackerDoneOnce runs make demo's whole story against glassbox dev: each tracker's done
// notice reaches the client exactly once, among everything else the demo sends.
func TestWholeDemoTellsEachTrackerDoneOnce(t *testing.T) {
	h := newDevHarness(t)
	var out strings.Builder
	if err := run(t.Context(), []string{"demo", "--url", h.srv.URL, "--events", eventsDir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	mail := h.mail()
	for _, story := range trackerStories {
		want := "Готово: «" + story.title + "» — Новый сайт"
		n := 0
		for _, m := range mail {
			if m.Subject == want && strings.Join(m.To, ",") == "Анна Смирнова <anna@romashka.example>" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d done notices to the client, want 1; demo said:\n%s", story.name, n, out.String())
		}
	}
}
