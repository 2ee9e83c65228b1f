package links_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/links"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/localstore"
)

type feedbackHarness struct {
	t      *testing.T
	store  *localstore.Store
	h      *links.Handler
	signer *linksign.Signer
}

func newFeedbackHarness(t *testing.T) *feedbackHarness {
	t.Helper()
	store, err := localstore.Open(filepath.Join(t.TempDir(), "glassbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ctx := t.Context()
	if err := store.PutConfig(ctx, unsubConfig); err != nil {
		t.Fatal(err)
	}
	task := glassbox.Task{ProjectID: "site", Provider: "trello", TaskID: "c1", Version: 1, Title: `Макет <главной> & "меню"`,
		URL: "https://trello.com/c/c1", Status: glassbox.StatusDone}
	if err := store.PutTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := courier.New(store, courier.Senders{glassbox.ChannelEmail: courier.Email{Mailer: &sentMail{}}}, fixedClock{t0}, 0, quiet)
	h := links.NewHandler(store, keyMap{keyParam: demoKey}, fixedClock{t0}, links.Options{KeyParam: keyParam, Logger: quiet}).WithFeedback(store, c)
	s, _ := linksign.NewSigner([]byte(demoKey))
	return &feedbackHarness{t: t, store: store, h: h, signer: s}
}

func (f *feedbackHarness) approval(project string, d linksign.Decision, messageID string) string {
	return strings.TrimPrefix(f.signer.ApprovalURL("https://links.example", linksign.Approval{ProjectID: project, Provider: "trello", TaskID: "c1", MessageID: messageID, Decision: d}), "https://links.example")
}

func (f *feedbackHarness) rating(project string, score int) string {
	return strings.TrimPrefix(f.signer.RatingURL("https://links.example", linksign.Rating{ProjectID: project, MessageID: "digest-1", Score: score}), "https://links.example")
}

func (f *feedbackHarness) do(method, path string, form url.Values) events.APIGatewayV2HTTPResponse {
	f.t.Helper()
	req := events.APIGatewayV2HTTPRequest{
		RawPath:        path,
		PathParameters: map[string]string{"token": path[strings.LastIndex(path, "/")+1:]},
		Body:           form.Encode(),
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path}},
	}
	resp, err := f.h.Handle(f.t.Context(), req)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp
}

