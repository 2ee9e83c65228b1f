package localstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// NextNumber returns the series' next number: 1 for a series never used.
func (s *Store) NextNumber(ctx context.Context, series string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = nextNumber(tx.Bucket(bucketSeries), series)
		return err
	})
	return n, err
}

func nextNumber(b *bolt.Bucket, series string) (int64, error) {
	v := b.Get([]byte(series))
	if v == nil {
		return 1, nil
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("localstore: series %s: %w", series, err)
	}
	return n, nil
}

// IssueDocuments records the close, its documents and PDFs, and moves each series on, in one bbolt
// transaction: ErrDuplicate when the close or a document exists, ErrConflict when a document's Seq is not its
// series' next number; nothing is written then.
func (s *Store) IssueDocuments(ctx context.Context, c glassbox.StageClose, docs []glassbox.IssuedDocument) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	what := "localstore: issue documents of close " + c.ID
	docs, err := prepareDocuments(docs)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	c.ClosedAt = c.ClosedAt.UTC()
	return s.update(func(tx *bolt.Tx) error {
		closes, documents, series := tx.Bucket(bucketCloses), tx.Bucket(bucketDocuments), tx.Bucket(bucketSeries)
		if closes.Get([]byte(c.ID)) != nil {
			return fmt.Errorf("%s: the close exists already: %w", what, glassbox.ErrDuplicate)
		}
		next := map[string]int64{}
		for _, d := range docs {
			doc := d.Document
			if documents.Get([]byte(doc.ID)) != nil {
				return fmt.Errorf("%s: document %s exists already: %w", what, doc.ID, glassbox.ErrDuplicate)
			}
			n, ok := next[doc.Series]
			if !ok {
				var err error
				if n, err = nextNumber(series, doc.Series); err != nil {
					return err
				}
			}
			// prepareDocuments sorted each series' documents by number.
			if doc.Seq != n {
				return fmt.Errorf("%s: document %s has number %d, series %s is at %d: %w", what, doc.ID, doc.Seq, doc.Series, n, glassbox.ErrConflict)
			}
			next[doc.Series] = n + 1
		}
		// Every check passed; from here on the writes either all commit or the transaction rolls back.
		if err := put(closes, []byte(c.ID), c, "close "+c.ID); err != nil {
			return err
		}
		for _, d := range docs {
			doc := d.Document
			if err := put(documents, []byte(doc.ID), doc, "document "+doc.ID); err != nil {
				return err
			}
			if err := tx.Bucket(bucketPDFs).Put([]byte(doc.ID), slices.Clone(d.PDF)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketDocsByProject).Put(indexKey(doc.ProjectID, doc.IssuedAt, doc.ID), []byte(doc.ID)); err != nil {
				return err
			}
			if isOpenInvoice(doc) {
				if err := tx.Bucket(bucketOpenInvoices).Put(openKey(doc), []byte(doc.ID)); err != nil {
					return err
				}
			}
		}
		for name, n := range next {
			if err := series.Put([]byte(name), []byte(strconv.FormatInt(n, 10))); err != nil {
				return err
			}
		}
		return nil
	})
}

// prepareDocuments checks the documents (ids given once, numbers from 1 and consecutive within a series),
// fills what the store derives (the issued state, the PDF's hash, UTC times), and returns them ordered by
// series and number.
func prepareDocuments(docs []glassbox.IssuedDocument) ([]glassbox.IssuedDocument, error) {
	out := make([]glassbox.IssuedDocument, len(docs))
	ids := map[string]bool{}
	for i, d := range docs {
		doc := d.Document
		switch {
		case doc.ID == "":
			return nil, errors.New("a document has no id")
		case ids[doc.ID]:
			return nil, fmt.Errorf("document %s is given twice", doc.ID)
		case doc.Series == "":
			return nil, fmt.Errorf("document %s has no series", doc.ID)
		case doc.Seq < 1:
			return nil, fmt.Errorf("document %s has number %d, numbers start at 1", doc.ID, doc.Seq)
		}
		ids[doc.ID] = true
		if doc.State == "" {
			doc.State = glassbox.DocumentIssued
		}
		sum := sha256.Sum256(d.PDF)
		hash := hex.EncodeToString(sum[:])
		switch {
		case doc.PDFSHA256 == "":
			doc.PDFSHA256 = hash
		case !strings.EqualFold(doc.PDFSHA256, hash):
			return nil, fmt.Errorf("document %s: PDFSHA256 %s is not the hash of its PDF (%s)", doc.ID, doc.PDFSHA256, hash)
		}
		doc.IssuedAt, doc.PaidAt, doc.VoidedAt = doc.IssuedAt.UTC(), doc.PaidAt.UTC(), doc.VoidedAt.UTC()
		out[i] = glassbox.IssuedDocument{Document: doc, PDF: d.PDF}
	}
	slices.SortStableFunc(out, func(a, b glassbox.IssuedDocument) int {
		if c := strings.Compare(a.Document.Series, b.Document.Series); c != 0 {
			return c
		}
		return int(a.Document.Seq - b.Document.Seq)
	})
	for i := 1; i < len(out); i++ {
		a, b := out[i-1].Document, out[i].Document
		if a.Series == b.Series && b.Seq != a.Seq+1 {
			return nil, fmt.Errorf("series %s: numbers %d and %d are not consecutive", a.Series, a.Seq, b.Seq)
		}
	}
	return out, nil
}

