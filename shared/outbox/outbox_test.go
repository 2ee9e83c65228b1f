package outbox_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/mime"
	"github.com/glassbox-oss/glassbox/shared/outbox"
)

var pdf = []byte("%PDF-1.4\n%%EOF\n\x00\x01\xfe\xff")

func russian(t *testing.T) []byte {
	t.Helper()
	return mustBytes(t, mime.Message{
		From:      mime.Address{Name: "Студия «Стекло»", Email: "notify@studio.example"},
		To:        []mime.Address{{Name: "Иван Петров", Email: "ivan@client.example"}, {Email: "maria@client.example"}},
		Cc:        []mime.Address{{Name: "Архив", Email: "archive@client.example"}},
		ReplyTo:   []mime.Address{{Name: "Анна Менеджерова", Email: "anna@studio.example"}},
		Subject:   "Задача «Главная страница» готова",
		Date:      time.Date(2026, 11, 23, 14, 5, 0, 0, time.FixedZone("MSK", 3*3600)),
		MessageID: "a1@glassbox.test",
		Text:      "Здравствуйте, Иван!\nЗадача готова.\n",
		HTML:      "<p>Здравствуйте, Иван!</p><p>Задача <b>готова</b>.</p>",
		Attachments: []mime.Attachment{
			{Filename: "Счёт №42.pdf", ContentType: "application/pdf", Data: pdf},
			{Filename: "notes.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("заметки")},
		},
	})
}

func hostile(t *testing.T) []byte {
	t.Helper()
	return mustBytes(t, mime.Message{
		From:      mime.Address{Name: "Mallory <script>alert(1)</script>", Email: "mallory@evil.example"},
		To:        []mime.Address{{Email: "victim@client.example"}},
		Subject:   `<script>alert("subject")</script> & more`,
		Date:      time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		MessageID: "b2@glassbox.test",
		Text:      "</pre><script>alert('text')</script>",
		HTML:      `<p>hi</p><script>alert("html")</script><img src=x onerror="alert(2)">`,
	})
}

func mustBytes(t *testing.T, m mime.Message) []byte {
	t.Helper()
	b, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func send(t *testing.T, m *outbox.Mailer, data []byte) string {
	t.Helper()
	id, err := m.Send(context.Background(), glassbox.RawEmail{From: "notify@studio.example", To: []string{"ivan@client.example"}, Data: data})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	return id
}

var fileName = regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{8}\.eml$`)

func TestMailer_Send(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "outbox") // created by Send
	at := time.Date(2026, 11, 23, 11, 5, 0, 123456789, time.FixedZone("MSK", 3*3600))
	data := russian(t)
	id := send(t, outbox.NewWithClock(dir, func() time.Time { return at }), data)

	if want := "20261123T080500.123456789Z-"; id[:len(want)] != want || !fileName.MatchString(id) {
		t.Errorf("id = %q, want %s{8 hex}.eml", id, want)
	}
	got, err := os.ReadFile(filepath.Join(dir, id))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("file %s = %d bytes (%v), want the %d bytes sent", id, len(got), err, len(data))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries, want only the message (no temp files)", len(entries))
	}

	if _, err := outbox.New(dir).Send(context.Background(), glassbox.RawEmail{}); err == nil {
		t.Error("Send of an empty message: want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := outbox.New(dir).Send(ctx, glassbox.RawEmail{Data: data}); err == nil {
		t.Error("Send with a cancelled context: want an error")
	}
}

func TestMailer_SendConcurrent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A frozen clock and identical data: every send wants the same name, and none may overwrite another.
	at := time.Date(2026, 11, 23, 11, 5, 0, 0, time.UTC)
	m := outbox.NewWithClock(dir, func() time.Time { return at })
	data := russian(t)
	const n = 20
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { ids[i] = send(t, m, data) })
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("id %s returned twice", id)
		}
		seen[id] = true
	}
	if list, err := outbox.List(dir); err != nil || len(list) != n {
		t.Errorf("List = %d messages (%v), want %d", len(list), err, n)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if list, err := outbox.List(filepath.Join(dir, "missing")); err != nil || len(list) != 0 {
		t.Errorf("List(missing dir) = %v, %v; want empty, nil", list, err)
	}
	m := outbox.New(dir)
	first := send(t, m, russian(t))
	time.Sleep(time.Millisecond) // names carry nanoseconds, but keep the order unambiguous on coarse clocks
	second := send(t, m, hostile(t))
	// Files that are not messages are ignored.
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, ".sending-123"), []byte("x"), 0o644)

	list, err := outbox.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []outbox.Summary{
		{
			File:    second,
			Date:    time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
			Subject: `<script>alert("subject")</script> & more`,
			From:    "Mallory <script>alert(1)</script> <mallory@evil.example>",
			To:      []string{"victim@client.example"},
			Text:    "</pre><script>alert('text')</script>",
			HTML:    `<p>hi</p><script>alert("html")</script><img src=x onerror="alert(2)">`,
		},
		{
			File:    first,
			Date:    time.Date(2026, 11, 23, 14, 5, 0, 0, time.FixedZone("MSK", 3*3600)),
			Subject: "Задача «Главная страница» готова",
			From:    "Студия «Стекло» <notify@studio.example>",
			To:      []string{"Иван Петров <ivan@client.example>", "maria@client.example"},
			Cc:      []string{"Архив <archive@client.example>"},
			ReplyTo: []string{"Анна Менеджерова <anna@studio.example>"},
			Text:    "Здравствуйте, Иван!\r\nЗадача готова.\r\n",
			HTML:    "<p>Здравствуйте, Иван!</p><p>Задача <b>готова</b>.</p>",
			Attachments: []outbox.AttachmentInfo{
				{Name: "Счёт №42.pdf", ContentType: "application/pdf", Size: len(pdf)},
				{Name: "notes.txt", ContentType: "text/plain", Size: len("заметки")},
			},
		},
	}
	if diff := cmp.Diff(want, list, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("List mismatch (-want +got):\n%s", diff)
	}
}

func TestList_Unparseable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "20261123T000000.000000000Z-00000000.eml"), []byte("not a message"), 0o644)
	if _, err := outbox.List(dir); err == nil {
		t.Error("List over a broken file: want an error naming it")
	} else if want := "20261123T000000.000000000Z-00000000.eml"; !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Errorf("err = %v, want it to name %s", err, want)
	}
}

func ExampleList() {
	dir, _ := os.MkdirTemp("", "outbox")
	defer os.RemoveAll(dir)
	data, _ := mime.Message{
		From:      mime.Address{Name: "Studio", Email: "notify@studio.example"},
		To:        []mime.Address{{Name: "Иван", Email: "ivan@client.example"}},
		Subject:   "Задача готова",
		Date:      time.Date(2026, 11, 23, 11, 5, 0, 0, time.UTC),
		MessageID: "1@glassbox.test",
		Text:      "Готово.",
	}.Bytes()
	outbox.New(dir).Send(context.Background(), glassbox.RawEmail{From: "notify@studio.example", To: []string{"ivan@client.example"}, Data: data})
	list, _ := outbox.List(dir)
	fmt.Println(list[0].Subject, "|", list[0].To[0], "|", list[0].Text)
	// Output: Задача готова | Иван <ivan@client.example> | Готово.
}
