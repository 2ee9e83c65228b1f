package localstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// bucketFeedback holds feedback items by id; bucketFeedbackByProject indexes them by project \x00 time \x00 id.
var (
	bucketFeedback          = []byte("feedback")
	bucketFeedbackByProject = []byte("feedback_by_project")
)

// RecordFeedback stores a new feedback item and its index entry in one transaction; ErrDuplicate when its id
// exists.
func (s *Store) RecordFeedback(ctx context.Context, f glassbox.Feedback) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.At = f.At.UTC()
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFeedback)
		if b.Get([]byte(f.ID)) != nil {
			return fmt.Errorf("localstore: feedback %s: %w", f.ID, glassbox.ErrDuplicate)
		}
		if err := put(b, []byte(f.ID), f, "feedback "+f.ID); err != nil {
			return err
		}
		return tx.Bucket(bucketFeedbackByProject).Put(indexKey(f.ProjectID, f.At, f.ID), []byte(f.ID))
	})
}

// FeedbackItem reads one feedback item; ErrNotFound when there is none.
func (s *Store) FeedbackItem(ctx context.Context, id string) (glassbox.Feedback, error) {
	if err := ctx.Err(); err != nil {
		return glassbox.Feedback{}, err
	}
	var f glassbox.Feedback
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketFeedback), []byte(id), &f, "feedback "+id)
	})
	return f, err
}

// FeedbackBetween lists a project's feedback with from <= At < to, oldest first, from the index.
func (s *Store) FeedbackBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Feedback, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []glassbox.Feedback
	lo, hi := indexKey(projectID, from, ""), indexKey(projectID, to, "")
	err := s.db.View(func(tx *bolt.Tx) error {
		items := tx.Bucket(bucketFeedback)
		c := tx.Bucket(bucketFeedbackByProject).Cursor()
		for k, v := c.Seek(lo); k != nil && bytes.Compare(k, hi) < 0; k, v = c.Next() {
			var f glassbox.Feedback
			if err := get(items, v, &f, "feedback "+string(v)); err != nil {
				if errors.Is(err, glassbox.ErrNotFound) {
					continue
				}
				return err
			}
			out = append(out, f)
		}
		return nil
	})
	return out, err
}
