package pipedrive_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/pipedrive"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

const secret = "glassbox:correct-horse-battery"

var received = time.Date(2025, 5, 24, 9, 45, 4, 0, time.UTC)

var binding = glassbox.Binding{
	ID: "sales", ProjectID: "spring", Provider: "pipedrive", ExternalID: "12882925",
	Deals: []glassbox.DealRoute{{DealID: "1042", ProjectID: "kitchen"}},
}

func basic(userPassword string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userPassword))
}

func delivery(body []byte, authorization string) glassbox.Delivery {
	h := http.Header{}
	if authorization != "" {
		h.Set("Authorization", authorization)
	}
	return glassbox.Delivery{Method: "POST", CallbackURL: "https://hooks.example.com/hooks/pipedrive/sales",
		Header: h, Body: body, ReceivedAt: received}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "pipedrive-deal-stage-changed-v2.json")
	providertest.Verify(t, pipedrive.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery(body, basic(secret)), Secret: secret},
		{Name: "OKSchemeCase", Delivery: delivery(body, "basic "+base64.StdEncoding.EncodeToString([]byte(secret))), Secret: secret},
		{Name: "ErrWrongPassword", Delivery: delivery(body, basic("glassbox:guess")), Secret: secret, WantErr: true},
		{Name: "ErrWrongUser", Delivery: delivery(body, basic("admin:correct-horse-battery")), Secret: secret, WantErr: true},
		{Name: "ErrPasswordPrefix", Delivery: delivery(body, basic("glassbox:correct-horse")), Secret: secret, WantErr: true},
		{Name: "ErrMissing", Delivery: delivery(body, ""), Secret: secret, WantErr: true},
		{Name: "ErrBearer", Delivery: delivery(body, "Bearer "+base64.StdEncoding.EncodeToString([]byte(secret))), Secret: secret, WantErr: true},
		{Name: "ErrNotBase64", Delivery: delivery(body, "Basic %%%"), Secret: secret, WantErr: true},
		{Name: "ErrRawCredentials", Delivery: delivery(body, "Basic "+secret), Secret: secret, WantErr: true},
		// A binding whose secret is missing accepts nothing, even empty credentials.
		{Name: "ErrNoSecret", Delivery: delivery(body, basic("")), Secret: "", WantErr: true},
		{Name: "ErrNoSecretColon", Delivery: delivery(body, basic(":")), Secret: "", WantErr: true},
	})
}

