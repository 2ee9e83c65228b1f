package localstore

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

var (
	// bucketMetrics holds daily figures by project \x00 date \x00 source, so a re-sent day replaces.
	bucketMetrics = []byte("metrics")
	// bucketOpenTasks indexes open tasks: task key → task key.
	bucketOpenTasks = []byte("open_tasks")
	// bucketUnsubscribed holds unsubscriptions by project \x00 recipient.
	bucketUnsubscribed = []byte("unsubscribed")
)

func metricKey(projectID, date, source string) []byte {
	return []byte(projectID + "\x00" + date + "\x00" + source)
}

// PutMetrics stores figures; one for a project, day and source stored before is replaced.
func (s *Store) PutMetrics(ctx context.Context, ms []glassbox.Metric) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMetrics)
		for _, m := range ms {
			m.UpdatedAt = m.UpdatedAt.UTC()
			if err := put(b, metricKey(m.ProjectID, m.Date, m.Source), m, "metric "+m.Date+" "+m.Source); err != nil {
				return err
			}
		}
		return nil
	})
}

// MetricsBetween lists a project's figures with from <= Date < to, by date, then source.
func (s *Store) MetricsBetween(ctx context.Context, projectID, from, to string) ([]glassbox.Metric, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []glassbox.Metric
	start, end := []byte(projectID+"\x00"+from), []byte(projectID+"\x00"+to)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketMetrics).Cursor()
		for k, v := c.Seek(start); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
			var m glassbox.Metric
			if err := decode(v, &m); err != nil {
				return fmt.Errorf("localstore: decode metric %q: %w", k, err)
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// indexOpenTask keeps a task in the open-task index while it is open.
func indexOpenTask(tx *bolt.Tx, t glassbox.Task) error {
	b := tx.Bucket(bucketOpenTasks)
	k := taskKey(t.ProjectID, t.Provider, t.TaskID)
	if t.Open() {
		return b.Put(k, k)
	}
	return b.Delete(k)
}

// OpenTasks lists a project's open tasks, ordered by provider and task id; it reads only those.
func (s *Store) OpenTasks(ctx context.Context, projectID string) ([]glassbox.Task, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []glassbox.Task
	prefix := []byte(projectID + "\x00")
	err := s.db.View(func(tx *bolt.Tx) error {
		tasks := tx.Bucket(bucketTasks)
		c := tx.Bucket(bucketOpenTasks).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			var t glassbox.Task
			if err := get(tasks, k, &t, fmt.Sprintf("task %q", k)); err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

func unsubscribedKey(projectID, recipient string) []byte {
	return []byte(projectID + "\x00" + glassbox.SuppressionKey(recipient))
}

// Unsubscribe records an unsubscription; ErrDuplicate when there is one already.
func (s *Store) Unsubscribe(ctx context.Context, u glassbox.Unsubscription) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	u.Recipient, u.At = glassbox.SuppressionKey(u.Recipient), u.At.UTC()
	k := unsubscribedKey(u.ProjectID, u.Recipient)
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUnsubscribed)
		if b.Get(k) != nil {
			return fmt.Errorf("localstore: unsubscribe %s: %w", u.Recipient, glassbox.ErrDuplicate)
		}
		return put(b, k, u, "unsubscription "+u.Recipient)
	})
}

// Resubscribe removes an unsubscription; ErrNotFound when there is none.
func (s *Store) Resubscribe(ctx context.Context, projectID, recipient string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k := unsubscribedKey(projectID, recipient)
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUnsubscribed)
		if b.Get(k) == nil {
			return fmt.Errorf("localstore: unsubscription %s of %s: %w", recipient, projectID, glassbox.ErrNotFound)
		}
		return b.Delete(k)
	})
}

func unsubscriptions(tx *bolt.Tx, n *glassbox.DeliveryNotes) error {
	return tx.Bucket(bucketUnsubscribed).ForEach(func(_, v []byte) error {
		var u glassbox.Unsubscription
		if err := decode(v, &u); err != nil {
			return err
		}
		n.Unsubscriptions = append(n.Unsubscriptions, u)
		return nil
	})
}
