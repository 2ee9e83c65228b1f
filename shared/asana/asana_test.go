package asana_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/asana"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// Vector from shared/samples/SIGNATURES.md, computed over the exact bytes of asana-task-moved-section.json.
const (
	vectorSecret = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81"
	vectorSig    = "52e34d2e83b3e0d59595e979f93b659830111fbaeab03416fe605d6212726c89"
)

var binding = glassbox.Binding{
	ID: "site", ProjectID: "spring", Provider: "asana", ExternalID: "1207000000000100",
	SecretParam: "/glassbox/hooks/site-asana", APIParam: "/glassbox/asana/site-api",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"1207000000000301"},
		glassbox.StatusInProgress: {"In Progress"},
		glassbox.StatusDone:       {"1207000000000303"},
		glassbox.StatusBlocked:    {"blocked"},
	},
}

func delivery(body []byte, sig string) glassbox.Delivery {
	h := http.Header{}
	if sig != "" {
		h.Set(asana.SignatureHeader, sig)
	}
	return glassbox.Delivery{Method: "POST", Header: h, Body: body,
		ReceivedAt: time.Date(2025, 5, 24, 9, 41, 30, 0, time.UTC)}
}

func TestSignMatchesVector(t *testing.T) {
	if got := asana.Sign(vectorSecret, providertest.Testdata(t, "asana-task-moved-section.json")); got != vectorSig {
		t.Fatalf("Sign = %q, want %q", got, vectorSig)
	}
}

