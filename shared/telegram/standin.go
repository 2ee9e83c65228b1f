package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// StandIn is a local stand-in for the Bot API's sendMessage, for glassbox dev and tests: it checks the token
// and the HTML the way Telegram does (a tag it does not know, or an unescaped "<" or "&", is a 400 "can't parse
// entities"), hands each accepted message to Post, and answers as the Bot API does. Serve it at
// {base}/bot{token}/sendMessage; the path's last two segments are all it reads.
type StandIn struct {
	// Token is the only bot token accepted; another gets 401, as from Telegram.
	Token string
	// Post keeps an accepted message (glassbox dev: the outbox).
	Post func(ctx context.Context, chat, text string) error

	mu   sync.Mutex
	next int64
}

// ServeHTTP answers a sendMessage request.
func (s *StandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimSuffix(r.URL.Path, "/"), "/")
	if r.Method != http.MethodPost || len(parts) < 2 || parts[len(parts)-1] != "sendMessage" || !strings.HasPrefix(parts[len(parts)-2], "bot") {
		apiError(w, http.StatusNotFound, "Not Found")
		return
	}
	token := strings.TrimPrefix(parts[len(parts)-2], "bot")
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.Token)) != 1 || s.Token == "" {
		apiError(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	var req struct {
		ChatID    json.RawMessage `json:"chat_id"`
		Text      string          `json:"text"`
		ParseMode string          `json:"parse_mode"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "Bad Request: invalid JSON")
		return
	}
	chat := strings.Trim(string(req.ChatID), `"`)
	switch {
	case chat == "":
		apiError(w, http.StatusBadRequest, "Bad Request: chat_id is empty")
		return
	case strings.TrimSpace(req.Text) == "":
		apiError(w, http.StatusBadRequest, "Bad Request: message text is empty")
		return
	case len([]rune(req.Text)) > 4096:
		apiError(w, http.StatusBadRequest, "Bad Request: message is too long")
		return
	}
	if req.ParseMode == "HTML" {
		if err := CheckHTML(req.Text); err != nil {
			apiError(w, http.StatusBadRequest, "Bad Request: can't parse entities: "+err.Error())
			return
		}
	}
	if s.Post != nil {
		if err := s.Post(r.Context(), chat, req.Text); err != nil {
			apiError(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
	}
	s.mu.Lock()
	s.next++
	id := s.next
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"chat":{"id":%s},"text":%q}}`, id, req.ChatID, req.Text)
}

func apiError(w http.ResponseWriter, status int, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]any{"ok": false, "error_code": status, "description": description})
	_, _ = w.Write(body)
}

// The HTML subset Telegram parses: these tags, and the entities &lt; &gt; &amp; &quot; or numeric ones.
var (
	htmlTag    = regexp.MustCompile(`^<(/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>`)
	htmlEntity = regexp.MustCompile(`^&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);`)
	htmlTags   = map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true,
		"strike": true, "del": true, "a": true, "code": true, "pre": true, "blockquote": true, "span": true, "tg-spoiler": true}
)

// CheckHTML says whether Telegram would parse text in parse mode HTML: known tags, properly nested, and every
// "<" and "&" that is not markup escaped.
func CheckHTML(text string) error {
	var open []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			m := htmlTag.FindStringSubmatch(text[i:])
			if m == nil || !htmlTags[m[2]] {
				return fmt.Errorf("unsupported start tag at byte offset %d", i)
			}
			if m[1] == "/" {
				if len(open) == 0 || open[len(open)-1] != m[2] {
					return fmt.Errorf("unexpected end tag </%s> at byte offset %d", m[2], i)
				}
				open = open[:len(open)-1]
			} else {
				open = append(open, m[2])
			}
			i += len(m[0])
		case '&':
			m := htmlEntity.FindString(text[i:])
			if m == "" {
				return fmt.Errorf("unsupported HTML entity at byte offset %d", i)
			}
			i += len(m)
		case '>':
			return fmt.Errorf("character '>' must be escaped at byte offset %d", i)
		default:
			i++
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("can't find end tag corresponding to start tag <%s>", open[len(open)-1])
	}
	return nil
}
