package generichook_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/generichook"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// Vector computed with openssl over the exact bytes of testdata/hook-done.json:
//
//	printf '%s' "1796119200." | cat - hook-done.json | openssl dgst -sha256 -hmac hook-secret-123 -r
const (
	vectorSecret = "hook-secret-123"
	vectorTS     = int64(1796119200)
	vectorSig    = "sha256=75ec31bccf454c8224614a4ae3cb1a2d9bebedd6aebfbc820a659e6049d9b4da"
)

var vectorSent = time.Unix(vectorTS, 0).UTC()

var binding = glassbox.Binding{
	ID: "bridge", ProjectID: "spring", Provider: "hook", ExternalID: "site",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"Новая"},
		glassbox.StatusInProgress: {"В работе"},
		glassbox.StatusDone:       {"готово"},
	},
}

func delivery(body []byte, ts, sig string, receivedAt time.Time) glassbox.Delivery {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if ts != "" {
		h.Set(generichook.TimestampHeader, ts)
	}
	if sig != "" {
		h.Set(generichook.SignatureHeader, sig)
	}
	return glassbox.Delivery{Method: "POST", Header: h, Body: body, ReceivedAt: receivedAt}
}

func TestSignMatchesVector(t *testing.T) {
	if got := generichook.Sign(vectorSecret, vectorTS, providertest.Testdata(t, "hook-done.json")); got != vectorSig {
		t.Fatalf("Sign = %q, want %q", got, vectorSig)
	}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "hook-done.json")
	ts := strconv.FormatInt(vectorTS, 10)
	providertest.Verify(t, generichook.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery(body, ts, vectorSig, vectorSent.Add(2*time.Second)), Secret: vectorSecret},
		{Name: "OKAtTheEdge", Delivery: delivery(body, ts, vectorSig, vectorSent.Add(generichook.MaxSkew)), Secret: vectorSecret},
		{Name: "OKCallerClockAhead", Delivery: delivery(body, ts, vectorSig, vectorSent.Add(-4*time.Minute)), Secret: vectorSecret},
		{Name: "ErrStale", Delivery: delivery(body, ts, vectorSig, vectorSent.Add(generichook.MaxSkew+time.Second)), Secret: vectorSecret, WantErr: true},
		{Name: "ErrFromTheFuture", Delivery: delivery(body, ts, vectorSig, vectorSent.Add(-6*time.Minute)), Secret: vectorSecret, WantErr: true},
		{Name: "ErrTimestampChanged", Delivery: delivery(body, strconv.FormatInt(vectorTS+1, 10), vectorSig, vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrTimestampInMilliseconds", Delivery: delivery(body, ts+"000", vectorSig, vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrForged", Delivery: delivery(body, ts, "sha256="+strings.Repeat("0", 64), vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrWrongSecret", Delivery: delivery(body, ts, vectorSig, vectorSent), Secret: "another", WantErr: true},
		{Name: "ErrBodyChanged", Delivery: delivery(append(append([]byte{}, body...), ' '), ts, vectorSig, vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNoTimestamp", Delivery: delivery(body, "", vectorSig, vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNoSignature", Delivery: delivery(body, ts, "", vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrBareHex", Delivery: delivery(body, ts, strings.TrimPrefix(vectorSig, "sha256="), vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNotHex", Delivery: delivery(body, ts, "sha256=xyz", vectorSent), Secret: vectorSecret, WantErr: true},
		{Name: "ErrTimestampNotANumber", Delivery: delivery(body, "yesterday", vectorSig, vectorSent), Secret: vectorSecret, WantErr: true},
	})
}

func TestParse(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v.UTC() }
	tests := []struct {
		file string
		want []glassbox.Event
	}{
		{"hook-done.json", []glassbox.Event{{
			ID: "hook:bridge:tracker-4711-status-3", ProviderEventID: "tracker-4711-status-3", ProviderType: "status",
			Kind: glassbox.EventTaskMoved, TaskID: "4711", Title: "Logo redesign", URL: "https://tracker.example/tasks/4711",
			ListName: "Готово", Status: glassbox.StatusDone, Actor: "Ivan Petrov", OccurredAt: at("2026-12-01T07:00:00Z"),
		}}},
		{"hook-new.json", []glassbox.Event{{
			ID: "hook:bridge:tracker-4711-status-1", ProviderEventID: "tracker-4711-status-1", ProviderType: "status",
			Kind: glassbox.EventTaskMoved, TaskID: "4711", Title: "Logo redesign", URL: "https://tracker.example/tasks/4711",
			ListName: "Новая", Status: glassbox.StatusTodo, Actor: "Anna Smirnova", OccurredAt: at("2026-11-28T09:15:00Z"),
		}}},
		// Another project of the calling system: not this binding's.
		{"hook-other-project.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d := delivery(providertest.Testdata(t, tt.file), "", "", vectorSent)
			got, err := providertest.Accepted(generichook.New(), d, binding)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.want {
				w := &tt.want[i]
				w.ProjectID, w.BindingID, w.Provider, w.ReceivedAt = "spring", "bridge", "hook", d.ReceivedAt
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

// TestStatus: the map wins (ignoring case); Glassbox's own status names work without a map entry; other names
// have no status.
func TestStatus(t *testing.T) {
	b := binding
	b.StatusMap = map[glassbox.TaskStatus][]string{glassbox.StatusReview: {"Done"}, glassbox.StatusDone: {"Closed"}}
	for _, tt := range []struct {
		name string
		want glassbox.TaskStatus
	}{
		{"done", glassbox.StatusReview}, {"CLOSED", glassbox.StatusDone}, {"blocked", glassbox.StatusBlocked},
		// Issue 9 made waiting one of Glassbox's own statuses (before, "Waiting" had none).
		{"in_progress", glassbox.StatusInProgress}, {"Waiting", glassbox.StatusWaiting}, {"on hold", glassbox.StatusUnknown},
	} {
		if got := generichook.Status(b, tt.name); got != tt.want {
			t.Errorf("Status(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	valid := map[string]any{
		"event_id": "e1", "task_id": "t1", "title": "T", "status": "done",
		"url": "https://tracker.example/t1", "occurred_at": "2026-12-01T10:00:00Z",
	}
	with := func(k string, v any) string {
		m := map[string]any{}
		for key, val := range valid {
			m[key] = val
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	tests := []struct{ name, body, says string }{
		{"NotJSON", `status=done`, "not a JSON report"},
		{"Array", `[{"event_id":"e1"}]`, "not a JSON report"},
		{"NoEventID", with("event_id", nil), "missing event_id"},
		{"NoTaskID", with("task_id", ""), "missing task_id"},
		{"NoTitle", with("title", " "), "missing title"},
		{"NoStatus", with("status", nil), "missing status"},
		{"NoURL", with("url", nil), "missing url"},
		{"NoOccurredAt", with("occurred_at", nil), "missing occurred_at"},
		{"NumberForTaskID", with("task_id", 4711), "not a JSON report"},
		{"JavascriptURL", with("url", "javascript:alert(1)"), "not an http(s) URL"},
		{"RelativeURL", with("url", "/tasks/1"), "not an http(s) URL"},
		{"DateOnly", with("occurred_at", "2026-12-01"), "not an RFC 3339 time"},
		{"UnixTime", with("occurred_at", "1796119200"), "not an RFC 3339 time"},
		{"LongEventID", with("event_id", strings.Repeat("e", 201)), "at most 200 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := generichook.New().Parse(delivery([]byte(tt.body), "", "", vectorSent), binding)
			if !errors.Is(err, glassbox.ErrMalformed) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("Parse error = %v, want ErrMalformed saying %q", err, tt.says)
			}
		})
	}
	// A report without project is every binding's; extra fields are allowed (bridges add their own).
	got, err := generichook.New().Parse(delivery([]byte(with("zap_meta", map[string]any{"id": 1})), "", "", vectorSent), binding)
	if err != nil || len(got) != 1 || got[0].Status != glassbox.StatusDone {
		t.Fatalf("Parse = %+v, %v", got, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"hook-done.json", "hook-new.json", "hook-other-project.json"} {
		f.Add(providertest.Testdata(f, name))
	}
	f.Add([]byte(`{"event_id":"1","task_id":"2","title":"t","status":"waiting","url":"https://x.example/2","occurred_at":"2026-12-01T10:00:00Z","reason":"Причина: ждём"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d := delivery(body, strconv.FormatInt(vectorTS, 10), generichook.Sign(vectorSecret, vectorTS, body), vectorSent)
		if err := generichook.New().Verify(d, vectorSecret); err != nil {
			t.Fatalf("a body signed right failed: %v", err)
		}
		providertest.FuzzParse(t, generichook.New(), d, binding, func(e glassbox.Event) bool {
			return e.ID != "" && e.TaskID != "" && e.Kind != "" && !e.OccurredAt.IsZero()
		})
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	d := delivery(providertest.Testdata(b, "hook-done.json"), strconv.FormatInt(vectorTS, 10), vectorSig, vectorSent.Add(time.Second))
	providertest.BenchmarkVerifyAndParse(b, generichook.New(), d, vectorSecret, binding)
}

// The demo binding of cmd/glassbox/demo/agency.yaml, which events/ingest-hook-*.json are made for.
var demoBinding = glassbox.Binding{
	ID: "demo-hook", ProjectID: "romashka-site", Provider: "hook", ExternalID: "SITE",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo: {"Новая"}, glassbox.StatusInProgress: {"В работе"}, glassbox.StatusDone: {"Готово"},
	},
}

const demoSecret = "demo-hook-secret"

// TestSampleEvents keeps events/ingest-hook-*.json honest: signed for the demo binding (at their timestamp;
// make demo signs them again when it sends them), and parsed to what events/README.md says.
func TestSampleEvents(t *testing.T) {
	providertest.Samples{
		Provider: generichook.New(), Binding: demoBinding, Secret: demoSecret,
		ReceivedAt: func(t *testing.T, d glassbox.Delivery) time.Time {
			ts, err := strconv.ParseInt(d.Header.Get(generichook.TimestampHeader), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return time.Unix(ts, 0).Add(time.Second).UTC()
		},
		Event: func(t *testing.T, _ glassbox.Delivery, e glassbox.Event) {
			// The waiting sample is another task, with its reason.
			if (e.TaskID != "4711" || e.Note != "") && (e.TaskID != "4712" || e.Note != "ждём от клиента тексты для главной страницы") {
				t.Fatalf("event = %+v", e)
			}
		},
	}.Run(t, []providertest.Sample{
		{File: "ingest-hook-created.json", Status: glassbox.StatusTodo},
		{File: "ingest-hook-done.json", Status: glassbox.StatusDone},
		{File: "ingest-hook-other-project-ignored.json", Ignored: true},
		{File: "ingest-hook-waiting.json", Status: glassbox.StatusWaiting},
		{File: "ingest-hook-forged.json", Forged: true},
	})
}

// TestEventIDsAreTheBindings: two systems bridged to two bindings may both number their reports from 1; one
// must not be taken for a redelivery of the other.
func TestEventIDsAreTheBindings(t *testing.T) {
	other := binding
	other.ID = "another-bridge"
	d := delivery(providertest.Testdata(t, "hook-done.json"), "", "", vectorSent)
	a, errA := generichook.New().Parse(d, binding)
	b, errB := generichook.New().Parse(d, other)
	if errA != nil || errB != nil || len(a) != 1 || len(b) != 1 || a[0].ID == b[0].ID {
		t.Fatalf("ids %+v and %+v (%v, %v): want one event each, with different ids", a, b, errA, errB)
	}
}

// reason is the task's reason on the event (Note): one line, bounded, a marker in front left out; a report
// without it has none. Glassbox's own new statuses need no map entry.
func TestReason(t *testing.T) {
	long := strings.Repeat("долго ", 400)
	for _, c := range []struct {
		name, reason, status string
		note                 string
		want                 glassbox.TaskStatus
	}{
		{"None", "", "готово", "", glassbox.StatusDone},
		{"Plain", "ждём доступы от клиента", "waiting", "ждём доступы от клиента", glassbox.StatusWaiting},
		{"Marker", "Причина: клиент в отпуске\nдо понедельника", "paused", "клиент в отпуске до понедельника", glassbox.StatusPaused},
		{"Markup", "<b>not</b> needed", "Cancelled", "<b>not</b> needed", glassbox.StatusCancelled},
		{"Long", long, "blocked", "", glassbox.StatusBlocked},
	} {
		t.Run(c.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"event_id": "e-" + c.name, "task_id": "4711", "title": "Главная",
				"status": c.status, "url": "https://tracker.example/4711", "occurred_at": "2026-12-01T10:00:00Z", "reason": c.reason})
			evs, err := generichook.New().Parse(delivery(body, "", "", time.Now()), binding)
			if err != nil || len(evs) != 1 {
				t.Fatalf("Parse = %+v, %v", evs, err)
			}
			e := evs[0]
			if e.Status != c.want || e.Kind != glassbox.EventTaskMoved {
				t.Errorf("status %q, kind %q; want %q", e.Status, e.Kind, c.want)
			}
			if c.name == "Long" {
				if n := utf8.RuneCountInString(e.Note); n != glassbox.MaxNoteRunes || !strings.HasSuffix(e.Note, "…") {
					t.Errorf("Note has %d runes, want %d ending in …", n, glassbox.MaxNoteRunes)
				}
			} else if e.Note != c.note {
				t.Errorf("Note = %q, want %q", e.Note, c.note)
			}
		})
	}
}
