package dynamo

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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Attributes and values of the documents' part of the key design (docs/data-model.md).
const (
	AttrGSI2PK = "gsi2pk"
	AttrGSI2SK = "gsi2sk"
	// IndexGSI2 is sparse: only open invoices and unprocessed events carry gsi2pk, so OpenInvoices and
	// UnprocessedEvents read nothing else.
	IndexGSI2 = "gsi2"

	attrNext = "next" // a series counter's next number
	attrPDF  = "pdf"  // a document's PDF bytes

	gsi2OpenInvoice      = "OPEN_INVOICE"
	gsi2UnprocessedEvent = "UNPROCESSED_EVENT"

	skSeries = "SERIES"
	skClose  = "CLOSE"
	skDoc    = "DOC"
	skPDF    = "PDF"
)

// Item types of documents and their numbering.
const (
	TypeSeries   = "series"
	TypeClose    = "close"
	TypeDocument = "document"
	TypePDF      = "pdf"
)

func seriesPK(series string) string { return "SERIES#" + series }
func closePK(id string) string      { return "CLOSE#" + id }
func docPK(id string) string        { return "DOC#" + id }

// NextNumber reads the series counter with one consistent GetItem: 1 when the series was never used.
func (s *Store) NextNumber(ctx context.Context, series string) (int64, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                &s.table,
		Key:                      key(seriesPK(series), skSeries),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#n"),
		ExpressionAttributeNames: map[string]string{"#n": attrNext},
	})
	if err != nil {
		return 0, fmt.Errorf("dynamo: next number of %s: %w", series, err)
	}
	if out.Item == nil {
		return 1, nil
	}
	n, err := numberAttr(out.Item, attrNext)
	if err != nil {
		return 0, fmt.Errorf("dynamo: next number of %s: %w", series, err)
	}
	return n, nil
}

// seriesRun is the numbers one IssueDocuments call takes from one series: first..first+count-1.
type seriesRun struct {
	series string
	first  int64
	count  int64
}

// runs checks that the documents' numbers within each series are consecutive and distinct, and returns one
// run per series, in order of first appearance.
func runs(docs []glassbox.IssuedDocument) ([]seriesRun, error) {
	seqs := map[string][]int64{}
	var order []string
	for _, d := range docs {
		if d.Document.Series == "" {
			return nil, fmt.Errorf("document %s has no series", d.Document.ID)
		}
		if d.Document.Seq < 1 {
			return nil, fmt.Errorf("document %s has number %d, numbers start at 1", d.Document.ID, d.Document.Seq)
		}
		if _, ok := seqs[d.Document.Series]; !ok {
			order = append(order, d.Document.Series)
		}
		seqs[d.Document.Series] = append(seqs[d.Document.Series], d.Document.Seq)
	}
	out := make([]seriesRun, 0, len(order))
	for _, series := range order {
		ns := seqs[series]
		slices.Sort(ns)
		for i := 1; i < len(ns); i++ {
			if ns[i] != ns[i-1]+1 {
				return nil, fmt.Errorf("series %s: numbers %v are not consecutive", series, ns)
			}
		}
		out = append(out, seriesRun{series: series, first: ns[0], count: int64(len(ns))})
	}
	return out, nil
}

// prepareDocuments checks what IssueDocuments is given and fills what the store derives: the issued state and
// the PDF's hash.
func prepareDocuments(docs []glassbox.IssuedDocument) ([]glassbox.IssuedDocument, []seriesRun, error) {
	out := make([]glassbox.IssuedDocument, len(docs))
	ids := map[string]bool{}
	for i, d := range docs {
		doc := d.Document
		if doc.ID == "" {
			return nil, nil, errors.New("a document has no id")
		}
		if ids[doc.ID] {
			return nil, nil, fmt.Errorf("document %s is given twice", doc.ID)
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
			return nil, nil, fmt.Errorf("document %s: PDFSHA256 %s is not the hash of its PDF (%s)", doc.ID, doc.PDFSHA256, hash)
		}
		out[i] = glassbox.IssuedDocument{Document: doc, PDF: d.PDF}
	}
	rs, err := runs(out)
	if err != nil {
		return nil, nil, err
	}
	return out, rs, nil
}

