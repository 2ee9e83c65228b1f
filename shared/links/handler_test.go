package links_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/httpapi"
	"github.com/glassbox-oss/glassbox/shared/links"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// demoKey is the link key the samples in events/ are signed with.
const demoKey = "demo-link-key-0123456789abcdef0123456789abcdef"

var (
	t0  = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	exp = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
)

// parts splits a link into its path, exp and sig.
func parts(t testing.TB, link string) (path, exp, sig string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path, u.Query().Get("exp"), u.Query().Get("sig")
}

func mustSigner(t testing.TB, key string) *linksign.Signer {
	t.Helper()
	s, err := linksign.NewSigner([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const keyParam = "/glassbox/link-key"

// sampleDocID is the invoice the samples events/link-*.json are signed for: the demo project's "design" stage.
const sampleDocID = "doc-72eb8f164b3ea1299069"

// memStore is an in-memory Store for the handler's unit tests; the real stores have their own contract suite.
type memStore struct {
	mu     sync.Mutex
	docs   map[string]glassbox.Document
	pdfs   map[string][]byte
	events map[string]glassbox.Event
	order  []string
	err    error // returned by every call when set
}

func newMemStore(docs ...glassbox.Document) *memStore {
	s := &memStore{docs: map[string]glassbox.Document{}, pdfs: map[string][]byte{}, events: map[string]glassbox.Event{}}
	for _, d := range docs {
		s.docs[d.ID] = d
	}
	return s
}

func (s *memStore) Document(_ context.Context, id string) (glassbox.Document, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return glassbox.Document{}, s.err
	}
	d, ok := s.docs[id]
	if !ok {
		return glassbox.Document{}, glassbox.ErrNotFound
	}
	return d, nil
}

func (s *memStore) DocumentPDF(_ context.Context, id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	b, ok := s.pdfs[id]
	if !ok {
		return nil, glassbox.ErrNotFound
	}
	return b, nil
}

func (s *memStore) AppendEvent(_ context.Context, e glassbox.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if _, ok := s.events[e.ID]; ok {
		return glassbox.ErrDuplicate
	}
	s.events[e.ID] = e
	s.order = append(s.order, e.ID)
	return nil
}

func (s *memStore) appended() []glassbox.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]glassbox.Event, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.events[id])
	}
	return out
}

var _ links.Store = (*memStore)(nil)

// keys is a KeySource holding one parameter; it counts reads.
type keys struct {
	mu    sync.Mutex
	vals  map[string]string
	reads int
}

func (k *keys) Secret(_ context.Context, name string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.reads++
	v, ok := k.vals[name]
	if !ok {
		return "", errors.New("parameter not found")
	}
	return v, nil
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func invoiceRU() glassbox.Document {
	return glassbox.Document{
		ID: "doc-ru", Kind: glassbox.DocumentInvoice, ProjectID: "romashka-site", ClientID: "romashka",
		Number: "ПК-2026-0015", Locale: "ru", Date: "2026-11-23", DueDate: "2026-11-28", TimeZone: "Europe/Moscow",
		Seller:      glassbox.Seller{ID: "pixel", Name: "ООО «Пиксель»"},
		Buyer:       glassbox.Buyer{Name: "ООО «Ромашка»"},
		ProjectName: "Новый сайт", Currency: "RUB", Total: 15000000,
		State: glassbox.DocumentIssued,
	}
}

func invoiceEN() glassbox.Document {
	return glassbox.Document{
		ID: "doc-en", Kind: glassbox.DocumentInvoice, ProjectID: "acme-app", Number: "PX-2026-0001", Locale: "en",
		Date: "2026-11-23", DueDate: "2026-11-28", TimeZone: "Europe/Berlin",
		Seller: glassbox.Seller{Name: "Pixel GmbH"}, Buyer: glassbox.Buyer{Name: "Acme Ltd"},
		Currency: "EUR", Total: 250000, State: glassbox.DocumentIssued,
	}
}

// fixture is a handler over a fake store, with the demo key, at t0.
type fixture struct {
	h      *links.Handler
	store  *memStore
	keys   *keys
	signer *linksign.Signer
	logs   *bytes.Buffer
}

func newFixture(t *testing.T, docs ...glassbox.Document) *fixture {
	t.Helper()
	f := &fixture{store: newMemStore(docs...), keys: &keys{vals: map[string]string{keyParam: demoKey}},
		signer: mustSigner(t, demoKey), logs: &bytes.Buffer{}}
	f.h = links.NewHandler(f.store, f.keys, fixedClock{t0}, links.Options{KeyParam: keyParam,
		Logger: slog.New(slog.NewJSONHandler(f.logs, nil))})
	return f
}

// request is the API Gateway request for a method on a signed link ("https://x/pay/doc?exp&sig").
func request(t testing.TB, method, link string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "ANY /" + parts[0] + "/{doc}", RawPath: u.EscapedPath(), RawQueryString: u.RawQuery,
		PathParameters: map[string]string{"doc": parts[len(parts)-1]},
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "req-1", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: u.Path}},
	}
}

