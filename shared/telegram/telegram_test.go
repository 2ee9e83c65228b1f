package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

const token = "123456:SECRET-token-never-shown"

// sample reads a recorded Bot API answer (testdata holds copies of the samples the provider facts cite).
func sample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type answer struct {
	status int
	body   []byte
	delay  time.Duration
}

// botAPI is an httptest stand-in for the Bot API that answers each request with the next scripted answer and
// records what it was sent.
type botAPI struct {
	mu       sync.Mutex
	answers  []answer
	requests []map[string]any
	paths    []string
}

func (b *botAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	b.mu.Lock()
	b.requests = append(b.requests, body)
	b.paths = append(b.paths, r.URL.Path)
	a := b.answers[0]
	if len(b.answers) > 1 {
		b.answers = b.answers[1:]
	}
	b.mu.Unlock()
	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

func notice() glassbox.Message {
	return glassbox.Message{ID: "m1", ProjectID: "site", Kind: glassbox.MessageTaskDone, Channel: glassbox.ChannelTelegram,
		Chat: "-1001234567890", HTML: "<b>Готово</b>: ООО &lt;Ромашка&gt; &amp; партнёры"}
}

func TestSend(t *testing.T) {
	t.Parallel()
	ok := answer{200, sample(t, "telegram-sendmessage-response-ok.json"), 0}
	tooMany := answer{429, sample(t, "telegram-sendmessage-response-429.json"), 0}
	migrated := answer{400, sample(t, "telegram-sendmessage-response-400-migrated.json"), 0}
	parse := answer{400, sample(t, "telegram-sendmessage-response-400-parse.json"), 0}
	blocked := answer{403, []byte(`{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the supergroup chat"}`), 0}
	badToken := answer{401, []byte(`{"ok":false,"error_code":401,"description":"Unauthorized"}`), 0}
	down := answer{502, []byte(`{"ok":false,"error_code":502,"description":"Bad Gateway"}`), 0}
	slow := answer{200, sample(t, "telegram-sendmessage-response-ok.json"), 5 * time.Second}

	for _, tt := range []struct {
		name     string
		answers  []answer
		deadline time.Duration
		wantID   string
		// check the error: nil for none
		check    func(t *testing.T, err error)
		requests int
		waited   []time.Duration
	}{
		{name: "OK", answers: []answer{ok}, wantID: "-1001234567890:4127", requests: 1},
		{name: "TooManyThenOK", answers: []answer{tooMany, ok}, deadline: 30 * time.Second, wantID: "-1001234567890:4127",
			requests: 2, waited: []time.Duration{7 * time.Second}},
		{name: "TooManyBeyondDeadline", answers: []answer{tooMany, ok}, deadline: 5 * time.Second, requests: 1,
			check: func(t *testing.T, err error) {
				if err == nil || errors.As(err, new(*courier.Undeliverable)) || !strings.Contains(err.Error(), "retry after 7s") {
					t.Errorf("err = %v, want a retryable rate-limit error", err)
				}
			}},
		{name: "Migrated", answers: []answer{migrated}, requests: 1, check: func(t *testing.T, err error) {
			var moved *courier.ChatMoved
			if !errors.As(err, &moved) || moved.From != "-1001234567890" || moved.To != "-1001987654321" {
				t.Errorf("err = %v, want ChatMoved to -1001987654321", err)
			}
		}},
		{name: "Blocked", answers: []answer{blocked}, requests: 1, check: func(t *testing.T, err error) {
			var u *courier.Undeliverable
			if !errors.As(err, &u) || u.Cause != glassbox.CauseBlocked || u.Recipient != "-1001234567890" {
				t.Errorf("err = %v, want Undeliverable(blocked)", err)
			}
		}},
		{name: "ParseError", answers: []answer{parse}, requests: 1, check: func(t *testing.T, err error) {
			var u *courier.Undeliverable
			if !errors.As(err, &u) || u.Cause != glassbox.CauseRejected || !strings.Contains(u.Detail, "can't parse entities") {
				t.Errorf("err = %v, want Undeliverable(rejected)", err)
			}
		}},
		{name: "BadTokenStaysPending", answers: []answer{badToken}, requests: 1, check: func(t *testing.T, err error) {
			if err == nil || errors.As(err, new(*courier.Undeliverable)) {
				t.Errorf("err = %v, want a retryable error", err)
			}
		}},
		{name: "ServerError", answers: []answer{down}, requests: 1, check: func(t *testing.T, err error) {
			if err == nil || errors.As(err, new(*courier.Undeliverable)) {
				t.Errorf("err = %v, want a retryable error", err)
			}
		}},
		{name: "Timeout", answers: []answer{slow}, deadline: 200 * time.Millisecond, requests: 1, check: func(t *testing.T, err error) {
			if err == nil || errors.As(err, new(*courier.Undeliverable)) {
				t.Errorf("err = %v, want a retryable timeout", err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := &botAPI{answers: tt.answers}
			srv := httptest.NewServer(api)
			defer srv.Close()
			s := New(srv.URL, func(context.Context) (string, error) { return token, nil }, srv.Client())
			var waited []time.Duration
			s.sleep = func(_ context.Context, d time.Duration) error { waited = append(waited, d); return nil }
			ctx := t.Context()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			id, err := s.Send(ctx, notice(), nil)
			if tt.check == nil && err != nil {
				t.Fatalf("Send: %v", err)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the error shows the bot token: %v", err)
			}
			if id != tt.wantID {
				t.Errorf("id = %q, want %q", id, tt.wantID)
			}
			if len(api.requests) != tt.requests {
				t.Errorf("%d requests, want %d", len(api.requests), tt.requests)
			}
			if len(waited) != len(tt.waited) || len(waited) > 0 && waited[0] != tt.waited[0] {
				t.Errorf("waited %v, want %v", waited, tt.waited)
			}
			req := api.requests[0]
			if api.paths[0] != "/bot"+token+"/sendMessage" || req["chat_id"] != -1001234567890.0 || req["parse_mode"] != "HTML" ||
				req["text"] != notice().HTML {
				t.Errorf("request %s %v", api.paths[0], req)
			}
		})
	}
}

// A 400 that refuses the chat (a mistyped telegram_chat_id, a bot without the right to write) blocks the chat, so
// the manager hears once; a 400 about the message's text fails that message only.
func TestSendBadRequestCause(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		description string
		want        glassbox.SuppressionCause
	}{
		{"Bad Request: chat not found", glassbox.CauseBlocked},
		{"Bad Request: not enough rights to send text messages to the chat", glassbox.CauseBlocked},
		{"Bad Request: have no rights to send a message", glassbox.CauseBlocked},
		{"Bad Request: need administrator rights in the channel chat", glassbox.CauseBlocked},
		{"Bad Request: CHAT_WRITE_FORBIDDEN", glassbox.CauseBlocked},
		{"Bad Request: bot was kicked from the group chat", glassbox.CauseBlocked},
		{"Bad Request: group chat was deactivated", glassbox.CauseBlocked},
		{"Bad Request: PEER_ID_INVALID", glassbox.CauseBlocked},
		{"Bad Request: can't parse entities: Unsupported start tag \"span\" at byte offset 7", glassbox.CauseRejected},
		{"Bad Request: message is too long", glassbox.CauseRejected},
		{"Bad Request: message text is empty", glassbox.CauseRejected},
	} {
		t.Run(tt.description, func(t *testing.T) {
			t.Parallel()
			body, _ := json.Marshal(map[string]any{"ok": false, "error_code": 400, "description": tt.description})
			srv := httptest.NewServer(&botAPI{answers: []answer{{status: 400, body: body}}})
			defer srv.Close()
			s := New(srv.URL, func(context.Context) (string, error) { return token, nil }, srv.Client())
			_, err := s.Send(t.Context(), notice(), nil)
			var u *courier.Undeliverable
			if !errors.As(err, &u) || u.Cause != tt.want || u.Recipient != "-1001234567890" || u.Detail != tt.description {
				t.Errorf("err = %v, want Undeliverable(%s) of the chat with Telegram's words", err, tt.want)
			}
		})
	}
}

// A transport failure's error names the URL, which holds the token: it must not reach a log.
func TestSendNeverShowsToken(t *testing.T) {
	t.Parallel()
	s := New("http://127.0.0.1:1", func(context.Context) (string, error) { return token, nil }, nil)
	_, err := s.Send(t.Context(), notice(), nil)
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("err = %v, want an error without the token", err)
	}
}

func TestChatID(t *testing.T) {
	t.Parallel()
	for chat, want := range map[string]string{"-100123": `-100123`, "42": `42`, "@studio_news": `"@studio_news"`} {
		if got := string(chatID(chat)); got != want {
			t.Errorf("chatID(%s) = %s, want %s", chat, got, want)
		}
	}
}

func TestCheckHTML(t *testing.T) {
	t.Parallel()
	for text, ok := range map[string]bool{
		"<b>Готово</b>: ООО &lt;Ромашка&gt; &amp; партнёры &#39;x&#39;": true,
		`<a href="https://trello.com/c/Ab3dEf9h">Посмотреть</a>`:        true,
		"<i>Студия «Пиксель»</i>\n\nТекст":                              true,
		"ООО <Ромашка>":    false,
		"A & B":            false,
		"<b>open":          false,
		"<p>paragraph</p>": false,
		"1 > 0":            false,
		`<a href="https://x.example/?a=1&amp;b=2">link</a>`: true,
	} {
		if err := CheckHTML(text); (err == nil) != ok {
			t.Errorf("CheckHTML(%q) = %v, want ok %v", text, err, ok)
		}
	}
}
