// Package amocrm verifies and parses amoCRM (Kommo) webhook deliveries into deal events.
//
// amoCRM posts application/x-www-form-urlencoded bodies with PHP-style bracketed keys
// (`leads[status][0][id]=...`); one body can carry several entities and actions. It signs nothing, so a hook
// URL carries a secret token in its query (`/hooks/amocrm/{binding}?token=...`), and Parse also checks that the
// delivery comes from the binding's account.
//
// amoCRM disables a hook after more than 100 bad answers in two hours, so everything this package does not need
// (contacts, notes, field updates, unrouted deals) is acknowledged without an error.
package amocrm

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/formkeys"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "amocrm"

// TokenParam is the query parameter of the hook URL that carries the binding's secret.
const TokenParam = "token"

// StatusWon is amoCRM's system status "Успешно реализовано" (closed and won), the same in every pipeline.
// 143 is "Закрыто и не реализовано" (closed and lost).
const StatusWon = "142"

// Currency is the currency Parse gives deal amounts of accounts on amocrm.ru. amoCRM hooks carry no currency,
// and RUB is the default of a Russian account. Accounts on kommo.com or amocrm.com get no currency: their
// default is unknown here.
const Currency = "RUB"

// Provider verifies and parses amoCRM deliveries.
type Provider struct{}

// New returns the amoCRM provider.
func New() Provider { return Provider{} }

// Info declares the provider to the registry.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderCRM}
}

// Verify compares the hook URL's token query parameter with the binding's secret in constant time.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	got := d.Query.Get(TokenParam)
	if got == "" {
		return fmt.Errorf("amocrm: missing %s query parameter: %w", TokenParam, glassbox.ErrBadSignature)
	}
	if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
		return fmt.Errorf("amocrm: %s query parameter does not match: %w", TokenParam, glassbox.ErrBadSignature)
	}
	return nil
}

// Parse turns a delivery into deal events for binding b, one per lead (which project a lead belongs to is
// decided at ingest, by glassbox.Binding.Accept):
//   - leads[status][N] → deal_stage_changed, from old_status_id to status_id;
//   - leads[add][N] → deal_stage_changed with no previous stage (created straight into a stage).
//
// Other actions (leads[update], leads[delete]) and other entities
// (contacts, companies, notes) give no events and no error. A body that is not form data, or has no account,
// is glassbox.ErrMalformed; one from another account than b.ExternalID (subdomain or account id) wraps
// glassbox.ErrBadSignature.
//
// amoCRM has no delivery id: an event's provider id is "{lead id}:{status_id}:{updated_at}" (last_modified
// when updated_at is missing), so a retry of the same change is the same event.
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	form, err := formkeys.Parse(d.Body)
	if err != nil {
		return nil, fmt.Errorf("amocrm: body is not form data: %v: %w", err, glassbox.ErrMalformed)
	}
	acc := form.Child("account")
	subdomain, accountID := acc.Get("subdomain"), acc.Get("id")
	if subdomain == "" && accountID == "" {
		return nil, fmt.Errorf("amocrm: body has no account[subdomain] or account[id]: %w", glassbox.ErrMalformed)
	}
	if b.ExternalID == "" {
		return nil, fmt.Errorf("amocrm: binding %s has no external_id (the account's subdomain or id) to check the delivery against: %w",
			b.ID, glassbox.ErrBadSignature)
	}
	if !strings.EqualFold(b.ExternalID, subdomain) && b.ExternalID != accountID {
		return nil, fmt.Errorf("amocrm: delivery from amoCRM account %s, binding expects %s: %w",
			accountName(subdomain, accountID), b.ExternalID, glassbox.ErrBadSignature)
	}
	base := accountURL(acc.Get("_links", "self"), subdomain)
	currency := ""
	if base == "" || strings.HasSuffix(base, ".amocrm.ru") {
		currency = Currency
	}

	var events []glassbox.Event
	// Creation before moves, so a lead added and moved in one body reads in order.
	for _, action := range []string{"add", "status"} {
		leads := form.Child("leads", action)
		for _, n := range leads.Keys() {
			lead := leads.Child(n)
			e, ok, err := leadEvent(d, b, action, n, lead, base, currency)
			if err != nil {
				return nil, err
			}
			if ok {
				events = append(events, e)
			}
		}
	}
	return events, nil
}

func leadEvent(d glassbox.Delivery, b glassbox.Binding, action, n string, lead *formkeys.Node, base, currency string) (glassbox.Event, bool, error) {
	id, status := lead.Get("id"), lead.Get("status_id")
	if id == "" || status == "" {
		return glassbox.Event{}, false, fmt.Errorf("amocrm: leads[%s][%s] has no id or status_id: %w", action, n, glassbox.ErrMalformed)
	}
	deal := &glassbox.DealChange{
		ID:         id,
		Name:       lead.Get("name"),
		StageID:    status,
		PipelineID: lead.Get("pipeline_id"),
		Won:        status == StatusWon,
	}
	if action == "status" {
		deal.PrevStageID = lead.Get("old_status_id")
	}
	if price := lead.Get("price"); price != "" {
		// The amount is only shown on the timeline (documents bill the configured stage amount), so a price
		// that does not read is left out rather than refusing the delivery.
		if m, err := glassbox.ParseMinor(price); err == nil {
			deal.Amount, deal.Currency = m, currency
		}
	}

	stamp := lead.Get("updated_at")
	if stamp == "" {
		stamp = lead.Get("last_modified")
	}
	var occurred time.Time
	if sec, err := strconv.ParseInt(stamp, 10, 64); err == nil && sec > 0 && sec < 1<<33 {
		occurred = time.Unix(sec, 0).UTC()
	}
	if stamp == "" {
		// Without a time, a retry is recognised by its body only.
		sum := sha256.Sum256(d.Body)
		stamp = "h" + hex.EncodeToString(sum[:8])
	}
	providerID := id + ":" + status + ":" + stamp

	e := glassbox.Event{
		ID:              glassbox.EventID(Name, providerID),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: providerID,
		Kind:            glassbox.EventDealStageChanged,
		ProviderType:    "leads[" + action + "]",
		TaskID:          id,
		Title:           deal.Name,
		OccurredAt:      occurred,
		ReceivedAt:      d.ReceivedAt.UTC(),
		Deal:            deal,
	}
	if base != "" {
		e.URL = base + "/leads/detail/" + url.PathEscape(id)
	}
	return e, true, nil
}

// accountURL is the account's web address: account[_links][self] when it is an https URL of a host, else
// https://{subdomain}.amocrm.ru for older deliveries that carry only the subdomain. Empty when neither is
// usable, so nothing odd ends up in a link sent to a client.
func accountURL(self, subdomain string) string {
	if u, err := url.Parse(self); err == nil && u.Scheme == "https" && u.Host != "" && validHost(u.Host) &&
		(u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" && u.User == nil {
		return "https://" + strings.ToLower(u.Host)
	}
	if subdomain != "" && !strings.Contains(subdomain, ".") && validHost(subdomain) {
		return "https://" + strings.ToLower(subdomain) + ".amocrm.ru"
	}
	return ""
}

func validHost(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

func accountName(subdomain, id string) string {
	switch {
	case subdomain != "" && id != "":
		return clip(subdomain) + " (" + clip(id) + ")"
	case subdomain != "":
		return clip(subdomain)
	}
	return clip(id)
}

// clip quotes a value from the body for an error message, which goes to logs and back to the sender, cut short.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(strings.ToValidUTF8(s[:max], "")) + "…"
	}
	return strconv.Quote(s)
}
