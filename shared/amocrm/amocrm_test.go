package amocrm_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/amocrm"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

const secret = "demo-amo-token-4f9c2b7e1a"

const leadName = "Заявка с сайта: ремонт кухни"

// binding is the demo binding of cmd/glassbox/demo/agency.yaml.
var binding = glassbox.Binding{
	ID: "demo-amo", ProjectID: "romashka-site", Provider: "amocrm", ExternalID: "acmeshop",
	SecretParam: "/glassbox/amocrm/demo-amo",
	Deals:       []glassbox.DealRoute{{DealID: "30307415", ProjectID: "romashka-site"}},
	StageMap:    map[string][]string{"layout": {"41893096"}, glassbox.StagePaid: {glassbox.StageWon}},
}

var received = time.Date(2025, 5, 24, 9, 41, 30, 0, time.UTC)

func delivery(body []byte, query string) glassbox.Delivery {
	q, _ := url.ParseQuery(query)
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	return glassbox.Delivery{Method: "POST", Header: h, Query: q, Body: body, ReceivedAt: received}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "amocrm-lead-status.form")
	providertest.Verify(t, amocrm.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery(body, "token="+secret), Secret: secret},
		{Name: "OKWithOtherParams", Delivery: delivery(body, "a=1&token="+secret+"&b=2"), Secret: secret},
		{Name: "ErrWrongToken", Delivery: delivery(body, "token=wrong"), Secret: secret, WantErr: true},
		{Name: "ErrTokenPrefix", Delivery: delivery(body, "token="+secret[:10]), Secret: secret, WantErr: true},
		{Name: "ErrTokenLonger", Delivery: delivery(body, "token="+secret+"x"), Secret: secret, WantErr: true},
		{Name: "ErrMissingToken", Delivery: delivery(body, ""), Secret: secret, WantErr: true},
		{Name: "ErrEmptyToken", Delivery: delivery(body, "token="), Secret: secret, WantErr: true},
		{Name: "ErrOtherParamName", Delivery: delivery(body, "secret="+secret), Secret: secret, WantErr: true},
		{Name: "ErrNoSecretConfigured", Delivery: delivery(body, "token="), Secret: "", WantErr: true},
	})
}

// event is the event Parse makes of lead 30307415 in the demo binding, with the fields every test shares.
func event(providerID, providerType string, at int64, deal glassbox.DealChange) glassbox.Event {
	return glassbox.Event{
		ID: "amocrm:" + providerID, ProjectID: "romashka-site", BindingID: "demo-amo", Provider: "amocrm",
		ProviderEventID: providerID, Kind: glassbox.EventDealStageChanged, ProviderType: providerType,
		TaskID: deal.ID, Title: deal.Name, URL: "https://acmeshop.amocrm.ru/leads/detail/" + deal.ID,
		OccurredAt: time.Unix(at, 0).UTC(), ReceivedAt: received, Deal: &deal,
	}
}

