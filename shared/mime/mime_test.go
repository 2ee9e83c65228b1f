package mime_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	stdmime "mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/mime"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var moscow = time.FixedZone("MSK", 3*60*60)

// pdf is a tiny but real PDF, enough for a viewer to open.
var pdf = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
	"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n\x00\x01\x02\xff")

func russian() mime.Message {
	return mime.Message{
		From:      mime.Address{Name: "Студия «Стекло»", Email: "notify@studio.example"},
		To:        []mime.Address{{Name: "Иван Петров", Email: "ivan@client.example"}, {Name: "Мария Сидорова-Кузнецова", Email: "maria@client.example"}},
		Cc:        []mime.Address{{Email: "archive@client.example"}},
		ReplyTo:   []mime.Address{{Name: "Анна Менеджерова", Email: "anna@studio.example"}},
		Subject:   "Проект «Сайт»: задача «Главная страница» готова — посмотрите, пожалуйста",
		Date:      time.Date(2026, 11, 23, 14, 5, 0, 0, moscow),
		MessageID: "3f2a9c0d1e4b5a6978877665544332211@glassbox.studio.example",
		InReplyTo: "project-site@glassbox.studio.example",
		References: []string{
			"project-site@glassbox.studio.example",
			"0a1b2c3d4e5f60718293a4b5c6d7e8f9@glassbox.studio.example",
			"f9e8d7c6b5a4938271605f4e3d2c1b0a@glassbox.studio.example",
		},
		Text: "Здравствуйте, Иван!\n\nЗадача «Главная страница» готова: https://trello.example/c/abc123\n\n" +
			"Это очень длинная строка, которую quoted-printable обязан перенести мягким переносом, потому что она длиннее семидесяти шести символов.\n" +
			"-- \nСтудия «Стекло»\n",
		HTML: "<p>Здравствуйте, Иван!</p>\n<p>Задача <b>«Главная страница»</b> готова: " +
			`<a href="https://trello.example/c/abc123">открыть</a></p>` + "\n",
	}
}

func english() mime.Message {
	return mime.Message{
		From:      mime.Address{Name: "Glassbox Studio", Email: "notify@studio.example"},
		To:        []mime.Address{{Name: "Doe, John", Email: "john@client.example"}},
		ReplyTo:   []mime.Address{{Name: "Ann \"The PM\" Smith", Email: "ann@studio.example"}},
		Subject:   "Task \"Landing page\" is done",
		Date:      time.Date(2026, 11, 23, 11, 5, 0, 0, time.UTC),
		MessageID: "e1d2c3b4a5968778695a4b3c2d1e0f00@glassbox.studio.example",
		Text:      "Hello John,\n\nThe task \"Landing page\" is done.\n",
		HTML:      "<p>Hello John,</p>\n<p>The task <b>Landing page</b> is done.</p>\n",
	}
}

func withPDF() mime.Message {
	m := russian()
	m.MessageID = "77aa88bb99cc00dd11ee22ff33aa44bb@glassbox.studio.example"
	m.Subject = "Счёт №42"
	m.InReplyTo, m.References = "", nil
	m.Attachments = []mime.Attachment{{Filename: "Счёт №42.pdf", ContentType: "application/pdf", Data: pdf}}
	return m
}

func mustBytes(t *testing.T, m mime.Message) []byte {
	t.Helper()
	b, err := m.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	return b
}

// leaf is one non-multipart entity of a parsed message.
type leaf struct {
	MediaType   string
	Params      map[string]string
	Disposition string
	DispParams  map[string]string
	Body        []byte // decoded
}