func (f *fixture) do(t testing.TB, req events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := f.h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle returned error %v; it must answer every request itself", err)
	}
	return resp
}

func (f *fixture) payLink(doc string) string {
	return f.signer.URL("https://links.example", linksign.ActionPay, doc, exp)
}

func (f *fixture) docLink(doc string) string {
	return f.signer.URL("https://links.example", linksign.ActionDocument, doc, exp)
}

// checkPageHeaders checks what every HTML answer carries.
func checkPageHeaders(t *testing.T, resp events.APIGatewayV2HTTPResponse) {
	t.Helper()
	want := map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"X-Robots-Tag":            "noindex, nofollow",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	}
	for k, v := range want {
		if got := resp.Headers[k]; got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	for _, s := range []string{`<meta name="robots" content="noindex`, "<!doctype html>", "<style>"} {
		if !strings.Contains(resp.Body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	for _, s := range []string{"<script", "src=", "href=", "<link"} {
		if strings.Contains(resp.Body, s) {
			t.Errorf("page contains %q; pages load nothing", s)
		}
	}
}

func TestPayPage(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		f := newFixture(t, invoiceRU())
		link := f.payLink("doc-ru")
		resp := f.do(t, request(t, http.MethodGet, link))
		if got, want := resp.StatusCode, http.StatusOK; got != want {
			t.Fatalf("status = %d, want %d; body %s", got, want, resp.Body)
		}
		checkPageHeaders(t, resp)
		for _, s := range []string{"Счёт ПК-2026-0015", "ООО «Пиксель»", "ООО «Ромашка»", "23.11.2026", "28.11.2026",
			money.Format(15000000, "RUB", "ru"), "выставлен", `<button type="submit">Оплата получена</button>`, `lang="ru"`} {
			if !strings.Contains(resp.Body, s) {
				t.Errorf("page lacks %q:\n%s", s, resp.Body)
			}
		}
		_, e, sig := parts(t, link)
		if want := `<form method="post" action="?exp=` + e + `&amp;sig=` + sig + `">`; !strings.Contains(resp.Body, want) {
			t.Errorf("page lacks the form %q:\n%s", want, resp.Body)
		}
		if n := len(f.store.appended()); n != 0 {
			t.Errorf("GET appended %d events; it must change nothing", n)
		}
	})
	t.Run("OKEnglish", func(t *testing.T) {
		f := newFixture(t, invoiceEN())
		resp := f.do(t, request(t, http.MethodGet, f.payLink("doc-en")))
		for _, s := range []string{"Invoice PX-2026-0001", "Pixel GmbH", "23 Nov 2026", money.Format(250000, "EUR", "en"), ">Payment received</button>"} {
			if !strings.Contains(resp.Body, s) {
				t.Errorf("page lacks %q:\n%s", s, resp.Body)
			}
		}
	})
	t.Run("OKHead", func(t *testing.T) {
		f := newFixture(t, invoiceRU())
		resp := f.do(t, request(t, http.MethodHead, f.payLink("doc-ru")))
		if resp.StatusCode != http.StatusOK || resp.Body != "" {
			t.Errorf("HEAD = %d with %d bytes, want 200 and no body", resp.StatusCode, len(resp.Body))
		}
		if n := len(f.store.appended()); n != 0 {
			t.Errorf("HEAD appended %d events", n)
		}
	})
	t.Run("OKPaidHasNoButton", func(t *testing.T) {
		doc := invoiceEN()
		doc.State, doc.PaidAt, doc.PaidBy = glassbox.DocumentPaid, time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC), "accountant link"
		f := newFixture(t, doc)
		resp := f.do(t, request(t, http.MethodGet, f.payLink("doc-en")))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		// 23:30 UTC is already the 25th in Berlin.
		if !strings.Contains(resp.Body, "Marked paid on 25 Nov 2026.") {
			t.Errorf("page lacks the paid date:\n%s", resp.Body)
		}
		if strings.Contains(resp.Body, "<form") || strings.Contains(resp.Body, "<button") {
			t.Errorf("paid invoice page has a button:\n%s", resp.Body)
		}
	})
	t.Run("OKVoidHasNoButton", func(t *testing.T) {
		doc := invoiceRU()
		doc.State = glassbox.DocumentVoid
		f := newFixture(t, doc)
		resp := f.do(t, request(t, http.MethodGet, f.payLink("doc-ru")))
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "Счёт аннулирован") || strings.Contains(resp.Body, "<form") {
			t.Errorf("void page = %d:\n%s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("EscapesHostileNames", func(t *testing.T) {
		doc := invoiceEN()
		doc.Seller.Name = `<script>alert("s")</script>`
		doc.Buyer.Name = `Acme "><img src=x onerror=alert(1)>`
		doc.ProjectName = "<b>bold</b> & co"
		doc.Number = `PX-<i>1</i>`
		f := newFixture(t, doc)
		resp := f.do(t, request(t, http.MethodGet, f.payLink("doc-en")))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		for _, bad := range []string{"<script", "<img", "<b>", "<i>"} {
			if strings.Contains(resp.Body, bad) {
				t.Errorf("page contains unescaped %q:\n%s", bad, resp.Body)
			}
		}
		for _, s := range []string{"&lt;script&gt;alert(&#34;s&#34;)&lt;/script&gt;", "&lt;b&gt;bold&lt;/b&gt; &amp; co", "Invoice PX-&lt;i&gt;1&lt;/i&gt;"} {
			if !strings.Contains(resp.Body, s) {
				t.Errorf("page lacks escaped %q:\n%s", s, resp.Body)
			}
		}
	})
}