func TestParse(t *testing.T) {
	two := binding
	two.Deals = append([]glassbox.DealRoute{}, binding.Deals...)
	two.Deals = append(two.Deals, glassbox.DealRoute{DealID: "30307416", ProjectID: "romashka-support"})
	support := event("30307416:41893090:1716543600", "leads[add]", 1716543600, glassbox.DealChange{
		ID: "30307416", Name: "Поддержка сайта", StageID: "41893090", PipelineID: "4542166",
		Amount: 1250050, Currency: "RUB",
	})
	support.ProjectID = "romashka-support"

	tests := []struct {
		name    string
		file    string
		binding glassbox.Binding
		want    []glassbox.Event
	}{
		{"StatusChange", "amocrm-lead-status.form", binding, []glassbox.Event{
			event("30307415:41893096:1716543682", "leads[status]", 1716543682, glassbox.DealChange{
				ID: "30307415", Name: leadName, StageID: "41893096", PrevStageID: "41893093", PipelineID: "4542166",
				Amount: 18500000, Currency: "RUB",
			}),
		}},
		{"Won", "amocrm-lead-won.form", binding, []glassbox.Event{
			event("30307415:142:1716543682", "leads[status]", 1716543682, glassbox.DealChange{
				ID: "30307415", Name: leadName, StageID: "142", PrevStageID: "41893096", PipelineID: "4542166",
				Amount: 18500000, Currency: "RUB", Won: true,
			}),
		}},
		{"PipelineChange", "amocrm-lead-status-pipeline-change.form", binding, []glassbox.Event{
			event("30307415:52011870:1716543682", "leads[status]", 1716543682, glassbox.DealChange{
				ID: "30307415", Name: leadName, StageID: "52011870", PrevStageID: "41893096", PipelineID: "6210034",
				Amount: 18500000, Currency: "RUB",
			}),
		}},
		{"Add", "amocrm-lead-add.form", binding, []glassbox.Event{
			event("30307415:41893090:1716284449", "leads[add]", 1716284449, glassbox.DealChange{
				ID: "30307415", Name: leadName, StageID: "41893090", PipelineID: "4542166", Currency: "RUB",
			}),
		}},
		// Two leads of the binding, one unrouted; lead updates and contacts ignored; adds first, then moves in
		// index order.
		{"Several", "amocrm-several.form", two, []glassbox.Event{
			support,
			event("30307415:41893096:1716543682", "leads[status]", 1716543682, glassbox.DealChange{
				ID: "30307415", Name: leadName, StageID: "41893096", PrevStageID: "41893093", PipelineID: "4542166",
				Amount: 18500000, Currency: "RUB",
			}),
			event("30307415:142:1716543700", "leads[status]", 1716543700, glassbox.DealChange{
				ID: "30307415", Name: leadName, StageID: "142", PrevStageID: "41893096", PipelineID: "4542166",
				Amount: 18500000, Currency: "RUB", Won: true,
			}),
		}},
		{"UnroutedDeal", "amocrm-lead-status.form", glassbox.Binding{ID: "demo-amo", ExternalID: "acmeshop"}, nil},
		{"OtherEntitiesIgnored", "amocrm-contact-ignored.form", binding, nil},
		{"AccountByID", "amocrm-lead-status.form", withExternalID("29638927"), []glassbox.Event{
			event("30307415:41893096:1716543682", "leads[status]", 1716543682, glassbox.DealChange{
				ID: "30307415", Name: leadName, StageID: "41893096", PrevStageID: "41893093", PipelineID: "4542166",
				Amount: 18500000, Currency: "RUB",
			}),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providertest.Accepted(amocrm.New(), delivery(providertest.Testdata(t, tt.file), ""), tt.binding)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events %s, want %d", len(got), dump(got), len(tt.want))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tt.want[i]) {
					t.Errorf("event %d:\n got %s\nwant %s", i, dump(got[i]), dump(tt.want[i]))
				}
			}
		})
	}
}

