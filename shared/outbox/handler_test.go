package outbox_test

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/outbox"
)

// fixture is a served outbox holding the Russian message (with attachments) and the hostile one.
type fixture struct {
	srv              *httptest.Server
	dir              string
	russian, hostile string // file names
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	dir := t.TempDir()
	m := outbox.New(dir)
	f := fixture{dir: dir, russian: send(t, m, russian(t)), hostile: send(t, m, hostile(t))}
	f.srv = httptest.NewServer(outbox.Handler(dir))
	t.Cleanup(f.srv.Close)
	return f
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// srcdoc matches the one place message HTML may appear: the escaped srcdoc attribute of the sandboxed iframe.
var srcdoc = regexp.MustCompile(`<iframe sandbox srcdoc="[^"]*"`)

func TestHandler_List(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resp, body := get(t, f.srv.URL+"/outbox")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /outbox = %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	page := string(body)
	for _, want := range []string{
		"Задача «Главная страница» готова", "Студия «Стекло» &lt;notify@studio.example&gt;",
		"Иван Петров &lt;ivan@client.example&gt;", "Анна Менеджерова &lt;anna@studio.example&gt;",
		"Счёт №42.pdf", "notes.txt",
		`href="/outbox/` + f.russian + `"`, `href="/outbox/` + f.hostile + `"`,
		"&lt;script&gt;alert(&#34;subject&#34;)&lt;/script&gt; &amp; more",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("list page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<script") {
		t.Errorf("list page has an unescaped <script:\n%s", page)
	}
	// Newest first.
	if strings.Index(page, f.hostile) > strings.Index(page, f.russian) {
		t.Error("list page: the newer message is not first")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") {
		t.Errorf("Content-Security-Policy = %q, want script-src 'none'", csp)
	}
}

func TestHandler_Empty(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(outbox.Handler(filepath.Join(t.TempDir(), "not-yet")))
	t.Cleanup(srv.Close)
	resp, body := get(t, srv.URL+"/outbox")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "No mail yet — run <code>make demo</code>") {
		t.Errorf("GET /outbox on an empty outbox = %s:\n%s", resp.Status, body)
	}
}

func TestHandler_Detail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	resp, body := get(t, f.srv.URL+"/outbox/"+f.hostile)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET detail = %s", resp.Status)
	}
	page := string(body)
	frames := srcdoc.FindAllString(page, -1)
	if len(frames) != 1 {
		t.Fatalf("detail page has %d sandboxed srcdoc iframes, want 1:\n%s", len(frames), page)
	}
	// Inside srcdoc the HTML is attribute-escaped; unescaped, it is the message's HTML exactly.
	inner := strings.TrimSuffix(strings.TrimPrefix(frames[0], `<iframe sandbox srcdoc="`), `"`)
	if got, want := html.UnescapeString(inner), `<p>hi</p><script>alert("html")</script><img src=x onerror="alert(2)">`; got != want {
		t.Errorf("srcdoc = %q, want %q", got, want)
	}
	outside := srcdoc.ReplaceAllString(page, "")
	for _, bad := range []string{"<script", "<img", "onerror="} {
		if strings.Contains(outside, bad) {
			t.Errorf("detail page has %q outside srcdoc:\n%s", bad, page)
		}
	}
	for _, want := range []string{
		"<pre>&lt;/pre&gt;&lt;script&gt;alert(&#39;text&#39;)&lt;/script&gt;</pre>",
		"Mallory &lt;script&gt;alert(1)&lt;/script&gt; &lt;mallory@evil.example&gt;",
		`href="/outbox/` + f.hostile + `/raw"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("detail page lacks %q:\n%s", want, page)
		}
	}

	_, body = get(t, f.srv.URL+"/outbox/"+f.russian)
	page = string(body)
	for _, want := range []string{
		`href="/outbox/` + f.russian + `/attachments/0"`, `href="/outbox/` + f.russian + `/attachments/1"`,
		"Счёт №42.pdf", "Архив &lt;archive@client.example&gt;", "<pre>Здравствуйте, Иван!\r\nЗадача готова.\r\n</pre>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("detail page lacks %q:\n%s", want, page)
		}
	}
}

func TestHandler_RawAndAttachments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	resp, body := get(t, f.srv.URL+"/outbox/"+f.russian+"/raw")
	want, _ := os.ReadFile(filepath.Join(f.dir, f.russian))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "message/rfc822" || !bytes.Equal(body, want) {
		t.Errorf("GET raw = %s %s, %d bytes; want message/rfc822 with the file's %d bytes", resp.Status, resp.Header.Get("Content-Type"), len(body), len(want))
	}

	for _, tc := range []struct {
		i, contentType, disposition string
		data                        []byte
	}{
		{"0", "application/pdf", `attachment; filename*=utf-8''%D0%A1%D1%87%D1%91%D1%82%20%E2%84%9642.pdf`, pdf},
		{"1", "text/plain", `attachment; filename=notes.txt`, []byte("заметки")},
	} {
		resp, body := get(t, f.srv.URL+"/outbox/"+f.russian+"/attachments/"+tc.i)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("attachment %s: %s", tc.i, resp.Status)
			continue
		}
		if !bytes.Equal(body, tc.data) {
			t.Errorf("attachment %s = %q, want %q", tc.i, body, tc.data)
		}
		if got := resp.Header.Get("Content-Type"); got != tc.contentType {
			t.Errorf("attachment %s Content-Type = %q, want %q", tc.i, got, tc.contentType)
		}
		if got := resp.Header.Get("Content-Disposition"); got != tc.disposition {
			t.Errorf("attachment %s Content-Disposition = %q, want %q", tc.i, got, tc.disposition)
		}
	}
}

func TestHandler_NotFound(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// A file beside the outbox that traversal would reach.
	secret := filepath.Join(filepath.Dir(f.dir), "secret.eml")
	if err := os.WriteFile(secret, russian(t), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(secret) })

	var resp *http.Response
	for _, path := range []string{
		"/outbox/..%2Fsecret.eml",
		"/outbox/..%2Fsecret.eml/raw",
		"/outbox/..%2Fsecret.eml/attachments/0",
		"/outbox/..%5Csecret.eml",
		"/outbox/..",
		"/outbox/../secret.eml", // cleaned by the mux into /secret.eml, which is not ours
		"/outbox/%2E%2E/secret.eml",
		"/outbox/" + filepath.Base(f.dir) + "%2F..%2F..%2Fsecret.eml",
		"/outbox/missing.eml",
		"/outbox/missing.eml/raw",
		"/outbox/" + f.russian + "x",
		"/outbox/.sending-1",
		"/outbox/" + f.russian + "/attachments/2",
		"/outbox/" + f.russian + "/attachments/-1",
		"/outbox/" + f.russian + "/attachments/x",
		"/outbox/" + f.hostile + "/attachments/0",
	} {
		var body []byte
		resp, body = get(t, f.srv.URL+path) // the client follows the mux's redirects
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %s, want 404:\n%.300s", path, resp.Status, body)
		}
	}

	resp, _ = get(t, f.srv.URL+"/outbox/")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/outbox" {
		t.Errorf("GET /outbox/ = %s at %s, want 200 at /outbox", resp.Status, resp.Request.URL.Path)
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/outbox", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /outbox = %s, want 405", resp.Status)
	}
}