func TestConfirm(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		f := newFixture(t, invoiceEN())
		req := request(t, http.MethodPost, f.payLink("doc-en"))
		req.Headers = map[string]string{"content-type": "application/x-www-form-urlencoded"}
		for i := 0; i < 2; i++ {
			resp := f.do(t, req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("POST %d: status = %d; body %s", i+1, resp.StatusCode, resp.Body)
			}
			checkPageHeaders(t, resp)
			for _, s := range []string{"Thank you: invoice PX-2026-0001 is marked paid.", "Reminders to the client stop."} {
				if !strings.Contains(resp.Body, s) {
					t.Errorf("POST %d: page lacks %q:\n%s", i+1, s, resp.Body)
				}
			}
		}
		got := f.store.appended()
		if len(got) != 1 {
			t.Fatalf("%d events appended, want 1", len(got))
		}
		want := glassbox.Event{ID: "link:paid:doc-en", ProjectID: "acme-app", Provider: "link", ProviderEventID: "paid:doc-en",
			Kind: glassbox.EventPaymentConfirmed, ProviderType: "payment_link", DocumentID: "doc-en", Title: "PX-2026-0001",
			Actor: "accountant", OccurredAt: t0, ReceivedAt: t0}
		if !eventsEqual(got[0], want) {
			t.Errorf("event = %+v\nwant    %+v", got[0], want)
		}
	})
	t.Run("OKRussian", func(t *testing.T) {
		f := newFixture(t, invoiceRU())
		resp := f.do(t, request(t, http.MethodPost, f.payLink("doc-ru")))
		if !strings.Contains(resp.Body, "Спасибо: счёт ПК-2026-0015 отмечен оплаченным.") {
			t.Errorf("page:\n%s", resp.Body)
		}
	})
	t.Run("OKAlreadyPaidAppendsNothing", func(t *testing.T) {
		doc := invoiceEN()
		doc.State, doc.PaidAt, doc.PaidBy = glassbox.DocumentPaid, t0, "hubspot"
		f := newFixture(t, doc)
		resp := f.do(t, request(t, http.MethodPost, f.payLink("doc-en")))
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "is marked paid") {
			t.Errorf("status %d, page:\n%s", resp.StatusCode, resp.Body)
		}
		if n := len(f.store.appended()); n != 0 {
			t.Errorf("%d events appended for a paid invoice", n)
		}
	})
	t.Run("ErrVoid", func(t *testing.T) {
		doc := invoiceEN()
		doc.State = glassbox.DocumentVoid
		f := newFixture(t, doc)
		resp := f.do(t, request(t, http.MethodPost, f.payLink("doc-en")))
		if resp.StatusCode != http.StatusConflict {
			t.Errorf("status = %d, want 409", resp.StatusCode)
		}
		if n := len(f.store.appended()); n != 0 {
			t.Errorf("%d events appended for a void invoice", n)
		}
	})
}

