// Command sweep is the SweepFunction Lambda: every few minutes it finishes events that were accepted but not
// processed to the end (a React invocation that died or timed out, throttling, a batch in the dead-letter
// queue), through the same processor as React.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/react"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	p, err := pipeline.FromEnv(context.Background(), os.Getenv, logger)
	if err != nil {
		logger.Error("SweepFunction cannot start", "error", err.Error())
		os.Exit(1)
	}
	grace, err := time.ParseDuration(os.Getenv("SWEEP_GRACE"))
	if err != nil || grace <= 0 {
		logger.Error("SweepFunction cannot start: SWEEP_GRACE is not a positive duration", "value", os.Getenv("SWEEP_GRACE"))
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context) (react.SweepResult, error) {
		return p.Processor.Sweep(ctx, grace, react.DefaultSweepLimit)
	})
}
