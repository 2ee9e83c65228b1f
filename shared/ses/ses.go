// Package ses sends Glassbox's mail through Amazon SES (the v1 SendRawEmail API), so that the message built by
// shared/mime goes out byte for byte, attachments and threading headers included.
package ses

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	sessdk "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/ses/types"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Mailer sends raw emails with SES. It is safe for concurrent use, as the SDK client is.
type Mailer struct {
	client *sessdk.Client
	// configSet names the SES configuration set each message is sent with; its event destination publishes
	// bounces and complaints to the BounceFunction's topic. Empty: none.
	configSet string
}

// NewMailer returns a Mailer that sends with client. Build the client once per Lambda container, in main.
func NewMailer(client *sessdk.Client) *Mailer {
	return &Mailer{client: client}
}

// WithConfigurationSet returns a Mailer that sends every message with the named configuration set, whose
// event destination reports bounces and complaints.
func (m *Mailer) WithConfigurationSet(name string) *Mailer {
	return &Mailer{client: m.client, configSet: name}
}

// Send hands e to SES: e.From is the envelope sender (it must be a verified identity), e.To the envelope
// recipients, e.Data the whole message. It returns the message id SES assigned. SES limits a raw message to
// 10 MB and 50 recipients; it reports both as errors, wrapped here with the sender and recipient count.
func (m *Mailer) Send(ctx context.Context, e glassbox.RawEmail) (messageID string, err error) {
	switch {
	case e.From == "":
		return "", errors.New("ses: send raw email: empty envelope sender")
	case len(e.To) == 0:
		return "", fmt.Errorf("ses: send raw email from %s: no envelope recipients", e.From)
	case len(e.Data) == 0:
		return "", fmt.Errorf("ses: send raw email from %s: empty message", e.From)
	}
	in := &sessdk.SendRawEmailInput{
		Source:       aws.String(e.From),
		Destinations: e.To,
		RawMessage:   &types.RawMessage{Data: e.Data},
	}
	if m.configSet != "" {
		in.ConfigurationSetName = aws.String(m.configSet)
	}
	out, err := m.client.SendRawEmail(ctx, in)
	if err != nil {
		return "", fmt.Errorf("ses: send raw email from %s to %d recipients (%d bytes): %w", e.From, len(e.To), len(e.Data), err)
	}
	id := aws.ToString(out.MessageId)
	if id == "" {
		return "", fmt.Errorf("ses: send raw email from %s: SES returned no message id", e.From)
	}
	return id, nil
}