func withExternalID(id string) glassbox.Binding {
	b := binding
	b.ExternalID = id
	return b
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestParseWithoutTimestamps(t *testing.T) {
	body := "account[subdomain]=acmeshop&leads[status][0][id]=30307415&leads[status][0][status_id]=142"
	d := delivery([]byte(body), "")
	got, err := providertest.Accepted(amocrm.New(), d, binding)
	if err != nil || len(got) != 1 {
		t.Fatalf("Parse = %s, %v; want one event", dump(got), err)
	}
	e := got[0]
	if !e.OccurredAt.Equal(received) {
		t.Errorf("OccurredAt = %v, want the receive time %v", e.OccurredAt, received)
	}
	if !strings.HasPrefix(e.ProviderEventID, "30307415:142:h") {
		t.Errorf("ProviderEventID = %q, want lead:status:h<body hash>", e.ProviderEventID)
	}
	// Older deliveries carry only the subdomain: the link is still derivable.
	if got, want := e.URL, "https://acmeshop.amocrm.ru/leads/detail/30307415"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if e.Deal.Amount != 0 || e.Deal.Currency != "" || !e.Deal.Won {
		t.Errorf("Deal = %+v, want won, no amount", *e.Deal)
	}
}

func TestParseKommoAccountHasNoCurrency(t *testing.T) {
	body := "account[subdomain]=acmeshop&account[_links][self]=https://acmeshop.kommo.com" +
		"&leads[status][0][id]=30307415&leads[status][0][status_id]=142&leads[status][0][price]=500&leads[status][0][updated_at]=1716543682"
	got, err := providertest.Accepted(amocrm.New(), delivery([]byte(body), ""), binding)
	if err != nil || len(got) != 1 {
		t.Fatalf("Parse = %s, %v; want one event", dump(got), err)
	}
	if d := got[0].Deal; d.Amount != 50000 || d.Currency != "" {
		t.Errorf("Deal = %+v, want amount 50000 and no currency", *d)
	}
	if got, want := got[0].URL, "https://acmeshop.kommo.com/leads/detail/30307415"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
}

func TestParseOddAccountLinkGivesNoURL(t *testing.T) {
	for _, self := range []string{"javascript:alert(1)", "http://acmeshop.amocrm.ru", "https://evil.example/phish?x=", "https://a b"} {
		body := url.Values{
			"account[subdomain]": {"acme.shop"}, "account[_links][self]": {self},
			"leads[status][0][id]": {"30307415"}, "leads[status][0][status_id]": {"142"},
		}
		b := withExternalID("acme.shop")
		got, err := providertest.Accepted(amocrm.New(), delivery([]byte(body.Encode()), ""), b)
		if err != nil || len(got) != 1 {
			t.Fatalf("self %q: Parse = %s, %v; want one event", self, dump(got), err)
		}
		if got[0].URL != "" {
			t.Errorf("self %q: URL = %q, want none", self, got[0].URL)
		}
	}
}

func TestParseRejects(t *testing.T) {
	status := string(providertest.Testdata(t, "amocrm-lead-status.form"))
	tests := []struct {
		name    string
		body    string
		binding glassbox.Binding
		want    error
	}{
		{"WrongAccount", strings.Replace(status, "acmeshop", "othershop", 1), binding, glassbox.ErrBadSignature},
		{"WrongAccountID", status, withExternalID("11111111"), glassbox.ErrBadSignature},
		{"BindingWithoutExternalID", status, withExternalID(""), glassbox.ErrBadSignature},
		{"WrongAccountEvenForUnroutedDeals", strings.Replace(status, "acmeshop", "othershop", 1),
			glassbox.Binding{ID: "x", ExternalID: "acmeshop"}, glassbox.ErrBadSignature},
		{"NoAccount", "leads[status][0][id]=30307415&leads[status][0][status_id]=142", binding, glassbox.ErrMalformed},
		{"Empty", "", binding, glassbox.ErrMalformed},
		{"JSON", `{"account":{"subdomain":"acmeshop"}}`, binding, glassbox.ErrMalformed},
		{"BadEscape", "account[subdomain]=acmeshop&leads[status][0][id]=%zz", binding, glassbox.ErrMalformed},
		{"Truncated", status[:len(status)/2] + "%", binding, glassbox.ErrMalformed},
		{"LeadWithoutID", "account[subdomain]=acmeshop&leads[status][0][status_id]=142", binding, glassbox.ErrMalformed},
		{"LeadWithoutStatus", "account[subdomain]=acmeshop&leads[add][0][id]=30307415", binding, glassbox.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providertest.Accepted(amocrm.New(), delivery([]byte(tt.body), ""), tt.binding)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %s, %v; want %v", dump(got), err, tt.want)
			}
		})
	}
}

func TestWrongAccountErrorNamesBoth(t *testing.T) {
	status := strings.Replace(string(providertest.Testdata(t, "amocrm-lead-status.form")), "acmeshop", "othershop", 1)
	_, err := providertest.Accepted(amocrm.New(), delivery([]byte(status), ""), binding)
	if err == nil || !strings.Contains(err.Error(), `account "othershop"`) || !strings.Contains(err.Error(), "expects acmeshop") {
		t.Fatalf("error = %v, want it to name the delivering and the expected account", err)
	}
}