// isOpenInvoice says whether a document belongs in OpenInvoices.
func isOpenInvoice(d glassbox.Document) bool {
	return d.Kind == glassbox.DocumentInvoice && d.State == glassbox.DocumentIssued
}

// IssueDocuments writes the close, every document, every PDF and the series counters in one
// TransactWriteItems, so either all of it is written or none. Items, in this order (cancellation reasons come
// back in the same order): the close (condition: new), per document its item and its PDF item (new), per
// series one counter update to last+1 (condition: the counter is at the first number taken, or absent when
// that is 1). A failed close or document condition is ErrDuplicate; a failed counter condition or a
// transaction conflict is ErrConflict.
func (s *Store) IssueDocuments(ctx context.Context, c glassbox.StageClose, docs []glassbox.IssuedDocument) error {
	what := "dynamo: issue documents of close " + c.ID
	docs, rs, err := prepareDocuments(docs)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	isNew, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(AttrPK))).Build()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	put := func(item map[string]types.AttributeValue) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{
			TableName:                 &s.table,
			Item:                      item,
			ConditionExpression:       isNew.Condition(),
			ExpressionAttributeNames:  isNew.Names(),
			ExpressionAttributeValues: isNew.Values(),
		}}
	}

	closeItem, err := s.closeItem(c)
	if err != nil {
		return fmt.Errorf("%s: encode close: %w", what, err)
	}
	items := []types.TransactWriteItem{put(closeItem)}
	for _, d := range docs {
		item, err := s.documentItem(d.Document)
		if err != nil {
			return fmt.Errorf("%s: encode document %s: %w", what, d.Document.ID, err)
		}
		items = append(items, put(item), put(map[string]types.AttributeValue{
			AttrPK:   str(docPK(d.Document.ID)),
			AttrSK:   str(skPDF),
			AttrType: str(TypePDF),
			attrPDF:  &types.AttributeValueMemberB{Value: d.PDF},
		}))
	}
	firstCounter := len(items)
	for _, r := range rs {
		cond := expression.Name(attrNext).Equal(expression.Value(r.first))
		if r.first == 1 {
			cond = expression.AttributeNotExists(expression.Name(AttrPK))
		}
		update := expression.Set(expression.Name(attrNext), expression.Value(r.first+r.count)).
			Set(expression.Name(AttrType), expression.Value(TypeSeries))
		expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(update).Build()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:                           &s.table,
			Key:                                 key(seriesPK(r.series), skSeries),
			ConditionExpression:                 expr.Condition(),
			UpdateExpression:                    expr.Update(),
			ExpressionAttributeNames:            expr.Names(),
			ExpressionAttributeValues:           expr.Values(),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
	}

	_, err = s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return fmt.Errorf("%s: %w", what, cancellation(tce.CancellationReasons, firstCounter, rs))
	}
	var conflict *types.TransactionConflictException
	if errors.As(err, &conflict) {
		return fmt.Errorf("%s: %v: %w", what, err, glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// cancellation explains a cancelled IssueDocuments transaction from its reasons, which are in the order of
// the items: the close, two per document, then one counter per run. An existing close or document wins over
// everything else, since a retry cannot succeed then.
func cancellation(reasons []types.CancellationReason, firstCounter int, rs []seriesRun) error {
	var moved, conflict []string
	for i, r := range reasons {
		code := aws.ToString(r.Code)
		switch {
		case code == "ConditionalCheckFailed" && i == 0:
			return fmt.Errorf("the close exists already: %w", glassbox.ErrDuplicate)
		case code == "ConditionalCheckFailed" && i < firstCounter:
			return fmt.Errorf("document item %d exists already: %w", (i-1)/2, glassbox.ErrDuplicate)
		case code == "ConditionalCheckFailed" && i-firstCounter < len(rs):
			run := rs[i-firstCounter]
			at := "absent"
			if n, err := numberAttr(r.Item, attrNext); err == nil {
				at = strconv.FormatInt(n, 10)
			}
			moved = append(moved, fmt.Sprintf("series %s is at %s, not %d", run.series, at, run.first))
		case code == "TransactionConflict":
			conflict = append(conflict, fmt.Sprintf("item %d", i))
		}
	}
	switch {
	case len(moved) > 0:
		return fmt.Errorf("%s: %w", strings.Join(moved, "; "), glassbox.ErrConflict)
	case len(conflict) > 0:
		return fmt.Errorf("concurrent transaction on %s: %w", strings.Join(conflict, ", "), glassbox.ErrConflict)
	}
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = aws.ToString(r.Code)
	}
	return fmt.Errorf("transaction cancelled: %v", codes)
}

func (s *Store) closeItem(c glassbox.StageClose) (map[string]types.AttributeValue, error) {
	item, err := s.marshal(c)
	if err != nil {
		return nil, err
	}
	item[AttrPK] = str(closePK(c.ID))
	item[AttrSK] = str(skClose)
	item[AttrType] = str(TypeClose)
	return item, nil
}

func (s *Store) documentItem(d glassbox.Document) (map[string]types.AttributeValue, error) {
	item, err := s.marshal(d)
	if err != nil {
		return nil, err
	}
	item[AttrPK] = str(docPK(d.ID))
	item[AttrSK] = str(skDoc)
	item[AttrType] = str(TypeDocument)
	item[AttrGSI1PK] = str(projectPK(d.ProjectID))
	item[AttrGSI1SK] = str("DOC#" + FormatTime(d.IssuedAt) + "#" + d.ID)
	if isOpenInvoice(d) {
		item[AttrGSI2PK] = str(gsi2OpenInvoice)
		item[AttrGSI2SK] = str(d.DueDate + "#" + d.ID)
	}
	return item, nil
}

// StageClose reads a close with one consistent GetItem; ErrNotFound when there is none.
func (s *Store) StageClose(ctx context.Context, id string) (glassbox.StageClose, error) {
	var c glassbox.StageClose
	if err := s.get(ctx, closePK(id), skClose, true, &c); err != nil {
		return c, fmt.Errorf("dynamo: stage close %s: %w", id, err)
	}
	return c, nil
}

// Document reads a document with one consistent GetItem (not its PDF); ErrNotFound when there is none.
func (s *Store) Document(ctx context.Context, id string) (glassbox.Document, error) {
	var d glassbox.Document
	if err := s.get(ctx, docPK(id), skDoc, true, &d); err != nil {
		return d, fmt.Errorf("dynamo: document %s: %w", id, err)
	}
	return d, nil
}

// DocumentPDF reads a document's PDF item with one consistent GetItem; ErrNotFound when there is none.
func (s *Store) DocumentPDF(ctx context.Context, id string) ([]byte, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                &s.table,
		Key:                      key(docPK(id), skPDF),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#p"),
		ExpressionAttributeNames: map[string]string{"#p": attrPDF},
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: pdf of document %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, fmt.Errorf("dynamo: pdf of document %s: %w", id, glassbox.ErrNotFound)
	}
	b, ok := out.Item[attrPDF].(*types.AttributeValueMemberB)
	if !ok {
		return nil, fmt.Errorf("dynamo: pdf of document %s: attribute %s is %T, want binary", id, attrPDF, out.Item[attrPDF])
	}
	return b.Value, nil
}

