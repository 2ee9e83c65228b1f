package localstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

var (
	// bucketSuppressions holds suppressed recipients by glassbox.SuppressionKey.
	bucketSuppressions = []byte("suppressions")
	// bucketChatMoves holds moved Telegram chats by their old id.
	bucketChatMoves = []byte("chat_moves")
	// bucketProviderIDs maps a channel's message id (SES's) to our message id.
	bucketProviderIDs = []byte("provider_ids")
)

// FailMessage marks a message token holds a claim on as failed for good, and takes it out of the waiting
// messages (a held one failed must not be read by every flush); ErrConflict when it does not.
func (s *Store) FailMessage(ctx context.Context, id, token string, at time.Time, reason string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		msgs := tx.Bucket(bucketMessages)
		m, err := claimedBy(msgs, id, token)
		if err != nil {
			return fmt.Errorf("localstore: fail message: %w", err)
		}
		if err := unindexHeld(tx, m); err != nil {
			return err
		}
		m.State, m.FailedAt, m.Failure = glassbox.MessageFailed, at.UTC(), reason
		return put(msgs, []byte(id), m, "message "+id)
	})
}

// MarkMessageBounced marks a message bounced; a bounced one stays as it was. ErrNotFound when there is none.
func (s *Store) MarkMessageBounced(ctx context.Context, id string, at time.Time, reason string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		msgs := tx.Bucket(bucketMessages)
		var m glassbox.Message
		if err := get(msgs, []byte(id), &m, "message "+id); err != nil {
			return err
		}
		if m.State == glassbox.MessageBounced {
			return nil
		}
		// Only a sent message bounces, and it left the waiting messages when marked sent; should a waiting one
		// be marked, it leaves them too.
		if err := unindexHeld(tx, m); err != nil {
			return err
		}
		m.State, m.FailedAt, m.Failure = glassbox.MessageBounced, at.UTC(), reason
		return put(msgs, []byte(id), m, "message "+id)
	})
}

// MessageByProviderID finds a sent message by its channel's id; ErrNotFound when there is none.
func (s *Store) MessageByProviderID(ctx context.Context, providerID string) (glassbox.Message, error) {
	var m glassbox.Message
	if err := ctx.Err(); err != nil {
		return m, err
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketProviderIDs).Get([]byte(providerID))
		if id == nil {
			return fmt.Errorf("localstore: message with provider id %s: %w", providerID, glassbox.ErrNotFound)
		}
		return get(tx.Bucket(bucketMessages), id, &m, "message "+string(id))
	})
	return m, err
}

// Suppress records a suppression; ErrDuplicate when the recipient is suppressed already.
func (s *Store) Suppress(ctx context.Context, sup glassbox.Suppression) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sup.Recipient, sup.At = glassbox.SuppressionKey(sup.Recipient), sup.At.UTC()
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSuppressions)
		if b.Get([]byte(sup.Recipient)) != nil {
			return fmt.Errorf("localstore: suppress %s: %w", sup.Recipient, glassbox.ErrDuplicate)
		}
		return put(b, []byte(sup.Recipient), sup, "suppression "+sup.Recipient)
	})
}

// ClearSuppression removes a suppression; ErrNotFound when there is none.
func (s *Store) ClearSuppression(ctx context.Context, recipient string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k := []byte(glassbox.SuppressionKey(recipient))
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSuppressions)
		if b.Get(k) == nil {
			return fmt.Errorf("localstore: suppression %s: %w", k, glassbox.ErrNotFound)
		}
		return b.Delete(k)
	})
}

// MoveChat records a chat's move; ErrDuplicate when that chat's move is recorded already.
func (s *Store) MoveChat(ctx context.Context, mv glassbox.ChatMove) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	mv.At = mv.At.UTC()
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChatMoves)
		if b.Get([]byte(mv.From)) != nil {
			return fmt.Errorf("localstore: move chat %s: %w", mv.From, glassbox.ErrDuplicate)
		}
		return put(b, []byte(mv.From), mv, "chat move "+mv.From)
	})
}

// DeliveryNotes reads every suppression, chat move and unsubscription.
func (s *Store) DeliveryNotes(ctx context.Context) (glassbox.DeliveryNotes, error) {
	var n glassbox.DeliveryNotes
	if err := ctx.Err(); err != nil {
		return n, err
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketSuppressions).ForEach(func(_, v []byte) error {
			var sup glassbox.Suppression
			if err := decode(v, &sup); err != nil {
				return err
			}
			n.Suppressions = append(n.Suppressions, sup)
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket(bucketChatMoves).ForEach(func(_, v []byte) error {
			var mv glassbox.ChatMove
			if err := decode(v, &mv); err != nil {
				return err
			}
			n.Moves = append(n.Moves, mv)
			return nil
		})
		if err != nil {
			return err
		}
		return unsubscriptions(tx, &n)
	})
	if err != nil && !errors.Is(err, glassbox.ErrNotFound) {
		return n, fmt.Errorf("localstore: delivery notes: %w", err)
	}
	return n, nil
}
