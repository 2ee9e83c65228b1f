package glassbox

import (
	"path"
	"strings"
)

// Secret folders. The stack grants its functions SSM parameters by folder right under its SecretsPrefix
// (template.yaml), and only the agency file names the parameters, so the file must put a parameter a narrowly
// granted function uses in that function's folder. Validate holds it to that, so a misplaced name is an error at
// apply time, not an AccessDenied in production.
const (
	// HandshakeSecretFolder holds the webhook secrets a provider hands over in its subscription handshake
	// (Asana's X-Hook-Secret), under a binding's secret_param: the internet-facing IngestFunction may create
	// parameters here and nowhere else, and may never overwrite one.
	HandshakeSecretFolder = "hooks"
	// TelegramSecretFolder holds the Telegram bot token (agency.telegram_bot_param): FlushFunction, which needs no
	// other secret but the link key, may read here and nowhere else under the prefix.
	TelegramSecretFolder = "telegram"
	// PullSecretFolder holds the API tokens of the sources Glassbox pulls figures from (a binding's api_param for
	// Yandex.Direct and Yandex.Metrika): PullFunction may read here and nowhere else.
	PullSecretFolder = "pull"
)

// InSecretFolder reports whether the SSM parameter name sits directly in folder, whatever the prefix before it:
// "/glassbox/hooks/site-asana" is in "hooks", "/glassbox/asana/site" and "/glassbox/hooks/a/b" are not.
func InSecretFolder(name, folder string) bool {
	return !strings.HasSuffix(name, "/") && path.Base(path.Dir(name)) == folder
}
