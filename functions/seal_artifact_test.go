package functions_test

import (
	"context"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// TestFunctionsUnderHarnessSeal: the built SealFunction, under its template environment on DynamoDB Local,
// seals the demo project's events received an hour ago into a chain that verifies; the next run finds nothing
// new and writes nothing.
func TestFunctionsUnderHarnessSeal(t *testing.T) {
	e := newEnv(t)
	bins := hostBuilds(t, "SealFunction")
	ctx := context.Background()
	store := e.store()
	project := demoClientProject(t, e.cfg)
	at := time.Now().UTC().Add(-time.Hour)
	for _, id := range []string{"seal-a", "seal-b"} {
		if err := store.AppendEvent(ctx, glassbox.Event{ID: "trello:" + id, ProjectID: project, Provider: "trello",
			ProviderEventID: id, Kind: glassbox.EventTaskMoved, Title: id, OccurredAt: at, ReceivedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	h, p := e.run(t, "SealFunction", bins["SealFunction"])
	if body := invoke(t, h, []byte(`{}`)); string(body) != "null" {
		t.Fatalf("SealFunction answered %s", body)
	}
	logColdStart(t, "SealFunction", "", p)
	seals, err := store.Seals(ctx, project)
	if err != nil || len(seals) != 1 || len(seals[0].Entries) < 2 {
		t.Fatalf("seals after a run: %+v, %v", seals, err)
	}
	rep, err := timeline.Verify(ctx, store, project, seals[0].Hash)
	if err != nil || !rep.OK() || !rep.CheckpointOK() {
		t.Errorf("Verify: %+v, %v", rep, err)
	}
	invoke(t, h, []byte(`{}`))
	if again, _ := store.Seals(ctx, project); len(again) != 1 {
		t.Errorf("%d seals after a run with nothing new, want 1", len(again))
	}
}
