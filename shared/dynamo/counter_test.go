package dynamo_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
)

// TestRequestCounter runs against a fake endpoint that answers every call with an empty result, so it needs
// no emulator.
func TestRequestCounter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	counter := &dynamo.RequestCounter{}
	client := dynamo.NewLocalClient(srv.URL, func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, counter.Register)
	})
	ctx := t.Context()
	table := aws.String("t")
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "x"}}

	if got := counter.Total(); got != 0 {
		t.Fatalf("zero counter Total() = %d", got)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: key}); err != nil {
				t.Errorf("PutItem: %v", err)
			}
			if _, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key}); err != nil {
				t.Errorf("GetItem: %v", err)
			}
		})
	}
	wg.Wait()
	calls := []func() error{
		func() error {
			_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key})
			return err
		},
		func() error {
			_, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key})
			return err
		},
		func() error {
			_, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{}})
			return err
		},
		func() error {
			_, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{}})
			return err
		},
		func() error { _, err := client.Query(ctx, &dynamodb.QueryInput{TableName: table}); return err },
	}
	for _, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call: %v", err)
		}
	}

	want := map[string]int64{"PutItem": 10, "GetItem": 10, "UpdateItem": 1, "DeleteItem": 1, "BatchWriteItem": 1, "TransactWriteItems": 1, "Query": 1}
	if diff := cmp.Diff(want, counter.Counts()); diff != "" {
		t.Errorf("Counts() mismatch (-want +got):\n%s", diff)
	}
	if got, want := counter.Count("PutItem"), int64(10); got != want {
		t.Errorf("Count(PutItem) = %d, want %d", got, want)
	}
	if got, want := counter.Writes(), int64(14); got != want {
		t.Errorf("Writes() = %d, want %d", got, want)
	}
	if got, want := counter.Total(), int64(25); got != want {
		t.Errorf("Total() = %d, want %d", got, want)
	}
	counter.Reset()
	if got := counter.Total(); got != 0 {
		t.Errorf("Total() after Reset = %d, want 0", got)
	}
	if _, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key}); err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if got, writes := counter.Total(), counter.Writes(); got != 1 || writes != 0 {
		t.Errorf("after Reset and one GetItem: Total() = %d, Writes() = %d; want 1, 0", got, writes)
	}
}