// DocumentsBetween lists a project's documents with from <= IssuedAt < to, oldest first: a Query on gsi1.
// PDFs are separate items and are not read.
func (s *Store) DocumentsBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Document, error) {
	out, err := window[glassbox.Document](ctx, s, projectID, "DOC#", from, to)
	if err != nil {
		return nil, fmt.Errorf("dynamo: documents of %s: %w", projectID, err)
	}
	return out, nil
}

// OpenInvoices lists open invoices, earliest due date first (ties by id): one Query on the sparse gsi2, which
// holds only invoices in state issued. The index is eventually consistent: an invoice paid a moment ago may
// still be listed (MarkPaid then answers ErrAlreadyPaid).
func (s *Store) OpenInvoices(ctx context.Context) ([]glassbox.Document, error) {
	var out []glassbox.Document
	err := s.query(ctx, &dynamodb.QueryInput{IndexName: aws.String(IndexGSI2)},
		expression.Key(AttrGSI2PK).Equal(expression.Value(gsi2OpenInvoice)), nil,
		func(item map[string]types.AttributeValue) error {
			var d glassbox.Document
			if err := attributevalue.UnmarshalMap(item, &d); err != nil {
				return fmt.Errorf("decode %s: %w", stringAttr(item, AttrPK), err)
			}
			out = append(out, d)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("dynamo: open invoices: %w", err)
	}
	return out, nil
}

// MarkPaid marks an issued invoice paid with one UpdateItem conditional on it being an issued invoice, and
// takes it out of gsi2. When the condition fails, the old item comes back with the error, which tells
// ErrNotFound, ErrAlreadyPaid and ErrConflict (void, or not an invoice) apart without another read.
func (s *Store) MarkPaid(ctx context.Context, id string, at time.Time, by string) error {
	what := "dynamo: mark document " + id + " paid"
	cond := expression.AttributeExists(expression.Name(AttrPK)).
		And(expression.Name("kind").Equal(expression.Value(glassbox.DocumentInvoice))).
		And(expression.Name("state").Equal(expression.Value(glassbox.DocumentIssued)))
	update := expression.Set(expression.Name("state"), expression.Value(glassbox.DocumentPaid)).
		Set(expression.Name("paidAt"), expression.Value(FormatTime(at))).
		Set(expression.Name("paidBy"), expression.Value(by)).
		Remove(expression.Name(AttrGSI2PK)).
		Remove(expression.Name(AttrGSI2SK))
	old, err := s.transition(ctx, id, cond, update)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch {
	case old == nil:
		return nil
	case len(old) == 0:
		return fmt.Errorf("%s: %w", what, glassbox.ErrNotFound)
	case stringAttr(old, "kind") != string(glassbox.DocumentInvoice):
		return fmt.Errorf("%s: it is an %s, not an invoice: %w", what, stringAttr(old, "kind"), glassbox.ErrConflict)
	case stringAttr(old, "state") == string(glassbox.DocumentPaid):
		return fmt.Errorf("%s: paid at %s by %s: %w", what, stringAttr(old, "paidAt"), stringAttr(old, "paidBy"), glassbox.ErrAlreadyPaid)
	default:
		return fmt.Errorf("%s: it is %s: %w", what, stringAttr(old, "state"), glassbox.ErrConflict)
	}
}

// VoidDocument voids an issued document with one UpdateItem conditional on its state being issued, and takes
// it out of gsi2; its number stays used. On a failed condition the old item tells void (nil: nothing to do),
// paid (ErrConflict) and missing (ErrNotFound) apart.
func (s *Store) VoidDocument(ctx context.Context, id string, at time.Time, reason string) error {
	what := "dynamo: void document " + id
	cond := expression.AttributeExists(expression.Name(AttrPK)).
		And(expression.Name("state").Equal(expression.Value(glassbox.DocumentIssued)))
	update := expression.Set(expression.Name("state"), expression.Value(glassbox.DocumentVoid)).
		Set(expression.Name("voidedAt"), expression.Value(FormatTime(at))).
		Set(expression.Name("voidReason"), expression.Value(reason)).
		Remove(expression.Name(AttrGSI2PK)).
		Remove(expression.Name(AttrGSI2SK))
	old, err := s.transition(ctx, id, cond, update)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch {
	case old == nil:
		return nil
	case len(old) == 0:
		return fmt.Errorf("%s: %w", what, glassbox.ErrNotFound)
	case stringAttr(old, "state") == string(glassbox.DocumentVoid):
		return nil
	default:
		return fmt.Errorf("%s: it is %s: %w", what, stringAttr(old, "state"), glassbox.ErrConflict)
	}
}

// transition applies update to a document item under cond. It returns nil when it was applied, and the old
// item when the condition failed: empty (not nil) when there is no such document.
func (s *Store) transition(ctx context.Context, id string, cond expression.ConditionBuilder, update expression.UpdateBuilder) (map[string]types.AttributeValue, error) {
	expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(update).Build()
	if err != nil {
		return nil, err
	}
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           &s.table,
		Key:                                 key(docPK(id), skDoc),
		ConditionExpression:                 expr.Condition(),
		UpdateExpression:                    expr.Update(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if ccf.Item == nil {
			return map[string]types.AttributeValue{}, nil
		}
		return ccf.Item, nil
	}
	return nil, err
}

func numberAttr(item map[string]types.AttributeValue, name string) (int64, error) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("attribute %s is %T, want a number", name, item[name])
	}
	return strconv.ParseInt(v.Value, 10, 64)
}
