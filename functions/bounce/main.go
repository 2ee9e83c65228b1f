// Command bounce is the BounceFunction Lambda: SES's bounce and complaint notifications (published by the
// configuration set to an SNS topic) in; the message marked bounced, the address suppressed and the project's
// manager told, out.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/bounce"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	vars, err := pipeline.Require(os.Getenv, "TABLE_NAME")
	if err != nil {
		logger.Error("BounceFunction cannot start", "error", err.Error())
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("BounceFunction cannot start: load AWS config", "error", err.Error())
		os.Exit(1)
	}
	store := dynamo.New(dynamodb.NewFromConfig(cfg), vars["TABLE_NAME"])
	h := bounce.New(store, pipeline.SESMailer(cfg, os.Getenv), glassbox.SystemClock{}, logger).
		SentWith(os.Getenv("SES_CONFIGURATION_SET"))
	lambda.Start(h.HandleSNS)
}