func TestVerify(t *testing.T) {
	body := providertest.Testdata(t, "asana-task-moved-section.json")
	heartbeat := providertest.Testdata(t, "asana-heartbeat.json")
	providertest.Verify(t, asana.New(), []providertest.VerifyCase{
		{Name: "OK", Delivery: delivery(body, vectorSig), Secret: vectorSecret},
		{Name: "OKUppercaseHex", Delivery: delivery(body, strings.ToUpper(vectorSig)), Secret: vectorSecret},
		{Name: "OKHeartbeat", Delivery: delivery(heartbeat, asana.Sign(vectorSecret, heartbeat)), Secret: vectorSecret},
		{Name: "ErrForgedSignature", Delivery: delivery(body, strings.Repeat("ab", 32)), Secret: vectorSecret, WantErr: true},
		{Name: "ErrWrongSecret", Delivery: delivery(body, vectorSig), Secret: "another-secret", WantErr: true},
		// A signature replayed on another body: the heartbeat's on the move.
		{Name: "ErrStaleSignatureOfAnotherBody", Delivery: delivery(body, asana.Sign(vectorSecret, heartbeat)), Secret: vectorSecret, WantErr: true},
		{Name: "ErrBodyChanged", Delivery: delivery(append(append([]byte{}, body...), ' '), vectorSig), Secret: vectorSecret, WantErr: true},
		{Name: "ErrTruncatedBody", Delivery: delivery(body[:len(body)/2], vectorSig), Secret: vectorSecret, WantErr: true},
		{Name: "ErrMissingHeader", Delivery: delivery(body, ""), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNotHex", Delivery: delivery(body, "zz"+vectorSig[2:]), Secret: vectorSecret, WantErr: true},
		{Name: "ErrShortSignature", Delivery: delivery(body, vectorSig[:32]), Secret: vectorSecret, WantErr: true},
		{Name: "ErrNoSecretKept", Delivery: delivery(body, asana.Sign("", body)), Secret: "", WantErr: true},
	})
}

func TestHandshake(t *testing.T) {
	withHeaders := func(method string, kv ...string) glassbox.Delivery {
		d := glassbox.Delivery{Method: method, Header: http.Header{}}
		for i := 0; i+1 < len(kv); i += 2 {
			d.Header.Set(kv[i], kv[i+1])
		}
		return d
	}
	tests := []struct {
		name string
		d    glassbox.Delivery
		want bool
	}{
		{"Handshake", withHeaders("POST", "X-Hook-Secret", vectorSecret), true},
		{"LowercaseHeaderName", withHeaders("POST", "x-hook-secret", vectorSecret), true},
		{"DeliveryIsNoHandshake", withHeaders("POST", "X-Hook-Signature", vectorSig), false},
		// A delivery carrying both is verified as a delivery, never re-keys the binding.
		{"SecretWithSignatureIsNoHandshake", withHeaders("POST", "X-Hook-Secret", vectorSecret, "X-Hook-Signature", vectorSig), false},
		{"GetIsNoHandshake", withHeaders("GET", "X-Hook-Secret", vectorSecret), false},
		{"EmptySecret", withHeaders("POST", "X-Hook-Secret", ""), false},
		{"SecretWithSpace", withHeaders("POST", "X-Hook-Secret", "a b"), false},
		{"SecretTooLong", withHeaders("POST", "X-Hook-Secret", strings.Repeat("a", 513)), false},
		{"NoHeaders", withHeaders("POST"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, ok := asana.New().Handshake(tt.d)
			if ok != tt.want {
				t.Fatalf("Handshake ok = %v, want %v", ok, tt.want)
			}
			if !ok {
				return
			}
			if hs.Secret != vectorSecret || hs.Header[asana.SecretHeader] != vectorSecret || len(hs.Header) != 1 {
				t.Fatalf("Handshake = %+v, want the secret kept and echoed in X-Hook-Secret", hs)
			}
		})
	}
}

func TestInfo(t *testing.T) {
	info := asana.New().Info()
	want := glassbox.ProviderInfo{Name: "asana", Kind: glassbox.ProviderTracker, ReadsBack: true, SecretFromHandshake: true}
	if info != want {
		t.Fatalf("Info = %+v, want %+v", info, want)
	}
}

func TestParse(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	tests := []struct {
		file string
		want []glassbox.Event
	}{
		// The move brings two events: the task added to the section, and a section_changed story (ignored).
		{"asana-task-moved-section.json", []glassbox.Event{{
			Kind: glassbox.EventTaskMoved, ProviderType: "added:section",
			TaskID: "1207654321000042", URL: "https://app.asana.com/0/0/1207654321000042",
			ListID: "1207000000000303", Status: glassbox.StatusDone,
			OccurredAt: at("2025-05-24T09:41:22.512Z"),
		}}},
		{"asana-task-created.json", []glassbox.Event{{
			Kind: glassbox.EventTaskCreated, ProviderType: "added:project",
			TaskID: "1207654321000042", URL: "https://app.asana.com/0/0/1207654321000042",
			OccurredAt: at("2025-05-22T07:03:10.004Z"),
		}}},
		{"asana-task-completed.json", []glassbox.Event{{
			Kind: glassbox.EventTaskMoved, ProviderType: "changed:completed",
			TaskID: "1207654321000042", URL: "https://app.asana.com/0/0/1207654321000042",
			OccurredAt: at("2025-05-24T09:45:03.01Z"),
		}}},
		// A comment on a task may carry a reason: the event has no text yet, ReadBack reads the story (issue 9;
		// before, comments were ignored here).
		{"asana-comment-added.json", []glassbox.Event{{
			ID: "asana:1207999888777001", Kind: glassbox.EventTaskNoted, ProviderType: "added:comment_added",
			ProviderEventID: "1207999888777001", TaskID: "1207654321000042",
			URL: "https://app.asana.com/0/0/1207654321000042", OccurredAt: at("2025-05-24T09:30:01.2Z"),
		}}},
		// A heartbeat has no events: acknowledged, not stored.
		{"asana-heartbeat.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			d := delivery(providertest.Testdata(t, tt.file), "")
			got, err := providertest.Accepted(asana.New(), d, binding)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d events %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				w := tt.want[i]
				w.ID, w.ProviderEventID = got[i].ID, got[i].ProviderEventID // checked by TestEventIDs
				w.ProjectID, w.BindingID, w.Provider, w.ReceivedAt = "spring", "site", "asana", d.ReceivedAt
				if got[i] != w {
					t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], w)
				}
			}
		})
	}
}

