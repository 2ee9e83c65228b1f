package hubspot_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/hubspot"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// Vector from shared/samples/SIGNATURES.md, computed over the exact bytes of hubspot-deal-stage-changed.json.
const (
	vectorSecret    = "hubspot-client-secret"
	vectorURI       = "https://hooks.example.com/hubspot/webhook?tenant=acme"
	vectorTimestamp = int64(1716543683000)
	vectorSig       = "VCZTG6NSwR7Mi4K/0I5si5z/JnskaVMOPeSatjgYvoc="
)

var vectorTime = time.UnixMilli(vectorTimestamp).UTC()

var binding = glassbox.Binding{
	ID: "crm", ProjectID: "spring", Provider: "hubspot", ExternalID: "27356661",
	Deals: []glassbox.DealRoute{
		{DealID: "18234567890", ProjectID: "kitchen"},
		{DealID: "18234567999", ProjectID: "bathroom"},
	},
}

// delivery is a POST to vectorURI received at receivedAt, with the v3 headers when sig and ts are set.
func delivery(body []byte, sig, ts string, receivedAt time.Time) glassbox.Delivery {
	h := http.Header{}
	if sig != "" {
		h.Set(hubspot.SignatureHeader, sig)
	}
	if ts != "" {
		h.Set(hubspot.TimestampHeader, ts)
	}
	return glassbox.Delivery{Method: "POST", CallbackURL: vectorURI, Header: h, Body: body, ReceivedAt: receivedAt}
}

func TestSignMatchesVector(t *testing.T) {
	got := hubspot.Sign(vectorSecret, "POST", vectorURI, providertest.Testdata(t, "hubspot-deal-stage-changed.json"), vectorTimestamp)
	if got != vectorSig {
		t.Fatalf("Sign = %q, want %q", got, vectorSig)
	}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "hubspot-deal-stage-changed.json")
	ts := strconv.FormatInt(vectorTimestamp, 10)
	signed := func(received time.Time, mutate func(*glassbox.Delivery)) glassbox.Delivery {
		d := delivery(body, vectorSig, ts, received)
		if mutate != nil {
			mutate(&d)
		}
		return d
	}
	providertest.Verify(t, hubspot.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: signed(vectorTime.Add(2*time.Second), nil), Secret: vectorSecret},
		{Name: "OKFiveMinutesOld", Delivery: signed(vectorTime.Add(hubspot.MaxSkew), nil), Secret: vectorSecret},
		{Name: "OKClockBehind", Delivery: signed(vectorTime.Add(-time.Minute), nil), Secret: vectorSecret},
		{Name: "ErrExpired", Delivery: signed(vectorTime.Add(hubspot.MaxSkew+time.Second), nil), Secret: vectorSecret, WantErr: true},
		{Name: "ErrFromTheFuture", Delivery: signed(vectorTime.Add(-hubspot.MaxSkew-time.Second), nil), Secret: vectorSecret, WantErr: true},
		{Name: "ErrWrongSecret", Delivery: signed(vectorTime, nil), Secret: "another-secret", WantErr: true},
		{Name: "ErrForgedSignature", Delivery: signed(vectorTime, func(d *glassbox.Delivery) {
			d.Header.Set(hubspot.SignatureHeader, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
		}), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNotBase64", Delivery: signed(vectorTime, func(d *glassbox.Delivery) { d.Header.Set(hubspot.SignatureHeader, "%%%") }), Secret: vectorSecret, WantErr: true},
		{Name: "ErrMissingSignature", Delivery: signed(vectorTime, func(d *glassbox.Delivery) { d.Header.Del(hubspot.SignatureHeader) }), Secret: vectorSecret, WantErr: true},
		{Name: "ErrMissingTimestamp", Delivery: signed(vectorTime, func(d *glassbox.Delivery) { d.Header.Del(hubspot.TimestampHeader) }), Secret: vectorSecret, WantErr: true},
		{Name: "ErrTimestampNotMillis", Delivery: signed(vectorTime, func(d *glassbox.Delivery) { d.Header.Set(hubspot.TimestampHeader, "yesterday") }), Secret: vectorSecret, WantErr: true},
		// A replay with a fresh timestamp: the timestamp is signed too.
		{Name: "ErrTimestampChanged", Delivery: signed(vectorTime, func(d *glassbox.Delivery) {
			d.Header.Set(hubspot.TimestampHeader, strconv.FormatInt(vectorTimestamp+1000, 10))
		}), Secret: vectorSecret, WantErr: true},
		{Name: "ErrWrongURI", Delivery: signed(vectorTime, func(d *glassbox.Delivery) { d.CallbackURL = "https://hooks.example.com/hubspot/webhook" }), Secret: vectorSecret, WantErr: true},
		{Name: "ErrWrongMethod", Delivery: signed(vectorTime, func(d *glassbox.Delivery) { d.Method = "PUT" }), Secret: vectorSecret, WantErr: true},
		{Name: "ErrBodyChanged", Delivery: signed(vectorTime, func(d *glassbox.Delivery) { d.Body = append(append([]byte{}, body...), ' ') }), Secret: vectorSecret, WantErr: true},
		{Name: "ErrTruncatedBody", Delivery: signed(vectorTime, func(d *glassbox.Delivery) { d.Body = body[:len(body)/2] }), Secret: vectorSecret, WantErr: true},
	})
}

func TestSignedURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{vectorURI, vectorURI},
		{"https://h.example/a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm", "https://h.example/a:b/c?d@e!f$g'h(i)j*k,l;m"},
		{"https://h.example/hook?next=%2fx%3a1", "https://h.example/hook?next=/x:1"},
		// Everything else stays encoded, including an encoded percent sign before a listed code.
		{"https://h.example/hook?q=a%20b%26c%3Dd%25%3Ae%C3%A9", "https://h.example/hook?q=a%20b%26c%3Dd%25:e%C3%A9"},
		{"https://h.example/hook?q=%252F", "https://h.example/hook?q=%252F"},
	}
	for _, tt := range tests {
		if got := hubspot.SignedURI(tt.in); got != tt.want {
			t.Errorf("SignedURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestVerifyDecodesURI signs as HubSpot documents it, over the URI with listed characters decoded, and checks
// that a delivery to the encoded URL verifies.
func TestVerifyDecodesURI(t *testing.T) {
	const (
		called = "https://hooks.example.com/hubspot/webhook?tenant=acme%3Aeu&next=%2Fdeals%20won"
		hashed = "https://hooks.example.com/hubspot/webhook?tenant=acme:eu&next=/deals%20won"
	)
	body := providertest.Testdata(t, "hubspot-deal-stage-changed.json")
	ts := strconv.FormatInt(vectorTimestamp, 10)
	m := hmac.New(sha256.New, []byte(vectorSecret))
	m.Write([]byte("POST" + hashed + string(body) + ts))
	sig := base64.StdEncoding.EncodeToString(m.Sum(nil))

	d := delivery(body, sig, ts, vectorTime)
	d.CallbackURL = called
	if err := hubspot.New().Verify(d, vectorSecret); err != nil {
		t.Fatalf("Verify over the encoded URL: %v", err)
	}
	if got := hubspot.Sign(vectorSecret, "POST", called, body, vectorTimestamp); got != sig {
		t.Fatalf("Sign over the encoded URL = %q, want %q", got, sig)
	}
}

func TestParse(t *testing.T) {
	received := vectorTime.Add(time.Second)
	deal := func(id, stage string, won bool) *glassbox.DealChange {
		return &glassbox.DealChange{ID: id, StageID: stage, Won: won}
	}
	ev := func(eventID, project, typ, dealID, stage string, won bool, occurredMs int64) glassbox.Event {
		return glassbox.Event{
			ID: "hubspot:" + eventID + ":" + dealID + ":" + stage, ProjectID: project, BindingID: "crm", Provider: "hubspot",
			ProviderEventID: eventID + ":" + dealID + ":" + stage, Kind: glassbox.EventDealStageChanged, ProviderType: typ,
			URL:        "https://app.hubspot.com/contacts/27356661/deal/" + dealID,
			OccurredAt: time.UnixMilli(occurredMs).UTC(), ReceivedAt: received,
			Deal: deal(dealID, stage, won),
		}
	}
	otherPortal := binding
	otherPortal.ExternalID = "1"
	anyPortal := binding
	anyPortal.ExternalID = ""
	unrouted := binding
	unrouted.Deals = []glassbox.DealRoute{{DealID: "1", ProjectID: "other"}}

	tests := []struct {
		name    string
		file    string
		binding glassbox.Binding
		want    []glassbox.Event
	}{
		// dealstage → closedwon is won; the amount change beside it in the batch is not a stage change.
		{"Won", "hubspot-deal-stage-changed.json", binding, []glassbox.Event{
			ev("1953847293", "kitchen", "deal.propertyChange", "18234567890", "closedwon", true, 1716543682512),
		}},
		{"WonAnyPortal", "hubspot-deal-stage-changed.json", anyPortal, []glassbox.Event{
			ev("1953847293", "kitchen", "deal.propertyChange", "18234567890", "closedwon", true, 1716543682512),
		}},
		// Two routed deals change stage in one batch; a third, unrouted deal is dropped.
		{"BatchOfTwo", "hubspot-deal-stage-batch.json", binding, []glassbox.Event{
			ev("1953900001", "kitchen", "deal.propertyChange", "18234567890", "contractsent", false, 1716543682512),
			ev("1953900002", "bathroom", "deal.propertyChange", "18234567999", "appointmentscheduled", false, 1716543690001),
		}},
		// Generic subscriptions: deals (0-3) count, contacts (0-1) do not.
		{"GenericSubscription", "hubspot-object-stage-changed.json", binding, []glassbox.Event{
			ev("2100000042", "kitchen", "object.propertyChange", "18234567890", "closedwon", true, 1716543682512),
		}},
		{"CreationIgnored", "hubspot-deal-created.json", binding, nil},
		{"UnroutedDealIgnored", "hubspot-deal-stage-changed.json", unrouted, nil},
		{"OtherPortalIgnored", "hubspot-deal-stage-changed.json", otherPortal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := providertest.Accepted(hubspot.New(), delivery(providertest.Testdata(t, tt.file), "", "", received), tt.binding)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse:\n got %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

func TestParseRejectsAndIgnores(t *testing.T) {
	stage := func(extra string) string {
		return `[{"eventId":1,"portalId":27356661,"occurredAt":1716543682512,"subscriptionType":"deal.propertyChange",` +
			`"objectId":18234567890,"propertyName":"dealstage","propertyValue":"closedwon"` + extra + `}]`
	}
	tests := []struct {
		name      string
		body      string
		malformed bool
	}{
		{"NotJSON", `hello`, true},
		{"Empty", ``, true},
		{"Null", `null`, true},
		{"ObjectNotArray", `{"eventId":1,"subscriptionType":"deal.propertyChange"}`, true},
		{"ArrayOfNumbers", `[1,2]`, true},
		{"TruncatedArray", stage("")[:60], true},
		{"EventIDNotANumber", `[{"eventId":"abc","subscriptionType":"deal.propertyChange"}]`, true},
		{"StageChangeWithoutEventID", `[{"portalId":27356661,"subscriptionType":"deal.propertyChange","objectId":18234567890,"propertyName":"dealstage","propertyValue":"x"}]`, true},
		{"StageChangeWithoutObjectID", `[{"eventId":1,"portalId":27356661,"subscriptionType":"deal.propertyChange","propertyName":"dealstage","propertyValue":"x"}]`, true},
		{"StageChangeWithFractionalObjectID", `[{"eventId":1,"portalId":27356661,"subscriptionType":"deal.propertyChange","objectId":1.5,"propertyName":"dealstage","propertyValue":"x"}]`, true},
		{"EmptyArrayIgnored", `[]`, false},
		{"OtherPropertyIgnored", `[{"eventId":1,"portalId":27356661,"subscriptionType":"deal.propertyChange","objectId":18234567890,"propertyName":"amount","propertyValue":"5"}]`, false},
		{"DeletionIgnored", `[{"eventId":1,"portalId":27356661,"subscriptionType":"deal.deletion","objectId":18234567890}]`, false},
		{"ContactStageIgnored", `[{"eventId":1,"portalId":27356661,"subscriptionType":"contact.propertyChange","objectId":18234567890,"propertyName":"dealstage","propertyValue":"x"}]`, false},
		{"OtherPortalMalformedIgnored", `[{"portalId":5,"subscriptionType":"deal.propertyChange","propertyName":"dealstage"}]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := providertest.Accepted(hubspot.New(), delivery([]byte(tt.body), "", "", vectorTime), binding)
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
	if got, err := providertest.Accepted(hubspot.New(), delivery([]byte(stage("")), "", "", vectorTime), binding); err != nil || len(got) != 1 {
		t.Fatalf("control: Parse = %+v, %v; want one event", got, err)
	}
}

// TestParseIDsStable: a redelivery (HubSpot retries with the same eventId, later) maps to the same event ids.
func TestParseIDsStable(t *testing.T) {
	body := providertest.Testdata(t, "hubspot-deal-stage-batch.json")
	first, err := providertest.Accepted(hubspot.New(), delivery(body, "", "", vectorTime), binding)
	if err != nil {
		t.Fatal(err)
	}
	again, err := providertest.Accepted(hubspot.New(), delivery(body, "", "", vectorTime.Add(time.Hour)), binding)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 || len(again) != 2 {
		t.Fatalf("got %d and %d events, want 2 and 2", len(first), len(again))
	}
	for i := range first {
		if first[i].ID != again[i].ID || first[i].ID != glassbox.EventID("hubspot", first[i].ProviderEventID) {
			t.Errorf("event %d: ids %q and %q differ or are not EventID(hubspot, %q)", i, first[i].ID, again[i].ID,
				first[i].ProviderEventID)
		}
	}
}

// The demo binding of cmd/glassbox/demo/agency.yaml, which events/ingest-hubspot-*.json are made for.
var demoBinding = glassbox.Binding{
	ID: "demo-hubspot", ProjectID: "northwind-app", Provider: "hubspot", ExternalID: "27356661",
	CallbackURL: "https://demo.glassbox.example/hooks/hubspot/demo-hubspot",
	Deals:       []glassbox.DealRoute{{DealID: "18234567890", ProjectID: "northwind-app"}},
	StageMap:    map[string][]string{"discovery": {"contractsent"}, glassbox.StagePaid: {"closedwon"}},
}

const demoSecret = "demo-hubspot-client-secret"

// TestSampleEvents keeps events/ingest-hubspot-*.json honest: signed for the demo binding, and parsed to what
// the demo promises.
func TestSampleEvents(t *testing.T) {
	providertest.Samples{
		Provider: hubspot.New(), Binding: demoBinding, Secret: demoSecret, CallbackURL: demoBinding.CallbackURL,
		ReceivedAt: func(t *testing.T, d glassbox.Delivery) time.Time {
			ms, err := strconv.ParseInt(d.Header.Get(hubspot.TimestampHeader), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return time.UnixMilli(ms).Add(800 * time.Millisecond).UTC()
		},
		Event: func(t *testing.T, _ glassbox.Delivery, e glassbox.Event) {
			if e.ProjectID != "northwind-app" || e.Deal.ID != "18234567890" {
				t.Fatalf("event = %s", dump(e))
			}
		},
	}.Run(t, []providertest.Sample{
		{File: "ingest-hubspot-stage-closed.json", ID: "hubspot:4120000001:18234567890:contractsent", Stage: "contractsent", Closes: "discovery"},
		{File: "ingest-hubspot-paid.json", ID: "hubspot:4120000017:18234567890:closedwon", Stage: "closedwon", Paid: true},
		{File: "ingest-hubspot-forged.json", Forged: true},
	})
}

func FuzzVerifyAndParse(f *testing.F) {
	for _, name := range []string{"hubspot-deal-stage-changed.json", "hubspot-deal-stage-batch.json",
		"hubspot-object-stage-changed.json", "hubspot-deal-created.json"} {
		f.Add(providertest.Testdata(f, name), vectorSig, strconv.FormatInt(vectorTimestamp, 10))
	}
	f.Add([]byte(`[{"eventId":1,"objectId":1,"subscriptionType":"deal.propertyChange","propertyName":"dealstage"}]`), "", "")
	f.Fuzz(func(t *testing.T, body []byte, sig, ts string) {
		d := delivery(body, sig, ts, vectorTime)
		providertest.FuzzVerify(t, hubspot.New(), d, vectorSecret)
		providertest.FuzzParse(t, hubspot.New(), d, binding, func(e glassbox.Event) bool {
			return e.ID != "" && e.ProjectID != "" && e.Deal != nil && e.Deal.ID != "" && e.Kind == glassbox.EventDealStageChanged
		})
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	body := providertest.Testdata(b, "hubspot-deal-stage-changed.json")
	d := delivery(body, vectorSig, strconv.FormatInt(vectorTimestamp, 10), vectorTime)
	providertest.BenchmarkVerifyAndParse(b, hubspot.New(), d, vectorSecret, binding)
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// HubSpot does not promise eventId is unique: two changes sharing one must still be two events.
func TestParseRepeatedEventIDStaysTwoEvents(t *testing.T) {
	body := []byte(`[
 {"eventId":7,"portalId":27356661,"occurredAt":1716543682512,"subscriptionType":"deal.propertyChange","objectId":18234567890,"propertyName":"dealstage","propertyValue":"contractsent"},
 {"eventId":7,"portalId":27356661,"occurredAt":1716543682512,"subscriptionType":"deal.propertyChange","objectId":18234567999,"propertyName":"dealstage","propertyValue":"contractsent"}]`)
	evs, err := providertest.Accepted(hubspot.New(), delivery(body, "", "", vectorTime), binding)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].ID == evs[1].ID {
		t.Fatalf("events = %+v; want two with different ids", evs)
	}
}
