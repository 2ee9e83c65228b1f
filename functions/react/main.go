// Command react is the ReactFunction Lambda: new events from the table's stream in, task state and notices out.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	sessdk "github.com/aws/aws-sdk-go-v2/service/ses"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/react"
	"github.com/glassbox-oss/glassbox/shared/ses"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("load AWS config", "error", err.Error())
		os.Exit(1)
	}
	lease := react.DefaultClaimLease
	if v := os.Getenv("CLAIM_LEASE"); v != "" {
		if lease, err = time.ParseDuration(v); err != nil {
			logger.Error("CLAIM_LEASE is not a duration", "value", v)
			os.Exit(1)
		}
	}
	store := dynamo.New(dynamodb.NewFromConfig(cfg), os.Getenv("TABLE_NAME"))
	proc := react.NewProcessor(store, ses.NewMailer(sessdk.NewFromConfig(cfg)), glassbox.SystemClock{}, react.Options{
		ClaimLease: lease,
		ConfigTTL:  time.Minute,
		Logger:     logger,
	})
	lambda.Start(react.NewStreamHandler(proc, dynamo.DecodeEventImage, logger).Handle)
}
