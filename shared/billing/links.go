package billing

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/linksign"
)

// Secrets reads secrets by SSM parameter name.
type Secrets interface {
	Secret(ctx context.Context, name string) (string, error)
}

// Links makes the signed links that go out with documents: the download link of a PDF and the accountant's
// "payment received" link. The key is read once per warm instance.
type Links struct {
	Secrets Secrets
	// KeyParam is the SSM parameter holding the signing key.
	KeyParam string
	// PublicBaseURL is where the links point ("https://abc.execute-api.eu-central-1.amazonaws.com"); the
	// agency's public_url wins when set.
	PublicBaseURL string

	once   sync.Once
	signer *linksign.KeyedSigner
}

func (l *Links) linkSigner(ctx context.Context) (*linksign.Signer, error) {
	l.once.Do(func() { l.signer = &linksign.KeyedSigner{Keys: l.Secrets, Param: l.KeyParam} })
	s, err := l.signer.Signer(ctx)
	if err != nil {
		return nil, fmt.Errorf("billing: %w", err)
	}
	return s, nil
}

func (l *Links) base(cfg glassbox.Config) string {
	if cfg.Agency.PublicURL != "" {
		return strings.TrimRight(cfg.Agency.PublicURL, "/")
	}
	return strings.TrimRight(l.PublicBaseURL, "/")
}

// DocumentURL is the download link of a document's PDF in a message sent at sentAt: it is valid for
// linksign.DefaultDocumentLinkTTL from then, however long ago the document was issued.
func (l *Links) DocumentURL(ctx context.Context, cfg glassbox.Config, d glassbox.Document, sentAt time.Time) (string, error) {
	return l.DocumentURLUntil(ctx, cfg, d, sentAt.Add(linksign.DefaultDocumentLinkTTL))
}

// DocumentURLUntil is the download link of a document's PDF valid until exp: the dashboard's links, which
// must stop soon after the dashboard's own link is revoked.
func (l *Links) DocumentURLUntil(ctx context.Context, cfg glassbox.Config, d glassbox.Document, exp time.Time) (string, error) {
	s, err := l.linkSigner(ctx)
	if err != nil {
		return "", err
	}
	return s.URL(l.base(cfg), linksign.ActionDocument, d.ID, exp), nil
}

// PayURL is an invoice's "payment received" link in a message sent at sentAt, and when it expires: the full
// linksign.DefaultPayLinkTTL from sending.
func (l *Links) PayURL(ctx context.Context, cfg glassbox.Config, d glassbox.Document, sentAt time.Time) (string, time.Time, error) {
	s, err := l.linkSigner(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := sentAt.UTC().Add(linksign.DefaultPayLinkTTL)
	return s.URL(l.base(cfg), linksign.ActionPay, d.ID, exp), exp, nil
}

// UnsubscribeURL returns the one-click unsubscribe link of a report email of cfg's agency: {base}/u/{token},
// base being the agency's public_url or else PublicBaseURL, the token signed over the project, the recipient
// (lower case) and the report's message id (linksign.UnsubscribeToken). It is a digest.UnsubscribeURL:
// digest.New(store, links.UnsubscribeURL). The links do not expire.
func (l *Links) UnsubscribeURL(ctx context.Context, cfg glassbox.Config, projectID, recipient, messageID string) (string, error) {
	s, err := l.linkSigner(ctx)
	if err != nil {
		return "", err
	}
	return s.UnsubscribeURL(l.base(cfg), linksign.Unsubscribe{ProjectID: projectID, Recipient: glassbox.SuppressionKey(recipient), MessageID: messageID}), nil
}

// ApprovalURLs returns the signer of a task-done notice's two approval links of cfg's agency: for a task of a
// project in the notice with a message id, {base}/a/{token} accepting the deliverable and another requesting
// changes (linksign.ApprovalURL). It is a react.ApprovalSigner. The links do not expire.
func (l *Links) ApprovalURLs(ctx context.Context, cfg glassbox.Config) (func(projectID, provider, taskID, messageID string) (accept, changes string), error) {
	s, err := l.linkSigner(ctx)
	if err != nil {
		return nil, err
	}
	base := l.base(cfg)
	return func(projectID, provider, taskID, messageID string) (string, string) {
		a := linksign.Approval{ProjectID: projectID, Provider: provider, TaskID: taskID, MessageID: messageID}
		a.Decision = linksign.DecisionAccept
		accept := s.ApprovalURL(base, a)
		a.Decision = linksign.DecisionChanges
		return accept, s.ApprovalURL(base, a)
	}, nil
}

// RatingURL returns the one-click rating link of a score (1–5) in a report email of cfg's agency:
// {base}/r/{token}, signed over the project, the report's message id and the score (linksign.RatingURL). It is
// a digest.RatingURL. The links do not expire.
func (l *Links) RatingURL(ctx context.Context, cfg glassbox.Config, projectID, messageID string, score int) (string, error) {
	s, err := l.linkSigner(ctx)
	if err != nil {
		return "", err
	}
	return s.RatingURL(l.base(cfg), linksign.Rating{ProjectID: projectID, MessageID: messageID, Score: score}), nil
}
