package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/storetest"
)

// endpoint returns DynamoDB Local's endpoint, failing (not skipping) the test when it is not running.
func endpoint(t *testing.T) string {
	t.Helper()
	ep := os.Getenv("DYNAMODB_ENDPOINT")
	if ep == "" {
		t.Fatal("DYNAMODB_ENDPOINT is not set: run `make test`, or `scripts/dynamodb-local.sh start` and source .cache/dynamodb.env")
	}
	return ep
}

var tableSeq atomic.Int64

var unsafeTableChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// newTable creates a fresh, uniquely named table and deletes it when the test ends.
func newTable(t *testing.T, client *dynamodb.Client) string {
	t.Helper()
	name := unsafeTableChars.ReplaceAllString(t.Name(), "-")
	if len(name) > 100 {
		name = name[:100]
	}
	table := fmt.Sprintf("glassbox-test-%d-%d-%s", time.Now().UnixNano(), tableSeq.Add(1), name)
	if err := dynamo.CreateTable(t.Context(), client, table); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	t.Cleanup(func() {
		// t.Context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
			t.Errorf("DeleteTable %s: %v", table, err)
		}
	})
	return table
}

func TestStore(t *testing.T) {
	client := dynamo.NewLocalClient(endpoint(t))
	storetest.Run(t, func(t *testing.T) glassbox.Store {
		return dynamo.New(client, newTable(t, client))
	})
}

// TestCreateTable pins the schema the SAM template declares too.
func TestCreateTable(t *testing.T) {
	client := dynamo.NewLocalClient(endpoint(t))
	table := newTable(t, client)
	out, err := client.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	d := out.Table
	if d.TableStatus != types.TableStatusActive {
		t.Errorf("status %s, want ACTIVE", d.TableStatus)
	}
	keys := func(ks []types.KeySchemaElement) string {
		s := ""
		for _, k := range ks {
			s += fmt.Sprintf("%s:%s ", aws.ToString(k.AttributeName), k.KeyType)
		}
		return s
	}
	if got, want := keys(d.KeySchema), "pk:HASH sk:RANGE "; got != want {
		t.Errorf("key schema %q, want %q", got, want)
	}
	var gsis []string
	for _, g := range d.GlobalSecondaryIndexes {
		gsis = append(gsis, aws.ToString(g.IndexName)+" "+keys(g.KeySchema)+string(g.Projection.ProjectionType))
	}
	slices.Sort(gsis)
	if got, want := gsis, []string{"gsi1 gsi1pk:HASH gsi1sk:RANGE ALL", "gsi2 gsi2pk:HASH gsi2sk:RANGE ALL"}; !slices.Equal(got, want) {
		t.Errorf("global secondary indexes %q, want %q", got, want)
	}
	if d.StreamSpecification == nil || !aws.ToBool(d.StreamSpecification.StreamEnabled) || d.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("stream %+v, want enabled with NEW_AND_OLD_IMAGES", d.StreamSpecification)
	}
	if d.BillingModeSummary == nil || d.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing %+v, want PAY_PER_REQUEST", d.BillingModeSummary)
	}
	ttl, err := client.DescribeTimeToLive(t.Context(), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("DescribeTimeToLive: %v", err)
	}
	if got := aws.ToString(ttl.TimeToLiveDescription.AttributeName); got != "expiresAt" {
		t.Errorf("TTL attribute %q, want expiresAt", got)
	}
}

// TestAppendEventOneWrite pins the cost of ingest: one conditional PutItem, duplicate or not.
func TestAppendEventOneWrite(t *testing.T) {
	counter := &dynamo.RequestCounter{}
	client := dynamo.NewLocalClient(endpoint(t), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, counter.Register)
	})
	s := dynamo.New(client, newTable(t, client))
	e := glassbox.Event{ID: "trello:1", ProjectID: "site", Provider: "trello", Kind: glassbox.EventTaskCreated,
		OccurredAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}

	for _, tt := range []struct {
		name    string
		wantErr error
	}{{"New", nil}, {"Duplicate", glassbox.ErrDuplicate}} {
		t.Run(tt.name, func(t *testing.T) {
			counter.Reset()
			if err := s.AppendEvent(t.Context(), e); !errors.Is(err, tt.wantErr) {
				t.Fatalf("AppendEvent: err = %v, want %v", err, tt.wantErr)
			}
			if got, want := counter.Counts(), map[string]int64{"PutItem": 1}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("requests %v, want %v", got, want)
			}
			if got := counter.Writes(); got != 1 {
				t.Errorf("Writes() = %d, want 1", got)
			}
		})
	}
}