func eventsEqual(a, b glassbox.Event) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func TestRefused(t *testing.T) {
	t.Parallel()
	act := invoiceRU()
	act.ID, act.Kind, act.Number = "act-ru", glassbox.DocumentAct, "ПК-2026-0007"
	s := mustSigner(t, demoKey)
	_, goodExp, goodSig := parts(t, s.URL("", linksign.ActionPay, "doc-ru", exp))
	_, oldExp, oldSig := parts(t, s.URL("", linksign.ActionPay, "doc-ru", t0.Add(-time.Second)))
	forged := mustSigner(t, strings.Repeat("k", 32)).URL("https://links.example", linksign.ActionPay, "doc-ru", exp)

	tests := []struct {
		name   string
		method string
		link   string
		status int
		says   string
	}{
		{"ErrBadSig", http.MethodGet, forged, http.StatusForbidden, "This link is not valid"},
		{"ErrBadSigPost", http.MethodPost, forged, http.StatusForbidden, "This link is not valid"},
		{"ErrNoSig", http.MethodPost, "https://links.example/pay/doc-ru", http.StatusForbidden, "This link is not valid"},
		{"ErrOtherDoc", http.MethodPost, "https://links.example/pay/doc-en?exp=" + goodExp + "&sig=" + goodSig, http.StatusForbidden, "not valid"},
		{"ErrExpired", http.MethodGet, "https://links.example/pay/doc-ru?exp=" + oldExp + "&sig=" + oldSig, http.StatusForbidden, "This link has expired; ask the manager for a new one."},
		{"ErrExpiredPost", http.MethodPost, "https://links.example/pay/doc-ru?exp=" + oldExp + "&sig=" + oldSig, http.StatusForbidden, "Срок действия ссылки истёк"},
		{"ErrDocumentLinkOnPay", http.MethodPost, strings.Replace(s.URL("https://links.example", linksign.ActionDocument, "doc-ru", exp), "/documents/", "/pay/", 1), http.StatusForbidden, "not valid"},
		{"ErrPayLinkOnDocuments", http.MethodGet, strings.Replace(s.URL("https://links.example", linksign.ActionPay, "doc-ru", exp), "/pay/", "/documents/", 1), http.StatusForbidden, "not valid"},
		{"ErrUnknownDoc", http.MethodGet, s.URL("https://links.example", linksign.ActionPay, "doc-nope", exp), http.StatusNotFound, "There is no such invoice or document."},
		{"ErrUnknownDocPost", http.MethodPost, s.URL("https://links.example", linksign.ActionPay, "doc-nope", exp), http.StatusNotFound, "no such"},
		{"ErrActViaPay", http.MethodGet, s.URL("https://links.example", linksign.ActionPay, "act-ru", exp), http.StatusNotFound, "no such"},
		{"ErrActViaPayPost", http.MethodPost, s.URL("https://links.example", linksign.ActionPay, "act-ru", exp), http.StatusNotFound, "no such"},
		{"ErrUnknownRoute", http.MethodGet, "https://links.example/refund/doc-ru?exp=" + goodExp + "&sig=" + goodSig, http.StatusNotFound, "no such"},
		{"ErrNoDoc", http.MethodGet, "https://links.example/pay/", http.StatusNotFound, "no such"},
		{"ErrMethod", http.MethodPut, s.URL("https://links.example", linksign.ActionPay, "doc-ru", exp), http.StatusMethodNotAllowed, "cannot be opened that way"},
		{"ErrMethodDelete", http.MethodDelete, s.URL("https://links.example", linksign.ActionPay, "doc-ru", exp), http.StatusMethodNotAllowed, "cannot be opened"},
		{"ErrPostDocument", http.MethodPost, s.URL("https://links.example", linksign.ActionDocument, "doc-ru", exp), http.StatusMethodNotAllowed, "cannot be opened"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, invoiceRU(), invoiceEN(), act)
			f.store.pdfs["doc-ru"] = []byte("%PDF-1.7 ru")
			req := request(t, tt.method, tt.link)
			if tt.name == "ErrNoDoc" {
				req.PathParameters = nil
			}
			resp := f.do(t, req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.status, resp.Body)
			}
			checkPageHeaders(t, resp)
			if !strings.Contains(resp.Body, tt.says) {
				t.Errorf("page lacks %q:\n%s", tt.says, resp.Body)
			}
			if tt.status == http.StatusMethodNotAllowed && resp.Headers["Allow"] == "" {
				t.Error("405 without an Allow header")
			}
			if n := len(f.store.appended()); n != 0 {
				t.Errorf("%d events appended by a refused request", n)
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	t.Parallel()
	f := newFixture(t, invoiceRU())
	req := request(t, http.MethodPost, f.payLink("doc-ru"))
	req.Body = strings.Repeat("a", links.MaxBodyBytes+1)
	if resp := f.do(t, req); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", resp.StatusCode)
	}
	req.Body = strings.Repeat("a", links.MaxBodyBytes)
	if resp := f.do(t, req); resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d for a body of exactly the limit, want 200", resp.StatusCode)
	}
}

