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

var (
	// bucketHeld indexes waiting messages: sortable hold.until \x00 id → id.
	bucketHeld = []byte("held_messages")
	// bucketDueTasks indexes tasks that may fall overdue: sortable due \x00 task key → task key.
	bucketDueTasks = []byte("due_tasks")
)

func heldKey(m glassbox.Message) []byte {
	return []byte(m.Hold.Until.UTC().Format(sortableTime) + "\x00" + m.ID)
}

// indexHeld lists a held message, or a held one being claimed, among the waiting messages.
func indexHeld(tx *bolt.Tx, m glassbox.Message) error {
	if !m.Waiting() {
		return nil
	}
	return tx.Bucket(bucketHeld).Put(heldKey(m), []byte(m.ID))
}

func unindexHeld(tx *bolt.Tx, m glassbox.Message) error {
	if m.Hold == nil {
		return nil
	}
	return tx.Bucket(bucketHeld).Delete(heldKey(m))
}

// indexDueTask moves a task's entry in the due-task index from what old needed to what t needs.
func indexDueTask(tx *bolt.Tx, old, t glassbox.Task) error {
	b := tx.Bucket(bucketDueTasks)
	k := taskKey(t.ProjectID, t.Provider, t.TaskID)
	if due, ok := old.OverdueCheck(); ok {
		if err := b.Delete(append([]byte(due.UTC().Format(sortableTime)+"\x00"), k...)); err != nil {
			return err
		}
	}
	if due, ok := t.OverdueCheck(); ok {
		return b.Put(append([]byte(due.UTC().Format(sortableTime)+"\x00"), k...), k)
	}
	return nil
}

// HoldMessage stores a held message unless one with its id exists (ErrAlreadySent, or ErrClaimHeld when it is
// claimed).
func (s *Store) HoldMessage(ctx context.Context, m glassbox.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.Hold == nil {
		return fmt.Errorf("localstore: hold message %s: no hold", m.ID)
	}
	m.State = glassbox.MessageHeld
	m.ClaimedAt, m.Hold.Until = m.ClaimedAt.UTC(), m.Hold.Until.UTC()
	what := "message " + m.ID
	return s.update(func(tx *bolt.Tx) error {
		msgs := tx.Bucket(bucketMessages)
		var old glassbox.Message
		switch err := get(msgs, []byte(m.ID), &old, what); {
		case errors.Is(err, glassbox.ErrNotFound):
		case err != nil:
			return err
		case old.State == glassbox.MessageClaimed:
			return fmt.Errorf("localstore: hold %s: claimed: %w", what, glassbox.ErrClaimHeld)
		default:
			return fmt.Errorf("localstore: hold %s: %s already: %w", what, old.State, glassbox.ErrAlreadySent)
		}
		if err := put(msgs, []byte(m.ID), m, what); err != nil {
			return err
		}
		if err := indexHeld(tx, m); err != nil {
			return err
		}
		return tx.Bucket(bucketMessagesByProj).Put(indexKey(m.ProjectID, m.ClaimedAt, m.ID), []byte(m.ID))
	})
}

// HeldMessages lists up to limit waiting messages due before the given time, earliest first. Only held and
// claimed messages count towards limit: anything else the index still lists is skipped, so it cannot fill a
// flush's reads.
func (s *Store) HeldMessages(ctx context.Context, before time.Time, limit int) ([]glassbox.Message, error) {
	var out []glassbox.Message
	err := s.dueBefore(ctx, bucketHeld, bucketMessages, before, limit, func(v []byte) (bool, error) {
		var m glassbox.Message
		if err := decode(v, &m); err != nil {
			return false, err
		}
		if !m.Waiting() {
			return false, nil
		}
		out = append(out, m)
		return true, nil
	})
	return out, err
}

