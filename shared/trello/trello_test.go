package trello_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
	"github.com/glassbox-oss/glassbox/shared/trello"
)

// Vector from shared/samples/SIGNATURES.md, computed over the exact bytes of trello-card-moved.json.
const (
	vectorSecret   = "trello-app-secret-123"
	vectorCallback = "https://hooks.example.com/trello/callback?tenant=acme"
	vectorSig      = "WHVTHDeA1NgW7vRxBZuSxcrOJo4="
)

var binding = glassbox.Binding{
	ID: "marketing", ProjectID: "spring", Provider: "trello", ExternalID: "6640aa11bb22cc33dd44ee00",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"6640aa11bb22cc33dd44ee01"},
		glassbox.StatusInProgress: {"In Progress"},
		glassbox.StatusDone:       {"6640aa11bb22cc33dd44ee03"},
		glassbox.StatusBlocked:    {"blocked"},
	},
}

func delivery(body []byte, sig, callback string) glassbox.Delivery {
	h := http.Header{}
	if sig != "" {
		h.Set(trello.SignatureHeader, sig)
	}
	return glassbox.Delivery{Method: "POST", CallbackURL: callback, Header: h, Body: body,
		ReceivedAt: time.Date(2025, 5, 24, 9, 41, 23, 0, time.UTC)}
}

func TestSignMatchesVector(t *testing.T) {
	if got := trello.Sign(vectorSecret, providertest.Testdata(t, "trello-card-moved.json"), vectorCallback); got != vectorSig {
		t.Fatalf("Sign = %q, want %q", got, vectorSig)
	}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "trello-card-moved.json")
	providertest.Verify(t, trello.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery(body, vectorSig, vectorCallback), Secret: vectorSecret},
		{Name: "ErrForgedSignature", Delivery: delivery(body, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", vectorCallback), Secret: vectorSecret, WantErr: true},
		{Name: "ErrWrongSecret", Delivery: delivery(body, vectorSig, vectorCallback), Secret: "another-secret", WantErr: true},
		{Name: "ErrWrongCallbackURL", Delivery: delivery(body, vectorSig, "https://hooks.example.com/trello/callback"), Secret: vectorSecret, WantErr: true},
		{Name: "ErrBodyChanged", Delivery: delivery(append(append([]byte{}, body...), ' '), vectorSig, vectorCallback), Secret: vectorSecret, WantErr: true},
		{Name: "ErrTruncatedBody", Delivery: delivery(body[:len(body)/2], vectorSig, vectorCallback), Secret: vectorSecret, WantErr: true},
		{Name: "ErrMissingHeader", Delivery: delivery(body, "", vectorCallback), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNotBase64", Delivery: delivery(body, "%%%", vectorCallback), Secret: vectorSecret, WantErr: true},
	})
}

