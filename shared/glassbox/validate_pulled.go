package glassbox

import (
	"fmt"
	"regexp"
)

// Validation of the bindings of pulled metrics sources (ProviderInfo.Pulled: Yandex.Direct, Yandex.Metrika).
// Kept apart from the webhook bindings' checks: a pulled binding names the project its figures are for, the
// account at the source (external_id), the SSM parameter holding the API token (api_param) and what to count,
// and nothing a webhook needs.

var (
	// goalID is an ad or analytics system's goal id (Metrika and Direct number their goals).
	goalID = regexp.MustCompile(`^[0-9]{1,20}$`)
	// isoCurrency is an ISO 4217 alphabetic code.
	isoCurrency = regexp.MustCompile(`^[A-Z]{3}$`)
)

// pulledBinding checks a binding of a pulled source; external_id, api_url and the shape of api_param are
// checked with every binding's.
func (v *validator) pulledBinding(p string, b Binding, info ProviderInfo, projects map[string]Project) {
	if v.required(p+".project", b.ProjectID) {
		if _, ok := projects[b.ProjectID]; !ok {
			v.add(p+".project", "no project has id %q", b.ProjectID)
		}
	}
	if b.SecretParam != "" {
		v.add(p+".secret_param", "is not used: Glassbox pulls %s's figures, no webhook arrives; name the API token's parameter in api_param", b.Provider)
	}
	if b.APIParam == "" {
		v.add(p+".api_param", "is required for %s: the SSM parameter holding the OAuth token that reads the figures, like /glassbox/%s/%s",
			b.Provider, PullSecretFolder, b.ID)
	} else {
		v.inFolder(p+".api_param", b.APIParam, PullSecretFolder, "PullFunction, which pulls the figures, may read parameters there only")
	}
	if len(b.Goals) == 0 && info.NeedsGoals {
		v.add(p+".goals", "is required for %s: the goal ids whose conversions count as leads", b.Provider)
	}
	if info.MaxGoals > 0 && len(b.Goals) > info.MaxGoals {
		v.add(p+".goals", "lists %d goals; %s counts at most %d per binding", len(b.Goals), b.Provider, info.MaxGoals)
	}
	seen := map[string]bool{}
	for i, g := range b.Goals {
		gp := fmt.Sprintf("%s.goals[%d]", p, i)
		switch {
		case !goalID.MatchString(g):
			v.add(gp, "%q is not a goal id (a number, as the goal's settings show it)", g)
		case seen[g]:
			v.add(gp, "%q is listed twice", g)
		}
		seen[g] = true
	}
	switch {
	case b.Currency != "":
		if !isoCurrency.MatchString(b.Currency) {
			v.add(p+".currency", "%q is not an ISO 4217 currency code like RUB", b.Currency)
		}
	case info.NeedsCurrency:
		v.add(p+".currency", "is required for %s: the ad account's currency (RUB, KZT, ...), which its figures are in", b.Provider)
	}
	if len(b.StatusMap) > 0 || len(b.Deals) > 0 || len(b.StageMap) > 0 {
		v.add(p, "status_map, deals and stage_map are for trackers and CRMs; a %s binding brings figures only", b.Provider)
	}
}
