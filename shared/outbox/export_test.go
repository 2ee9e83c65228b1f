package outbox

import "time"

// NewWithClock lets tests pin the time Send names files with.
func NewWithClock(dir string, now func() time.Time) *Mailer {
	m := New(dir)
	m.now = now
	return m
}
