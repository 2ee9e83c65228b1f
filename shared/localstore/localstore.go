// Package localstore is glassbox.Store embedded in one bbolt file, for `glassbox dev` and tests that need no
// emulator. Every operation runs in one bbolt transaction, so multi-step writes (a claim that reads the old
// claim, an event and its index entry) are atomic; writes run one after another, so concurrent callers in one
// process see the same outcomes as with DynamoDB's conditional writes, and concurrent writes share one commit
// and its fsync (see update); IssueDocuments checks the close, the documents and every series counter and
// writes them all in one transaction, as dynamo does in one TransactWriteItems. It also keeps webhook secrets,
// standing in for SSM Parameter Store.
package localstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Buckets. Index keys are projectID \x00 sortable time \x00 id, so a time window is one cursor range.
var (
	bucketConfig          = []byte("config")
	bucketEvents          = []byte("events")
	bucketEventsByProject = []byte("events_by_project")
	bucketTasks           = []byte("tasks")
	bucketMessages        = []byte("messages")
	bucketMessagesByProj  = []byte("messages_by_project")
	bucketSecrets         = []byte("secrets")
	bucketCloses          = []byte("closes")
	bucketDocuments       = []byte("documents")
	bucketDocsByProject   = []byte("documents_by_project")
	bucketPDFs            = []byte("pdfs")
	bucketSeries          = []byte("series")
	bucketOpenInvoices    = []byte("open_invoices")
	// bucketUnprocessed holds sortable receivedAt \x00 id of every event not yet processed to the end.
	bucketUnprocessed = []byte("unprocessed_events")

	keyConfig = []byte("config")
)

// sortableTime is the fixed-width UTC form used in index keys: byte order equals time order, which
// RFC3339Nano (it trims trailing zeros) does not give.
const sortableTime = "2006-01-02T15:04:05.000000000Z"

// Store is a glassbox.Store in a bbolt file. It is safe for concurrent use within one process; bbolt locks the
// file, so a second process opening it waits (up to a second) and then fails.
type Store struct {
	db       *bolt.DB
	commits  *committer
	bindings bindingCache
}

var _ glassbox.Store = (*Store)(nil)

// Open opens (creating if needed) the store in the file at path. Close it when done.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("localstore: open %s: %w", path, err)
	}
	s := &Store{db: db, commits: newCommitter()}
	err = s.update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{
			bucketConfig, bucketEvents, bucketEventsByProject, bucketTasks, bucketMessages, bucketMessagesByProj, bucketSecrets,
			bucketCloses, bucketDocuments, bucketDocsByProject, bucketPDFs, bucketSeries, bucketOpenInvoices,
			bucketUnprocessed, bucketSuppressions, bucketChatMoves, bucketProviderIDs,
			bucketUnprocessed, bucketHeld, bucketDueTasks, bucketMetrics, bucketOpenTasks, bucketUnsubscribed,
			bucketReportDeliveries,
			bucketSeals,
			bucketFeedback, bucketFeedbackByProject,
			bucketDashboardLinks,
			bucketDashboardSnapshots,
		} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("localstore: create buckets in %s: %w", path, err)
	}
	return s, nil
}

// Close commits what updateLater queued and closes the file.
func (s *Store) Close() error {
	s.flush()
	return s.db.Close()
}

// PutConfig replaces the stored configuration with c.
func (s *Store) PutConfig(ctx context.Context, c glassbox.Config) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.update(func(tx *bolt.Tx) error {
		return put(tx.Bucket(bucketConfig), keyConfig, c, "config")
	})
	s.bindings.drop()
	return err
}

// Config reads the configuration; ErrNotFound when none was applied.
func (s *Store) Config(ctx context.Context) (glassbox.Config, error) {
	var c glassbox.Config
	if err := ctx.Err(); err != nil {
		return c, err
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketConfig), keyConfig, &c, "config")
	})
	return c, err
}

// Binding reads one binding from the configuration; ErrNotFound when there is none.
func (s *Store) Binding(ctx context.Context, provider, id string) (glassbox.Binding, error) {
	if err := ctx.Err(); err != nil {
		return glassbox.Binding{}, err
	}
	return s.binding(ctx, provider, id)
}