// parse reads a message back with the standard library only. shape is the tree of media types, like
// "multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf]".
func parse(t *testing.T, raw []byte) (msg *mail.Message, shape string, leaves []leaf) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("mail.ReadMessage: %v", err)
	}
	var walk func(h map[string][]string, body io.Reader) string
	walk = func(h map[string][]string, body io.Reader) string {
		get := func(k string) string {
			if v := h[k]; len(v) > 0 {
				return v[0]
			}
			return ""
		}
		mt, params, err := stdmime.ParseMediaType(get("Content-Type"))
		if err != nil {
			t.Fatalf("Content-Type %q: %v", get("Content-Type"), err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			r := multipart.NewReader(body, params["boundary"])
			var kids []string
			for {
				p, err := r.NextRawPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("NextRawPart: %v", err)
				}
				kids = append(kids, walk(p.Header, p))
			}
			return mt + "[" + strings.Join(kids, ",") + "]"
		}
		var dec io.Reader
		switch cte := get("Content-Transfer-Encoding"); cte {
		case "quoted-printable":
			dec = quotedprintable.NewReader(body)
		case "base64":
			dec = base64.NewDecoder(base64.StdEncoding, body)
		default:
			t.Fatalf("unexpected Content-Transfer-Encoding %q", cte)
		}
		data, err := io.ReadAll(dec)
		if err != nil {
			t.Fatalf("decode %s body: %v", mt, err)
		}
		l := leaf{MediaType: mt, Params: params, Body: data}
		if d := get("Content-Disposition"); d != "" {
			l.Disposition, l.DispParams, err = stdmime.ParseMediaType(d)
			if err != nil {
				t.Fatalf("Content-Disposition %q: %v", d, err)
			}
		}
		leaves = append(leaves, l)
		return mt
	}
	shape = walk(msg.Header, msg.Body)
	return msg, shape, leaves
}

func decodeHeader(t *testing.T, msg *mail.Message, name string) string {
	t.Helper()
	s, err := new(stdmime.WordDecoder).DecodeHeader(msg.Header.Get(name))
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return s
}

func addresses(t *testing.T, msg *mail.Message, name string) []mime.Address {
	t.Helper()
	if msg.Header.Get(name) == "" {
		return nil
	}
	list, err := msg.Header.AddressList(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make([]mime.Address, len(list))
	for i, a := range list {
		out[i] = mime.Address{Name: a.Name, Email: a.Address}
	}
	return out
}

// crlf normalises bare LF to CRLF, as the quoted-printable encoding does to body line ends.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		msg   mime.Message
		shape string
	}{
		{"russian", russian(), "multipart/alternative[text/plain,text/html]"},
		{"english", english(), "multipart/alternative[text/plain,text/html]"},
		{"attachment", withPDF(), "multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := mustBytes(t, tc.msg)
			golden := filepath.Join("testdata", tc.name+".eml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./shared/mime -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run go test ./shared/mime -update if the change is intended)\n--- got\n%s", golden, got)
			}
			if again := mustBytes(t, tc.msg); !bytes.Equal(got, again) {
				t.Error("two renders of the same message differ")
			}
			checkLines(t, got)

			msg, shape, leaves := parse(t, got)
			if shape != tc.shape {
				t.Errorf("shape = %s, want %s", shape, tc.shape)
			}
			m := tc.msg
			if got, want := decodeHeader(t, msg, "Subject"), m.Subject; got != want {
				t.Errorf("Subject = %q, want %q", got, want)
			}
			if got := addresses(t, msg, "From"); len(got) != 1 || got[0] != m.From {
				t.Errorf("From = %v, want %v", got, m.From)
			}
			for _, f := range []struct {
				name string
				want []mime.Address
			}{{"To", m.To}, {"Cc", m.Cc}, {"Reply-To", m.ReplyTo}} {
				if got := addresses(t, msg, f.name); !equalAddrs(got, f.want) {
					t.Errorf("%s = %v, want %v", f.name, got, f.want)
				}
			}
			if got, want := msg.Header.Get("Message-Id"), "<"+m.MessageID+">"; got != want {
				t.Errorf("Message-ID = %q, want %q", got, want)
			}
			if got, want := msg.Header.Get("Mime-Version"), "1.0"; got != want {
				t.Errorf("MIME-Version = %q, want %q", got, want)
			}
			date, err := msg.Header.Date()
			if err != nil || !date.Equal(m.Date) {
				t.Errorf("Date = %v (%v), want %v", date, err, m.Date)
			}
			if m.InReplyTo != "" {
				if got, want := msg.Header.Get("In-Reply-To"), "<"+m.InReplyTo+">"; got != want {
					t.Errorf("In-Reply-To = %q, want %q", got, want)
				}
			}
			if len(m.References) > 0 {
				want := "<" + strings.Join(m.References, "> <") + ">"
				if got := strings.Join(strings.Fields(msg.Header.Get("References")), " "); got != want {
					t.Errorf("References = %q, want %q", got, want)
				}
			}

			if got, want := string(leaves[0].Body), crlf(m.Text); got != want {
				t.Errorf("text body = %q, want %q", got, want)
			}
			if got, want := string(leaves[1].Body), crlf(m.HTML); got != want {
				t.Errorf("html body = %q, want %q", got, want)
			}
			for _, l := range leaves[:2] {
				if l.Params["charset"] != "utf-8" {
					t.Errorf("%s charset = %q, want utf-8", l.MediaType, l.Params["charset"])
				}
			}
			for i, a := range m.Attachments {
				l := leaves[2+i]
				if l.Disposition != "attachment" || l.DispParams["filename"] != a.Filename {
					t.Errorf("attachment %d disposition = %s %v, want attachment with filename %q", i, l.Disposition, l.DispParams, a.Filename)
				}
				if l.MediaType != a.ContentType || !bytes.Equal(l.Body, a.Data) {
					t.Errorf("attachment %d = %s %q, want %s %q", i, l.MediaType, l.Body, a.ContentType, a.Data)
				}
			}
		})
	}
}

