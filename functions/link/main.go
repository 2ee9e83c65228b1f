// Command link is the LinkFunction Lambda: the signed links mailed out. GET /pay/{doc} shows an invoice and its
// "payment received" button, POST /pay/{doc} records the payment, GET /documents/{doc} downloads an issued PDF;
// GET /u/{token} shows a report's unsubscribe page, POST /u/{token} (RFC 8058 one-click) records the
// unsubscription and tells the project's manager by email; GET /p/{token} (.json, .csv) is a client's dashboard.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/dashboard"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/links"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/pipeline"
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
	// The handler keeps the key for the warm instance; the TTL only matters to the SSM adapter's own cache.
	keys := ssm.NewSecrets(ssm.NewClient(cfg), 5*time.Minute)
	clock := glassbox.SystemClock{}
	notices := courier.New(store, pipeline.Senders(pipeline.SESMailer(cfg, os.Getenv), nil), clock, 0, logger)
	h := links.NewHandler(store, keys, clock, links.Options{
		KeyParam: os.Getenv("LINK_KEY_PARAM"),
		Logger:   logger,
	}).WithUnsubscribe(store, notices).WithFeedback(store, notices)
	// The dashboard's PDF links are signed with the same key. Their base is the agency's public_url, else none:
	// a link relative to the page, which this function serves too (the API's URL cannot be passed in here,
	// as the API embeds this function's ARN).
	docLinks := &billing.Links{Secrets: keys, KeyParam: os.Getenv("LINK_KEY_PARAM")}
	// The deliverables' approval links are signed with the key this function checks them with.
	approvals := &linksign.KeyedSigner{Keys: keys, Param: os.Getenv("LINK_KEY_PARAM")}
	dash := dashboard.NewHandler(store, docLinks, approvals, clock, logger)
	lambda.Start(dashboard.Route(dash, h.Handle))
}