// AppendEvent stores a new event and indexes it by project and time; ErrDuplicate when its ID exists.
func (s *Store) AppendEvent(ctx context.Context, e glassbox.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.OccurredAt, e.ReceivedAt = e.OccurredAt.UTC(), e.ReceivedAt.UTC()
	return s.update(func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		if events.Get([]byte(e.ID)) != nil {
			return fmt.Errorf("localstore: append event %s: %w", e.ID, glassbox.ErrDuplicate)
		}
		if err := put(events, []byte(e.ID), e, "event "+e.ID); err != nil {
			return err
		}
		if err := tx.Bucket(bucketEventsByProject).Put(indexKey(e.ProjectID, e.OccurredAt, e.ID), []byte(e.ID)); err != nil {
			return err
		}
		return tx.Bucket(bucketUnprocessed).Put(unprocessedKey(e), []byte(e.ID))
	})
}

// MarkEventProcessed drops the event's unprocessed mark; ErrNotFound when there is no such event. The mark is
// dropped with the next commit rather than in one of its own (updateLater): a mark lost in a crash only makes
// the sweep process the event again, which finds nothing left to do.
func (s *Store) MarkEventProcessed(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		var e glassbox.Event
		return get(tx.Bucket(bucketEvents), []byte(id), &e, "event "+id)
	})
	if err != nil {
		return err
	}
	s.updateLater(func(tx *bolt.Tx) error {
		var e glassbox.Event
		if err := get(tx.Bucket(bucketEvents), []byte(id), &e, "event "+id); err != nil {
			return err
		}
		return tx.Bucket(bucketUnprocessed).Delete(unprocessedKey(e))
	})
	return nil
}

// PostponeEvent moves an unprocessed event's turn to until; an event processed meanwhile is left alone.
func (s *Store) PostponeEvent(ctx context.Context, id string, until time.Time, attempts int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		events, marks := tx.Bucket(bucketEvents), tx.Bucket(bucketUnprocessed)
		var e glassbox.Event
		if err := get(events, []byte(id), &e, "event "+id); err != nil {
			if errors.Is(err, glassbox.ErrNotFound) {
				return nil
			}
			return err
		}
		if marks.Get(unprocessedKey(e)) == nil {
			return nil // processed meanwhile
		}
		if err := marks.Delete(unprocessedKey(e)); err != nil {
			return err
		}
		e.SweepAfter, e.SweepAttempts = until.UTC(), attempts
		if err := put(events, []byte(id), e, "event "+id); err != nil {
			return err
		}
		return marks.Put(unprocessedKey(e), []byte(id))
	})
}

// UnprocessedEvents lists up to limit unprocessed events whose turn comes before the given time, earliest
// first.
func (s *Store) UnprocessedEvents(ctx context.Context, before time.Time, limit int) ([]glassbox.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.flush() // marks cleared a moment ago are not listed
	var out []glassbox.Event
	end := []byte(before.UTC().Format(sortableTime))
	err := s.db.View(func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		c := tx.Bucket(bucketUnprocessed).Cursor()
		for k, id := c.First(); k != nil && bytes.Compare(k, end) < 0 && len(out) < limit; k, id = c.Next() {
			var e glassbox.Event
			if err := get(events, id, &e, "event "+string(id)); err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// unprocessedKey orders unprocessed events by their turn: receipt, or the time a failed sweep postponed them to.
func unprocessedKey(e glassbox.Event) []byte {
	turn := e.ReceivedAt
	if !e.SweepAfter.IsZero() {
		turn = e.SweepAfter
	}
	return []byte(turn.UTC().Format(sortableTime) + "\x00" + e.ID)
}

// Event reads one event; ErrNotFound when there is none.
func (s *Store) Event(ctx context.Context, id string) (glassbox.Event, error) {
	var e glassbox.Event
	if err := ctx.Err(); err != nil {
		return e, err
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketEvents), []byte(id), &e, "event "+id)
	})
	return e, err
}

