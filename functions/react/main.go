// Command react is the ReactFunction Lambda: new events from the table's stream in; task state, notices, acts
// and invoices out.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	sessdk "github.com/aws/aws-sdk-go-v2/service/ses"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/bitrix24"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/pdf"
	"github.com/glassbox-oss/glassbox/shared/react"
	"github.com/glassbox-oss/glassbox/shared/ses"
	"github.com/glassbox-oss/glassbox/shared/ssm"
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
	secrets := ssm.NewSecrets(ssm.NewClient(cfg), 5*time.Minute)
	proc := react.NewProcessor(store, ses.NewMailer(sessdk.NewFromConfig(cfg)), glassbox.SystemClock{}, react.Options{
		ClaimLease: lease,
		ConfigTTL:  time.Minute,
		Logger:     logger,
		Billing: &react.Billing{
			Render:   pdf.Render,
			Links:    &billing.Links{Secrets: secrets, KeyParam: os.Getenv("LINK_KEY_PARAM"), PublicBaseURL: os.Getenv("PUBLIC_BASE_URL")},
			Secrets:  secrets,
			Fetchers: map[string]react.DealFetcher{"bitrix24": &bitrix24.Client{HTTP: &http.Client{Timeout: 10 * time.Second}}},
		},
	})
	lambda.Start(react.NewStreamHandler(proc, dynamo.DecodeEventImage, logger).Handle)
}