func equalAddrs(a, b []mime.Address) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkLines asserts CRLF line ends and RFC 5322 line lengths: at most 78 in headers (all ours fold), and
// at most 78 in bodies too, since they are quoted-printable or base64.
func checkLines(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Error("message does not end with CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n")
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 78 {
			t.Errorf("line %d is %d characters long: %q", i+1, len(l), l)
		}
	}
}

func TestHeaderInjection(t *testing.T) {
	t.Parallel()
	m := english()
	m.Subject = "Hi\r\nBcc: evil@x"
	m.From.Name = "Studio\r\nBcc: evil2@x"
	m.To = []mime.Address{{Name: "John\nX-Evil: 1", Email: "john@client.example"}}
	m.Attachments = []mime.Attachment{{Filename: "a\r\nX-Evil: 2\r\n\r\nbody.txt", ContentType: "text/plain", Data: []byte("x")}}
	raw := mustBytes(t, m)
	msg, _, leaves := parse(t, raw)
	for _, h := range []string{"Bcc", "X-Evil"} {
		if v, ok := msg.Header[h]; ok {
			t.Errorf("message has a %s header: %q", h, v)
		}
	}
	if got, want := decodeHeader(t, msg, "Subject"), "Hi  Bcc: evil@x"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	if got := addresses(t, msg, "From"); len(got) != 1 || got[0].Name != "Studio Bcc: evil2@x" {
		t.Errorf("From = %v", got)
	}
	if got := addresses(t, msg, "To"); len(got) != 1 || got[0] != (mime.Address{Name: "John X-Evil: 1", Email: "john@client.example"}) {
		t.Errorf("To = %v", got)
	}
	att := leaves[len(leaves)-1]
	if att.DispParams["filename"] != "a X-Evil: 2 body.txt" {
		t.Errorf("attachment filename = %q", att.DispParams["filename"])
	}
	checkLines(t, raw)

	// A content type with a line break is no longer a media type once the break is a space: refused.
	m = english()
	m.Attachments = []mime.Attachment{{Filename: "a.txt", ContentType: "text/plain\r\nX-Evil: 3", Data: []byte("x")}}
	if _, err := m.Bytes(); !errors.Is(err, mime.ErrInvalid) {
		t.Errorf("ContentType with CRLF: err = %v, want ErrInvalid", err)
	}

	// Ids cannot be made safe by replacing characters (a space is not allowed in one), so they are refused.
	m = english()
	m.MessageID = "x@y\r\nBcc: evil@x"
	if _, err := m.Bytes(); !errors.Is(err, mime.ErrInvalid) {
		t.Errorf("MessageID with CRLF: err = %v, want ErrInvalid", err)
	}
}