func TestEventIDsStable(t *testing.T) {
	body := providertest.Testdata(t, "amocrm-several.form")
	b := binding
	b.Deals = append(b.Deals, glassbox.DealRoute{DealID: "30307416", ProjectID: "romashka-support"})
	first, err := providertest.Accepted(amocrm.New(), delivery(body, ""), b)
	if err != nil {
		t.Fatal(err)
	}
	retry := delivery(append([]byte{}, body...), "")
	retry.ReceivedAt = received.Add(15 * time.Minute)
	second, err := providertest.Accepted(amocrm.New(), retry, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 3 || len(second) != len(first) {
		t.Fatalf("got %d and %d events, want 3 each", len(first), len(second))
	}
	seen := map[string]bool{}
	for i := range first {
		if first[i].ID != second[i].ID {
			t.Errorf("event %d: id %q on first delivery, %q on retry", i, first[i].ID, second[i].ID)
		}
		if seen[first[i].ID] {
			t.Errorf("event id %q used twice in one delivery", first[i].ID)
		}
		seen[first[i].ID] = true
	}
}

// TestSampleEvents keeps events/ingest-amocrm-*.json valid for the demo binding: make demo and sam local invoke
// post them.
func TestSampleEvents(t *testing.T) {
	var stageAt time.Time
	providertest.Samples{
		Provider: amocrm.New(), Binding: binding, Secret: secret,
		ReceivedAt: func(*testing.T, glassbox.Delivery) time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
		Event: func(t *testing.T, _ glassbox.Delivery, e glassbox.Event) {
			if e.ProjectID != "romashka-site" || e.Deal.ID != "30307415" || e.Deal.Amount != 18500000 {
				t.Errorf("event %s: want deal 30307415 of romashka-site, 185000 RUB", dump(e))
			}
			if e.OccurredAt.Year() != 2026 {
				t.Errorf("OccurredAt = %v, want a 2026 time", e.OccurredAt)
			}
			if stageAt.IsZero() {
				stageAt = e.OccurredAt
			} else if !e.OccurredAt.After(stageAt) {
				t.Errorf("paid at %v, not after the stage closed at %v", e.OccurredAt, stageAt)
			}
		},
	}.Run(t, []providertest.Sample{
		{File: "ingest-amocrm-stage-closed.json", Closes: "layout"},
		{File: "ingest-amocrm-paid.json", Paid: true},
		{File: "ingest-amocrm-bad-token.json", Forged: true},
	})
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"amocrm-lead-status.form", "amocrm-lead-add.form", "amocrm-several.form", "amocrm-contact-ignored.form"} {
		f.Add(providertest.Testdata(f, name))
	}
	f.Add([]byte("account[id]=1&leads[status][0][id]=1&leads[status][0][status_id]=142&leads[status][0][updated_at]=-1"))
	b := withExternalID("1")
	b.Deals = append(b.Deals, glassbox.DealRoute{DealID: "1", ProjectID: "p"})
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, bb := range []glassbox.Binding{binding, b} {
			providertest.FuzzParse(t, amocrm.New(), delivery(body, ""), bb, func(e glassbox.Event) bool {
				return e.ID != "" && e.Deal != nil && e.Deal.ID != "" && e.Deal.StageID != "" && e.ProjectID != "" &&
					(e.URL == "" || strings.HasPrefix(e.URL, "https://"))
			}, glassbox.ErrBadSignature)
		}
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	d := delivery(providertest.Testdata(b, "amocrm-lead-status.form"), "token="+secret)
	providertest.BenchmarkVerifyAndParse(b, amocrm.New(), d, secret, binding)
}

// Parse reports the lead; which project it belongs to is not amoCRM's to say (glassbox.Binding.Accept decides,
// at ingest), so a lead the binding does not route is still reported, with no project.
func TestParseReportsTheDealNotTheProject(t *testing.T) {
	got, err := amocrm.New().Parse(delivery(providertest.Testdata(t, "amocrm-lead-status.form"), ""), glassbox.Binding{ID: "demo-amo", ExternalID: "acmeshop"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Deal == nil || got[0].Deal.ID != "30307415" || got[0].ProjectID != "" {
		t.Fatalf("Parse = %s; want the lead 30307415 and no project", dump(got))
	}
}