// TestEventIDs: Asana has no event id. The composed one is the same for a redelivery and differs for anything
// that makes another event (another task, action, parent, field or time).
func TestEventIDs(t *testing.T) {
	const base = `{"events":[{"created_at":"2025-05-24T09:41:22.512Z","action":"added",` +
		`"resource":{"gid":"1207654321000042","resource_type":"task"},"parent":{"gid":"1207000000000303","resource_type":"section"}}]}`
	id := func(body string) string {
		t.Helper()
		evs, err := asana.New().Parse(delivery([]byte(body), ""), binding)
		if err != nil || len(evs) != 1 {
			t.Fatalf("Parse(%s) = %+v, %v", body, evs, err)
		}
		return evs[0].ID
	}
	first := id(base)
	if !strings.HasPrefix(first, "asana:1207654321000042:") {
		t.Fatalf("id %q, want asana:<task gid>:<hash>", first)
	}
	// The same event reformatted (Asana may order fields differently) is the same event.
	var v any
	_ = json.Unmarshal([]byte(base), &v)
	reformatted, _ := json.MarshalIndent(v, "", "  ")
	if got := id(string(reformatted)); got != first {
		t.Errorf("redelivery id %q, want %q", got, first)
	}
	seen := map[string]string{first: "base"}
	for name, body := range map[string]string{
		"AnotherTask":    strings.Replace(base, "1207654321000042", "1207654321000043", 1),
		"AnotherSection": strings.Replace(base, "1207000000000303", "1207000000000302", 1),
		"AnotherTime":    strings.Replace(base, "22.512Z", "22.513Z", 1),
		"AnotherAction":  strings.Replace(strings.Replace(base, `"added"`, `"changed"`, 1), `"parent"`, `"change":{"field":"completed","action":"changed"},"x"`, 1),
		"AnotherField":   strings.Replace(strings.Replace(base, `"added"`, `"changed"`, 1), `"parent"`, `"change":{"field":"name","action":"changed"},"x"`, 1),
	} {
		got := id(body)
		if other, dup := seen[got]; dup {
			t.Errorf("%s has the id of %s: %q", name, other, got)
		}
		seen[got] = name
	}
}

func TestParseSeveralEvents(t *testing.T) {
	body := `{"events":[
		{"created_at":"2025-05-24T09:41:22.512Z","action":"added","resource":{"gid":"11","resource_type":"task"},"parent":{"gid":"1207000000000301","resource_type":"section"}},
		{"created_at":"2025-05-24T09:41:23Z","action":"removed","resource":{"gid":"11","resource_type":"task"},"parent":{"gid":"1207000000000303","resource_type":"section"}},
		{"created_at":"2025-05-24T09:41:24Z","action":"changed","resource":{"gid":"12","resource_type":"task"},"change":{"field":"name","action":"changed"}},
		{"created_at":"2025-05-24T09:41:25Z","action":"changed","resource":{"gid":"12","resource_type":"task"},"change":{"field":"due_on","action":"changed"}},
		{"created_at":"2025-05-24T09:41:26Z","action":"deleted","resource":{"gid":"13","resource_type":"task"}},
		{"created_at":"2025-05-24T09:41:27Z","action":"added","resource":{"gid":"14","resource_type":"task"},"parent":{"gid":"11","resource_type":"task"}},
		{"created_at":"2025-05-24T09:41:28Z","action":"changed","resource":{"gid":"15","resource_type":"project"},"change":{"field":"name","action":"changed"}}
	]}`
	evs, err := asana.New().Parse(delivery([]byte(body), ""), binding)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.TaskID+" "+string(e.Kind)+" "+string(e.Status))
	}
	want := []string{"11 task_moved todo", "12 task_updated ", "12 task_updated "} // the name, and the due date (due_on)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("events %q, want %q (removals, other fields, deletions, subtasks and projects are ignored)", got, want)
	}
}