// TestRequestCosts pins how many requests the hot paths of react take.
func TestRequestCosts(t *testing.T) {
	counter := &dynamo.RequestCounter{}
	client := dynamo.NewLocalClient(endpoint(t), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, counter.Register)
	})
	s := dynamo.New(client, newTable(t, client))
	ctx := t.Context()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m := glassbox.Message{ID: "m1", ProjectID: "site", ClaimToken: "a", ClaimedAt: at}
	for _, tt := range []struct {
		name          string
		do            func() error
		total, writes int64
	}{
		{"ClaimMessage", func() error { return s.ClaimMessage(ctx, m, time.Minute) }, 1, 1},
		{"ClaimHeld", func() error {
			if err := s.ClaimMessage(ctx, m, time.Minute); !errors.Is(err, glassbox.ErrClaimHeld) {
				return fmt.Errorf("err = %v, want ErrClaimHeld", err)
			}
			return nil
		}, 1, 1},
		{"MarkMessageSent", func() error { return s.MarkMessageSent(ctx, "m1", "a", at, "ses-1") }, 1, 1},
		{"AlreadySent", func() error {
			if err := s.ClaimMessage(ctx, m, time.Minute); !errors.Is(err, glassbox.ErrAlreadySent) {
				return fmt.Errorf("err = %v, want ErrAlreadySent", err)
			}
			return nil
		}, 1, 1},
		{"PutTask", func() error {
			return s.PutTask(ctx, glassbox.Task{ProjectID: "site", Provider: "trello", TaskID: "c1", Version: 1})
		}, 1, 1},
		{"Task", func() error { _, err := s.Task(ctx, "site", "trello", "c1"); return err }, 1, 0},
		{"Binding", func() error {
			_, err := s.Binding(ctx, "trello", "b1")
			if !errors.Is(err, glassbox.ErrNotFound) {
				return fmt.Errorf("err = %v, want ErrNotFound", err)
			}
			return nil
		}, 1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			counter.Reset()
			if err := tt.do(); err != nil {
				t.Fatal(err)
			}
			if got := counter.Total(); got != tt.total {
				t.Errorf("Total() = %d, want %d (%v)", got, tt.total, counter.Counts())
			}
			if got := counter.Writes(); got != tt.writes {
				t.Errorf("Writes() = %d, want %d (%v)", got, tt.writes, counter.Counts())
			}
		})
	}
}