// EventsBetween lists a project's events with from <= OccurredAt < to, oldest first.
func (s *Store) EventsBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Event, error) {
	return window[glassbox.Event](ctx, s, bucketEvents, bucketEventsByProject, projectID, from, to, "event")
}

// Task reads a task; ErrNotFound when there is none.
func (s *Store) Task(ctx context.Context, projectID, provider, taskID string) (glassbox.Task, error) {
	var t glassbox.Task
	if err := ctx.Err(); err != nil {
		return t, err
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketTasks), taskKey(projectID, provider, taskID), &t, "task "+provider+"/"+taskID)
	})
	return t, err
}

// PutTask writes t if the stored version is t.Version-1 (or there is none and t.Version is 1); ErrConflict
// otherwise.
func (s *Store) PutTask(ctx context.Context, t glassbox.Task) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t.CreatedAt, t.DoneAt, t.LastEventAt, t.StatusSince = t.CreatedAt.UTC(), t.DoneAt.UTC(), t.LastEventAt.UTC(), t.StatusSince.UTC()
	key := taskKey(t.ProjectID, t.Provider, t.TaskID)
	what := "task " + t.Provider + "/" + t.TaskID
	return s.update(func(tx *bolt.Tx) error {
		tasks := tx.Bucket(bucketTasks)
		var old glassbox.Task
		switch err := get(tasks, key, &old, what); {
		case errors.Is(err, glassbox.ErrNotFound):
			if t.Version != 1 {
				return fmt.Errorf("localstore: put %s version %d: none stored: %w", what, t.Version, glassbox.ErrConflict)
			}
		case err != nil:
			return err
		case old.Version != t.Version-1:
			return fmt.Errorf("localstore: put %s version %d: stored is %d: %w", what, t.Version, old.Version, glassbox.ErrConflict)
		}
		if err := indexDueTask(tx, old, t); err != nil {
			return err
		}
		if err := indexOpenTask(tx, t); err != nil {
			return err
		}
		return put(tasks, key, t, what)
	})
}

// Tasks lists a project's tasks, ordered by provider and task id.
func (s *Store) Tasks(ctx context.Context, projectID string) ([]glassbox.Task, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []glassbox.Task
	prefix := []byte(projectID + "\x00")
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketTasks).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var t glassbox.Task
			if err := decode(v, &t); err != nil {
				return fmt.Errorf("localstore: decode task %q: %w", k, err)
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// ClaimMessage records m as claimed by m.ClaimToken at m.ClaimedAt, unless it was sent (ErrAlreadySent) or
// another claim younger than lease holds it (ErrClaimHeld).
func (s *Store) ClaimMessage(ctx context.Context, m glassbox.Message, lease time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error { return claimIn(tx, m, lease) })
}

// ClaimMessages claims several messages in one transaction, all or nothing: when one cannot be claimed,
// nothing is, and ErrConflict tells the caller to claim them one by one.
func (s *Store) ClaimMessages(ctx context.Context, ms []glassbox.Message, lease time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		for _, m := range ms {
			if err := claimIn(tx, m, lease); err != nil {
				return fmt.Errorf("localstore: claim %d messages: %v: %w", len(ms), err, glassbox.ErrConflict)
			}
		}
		return nil
	})
}

// claimIn claims m within tx, under ClaimMessage's conditions.
func claimIn(tx *bolt.Tx, m glassbox.Message, lease time.Duration) error {
	m.State = glassbox.MessageClaimed
	m.ClaimedAt, m.SentAt = m.ClaimedAt.UTC(), m.SentAt.UTC()
	what := "message " + m.ID
	msgs, index := tx.Bucket(bucketMessages), tx.Bucket(bucketMessagesByProj)
	var old glassbox.Message
	switch err := get(msgs, []byte(m.ID), &old, what); {
	case errors.Is(err, glassbox.ErrNotFound):
	case err != nil:
		return err
	case old.State.Delivered():
		return fmt.Errorf("localstore: claim %s: %s: %w", what, old.State, glassbox.ErrAlreadySent)
	case old.State == glassbox.MessageHeld ||
		old.State == glassbox.MessageClaimed && old.ClaimedAt.Before(m.ClaimedAt.Add(-lease)):
		// A held message waited for this; an old claim outlived its lease: its worker is gone. Take over.
		if err := index.Delete(indexKey(old.ProjectID, old.ClaimedAt, old.ID)); err != nil {
			return err
		}
		if err := unindexHeld(tx, old); err != nil {
			return err
		}
	default:
		return fmt.Errorf("localstore: claim %s: claimed at %s: %w", what, old.ClaimedAt.Format(sortableTime), glassbox.ErrClaimHeld)
	}
	if err := put(msgs, []byte(m.ID), m, what); err != nil {
		return err
	}
	if err := indexHeld(tx, m); err != nil {
		return err
	}
	return index.Put(indexKey(m.ProjectID, m.ClaimedAt, m.ID), []byte(m.ID))
}

