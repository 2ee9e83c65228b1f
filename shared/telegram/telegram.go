// Package telegram is the Telegram channel: a courier.Sender that posts a message to a chat through the Bot
// API's sendMessage, in parse mode HTML (notify escapes every tracker string for it). It follows Telegram's
// answers: 429 waits retry_after and tries again when that fits the caller's deadline, a group that became a
// supergroup (400 with migrate_to_chat_id) is a courier.ChatMoved, a 403 (the bot was removed or blocked) or a
// 400 that refuses the chat itself (chat not found, no rights to send) is an Undeliverable that blocks the chat,
// and any other refusal of the message is an Undeliverable of that message only. The bot token never appears in a log or an error.
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/wait"
)

// DefaultBaseURL is the Bot API; glassbox dev points the sender at its own stand-in instead.
const DefaultBaseURL = "https://api.telegram.org"

// Token gives the bot token: on AWS from SSM, named by the agency file's agency.telegram_bot_param.
type Token func(ctx context.Context) (string, error)

// MaxWait is the longest a 429's retry_after is waited out inside one call when the caller set no deadline.
// With a deadline, the wait must end before it (with a second to spare for the retry).
const MaxWait = 30 * time.Second

// maxAttempts bounds the tries of one call (a 429, then another).
const maxAttempts = 3

// Sender sends messages to Telegram chats. It is safe for concurrent use.
type Sender struct {
	base   string
	token  Token
	client *http.Client
	// sleep waits d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

var _ courier.Sender = (*Sender)(nil)

// New builds a Sender on the Bot API at baseURL (DefaultBaseURL; "" means it). client nil means a client with a
// 10 s timeout.
func New(baseURL string, token Token, client *http.Client) *Sender {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Sender{base: strings.TrimRight(baseURL, "/"), token: token, client: client, sleep: wait.Sleep}
}

// request is sendMessage's body.
type request struct {
	ChatID    json.RawMessage `json:"chat_id"`
	Text      string          `json:"text"`
	ParseMode string          `json:"parse_mode"`
	// Link previews are off: a notice's link (a card, a design file behind a login) previews as a large box
	// that says nothing, and pushes the words the client should read out of view.
	LinkPreview struct {
		IsDisabled bool `json:"is_disabled"`
	} `json:"link_preview_options"`
}

// response is the Bot API's answer.
type response struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Result      struct {
		MessageID int64 `json:"message_id"`
	} `json:"result"`
	Parameters struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// Send posts m.HTML to m.Chat and returns "chat:message_id", which names the message across chats. Attachments
// are not sent: only task notices have Telegram copies.
func (s *Sender) Send(ctx context.Context, m glassbox.Message, _ []glassbox.IssuedDocument) (string, error) {
	if m.Chat == "" {
		return "", &courier.Undeliverable{Cause: glassbox.CauseRejected, Detail: "the message has no chat"}
	}
	token, err := s.token(ctx)
	if err != nil {
		return "", fmt.Errorf("telegram: bot token: %w", err)
	}
	if token == "" {
		return "", errors.New("telegram: the bot token is empty")
	}
	body := request{ChatID: chatID(m.Chat), Text: m.HTML, ParseMode: "HTML"}
	body.LinkPreview.IsDisabled = true
	data, err := json.Marshal(body)
	if err != nil {
		return "", fmt.Errorf("telegram: encode message %s: %w", m.ID, err)
	}
	for attempt := 1; ; attempt++ {
		r, status, err := s.post(ctx, token, data)
		if err != nil {
			return "", fmt.Errorf("telegram: sendMessage to %s: %w", m.Chat, err)
		}
		switch {
		case r.OK:
			return m.Chat + ":" + strconv.FormatInt(r.Result.MessageID, 10), nil
		case status == http.StatusTooManyRequests:
			pause := time.Duration(max(r.Parameters.RetryAfter, 1)) * time.Second
			if attempt == maxAttempts || !fits(ctx, pause) {
				// The message stays claimable: the courier releases it and a later attempt sends it.
				return "", fmt.Errorf("telegram: sendMessage to %s: rate limited, retry after %s", m.Chat, pause)
			}
			if err := s.sleep(ctx, pause); err != nil {
				return "", fmt.Errorf("telegram: sendMessage to %s: waiting out the rate limit: %w", m.Chat, err)
			}
		case r.Parameters.MigrateToChatID != 0:
			return "", &courier.ChatMoved{From: m.Chat, To: strconv.FormatInt(r.Parameters.MigrateToChatID, 10)}
		case status == http.StatusForbidden, status == http.StatusBadRequest && chatUnusable(r.Description):
			return "", &courier.Undeliverable{Cause: glassbox.CauseBlocked, Recipient: m.Chat, Detail: r.Description}
		case status == http.StatusUnauthorized || status == http.StatusNotFound:
			// The token is wrong (Telegram answers 401 or 404 for it): a fault of the deployment, not of this
			// message. It stays pending, and the sweep's alarm tells the admin, who fixes the parameter.
			return "", fmt.Errorf("telegram: the bot token was refused (%d %s); check the SSM parameter named by agency.telegram_bot_param", status, r.Description)
		case status >= 400 && status < 500:
			return "", &courier.Undeliverable{Cause: glassbox.CauseRejected, Recipient: m.Chat, Detail: r.Description}
		default:
			return "", fmt.Errorf("telegram: sendMessage to %s: %d %s", m.Chat, status, r.Description)
		}
	}
}

// chatLevel are the parts of Telegram's 400 descriptions that refuse the chat, not the message: no other message
// would get through either (a mistyped chat id, a bot that may not write there, a group that is gone). Such a
// chat is suppressed like a blocked one, so the manager hears once, not once per notice. Anything else in a 400
// (a parse error, a text too long) is about that one message.
var chatLevel = []string{
	"chat not found",
	"not enough rights",
	"have no rights to send",
	"need administrator rights",
	"chat_write_forbidden",
	"bot was kicked",
	"bot is not a member",
	"group chat was deactivated",
	"peer_id_invalid",
}

// chatUnusable reports whether a 400's description says the chat itself cannot be written to.
func chatUnusable(description string) bool {
	d := strings.ToLower(description)
	for _, part := range chatLevel {
		if strings.Contains(d, part) {
			return true
		}
	}
	return false
}

// post sends one request. Its error never holds the URL, which holds the token.
func (s *Sender) post(ctx context.Context, token string, data []byte) (response, int, error) {
	var r response
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/bot"+token+"/sendMessage", bytes.NewReader(data))
	if err != nil {
		return r, 0, errors.New(redact(err.Error(), token))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the url.Error's text repeats the URL
		}
		return r, 0, errors.New(redact(err.Error(), token))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return r, resp.StatusCode, fmt.Errorf("read answer: %s", redact(err.Error(), token))
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, resp.StatusCode, fmt.Errorf("answer %d is not the Bot API's JSON", resp.StatusCode)
	}
	return r, resp.StatusCode, nil
}

// redact removes the token from a text, wherever a library put it.
func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "<bot token>")
}

var numeric = regexp.MustCompile(`^-?[0-9]+$`)

// chatID is a chat id as the Bot API takes it: a number, or an @channel name as a string.
func chatID(chat string) json.RawMessage {
	if numeric.MatchString(chat) {
		return json.RawMessage(chat)
	}
	q, _ := json.Marshal(chat)
	return q
}

// fits says whether waiting d leaves time for one more request before ctx's deadline.
func fits(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		return d <= MaxWait
	}
	return time.Until(deadline) > d+time.Second
}
