package kaiten_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/kaiten"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// apiToken is the Kaiten API token the binding's api_param holds.
const apiToken = "kaiten-api-token-7d1e0c9b"

// fakeKaiten answers GET /api/latest/cards/{id} like a company's Kaiten API: the card of
// testdata/kaiten-card-get-response.json for 18734512 with the right Bearer token, 401 without it, 404 for
// other cards. answer, when set, replaces the card answer.
func fakeKaiten(t *testing.T, answer http.HandlerFunc) *httptest.Server {
	t.Helper()
	card := providertest.Testdata(t, "kaiten-card-get-response.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch {
		case r.Header.Get("Authorization") != "Bearer "+apiToken:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"Invalid token"}`))
		case r.Method != http.MethodGet || r.URL.Path != "/api/latest/cards/18734512":
			w.WriteHeader(http.StatusNotFound)
		case answer != nil:
			answer(w, r)
		default:
			w.Write(card)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// apiBinding is the test binding reading back from srv.
func apiBinding(srv *httptest.Server) glassbox.Binding {
	b := binding
	b.APIURL = srv.URL + "/api/latest"
	return b
}

// parsed is what ingest stored of a testdata delivery.
func parsed(t *testing.T, b glassbox.Binding, file string) glassbox.Event {
	t.Helper()
	evs, err := providertest.Accepted(kaiten.New(), delivery(providertest.Testdata(t, file), secret), b)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse %s = %s, %v", file, dump(evs), err)
	}
	return evs[0]
}

func TestReadBack(t *testing.T) {
	srv := fakeKaiten(t, nil)
	b := apiBinding(srv)
	for _, apiURL := range []string{b.APIURL, b.APIURL + "/"} {
		b.APIURL = apiURL
		e := parsed(t, b, "kaiten-card-moved.json")
		got, err := kaiten.New().ReadBack(context.Background(), b, apiToken, e)
		if err != nil {
			t.Fatalf("%s: %v", apiURL, err)
		}
		want := e
		want.ListID, want.ListName, want.Status = "2450120", "Done", glassbox.StatusDone
		want.URL = srv.URL + "/18734512" // api_url without /api/latest
		want.HasDue = true               // the answer's due_date is null: the card has no due date
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", apiURL, got, want)
		}
	}
}

// TestReadBackTrustsTheAPI: the delivery says the card went to Done; Kaiten says it is in In Progress now (it
// moved back, or the body lied). The event is what the API says: in progress, no done notice.
func TestReadBackTrustsTheAPI(t *testing.T) {
	srv := fakeKaiten(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"id":18734512,"title":"Landing page (v2)","state":2,"condition":1,"column_id":2450117,` +
			`"column":{"id":2450117,"title":"In Progress","type":2}}`))
	})
	b := apiBinding(srv)
	e := parsed(t, b, "kaiten-card-moved.json")
	if e.Status != glassbox.StatusDone {
		t.Fatalf("the delivery claims %q", e.Status)
	}
	got, err := kaiten.New().ReadBack(context.Background(), b, apiToken, e)
	if err != nil {
		t.Fatal(err)
	}
	if got.ListID != "2450117" || got.ListName != "In Progress" || got.Status != glassbox.StatusInProgress || got.Title != "Landing page (v2)" {
		t.Fatalf("read back %+v, want the card as the API says it is", got)
	}
	if got.ID != e.ID || got.Kind != glassbox.EventTaskMoved || got.PrevListID != "2450117" || !got.OccurredAt.Equal(e.OccurredAt) {
		t.Fatalf("read back changed the event's identity: %+v", got)
	}
}

// TestReadBackStatusFromKaiten: the map names the column by its title, which only the API knows; a column the
// map does not name is done when Kaiten says the card is done (state 3, or the column's type 3 when the answer
// has no state).
func TestReadBackStatusFromKaiten(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		want   glassbox.TaskStatus
	}{
		{"MapByColumnTitle", `{"id":18734512,"state":2,"column_id":5,"column":{"id":5,"title":"review","type":2}}`, glassbox.StatusReview},
		{"MapWinsOverDone", `{"id":18734512,"state":3,"column_id":5,"column":{"id":5,"title":"Blocked","type":3}}`, glassbox.StatusBlocked},
		{"StateDone", `{"id":18734512,"state":3,"column_id":5,"column":{"id":5,"title":"Shipped","type":3}}`, glassbox.StatusDone},
		{"ColumnTypeDoneWithoutState", `{"id":18734512,"column_id":5,"column":{"id":5,"title":"Shipped","type":3}}`, glassbox.StatusDone},
		// A done-type subcolumn under an in-progress column: Kaiten's state (2) decides, not the subcolumn.
		{"StateWinsOverSubcolumnType", `{"id":18734512,"state":2,"column_id":6,"column":{"id":6,"title":"Ready","type":3}}`, glassbox.StatusUnknown},
		{"ColumnIDOnly", `{"id":18734512,"state":1,"column_id":2450115}`, glassbox.StatusTodo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeKaiten(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tt.answer)) })
			b := apiBinding(srv)
			got, err := kaiten.New().ReadBack(context.Background(), b, apiToken, parsed(t, b, "kaiten-card-created.json"))
			if err != nil || got.Status != tt.want {
				t.Fatalf("ReadBack = %+v, %v; want status %q", got, err, tt.want)
			}
		})
	}
}

