package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

type verifyClock time.Time

func (c verifyClock) Now() time.Time { return time.Time(c) }

// TestVerifyCommand: glassbox verify on a sealed local store says VERIFIED, checks a checkpoint and writes the
// export; after one event's title is changed in the bbolt file it names the event and exits non-zero.
func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	s, err := openLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for _, id := range []string{"a", "b"} {
		if err := s.AppendEvent(t.Context(), glassbox.Event{ID: "trello:" + id, ProjectID: "p", Title: id, OccurredAt: t0, ReceivedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	made, err := (timeline.Sealer{Store: s, Clock: verifyClock(t0.Add(time.Hour))}).Seal(t.Context(), "p")
	if err != nil || len(made) != 1 {
		t.Fatal(made, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	export := filepath.Join(dir, "export.json")
	var out bytes.Buffer
	err = run(t.Context(), []string{"verify", "--project", "p", "--checkpoint", made[0].Hash, "--export", export, "--data", dir}, &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "VERIFIED") || !strings.Contains(out.String(), "is seal 1: the history up to it is unchanged") {
		t.Fatalf("verify: %v\n%s", err, out.String())
	}
	var x timeline.Export
	if raw, err := os.ReadFile(export); err != nil || json.Unmarshal(raw, &x) != nil || x.Head != made[0].Hash || len(x.Entries) != 2 {
		t.Errorf("export: %v, %+v", err, x)
	}

	db, err := bolt.Open(filepath.Join(dir, "glassbox.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("events"))
		return b.Put([]byte("trello:b"), bytes.Replace(b.Get([]byte("trello:b")), []byte(`"title":"b"`), []byte(`"title":"B"`), 1))
	})
	if err != nil || db.Close() != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(t.Context(), []string{"verify", "--project", "p", "--checkpoint", made[0].Hash, "--data", dir}, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "NOT VERIFIED: seal 1: event:trello:b: changed since it was sealed") ||
		!strings.Contains(out.String(), "but the history up to it changed") {
		t.Errorf("verify after tampering: %v\n%s", err, out.String())
	}
}
