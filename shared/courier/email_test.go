package courier_test

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TestRenderEmailCarriesReportParts: a report's inline chart and one-click unsubscribe reach the MIME message.
func TestRenderEmailCarriesReportParts(t *testing.T) {
	m := glassbox.Message{ID: "m1", ProjectID: "site", Kind: glassbox.MessageWeeklyDigest, From: glassbox.Person{Name: "Studio", Email: "n@studio.example"},
		To: []glassbox.Person{{Email: "anna@acme.example"}}, Subject: "Week", Text: "text", HTML: `<img src="cid:chart@glassbox">`,
		ClaimedAt: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), Unsubscribe: "https://gb.example/u/tok",
		Images: []glassbox.InlineImage{{ContentID: "chart@glassbox", ContentType: "image/png", Data: []byte("\x89PNG")}}}
	raw, err := courier.RenderEmail(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw.Data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("List-Unsubscribe") != "<https://gb.example/u/tok>" || msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("unsubscribe headers: %q, %q", msg.Header.Get("List-Unsubscribe"), msg.Header.Get("List-Unsubscribe-Post"))
	}
	if !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative") || !bytes.Contains(raw.Data, []byte("Content-ID: <chart@glassbox>")) {
		t.Errorf("the chart is not an inline part:\n%s", raw.Data)
	}
}
