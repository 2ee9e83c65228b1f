// Command seal is the SealFunction Lambda: hourly, it seals every project's new timeline entries (docs/timeline.md):
// a Merkle tree over them chained to the project's previous seal, written only if no other sealer took its number;
// with TSA_URL, each seal's hash is timestamped by that RFC 3161 authority. Then it refreshes each project's
// dashboard snapshot (its weekly figures, newest seal and, daily, the check of the whole timeline).
package main

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/dashboard"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/timeline"
	"github.com/glassbox-oss/glassbox/shared/tsa"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		logger.Error("SealFunction cannot start: TABLE_NAME is not set")
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("SealFunction cannot start: load AWS config", "error", err.Error())
		os.Exit(1)
	}
	store := dynamo.New(dynamodb.NewFromConfig(cfg), table)
	sealer := timeline.Sealer{Store: store, Clock: glassbox.SystemClock{}, Logger: logger}
	if url := os.Getenv("TSA_URL"); url != "" {
		sealer.Stamper = tsa.Client{URL: url}
	}
	refresher := dashboard.Refresher{Store: store, Clock: glassbox.SystemClock{}, Logger: logger}
	lambda.Start(func(ctx context.Context) error {
		// A project that failed to seal still gets its snapshot: its figures are news of their own.
		return errors.Join(timeline.SealAll(ctx, store, sealer, logger), refresher.RefreshAll(ctx))
	})
}
