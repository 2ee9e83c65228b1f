package react_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/react"
)

// signer stands in for billing.Links: it fails when err is set.
type signer struct{ err error }

func (s signer) ApprovalURLs(context.Context, glassbox.Config) (func(projectID, provider, taskID, messageID string) (string, string), error) {
	if s.err != nil {
		return nil, s.err
	}
	return func(projectID, provider, taskID, messageID string) (string, string) {
		base := "https://links.example/a/" + projectID + "." + provider + "." + taskID + "." + messageID
		return base + ".accept", base + ".changes"
	}, nil
}

// The client's task-done notice carries the approval links signed over its own message id; a link key that
// cannot be read holds nothing back: the notice goes, asking the client to reply.
func TestTaskDoneCarriesApprovalLinks(t *testing.T) {
	for _, tt := range []struct {
		name  string
		s     signer
		links bool
	}{{"Signed", signer{}, true}, {"NoKey", signer{err: errors.New("no link key")}, false}} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.proc = react.NewProcessor(f.store, email(f.mail), f.clock, react.Options{ClaimLease: time.Minute, Logger: f.logger, Approvals: tt.s})
			if _, err := f.proc.Process(context.Background(), doneEvent("a")); err != nil {
				t.Fatal(err)
			}
			msgs, err := f.store.MessagesBetween(context.Background(), "site", time.Time{}, f.clock.Now().Add(time.Hour))
			if err != nil || len(msgs) != 1 {
				t.Fatalf("messages %v, %v; want one", msgs, err)
			}
			want := "https://links.example/a/site.trello.card-a." + msgs[0].ID + ".accept"
			if got := strings.Contains(msgs[0].Text, want); got != tt.links {
				t.Errorf("text has %s: %v, want %v\n%s", want, got, tt.links, msgs[0].Text)
			}
			if f.mail.count() != 1 {
				t.Errorf("sent %d, want 1", f.mail.count())
			}
		})
	}
}