func TestParseRejectsAndIgnores(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		malformed bool
	}{
		{"TruncatedJSON", `{"events":[{"action":"added"`, true},
		{"NotJSON", `hello`, true},
		{"NoEventsArray", `{"data":[]}`, true},
		{"EventsNull", `{"events":null}`, true},
		{"EventsNotArray", `{"events":{}}`, true},
		{"TaskWithoutGID", `{"events":[{"created_at":"2025-05-24T09:41:22Z","action":"added","resource":{"resource_type":"task"},"parent":{"gid":"1","resource_type":"section"}}]}`, true},
		{"TaskWithOddGID", `{"events":[{"created_at":"2025-05-24T09:41:22Z","action":"added","resource":{"gid":"../users/me","resource_type":"task"},"parent":{"gid":"1","resource_type":"section"}}]}`, true},
		{"TaskWithoutTime", `{"events":[{"action":"added","resource":{"gid":"1","resource_type":"task"},"parent":{"gid":"1","resource_type":"section"}}]}`, true},
		{"HeartbeatIgnored", `{"events":[]}`, false},
		{"StoryIgnored", `{"events":[{"action":"added","resource":{"gid":"1","resource_type":"story","resource_subtype":"section_changed"},"parent":{"gid":"2","resource_type":"task"}}]}`, false},
		{"CommentOnProjectIgnored", `{"events":[{"action":"added","resource":{"gid":"1","resource_type":"story","resource_subtype":"comment_added"},"parent":{"gid":"2","resource_type":"project"}}]}`, false},
		{"CommentWithoutTime", `{"events":[{"action":"added","resource":{"gid":"1","resource_type":"story","resource_subtype":"comment_added"},"parent":{"gid":"2","resource_type":"task"}}]}`, true},
		{"CommentWithoutGID", `{"events":[{"created_at":"2025-05-24T09:41:22Z","action":"added","resource":{"gid":"x","resource_type":"story","resource_subtype":"comment_added"},"parent":{"gid":"2","resource_type":"task"}}]}`, true},
		{"RemovedFromSectionIgnored", `{"events":[{"created_at":"2025-05-24T09:41:22Z","action":"removed","resource":{"gid":"1","resource_type":"task"},"parent":{"gid":"2","resource_type":"section"}}]}`, false},
		{"UndeletedIgnored", `{"events":[{"created_at":"2025-05-24T09:41:22Z","action":"undeleted","resource":{"gid":"1","resource_type":"task"}}]}`, false},
		{"NullEventIgnored", `{"events":[null]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providertest.Accepted(asana.New(), delivery([]byte(tt.body), ""), binding)
			providertest.MalformedOrIgnored(t, got, err, tt.malformed)
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"asana-task-moved-section.json", "asana-task-created.json", "asana-task-completed.json",
		"asana-comment-added.json", "asana-heartbeat.json"} {
		f.Add(providertest.Testdata(f, name))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d := delivery(body, asana.Sign(vectorSecret, body))
		if err := asana.New().Verify(d, vectorSecret); err != nil {
			t.Fatalf("Verify of a correctly signed body: %v", err)
		}
		providertest.FuzzParse(t, asana.New(), d, binding, func(e glassbox.Event) bool {
			return e.ID != "" && e.TaskID != "" && e.Kind != "" && !e.OccurredAt.IsZero()
		})
	})
}

func BenchmarkVerifyAndParse(b *testing.B) {
	body := providertest.Testdata(b, "asana-task-moved-section.json")
	d := delivery(body, vectorSig)
	providertest.BenchmarkVerifyAndParse(b, asana.New(), d, vectorSecret, binding)
}
