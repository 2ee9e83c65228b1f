// Package pipeline builds the event processor with everything an accepted event may need: task notices,
// billing (numbering, PDFs, signed links), CRM read-back. The React and Sweep functions, glassbox dev, replay,
// preview and the benchmarks all build it here, so none of them can leave a part out.
package pipeline

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/pdf"
	"github.com/glassbox-oss/glassbox/shared/providers"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// Deps is what the processor is built from.
type Deps struct {
	Store react.Store
	// Mailer sends email: SES on AWS, the outbox in glassbox dev.
	Mailer courier.Mailer
	// Telegram sends Telegram messages. nil: the Bot API at TelegramAPI, with the bot token named by the agency
	// file (telegramSender); with TelegramAPI empty too, the deployment has no Telegram (a Telegram message then
	// fails and its event stays pending).
	Telegram courier.Sender
	// TelegramAPI is the Bot API's base URL (telegram.DefaultBaseURL; glassbox dev's stand-in), and
	// TelegramHTTP the client that reaches it (nil: a default one).
	TelegramAPI  string
	TelegramHTTP *http.Client
	Clock        glassbox.Clock
	// Secrets reads the link key and CRM read-back secrets: SSM on AWS, the local store in glassbox dev.
	Secrets billing.Secrets
	// LinkKeyParam names the secret that signs payment and download links.
	LinkKeyParam string
	// PublicBaseURL is where links point unless the agency's public_url says otherwise.
	PublicBaseURL string
	// ClaimLease and ConfigTTL: see react.Options; zero takes the defaults (no config cache).
	ClaimLease time.Duration
	ConfigTTL  time.Duration
	Logger     *slog.Logger
	// Feedback lists the client's feedback, for the sweep to send the manager's notices a link could not
	// (react.Options.Feedback); nil: the sweep does not look at feedback.
	Feedback react.FeedbackLister
}

// Pipeline is the processor and the link maker it signs with (glassbox dev also lists documents with it).
type Pipeline struct {
	Processor *react.Processor
	Links     *billing.Links
}

// readBackers are the providers that read events back through their API, by name.
func readBackers() map[string]react.ReadBacker {
	m := map[string]react.ReadBacker{}
	for _, p := range providers.All() {
		if rb, ok := p.(react.ReadBacker); ok {
			m[p.Info().Name] = rb
		}
	}
	return m
}

// Senders are the channels of a deployment: email through mailer, Telegram through telegram when there is one.
// React, Sweep, Remind and glassbox dev all send through them.
func Senders(mailer courier.Mailer, telegram courier.Sender) courier.Senders {
	s := courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: mailer}}
	if telegram != nil {
		s[glassbox.ChannelTelegram] = telegram
	}
	return s
}

// New builds the processor with billing.
func New(d Deps) Pipeline {
	if d.Clock == nil {
		d.Clock = glassbox.SystemClock{}
	}
	links := &billing.Links{Secrets: d.Secrets, KeyParam: d.LinkKeyParam, PublicBaseURL: d.PublicBaseURL}
	var proc *react.Processor
	if d.Telegram == nil && d.TelegramAPI != "" {
		// The sender reads the token's parameter from the processor's cached configuration, once it exists.
		d.Telegram = telegramSender(d.TelegramAPI, d.TelegramHTTP, configOf(func() *react.Processor { return proc }), d.Secrets)
	}
	proc = react.NewProcessor(d.Store, Senders(d.Mailer, d.Telegram), d.Clock, react.Options{
		ClaimLease: d.ClaimLease,
		ConfigTTL:  d.ConfigTTL,
		Logger:     d.Logger,
		Billing:    &react.Billing{Render: pdf.Render, Links: links},
		ReadBack:   readBackers(),
		Secrets:    d.Secrets,
		Approvals:  links,
		Feedback:   d.Feedback,
	})
	return Pipeline{Processor: proc, Links: links}
}

// configOf is the configuration of a processor built after the sender that reads it.
type configOf func() *react.Processor

func (f configOf) Config(ctx context.Context) (glassbox.Config, error) { return f().Config(ctx) }