func TestInvalid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*mime.Message)
		want   string
	}{
		{"ErrFromRequired", func(m *mime.Message) { m.From = mime.Address{Name: "Studio"} }, "From is required"},
		{"ErrFromInvalid", func(m *mime.Message) { m.From.Email = "not an address" }, "From[0]: invalid email address"},
		{"ErrFromWithName", func(m *mime.Message) { m.From.Email = "Studio <a@b.example>" }, "From[0]: invalid email address"},
		{"ErrFromNonASCII", func(m *mime.Message) { m.From.Email = "студия@b.example" }, "must be printable ASCII"},
		{"ErrNoRecipients", func(m *mime.Message) { m.To, m.Cc = nil, nil }, "no recipients"},
		{"ErrToInvalid", func(m *mime.Message) { m.To = append(m.To, mime.Address{Email: "x@"}) }, "To[1]: invalid email address"},
		{"ErrCcEmpty", func(m *mime.Message) { m.Cc = []mime.Address{{Name: "Nobody"}} }, "Cc[0]: empty email address"},
		{"ErrReplyToInvalid", func(m *mime.Message) { m.ReplyTo = []mime.Address{{Email: "a@b\r\n"}} }, "Reply-To[0]"},
		{"ErrDateRequired", func(m *mime.Message) { m.Date = time.Time{} }, "Date is required"},
		{"ErrMessageIDRequired", func(m *mime.Message) { m.MessageID = "" }, "MessageID is required"},
		{"ErrMessageIDBrackets", func(m *mime.Message) { m.MessageID = "<a@b>" }, "MessageID"},
		{"ErrMessageIDNoAt", func(m *mime.Message) { m.MessageID = "abc" }, "left@right"},
		{"ErrInReplyTo", func(m *mime.Message) { m.InReplyTo = "a b@c" }, "InReplyTo"},
		{"ErrReferences", func(m *mime.Message) { m.References = []string{"a@b", "c"} }, "References[1]"},
		{"ErrAttachmentType", func(m *mime.Message) {
			m.Attachments = []mime.Attachment{{Filename: "a", ContentType: "not a type"}}
		}, "Attachments[0]: content type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := english()
			tc.change(&m)
			_, err := m.Bytes()
			if !errors.Is(err, mime.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrInvalid containing %q", err, tc.want)
			}
		})
	}
}

func TestShapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*mime.Message)
		shape  string
		header string // a header line the output must contain
	}{
		{"TextOnly", func(m *mime.Message) { m.HTML = "" }, "text/plain", "Content-Type: text/plain; charset=utf-8\r\n"},
		{"HTMLOnly", func(m *mime.Message) { m.Text = "" }, "text/html", "Content-Type: text/html; charset=utf-8\r\n"},
		{"Empty", func(m *mime.Message) { m.Text, m.HTML = "", "" }, "text/plain", "Content-Transfer-Encoding: quoted-printable\r\n"},
		{"AttachmentOnly", func(m *mime.Message) {
			m.Text, m.HTML = "", ""
			m.Attachments = []mime.Attachment{{Filename: "a.bin", Data: []byte{0, 1, 2}}}
		}, "multipart/mixed[application/octet-stream]", "Content-Disposition: attachment; filename=\"a.bin\"\r\n"},
		{"TextAndTwoAttachments", func(m *mime.Message) {
			m.HTML = ""
			m.Attachments = []mime.Attachment{
				{Filename: "a.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("привет")},
				{Filename: "b.png", ContentType: "image/png", Data: bytes.Repeat([]byte{0x89}, 200)},
			}
		}, "multipart/mixed[text/plain,text/plain,image/png]", "Content-Type: text/plain; charset=utf-8\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := english()
			tc.change(&m)
			raw := mustBytes(t, m)
			_, shape, leaves := parse(t, raw)
			if shape != tc.shape {
				t.Errorf("shape = %s, want %s", shape, tc.shape)
			}
			if !bytes.Contains(raw, []byte(tc.header)) {
				t.Errorf("output has no %q:\n%s", tc.header, raw)
			}
			checkLines(t, raw)
			for i, a := range m.Attachments {
				if l := leaves[len(leaves)-len(m.Attachments)+i]; !bytes.Equal(l.Body, a.Data) {
					t.Errorf("attachment %d = %q, want %q", i, l.Body, a.Data)
				}
			}
		})
	}
}

func TestHeaderValues(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Очень длинная тема письма, ", 12)
	for _, tc := range []struct {
		name    string
		subject string
		from    string
	}{
		{"ASCII", "Task done", "Studio"},
		{"Specials", `Report (final), "v2" <draft>; ok?`, `Doe, John (PM) "JD" \o/`},
		{"LooksEncoded", "=?UTF-8?B?0J/RgNC40LLQtdGC?= is not encoded", "=?UTF-8?B?0J/RgNC40LLQtdGC?="},
		{"LongASCII", strings.Repeat("word ", 60), strings.Repeat("Name ", 30)},
		{"LongWord", strings.Repeat("x", 1200), strings.Repeat("y", 300)},
		{"LongCyrillic", long, long},
		{"Mixed", "Задача «Logo» is done — готово ✅", "Анна Smith 😀"},
		{"Spaces", "  two  spaces  ", "Anna   Smith"},
		{"InvalidUTF8", "bad \xff byte", "bad \xfe name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := english()
			m.Subject, m.From.Name = tc.subject, tc.from
			raw := mustBytes(t, m)
			checkLines(t, raw)
			msg, _, _ := parse(t, raw)
			want := strings.TrimSpace(strings.ToValidUTF8(tc.subject, " "))
			if got := decodeHeader(t, msg, "Subject"); got != want {
				t.Errorf("Subject = %q, want %q", got, want)
			}
			wantName := strings.Join(strings.Fields(strings.ToValidUTF8(tc.from, " ")), " ")
			if got := addresses(t, msg, "From"); len(got) != 1 || got[0].Name != wantName || got[0].Email != m.From.Email {
				t.Errorf("From = %v, want %q <%s>", got, wantName, m.From.Email)
			}
		})
	}
}