// MarkMessageSent marks a message claimed by token as sent; ErrConflict when token does not hold the claim.
func (s *Store) MarkMessageSent(ctx context.Context, id, token string, sentAt time.Time, providerID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		return markSentIn(tx, glassbox.SentMark{ID: id, Token: token, SentAt: sentAt, ProviderID: providerID})
	})
}

// MarkMessagesSent marks several claimed messages sent in one transaction, all or nothing (ErrConflict when
// a token does not hold its claim).
func (s *Store) MarkMessagesSent(ctx context.Context, marks []glassbox.SentMark) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		for _, mk := range marks {
			if err := markSentIn(tx, mk); err != nil {
				return err
			}
		}
		return nil
	})
}

// markSentIn marks one claimed message sent within tx; ErrConflict when its token does not hold the claim.
func markSentIn(tx *bolt.Tx, mk glassbox.SentMark) error {
	msgs := tx.Bucket(bucketMessages)
	m, err := claimedBy(msgs, mk.ID, mk.Token)
	if err != nil {
		return fmt.Errorf("localstore: mark sent: %w", err)
	}
	m.State, m.SentAt, m.ProviderID = glassbox.MessageSent, mk.SentAt.UTC(), mk.ProviderID
	if mk.ProviderID != "" {
		if err := tx.Bucket(bucketProviderIDs).Put([]byte(mk.ProviderID), []byte(mk.ID)); err != nil {
			return err
		}
	}
	if err := unindexHeld(tx, m); err != nil {
		return err
	}
	return put(msgs, []byte(mk.ID), m, "message "+mk.ID)
}

// ReleaseMessage drops the claim token holds, so the message can be claimed again at once; ErrConflict when
// token does not hold the claim.
func (s *Store) ReleaseMessage(ctx context.Context, id, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		msgs := tx.Bucket(bucketMessages)
		m, err := claimedBy(msgs, id, token)
		if err != nil {
			return fmt.Errorf("localstore: release: %w", err)
		}
		if m.Hold != nil {
			// Nothing else would send a held message: it goes back to held, tried (never coalesced now: an
			// earlier claim may have sent it).
			m.State, m.ClaimToken, m.Hold.Tried = glassbox.MessageHeld, "", true
			return put(msgs, []byte(id), m, "message "+id)
		}
		if err := tx.Bucket(bucketMessagesByProj).Delete(indexKey(m.ProjectID, m.ClaimedAt, m.ID)); err != nil {
			return err
		}
		return msgs.Delete([]byte(id))
	})
}

// claimedBy reads a message that token holds a live claim on, or fails with ErrConflict.
func claimedBy(msgs *bolt.Bucket, id, token string) (glassbox.Message, error) {
	var m glassbox.Message
	err := get(msgs, []byte(id), &m, "message "+id)
	switch {
	case errors.Is(err, glassbox.ErrNotFound):
		return m, fmt.Errorf("message %s does not exist: %w", id, glassbox.ErrConflict)
	case err != nil:
		return m, err
	case m.State != glassbox.MessageClaimed || m.ClaimToken != token:
		return m, fmt.Errorf("message %s is %s by another token: %w", id, m.State, glassbox.ErrConflict)
	}
	return m, nil
}