// TestReadBackRenameIsNoMove: a rename takes the title and link, and leaves the column alone, so it never
// changes the stored status.
func TestReadBackRenameIsNoMove(t *testing.T) {
	srv := fakeKaiten(t, nil)
	b := apiBinding(srv)
	got, err := kaiten.New().ReadBack(context.Background(), b, apiToken, parsed(t, b, "kaiten-card-renamed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Landing page for spring campaign" || got.ListID != "" || got.ListName != "" || got.Status != "" {
		t.Fatalf("rename read back as %+v", got)
	}
}

// TestFetchCardSampleAnswer reads the answer glassbox dev serves as its stand-in Kaiten API.
func TestFetchCardSampleAnswer(t *testing.T) {
	answer, err := os.ReadFile(filepath.Join("..", "..", "events", "kaiten-card-get-response.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeKaiten(t, func(w http.ResponseWriter, r *http.Request) { w.Write(answer) })
	c, err := kaiten.New().FetchCard(context.Background(), srv.URL+"/api/latest", apiToken, "18734512")
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "18734512" || c.ColumnID != "2450120" || c.ColumnTitle != "Готово" || !c.Done || c.Title == "" {
		t.Fatalf("card = %+v, want 18734512 done in 2450120 «Готово»", c)
	}
}

func TestFetchCardErrors(t *testing.T) {
	answer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			w.Write([]byte(body))
		}
	}
	tests := []struct {
		name     string
		answer   http.HandlerFunc
		card     string
		token    string
		status   int
		notFound bool
	}{
		{"NotFound", nil, "18734599", apiToken, 404, true},
		{"Gone", answer(410, ``), "18734512", apiToken, 410, true},
		{"Deleted", answer(200, `{"id":18734512,"condition":3,"column_id":1}`), "18734512", apiToken, 0, true},
		{"BadToken", nil, "18734512", "wrong-token", 401, false},
		{"Forbidden", answer(403, ``), "18734512", apiToken, 403, false},
		{"RateLimited", answer(429, `{"message":"Too many requests"}`), "18734512", apiToken, 429, false},
		{"ServerError", answer(502, `<html>Bad Gateway</html>`), "18734512", apiToken, 502, false},
		// Kaiten echoing the token back must not put it in an error.
		{"TokenEchoed", answer(400, `{"message":"bad token `+apiToken+`"}`), "18734512", apiToken, 400, false},
		{"NotJSON", answer(200, `<html>maintenance</html>`), "18734512", apiToken, 0, false},
		{"AnotherCard", answer(200, `{"id":1,"column_id":2}`), "18734512", apiToken, 0, false},
		{"NoColumn", answer(200, `{"id":18734512,"title":"x"}`), "18734512", apiToken, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeKaiten(t, tt.answer)
			_, err := kaiten.New().FetchCard(context.Background(), srv.URL+"/api/latest", tt.token, tt.card)
			if err == nil {
				t.Fatal("want an error")
			}
			if got := errors.Is(err, glassbox.ErrNotFound); got != tt.notFound {
				t.Errorf("error %v: errors.Is(ErrNotFound) = %v, want %v", err, got, tt.notFound)
			}
			var ae *kaiten.APIError
			if tt.status != 0 && (!errors.As(err, &ae) || ae.Status != tt.status) {
				t.Errorf("error %v, want an *APIError with status %d", err, tt.status)
			}
			assertNoToken(t, err, tt.token)
		})
	}
}

func TestFetchCardRefusesBadInput(t *testing.T) {
	srv := fakeKaiten(t, nil)
	tests := []struct{ name, apiURL, token, card string }{
		{"NoToken", srv.URL + "/api/latest", "", "18734512"},
		{"NotAnID", srv.URL + "/api/latest", apiToken, "../users"},
		{"NoAPIURL", "", apiToken, "18734512"},
		{"NotHTTP", "ftp://acme.kaiten.ru/api/latest", apiToken, "18734512"},
		{"WithQuery", srv.URL + "/api/latest?x=1", apiToken, "18734512"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kaiten.New().FetchCard(context.Background(), tt.apiURL, tt.token, tt.card)
			if err == nil || errors.Is(err, glassbox.ErrNotFound) {
				t.Fatalf("FetchCard = %v, want an error to retry", err)
			}
		})
	}
}

func TestFetchCardTransportErrors(t *testing.T) {
	t.Run("Timeout", func(t *testing.T) {
		srv := fakeKaiten(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := kaiten.New().FetchCard(ctx, srv.URL+"/api/latest", apiToken, "18734512")
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, glassbox.ErrNotFound) {
			t.Fatalf("error %v, want a deadline exceeded", err)
		}
		assertNoToken(t, err, apiToken)
	})
	t.Run("ConnectionRefused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		base := srv.URL
		srv.Close()
		_, err := kaiten.New().FetchCard(context.Background(), base+"/api/latest", apiToken, "18734512")
		if err == nil || errors.Is(err, glassbox.ErrNotFound) {
			t.Fatalf("error %v, want one to retry", err)
		}
		assertNoToken(t, err, apiToken)
	})
}

func assertNoToken(t *testing.T, err error, token string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if token != "" && strings.Contains(e.Error(), token) {
			t.Fatalf("error text %q contains the API token", e.Error())
		}
	}
}

// A comment's reason is read back for the card's title only: it stays a note, in no column, with no status.
func TestReadBackNoteIsNoMove(t *testing.T) {
	srv := fakeKaiten(t, nil)
	b := apiBinding(srv)
	body := providertest.WithText(t, providertest.Testdata(t, "kaiten-comment-added.json"), "Клиент согласовал тексты, двигаем дальше.", "Причина: ждём")
	evs, err := providertest.Accepted(kaiten.New(), delivery(body, secret), b)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse = %s, %v", dump(evs), err)
	}
	got, err := kaiten.New().ReadBack(context.Background(), b, apiToken, evs[0])
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != glassbox.EventTaskNoted || got.Note != "ждём" || got.Title != "Landing page for spring campaign" ||
		got.ListID != "" || got.ListName != "" || got.Status != "" {
		t.Fatalf("note read back as %s", dump(got))
	}
}
