// Command pull is the PullFunction Lambda: on its schedule, the last days' figures of every Yandex.Direct and
// Yandex.Metrika binding, stored per project, day and source (a re-pulled day replaces, never doubles).
package main

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"time"
	_ "time/tzdata" // provided.al2023 has no zoneinfo: "yesterday" is the project's

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/pull"
	"github.com/glassbox-oss/glassbox/shared/ssm"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	fail := func(msg string, args ...any) {
		logger.Error("PullFunction cannot start: "+msg, args...)
		os.Exit(1)
	}
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		fail("TABLE_NAME is not set")
	}
	days, err := strconv.Atoi(os.Getenv("PULL_DAYS"))
	if err != nil || days < 1 || days > pull.MaxDays {
		fail("PULL_DAYS is not a number of days from 1 to 90", "value", os.Getenv("PULL_DAYS"))
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fail("load AWS config", "error", err.Error())
	}
	store := dynamo.New(dynamodb.NewFromConfig(cfg), table)
	secrets := ssm.NewSecrets(ssm.NewClient(cfg), 5*time.Minute)
	p := pull.New(store, secrets, providers.Pulled(), glassbox.SystemClock{}, pull.Options{Days: days, Logger: logger})
	lambda.Start(p.Run)
}
