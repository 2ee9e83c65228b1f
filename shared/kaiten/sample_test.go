package kaiten_test

import (
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/kaiten"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// The demo binding of cmd/glassbox/demo/agency.yaml and its secret (cmd/glassbox/dev.go demoSecrets).
const demoSecret = "9c2f6a1e5b8d47f3a0c4e7b1d9f2a6c3e8b5d0f7a2c9e4b1f6d3a8c5e0b7f2a9"

var demoBinding = glassbox.Binding{
	ID: "demo-kaiten", ProjectID: "romashka-site", Provider: "kaiten", ExternalID: "402117",
	SecretParam: "/glassbox/kaiten/demo-kaiten", APIParam: "/glassbox/kaiten/demo-kaiten-api",
	APIURL: "https://pixel.kaiten.example/api/latest",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"2450115"},
		glassbox.StatusInProgress: {"2450117"},
		glassbox.StatusReview:     {"Проверка"},
		glassbox.StatusDone:       {"Готово"},
	},
}

// TestSampleEvents keeps events/ingest-kaiten-*.json as events/README.md describes them: carrying the demo
// binding's token (or, the bad one, not) and parsed to the event the demo counts on.
func TestSampleEvents(t *testing.T) {
	providertest.Samples{
		Provider: kaiten.New(), Binding: demoBinding, Secret: demoSecret,
		ReceivedAt: func(*testing.T, glassbox.Delivery) time.Time { return time.Date(2026, 11, 23, 10, 15, 5, 0, time.UTC) },
		Event: func(t *testing.T, _ glassbox.Delivery, e glassbox.Event) {
			// A comment does not carry the card's title: React reads it back.
			noted := e.Kind == glassbox.EventTaskNoted
			if e.TaskID != "18734512" || e.ProjectID != "romashka-site" || (!noted && !strings.HasPrefix(e.Title, "Тексты")) ||
				(noted && e.Note == "") ||
				e.URL != "https://pixel.kaiten.example/18734512" || e.OccurredAt.Year() != 2026 {
				t.Fatalf("event %s", dump(e))
			}
		},
	}.Run(t, []providertest.Sample{
		// The move to «Готово» (done by Kaiten's state; the map names it by title, which read-back learns).
		{File: "ingest-kaiten-done.json", Kind: glassbox.EventTaskMoved, Status: glassbox.StatusDone},
		{File: "ingest-kaiten-created.json", Kind: glassbox.EventTaskCreated, Status: glassbox.StatusTodo},
		{File: "ingest-kaiten-comment-ignored.json", Ignored: true},
		{File: "ingest-kaiten-reason.json", Kind: glassbox.EventTaskNoted},
		{File: "ingest-kaiten-bad-token.json", Forged: true},
	})
}
