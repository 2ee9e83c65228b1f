package links_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/billing"
	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/links"
	"github.com/glassbox-oss/glassbox/shared/localstore"
)

// The link maker the schedule hands to digest.New has digest.UnsubscribeURL's type.
var _ digest.UnsubscribeURL = (&billing.Links{}).UnsubscribeURL

type keyMap map[string]string

func (k keyMap) Secret(_ context.Context, name string) (string, error) {
	if v, ok := k[name]; ok {
		return v, nil
	}
	return "", glassbox.ErrNotFound
}

// sentMail records what the courier sends.
type sentMail struct {
	mu   sync.Mutex
	sent []glassbox.RawEmail
}

func (m *sentMail) Send(_ context.Context, e glassbox.RawEmail) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, e)
	return "ses-id", nil
}

func (m *sentMail) count() int { m.mu.Lock(); defer m.mu.Unlock(); return len(m.sent) }

var unsubConfig = glassbox.Config{
	Agency: glassbox.Agency{Name: "Пиксель", Sender: "Пиксель <robot@pixel.example>", Locale: "ru", TimeZone: "Europe/Moscow"},
	Clients: []glassbox.Client{{ID: "romashka", Name: "Ромашка",
		Contacts: []glassbox.Person{{Name: "Анна", Email: "anna@romashka.example"}}}},
	Projects: []glassbox.Project{
		{ID: "site", ClientID: "romashka", Name: `Сайт <b>"Ромашки"</b>`, Manager: glassbox.Person{Name: "Мария", Email: "maria@pixel.example"}},
		{ID: "app", ClientID: "romashka", Name: "App", Locale: "en", Manager: glassbox.Person{Name: "John", Email: "john@pixel.example"}},
	},
}

type unsubHarness struct {
	t     *testing.T
	store *localstore.Store
	mail  *sentMail
	h     *links.Handler
	links *billing.Links
}

func newUnsubHarness(t *testing.T) *unsubHarness {
	t.Helper()
	store, err := localstore.Open(filepath.Join(t.TempDir(), "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.PutConfig(t.Context(), unsubConfig); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mail := &sentMail{}
	k := keyMap{keyParam: demoKey}
	c := courier.New(store, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: mail}}, fixedClock{t0}, 0, quiet)
	h := links.NewHandler(store, k, fixedClock{t0}, links.Options{KeyParam: keyParam, Logger: quiet}).WithUnsubscribe(store, c)
	return &unsubHarness{t: t, store: store, mail: mail, h: h,
		links: &billing.Links{Secrets: k, KeyParam: keyParam, PublicBaseURL: "https://links.example"}}
}

// link is the unsubscribe link of a report to a recipient, as the schedule makes it.
func (u *unsubHarness) link(project, recipient, messageID string) string {
	u.t.Helper()
	link, err := u.links.UnsubscribeURL(u.t.Context(), unsubConfig, project, recipient, messageID)
	if err != nil {
		u.t.Fatal(err)
	}
	return link
}

func (u *unsubHarness) do(method, link, body string) events.APIGatewayV2HTTPResponse {
	u.t.Helper()
	path := strings.TrimPrefix(link, "https://links.example")
	req := events.APIGatewayV2HTTPRequest{
		RawPath:        path,
		PathParameters: map[string]string{"token": strings.TrimPrefix(path, "/u/")},
		Headers:        map[string]string{"content-type": "application/x-www-form-urlencoded"},
		Body:           body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path}},
	}
	resp, err := u.h.Handle(u.t.Context(), req)
	if err != nil {
		u.t.Fatal(err)
	}
	return resp
}

func (u *unsubHarness) unsubscriptions() []glassbox.Unsubscription {
	u.t.Helper()
	n, err := u.store.DeliveryNotes(u.t.Context())
	if err != nil {
		u.t.Fatal(err)
	}
	return n.Unsubscriptions
}

