// Command digest is the DigestFunction Lambda: every 15 minutes it sends the weekly digests and monthly reports
// (and the manager's call reminder) whose time has come in each project's zone, once each, paced; what a run
// has no time left for goes at the next one. Each report seals its project's timeline first (with TSA_URL, each
// such seal is timestamped), and the weekly digest carries the seal's hash.
package main

import (
	"context"
	"log/slog"
	"os"
	_ "time/tzdata" // provided.al2023 has no zoneinfo: reports go at a local time in each project's zone

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/glassbox-oss/glassbox/shared/pipeline"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	d, err := pipeline.ReportsFromEnv(context.Background(), os.Getenv, logger)
	if err != nil {
		logger.Error("DigestFunction cannot start", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(d.Tick)
}
