// Command ingest is the IngestFunction Lambda: webhook deliveries in, one conditional DynamoDB write each.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/ssm"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("load AWS config", "error", err.Error())
		os.Exit(1)
	}
	store := dynamo.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"))
	secrets := ssm.NewSecrets(ssm.NewClient(cfg), 5*time.Minute)
	h := ingest.NewHandler(store, secrets, providers.All(), glassbox.SystemClock{}, ingest.Options{
		PublicBaseURL: os.Getenv("PUBLIC_BASE_URL"),
		BindingTTL:    30 * time.Second,
		Logger:        logger,
	})
	lambda.Start(h.Handle)
}
