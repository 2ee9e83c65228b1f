package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// telegramSuffix ends the files of Telegram messages the dev Bot API stand-in accepted.
const telegramSuffix = ".tg.json"

// TelegramMessage is one message posted to a Telegram chat, as the outbox keeps it.
type TelegramMessage struct {
	// File is the file name in the outbox directory.
	File string    `json:"-"`
	Date time.Time `json:"date"`
	Chat string    `json:"chat"`
	// Text is the message in Telegram's HTML subset, as sent.
	Text string `json:"text"`
}

// PostTelegram keeps a Telegram message as {dir}/{UTC time}-{hash}.tg.json, beside the emails: glassbox dev's
// Bot API stand-in posts here, so the outbox page shows both channels.
func (m *Mailer) PostTelegram(ctx context.Context, chat, text string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("outbox: post: %w", err)
	}
	if err := os.MkdirAll(m.dir, 0o755); err != nil {
		return fmt.Errorf("outbox: post: %w", err)
	}
	now := m.now().UTC()
	data, err := json.Marshal(TelegramMessage{Date: now, Chat: chat, Text: text})
	if err != nil {
		return fmt.Errorf("outbox: post: %w", err)
	}
	sum := sha256.Sum256(data)
	m.mu.Lock()
	defer m.mu.Unlock()
	for t := now; ; t = t.Add(time.Nanosecond) {
		path := filepath.Join(m.dir, t.Format(fileTime)+"-"+hex.EncodeToString(sum[:4])+telegramSuffix)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("outbox: post: %w", err)
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("outbox: post: %w", werr)
		}
		return nil
	}
}

// ListTelegram reads every Telegram message in dir, newest first. A missing dir is an empty outbox.
func ListTelegram(dir string) ([]TelegramMessage, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("outbox: list: %w", err)
	}
	var out []TelegramMessage
	for _, e := range slices.Backward(entries) {
		if !e.Type().IsRegular() || !validTelegramName(e.Name()) {
			continue
		}
		m, err := readTelegram(dir, e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func validTelegramName(name string) bool {
	return strings.HasSuffix(name, telegramSuffix) && !strings.HasPrefix(name, ".") &&
		!strings.ContainsAny(name, `/\`+"\x00") && !strings.Contains(name, "..") && filepath.IsLocal(name)
}

func readTelegram(dir, name string) (TelegramMessage, error) {
	var m TelegramMessage
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("outbox: %s: %w", name, err)
	}
	m.File = name
	return m, nil
}
