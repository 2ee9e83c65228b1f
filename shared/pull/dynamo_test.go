package pull_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
)

// TestRunDynamoDB runs the scenario on DynamoDB Local: PutMetrics's batch writes replace a re-pulled day there
// too. It fails, not skips, without the emulator.
func TestRunDynamoDB(t *testing.T) {
	t.Parallel()
	ep := os.Getenv("DYNAMODB_ENDPOINT")
	if ep == "" {
		t.Fatal("DYNAMODB_ENDPOINT is not set: run `make test` (or scripts/with-emulators.sh go test ./shared/pull), or `scripts/dynamodb-local.sh start` and source .cache/dynamodb.env")
	}
	client := dynamo.NewLocalClient(ep)
	table := fmt.Sprintf("glassbox-pull-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(t.Context(), client, table); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &table})
	})
	runScenario(t, dynamo.New(client, table))
}
