// Package providers lists the tracker and CRM providers Glassbox understands. Adding one is a new package and
// one line here.
package providers

import (
	"github.com/glassbox-oss/glassbox/shared/amocrm"
	"github.com/glassbox-oss/glassbox/shared/bitrix24"
	"github.com/glassbox-oss/glassbox/shared/hubspot"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/pipedrive"
	"github.com/glassbox-oss/glassbox/shared/trello"
)

// All returns every provider, for the ingest handler.
func All() []ingest.Provider {
	return []ingest.Provider{
		trello.New(),
		amocrm.New(),
		bitrix24.New(),
		hubspot.New(),
		pipedrive.New(),
	}
}
