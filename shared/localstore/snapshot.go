package localstore

import (
	"context"
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// bucketDashboardSnapshots holds each project's dashboard snapshot by project id.
var bucketDashboardSnapshots = []byte("dashboard_snapshots")

// PutDashboardSnapshot replaces a project's snapshot, unless the stored one was made later.
func (s *Store) PutDashboardSnapshot(ctx context.Context, snap glassbox.DashboardSnapshot) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	snap.At = snap.At.UTC()
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDashboardSnapshots)
		var stored glassbox.DashboardSnapshot
		if err := get(b, []byte(snap.ProjectID), &stored, "dashboard snapshot of "+snap.ProjectID); err == nil && stored.At.After(snap.At) {
			return nil
		}
		return put(b, []byte(snap.ProjectID), snap, "dashboard snapshot of "+snap.ProjectID)
	})
}

// DashboardSnapshot reads a project's snapshot; ErrNotFound when there is none.
func (s *Store) DashboardSnapshot(ctx context.Context, projectID string) (glassbox.DashboardSnapshot, error) {
	if err := ctx.Err(); err != nil {
		return glassbox.DashboardSnapshot{}, err
	}
	var snap glassbox.DashboardSnapshot
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketDashboardSnapshots), []byte(projectID), &snap, "dashboard snapshot of "+projectID)
	})
	return snap, err
}

// DashboardReads reads a view with the store's own windowed reads (an embedded file has no queries to save).
func (s *Store) DashboardReads(ctx context.Context, projectID string, eventsFrom, messagesFrom, to time.Time) (glassbox.DashboardReads, error) {
	var r glassbox.DashboardReads
	var err error
	if r.Events, err = s.EventsBetween(ctx, projectID, eventsFrom, to); err != nil {
		return r, err
	}
	if r.Feedback, err = s.FeedbackBetween(ctx, projectID, time.Time{}, to); err != nil {
		return r, err
	}
	if r.Messages, err = s.MessagesBetween(ctx, projectID, messagesFrom, to); err != nil {
		return r, err
	}
	if r.OpenTasks, err = s.OpenTasks(ctx, projectID); err != nil {
		return r, err
	}
	if r.Documents, err = s.DocumentsBetween(ctx, projectID, time.Time{}, to); err != nil {
		return r, err
	}
	if r.Snapshot, err = s.DashboardSnapshot(ctx, projectID); errors.Is(err, glassbox.ErrNotFound) {
		err = nil
	}
	return r, err
}