// DueTasks lists up to limit tasks whose overdue check is before the given time, earliest first.
func (s *Store) DueTasks(ctx context.Context, before time.Time, limit int) ([]glassbox.Task, error) {
	var out []glassbox.Task
	err := s.dueBefore(ctx, bucketDueTasks, bucketTasks, before, limit, func(v []byte) (bool, error) {
		var t glassbox.Task
		if err := decode(v, &t); err != nil {
			return false, err
		}
		out = append(out, t)
		return true, nil
	})
	return out, err
}

// dueBefore walks an index keyed by a sortable time, calling f with each item it points to in items, until f
// has kept limit of them.
func (s *Store) dueBefore(ctx context.Context, index, items []byte, before time.Time, limit int, f func([]byte) (bool, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	end := []byte(before.UTC().Format(sortableTime))
	return s.db.View(func(tx *bolt.Tx) error {
		b, n := tx.Bucket(items), 0
		c := tx.Bucket(index).Cursor()
		for k, ref := c.First(); k != nil && bytes.Compare(k, end) < 0 && n < limit; k, ref = c.Next() {
			v := b.Get(ref)
			if v == nil {
				continue
			}
			kept, err := f(v)
			if err != nil {
				return fmt.Errorf("localstore: decode %q: %w", ref, err)
			}
			if kept {
				n++
			}
		}
		return nil
	})
}

// BatchHeld writes the coalesced message and marks its members batched, in one transaction: ErrConflict, and
// nothing written, when a member is not held or the batch exists.
func (s *Store) BatchHeld(ctx context.Context, batch glassbox.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if batch.Hold == nil || len(batch.Hold.Members) == 0 {
		return fmt.Errorf("localstore: batch %s: no members", batch.ID)
	}
	batch.State = glassbox.MessageHeld
	batch.ClaimedAt, batch.Hold.Until = batch.ClaimedAt.UTC(), batch.Hold.Until.UTC()
	return s.update(func(tx *bolt.Tx) error {
		msgs := tx.Bucket(bucketMessages)
		if msgs.Get([]byte(batch.ID)) != nil {
			return fmt.Errorf("localstore: batch %s exists: %w", batch.ID, glassbox.ErrConflict)
		}
		for _, id := range batch.Hold.Members {
			var m glassbox.Message
			if err := get(msgs, []byte(id), &m, "message "+id); err != nil {
				return fmt.Errorf("localstore: batch %s: %w", batch.ID, errors.Join(err, glassbox.ErrConflict))
			}
			if m.State != glassbox.MessageHeld || m.Hold == nil || m.Hold.Tried {
				return fmt.Errorf("localstore: batch %s: message %s is %s (or tried): %w", batch.ID, id, m.State, glassbox.ErrConflict)
			}
			if err := unindexHeld(tx, m); err != nil {
				return err
			}
			m.State, m.Hold.Batch = glassbox.MessageBatched, batch.ID
			if err := put(msgs, []byte(id), m, "message "+id); err != nil {
				return err
			}
		}
		if err := put(msgs, []byte(batch.ID), batch, "message "+batch.ID); err != nil {
			return err
		}
		if err := indexHeld(tx, batch); err != nil {
			return err
		}
		return tx.Bucket(bucketMessagesByProj).Put(indexKey(batch.ProjectID, batch.ClaimedAt, batch.ID), []byte(batch.ID))
	})
}

// DropHeld marks a held message dropped and takes it out of the waiting messages; ErrConflict when it is not
// held.
func (s *Store) DropHeld(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		msgs := tx.Bucket(bucketMessages)
		var m glassbox.Message
		if err := get(msgs, []byte(id), &m, "message "+id); err != nil {
			if errors.Is(err, glassbox.ErrNotFound) {
				return fmt.Errorf("localstore: drop %s: %w", id, errors.Join(err, glassbox.ErrConflict))
			}
			return err
		}
		if m.State != glassbox.MessageHeld {
			return fmt.Errorf("localstore: drop %s: it is %s: %w", id, m.State, glassbox.ErrConflict)
		}
		if err := unindexHeld(tx, m); err != nil {
			return err
		}
		m.State = glassbox.MessageDropped
		return put(msgs, []byte(id), m, "message "+id)
	})
}
