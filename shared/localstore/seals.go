package localstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// bucketSeals holds timeline seals by project \x00 seq (12 digits), so a project's chain reads in order.
var bucketSeals = []byte("seals")

func sealKey(projectID string, seq int64) []byte {
	return fmt.Appendf(nil, "%s\x00%012d", projectID, seq)
}

// PutSeal stores a seal if its number is free (ErrConflict otherwise), checked and written in one transaction.
func (s *Store) PutSeal(ctx context.Context, seal glassbox.Seal) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	seal.From, seal.To, seal.SealedAt = seal.From.UTC(), seal.To.UTC(), seal.SealedAt.UTC()
	key := sealKey(seal.ProjectID, seal.Seq)
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSeals)
		if b.Get(key) != nil {
			return fmt.Errorf("localstore: seal %s/%d: %w", seal.ProjectID, seal.Seq, glassbox.ErrConflict)
		}
		return put(b, key, seal, fmt.Sprintf("seal %s/%d", seal.ProjectID, seal.Seq))
	})
}

// Seals lists a project's seals, Seq ascending.
func (s *Store) Seals(ctx context.Context, projectID string) ([]glassbox.Seal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []glassbox.Seal
	prefix := []byte(projectID + "\x00")
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSeals).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var seal glassbox.Seal
			if err := decode(v, &seal); err != nil {
				return fmt.Errorf("localstore: decode seal %q: %w", k, err)
			}
			out = append(out, seal)
		}
		return nil
	})
	return out, err
}

// RecentSeals lists the newest seal and the earlier ones whose To is within of its To, walking the project's
// seals backwards from the newest and stopping at the first older one.
func (s *Store) RecentSeals(ctx context.Context, projectID string, within time.Duration) ([]glassbox.Seal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []glassbox.Seal
	prefix := []byte(projectID + "\x00")
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSeals).Cursor()
		var k, v []byte
		if k, _ = c.Seek([]byte(projectID + "\x01")); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		var since time.Time
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			var seal glassbox.Seal
			if err := decode(v, &seal); err != nil {
				return fmt.Errorf("localstore: decode seal %q: %w", k, err)
			}
			if len(out) == 0 {
				since = seal.To.Add(-within)
			} else if !seal.To.After(since) {
				break
			}
			out = append(out, seal)
		}
		return nil
	})
	slices.Reverse(out)
	return out, err
}
