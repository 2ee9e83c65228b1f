package dynamo

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// exportAll lets cmp look into the SDK's attribute value structs (their only unexported field is empty).
var exportAll = cmp.Exporter(func(reflect.Type) bool { return true })

func readStreamEvent(t *testing.T, path string) events.DynamoDBEvent {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return ev
}

func streamFixtureEvent() glassbox.Event {
	return glassbox.Event{
		ID: "trello:65f1c0de9a1b2c3d4e5f6a7b", ProjectID: "site", BindingID: "b1", Provider: "trello",
		ProviderEventID: "65f1c0de9a1b2c3d4e5f6a7b", Kind: glassbox.EventTaskMoved, ProviderType: "updateCard",
		TaskID: "5f9b1c2d3e4f5a6b7c8d9e0f", Title: "Home page design", URL: "https://trello.com/c/AbCd1234",
		ListID: "5f9b00000000000000000003", ListName: "Done", Status: glassbox.StatusDone,
		PrevListID: "5f9b00000000000000000002", PrevListName: "Review", PrevStatus: glassbox.StatusReview,
		Actor:      "Mia Manager",
		OccurredAt: time.Date(2026, 3, 2, 9, 30, 0, 123000000, time.UTC),
		ReceivedAt: time.Date(2026, 3, 2, 9, 30, 1, 456789000, time.UTC),
	}
}

func TestDecodeEventImage(t *testing.T) {
	ev := readStreamEvent(t, "testdata/stream-insert-event.json")
	if len(ev.Records) != 1 {
		t.Fatalf("%d records, want 1", len(ev.Records))
	}
	rec := ev.Records[0]
	want := streamFixtureEvent()

	got, err := DecodeEventImage(rec.Change.NewImage)
	if err != nil {
		t.Fatalf("DecodeEventImage: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded event mismatch (-want +got):\n%s", diff)
	}

	// The fixture is exactly the item AppendEvent writes, so it cannot drift from the real shape.
	item, err := New(nil, "glassbox").eventItem(want)
	if err != nil {
		t.Fatalf("eventItem: %v", err)
	}
	image, err := FromStreamImage(rec.Change.NewImage)
	if err != nil {
		t.Fatalf("FromStreamImage: %v", err)
	}
	if diff := cmp.Diff(item, image, exportAll); diff != "" {
		t.Errorf("fixture image differs from the item AppendEvent writes (-item +fixture):\n%s", diff)
	}
}

func TestDecodeEventImageNotAnEvent(t *testing.T) {
	for _, tt := range []struct {
		name string
		img  map[string]events.DynamoDBAttributeValue
	}{
		{"Message", map[string]events.DynamoDBAttributeValue{
			"pk": events.NewStringAttribute("MESSAGE#m1"), "type": events.NewStringAttribute("message"), "id": events.NewStringAttribute("m1"),
		}},
		{"NoType", map[string]events.DynamoDBAttributeValue{"pk": events.NewStringAttribute("EVENT#x")}},
		{"TypeNotString", map[string]events.DynamoDBAttributeValue{"type": events.NewNumberAttribute("1")}},
		{"ZeroValue", map[string]events.DynamoDBAttributeValue{"type": events.NewStringAttribute("event"), "bad": {}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeEventImage(tt.img); err == nil {
				t.Error("DecodeEventImage: no error for an image that is not an event")
			}
		})
	}
}

