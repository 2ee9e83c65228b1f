package bitrix24_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/bitrix24"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

const secret = "51856fefc120afa4b628cc82d3935cce"

// binding is the demo binding of cmd/glassbox/demo/agency.yaml.
var binding = glassbox.Binding{
	ID: "demo-bitrix", ProjectID: "romashka-shop", Provider: "bitrix24", ExternalID: "acme.bitrix24.ru",
	SecretParam: "/glassbox/bitrix24/demo-bitrix", APIParam: "/glassbox/bitrix24/demo-bitrix-api",
	Deals: []glassbox.DealRoute{{DealID: "759", ProjectID: "romashka-shop"}},
}

var received = time.Date(2025, 5, 24, 9, 41, 35, 0, time.UTC)

func delivery(body []byte) glassbox.Delivery {
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	return glassbox.Delivery{Method: "POST", Header: h, Body: body, ReceivedAt: received}
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestVerify(t *testing.T) {
	body := string(providertest.Testdata(t, "bitrix24-deal-update.form"))
	providertest.Verify(t, bitrix24.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery([]byte(body)), Secret: secret},
		{Name: "OKDealAdd", Delivery: delivery([]byte(string(providertest.Testdata(t, "bitrix24-deal-add.form")))), Secret: secret},
		{Name: "ErrWrongToken", Delivery: delivery([]byte(strings.Replace(body, secret, "00000000000000000000000000000000", 1))), Secret: secret, WantErr: true},
		{Name: "ErrWrongSecret", Delivery: delivery([]byte(body)), Secret: "another-secret", WantErr: true},
		{Name: "ErrTokenPrefix", Delivery: delivery([]byte(strings.Replace(body, secret, secret[:16], 1))), Secret: secret, WantErr: true},
		{Name: "ErrMissingToken", Delivery: delivery([]byte(strings.Replace(body, "auth%5Bapplication_token%5D", "auth%5Bother%5D", 1))), Secret: secret, WantErr: true},
		{Name: "ErrNoSecretConfigured", Delivery: delivery([]byte(strings.Replace(body, secret, "", 1))), Secret: "", WantErr: true},
		{Name: "ErrNotForm", Delivery: delivery([]byte(`{"auth":{"application_token":"` + secret + `"}}`)), Secret: secret, WantErr: true},
		{Name: "ErrEmptyBody", Delivery: delivery([]byte("")), Secret: secret, WantErr: true},
	})
}

func event(providerID, providerType string, occurred time.Time) glassbox.Event {
	return glassbox.Event{
		ID: "bitrix24:" + providerID, ProjectID: "romashka-shop", BindingID: "demo-bitrix", Provider: "bitrix24",
		ProviderEventID: providerID, Kind: glassbox.EventDealUpdated, ProviderType: providerType, TaskID: "759",
		URL: "https://acme.bitrix24.ru/crm/deal/details/759/", OccurredAt: occurred, ReceivedAt: received,
		Deal: &glassbox.DealChange{ID: "759"},
	}
}

