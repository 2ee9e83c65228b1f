package main

import (
	"context"
	_ "embed"
	"net/http"
	"net/url"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/localstore"
)

//go:embed demo/clickup-task-get-response.json
var demoClickUpTask []byte

const (
	// demoClickUpTaskID is the task of the ClickUp samples in events/ and of demoClickUpTask.
	demoClickUpTaskID = "86c1dm7ab"
	// demoClickUpAPIParam holds the demo binding's ClickUp API token, which the fake API checks.
	demoClickUpAPIParam = "/glassbox/clickup/demo-clickup-api"
)

// serveFakeClickUp serves a stand-in of ClickUp's GET /api/v2/task/{id} under /fake/clickup/, which the demo
// ClickUp binding reads its tasks back from: the sample task for the demo token, ClickUp's error answers
// otherwise.
func serveFakeClickUp(mux *http.ServeMux) {
	mux.HandleFunc("GET /fake/clickup/api/v2/task/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get("Authorization") != demoSecrets[demoClickUpAPIParam]:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"err":"Token invalid","ECODE":"OAUTH_025"}`))
		case r.PathValue("id") != demoClickUpTaskID:
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"err":"Task not found, deleted","ECODE":"ITEM_013"}`))
		default:
			_, _ = w.Write(demoClickUpTask)
		}
	})
}

// pointFakeAPIsAt points the bindings whose api_url is one of glassbox dev's stand-ins (a path under /fake/)
// at this server, base: the demo agency names the default address, and the server may listen elsewhere.
func pointFakeAPIsAt(ctx context.Context, store *localstore.Store, base string) error {
	cfg, err := store.Config(ctx)
	if err != nil {
		return err
	}
	changed := false
	for i, b := range cfg.Bindings {
		u, err := url.Parse(b.APIURL)
		if b.APIURL == "" || err != nil || !strings.HasPrefix(u.Path, "/fake/") {
			continue
		}
		if moved := strings.TrimRight(base, "/") + u.Path; moved != b.APIURL {
			cfg.Bindings[i].APIURL, changed = moved, true
		}
	}
	if !changed {
		return nil
	}
	return store.PutConfig(ctx, cfg)
}
