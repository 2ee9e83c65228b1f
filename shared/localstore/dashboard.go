package localstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// bucketDashboardLinks holds dashboard links by the hash of their token.
var bucketDashboardLinks = []byte("dashboard_links")

// CreateDashboardLink stores a new link; ErrDuplicate when one with its hash exists.
func (s *Store) CreateDashboardLink(ctx context.Context, l glassbox.DashboardLink) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.CreatedAt, l.ExpiresAt, l.RevokedAt = l.CreatedAt.UTC(), utcOrZero(l.ExpiresAt), utcOrZero(l.RevokedAt)
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDashboardLinks)
		if b.Get([]byte(l.Hash)) != nil {
			return fmt.Errorf("localstore: dashboard link %s: %w", l.ID(), glassbox.ErrDuplicate)
		}
		return put(b, []byte(l.Hash), l, "dashboard link "+l.ID())
	})
}

// DashboardLink reads a link by hash; ErrNotFound when there is none.
func (s *Store) DashboardLink(ctx context.Context, hash string) (glassbox.DashboardLink, error) {
	if err := ctx.Err(); err != nil {
		return glassbox.DashboardLink{}, err
	}
	var l glassbox.DashboardLink
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketDashboardLinks), []byte(hash), &l, "dashboard link")
	})
	return l, err
}

// RevokeDashboardLink marks a link revoked, keeping the first revocation; ErrNotFound when there is none.
func (s *Store) RevokeDashboardLink(ctx context.Context, hash string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDashboardLinks)
		var l glassbox.DashboardLink
		if err := get(b, []byte(hash), &l, "dashboard link"); err != nil {
			return err
		}
		if !l.RevokedAt.IsZero() {
			return nil
		}
		l.RevokedAt = at.UTC()
		return put(b, []byte(hash), l, "dashboard link "+l.ID())
	})
}

// DashboardLinks lists every link, oldest first.
func (s *Store) DashboardLinks(ctx context.Context) ([]glassbox.DashboardLink, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []glassbox.DashboardLink
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDashboardLinks).ForEach(func(k, v []byte) error {
			var l glassbox.DashboardLink
			if err := decode(v, &l); err != nil {
				return fmt.Errorf("localstore: decode dashboard link %q: %w", k, err)
			}
			out = append(out, l)
			return nil
		})
	})
	slices.SortStableFunc(out, func(a, b glassbox.DashboardLink) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