func TestParse(t *testing.T) {
	byMember := binding
	byMember.ExternalID = "a223c6b3710f85df22e9377d6c4f7553"
	noExternal := binding
	noExternal.ExternalID = ""
	noTS := providertest.Testdata(t, "bitrix24-deal-update-no-ts.form")
	tests := []struct {
		name    string
		file    string
		binding glassbox.Binding
		want    []glassbox.Event
	}{
		{"Update", "bitrix24-deal-update.form", binding, []glassbox.Event{
			event("759:1716543690", "ONCRMDEALUPDATE", time.Unix(1716543690, 0).UTC())}},
		{"Add", "bitrix24-deal-add.form", binding, []glassbox.Event{
			event("759:1716284455", "ONCRMDEALADD", time.Unix(1716284455, 0).UTC())}},
		{"PortalByMemberID", "bitrix24-deal-update.form", byMember, []glassbox.Event{
			event("759:1716543690", "ONCRMDEALUPDATE", time.Unix(1716543690, 0).UTC())}},
		{"BindingWithoutExternalID", "bitrix24-deal-update.form", noExternal, []glassbox.Event{
			event("759:1716543690", "ONCRMDEALUPDATE", time.Unix(1716543690, 0).UTC())}},
		// Without ts the time is when it arrived, and the id a hash of the body.
		{"NoTimestamp", "bitrix24-deal-update-no-ts.form", binding, []glassbox.Event{
			event("759:"+bodyHash(noTS), "ONCRMDEALUPDATE", received)}},
		{"UnroutedDeal", "bitrix24-deal-update.form", glassbox.Binding{ID: "demo-bitrix", ExternalID: "acme.bitrix24.ru"}, nil},
		{"OtherEntitiesIgnored", "bitrix24-contact-update.form", binding, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providertest.Accepted(bitrix24.New(), delivery(providertest.Testdata(t, tt.file)), tt.binding)
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

// bodyHash reads the hash Parse put in the id of a body without ts, and checks its shape.
func bodyHash(body []byte) string {
	evs, err := providertest.Accepted(bitrix24.New(), delivery(body), binding)
	if err != nil || len(evs) != 1 {
		return "parse failed"
	}
	_, h, _ := strings.Cut(evs[0].ProviderEventID, ":")
	if len(h) != 17 || h[0] != 'h' {
		return "bad hash " + h
	}
	return h
}

func TestParseRejects(t *testing.T) {
	update := string(providertest.Testdata(t, "bitrix24-deal-update.form"))
	tests := []struct {
		name    string
		body    string
		binding glassbox.Binding
		want    error
	}{
		{"OtherPortal", strings.ReplaceAll(update, "acme.bitrix24.ru", "other.bitrix24.ru"), binding, glassbox.ErrBadSignature},
		{"OtherPortalEvenForIgnoredEvents", strings.ReplaceAll(
			string(providertest.Testdata(t, "bitrix24-contact-update.form")), "acme.bitrix24.ru", "other.bitrix24.ru"), binding, glassbox.ErrBadSignature},
		{"NoPortal", "event=ONCRMDEALUPDATE&data[FIELDS][ID]=759&ts=1", binding, glassbox.ErrBadSignature},
		{"NoEvent", strings.Replace(update, "event=ONCRMDEALUPDATE&", "", 1), binding, glassbox.ErrMalformed},
		{"NoDealID", strings.Replace(update, "data%5BFIELDS%5D%5BID%5D=759&", "", 1), binding, glassbox.ErrMalformed},
		{"Empty", "", binding, glassbox.ErrMalformed},
		{"JSON", `{"event":"ONCRMDEALUPDATE","data":{"FIELDS":{"ID":"759"}}}`, binding, glassbox.ErrMalformed},
		{"BadEscape", update + "&x=%zz", binding, glassbox.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providertest.Accepted(bitrix24.New(), delivery([]byte(tt.body)), tt.binding)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %s, %v; want %v", dump(got), err, tt.want)
			}
		})
	}
}

func TestParseOddDomainGivesNoURL(t *testing.T) {
	for _, domain := range []string{"evil.example/phish?", "javascript:alert(1)", "a b.ru", "localhost", ".bitrix24.ru"} {
		body := "event=ONCRMDEALUPDATE&data[FIELDS][ID]=759&ts=1716543690&auth[domain]=" + strings.ReplaceAll(domain, "&", "")
		b := binding
		b.ExternalID = ""
		got, err := providertest.Accepted(bitrix24.New(), delivery([]byte(strings.ReplaceAll(body, " ", "+"))), b)
		if err != nil || len(got) != 1 {
			t.Fatalf("domain %q: Parse = %s, %v; want one event", domain, dump(got), err)
		}
		if got[0].URL != "" {
			t.Errorf("domain %q: URL = %q, want none", domain, got[0].URL)
		}
	}
}

func TestEventIDsStable(t *testing.T) {
	for _, file := range []string{"bitrix24-deal-update.form", "bitrix24-deal-update-no-ts.form"} {
		body := providertest.Testdata(t, file)
		first, err := providertest.Accepted(bitrix24.New(), delivery(body), binding)
		if err != nil {
			t.Fatal(err)
		}
		retry := delivery(append([]byte{}, body...))
		retry.ReceivedAt = received.Add(time.Minute)
		second, err := providertest.Accepted(bitrix24.New(), retry, binding)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 1 || len(second) != 1 || first[0].ID != second[0].ID {
			t.Errorf("%s: ids %s and %s, want one and the same", file, dump(first), dump(second))
		}
	}
	add, _ := providertest.Accepted(bitrix24.New(), delivery(providertest.Testdata(t, "bitrix24-deal-add.form")), binding)
	update, _ := providertest.Accepted(bitrix24.New(), delivery(providertest.Testdata(t, "bitrix24-deal-update.form")), binding)
	if len(add) != 1 || len(update) != 1 || add[0].ID == update[0].ID {
		t.Errorf("add %s and update %s should be different events", dump(add), dump(update))
	}
}

// TestSampleEvents keeps events/ingest-bitrix24-*.json valid for the demo binding: make demo and sam local
// invoke post them.
func TestSampleEvents(t *testing.T) {
	providertest.Samples{
		Provider: bitrix24.New(), Binding: binding, Secret: secret,
		ReceivedAt: func(*testing.T, glassbox.Delivery) time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
		Event: func(t *testing.T, _ glassbox.Delivery, e glassbox.Event) {
			if e.ProjectID != "romashka-shop" || e.Deal.ID != "759" || e.ProviderType != bitrix24.EventDealUpdate || e.OccurredAt.Year() != 2026 {
				t.Errorf("event %s: want deal_updated of deal 759 in romashka-shop, in 2026", dump(e))
			}
		},
	}.Run(t, []providertest.Sample{
		{File: "ingest-bitrix24-deal-updated.json", Kind: glassbox.EventDealUpdated},
		{File: "ingest-bitrix24-bad-token.json", Forged: true},
	})
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"bitrix24-deal-update.form", "bitrix24-deal-add.form", "bitrix24-contact-update.form", "bitrix24-deal-update-no-ts.form"} {
		f.Add(providertest.Testdata(f, name))
	}
	f.Add([]byte("event=ONCRMDEALADD&data[FIELDS][ID]=759&ts=-1&auth[domain]=x.y:99999"))
	open := binding
	open.ExternalID = ""
	f.Fuzz(func(t *testing.T, body []byte) {
		d := delivery(body)
		providertest.FuzzVerify(t, bitrix24.New(), d, secret)
		for _, b := range []glassbox.Binding{binding, open} {
			providertest.FuzzParse(t, bitrix24.New(), d, b, func(e glassbox.Event) bool {
				return e.ID != "" && e.Deal != nil && e.Deal.ID != "" && e.ProjectID != "" &&
					(e.URL == "" || strings.HasPrefix(e.URL, "https://"))
			}, glassbox.ErrBadSignature)
		}
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	d := delivery(providertest.Testdata(b, "bitrix24-deal-update.form"))
	providertest.BenchmarkVerifyAndParse(b, bitrix24.New(), d, secret, binding)
}