func TestParse(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	const title = "Kitchen renovation - Romashka LLC"
	event := func(id, typ, occurred string, d glassbox.DealChange) []glassbox.Event {
		d.ID, d.Name, d.PipelineID, d.Amount, d.Currency = "1042", title, "1", 18500000, "RUB"
		return []glassbox.Event{{
			ID: "pipedrive:" + id, ProjectID: "kitchen", BindingID: "sales", Provider: "pipedrive",
			ProviderEventID: id, Kind: glassbox.EventDealStageChanged, ProviderType: typ, Title: title,
			URL: "https://acme.pipedrive.com/deal/1042", OccurredAt: at(occurred), ReceivedAt: received, Deal: &d,
		}}
	}
	otherCompany := binding
	otherCompany.ExternalID = "1"
	unrouted := binding
	unrouted.Deals = []glassbox.DealRoute{{DealID: "7", ProjectID: "other"}}

	tests := []struct {
		name    string
		file    string
		binding glassbox.Binding
		want    []glassbox.Event
	}{
		{"StageChangeV2", "pipedrive-deal-stage-changed-v2.json", binding,
			event("8c7d6e5f-4a3b-4c2d-9e1f-0a9b8c7d6e5f", "change.deal", "2025-05-24T09:41:22.512Z",
				glassbox.DealChange{StageID: "4", PrevStageID: "3"})},
		{"WonV2", "pipedrive-deal-won-v2.json", binding,
			event("9d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a", "change.deal", "2025-05-24T09:45:03.100Z",
				glassbox.DealChange{StageID: "4", Won: true})},
		{"StageChangeV1", "pipedrive-deal-updated-v1.json", binding,
			event("1042:1716543682512000", "updated.deal", "2024-05-24T09:41:22.512Z",
				glassbox.DealChange{StageID: "4", PrevStageID: "3"})},
		// v1 sends the whole previous deal: an unchanged stage_id there is not a stage change. (The v1 sample's
		// Unix timestamps are of 2024, a year before the v2 samples' dates.)
		{"WonV1", "pipedrive-deal-won-v1.json", binding,
			event("1042:1716543903100000", "updated.deal", "2024-05-24T09:45:03.1Z",
				glassbox.DealChange{StageID: "4", Won: true})},
		{"RenameIgnored", "pipedrive-deal-renamed-v2.json", binding, nil},
		{"UnroutedDealIgnored", "pipedrive-deal-stage-changed-v2.json", unrouted, nil},
		{"OtherCompanyIgnored", "pipedrive-deal-won-v2.json", otherCompany, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := providertest.Accepted(pipedrive.New(), delivery(providertest.Testdata(t, tt.file), ""), tt.binding)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse:\n got %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

// v2 builds a small v2 delivery around a deal and its previous fields.
func v2(action, entity, data, previous string) string {
	return `{"meta":{"version":"2.0","action":"` + action + `","entity":"` + entity + `","entity_id":1042,` +
		`"id":"0f0e0d0c-0b0a-4909-8807-060504030201","company_id":12882925,"host":"acme.pipedrive.com",` +
		`"timestamp":"2025-05-24T09:41:22Z"},"data":` + data + `,"previous":` + previous + `}`
}

func TestParseAmounts(t *testing.T) {
	tests := []struct {
		value string
		want  glassbox.Minor
	}{
		{`185000`, 18500000},
		{`1499.5`, 149950},
		{`1499.99`, 149999},
		{`"2500.10"`, 250010},
		{`0`, 0},
		{`null`, 0},
		// Not representable in two decimals: the stage change still counts, without an amount.
		{`1499.999`, 0},
		{`1e3`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			body := v2("change", "deal", `{"id":1042,"stage_id":4,"value":`+tt.value+`,"currency":"USD","status":"open"}`,
				`{"stage_id":3}`)
			got, err := providertest.Accepted(pipedrive.New(), delivery([]byte(body), ""), binding)
			if err != nil || len(got) != 1 {
				t.Fatalf("Parse = %+v, %v; want one event", got, err)
			}
			if got[0].Deal.Amount != tt.want || got[0].Deal.Currency != "USD" {
				t.Fatalf("amount = %d %s, want %d USD", got[0].Deal.Amount, got[0].Deal.Currency, tt.want)
			}
		})
	}
}

func TestParseRejectsAndIgnores(t *testing.T) {
	deal := `{"id":1042,"title":"T","stage_id":4,"status":"open"}`
	tests := []struct {
		name      string
		body      string
		malformed bool
	}{
		{"NotJSON", `hello`, true},
		{"Empty", ``, true},
		{"Array", `[]`, true},
		{"Null", `null`, true},
		{"NoMeta", `{"data":{"id":1042}}`, true},
		{"UnknownVersion", `{"meta":{"version":"3.0","action":"change","entity":"deal"}}`, true},
		{"Truncated", v2("change", "deal", deal, `{"stage_id":3}`)[:80], true},
		{"StageNotANumber", v2("change", "deal", `{"id":1042,"stage_id":"four"}`, `{"stage_id":3}`), true},
		{"StageChangeWithoutMetaID", strings.Replace(v2("change", "deal", deal, `{"stage_id":3}`),
			`"id":"0f0e0d0c-0b0a-4909-8807-060504030201",`, "", 1), true},
		{"StageChangeWithBadTimestamp", strings.Replace(v2("change", "deal", deal, `{"stage_id":3}`),
			`"2025-05-24T09:41:22Z"`, `"yesterday"`, 1), true},
		{"V1WithoutTimestamp", `{"meta":{"v":1,"action":"updated","object":"deal","id":1042,"company_id":12882925},` +
			`"current":{"id":1042,"stage_id":4},"previous":{"id":1042,"stage_id":3}}`, true},
		{"SameStageIgnored", v2("change", "deal", deal, `{"stage_id":4}`), false},
		{"NoPreviousIgnored", v2("create", "deal", deal, `null`), false},
		{"StillWonIgnored", v2("change", "deal", `{"id":1042,"stage_id":4,"status":"won"}`, `{"status":"won"}`), false},
		{"LostIgnored", v2("change", "deal", `{"id":1042,"stage_id":4,"status":"lost"}`, `{"status":"open"}`), false},
		{"DeleteIgnored", v2("delete", "deal", `null`, `{"id":1042,"stage_id":3}`), false},
		{"PersonIgnored", v2("change", "person", `{"id":1042,"stage_id":4}`, `{"stage_id":3}`), false},
		{"V1DeletedIgnored", `{"meta":{"v":1,"action":"deleted","object":"deal","id":1042,"timestamp":1716543682},` +
			`"current":null,"previous":{"id":1042,"stage_id":3}}`, false},
		{"V1NoteIgnored", `{"meta":{"v":1,"action":"added","object":"note","id":5,"timestamp":1716543682},` +
			`"current":{"id":5},"previous":null}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := providertest.Accepted(pipedrive.New(), delivery([]byte(tt.body), ""), binding)
			if tt.malformed {
				if !errors.Is(err, glassbox.ErrMalformed) {
					t.Fatalf("Parse = %+v, %v; want ErrMalformed", got, err)
				}
				return
			}
			if err != nil || got != nil {
				t.Fatalf("Parse = %+v, %v; want nil events and no error", got, err)
			}
		})
	}
	if got, err := providertest.Accepted(pipedrive.New(), delivery([]byte(v2("change", "deal", deal, `{"stage_id":3}`)), ""), binding); err != nil || len(got) != 1 {
		t.Fatalf("control: Parse = %+v, %v; want one event", got, err)
	}
}

// TestParseIDsStable: a retry (same meta.id, later) maps to the same event id, for both versions.
func TestParseIDsStable(t *testing.T) {
	for _, file := range []string{"pipedrive-deal-stage-changed-v2.json", "pipedrive-deal-updated-v1.json"} {
		body := providertest.Testdata(t, file)
		first, err := providertest.Accepted(pipedrive.New(), delivery(body, ""), binding)
		if err != nil {
			t.Fatal(err)
		}
		later := delivery(body, "")
		later.ReceivedAt = received.Add(150 * time.Second)
		again, err := providertest.Accepted(pipedrive.New(), later, binding)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 1 || len(again) != 1 || first[0].ID != again[0].ID ||
			first[0].ID != glassbox.EventID("pipedrive", first[0].ProviderEventID) {
			t.Fatalf("%s: ids %s and %s", file, dump(first), dump(again))
		}
	}
}

// The demo binding of cmd/glassbox/demo/agency.yaml, which events/ingest-pipedrive-*.json are made for.
var demoBinding = glassbox.Binding{
	ID: "demo-pipedrive", ProjectID: "northwind-ads", Provider: "pipedrive", ExternalID: "12882925",
	Deals:    []glassbox.DealRoute{{DealID: "1042", ProjectID: "northwind-ads"}},
	StageMap: map[string][]string{"setup": {"4"}, glassbox.StagePaid: {glassbox.StageWon}},
}

const demoSecret = "glassbox:demo-pipedrive-password"

// TestSampleEvents keeps events/ingest-pipedrive-*.json honest: authorised for the demo binding, and parsed to
// what the demo promises.
func TestSampleEvents(t *testing.T) {
	providertest.Samples{
		Provider: pipedrive.New(), Binding: demoBinding, Secret: demoSecret,
		CallbackURL: "https://demo.glassbox.example/hooks/pipedrive/demo-pipedrive",
		ReceivedAt:  func(*testing.T, glassbox.Delivery) time.Time { return time.Date(2026, 11, 23, 10, 5, 4, 0, time.UTC) },
		Event: func(t *testing.T, _ glassbox.Delivery, e glassbox.Event) {
			if e.ProjectID != "northwind-ads" || e.Deal.ID != "1042" ||
				e.Deal.Currency != "EUR" || e.Deal.Amount != 18500000 || e.Title != "Northwind ads — setup" ||
				e.OccurredAt.Format("2006-01-02") != "2026-11-23" {
				t.Fatalf("event = %s", dump(e))
			}
		},
	}.Run(t, []providertest.Sample{
		{File: "ingest-pipedrive-stage-closed.json", ID: "pipedrive:3f1c9a52-7be4-4d0a-9c61-5e2f8d7a4b10", Closes: "setup"},
		{File: "ingest-pipedrive-won.json", ID: "pipedrive:6b8e2d14-93a7-4f5c-b0e1-2c7d9a4f8e36", Paid: true},
		{File: "ingest-pipedrive-bad-auth.json", Forged: true},
	})
}

func FuzzVerifyAndParse(f *testing.F) {
	for _, name := range []string{"pipedrive-deal-stage-changed-v2.json", "pipedrive-deal-won-v2.json",
		"pipedrive-deal-updated-v1.json", "pipedrive-deal-won-v1.json", "pipedrive-deal-renamed-v2.json"} {
		f.Add(providertest.Testdata(f, name), basic(secret))
	}
	f.Add([]byte(v2("change", "deal", `{"id":1042,"stage_id":4,"value":1.5}`, `{"stage_id":3}`)), "Basic")
	f.Fuzz(func(t *testing.T, body []byte, auth string) {
		d := delivery(body, auth)
		providertest.FuzzVerify(t, pipedrive.New(), d, secret)
		for _, e := range providertest.FuzzParse(t, pipedrive.New(), d, binding, func(e glassbox.Event) bool {
			return e.ID != "" && e.ProjectID != "" && e.Deal != nil && e.Deal.ID != "" && e.Kind == glassbox.EventDealStageChanged
		}) {
			if _, err := json.Marshal(e); err != nil {
				t.Fatalf("event does not marshal: %v", err)
			}
		}
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	d := delivery(providertest.Testdata(b, "pipedrive-deal-stage-changed-v2.json"), basic(secret))
	providertest.BenchmarkVerifyAndParse(b, pipedrive.New(), d, secret, binding)
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
