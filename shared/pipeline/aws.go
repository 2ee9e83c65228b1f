package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	sessdk "github.com/aws/aws-sdk-go-v2/service/ses"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/react"
	"github.com/glassbox-oss/glassbox/shared/ses"
	"github.com/glassbox-oss/glassbox/shared/ssm"
	"github.com/glassbox-oss/glassbox/shared/telegram"
)

// FromEnv builds the pipeline of a Lambda function (React, Sweep) on DynamoDB, SES and SSM, from the
// environment template.yaml gives it: TABLE_NAME, LINK_KEY_PARAM and PUBLIC_BASE_URL are required, CLAIM_LEASE
// is optional (a Go duration). A missing or malformed variable fails at start, naming it, rather than at the
// first event.
func FromEnv(ctx context.Context, getenv func(string) string, logger *slog.Logger) (Pipeline, error) {
	vars, err := Require(getenv, "TABLE_NAME", "LINK_KEY_PARAM", "PUBLIC_BASE_URL")
	if err != nil {
		return Pipeline{}, err
	}
	lease := react.DefaultClaimLease
	if v := getenv("CLAIM_LEASE"); v != "" {
		if lease, err = time.ParseDuration(v); err != nil || lease <= 0 {
			return Pipeline{}, fmt.Errorf("CLAIM_LEASE=%q is not a positive duration", v)
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return Pipeline{}, fmt.Errorf("load AWS config: %w", err)
	}
	store := dynamo.New(dynamodb.NewFromConfig(cfg), vars["TABLE_NAME"])
	return New(Deps{
		Store:         store,
		Feedback:      store,
		Mailer:        SESMailer(cfg, getenv),
		Clock:         glassbox.SystemClock{},
		Secrets:       ssm.NewSecrets(ssm.NewClient(cfg), 5*time.Minute),
		LinkKeyParam:  vars["LINK_KEY_PARAM"],
		PublicBaseURL: vars["PUBLIC_BASE_URL"],
		TelegramAPI:   telegramAPI(getenv),
		ClaimLease:    lease,
		ConfigTTL:     time.Minute,
		Logger:        logger,
	}), nil
}

// SESMailer is the SES mailer of a Lambda function: with the configuration set SES_CONFIGURATION_SET names
// (template.yaml's MailConfigurationSet), so SES reports the bounces and complaints of every message Glassbox
// sends to the BounceFunction.
func SESMailer(cfg aws.Config, getenv func(string) string) *ses.Mailer {
	m := ses.NewMailer(sessdk.NewFromConfig(cfg))
	if set := getenv("SES_CONFIGURATION_SET"); set != "" {
		m = m.WithConfigurationSet(set)
	}
	return m
}

// telegramAPI is the Bot API the functions send to: TELEGRAM_API when set (a proxy, a test stand-in), else
// Telegram's.
func telegramAPI(getenv func(string) string) string {
	if v := getenv("TELEGRAM_API"); v != "" {
		return v
	}
	return telegram.DefaultBaseURL
}

// Require reads the named environment variables and fails naming every one that is empty.
func Require(getenv func(string) string, names ...string) (map[string]string, error) {
	vars := make(map[string]string, len(names))
	var missing []string
	for _, n := range names {
		if vars[n] = getenv(n); vars[n] == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("environment variable %v not set", missing)
	}
	return vars, nil
}