// TestPutConfigManyEntities crosses BatchWriteItem's 25-request limit, both ways.
func TestPutConfigManyEntities(t *testing.T) {
	client := dynamo.NewLocalClient(endpoint(t))
	s := dynamo.New(client, newTable(t, client))
	ctx := t.Context()
	big := glassbox.Config{Agency: glassbox.Agency{Name: "Studio"}}
	for i := range 40 {
		id := fmt.Sprintf("c%02d", 39-i) // stored key order differs from list order
		big.Clients = append(big.Clients, glassbox.Client{ID: id, Name: id})
		big.Projects = append(big.Projects, glassbox.Project{ID: "p" + id, ClientID: id, Name: id})
		big.Bindings = append(big.Bindings, glassbox.Binding{ID: "b" + id, ProjectID: "p" + id, Provider: "trello"})
	}
	if err := s.PutConfig(ctx, big); err != nil {
		t.Fatalf("PutConfig: %v", err)
	}
	got, err := s.Config(ctx)
	if err != nil {
		t.Fatalf("Config: %v", err)
	}
	if len(got.Clients) != 40 || len(got.Projects) != 40 || len(got.Bindings) != 40 {
		t.Fatalf("Config has %d clients, %d projects, %d bindings; want 40 each", len(got.Clients), len(got.Projects), len(got.Bindings))
	}
	for i := range 40 {
		if got.Clients[i].ID != big.Clients[i].ID || got.Bindings[i].ID != big.Bindings[i].ID {
			t.Fatalf("entity %d: client %s binding %s, want %s %s (order kept)", i, got.Clients[i].ID, got.Bindings[i].ID, big.Clients[i].ID, big.Bindings[i].ID)
		}
	}
	small := glassbox.Config{Agency: big.Agency, Clients: big.Clients[:1], Projects: big.Projects[:1], Bindings: big.Bindings[:1]}
	if err := s.PutConfig(ctx, small); err != nil {
		t.Fatalf("PutConfig(small): %v", err)
	}
	got, err = s.Config(ctx)
	if err != nil {
		t.Fatalf("Config: %v", err)
	}
	if len(got.Clients) != 1 || len(got.Projects) != 1 || len(got.Bindings) != 1 {
		t.Errorf("after shrinking: %d clients, %d projects, %d bindings; want 1 each", len(got.Clients), len(got.Projects), len(got.Bindings))
	}
}

// TestStoredTimes pins the fixed-width UTC time strings the sort keys and conditions rely on.
func TestStoredTimes(t *testing.T) {
	client := dynamo.NewLocalClient(endpoint(t))
	table := newTable(t, client)
	s := dynamo.New(client, table)
	msk := time.FixedZone("MSK", 3*60*60)
	e := glassbox.Event{ID: "trello:1", ProjectID: "site", Provider: "trello",
		OccurredAt: time.Date(2026, 3, 2, 12, 0, 0, 0, msk)}
	if err := s.AppendEvent(t.Context(), e); err != nil {
		t.Fatalf("AppendEvent: %v", err)
	}
	out, err := client.GetItem(t.Context(), &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "EVENT#trello:1"}, "sk": &types.AttributeValueMemberS{Value: "EVENT"},
	}})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	for attr, want := range map[string]string{
		"type":       "event",
		"gsi1pk":     "PROJECT#site",
		"gsi1sk":     "EVENT#2026-03-02T09:00:00.000000000Z#trello:1",
		"occurredAt": "2026-03-02T09:00:00.000000000Z",
		"receivedAt": "0001-01-01T00:00:00.000000000Z",
	} {
		got, _ := out.Item[attr].(*types.AttributeValueMemberS)
		if got == nil || got.Value != want {
			t.Errorf("%s = %#v, want %q", attr, out.Item[attr], want)
		}
	}
}

