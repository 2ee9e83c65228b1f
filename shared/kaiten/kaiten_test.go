package kaiten_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/ingest"
	"github.com/glassbox-oss/glassbox/shared/kaiten"
	"github.com/glassbox-oss/glassbox/shared/providertest"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// The provider is what ingest and React take: one value verifies, parses and reads back.
var (
	_ ingest.Provider  = kaiten.Provider{}
	_ react.ReadBacker = kaiten.Provider{}
)

// secret is a token as `openssl rand -hex 32` makes it.
const secret = "3f9a1c0e7b5d42a88c6e1f0d9b2a7c4e5f6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"

var binding = glassbox.Binding{
	ID: "marketing", ProjectID: "spring", Provider: "kaiten", ExternalID: "402117",
	SecretParam: "/glassbox/kaiten/marketing", APIParam: "/glassbox/kaiten/marketing-api",
	APIURL: "https://acme.kaiten.ru/api/latest",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"2450115"},
		glassbox.StatusInProgress: {"2450117", "In Progress"},
		glassbox.StatusReview:     {"Review"},
		glassbox.StatusBlocked:    {"Blocked"},
	},
}

func delivery(body []byte, token string) glassbox.Delivery {
	q := url.Values{}
	if token != "" {
		q.Set(kaiten.TokenParam, token)
	}
	return glassbox.Delivery{Method: "POST", CallbackURL: "https://hooks.example.com/hooks/kaiten/marketing", Query: q,
		Body: body, ReceivedAt: time.Date(2025, 5, 24, 9, 41, 23, 0, time.UTC)}
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func TestInfo(t *testing.T) {
	info := kaiten.New().Info()
	if info.Name != "kaiten" || info.Kind != glassbox.ProviderTracker || !info.ReadsBack || !info.NeedsAPIURL || info.SecretFromHandshake {
		t.Fatalf("Info = %+v", info)
	}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "kaiten-card-moved.json")
	short := secret[:kaiten.MinTokenLength-1]
	providertest.Verify(t, kaiten.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery(body, secret), Secret: secret},
		{Name: "OKAtMinimumLength", Delivery: delivery(body, secret[:kaiten.MinTokenLength]), Secret: secret[:kaiten.MinTokenLength]},
		{Name: "ErrWrongToken", Delivery: delivery(body, strings.Repeat("0", len(secret))), Secret: secret, WantErr: true, ErrSays: "does not match"},
		{Name: "ErrTokenPrefixOfSecret", Delivery: delivery(body, secret[:40]), Secret: secret, WantErr: true, ErrSays: "does not match"},
		{Name: "ErrTokenLongerThanSecret", Delivery: delivery(body, secret+"0"), Secret: secret, WantErr: true, ErrSays: "does not match"},
		{Name: "ErrMissingToken", Delivery: delivery(body, ""), Secret: secret, WantErr: true, ErrSays: "missing"},
		// A weak secret refuses every delivery, even one carrying it: it cannot be configured silently.
		{Name: "ErrShortSecret", Delivery: delivery(body, short), Secret: short, WantErr: true, ErrSays: "shorter than 32"},
		{Name: "ErrEmptySecret", Delivery: delivery(body, ""), Secret: "", WantErr: true, ErrSays: "shorter than 32"},
	})
	t.Run("ErrNoQueryAtAll", func(t *testing.T) {
		d := delivery(body, "")
		d.Query = nil
		if err := kaiten.New().Verify(d, secret); !errors.Is(err, glassbox.ErrBadSignature) {
			t.Fatalf("Verify = %v", err)
		}
	})
}

func TestHookURL(t *testing.T) {
	got := kaiten.HookURL("https://glassbox.studio.example/", "marketing", secret)
	want := "https://glassbox.studio.example/hooks/kaiten/marketing?token=" + secret
	if got != want {
		t.Fatalf("HookURL = %q, want %q", got, want)
	}
	u, _ := url.Parse(got)
	if err := kaiten.New().Verify(glassbox.Delivery{Query: u.Query()}, secret); err != nil {
		t.Fatalf("a delivery to HookURL does not verify: %v", err)
	}
}

