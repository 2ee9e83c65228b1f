package linksign_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/linksign"
)

// Approval and rating tokens round-trip; any change, another key, or a token of another action (an
// unsubscribe token has as many fields as a rating's) is a bad link.
func TestFeedbackTokens(t *testing.T) {
	s, _ := linksign.NewSigner([]byte("0123456789abcdef0123456789abcdef-feedback"))
	other, _ := linksign.NewSigner([]byte("another key, also at least 32 bytes long"))
	const base = "https://glassbox.studio.example/"
	a := linksign.Approval{ProjectID: "romashka-site", Provider: "trello", TaskID: "card-1", MessageID: "4f1c0d2e", Decision: linksign.DecisionChanges}
	link := s.ApprovalURL(base, a)
	token, ok := strings.CutPrefix(link, base+"a/")
	if !ok || strings.ContainsAny(token, "/?#%+= ") {
		t.Fatalf("approval link %s: want {base}/a/{token}, URL-safe", link)
	}
	if got, err := s.CheckApproval(token); err != nil || got != a {
		t.Fatalf("CheckApproval = %+v, %v; want %+v", got, err, a)
	}
	r := linksign.Rating{ProjectID: "romashka-site", MessageID: "9e8f", Score: 3}
	rlink := s.RatingURL(base, r)
	rtoken, ok := strings.CutPrefix(rlink, base+"r/")
	if !ok {
		t.Fatalf("rating link %s: want {base}/r/{token}", rlink)
	}
	if got, err := s.CheckRating(rtoken); err != nil || got != r {
		t.Fatalf("CheckRating = %+v, %v; want %+v", got, err, r)
	}

	parts := strings.Split(token, ".")
	accept := a
	accept.Decision = linksign.DecisionAccept
	acceptParts := strings.Split(strings.TrimPrefix(s.ApprovalURL(base, accept), base+"a/"), ".")
	unsub := s.UnsubscribeToken(linksign.Unsubscribe{ProjectID: "romashka-site", Recipient: "9e8f", MessageID: "3"})
	for name, bad := range map[string]string{
		"OtherKey":        strings.TrimPrefix(other.ApprovalURL(base, a), base+"a/"),
		"DecisionSwapped": strings.Join(append(acceptParts[:5], parts[5]), "."),
		"NoSignature":     strings.Join(parts[:5], "."),
		"Truncated":       token[:len(token)-2],
		"Rating":          rtoken,
		"Empty":           "",
		"TooLong":         strings.Repeat("a", 2000),
	} {
		if got, err := s.CheckApproval(bad); !errors.Is(err, linksign.ErrBadLink) {
			t.Errorf("approval %s: CheckApproval = %+v, %v; want ErrBadLink", name, got, err)
		}
	}
	rparts := strings.Split(rtoken, ".")
	five := strings.Split(strings.TrimPrefix(s.RatingURL(base, linksign.Rating{ProjectID: r.ProjectID, MessageID: r.MessageID, Score: 5}), base+"r/"), ".")
	for name, bad := range map[string]string{
		"ScoreSwapped":     strings.Join(append(five[:3], rparts[3]), "."),
		"Unsubscribe":      unsub,
		"OtherKey":         strings.TrimPrefix(other.RatingURL(base, r), base+"r/"),
		"ScoreOutOfRange":  strings.TrimPrefix(s.RatingURL(base, linksign.Rating{ProjectID: "p", MessageID: "m", Score: 6}), base+"r/"),
		"ScoreZero":        strings.TrimPrefix(s.RatingURL(base, linksign.Rating{ProjectID: "p", MessageID: "m", Score: 0}), base+"r/"),
		"ApprovalAsRating": token,
	} {
		if got, err := s.CheckRating(bad); !errors.Is(err, linksign.ErrBadLink) {
			t.Errorf("rating %s: CheckRating = %+v, %v; want ErrBadLink", name, got, err)
		}
	}
	if _, err := s.CheckUnsubscribe(rtoken); !errors.Is(err, linksign.ErrBadLink) {
		t.Errorf("a rating token passed as an unsubscribe token: %v", err)
	}
}
