package ses_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	sessdk "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/smithy-go"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/mime"
	"github.com/glassbox-oss/glassbox/shared/ses"
)

func client(endpoint string) *sessdk.Client {
	return sessdk.New(sessdk.Options{
		Region:           "us-east-1",
		BaseEndpoint:     &endpoint,
		Credentials:      credentials.NewStaticCredentialsProvider("x", "x", ""),
		RetryMaxAttempts: 1,
	})
}

// emulator returns the endpoint of the SES emulator started by scripts/ses-local.sh.
func emulator(t *testing.T) string {
	t.Helper()
	endpoint := os.Getenv("SES_ENDPOINT")
	if endpoint == "" {
		t.Fatal("SES_ENDPOINT is not set: run `make test`, or `scripts/ses-local.sh start` and source .cache/ses.env")
	}
	return strings.TrimSuffix(endpoint, "/")
}

// storedEmail is one message as the emulator's GET /store reports it.
type storedEmail struct {
	MessageID   string   `json:"messageId"`
	From        string   `json:"from"`
	ReplyTo     []string `json:"replyTo"`
	Destination struct {
		To []string `json:"to"`
		Cc []string `json:"cc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
	Attachments []struct {
		Content     string `json:"content"`
		ContentType string `json:"contentType"`
		Filename    string `json:"filename"`
		Size        int    `json:"size"`
	} `json:"attachments"`
}

// stored reads back the emulator's mail with the given subject. Filtering by a unique subject, not clearing
// the store, keeps concurrent test runs against one emulator apart.
func stored(t *testing.T, endpoint, subject string) []storedEmail {
	t.Helper()
	resp, err := http.Get(endpoint + "/store")
	if err != nil {
		t.Fatalf("GET /store: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /store: %s", resp.Status)
	}
	var store struct {
		Emails []storedEmail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatalf("decode /store: %v", err)
	}
	var out []storedEmail
	for _, e := range store.Emails {
		if e.Subject == subject {
			out = append(out, e)
		}
	}
	return out
}

func TestMailer_Send(t *testing.T) {
	t.Parallel()
	endpoint := emulator(t)
	now := time.Now()
	subject := fmt.Sprintf("Задача «Главная страница» готова — проверка %d", now.UnixNano())
	pdf := []byte("%PDF-1.4\n%%EOF\n\x00\xff")
	msg := mime.Message{
		From:      mime.Address{Name: "Студия «Стекло»", Email: "notify@studio.example"},
		To:        []mime.Address{{Name: "Иван Петров", Email: "ivan@client.example"}},
		ReplyTo:   []mime.Address{{Name: "Анна", Email: "anna@studio.example"}},
		Subject:   subject,
		Date:      now,
		MessageID: fmt.Sprintf("%d@glassbox.test", now.UnixNano()),
		Text:      "Здравствуйте, Иван!\nЗадача готова.",
		HTML:      "<p>Здравствуйте, Иван!</p><p>Задача <b>готова</b>.</p>",
		Attachments: []mime.Attachment{
			{Filename: "Счёт №42.pdf", ContentType: "application/pdf", Data: pdf},
		},
	}
	data, err := msg.Bytes()
	if err != nil {
		t.Fatal(err)
	}

	id, err := ses.NewMailer(client(endpoint)).Send(context.Background(), glassbox.RawEmail{
		From: "notify@studio.example",
		To:   []string{"ivan@client.example"},
		Data: data,
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if id == "" {
		t.Error("Send returned an empty message id")
	}

	got := stored(t, endpoint, subject)
	if len(got) != 1 {
		t.Fatalf("emulator holds %d messages with subject %q, want 1", len(got), subject)
	}
	e := got[0]
	if e.MessageID != id {
		t.Errorf("stored messageId = %q, want %q", e.MessageID, id)
	}
	// The emulator (mailparser) prints decoded display names in quotes.
	if got, want := e.From, `"Студия «Стекло»" <notify@studio.example>`; got != want {
		t.Errorf("from = %q, want %q", got, want)
	}
	if got, want := e.Destination.To, `"Иван Петров" <ivan@client.example>`; len(got) != 1 || got[0] != want {
		t.Errorf("destination.to = %q, want [%q]", got, want)
	}
	if got, want := e.ReplyTo, `"Анна" <anna@studio.example>`; len(got) != 1 || got[0] != want {
		t.Errorf("replyTo = %q, want [%q]", got, want)
	}
	if got, want := strings.TrimSpace(e.Body.Text), msg.Text; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if got, want := strings.TrimSpace(e.Body.HTML), msg.HTML; got != want {
		t.Errorf("html = %q, want %q", got, want)
	}
	if len(e.Attachments) != 1 {
		t.Fatalf("attachments = %d, want 1", len(e.Attachments))
	}
	a := e.Attachments[0]
	content, err := base64.StdEncoding.DecodeString(a.Content)
	if err != nil {
		t.Fatalf("attachment content: %v", err)
	}
	if a.Filename != "Счёт №42.pdf" || a.ContentType != "application/pdf" || !bytes.Equal(content, pdf) || a.Size != len(pdf) {
		t.Errorf("attachment = %q %q %d bytes %q, want Счёт №42.pdf application/pdf %q", a.Filename, a.ContentType, a.Size, content, pdf)
	}
}

func TestMailer_SendErrors(t *testing.T) {
	t.Parallel()
	// A fake SES that rejects every message, as SES does an unverified sender.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type>`+
			`<Code>MessageRejected</Code><Message>Email address is not verified.</Message></Error>`+
			`<RequestId>r1</RequestId></ErrorResponse>`)
	}))
	t.Cleanup(srv.Close)
	m := ses.NewMailer(client(srv.URL))
	ok := glassbox.RawEmail{From: "notify@studio.example", To: []string{"a@b.example"}, Data: []byte("Subject: x\r\n\r\nx\r\n")}

	for _, tc := range []struct {
		name string
		e    glassbox.RawEmail
		want string
	}{
		{"ErrNoSender", glassbox.RawEmail{To: ok.To, Data: ok.Data}, "empty envelope sender"},
		{"ErrNoRecipients", glassbox.RawEmail{From: ok.From, Data: ok.Data}, "no envelope recipients"},
		{"ErrNoData", glassbox.RawEmail{From: ok.From, To: ok.To}, "empty message"},
		{"ErrRejected", ok, "ses: send raw email from notify@studio.example to 1 recipients"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := m.Send(context.Background(), tc.e)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}

	_, err := m.Send(context.Background(), ok)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "MessageRejected" {
		t.Errorf("err = %v, want it to wrap the SES MessageRejected error", err)
	}
}
