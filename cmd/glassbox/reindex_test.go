package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
)

// A store from before reports has open tasks outside the open-task index, so the digests would not list them;
// glassbox reports reindex writes them again and they are listed, while done tasks stay out.
func TestReportsReindexListsTasksStoredBeforeReports(t *testing.T) {
	data := t.TempDir()
	path := filepath.Join(data, "glassbox.db")
	s, err := localstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	cfg := glassbox.Config{Agency: glassbox.Agency{Name: "Studio"}, Projects: []glassbox.Project{{ID: "site"}}}
	if err := s.PutConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for _, tk := range []glassbox.Task{
		{ProjectID: "site", Provider: "trello", TaskID: "open", Title: "Open", Status: glassbox.StatusInProgress, CreatedAt: at, LastEventAt: at, Version: 1},
		{ProjectID: "site", Provider: "trello", TaskID: "done", Title: "Done", Status: glassbox.StatusDone, CreatedAt: at, LastEventAt: at, Version: 1},
	} {
		if err := s.PutTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// What a store written before the open-task index looks like: the tasks, and no index entries.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("open_tasks")); err != nil {
			return err
		}
		_, err := tx.CreateBucket([]byte("open_tasks"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	openTasks := func() []string {
		s, err := localstore.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ts, err := s.OpenTasks(ctx, "site")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tk := range ts {
			ids = append(ids, tk.TaskID)
		}
		return ids
	}
	if ids := openTasks(); len(ids) != 0 {
		t.Fatalf("the old store lists open tasks %v: the test does not model it", ids)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"reports", "reindex", "--data", data}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "written again: 1") {
		t.Fatalf("reports reindex: %v\n%s", err, out.String())
	}
	if ids := openTasks(); len(ids) != 1 || ids[0] != "open" {
		t.Errorf("open tasks after reindex: %v, want [open]", ids)
	}
}