func TestParse(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	tests := []struct {
		file string
		want []glassbox.Event
	}{
		{"trello-card-moved.json", []glassbox.Event{{
			ID: "trello:6650f1a2c3d4e5f601234567", Kind: glassbox.EventTaskMoved, ProviderType: "updateCard",
			ProviderEventID: "6650f1a2c3d4e5f601234567",
			TaskID:          "664e0b7d9a1c2b3d4e5f6071", Title: "Landing page for spring campaign",
			URL:    "https://trello.com/c/Ab3dEf9h",
			ListID: "6640aa11bb22cc33dd44ee03", ListName: "Done", Status: glassbox.StatusDone,
			PrevListID: "6640aa11bb22cc33dd44ee02", PrevListName: "In Progress", PrevStatus: glassbox.StatusInProgress,
			Actor: "Ivan Petrov", OccurredAt: at("2025-05-24T09:41:22.512Z"),
		}}},
		{"trello-card-blocked.json", []glassbox.Event{{
			ID: "trello:6650f1a2c3d4e5f601234599", Kind: glassbox.EventTaskMoved, ProviderType: "updateCard",
			ProviderEventID: "6650f1a2c3d4e5f601234599",
			TaskID:          "664e0b7d9a1c2b3d4e5f6071", Title: "Landing page for spring campaign",
			URL:    "https://trello.com/c/Ab3dEf9h",
			ListID: "6640aa11bb22cc33dd44ee04", ListName: "Blocked", Status: glassbox.StatusBlocked,
			PrevListID: "6640aa11bb22cc33dd44ee02", PrevListName: "In Progress", PrevStatus: glassbox.StatusInProgress,
			Actor: "Ivan Petrov", OccurredAt: at("2025-05-24T10:05:00Z"),
		}}},
		{"trello-card-created.json", []glassbox.Event{{
			ID: "trello:6650f0aa11bb22cc33dd44ee", Kind: glassbox.EventTaskCreated, ProviderType: "createCard",
			ProviderEventID: "6650f0aa11bb22cc33dd44ee",
			TaskID:          "664e0b7d9a1c2b3d4e5f6071", Title: "Landing page for spring campaign",
			URL:    "https://trello.com/c/Ab3dEf9h",
			ListID: "6640aa11bb22cc33dd44ee01", ListName: "To Do", Status: glassbox.StatusTodo,
			Actor: "Ivan Petrov", OccurredAt: at("2025-05-22T07:03:10.004Z"),
		}}},
		{"trello-card-attachment.json", []glassbox.Event{{
			ID: "trello:6650f1a2c3d4e5f6012345bb", Kind: glassbox.EventLinkAttached, ProviderType: "addAttachmentToCard",
			ProviderEventID: "6650f1a2c3d4e5f6012345bb",
			TaskID:          "664e0b7d9a1c2b3d4e5f6071", Title: "Landing page for spring campaign",
			URL: "https://trello.com/c/Ab3dEf9h", Link: "https://www.figma.com/file/abc123/Landing",
			Actor: "Ivan Petrov", OccurredAt: at("2025-05-24T09:40:00Z"),
		}}},
		// Comments are not status changes: acknowledged, not stored.
		{"trello-card-comment.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d := delivery(providertest.Testdata(t, tt.file), "", "")
			got, err := providertest.Accepted(trello.New(), d, binding)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.want {
				w := &tt.want[i]
				w.ProjectID, w.BindingID, w.Provider, w.ReceivedAt = "spring", "marketing", "trello", d.ReceivedAt
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseRejectsAndIgnores(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		malformed bool
	}{
		{"TruncatedJSON", `{"action":{"id":"1","type":"updateCard"`, true},
		{"NotJSON", `hello`, true},
		{"NoAction", `{"model":{}}`, true},
		{"ActionWithoutType", `{"action":{"id":"1"}}`, true},
		{"MoveWithoutListAfter", `{"action":{"id":"1","type":"updateCard","date":"2025-01-01T00:00:00Z","data":{"card":{"id":"c"},"old":{"idList":"a"}}}}`, true},
		{"UnknownActionTypeIgnored", `{"action":{"id":"1","type":"addLabelToCard","date":"2025-01-01T00:00:00Z","data":{"card":{"id":"c"}}}}`, false},
		{"BoardActionIgnored", `{"action":{"id":"1","type":"updateBoard","date":"2025-01-01T00:00:00Z","data":{"board":{"id":"b"}}}}`, false},
		{"DueDateNotATime", `{"action":{"id":"1","type":"updateCard","date":"2025-01-01T00:00:00Z","data":{"card":{"id":"c","due":"tomorrow"},"old":{"due":null}}}}`, true},
		{"DescriptionChangeIgnored", `{"action":{"id":"1","type":"updateCard","date":"2025-01-01T00:00:00Z","data":{"card":{"id":"c"},"old":{"desc":""}}}}`, false},
		{"FileAttachmentWithoutWebLinkIgnored", `{"action":{"id":"1","type":"addAttachmentToCard","date":"2025-01-01T00:00:00Z","data":{"card":{"id":"c"},"attachment":{"url":"javascript:alert(1)"}}}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providertest.Accepted(trello.New(), delivery([]byte(tt.body), "", ""), binding)
			providertest.MalformedOrIgnored(t, got, err, tt.malformed)
		})
	}
}

// Trello reports a card's due date on createCard (card.due) and on updateCard with old.due; the event carries it
// (HasDue, Due; a removed due date is HasDue with a zero Due), and a due-date change alone is a task_updated.
// Before the issue that added overdue notices, a due-date change was ignored.
func TestParseDue(t *testing.T) {
	due := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		body    string
		kind    glassbox.EventKind
		hasDue  bool
		wantDue time.Time
	}{
		{"SetOnUpdate", `{"action":{"id":"1","type":"updateCard","date":"2026-12-01T10:00:00Z","data":{"card":{"id":"c","name":"Logo","due":"2026-12-04T15:00:00.000Z"},"old":{"due":null}}}}`,
			glassbox.EventTaskUpdated, true, due},
		{"Moved", `{"action":{"id":"1","type":"updateCard","date":"2026-12-01T10:00:00Z","data":{"card":{"id":"c","due":"2026-12-04T18:00:00+03:00"},"old":{"due":"2026-12-03T15:00:00.000Z"}}}}`,
			glassbox.EventTaskUpdated, true, due},
		{"Removed", `{"action":{"id":"1","type":"updateCard","date":"2026-12-01T10:00:00Z","data":{"card":{"id":"c","due":null},"old":{"due":"2026-12-03T15:00:00.000Z"}}}}`,
			glassbox.EventTaskUpdated, true, time.Time{}},
		{"CreatedWithDue", `{"action":{"id":"1","type":"createCard","date":"2026-12-01T10:00:00Z","data":{"card":{"id":"c","due":"2026-12-04T15:00:00Z"},"list":{"id":"l1","name":"To Do"}}}}`,
			glassbox.EventTaskCreated, true, due},
		{"CreatedWithout", `{"action":{"id":"1","type":"createCard","date":"2026-12-01T10:00:00Z","data":{"card":{"id":"c"},"list":{"id":"l1","name":"To Do"}}}}`,
			glassbox.EventTaskCreated, false, time.Time{}},
		{"MoveKeepsNoDue", `{"action":{"id":"1","type":"updateCard","date":"2026-12-01T10:00:00Z","data":{"card":{"id":"c","due":"2026-12-04T15:00:00Z"},"old":{"idList":"a"},"listBefore":{"id":"a"},"listAfter":{"id":"b"}}}}`,
			glassbox.EventTaskMoved, false, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providertest.Accepted(trello.New(), delivery([]byte(tt.body), "", ""), binding)
			if err != nil || len(got) != 1 {
				t.Fatalf("Parse = %+v, %v; want one event", got, err)
			}
			e := got[0]
			if e.Kind != tt.kind || e.HasDue != tt.hasDue || !e.Due.Equal(tt.wantDue) {
				t.Errorf("kind %s, hasDue %v, due %v; want %s, %v, %v", e.Kind, e.HasDue, e.Due, tt.kind, tt.hasDue, tt.wantDue)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"trello-card-moved.json", "trello-card-created.json", "trello-card-comment.json"} {
		f.Add(providertest.Testdata(f, name))
	}
	f.Add(providertest.WithText(f, providertest.Testdata(f, "trello-card-comment.json"), "Client approved the copy, moving on.", "Причина: ждём"))
	f.Fuzz(func(t *testing.T, body []byte) {
		providertest.FuzzParse(t, trello.New(), delivery(body, "", ""), binding, func(e glassbox.Event) bool {
			return e.ID != "" && e.TaskID != "" && e.Kind != ""
		})
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	body := providertest.Testdata(b, "trello-card-moved.json")
	d := delivery(body, vectorSig, vectorCallback)
	providertest.BenchmarkVerifyAndParse(b, trello.New(), d, vectorSecret, binding)
}

// A comment that starts with a reason marker is the card's reason; other comments stay ignored.
func TestNotes(t *testing.T) {
	sample := providertest.Testdata(t, "trello-card-comment.json")
	providertest.Notes(t, trello.New(), binding, func(t *testing.T, text string) glassbox.Delivery {
		return delivery(providertest.WithText(t, sample, "Client approved the copy, moving on.", text), "", "")
	}, func(t *testing.T, e glassbox.Event) {
		if e.ID != "trello:6650f3c4d5e6f70812345678" || e.TaskID != "664e0b7d9a1c2b3d4e5f6071" ||
			e.Title != "Landing page for spring campaign" || e.URL != "https://trello.com/c/Ab3dEf9h" || e.Actor != "Ivan Petrov" {
			t.Errorf("event %+v", e)
		}
	})
}
