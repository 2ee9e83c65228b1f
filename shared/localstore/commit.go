package localstore

import (
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Every write of the store goes through update, which commits concurrent writes together: one bbolt
// transaction, one commit, one pair of fdatasyncs for all of them. A commit costs two fdatasyncs whatever it
// holds, so writing each call alone made the disk, not the CPU, the limit of `glassbox dev`: every delivery
// is four writes (event, task, claim, sent).
//
// The first writer to find no commit under way commits at once, alone; writers that arrive while a commit
// runs queue up, and the first of them to get the turn commits the whole queue. A lone writer never waits for
// company, and under load a commit holds everything that arrived during the one before. bbolt's own db.Batch
// does not fit: it runs a batch only after a timer (MaxBatchDelay, 10 ms by default), so a lone writer waits
// out the timer, and a timer short enough not to matter groups nothing.

// write is one update call waiting to be committed.
type write struct {
	fn   func(*bolt.Tx) error
	done chan error // receives the outcome once: nil after the commit, fn's error, or errRunAlone
}

// errRunAlone tells a writer that its fn failed inside a shared transaction, which was rolled back without
// it: the writer runs fn again in a transaction of its own, so that the error it returns is fn's own against
// the committed state, and a panic happens in the writer's goroutine.
var errRunAlone = errors.New("localstore: run the write alone")

// committer groups the writes of one Store.
type committer struct {
	turn chan struct{} // holds a token while a writer commits
	mu   sync.Mutex
	// queue is the writes not yet taken into a commit.
	queue []*write
	// flushSet says a flush is scheduled for writes queued by updateLater.
	flushSet bool
}

// laterDelay is how long a write queued by updateLater waits for another commit to ride on before a commit
// of its own.
const laterDelay = 20 * time.Millisecond

func newCommitter() *committer {
	return &committer{turn: make(chan struct{}, 1)}
}

// update runs fn in a read-write transaction and returns once that transaction is committed and synced to
// disk (nil), or with fn's error, in which case nothing fn wrote is kept. fn may run more than once (when a
// write in a shared transaction fails, the transaction is rolled back and run again without it, and the failed
// write runs again alone), so it must not change anything outside the transaction, and must compute its
// outcome, ErrDuplicate and the like, from what it reads in the transaction.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	w := &write{fn: fn, done: make(chan error, 1)}
	c := s.commits
	c.mu.Lock()
	c.queue = append(c.queue, w)
	c.mu.Unlock()

	var err error
	select {
	case err = <-w.done: // another writer committed w
	case c.turn <- struct{}{}:
		// A writer takes the turn only after the previous commit has answered every write in it, so w is
		// either answered already or still in the queue, and then in this commit.
		select {
		case err = <-w.done:
		default:
			c.mu.Lock()
			batch := c.queue
			c.queue = nil
			c.mu.Unlock()
			s.commit(batch)
			err = <-w.done
		}
		<-c.turn
	}
	if errors.Is(err, errRunAlone) {
		return s.db.Update(fn)
	}
	return err
}

// updateLater queues fn for the next commit and returns at once, without waiting for it to reach the disk. It
// is for the one write whose loss a later run repairs: clearing an event's unprocessed mark (a crash before the
// commit leaves the mark, and the sweep processes the event again and finds nothing left to do). It rides on
// the next writer's commit, or on a flush laterDelay later, so it costs no fdatasync of its own under load. An
// error of fn is dropped. Reads that must see it (UnprocessedEvents) flush first.
func (s *Store) updateLater(fn func(*bolt.Tx) error) {
	c := s.commits
	c.mu.Lock()
	c.queue = append(c.queue, &write{fn: fn, done: make(chan error, 1)})
	schedule := !c.flushSet
	c.flushSet = true
	c.mu.Unlock()
	if schedule {
		time.AfterFunc(laterDelay, s.flush)
	}
}

// flush commits whatever is queued, after a commit under way.
func (s *Store) flush() {
	c := s.commits
	c.turn <- struct{}{}
	c.mu.Lock()
	batch := c.queue
	c.queue, c.flushSet = nil, false
	c.mu.Unlock()
	if len(batch) > 0 {
		s.commit(batch)
	}
	<-c.turn
}

// commit runs the writes in one transaction and answers each. A write that fails among others is taken out
// and told to run alone, and the transaction is run again with the others; a write that fails alone gets its
// error. An error of bbolt's own, from the commit, goes to every write.
func (s *Store) commit(batch []*write) {
	for len(batch) > 0 {
		failed := -1
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i, w := range batch {
				if err := callSafely(w.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		var p panicked
		if failed >= 0 && (len(batch) > 1 || errors.As(err, &p)) {
			batch[failed].done <- errRunAlone
			batch = append(batch[:failed], batch[failed+1:]...)
			continue
		}
		for _, w := range batch {
			w.done <- err
		}
		return
	}
}

// callSafely turns a panic in fn into an error, so that it rolls the transaction back instead of taking down
// the committing writer, which may be another write's; fn then runs again alone, and panics in its own writer.
func callSafely(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicked{p}
		}
	}()
	return fn(tx)
}

type panicked struct{ value any }

func (p panicked) Error() string { return fmt.Sprintf("localstore: write panicked: %v", p.value) }
