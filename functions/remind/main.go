// Command remind is the RemindFunction Lambda: on its schedule, soft reminders of unpaid invoices to clients in
// their working hours, and the manager told after the last one.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"
	_ "time/tzdata" // provided.al2023 has no zoneinfo: working hours are in the project's zone

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
	"github.com/glassbox-oss/glassbox/shared/remind"
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
	links := &billing.Links{Secrets: secrets, KeyParam: os.Getenv("LINK_KEY_PARAM"), PublicBaseURL: os.Getenv("PUBLIC_BASE_URL")}
	r := remind.New(store, pipeline.Senders(pipeline.SESMailer(cfg, os.Getenv), nil), links, glassbox.SystemClock{}, courier.DefaultClaimLease, logger)
	lambda.Start(r.Run)
}
