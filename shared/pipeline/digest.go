package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/schedule"
	"github.com/glassbox-oss/glassbox/shared/ssm"
	"github.com/glassbox-oss/glassbox/shared/timeline"
	"github.com/glassbox-oss/glassbox/shared/tsa"
)

// ReportDeps is what the scheduled reports are built from: DigestFunction's AWS, or glassbox dev's local store
// and outbox.
type ReportDeps struct {
	Store schedule.Store
	// Reads is what the reports read (the same store).
	Reads  digest.Store
	Mailer courier.Mailer
	// Telegram sends Telegram messages; nil: the Bot API at TelegramAPI with the agency's bot token, or none.
	Telegram     courier.Sender
	TelegramAPI  string
	TelegramHTTP *http.Client
	Secrets      billing.Secrets
	// Unsubscribe makes a report email's one-click unsubscribe link; nil: no link.
	Unsubscribe digest.UnsubscribeURL
	// Rating makes a report email's one-click rating links (1–5); nil: no ratings.
	Rating  digest.RatingURL
	Clock   glassbox.Clock
	Options schedule.Options
	// Timeline, when set, is sealed as each weekly digest or monthly report is composed (timeline.Sealer's
	// Checkpoint: the seal covers every entry up to a minute before), and the weekly digest carries the head
	// after it as its checksum; nil: no seal, no checksum (previews).
	Timeline timeline.Store
	// Stamper, when set (TSA_URL, as SealFunction's), timestamps those seals, bounded by a timeline.StampBreaker
	// so an authority that is down delays a tick once, not per report.
	Stamper timeline.Stamper
	// SealClock is the sealer's clock (the system clock when nil). Not Clock: glassbox dev ticks as of a coming
	// Friday, and a seal must never close its window in the future.
	SealClock glassbox.Clock
}

// Reports builds the schedule dispatcher that composes the reports with digest and sends them on the
// deployment's channels.
func Reports(d ReportDeps) *schedule.Dispatcher {
	if d.Clock == nil {
		d.Clock = glassbox.SystemClock{}
	}
	if d.Telegram == nil && d.TelegramAPI != "" {
		// The bot token's parameter is read from the agency file, cached for a minute: a tick with a thousand
		// client groups reads it once, not per message.
		d.Telegram = telegramSender(d.TelegramAPI, d.TelegramHTTP, &cachedConfig{src: d.Store, ttl: time.Minute}, d.Secrets)
	}
	composer := digest.New(d.Reads, d.Unsubscribe).WithRating(d.Rating)
	if d.Timeline != nil {
		sealer := timeline.Sealer{Store: d.Timeline, Clock: d.SealClock, Logger: d.Options.Logger}
		if sealer.Clock == nil {
			sealer.Clock = glassbox.SystemClock{}
		}
		if d.Stamper != nil {
			sealer.Stamper = &timeline.StampBreaker{Stamper: d.Stamper}
		}
		composer.WithCheckpoints(sealer)
	}
	return schedule.New(d.Store, composer, Senders(d.Mailer, d.Telegram), d.Clock, d.Options)
}

// ReportsFromEnv builds DigestFunction's dispatcher from the environment template.yaml gives it: TABLE_NAME,
// LINK_KEY_PARAM and PUBLIC_BASE_URL are required; DIGEST_SEND_RATE (messages a second), CLAIM_LEASE (a Go
// duration) and TSA_URL (the RFC 3161 authority that stamps the seals, as SealFunction's) are optional. A missing or malformed variable fails at start, naming it.
func ReportsFromEnv(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*schedule.Dispatcher, error) {
	vars, err := Require(getenv, "TABLE_NAME", "LINK_KEY_PARAM", "PUBLIC_BASE_URL")
	if err != nil {
		return nil, err
	}
	opts := schedule.Options{Logger: logger}
	if v := getenv("DIGEST_SEND_RATE"); v != "" {
		if opts.Rate, err = strconv.ParseFloat(v, 64); err != nil || opts.Rate <= 0 {
			return nil, fmt.Errorf("DIGEST_SEND_RATE=%q is not a positive number of messages a second", v)
		}
	}
	if v := getenv("CLAIM_LEASE"); v != "" {
		if opts.ClaimLease, err = time.ParseDuration(v); err != nil || opts.ClaimLease <= 0 {
			return nil, fmt.Errorf("CLAIM_LEASE=%q is not a positive duration", v)
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	store := dynamo.New(dynamodb.NewFromConfig(cfg), vars["TABLE_NAME"])
	secrets := ssm.NewSecrets(ssm.NewClient(cfg), 5*time.Minute)
	links := &billing.Links{Secrets: secrets, KeyParam: vars["LINK_KEY_PARAM"], PublicBaseURL: vars["PUBLIC_BASE_URL"]}
	var stamper timeline.Stamper
	if url := getenv("TSA_URL"); url != "" {
		stamper = tsa.Client{URL: url}
	}
	return Reports(ReportDeps{
		Store:       store,
		Reads:       store,
		Mailer:      SESMailer(cfg, getenv),
		TelegramAPI: telegramAPI(getenv),
		Secrets:     secrets,
		// The one-click unsubscribe and rating links, signed with the key LINK_KEY_PARAM names, served by
		// LinkFunction at PUBLIC_BASE_URL/u/ and /r/ (or the agency's public_url).
		Unsubscribe: links.UnsubscribeURL,
		Rating:      links.RatingURL,
		Options:     opts,
		Timeline:    store,
		Stamper:     stamper,
	}), nil
}

// cachedConfig is a configuration source read again at most every ttl.
type cachedConfig struct {
	src courier.ConfigSource
	ttl time.Duration
	mu  sync.Mutex
	cfg glassbox.Config
	at  time.Time
}

func (c *cachedConfig) Config(ctx context.Context) (glassbox.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < c.ttl {
		return c.cfg, nil
	}
	cfg, err := c.src.Config(ctx)
	if err != nil {
		return cfg, err
	}
	c.cfg, c.at = cfg, time.Now()
	return cfg, nil
}