func (f *feedbackHarness) items(project string) []glassbox.Feedback {
	f.t.Helper()
	got, err := f.store.FeedbackBetween(f.t.Context(), project, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

func (f *feedbackHarness) managerNotices(project string) []glassbox.Message {
	f.t.Helper()
	ms, err := f.store.MessagesBetween(f.t.Context(), project, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		f.t.Fatal(err)
	}
	for _, m := range ms {
		if m.Audience != glassbox.AudienceManager || m.Kind != glassbox.MessageClientFeedback {
			f.t.Errorf("a feedback link sent %s to %s", m.Kind, m.Audience)
		}
	}
	return ms
}

// GET shows the task and a form and changes nothing; POST records the decision with its comment once and tells
// the manager once however often it is posted; the other decision of the same notice is a new item; the client
// is thanked and told the manager will get back to them.
func TestApprovalLink(t *testing.T) {
	f := newFeedbackHarness(t)
	changes := f.approval("site", linksign.DecisionChanges, "m1")
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodGet} {
		resp := f.do(method, changes, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", method, resp.StatusCode, resp.Body)
		}
		if method == http.MethodGet {
			for _, want := range []string{`<form method="post"`, `<textarea name="comment"`, "Есть правки", `Макет &lt;главной&gt; &amp; &#34;меню&#34;`, `lang="ru"`} {
				if !strings.Contains(resp.Body, want) {
					t.Errorf("GET page lacks %q:\n%s", want, resp.Body)
				}
			}
		}
	}
	if got := f.items("site"); len(got) != 0 {
		t.Fatalf("GET recorded %+v", got)
	}
	if got := f.managerNotices("site"); len(got) != 0 {
		t.Fatalf("GET told the manager: %+v", got)
	}

	for i := 0; i < 2; i++ {
		resp := f.do(http.MethodPost, changes, url.Values{"comment": {"Кнопку <синей>, пожалуйста"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "Менеджер проекта свяжется с вами") {
			t.Fatalf("POST %d: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	got := f.items("site")
	if len(got) != 1 || got[0].Kind != glassbox.FeedbackChangesRequested || got[0].Comment != "Кнопку <синей>, пожалуйста" ||
		got[0].TaskID != "c1" || got[0].MessageID != "m1" || got[0].Title != `Макет <главной> & "меню"` || !got[0].At.Equal(t0) {
		t.Fatalf("after two posts: %+v; want one changes_requested item with the comment", got)
	}
	notices := f.managerNotices("site")
	if len(notices) != 1 || !strings.HasPrefix(notices[0].Subject, "Срочно: есть правки") || !strings.Contains(notices[0].Text, "Кнопку <синей>") {
		t.Fatalf("manager notices %+v; want one urgent notice with the comment", notices)
	}
	if resp := f.do(http.MethodGet, changes, nil); !strings.Contains(resp.Body, "Менеджер проекта свяжется с вами") {
		t.Errorf("the link opened after posting: %s", resp.Body)
	}
	// The page was open twice (the email's and the Telegram copy's link) and the second says more: that is not
	// dropped while the page says it went to the manager. It is a follow-up item the manager hears of, once.
	for i := 0; i < 2; i++ {
		if resp := f.do(http.MethodPost, changes, url.Values{"comment": {"И шрифт крупнее"}}); resp.StatusCode != http.StatusOK {
			t.Fatalf("POST with more to say %d: %d %s", i, resp.StatusCode, resp.Body)
		}
	}
	if got := f.items("site"); len(got) != 2 || got[0].Kind != got[1].Kind || got[0].Comment+got[1].Comment != "Кнопку <синей>, пожалуйстаИ шрифт крупнее" &&
		got[1].Comment+got[0].Comment != "Кнопку <синей>, пожалуйстаИ шрифт крупнее" {
		t.Fatalf("after a post with more to say: %+v; want the first item and a follow-up with the new comment", got)
	}
	if notices := f.managerNotices("site"); len(notices) != 2 {
		t.Fatalf("after a post with more to say, %d manager notices, want 2", len(notices))
	}

	// The client accepts later, from the same notice: a new item, and the manager hears of it.
	if resp := f.do(http.MethodPost, f.approval("site", linksign.DecisionAccept, "m1"), nil); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "Работа принята") {
		t.Fatalf("accept: %d %s", resp.StatusCode, resp.Body)
	}
	kinds := map[glassbox.FeedbackKind]int{}
	for _, it := range f.items("site") {
		kinds[it.Kind]++
	}
	if kinds[glassbox.FeedbackAccepted] != 1 || kinds[glassbox.FeedbackChangesRequested] != 2 {
		t.Fatalf("after accepting: %v; want the acceptance beside the two change requests", kinds)
	}
	if got := f.managerNotices("site"); len(got) != 3 {
		t.Fatalf("after accepting, %d manager notices, want 3", len(got))
	}
}

// A rating link's page preselects its score; POST records the score chosen on the page; 3 or lower reaches the
// manager at once, higher is only recorded.
func TestRatingLink(t *testing.T) {
	f := newFeedbackHarness(t)
	two := f.rating("site", 2)
	resp := f.do(http.MethodGet, two, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `value="2" checked`) || strings.Contains(resp.Body, `value="3" checked`) {
		t.Fatalf("GET: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := f.do(http.MethodPost, f.rating("site", 5), url.Values{"score": {"5"}}); resp.StatusCode != http.StatusOK ||
		!strings.Contains(resp.Body, "<h1>Спасибо за оценку!</h1>") {
		t.Fatalf("POST 5: %d %s", resp.StatusCode, resp.Body)
	}
	if got := f.managerNotices("site"); len(got) != 0 {
		t.Fatalf("a rating of 5 told the manager: %+v", got)
	}
	if resp := f.do(http.MethodPost, two, url.Values{"score": {"3"}, "comment": {"медленно"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("POST 2→3: %d %s", resp.StatusCode, resp.Body)
	}
	// Every post is at the harness's one instant, so items come in id order: compared by score.
	byScore := func() map[int]glassbox.Feedback {
		m := map[int]glassbox.Feedback{}
		for _, it := range f.items("site") {
			m[it.Score] = it
		}
		return m
	}
	got := byScore()
	if len(got) != 2 || got[5].Comment != "" || got[3].Comment != "медленно" {
		t.Fatalf("ratings %+v; want 5, and 3 with the comment", got)
	}
	if notices := f.managerNotices("site"); len(notices) != 1 || !strings.Contains(notices[0].Subject, "3 из 5") {
		t.Fatalf("manager notices %+v; want one for the 3", notices)
	}
	// Back on the page of the 5 (the browser's back button), the client lowers it to 1: a new rating, and the
	// manager hears of it, rather than "recorded already" and the 1 lost.
	if resp := f.do(http.MethodPost, f.rating("site", 5), url.Values{"score": {"1"}, "comment": {"передумал"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("POST 5→1: %d %s", resp.StatusCode, resp.Body)
	}
	if got := byScore(); len(got) != 3 || got[1].Comment != "передумал" {
		t.Fatalf("ratings %+v; want 5, 3, and 1 with the comment", got)
	}
	if notices := f.managerNotices("site"); len(notices) != 2 {
		t.Fatalf("manager notices %+v; want the 3 and the 1", notices)
	}
}

// English projects get English pages; a comment is kept to its bound.
func TestFeedbackPageEnglishAndBoundedComment(t *testing.T) {
	f := newFeedbackHarness(t)
	link := f.approval("app", linksign.DecisionChanges, "m2")
	if resp := f.do(http.MethodGet, link, nil); !strings.Contains(resp.Body, `lang="en"`) || !strings.Contains(resp.Body, "Request changes") {
		t.Fatalf("English page: %s", resp.Body)
	}
	f.do(http.MethodPost, link, url.Values{"comment": {strings.Repeat("я", glassbox.MaxFeedbackComment)}})
	got := f.items("app")
	if len(got) != 1 || len(got[0].Comment) > glassbox.MaxFeedbackComment || !strings.HasPrefix(got[0].Comment, "яя") {
		t.Fatalf("bounded comment: %d items, %d bytes", len(got), len(got[0].Comment))
	}
}

// Forged, altered and foreign links are not found, and nothing is recorded or sent.
func TestFeedbackBadLinks(t *testing.T) {
	f := newFeedbackHarness(t)
	good := f.approval("site", linksign.DecisionAccept, "m1")
	changes := f.approval("site", linksign.DecisionChanges, "m1")
	other, _ := linksign.NewSigner([]byte("another key, also at least 32 bytes long"))
	foreign := strings.TrimPrefix(other.ApprovalURL("https://links.example", linksign.Approval{ProjectID: "site", Provider: "trello", TaskID: "c1", MessageID: "m1", Decision: linksign.DecisionAccept}), "https://links.example")
	goodParts, changesParts := strings.Split(good, "."), strings.Split(changes, ".")
	for name, path := range map[string]string{
		"Forged":           good[:strings.LastIndex(good, ".")+1] + strings.Repeat("A", 22),
		"DecisionSwapped":  strings.Join(append(changesParts[:len(changesParts)-1], goodParts[len(goodParts)-1]), "."),
		"OtherKey":         foreign,
		"RatingAsAproval":  "/a/" + strings.TrimPrefix(f.rating("site", 1), "/r/"),
		"ApprovalAsRating": "/r/" + strings.TrimPrefix(good, "/a/"),
		"UnknownProject":   f.approval("gone", linksign.DecisionAccept, "m1"),
		"Garbage":          "/a/not-a-token",
		// The signature's last character with its spare bits changed: the same 16 bytes, another spelling.
		"SpareBits": good[:len(good)-1] + spareBitsFlipped(good[len(good)-1:]),
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			resp := f.do(method, path, url.Values{"comment": {"x"}})
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", name, method, resp.StatusCode)
			}
			checkPageHeaders(t, resp)
		}
	}
	if got := f.items("site"); len(got) != 0 {
		t.Errorf("bad links recorded %+v", got)
	}
}

// TestFeedbackSampleEvents keeps events/link-approval-*.json and link-rating-*.json honest: links of the demo
// project signed with the demo key, which GET shows and POST records (changes requested, a rating of 2: both
// reach the manager).
func TestFeedbackSampleEvents(t *testing.T) {
	f := newFeedbackHarness(t)
	cfg := unsubConfig
	cfg.Projects = append([]glassbox.Project{{ID: "romashka-site", ClientID: "romashka", Name: "Новый сайт",
		Manager: glassbox.Person{Name: "Мария", Email: "maria@pixel.example"}}}, cfg.Projects...)
	if err := f.store.PutConfig(t.Context(), cfg); err != nil {
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
	for i, name := range []string{"link-approval-get.json", "link-approval-post.json", "link-rating-get.json", "link-rating-post.json"} {
		resp, err := f.h.Handle(t.Context(), load(name))
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %d\n%s", name, err, resp.StatusCode, resp.Body)
		}
		if got, want := len(f.items("romashka-site")), (i+1)/2; got != want {
			t.Fatalf("after %s: %d feedback items, want %d", name, got, want)
		}
	}
	if got := f.managerNotices("romashka-site"); len(got) != 2 {
		t.Fatalf("%d manager notices, want 2 (changes, rating 2)", len(got))
	}
}

// spareBitsFlipped is another base64url character that decodes, as the last of a 22-character (16-byte) run,
// to the same bits as c: its low four bits are padding, which a lenient decoder ignores.
func spareBitsFlipped(c string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return string(alphabet[strings.Index(alphabet, c)^0x0f])
}