func TestFromStreamImageAllTypes(t *testing.T) {
	img := map[string]events.DynamoDBAttributeValue{
		"s":    events.NewStringAttribute("text"),
		"n":    events.NewNumberAttribute("-12.5"),
		"b":    events.NewBinaryAttribute([]byte{0, 1, 0xff}),
		"bool": events.NewBooleanAttribute(true),
		"null": events.NewNullAttribute(),
		"m": events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"inner": events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewStringAttribute("x"), events.NewNumberAttribute("1")}),
		}),
		"l":  events.NewListAttribute([]events.DynamoDBAttributeValue{events.NewBooleanAttribute(false), events.NewNullAttribute()}),
		"ss": events.NewStringSetAttribute([]string{"a", "b"}),
		"ns": events.NewNumberSetAttribute([]string{"1", "2.5"}),
		"bs": events.NewBinarySetAttribute([][]byte{{1}, {2, 3}}),
	}
	want := map[string]types.AttributeValue{
		"s":    &types.AttributeValueMemberS{Value: "text"},
		"n":    &types.AttributeValueMemberN{Value: "-12.5"},
		"b":    &types.AttributeValueMemberB{Value: []byte{0, 1, 0xff}},
		"bool": &types.AttributeValueMemberBOOL{Value: true},
		"null": &types.AttributeValueMemberNULL{Value: true},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"inner": &types.AttributeValueMemberL{Value: []types.AttributeValue{
				&types.AttributeValueMemberS{Value: "x"}, &types.AttributeValueMemberN{Value: "1"},
			}},
		}},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberBOOL{Value: false}, &types.AttributeValueMemberNULL{Value: true},
		}},
		"ss": &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"ns": &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"bs": &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
	}
	got, err := FromStreamImage(img)
	if err != nil {
		t.Fatalf("FromStreamImage: %v", err)
	}
	if diff := cmp.Diff(want, got, exportAll); diff != "" {
		t.Errorf("FromStreamImage mismatch (-want +got):\n%s", diff)
	}

	// The same through JSON, as Lambda delivers it (binary values base64 encoded).
	data, err := json.Marshal(img)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"AAH/"`) {
		t.Fatalf("binary not base64 in %s", data)
	}
	var decoded map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal(data, &decoded); err != nil {
		t.Fatal(err)
	}
	got, err = FromStreamImage(decoded)
	if err != nil {
		t.Fatalf("FromStreamImage(from JSON): %v", err)
	}
	if diff := cmp.Diff(want, got, exportAll); diff != "" {
		t.Errorf("FromStreamImage(from JSON) mismatch (-want +got):\n%s", diff)
	}
}

// toStreamImage converts an item to a Lambda stream image, the way the stream delivers what AppendEvent wrote.
func toStreamImage(t *testing.T, item map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	var conv func(v types.AttributeValue) events.DynamoDBAttributeValue
	conv = func(v types.AttributeValue) events.DynamoDBAttributeValue {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			return events.NewStringAttribute(v.Value)
		case *types.AttributeValueMemberN:
			return events.NewNumberAttribute(v.Value)
		case *types.AttributeValueMemberBOOL:
			return events.NewBooleanAttribute(v.Value)
		case *types.AttributeValueMemberNULL:
			return events.NewNullAttribute()
		case *types.AttributeValueMemberM:
			m := map[string]events.DynamoDBAttributeValue{}
			for k, e := range v.Value {
				m[k] = conv(e)
			}
			return events.NewMapAttribute(m)
		case *types.AttributeValueMemberL:
			var l []events.DynamoDBAttributeValue
			for _, e := range v.Value {
				l = append(l, conv(e))
			}
			return events.NewListAttribute(l)
		}
		t.Fatalf("toStreamImage: unexpected %T", v)
		return events.DynamoDBAttributeValue{}
	}
	out := map[string]events.DynamoDBAttributeValue{}
	for k, v := range item {
		out[k] = conv(v)
	}
	// Through JSON, as Lambda delivers it.
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var img map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal(data, &img); err != nil {
		t.Fatal(err)
	}
	return img
}

// TestDecodeEventImageDeal: a CRM deal event (its Deal, money amount included, and DocumentID) survives the
// stream.
func TestDecodeEventImageDeal(t *testing.T) {
	want := glassbox.Event{
		ID: "amocrm:d1-142", ProjectID: "site", BindingID: "crm", Provider: "amocrm", ProviderEventID: "d1-142",
		Kind: glassbox.EventDealStageChanged, ProviderType: "leads[status]",
		Deal: &glassbox.DealChange{ID: "d1", Name: "Site", StageID: "142", StageName: "Успешно", PrevStageID: "7",
			PipelineID: "p1", Amount: 150000_00, Currency: "RUB", Won: true},
		DocumentID: "doc-1",
		OccurredAt: time.Date(2026, 3, 2, 9, 30, 0, 123000000, time.UTC),
		ReceivedAt: time.Date(2026, 3, 2, 9, 30, 1, 0, time.UTC),
	}
	item, err := New(nil, "glassbox").eventItem(want)
	if err != nil {
		t.Fatalf("eventItem: %v", err)
	}
	got, err := DecodeEventImage(toStreamImage(t, item))
	if err != nil {
		t.Fatalf("DecodeEventImage: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded deal event mismatch (-want +got):\n%s", diff)
	}
}