// GET shows the page and changes nothing; POST records the unsubscription once and tells the manager once,
// however often it is posted; the link opened afterwards says it is done.
func TestUnsubscribeLink(t *testing.T) {
	u := newUnsubHarness(t)
	link := u.link("site", "Anna@Romashka.example", "4f1c0d2e9a8b7c6d5e4f3a2b1c0d9e8f")
	if !strings.HasPrefix(link, "https://links.example/u/") {
		t.Fatalf("link %s, want {base}/u/{token}", link)
	}

	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodGet} {
		resp := u.do(method, link, "")
		if resp.StatusCode != http.StatusOK || resp.Headers["Cache-Control"] != "no-store" {
			t.Fatalf("%s: %d %v", method, resp.StatusCode, resp.Headers)
		}
		if method == http.MethodGet {
			for _, want := range []string{`<form method="post"`, "Отписаться", "anna@romashka.example", `Сайт &lt;b&gt;&#34;Ромашки&#34;&lt;/b&gt;`, `name="List-Unsubscribe" value="One-Click"`} {
				if !strings.Contains(resp.Body, want) {
					t.Errorf("GET page lacks %q:\n%s", want, resp.Body)
				}
			}
			if strings.Contains(resp.Body, "<b>") {
				t.Errorf("GET page has the project's markup unescaped:\n%s", resp.Body)
			}
		}
	}
	if n := len(u.unsubscriptions()); n != 0 || u.mail.count() != 0 {
		t.Fatalf("after GET and HEAD: %d unsubscriptions, %d emails; want none", n, u.mail.count())
	}

	for i := range 2 {
		resp := u.do(http.MethodPost, link, "List-Unsubscribe=One-Click")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "больше не будут приходить") {
			t.Fatalf("POST %d: %d %s", i+1, resp.StatusCode, resp.Body)
		}
	}
	subs := u.unsubscriptions()
	if len(subs) != 1 || subs[0].ProjectID != "site" || subs[0].Recipient != "anna@romashka.example" ||
		subs[0].MessageID != "4f1c0d2e9a8b7c6d5e4f3a2b1c0d9e8f" || !subs[0].At.Equal(t0) {
		t.Fatalf("unsubscriptions %+v; want anna's of site once", subs)
	}
	if u.mail.count() != 1 {
		t.Fatalf("%d emails to the manager, want 1", u.mail.count())
	}
	sent := string(u.mail.sent[0].Data)
	if to := u.mail.sent[0].To; len(to) != 1 || to[0] != "maria@pixel.example" || !strings.Contains(sent, "anna@romashka.example") {
		t.Fatalf("notice to %v:\n%s", to, sent)
	}

	// The link from another report, while unsubscribed: the same answer, no second notice.
	other := u.link("site", "anna@romashka.example", "00000000000000000000000000000001")
	if resp := u.do(http.MethodPost, other, "List-Unsubscribe=One-Click"); resp.StatusCode != http.StatusOK {
		t.Fatalf("POST of another report's link: %d", resp.StatusCode)
	}
	if resp := u.do(http.MethodGet, link, ""); !strings.Contains(resp.Body, "больше не будут приходить") || strings.Contains(resp.Body, "<form") {
		t.Errorf("GET after unsubscribing shows no done page:\n%s", resp.Body)
	}
	if n := len(u.unsubscriptions()); n != 1 || u.mail.count() != 1 {
		t.Fatalf("%d unsubscriptions, %d emails; want 1 and 1", n, u.mail.count())
	}

	// The manager switches them back on; the store forgets the unsubscription.
	if err := u.store.Resubscribe(t.Context(), "site", "ANNA@romashka.example"); err != nil {
		t.Fatal(err)
	}
	if resp := u.do(http.MethodGet, link, ""); !strings.Contains(resp.Body, "<form") {
		t.Errorf("GET after resubscribing shows no button:\n%s", resp.Body)
	}
}

// An English project's page is in English.
func TestUnsubscribePageEnglish(t *testing.T) {
	u := newUnsubHarness(t)
	resp := u.do(http.MethodGet, u.link("app", "anna@romashka.example", "m1"), "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `lang="en"`) || !strings.Contains(resp.Body, "Unsubscribe") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
}

// A forged, altered, foreign or unknown link is not found, and nothing changes.
func TestUnsubscribeBadLinks(t *testing.T) {
	u := newUnsubHarness(t)
	good := u.link("site", "anna@romashka.example", "m1")
	token := strings.TrimPrefix(good, "https://links.example/u/")
	dot := strings.LastIndex(token, ".")
	foreign := &billing.Links{Secrets: keyMap{keyParam: "another key of at least thirty-two bytes"}, KeyParam: keyParam, PublicBaseURL: "https://links.example"}
	foreignLink, _ := foreign.UnsubscribeURL(t.Context(), unsubConfig, "site", "anna@romashka.example", "m1")
	for name, link := range map[string]string{
		"Forged":         "https://links.example/u/" + token[:dot+1] + strings.Repeat("A", 22),
		"OtherKey":       foreignLink,
		"Garbage":        "https://links.example/u/not-a-token",
		"UnknownProject": u.link("gone", "anna@romashka.example", "m1"),
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			if resp := u.do(method, link, "List-Unsubscribe=One-Click"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", name, method, resp.StatusCode)
			}
		}
	}
	if n := len(u.unsubscriptions()); n != 0 || u.mail.count() != 0 {
		t.Fatalf("%d unsubscriptions, %d emails after bad links; want none", n, u.mail.count())
	}

	// A handler not given the unsubscribe store serves no unsubscribe links.
	plain := links.NewHandler(u.store, keyMap{keyParam: demoKey}, fixedClock{t0}, links.Options{KeyParam: keyParam, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	path := strings.TrimPrefix(good, "https://links.example")
	resp, _ := plain.Handle(t.Context(), events.APIGatewayV2HTTPRequest{RawPath: path,
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost}}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("without WithUnsubscribe: %d, want 404", resp.StatusCode)
	}
}

// TestUnsubscribeSampleEvents keeps events/link-unsubscribe-*.json honest: a link of the demo project signed with
// the demo key, which GET shows and the mail program's one-click POST records.
func TestUnsubscribeSampleEvents(t *testing.T) {
	u := newUnsubHarness(t)
	cfg := unsubConfig
	cfg.Projects = append([]glassbox.Project{{ID: "romashka-site", ClientID: "romashka", Name: "Новый сайт",
		Manager: glassbox.Person{Name: "Мария", Email: "maria@pixel.example"}}}, cfg.Projects...)
	if err := u.store.PutConfig(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
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
	resp, err := u.h.Handle(t.Context(), load("link-unsubscribe-get.json"))
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "<form") || len(u.unsubscriptions()) != 0 {
		t.Fatalf("link-unsubscribe-get.json: %v %d, %d unsubscriptions\n%s", err, resp.StatusCode, len(u.unsubscriptions()), resp.Body)
	}
	resp, err = u.h.Handle(t.Context(), load("link-unsubscribe-post.json"))
	if subs := u.unsubscriptions(); err != nil || resp.StatusCode != http.StatusOK || len(subs) != 1 ||
		subs[0].ProjectID != "romashka-site" || subs[0].Recipient != "anna@romashka.example" || u.mail.count() != 1 {
		t.Fatalf("link-unsubscribe-post.json: %v %d, unsubscriptions %+v, %d emails", err, resp.StatusCode, subs, u.mail.count())
	}
}
