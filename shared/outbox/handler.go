package outbox

import (
	"bytes"
	"errors"
	"html"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Handler serves the outbox in dir as web pages, under absolute paths; mount it with
// mux.Handle("/outbox", h) and mux.Handle("/outbox/", h):
//
//	GET /outbox                            the list of messages, newest first
//	GET /outbox/{file}                     one message: headers, HTML part (sandboxed), text part, attachments
//	GET /outbox/{file}/raw                 the .eml itself, as message/rfc822
//	GET /outbox/{file}/attachments/{i}     attachment i (from 0), as a download
//
// File names with path separators or ".." are 404. Message HTML is shown only inside a sandboxed iframe
// without scripts, and every page forbids scripts.
func Handler(dir string, opts ...Option) http.Handler {
	s := &server{dir: dir}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /outbox", s.list)
	mux.HandleFunc("GET /outbox/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/outbox", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /outbox/{file}", s.detail)
	mux.HandleFunc("GET /outbox/{file}/raw", s.raw)
	mux.HandleFunc("GET /outbox/{file}/attachments/{i}", s.attachment)
	return mux
}

type server struct {
	dir string
	// bounceURL, when set, is where an email's page posts "simulate a bounce" (glassbox dev's /dev/bounce).
	bounceURL string
}

// Option tunes the outbox pages.
type Option func(*server)

// WithBounceButton puts a "simulate a bounce" button on each email's page, posting file=NAME (and type) to url,
// which must be on the same origin.
func WithBounceButton(url string) Option {
	return func(s *server) { s.bounceURL = url }
}

// pageCSP forbids scripts on our pages and, as srcdoc frames inherit it, in the messages' HTML as well.
const pageCSP = "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"

// listing is the list page: emails, and Telegram messages beside them.
type listing struct {
	Mail     []Summary
	Telegram []TelegramMessage
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	msgs, err := List(s.dir)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	chats, err := ListTelegram(s.dir)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, listPage, listing{Mail: msgs, Telegram: chats})
}

func (s *server) detail(w http.ResponseWriter, r *http.Request) {
	if name := r.PathValue("file"); validTelegramName(name) {
		m, err := readTelegram(s.dir, name)
		if errors.Is(err, fs.ErrNotExist) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, telegramPage, m)
		return
	}
	m, ok := s.message(w, r)
	if !ok {
		return
	}
	s.render(w, r, detailPage, struct {
		*message
		BounceURL string
	}{m, s.bounceURL})
}

func (s *server) raw(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if !validName(name) {
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(filepath.Join(s.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	_, _ = w.Write(data)
}

func (s *server) attachment(w http.ResponseWriter, r *http.Request) {
	m, ok := s.message(w, r)
	if !ok {
		return
	}
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || i < 0 || i >= len(m.data) {
		http.NotFound(w, r)
		return
	}
	a := m.Attachments[i]
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})
	if disposition == "" {
		disposition = "attachment"
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", disposition)
	w.Header().Set("Content-Length", strconv.Itoa(len(m.data[i])))
	// An attached HTML file must not run as our origin's page even if a browser decides to show it.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	_, _ = w.Write(m.data[i])
}

// message reads the message named in the path, answering 404 itself when there is none.
func (s *server) message(w http.ResponseWriter, r *http.Request) (*message, bool) {
	name := r.PathValue("file")
	if !validName(name) {
		http.NotFound(w, r)
		return nil, false
	}
	m, err := read(s.dir, name)
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return nil, false
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return m, true
}

func (s *server) render(w http.ResponseWriter, r *http.Request, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	csp := pageCSP
	if s.bounceURL != "" {
		csp = strings.Replace(csp, "form-action 'none'", "form-action 'self'", 1)
	}
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = buf.WriteTo(w)
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "outbox page failed", "path", r.URL.Path, "err", err)
	http.Error(w, "outbox: "+err.Error(), http.StatusInternalServerError)
}

var funcs = template.FuncMap{
	"date": func(t time.Time) string { return t.Format("2006-01-02 15:04:05 -0700") },
	"join": func(s []string) string { return strings.Join(s, ", ") },
	// short is a Telegram message without markup, on one line, cut to 180 characters for the list: long enough
	// to get past the greeting to what the message is about.
	"short": func(s string) string {
		s = strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(s, ""))), " ")
		if r := []rune(s); len(r) > 180 {
			s = string(r[:180]) + "…"
		}
		return s
	},
}

var tags = regexp.MustCompile(`<[^>]*>`)

