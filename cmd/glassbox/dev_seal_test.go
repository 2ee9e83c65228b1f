package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// TestDevTickSeals: a tick of glassbox dev seals the demo history (received in the past) before it sends the
// reports, and the timeline verifies; a second tick adds no seal when nothing is new.
func TestDevTickSeals(t *testing.T) {
	h := newDevHarness(t)
	resp, err := h.srv.Client().Post(h.srv.URL+"/dev/history", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /dev/history: %d", resp.StatusCode)
	}
	postTick(t, h, time.Now())
	seals, err := h.dev.store.Seals(t.Context(), demoHistoryProject)
	if err != nil || len(seals) == 0 {
		t.Fatalf("no seal after a tick: %v", err)
	}
	rep, err := timeline.Verify(t.Context(), h.dev.store, demoHistoryProject, seals[len(seals)-1].Hash)
	if err != nil || !rep.OK() || rep.Sealed == 0 {
		t.Errorf("Verify: %+v, %v", rep, err)
	}
	postTick(t, h, time.Now())
	if again, _ := h.dev.store.Seals(t.Context(), demoHistoryProject); len(again) != len(seals) {
		t.Errorf("%d seals after a tick with nothing new, want %d", len(again), len(seals))
	}
}
