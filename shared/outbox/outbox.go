// Package outbox is the Mailer of local runs (`glassbox dev`): it writes each message as an .eml file instead
// of sending it, lists and parses those files for tests, and serves them as a small web page.
package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// fileTime is the layout of the time that starts every file name: UTC, so names sort in send order.
const fileTime = "20060102T150405.000000000Z"

// Mailer writes messages into a directory. It is safe for concurrent use.
type Mailer struct {
	dir string
	now func() time.Time

	mu sync.Mutex // serialises choosing a free name and renaming onto it
}

// New returns a Mailer that writes into dir, creating it on the first Send.
func New(dir string) *Mailer {
	return &Mailer{dir: dir, now: time.Now}
}

// Send writes e.Data atomically (a temporary file renamed into place) as
// {dir}/{UTC time}-{first 8 hex digits of sha256(data)}.eml and returns that file name, without the directory,
// as the message id. The envelope (e.From, e.To) is not kept: the headers say who the message is for.
func (m *Mailer) Send(ctx context.Context, e glassbox.RawEmail) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("outbox: send: %w", err)
	}
	if len(e.Data) == 0 {
		return "", errors.New("outbox: send: empty message")
	}
	if err := os.MkdirAll(m.dir, 0o755); err != nil {
		return "", fmt.Errorf("outbox: send: %w", err)
	}
	tmp, err := os.CreateTemp(m.dir, ".sending-*")
	if err != nil {
		return "", fmt.Errorf("outbox: send: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	// CreateTemp makes the file 0600; these are local test mails, readable like the rest of the work tree.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", fmt.Errorf("outbox: write %s: %w", tmp.Name(), err)
	}
	if _, err := tmp.Write(e.Data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("outbox: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("outbox: write %s: %w", tmp.Name(), err)
	}

	sum := sha256.Sum256(e.Data)
	hash := hex.EncodeToString(sum[:4])
	m.mu.Lock()
	defer m.mu.Unlock()
	// Two identical messages in the same nanosecond would get one name; move the later one a nanosecond on,
	// so that no message overwrites another.
	for t := m.now().UTC(); ; t = t.Add(time.Nanosecond) {
		name := t.Format(fileTime) + "-" + hash + ".eml"
		path := filepath.Join(m.dir, name)
		if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
			if err != nil {
				return "", fmt.Errorf("outbox: send: %w", err)
			}
			continue
		}
		if err := os.Rename(tmp.Name(), path); err != nil {
			return "", fmt.Errorf("outbox: send: %w", err)
		}
		return name, nil
	}
}
