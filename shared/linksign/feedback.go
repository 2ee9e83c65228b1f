package linksign

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// The client's feedback links, each an action of its own so that no feedback link ever passes as a pay,
// download or unsubscribe link, nor an approval as a rating.
const (
	// ActionApproval is a task-done notice's "Принять" / "Есть правки" link: {base}/a/{token}.
	ActionApproval Action = "approval"
	// ActionRating is a report's one-click rating link (a score 1–5): {base}/r/{token}.
	ActionRating Action = "rating"
)

// Decision is what an approval link answers for a deliverable.
type Decision string

// Decisions.
const (
	DecisionAccept  Decision = "accept"
	DecisionChanges Decision = "changes"
)

// Approval is what an approval link names: the project, the task (provider and id) whose deliverable the
// notice announced, the notice's message id, and the decision the link records.
type Approval struct {
	ProjectID, Provider, TaskID, MessageID string
	Decision                               Decision
}

// Rating is what a rating link names: the project, the report message it came in, and the score (1–5).
type Rating struct {
	ProjectID, MessageID string
	Score                int
}

// ApprovalURL returns the approval link {base}/a/{token}. Like an unsubscribe link it does not expire: a client
// may answer an old notice (a new key, LINK_KEY_PARAM, retires every link).
func (s *Signer) ApprovalURL(base string, a Approval) string {
	return strings.TrimRight(base, "/") + "/a/" + s.token(ActionApproval, a.ProjectID, a.Provider, a.TaskID, a.MessageID, string(a.Decision))
}

// CheckApproval reads an approval token: ErrBadLink when it is malformed, names no known decision, or its
// signature is not this key's over these fields.
func (s *Signer) CheckApproval(token string) (Approval, error) {
	f, err := s.checkToken(ActionApproval, token, 5)
	if err != nil {
		return Approval{}, err
	}
	a := Approval{ProjectID: f[0], Provider: f[1], TaskID: f[2], MessageID: f[3], Decision: Decision(f[4])}
	if a.Decision != DecisionAccept && a.Decision != DecisionChanges {
		return Approval{}, fmt.Errorf("%w: unknown decision", ErrBadLink)
	}
	return a, nil
}

// RatingURL returns the rating link {base}/r/{token} for one score. It does not expire.
func (s *Signer) RatingURL(base string, r Rating) string {
	return strings.TrimRight(base, "/") + "/r/" + s.token(ActionRating, r.ProjectID, r.MessageID, strconv.Itoa(r.Score))
}

// CheckRating reads a rating token: ErrBadLink when it is malformed, its score is not 1–5, or its signature is
// not this key's over these fields.
func (s *Signer) CheckRating(token string) (Rating, error) {
	f, err := s.checkToken(ActionRating, token, 3)
	if err != nil {
		return Rating{}, err
	}
	n, err := strconv.Atoi(f[2])
	if err != nil || n < 1 || n > 5 || strconv.Itoa(n) != f[2] {
		return Rating{}, fmt.Errorf("%w: score out of range", ErrBadLink)
	}
	return Rating{ProjectID: f[0], MessageID: f[1], Score: n}, nil
}

// token is fields, each base64url, then the signature (tokenMAC under action a), joined by dots.
func (s *Signer) token(a Action, fields ...string) string {
	enc := base64.RawURLEncoding
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = enc.EncodeToString([]byte(f))
	}
	payload := strings.Join(parts, ".")
	return payload + "." + enc.EncodeToString(s.tokenMAC(a, payload))
}

// checkToken reads a token of n fields signed under action a; every field must be non-empty.
func (s *Signer) checkToken(a Action, token string, n int) ([]string, error) {
	if len(token) > maxTokenBytes {
		return nil, fmt.Errorf("%w: token too long", ErrBadLink)
	}
	parts := strings.Split(token, ".")
	if len(parts) != n+1 {
		return nil, fmt.Errorf("%w: malformed token", ErrBadLink)
	}
	got, err := linkEncoding.DecodeString(parts[n])
	if err != nil || len(got) != sigBytes {
		return nil, fmt.Errorf("%w: malformed signature", ErrBadLink)
	}
	if !hmac.Equal(got, s.tokenMAC(a, strings.Join(parts[:n], "."))) {
		return nil, fmt.Errorf("%w: signature does not match", ErrBadLink)
	}
	fields := make([]string, n)
	for i, p := range parts[:n] {
		b, err := linkEncoding.DecodeString(p)
		if err != nil || len(b) == 0 {
			return nil, fmt.Errorf("%w: malformed token", ErrBadLink)
		}
		fields[i] = string(b)
	}
	return fields, nil
}
