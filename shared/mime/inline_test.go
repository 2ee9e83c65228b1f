package mime_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	stdmime "mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/mime"
)

var png = []byte("\x89PNG\r\n\x1a\n-chart-")

// TestInlineImagesAndUnsubscribe parses a report email back with net/mail and mime/multipart: text and
// related HTML as alternatives, the chart as an inline part whose Content-ID the HTML names, and the one-click
// unsubscribe headers of RFC 8058.
func TestInlineImagesAndUnsubscribe(t *testing.T) {
	m := english()
	m.HTML = `<p>Spend and leads</p><img src="cid:chart@report">`
	m.Inline = []mime.Inline{{ContentID: "chart@report", ContentType: "image/png", Data: png}}
	m.Unsubscribe = "https://glassbox.example/u/abc.def?x=1"
	m.Attachments = []mime.Attachment{{Filename: "a.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}}
	raw := mustBytes(t, m)
	checkLines(t, raw)
	msg, shape, leaves := parse(t, raw)
	if want := "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,image/png]],application/pdf]"; shape != want {
		t.Errorf("shape = %s, want %s", shape, want)
	}
	if got := msg.Header.Get("List-Unsubscribe"); got != "<https://glassbox.example/u/abc.def?x=1>" {
		t.Errorf("List-Unsubscribe = %q", got)
	}
	if got := msg.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", got)
	}
	var img *leaf
	for i := range leaves {
		if leaves[i].MediaType == "image/png" {
			img = &leaves[i]
		}
	}
	if img == nil || !bytes.Equal(img.Body, png) || img.Disposition != "inline" {
		t.Fatalf("the inline image did not come back: %+v", img)
	}
	if got := contentID(t, raw); got != "<chart@report>" {
		t.Errorf("Content-ID = %q, want <chart@report>", got)
	}
	if !bytes.Contains(raw, []byte(`Content-Type: multipart/related; type="text/html";`)) {
		t.Errorf("multipart/related names no root type:\n%s", raw)
	}
}

// contentID finds the Content-ID of the image part by walking the parts.
func contentID(t *testing.T, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var find func(ct string, body io.Reader) string
	find = func(ct string, body io.Reader) string {
		mt, params, _ := stdmime.ParseMediaType(ct)
		if !strings.HasPrefix(mt, "multipart/") {
			return ""
		}
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err != nil {
				return ""
			}
			if strings.HasPrefix(p.Header.Get("Content-Type"), "image/") {
				data, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
				if !bytes.Equal(data, png) {
					t.Errorf("image data differs")
				}
				return p.Header.Get("Content-ID")
			}
			if id := find(p.Header.Get("Content-Type"), p); id != "" {
				return id
			}
		}
	}
	return find(msg.Header.Get("Content-Type"), msg.Body)
}

// TestUnsubscribeCannotInject: an unsubscribe URL that would end the header or add one is refused, not sent.
func TestUnsubscribeCannotInject(t *testing.T) {
	for _, u := range []string{
		"https://a.example/u/x\r\nBcc: victim@example.com",
		"https://a.example/u/x>, <mailto:x@evil.example",
		"https://a.example/u/x y",
		"javascript:alert(1)",
		"http://a.example/u/plain",
		"http://127.0.0.1.evil.example/u/plain",
		"http://localhost.evil.example/u/plain",
		"http://localhost:80@evil.example/u/plain",
		"http://127.0.0.1:x@evil.example/u/plain",
		"https://a.example/" + strings.Repeat("a", 1000),
	} {
		m := english()
		m.Unsubscribe = u
		if _, err := m.Bytes(); !errors.Is(err, mime.ErrInvalid) {
			t.Errorf("%q: err = %v, want ErrInvalid", u, err)
		}
	}
}

// TestUnsubscribeLoopbackHTTP: glassbox dev serves plain http on loopback; its report emails keep the header.
func TestUnsubscribeLoopbackHTTP(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/u/x", "http://localhost:8080/u/x", "http://[::1]:8080/u/x"} {
		m := english()
		m.Unsubscribe = u
		b, err := m.Bytes()
		if err != nil || !strings.Contains(string(b), "List-Unsubscribe: <"+u+">") {
			t.Errorf("%q: err = %v", u, err)
		}
	}
}

// TestInlineWithoutHTMLOrBadType: inline images need an image type and a clean Content-ID.
func TestInlineBadParts(t *testing.T) {
	for _, im := range []mime.Inline{
		{ContentID: "chart", ContentType: "text/html", Data: png},
		{ContentID: "chart>\r\nX-Evil: 1", ContentType: "image/png", Data: png},
	} {
		m := english()
		m.Inline = []mime.Inline{im}
		if _, err := m.Bytes(); !errors.Is(err, mime.ErrInvalid) {
			t.Errorf("%+v: err = %v, want ErrInvalid", im, err)
		}
	}
}
