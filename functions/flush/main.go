// Command flush is the FlushFunction Lambda: every minute it sends the held client notices whose time came
// (quiet hours over, coalescing window closed; several task-done notices of a project as one message) and
// tells managers of tasks past their due date, through the same processor as React.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/glassbox-oss/glassbox/shared/pipeline"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	p, err := pipeline.FromEnv(context.Background(), os.Getenv, logger)
	if err != nil {
		logger.Error("FlushFunction cannot start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(p.Processor.Flush)
}