// Message reads one message; ErrNotFound when there is none.
func (s *Store) Message(ctx context.Context, id string) (glassbox.Message, error) {
	var m glassbox.Message
	if err := ctx.Err(); err != nil {
		return m, err
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketMessages), []byte(id), &m, "message "+id)
	})
	return m, err
}

// MessagesBetween lists a project's messages with from <= ClaimedAt < to, oldest first.
func (s *Store) MessagesBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Message, error) {
	return window[glassbox.Message](ctx, s, bucketMessages, bucketMessagesByProj, projectID, from, to, "message")
}

// window lists a project's items of one kind from items, in the order of their project/time index.
func window[T any](ctx context.Context, s *Store, items, index []byte, projectID string, from, to time.Time, what string) ([]T, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []T
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(items)
		return scan(tx.Bucket(index), projectID, from, to, func(id []byte) error {
			var v T
			if err := get(b, id, &v, what+" "+string(id)); err != nil {
				return err
			}
			out = append(out, v)
			return nil
		})
	})
	return out, err
}

// PutSecret stores a secret (a webhook signing secret) under its SSM parameter name.
func (s *Store) PutSecret(ctx context.Context, name, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSecrets).Put([]byte(name), []byte(value))
	})
}

// KeepSecret stores a secret a provider handed over in its subscription handshake, under a name that has none.
// The value already stored is nil; another value is glassbox.ErrConflict (the admin removes it with glassbox
// secrets delete).
func (s *Store) KeepSecret(ctx context.Context, name, value string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSecrets)
		switch old := b.Get([]byte(name)); {
		case old == nil:
			return b.Put([]byte(name), []byte(value))
		case string(old) == value:
			return nil
		}
		return fmt.Errorf("localstore: secret %s is set: %w", name, glassbox.ErrConflict)
	})
}

// DeleteSecret removes a secret; ErrNotFound when there is none. It is how a secret kept from a handshake is
// cleared, so the binding can subscribe again.
func (s *Store) DeleteSecret(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSecrets)
		if b.Get([]byte(name)) == nil {
			return fmt.Errorf("localstore: secret %s: %w", name, glassbox.ErrNotFound)
		}
		return b.Delete([]byte(name))
	})
}

// Secret reads a secret; ErrNotFound when there is none.
func (s *Store) Secret(ctx context.Context, name string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var v string
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSecrets).Get([]byte(name))
		if b == nil {
			return fmt.Errorf("localstore: secret %s: %w", name, glassbox.ErrNotFound)
		}
		v = string(b)
		return nil
	})
	return v, err
}

// scan calls f with the value of every index entry of project with from <= time < to, in key (= time) order.
func scan(index *bolt.Bucket, projectID string, from, to time.Time, f func(v []byte) error) error {
	if !from.Before(to) {
		return nil
	}
	lo := []byte(projectID + "\x00" + from.UTC().Format(sortableTime))
	// Every key at time `to` is hi + "\x00" + id, which sorts after hi: stopping at hi excludes them.
	hi := []byte(projectID + "\x00" + to.UTC().Format(sortableTime))
	c := index.Cursor()
	for k, v := c.Seek(lo); k != nil && bytes.Compare(k, hi) < 0; k, v = c.Next() {
		if err := f(v); err != nil {
			return err
		}
	}
	return nil
}

func indexKey(projectID string, at time.Time, id string) []byte {
	return []byte(projectID + "\x00" + at.UTC().Format(sortableTime) + "\x00" + id)
}

func taskKey(projectID, provider, taskID string) []byte {
	return []byte(projectID + "\x00" + provider + "\x00" + taskID)
}

func put(b *bolt.Bucket, key []byte, v any, what string) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("localstore: encode %s: %w", what, err)
	}
	return b.Put(key, data)
}

func get(b *bolt.Bucket, key []byte, v any, what string) error {
	data := b.Get(key)
	if data == nil {
		return fmt.Errorf("localstore: %s: %w", what, glassbox.ErrNotFound)
	}
	if err := decode(data, v); err != nil {
		return fmt.Errorf("localstore: decode %s: %w", what, err)
	}
	return nil
}

func decode(data []byte, v any) error {
	return json.Unmarshal(data, v)
}
