package outbox

import (
	"fmt"
	"io/fs"
)

// Read parses one email of the outbox by its file name (the message id Send returned). fs.ErrNotExist when
// there is no such email.
func Read(dir, name string) (Summary, error) {
	if !validName(name) {
		return Summary{}, fmt.Errorf("outbox: %q is not an email file: %w", name, fs.ErrNotExist)
	}
	m, err := read(dir, name)
	if err != nil {
		return Summary{}, err
	}
	return m.Summary, nil
}