// TestDocumentItems pins the document items' keys: the project index, the sparse open-invoice index that
// MarkPaid empties, the PDF in its own item, and the series counter.
func TestDocumentItems(t *testing.T) {
	counter := &dynamo.RequestCounter{}
	client := dynamo.NewLocalClient(endpoint(t), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, counter.Register)
	})
	table := newTable(t, client)
	s := dynamo.New(client, table)
	ctx := t.Context()
	at := time.Date(2026, 3, 2, 12, 0, 0, 0, time.FixedZone("MSK", 3*60*60))
	inv := glassbox.Document{ID: "doc-1", Kind: glassbox.DocumentInvoice, ProjectID: "site", CloseID: "close:site:s1",
		Series: "px/invoice/2026", Seq: 1, IssuedAt: at, DueDate: "2026-03-07", Total: 150000_00}
	act := glassbox.Document{ID: "doc-2", Kind: glassbox.DocumentAct, ProjectID: "site", CloseID: "close:site:s1",
		Series: "px/act/2026", Seq: 1, IssuedAt: at}
	c := glassbox.StageClose{ID: "close:site:s1", ProjectID: "site", StageID: "s1", ClosedAt: at, DocumentIDs: []string{"doc-1", "doc-2"}}
	item := func(pk, sk string) map[string]types.AttributeValue {
		t.Helper()
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk},
		}})
		if err != nil {
			t.Fatalf("GetItem %s/%s: %v", pk, sk, err)
		}
		return out.Item
	}
	check := func(it map[string]types.AttributeValue, want map[string]string) {
		t.Helper()
		for attr, w := range want {
			var got string
			switch v := it[attr].(type) {
			case *types.AttributeValueMemberS:
				got = v.Value
			case *types.AttributeValueMemberN:
				got = "N:" + v.Value
			case nil:
				got = "<absent>"
			}
			if got != w {
				t.Errorf("%s = %q, want %q", attr, got, w)
			}
		}
	}
	counter.Reset() // creating the table
	costs := func(name string, want map[string]int64) {
		t.Helper()
		if got := counter.Counts(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: requests %v, want %v", name, got, want)
		}
		counter.Reset()
	}

	if _, err := s.NextNumber(ctx, "px/invoice/2026"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NextNumber(ctx, "px/act/2026"); err != nil {
		t.Fatal(err)
	}
	costs("NextNumber x2", map[string]int64{"GetItem": 2})
	err := s.IssueDocuments(ctx, c, []glassbox.IssuedDocument{{Document: inv, PDF: []byte("%PDF-inv")}, {Document: act, PDF: []byte("%PDF-act")}})
	if err != nil {
		t.Fatalf("IssueDocuments: %v", err)
	}
	costs("IssueDocuments", map[string]int64{"TransactWriteItems": 1})
	if err := s.IssueDocuments(ctx, c, []glassbox.IssuedDocument{{Document: inv, PDF: []byte("%PDF-inv")}}); !errors.Is(err, glassbox.ErrDuplicate) {
		t.Fatalf("IssueDocuments again: err = %v, want ErrDuplicate", err)
	}
	costs("IssueDocuments duplicate", map[string]int64{"TransactWriteItems": 1})

	check(item("DOC#doc-1", "DOC"), map[string]string{
		"type": "document", "gsi1pk": "PROJECT#site", "gsi1sk": "DOC#2026-03-02T09:00:00.000000000Z#doc-1",
		"gsi2pk": "OPEN_INVOICE", "gsi2sk": "2026-03-07#doc-1", "issuedAt": "2026-03-02T09:00:00.000000000Z",
		"state": "issued", "pdf": "<absent>",
	})
	check(item("DOC#doc-2", "DOC"), map[string]string{"type": "document", "gsi2pk": "<absent>", "gsi2sk": "<absent>"})
	check(item("CLOSE#close:site:s1", "CLOSE"), map[string]string{"type": "close", "closedAt": "2026-03-02T09:00:00.000000000Z"})
	check(item("SERIES#px/invoice/2026", "SERIES"), map[string]string{"type": "series", "next": "N:2"})
	if pdf, ok := item("DOC#doc-1", "PDF")["pdf"].(*types.AttributeValueMemberB); !ok || string(pdf.Value) != "%PDF-inv" {
		t.Errorf("PDF item holds %#v, want the bytes", pdf)
	}
	counter.Reset()

	open, err := s.OpenInvoices(ctx)
	if err != nil || len(open) != 1 {
		t.Fatalf("OpenInvoices = %v, %v; want doc-1", open, err)
	}
	costs("OpenInvoices", map[string]int64{"Query": 1})
	if err := s.MarkPaid(ctx, "doc-1", at.Add(time.Hour), "accountant link"); err != nil {
		t.Fatalf("MarkPaid: %v", err)
	}
	costs("MarkPaid", map[string]int64{"UpdateItem": 1})
	if err := s.MarkPaid(ctx, "doc-1", at.Add(time.Hour), "amocrm"); !errors.Is(err, glassbox.ErrAlreadyPaid) {
		t.Fatalf("MarkPaid again: err = %v, want ErrAlreadyPaid", err)
	}
	costs("MarkPaid again", map[string]int64{"UpdateItem": 1})
	check(item("DOC#doc-1", "DOC"), map[string]string{
		"state": "paid", "paidAt": "2026-03-02T10:00:00.000000000Z", "paidBy": "accountant link",
		"gsi2pk": "<absent>", "gsi2sk": "<absent>", "gsi1pk": "PROJECT#site",
	})
}