func isOpenInvoice(d glassbox.Document) bool {
	return d.Kind == glassbox.DocumentInvoice && d.State == glassbox.DocumentIssued
}

// openKey orders open invoices by due date, then id.
func openKey(d glassbox.Document) []byte {
	return []byte(d.DueDate + "\x00" + d.ID)
}

// StageClose reads a close; ErrNotFound when there is none.
func (s *Store) StageClose(ctx context.Context, id string) (glassbox.StageClose, error) {
	var c glassbox.StageClose
	if err := ctx.Err(); err != nil {
		return c, err
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketCloses), []byte(id), &c, "close "+id)
	})
	return c, err
}

// Document reads a document; ErrNotFound when there is none.
func (s *Store) Document(ctx context.Context, id string) (glassbox.Document, error) {
	var d glassbox.Document
	if err := ctx.Err(); err != nil {
		return d, err
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		return get(tx.Bucket(bucketDocuments), []byte(id), &d, "document "+id)
	})
	return d, err
}

// DocumentPDF reads a document's PDF as issued; ErrNotFound when there is none.
func (s *Store) DocumentPDF(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var pdf []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPDFs).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("localstore: pdf of document %s: %w", id, glassbox.ErrNotFound)
		}
		pdf = slices.Clone(v) // v is valid only inside the transaction
		if pdf == nil {
			pdf = []byte{}
		}
		return nil
	})
	return pdf, err
}

// DocumentsBetween lists a project's documents with from <= IssuedAt < to, oldest first.
func (s *Store) DocumentsBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Document, error) {
	return window[glassbox.Document](ctx, s, bucketDocuments, bucketDocsByProject, projectID, from, to, "document")
}

// OpenInvoices lists issued invoices neither paid nor void, earliest due date first (ties by id), from an
// index bucket that holds only those.
func (s *Store) OpenInvoices(ctx context.Context) ([]glassbox.Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []glassbox.Document
	err := s.db.View(func(tx *bolt.Tx) error {
		documents := tx.Bucket(bucketDocuments)
		return tx.Bucket(bucketOpenInvoices).ForEach(func(_, id []byte) error {
			var d glassbox.Document
			if err := get(documents, id, &d, "document "+string(id)); err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// MarkPaid marks an issued invoice paid: ErrAlreadyPaid when it was, ErrConflict when it is void or not an
// invoice, ErrNotFound when there is no such document.
func (s *Store) MarkPaid(ctx context.Context, id string, at time.Time, by string) error {
	what := "localstore: mark document " + id + " paid"
	return s.transition(ctx, id, what, func(d *glassbox.Document) (bool, error) {
		switch {
		case d.Kind != glassbox.DocumentInvoice:
			return false, fmt.Errorf("%s: it is an %s, not an invoice: %w", what, d.Kind, glassbox.ErrConflict)
		case d.State == glassbox.DocumentPaid:
			return false, fmt.Errorf("%s: paid at %s by %s: %w", what, d.PaidAt.Format(sortableTime), d.PaidBy, glassbox.ErrAlreadyPaid)
		case d.State != glassbox.DocumentIssued:
			return false, fmt.Errorf("%s: it is %s: %w", what, d.State, glassbox.ErrConflict)
		}
		d.State, d.PaidAt, d.PaidBy = glassbox.DocumentPaid, at.UTC(), by
		return true, nil
	})
}

// VoidDocument voids an issued document; its number stays used. ErrConflict when it is paid; a void document
// stays as it is and nil is returned.
func (s *Store) VoidDocument(ctx context.Context, id string, at time.Time, reason string) error {
	what := "localstore: void document " + id
	return s.transition(ctx, id, what, func(d *glassbox.Document) (bool, error) {
		switch d.State {
		case glassbox.DocumentVoid:
			return false, nil
		case glassbox.DocumentIssued:
			d.State, d.VoidedAt, d.VoidReason = glassbox.DocumentVoid, at.UTC(), reason
			return true, nil
		}
		return false, fmt.Errorf("%s: it is %s: %w", what, d.State, glassbox.ErrConflict)
	})
}

// transition reads a document, lets change modify it, and writes it back when change says so, keeping the
// open invoices index in step, all in one transaction.
func (s *Store) transition(ctx context.Context, id, what string, change func(d *glassbox.Document) (bool, error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		documents := tx.Bucket(bucketDocuments)
		var d glassbox.Document
		if err := get(documents, []byte(id), &d, "document "+id); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		wasOpen := isOpenInvoice(d)
		changed, err := change(&d)
		if err != nil || !changed {
			return err
		}
		if wasOpen && !isOpenInvoice(d) {
			if err := tx.Bucket(bucketOpenInvoices).Delete(openKey(d)); err != nil {
				return err
			}
		}
		return put(documents, []byte(id), d, "document "+id)
	})
}