// telegramPage shows a Telegram message: its HTML as Telegram renders it (in a sandboxed frame; only the tags
// the stand-in accepted can be in it) and as sent.
var telegramPage = template.Must(template.New("telegram").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Telegram — Outbox</title>` + style + `</head><body>
<h1><a href="/outbox">Outbox</a> / Telegram to {{.Chat}}</h1>
<table>
<tr><th>Date</th><td>{{date .Date}}</td></tr>
<tr><th>Chat</th><td>{{.Chat}}</td></tr>
<tr><th>File</th><td>{{.File}}</td></tr>
</table>
<h2>As shown</h2>
<iframe sandbox srcdoc="<div style='font:15px/1.45 system-ui,sans-serif;white-space:pre-wrap'>{{.Text}}</div>" title="Telegram message"></iframe>
<h2>Sent (parse mode HTML)</h2>
<pre>{{.Text}}</pre>
</body></html>
`))

const style = `<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
h1{font-size:1.4rem}h1 a{color:inherit;text-decoration:none}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.35rem .6rem;border-bottom:1px solid #e3e3e3}
th{font-weight:600;color:#555;white-space:nowrap}td.date{white-space:nowrap;color:#555}
iframe{width:100%;height:60vh;border:1px solid #ccc;border-radius:4px;background:#fff}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.8rem;border-radius:4px}
.empty{color:#666;font-size:1.1rem}.muted{color:#888}
</style>`

var listPage = template.Must(template.New("list").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Outbox</title>` + style + `</head><body>
<h1>Outbox <span class="muted">({{len .Mail}} email{{if .Telegram}}, {{len .Telegram}} Telegram{{end}})</span></h1>
{{if .Telegram}}<h2>Telegram</h2>
<table>
<tr><th>Date</th><th>Chat</th><th>Message</th></tr>
{{range .Telegram}}<tr>
<td class="date">{{date .Date}}</td>
<td>{{.Chat}}</td>
<td><a href="/outbox/{{.File}}">{{short .Text}}</a></td>
</tr>
{{end}}</table>
<h2>Email</h2>{{end}}
{{if not .Mail}}<p class="empty">No mail yet — run <code>make demo</code></p>
{{else}}<table>
<tr><th>Date</th><th>Subject</th><th>From</th><th>To</th><th>Reply-To</th><th>Attachments</th></tr>
{{range .Mail}}<tr>
<td class="date">{{date .Date}}</td>
<td><a href="/outbox/{{.File}}">{{if .Subject}}{{.Subject}}{{else}}(no subject){{end}}</a></td>
<td>{{.From}}</td>
<td>{{join .To}}{{if .Cc}}<br><span class="muted">cc</span> {{join .Cc}}{{end}}</td>
<td>{{join .ReplyTo}}</td>
<td>{{range $i, $a := .Attachments}}{{if $i}}, {{end}}{{$a.Name}}{{end}}</td>
</tr>
{{end}}</table>
{{end}}</body></html>
`))

var detailPage = template.Must(template.New("detail").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Subject}} — Outbox</title>` + style + `</head><body>
<h1><a href="/outbox">Outbox</a> / {{if .Subject}}{{.Subject}}{{else}}(no subject){{end}}</h1>
<table>
<tr><th>Date</th><td>{{date .Date}}</td></tr>
<tr><th>From</th><td>{{.From}}</td></tr>
<tr><th>To</th><td>{{join .To}}</td></tr>
{{if .Cc}}<tr><th>Cc</th><td>{{join .Cc}}</td></tr>{{end}}
{{if .ReplyTo}}<tr><th>Reply-To</th><td>{{join .ReplyTo}}</td></tr>{{end}}
<tr><th>Subject</th><td>{{.Subject}}</td></tr>
{{if .MessageID}}<tr><th>Message-ID</th><td>{{.MessageID}}</td></tr>{{end}}
{{if .Attachments}}<tr><th>Attachments</th><td>{{range $i, $a := .Attachments}}{{if $i}}<br>{{end}}<a href="/outbox/{{$.File}}/attachments/{{$i}}" download>{{$a.Name}}</a> <span class="muted">{{$a.ContentType}}, {{$a.Size}} bytes</span>{{end}}</td></tr>{{end}}
<tr><th>File</th><td><a href="/outbox/{{.File}}/raw">{{.File}}</a></td></tr>
</table>
{{if .BounceURL}}<form method="post" action="{{.BounceURL}}"><input type="hidden" name="file" value="{{.File}}"><input type="hidden" name="back" value="1">
<p class="muted">As if SES reported this email undelivered:
<button name="type" value="bounce">Simulate a bounce</button> <button name="type" value="complaint">Simulate a complaint</button></p></form>{{end}}
{{if .HTML}}<h2>HTML</h2>
<iframe sandbox srcdoc="{{.HTML}}" title="HTML part"></iframe>{{end}}
{{if .Text}}<h2>Text</h2>
<pre>{{.Text}}</pre>{{end}}
</body></html>
`))
