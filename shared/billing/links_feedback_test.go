package billing_test

import (
	"context"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/linksign"
)

type secrets map[string]string

func (s secrets) Secret(_ context.Context, name string) (string, error) {
	if v, ok := s[name]; ok {
		return v, nil
	}
	return "", glassbox.ErrNotFound
}

// The approval links of a task-done notice point at the agency's public_url and carry the project, the task, the
// notice's message id and their decision, signed with the link key; without a key there is no signer.
func TestApprovalURLs(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef-approvals"
	l := &billing.Links{Secrets: secrets{"/k": key}, KeyParam: "/k", PublicBaseURL: "https://api.example"}
	cfg := glassbox.Config{Agency: glassbox.Agency{PublicURL: "https://glassbox.studio.example/"}}
	sign, err := l.ApprovalURLs(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	accept, changes := sign("site", "trello", "c1", "m1")
	s, _ := linksign.NewSigner([]byte(key))
	for link, d := range map[string]linksign.Decision{accept: linksign.DecisionAccept, changes: linksign.DecisionChanges} {
		token, ok := strings.CutPrefix(link, "https://glassbox.studio.example/a/")
		if !ok {
			t.Fatalf("link %s, want the agency's public_url /a/{token}", link)
		}
		want := linksign.Approval{ProjectID: "site", Provider: "trello", TaskID: "c1", MessageID: "m1", Decision: d}
		if got, err := s.CheckApproval(token); err != nil || got != want {
			t.Errorf("CheckApproval = %+v, %v; want %+v", got, err, want)
		}
	}
	if _, err := (&billing.Links{Secrets: secrets{}, KeyParam: "/k"}).ApprovalURLs(t.Context(), cfg); err == nil {
		t.Error("a missing key gave a signer")
	}
}