func TestDownload(t *testing.T) {
	t.Parallel()
	pdf := append([]byte("%PDF-1.7\n"), 0, 0xff, 0xfe, '\n', 0x80, 0x81)
	sum := sha256.Sum256(pdf)
	act := invoiceEN()
	act.ID, act.Kind, act.Number, act.State = "act-en", glassbox.DocumentAct, "PX-2026-0002", glassbox.DocumentIssued
	ru := invoiceRU()
	ru.PDFSHA256 = hex.EncodeToString(sum[:])
	voided := invoiceEN()
	voided.ID, voided.State = "doc-void", glassbox.DocumentVoid
	tests := []struct {
		doc         glassbox.Document
		disposition string
	}{
		{ru, `attachment; filename="Schet PK-2026-0015.pdf"; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82%20%D0%9F%D0%9A-2026-0015.pdf`},
		{invoiceEN(), `attachment; filename="Invoice PX-2026-0001.pdf"; filename*=UTF-8''Invoice%20PX-2026-0001.pdf`},
		{act, `attachment; filename="Act PX-2026-0002.pdf"; filename*=UTF-8''Act%20PX-2026-0002.pdf`},
		// A void document is still downloadable as it was issued.
		{voided, `attachment; filename="Invoice PX-2026-0001.pdf"; filename*=UTF-8''Invoice%20PX-2026-0001.pdf`},
	}
	for _, tt := range tests {
		t.Run(tt.doc.ID, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.doc)
			f.store.pdfs[tt.doc.ID] = pdf
			resp := f.do(t, request(t, http.MethodGet, f.docLink(tt.doc.ID)))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d; body %s", resp.StatusCode, resp.Body)
			}
			if !resp.IsBase64Encoded {
				t.Error("IsBase64Encoded = false")
			}
			got, err := base64.StdEncoding.DecodeString(resp.Body)
			if err != nil || !bytes.Equal(got, pdf) {
				t.Errorf("body = %q (%v), want the stored bytes", got, err)
			}
			for k, v := range map[string]string{"Content-Type": "application/pdf", "Content-Disposition": tt.disposition,
				"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
				"X-Robots-Tag": "noindex, nofollow"} {
				if resp.Headers[k] != v {
					t.Errorf("header %s = %q, want %q", k, resp.Headers[k], v)
				}
			}
			if n := len(f.store.appended()); n != 0 {
				t.Errorf("download appended %d events", n)
			}
		})
	}
	t.Run("RussianFileNameDecodes", func(t *testing.T) {
		f := newFixture(t, ru)
		f.store.pdfs[ru.ID] = pdf
		resp := f.do(t, request(t, http.MethodGet, f.docLink(ru.ID)))
		_, enc, _ := strings.Cut(resp.Headers["Content-Disposition"], "filename*=UTF-8''")
		if name, err := url.PathUnescape(enc); err != nil || name != "Счёт ПК-2026-0015.pdf" {
			t.Errorf("filename* = %q (%v)", name, err)
		}
	})
	t.Run("ErrNoPDF", func(t *testing.T) {
		f := newFixture(t, invoiceEN())
		if resp := f.do(t, request(t, http.MethodGet, f.docLink("doc-en"))); resp.StatusCode != http.StatusNotFound {
			t.Errorf("status = %d, want 404", resp.StatusCode)
		}
	})
	t.Run("ErrHashMismatch", func(t *testing.T) {
		f := newFixture(t, ru)
		f.store.pdfs[ru.ID] = []byte("%PDF-1.7 something else")
		if resp := f.do(t, request(t, http.MethodGet, f.docLink(ru.ID))); resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", resp.StatusCode)
		}
	})
}

