package glassbox

import (
	"sort"
	"strings"
)

// ProviderKind says what a provider's bindings route: tasks to one project (a tracker), or deals to billed
// projects (a CRM).
type ProviderKind string

// The kinds of provider.
const (
	// ProviderTracker: a task tracker (Trello, Kaiten, Asana, Jira, ...). Its binding has a project and a
	// status_map.
	ProviderTracker ProviderKind = "tracker"
	// ProviderCRM: a CRM (amoCRM, Bitrix24, HubSpot, Pipedrive). Its binding has deals and a stage_map.
	ProviderCRM ProviderKind = "crm"
	// ProviderMetrics: a source of daily figures (spend, leads) for one project. Its binding has a project and
	// no status_map. It either receives them on its hook (the signed metrics hook) or is pulled on a schedule
	// (Pulled: Yandex.Direct, Yandex.Metrika), when its hook URL answers 404.
	ProviderMetrics ProviderKind = "metrics"
)

// ProviderInfo is what a provider declares about itself. The domain never names a provider: validation,
// ingest and React ask the catalog the registry builds from these.
type ProviderInfo struct {
	// Name is the provider's name in hook URLs (/hooks/{name}/{binding}) and bindings.
	Name string
	Kind ProviderKind
	// ReadsBack says the provider's events are completed or checked through its API before they are acted on,
	// so its bindings must name api_param, the SSM parameter holding the API credential.
	ReadsBack bool
	// NeedsAPIURL says its bindings must give api_url, the account's own API address (Kaiten and Jira have one
	// host per company).
	NeedsAPIURL bool
	// SecretFromHandshake says the webhook secret is handed over by the provider's subscription handshake
	// (Asana's X-Hook-Secret) and kept under the binding's secret_param, rather than set by the admin.
	SecretFromHandshake bool
	// Pulled says Glassbox fetches this provider's data on a schedule instead of receiving webhooks: ingest
	// answers its hook URL 404.
	Pulled bool
	// NeedsCurrency says its figures are money in the account's currency, which its API does not name, so its
	// bindings must give currency (Yandex.Direct).
	NeedsCurrency bool
	// NeedsGoals says its leads are the conversions of goals the agency names, so its bindings must give goals
	// (Yandex.Metrika).
	NeedsGoals bool
	// MaxGoals is how many goals one binding may name, when the source limits it (a Direct report counts 10);
	// 0: any number.
	MaxGoals int
}

// ProviderCatalog is every provider Glassbox knows, as the registry (shared/providers) declares them.
type ProviderCatalog []ProviderInfo

// Lookup returns the provider with a name.
func (c ProviderCatalog) Lookup(name string) (ProviderInfo, bool) {
	for _, p := range c {
		if p.Name == name {
			return p, true
		}
	}
	return ProviderInfo{}, false
}

// Names lists the providers of a kind ("" for all), sorted, for messages that say what may be used.
func (c ProviderCatalog) Names(kind ProviderKind) string {
	var names []string
	for _, p := range c {
		if kind == "" || p.Kind == kind {
			names = append(names, p.Name)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
