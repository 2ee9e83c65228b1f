package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/telegram"
)

// telegramSender is the Telegram channel of a deployment. The bot token is the one decision made here: the
// value of the SSM parameter (the local store's secret in glassbox dev) that the agency file names in
// agency.telegram_bot_param, read through the processor's cached configuration and the Secrets' cache, so a
// message costs no request for it.
func telegramSender(api string, client *http.Client, cfg courier.ConfigSource, secrets billing.Secrets) *telegram.Sender {
	return telegram.New(api, func(ctx context.Context) (string, error) {
		c, err := cfg.Config(ctx)
		if err != nil {
			return "", fmt.Errorf("read config: %w", err)
		}
		param := c.Agency.TelegramBotParam
		if param == "" {
			return "", errors.New("the agency file sets no agency.telegram_bot_param")
		}
		if secrets == nil {
			return "", errors.New("no secrets to read the bot token with")
		}
		token, err := secrets.Secret(ctx, param)
		if err != nil {
			return "", fmt.Errorf("read parameter %s: %w", param, err)
		}
		return token, nil
	}, client)
}