func TestKeyAndStoreFailures(t *testing.T) {
	t.Parallel()
	t.Run("ErrNoKeyParameter", func(t *testing.T) {
		f := newFixture(t, invoiceRU())
		f.keys.vals = map[string]string{}
		resp := f.do(t, request(t, http.MethodPost, f.payLink("doc-ru")))
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("status = %d, want 500", resp.StatusCode)
		}
		if !strings.Contains(f.logs.String(), keyParam) {
			t.Errorf("logs do not name the missing parameter:\n%s", f.logs)
		}
		if n := len(f.store.appended()); n != 0 {
			t.Errorf("%d events appended without a key", n)
		}
		// Created later, the key works without a restart.
		f.keys.vals[keyParam] = demoKey
		if resp := f.do(t, request(t, http.MethodGet, f.payLink("doc-ru"))); resp.StatusCode != http.StatusOK {
			t.Errorf("status after the key appeared = %d, want 200", resp.StatusCode)
		}
	})
	t.Run("ErrShortKey", func(t *testing.T) {
		f := newFixture(t, invoiceRU())
		f.keys.vals[keyParam] = "short-secret-value"
		resp := f.do(t, request(t, http.MethodGet, f.payLink("doc-ru")))
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("status = %d, want 500", resp.StatusCode)
		}
		if strings.Contains(f.logs.String(), "short-secret-value") || strings.Contains(resp.Body, "short-secret-value") {
			t.Error("the key leaked into the logs or the page")
		}
	})
	t.Run("ErrNoKeyParamConfigured", func(t *testing.T) {
		h := links.NewHandler(newMemStore(invoiceRU()), &keys{}, fixedClock{t0}, links.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
		resp, _ := h.Handle(context.Background(), request(t, http.MethodGet, mustSigner(t, demoKey).URL("https://l.example", linksign.ActionPay, "doc-ru", exp)))
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", resp.StatusCode)
		}
	})
	t.Run("KeyReadOnce", func(t *testing.T) {
		f := newFixture(t, invoiceRU())
		for i := 0; i < 3; i++ {
			f.do(t, request(t, http.MethodGet, f.payLink("doc-ru")))
		}
		if f.keys.reads != 1 {
			t.Errorf("key read %d times, want 1", f.keys.reads)
		}
	})
	t.Run("ErrStore", func(t *testing.T) {
		f := newFixture(t, invoiceRU())
		f.store.err = errors.New("dynamodb: throttled secret-internal-detail")
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			resp := f.do(t, request(t, m, f.payLink("doc-ru")))
			if resp.StatusCode != http.StatusInternalServerError {
				t.Errorf("%s: status = %d, want 500", m, resp.StatusCode)
			}
			if strings.Contains(resp.Body, "secret-internal-detail") {
				t.Errorf("%s: page shows the store's error", m)
			}
		}
		if !strings.Contains(f.logs.String(), "throttled") {
			t.Errorf("store error not logged:\n%s", f.logs)
		}
	})
	t.Run("ErrAppend", func(t *testing.T) {
		f := newFixture(t, invoiceRU())
		store := &failingAppend{memStore: f.store}
		h := links.NewHandler(store, f.keys, fixedClock{t0}, links.Options{KeyParam: keyParam, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
		resp, _ := h.Handle(context.Background(), request(t, http.MethodPost, f.payLink("doc-ru")))
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", resp.StatusCode)
		}
	})
}

type failingAppend struct{ *memStore }

