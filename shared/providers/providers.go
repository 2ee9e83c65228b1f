// Package providers is the one list of the providers Glassbox understands: the trackers and CRMs that send
// webhooks (All) and the sources it pulls figures from (Pulled). Adding one is a new package and one line.
package providers

import (
	"github.com/glassbox-oss/glassbox/shared/amocrm"
	"github.com/glassbox-oss/glassbox/shared/asana"
	"github.com/glassbox-oss/glassbox/shared/bitrix24"
	"github.com/glassbox-oss/glassbox/shared/clickup"
	"github.com/glassbox-oss/glassbox/shared/generichook"
	"github.com/glassbox-oss/glassbox/shared/github"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/hubspot"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/jira"
	"github.com/glassbox-oss/glassbox/shared/kaiten"
	"github.com/glassbox-oss/glassbox/shared/linear"
	"github.com/glassbox-oss/glassbox/shared/metrics"
	"github.com/glassbox-oss/glassbox/shared/pipedrive"
	"github.com/glassbox-oss/glassbox/shared/pull"
	"github.com/glassbox-oss/glassbox/shared/trello"
	"github.com/glassbox-oss/glassbox/shared/yandexdirect"
	"github.com/glassbox-oss/glassbox/shared/yandexmetrika"
)

// All returns every provider. Each declares what it is (Info); a provider that has a subscription check also
// implements ingest.Handshaker, one that reads events back through its API also has a ReadBack method
// (react.ReadBacker).
func All() []ingest.Provider {
	return []ingest.Provider{
		trello.New(),
		amocrm.New(),
		bitrix24.New(),
		hubspot.New(),
		pipedrive.New(),
		kaiten.New(),
		jira.New(),
		clickup.New(),
		asana.New(),
		github.New(),
		linear.New(),
		generichook.New(),
		metrics.New(),
	}
}

// Pulled returns the sources Glassbox pulls figures from on a schedule (PullFunction). They receive no
// webhooks, so they are not in All: ingest answers their hook URLs 404.
func Pulled() []pull.Source {
	return []pull.Source{
		yandexdirect.New(),
		yandexmetrika.New(),
	}
}

// Catalog is what every provider declares, for validating the agency file.
func Catalog() glassbox.ProviderCatalog {
	all, pulled := All(), Pulled()
	c := make(glassbox.ProviderCatalog, 0, len(all)+len(pulled))
	for _, p := range all {
		c = append(c, p.Info())
	}
	for _, p := range pulled {
		c = append(c, p.Info())
	}
	return c
}