func TestLongFilename(t *testing.T) {
	t.Parallel()
	m := english()
	name := "Акт выполненных работ по договору №17 от 23 ноября 2026 года (подписан).pdf"
	m.Attachments = []mime.Attachment{{Filename: name, ContentType: "application/pdf", Data: pdf}}
	raw := mustBytes(t, m)
	checkLines(t, raw)
	if !bytes.Contains(raw, []byte("filename*0*=UTF-8''")) || !bytes.Contains(raw, []byte(`filename="attachment.pdf"`)) {
		t.Errorf("want RFC 2231 continuations and an ASCII fallback:\n%s", raw)
	}
	_, _, leaves := parse(t, raw)
	if got := leaves[len(leaves)-1].DispParams["filename"]; got != name {
		t.Errorf("filename = %q, want %q", got, name)
	}
}

func TestBoundariesDependOnMessageID(t *testing.T) {
	t.Parallel()
	a, b := withPDF(), withPDF()
	b.MessageID = "other@glassbox.studio.example"
	ra, rb := mustBytes(t, a), mustBytes(t, b)
	_, pa, _ := stdmime.ParseMediaType(mustHeader(t, ra, "Content-Type"))
	_, pb, _ := stdmime.ParseMediaType(mustHeader(t, rb, "Content-Type"))
	if pa["boundary"] == "" || pa["boundary"] == pb["boundary"] {
		t.Errorf("boundaries %q and %q: want distinct and non-empty", pa["boundary"], pb["boundary"])
	}
}

func mustHeader(t *testing.T, raw []byte, name string) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return msg.Header.Get(name)
}

// TestBidiControlsAreDropped: a right-to-left override in a subject or a file name makes a mail program show
// "Invoice\u202Efdp.exe" as "Invoiceexe.pdf". Headers keep the text without the embedding, override and
// isolate characters.
func TestBidiControlsAreDropped(t *testing.T) {
	t.Parallel()
	bidi := []string{"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}
	for _, c := range bidi {
		t.Run(fmt.Sprintf("U+%04X", []rune(c)[0]), func(t *testing.T) {
			t.Parallel()
			m := russian()
			m.Subject = "Готово: «Invoice" + c + "fdp.exe»"
			m.From.Name = "Студия" + c + " «Стекло»"
			m.Attachments = []mime.Attachment{{Filename: "Счёт" + c + "fdp.exe.pdf", ContentType: "application/pdf", Data: pdf}}
			raw := mustBytes(t, m)
			msg, _, leaves := parse(t, raw)
			if got, want := decodeHeader(t, msg, "Subject"), "Готово: «Invoicefdp.exe»"; got != want {
				t.Errorf("Subject = %q, want %q", got, want)
			}
			if got := addresses(t, msg, "From"); len(got) != 1 || got[0].Name != "Студия «Стекло»" {
				t.Errorf("From = %v", got)
			}
			if got, want := leaves[len(leaves)-1].DispParams["filename"], "Счётfdp.exe.pdf"; got != want {
				t.Errorf("filename = %q, want %q", got, want)
			}
		})
	}
}

// A caller that knows a better ASCII name than "attachment.pdf" (a transliteration) gives it.
func TestASCIIFilenameFallback(t *testing.T) {
	t.Parallel()
	m := english()
	name := "Счёт ПК-2026-0015.pdf"
	m.Attachments = []mime.Attachment{{Filename: name, ASCIIFilename: "Schet PK-2026-0015.pdf", ContentType: "application/pdf", Data: pdf}}
	raw := mustBytes(t, m)
	checkLines(t, raw)
	if !bytes.Contains(raw, []byte(`filename="Schet PK-2026-0015.pdf"`)) {
		t.Errorf("want the given ASCII fallback:\n%s", raw)
	}
	_, _, leaves := parse(t, raw)
	if got := leaves[len(leaves)-1].DispParams["filename"]; got != name {
		t.Errorf("filename = %q, want %q", got, name)
	}
}
