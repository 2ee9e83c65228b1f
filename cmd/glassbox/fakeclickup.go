package main

import (
	_ "embed"
	"net/http"
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
