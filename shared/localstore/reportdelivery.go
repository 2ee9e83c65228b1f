package localstore

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// bucketReportDeliveries holds report deliveries by period \x00 project, so one period's are read together.
var bucketReportDeliveries = []byte("report_deliveries")

// MarkReportDelivered records a report delivery, replacing one of the same project and period.
func (s *Store) MarkReportDelivered(ctx context.Context, d glassbox.ReportDelivery) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.At = d.At.UTC()
	return s.update(func(tx *bolt.Tx) error {
		return put(tx.Bucket(bucketReportDeliveries), []byte(d.Period+"\x00"+d.ProjectID), d, "report delivery "+d.Period)
	})
}

// ReportsDelivered lists a period's report deliveries, by project.
func (s *Store) ReportsDelivered(ctx context.Context, period string) ([]glassbox.ReportDelivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []glassbox.ReportDelivery
	prefix := []byte(period + "\x00")
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketReportDeliveries).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var d glassbox.ReportDelivery
			if err := decode(v, &d); err != nil {
				return fmt.Errorf("localstore: decode report delivery %q: %w", k, err)
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}