func TestCardURL(t *testing.T) {
	for apiURL, want := range map[string]string{
		"https://acme.kaiten.ru/api/latest":              "https://acme.kaiten.ru/42",
		"https://acme.kaiten.ru/api/latest/":             "https://acme.kaiten.ru/42",
		"https://acme.kaiten.ru/api/v1":                  "https://acme.kaiten.ru/42",
		"https://acme.kaiten.ru":                         "https://acme.kaiten.ru/42",
		"https://kaiten.acme.example/tracker/api/latest": "https://kaiten.acme.example/tracker/42",
		"http://127.0.0.1:8080/fake/kaiten/api/latest":   "http://127.0.0.1:8080/fake/kaiten/42",
		"acme.kaiten.ru/api/latest":                      "",
		"javascript:alert(1)//acme.kaiten.ru/api/latest": "",
	} {
		if got := kaiten.CardURL(apiURL, "42"); got != want {
			t.Errorf("CardURL(%q) = %q, want %q", apiURL, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	tests := []struct {
		file string
		want []glassbox.Event
	}{
		// Column 2450120 is not in the map; the changes say state 3, Kaiten's done. The status before is left
		// to the stored state (see Parse).
		{"kaiten-card-moved.json", []glassbox.Event{{
			ID: "kaiten:18734512:column:2450120@2025-05-24T09:41:22.512Z", Kind: glassbox.EventTaskMoved,
			ProviderEventID: "18734512:column:2450120@2025-05-24T09:41:22.512Z", ProviderType: "card:update",
			TaskID: "18734512", Title: "Landing page for spring campaign", URL: "https://acme.kaiten.ru/18734512",
			ListID: "2450120", Status: glassbox.StatusDone, PrevListID: "2450117",
			Actor: "Иван Петров", OccurredAt: at("2025-05-24T09:41:22.512Z"),
		}}},
		{"kaiten-card-created.json", []glassbox.Event{{
			ID: "kaiten:18734512:created@2025-05-22T07:03:10.004Z", Kind: glassbox.EventTaskCreated,
			ProviderEventID: "18734512:created@2025-05-22T07:03:10.004Z", ProviderType: "card:add",
			TaskID: "18734512", Title: "Landing page for spring campaign", URL: "https://acme.kaiten.ru/18734512",
			ListID: "2450115", Status: glassbox.StatusTodo,
			Actor: "Иван Петров", OccurredAt: at("2025-05-22T07:03:10.004Z"),
		}}},
		{"kaiten-card-renamed.json", []glassbox.Event{{
			ID: "kaiten:18734512:title@2025-05-23T12:05:31.250Z", Kind: glassbox.EventTaskUpdated,
			ProviderEventID: "18734512:title@2025-05-23T12:05:31.250Z", ProviderType: "card:update",
			TaskID: "18734512", Title: "Landing page for spring campaign", URL: "https://acme.kaiten.ru/18734512",
			Actor: "ivan.petrov", OccurredAt: at("2025-05-23T12:05:31.250Z"),
		}}},
		// A comment belongs to a card (card_id): not a status change, acknowledged and not stored.
		{"kaiten-comment-added.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d := delivery(providertest.Testdata(t, tt.file), secret)
			got, err := providertest.Accepted(kaiten.New(), d, binding)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.want {
				w := &tt.want[i]
				w.ProjectID, w.BindingID, w.Provider, w.ReceivedAt = "spring", "marketing", "kaiten", d.ReceivedAt
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events %s, want %d", len(got), dump(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestParseMoveByShapeNotEventString: the event strings are unverified placeholders, so a move is found by
// changes.column_id whatever the event is called, and a card:update that moves nothing is no move.
func TestParseMoveByShapeNotEventString(t *testing.T) {
	move := `{"event":%q,"data":{"old":{"id":7,"column_id":10,"state":1},"changes":{"column_id":11,"updated":"2025-01-01T00:00:00Z"}}}`
	for _, event := range []string{"card:update", "card_moved", "card.update", "", "something_new"} {
		evs, err := kaiten.New().Parse(delivery([]byte(fmt.Sprintf(move, event)), ""), binding)
		if err != nil || len(evs) != 1 || evs[0].Kind != glassbox.EventTaskMoved || evs[0].ListID != "11" || evs[0].PrevListID != "10" {
			t.Errorf("event %q: Parse = %s, %v; want a move 10 → 11", event, dump(evs), err)
		}
	}
	// The changes keep the state when it did not change: a card already done that moves between done columns
	// stays done.
	evs, _ := kaiten.New().Parse(delivery([]byte(`{"event":"card:update","data":{"old":{"id":7,"column_id":10,"state":3},"changes":{"column_id":11}}}`), ""), binding)
	if len(evs) != 1 || evs[0].Status != glassbox.StatusDone {
		t.Errorf("move between done columns: %s", dump(evs))
	}
}

func TestParseRejectsAndIgnores(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		malformed bool
	}{
		{"NotJSON", `hello`, true},
		{"TruncatedJSON", `{"event":"card:update","data":{"old":{"id":1`, true},
		{"NoData", `{"event":"card:update"}`, true},
		{"DataNotAnObject", `{"event":"card:update","data":[1,2]}`, true},
		{"CardWithoutID", `{"event":"card:update","data":{"old":{"column_id":1},"changes":{"column_id":2}}}`, true},
		{"CardIDNotANumber", `{"event":"card:update","data":{"old":{"id":"../admin","column_id":1},"changes":{"column_id":2}}}`, true},
		{"ColumnIDNotANumber", `{"event":"card:update","data":{"old":{"id":1,"column_id":1},"changes":{"column_id":"x/y"}}}`, true},
		{"CommentIgnored", `{"event":"comment:add","data":{"id":5,"card_id":1,"text":"hi"}}`, false},
		{"BlockerIgnored", `{"event":"block:add","data":{"id":5,"card_id":1,"reason":"waiting"}}`, false},
		{"BoardIgnored", `{"event":"board:update","data":{"old":{"id":9,"title":"A"},"changes":{"title":"B"}}}`, false},
		{"SpaceIgnored", `{"event":"space:add","data":{"id":"3","uid":"u","title":"S"}}`, false},
		{"SortOrderOnlyIgnored", `{"event":"card:update","data":{"old":{"id":1,"column_id":1,"sort_order":2},"changes":{"sort_order":1}}}`, false},
		{"SameColumnIgnored", `{"event":"card:update","data":{"old":{"id":1,"column_id":1},"changes":{"column_id":1,"lane_id":4}}}`, false},
		{"SameTitleIgnored", `{"event":"card:update","data":{"old":{"id":1,"column_id":1,"title":"A"},"changes":{"title":"A"}}}`, false},
		{"RemovedCardIgnored", `{"event":"card:remove","data":{"id":1,"column_id":1,"title":"A"}}`, false},
		{"DeletedCardIgnored", `{"event":"card_delete","data":{"id":1,"column_id":1,"title":"A"}}`, false},
		{"UUIDIdsOfOtherModelsIgnored", `{"event":"x","data":{"id":{"v":1},"uid":"u"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providertest.Accepted(kaiten.New(), delivery([]byte(tt.body), ""), binding)
			if tt.malformed {
				if !errors.Is(err, glassbox.ErrMalformed) {
					t.Fatalf("Parse = %s, %v; want ErrMalformed", dump(got), err)
				}
				return
			}
			if err != nil || len(got) != 0 {
				t.Fatalf("Parse = %s, %v; want no events and no error", dump(got), err)
			}
		})
	}
}

// TestEventIDs: Kaiten has no delivery id. A retry (the same body) is the same event; another move of the same
// card to the same column at another time is another; a body without a time is known by its bytes.
func TestEventIDs(t *testing.T) {
	parse := func(body string) string {
		t.Helper()
		evs, err := kaiten.New().Parse(delivery([]byte(body), ""), binding)
		if err != nil || len(evs) != 1 {
			t.Fatalf("Parse(%s) = %s, %v", body, dump(evs), err)
		}
		return evs[0].ID
	}
	move := `{"event":"card:update","data":{"old":{"id":7,"column_id":10},"changes":{"column_id":11%s}}}`
	at9 := parse(fmt.Sprintf(move, `,"updated":"2025-01-01T09:00:00Z"`))
	if again := parse(fmt.Sprintf(move, `,"updated":"2025-01-01T09:00:00Z"`)); again != at9 {
		t.Errorf("a retry is %q, first %q", again, at9)
	}
	if at10 := parse(fmt.Sprintf(move, `,"updated":"2025-01-01T10:00:00Z"`)); at10 == at9 {
		t.Errorf("a later move to the same column has the same id %q", at10)
	}
	untimed := parse(fmt.Sprintf(move, ""))
	if !strings.HasPrefix(untimed, "kaiten:7:column:11@h") || parse(fmt.Sprintf(move, "")) != untimed {
		t.Errorf("untimed move id %q is not stable and body-derived", untimed)
	}
	if other := parse(fmt.Sprintf(move, ` `)); other == untimed {
		t.Errorf("two untimed bodies that differ share the id %q", other)
	}

	// A time in a format Kaiten does not document still stores the move (at the receipt time), once.
	odd := fmt.Sprintf(move, `,"updated":"24.05.2025 09:41:22"`)
	evs, err := providertest.Accepted(kaiten.New(), delivery([]byte(odd), ""), binding)
	if err != nil || len(evs) != 1 || !strings.HasPrefix(evs[0].ID, "kaiten:7:column:11@t") || !evs[0].OccurredAt.Equal(evs[0].ReceivedAt) {
		t.Fatalf("odd time: %s, %v", dump(evs), err)
	}
	if again := parse(odd); again != evs[0].ID {
		t.Errorf("a retry with an odd time is %q, first %q", again, evs[0].ID)
	}
}

// TestStatusCombinesMapAndKaitenDone: the status map wins when it names the column; otherwise Kaiten's own done
// (state 3) is done; otherwise unknown.
func TestStatusCombinesMapAndKaitenDone(t *testing.T) {
	move := func(column string, state int) string {
		return fmt.Sprintf(`{"event":"card:update","data":{"old":{"id":7,"column_id":1},"changes":{"column_id":%s,"state":%d}}}`, column, state)
	}
	tests := []struct {
		name string
		body string
		want glassbox.TaskStatus
	}{
		{"MapNamesColumn", move("2450117", 2), glassbox.StatusInProgress},
		{"MapWinsOverKaitenDone", move("2450117", 3), glassbox.StatusInProgress},
		{"KaitenDoneUnmapped", move("99", 3), glassbox.StatusDone},
		{"UnmappedInProgress", move("99", 2), glassbox.StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := kaiten.New().Parse(delivery([]byte(tt.body), ""), binding)
			if err != nil || len(evs) != 1 || evs[0].Status != tt.want {
				t.Fatalf("Parse = %s, %v; want status %q", dump(evs), err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"kaiten-card-moved.json", "kaiten-card-created.json", "kaiten-card-renamed.json", "kaiten-comment-added.json"} {
		f.Add(providertest.Testdata(f, name), secret)
	}
	f.Add([]byte(`{"data":{"old":{"id":"1","column_id":"2"},"changes":{"column_id":3}}}`), "short")
	f.Add(providertest.WithText(f, providertest.Testdata(f, "kaiten-comment-added.json"), "Клиент согласовал тексты, двигаем дальше.", "Причина: ждём"), secret)
	f.Fuzz(func(t *testing.T, body []byte, token string) {
		d := delivery(body, token)
		providertest.FuzzVerify(t, kaiten.New(), d, secret)
		providertest.FuzzParse(t, kaiten.New(), d, binding, func(e glassbox.Event) bool {
			return e.ID != "" && e.TaskID != "" && e.Kind != "" && len(e.ID) <= 200
		})
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	d := delivery(providertest.Testdata(b, "kaiten-card-moved.json"), secret)
	providertest.BenchmarkVerifyAndParse(b, kaiten.New(), d, secret, binding)
}

// A comment that starts with a reason marker is the card's reason; other comments stay ignored.
func TestNotes(t *testing.T) {
	sample := providertest.Testdata(t, "kaiten-comment-added.json")
	providertest.Notes(t, kaiten.New(), binding, func(t *testing.T, text string) glassbox.Delivery {
		return delivery(providertest.WithText(t, sample, "Клиент согласовал тексты, двигаем дальше.", text), secret)
	}, func(t *testing.T, e glassbox.Event) {
		if e.ID != "kaiten:18734512:comment:55012873" || e.TaskID != "18734512" ||
			e.URL != "https://acme.kaiten.ru/18734512" || e.Actor != "Иван Петров" ||
			!e.OccurredAt.Equal(time.Date(2025, 5, 24, 9, 30, 1, 200e6, time.UTC)) {
			t.Errorf("event %+v", e)
		}
	})
}
