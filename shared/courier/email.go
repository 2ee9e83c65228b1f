package courier

import (
	"context"
	"fmt"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/mime"
)

// Email is the email channel: it builds the MIME message and hands it to a Mailer (SES, or the outbox in
// glassbox dev).
type Email struct {
	Mailer Mailer
}

// Send builds and sends the message, returning the mail service's id for it.
func (e Email) Send(ctx context.Context, m glassbox.Message, docs []glassbox.IssuedDocument) (string, error) {
	raw, err := RenderEmail(m, docs)
	if err != nil {
		return "", err
	}
	return e.Mailer.Send(ctx, raw)
}

// RenderEmail builds the MIME message of an email. Message-ID derives from the message id, so a resend after a
// crash carries the same id and mail programs show it once; References names one root per project, so a
// client's mail program threads one project's messages together.
func RenderEmail(m glassbox.Message, docs []glassbox.IssuedDocument) (glassbox.RawEmail, error) {
	domain := "glassbox.local"
	if i := strings.LastIndexByte(m.From.Email, '@'); i >= 0 {
		domain = m.From.Email[i+1:]
	}
	msg := mime.Message{
		From:       mime.Address{Name: m.From.Name, Email: m.From.Email},
		Subject:    m.Subject,
		Date:       m.ClaimedAt,
		MessageID:  m.ID + "@" + domain,
		References: []string{"project-" + m.ProjectID + "@" + domain},
		Text:       m.Text,
		HTML:       m.HTML,
		// A report's one-click unsubscribe (RFC 8058); mime refuses a URL that could inject a header.
		Unsubscribe: m.Unsubscribe,
	}
	for _, im := range m.Images {
		msg.Inline = append(msg.Inline, mime.Inline{ContentID: im.ContentID, ContentType: im.ContentType, Data: im.Data})
	}
	if m.ReplyTo.Email != "" {
		msg.ReplyTo = []mime.Address{{Name: m.ReplyTo.Name, Email: m.ReplyTo.Email}}
	}
	to := make([]string, 0, len(m.To))
	for _, p := range m.To {
		msg.To = append(msg.To, mime.Address{Name: p.Name, Email: p.Email})
		to = append(to, p.Email)
	}
	for _, d := range docs {
		msg.Attachments = append(msg.Attachments, mime.Attachment{Filename: d.Document.FileName(),
			ASCIIFilename: d.Document.ASCIIFileName(), ContentType: "application/pdf", Data: d.PDF})
	}
	data, err := msg.Bytes()
	if err != nil {
		return glassbox.RawEmail{}, fmt.Errorf("courier: build message %s: %w", m.ID, err)
	}
	return glassbox.RawEmail{From: m.From.Email, To: to, Data: data}, nil
}