func (failingAppend) AppendEvent(context.Context, glassbox.Event) error {
	return errors.New("write failed")
}

func TestLogs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, invoiceRU())
	link := f.payLink("doc-ru")
	_, _, sig := parts(t, link)
	f.do(t, request(t, http.MethodGet, link))
	f.do(t, request(t, http.MethodPost, link))
	f.do(t, request(t, http.MethodPost, strings.Replace(link, "doc-ru", "doc-xx", 1)))
	logs := f.logs.String()
	if strings.Contains(logs, sig) {
		t.Errorf("logs contain the signature:\n%s", logs)
	}
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	if len(lines) < 3 {
		t.Fatalf("%d log lines, want at least 3:\n%s", len(lines), logs)
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", l)
		}
		for _, k := range []string{"request_id", "route", "doc_id"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line lacks %s: %s", k, l)
			}
		}
	}
	if !strings.Contains(logs, `"event_id":"link:paid:doc-ru"`) {
		t.Errorf("confirmation not logged with its event id:\n%s", logs)
	}
}

// TestRouteFromRawPath covers requests without path parameters and with a stage in front of the path.
func TestRouteFromRawPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t, invoiceRU())
	req := request(t, http.MethodGet, f.payLink("doc-ru"))
	req.PathParameters = nil
	req.RawPath = "/prod/pay/doc-ru"
	if resp := f.do(t, req); resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
}

// TestDevServer mounts the handler as glassbox dev does and follows the page's form like a browser would.
func TestDevServer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, invoiceRU())
	f.store.pdfs["doc-ru"] = []byte("%PDF-1.7 \x00\xff")
	mux := http.NewServeMux()
	mux.Handle("/pay/{doc}", httpapi.Handler(f.h.Handle, []string{"doc"}, links.MaxBodyBytes))
	mux.Handle("/documents/{doc}", httpapi.Handler(f.h.Handle, []string{"doc"}, links.MaxBodyBytes))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	pageURL := f.signer.URL(srv.URL, linksign.ActionPay, "doc-ru", exp)
	res, err := http.Get(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET status = %d", res.StatusCode)
	}
	m := regexp.MustCompile(`<form method="post" action="([^"]*)">`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no form on the page:\n%s", body)
	}
	base, _ := url.Parse(pageURL)
	action, err := base.Parse(strings.ReplaceAll(string(m[1]), "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	if action.String() != pageURL {
		t.Errorf("form posts to %s, want the page's own URL %s", action, pageURL)
	}
	res, err = http.PostForm(action.String(), url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("POST status = %d", res.StatusCode)
	}
	if n := len(f.store.appended()); n != 1 {
		t.Errorf("%d events appended, want 1", n)
	}

	res, err = http.Get(f.signer.URL(srv.URL, linksign.ActionDocument, "doc-ru", exp))
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(pdf) != "%PDF-1.7 \x00\xff" || res.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("download = %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), pdf)
	}
}

// TestSampleEvents keeps events/link-*.json honest: signed with the demo key for sampleDocID, never expiring.
func TestSampleEvents(t *testing.T) {
	t.Parallel()
	doc := invoiceRU()
	doc.ID, doc.Number = sampleDocID, "ПК-2026-0001"
	f := newFixture(t, doc)
	f.store.pdfs[sampleDocID] = []byte("%PDF-1.7 sample")
	load := func(name string) events.APIGatewayV2HTTPRequest {
		data, err := os.ReadFile(filepath.Join("..", "..", "events", name))
		if err != nil {
			t.Fatal(err)
		}
		var req events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(data, &req); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return req
	}
	if resp := f.do(t, load("link-pay-get.json")); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "<form") {
		t.Errorf("link-pay-get.json: %d\n%s", resp.StatusCode, resp.Body)
	}
	if resp := f.do(t, load("link-pay-post.json")); resp.StatusCode != http.StatusOK || len(f.store.appended()) != 1 {
		t.Errorf("link-pay-post.json: %d, %d events\n%s", resp.StatusCode, len(f.store.appended()), resp.Body)
	}
	if resp := f.do(t, load("link-document-get.json")); resp.StatusCode != http.StatusOK || !resp.IsBase64Encoded {
		t.Errorf("link-document-get.json: %d", resp.StatusCode)
	}
}
