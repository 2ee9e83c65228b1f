// Command react is the ReactFunction Lambda: new events from the table's stream in; task state, notices, acts
// and invoices out.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/react"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	p, err := pipeline.FromEnv(context.Background(), os.Getenv, logger)
	if err != nil {
		logger.Error("ReactFunction cannot start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(react.NewStreamHandler(p.Processor, dynamo.DecodeEventImage, logger).Handle)
}
