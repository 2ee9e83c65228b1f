package kaiten

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/readback"
)

// DefaultTimeout bounds one API call, whatever the caller's context allows.
const DefaultTimeout = readback.DefaultTimeout

// maxAnswerBytes is the largest API answer read; a card with its checklists and members is tens of kilobytes.
const maxAnswerBytes = 4 << 20

// conditionDeleted is a card's condition once it is deleted (1 live, 2 archived).
const conditionDeleted = 3

// Card is what ReadBack takes from Kaiten's answer to GET /cards/{id}.
type Card struct {
	ID    string
	Title string
	// ColumnID and ColumnTitle are the column the card is in now.
	ColumnID    string
	ColumnTitle string
	// Done says Kaiten calls the card done: its state is 3 (set by the type of its first-level column), or,
	// when the answer has no state, the type of its column is.
	Done bool
	// DueDate and DueDateTimePresent are the card's due_date and due_date_time_present as the answer gives
	// them (DueDate empty: the answer has no due_date; "null": the card has none).
	DueDate            json.RawMessage
	DueDateTimePresent *bool
}

// APIError is an answer of Kaiten's API other than 200, with Kaiten's {"message": ...} when the answer has
// one. A missing card (404, 410) is errors.Is(err, glassbox.ErrNotFound). Its text never contains the token.
type APIError = readback.HTTPError

// ReadBack completes or corrects a card event with what Kaiten's API says the card is now: its title, its link,
// and, for a creation or a move, its column and status (statusOf). When the card is in another column than the
// delivery said (it moved on, or the body lied), the API wins: the event's status is the card's status now.
// A rename keeps its column and status as they were (none): it is no move. An event whose delivery did not say
// the due date takes the card's.
//
// credential is the binding's api_param value, a Kaiten API token sent as "Authorization: Bearer". A card
// that is gone (404, 410, or deleted) is glassbox.ErrNotFound and the event is dropped; any other failure is
// retried.
func (p Provider) ReadBack(ctx context.Context, b glassbox.Binding, credential string, e glassbox.Event) (glassbox.Event, error) {
	c, err := p.FetchCard(ctx, b.APIURL, credential, e.TaskID)
	if err != nil {
		return e, err
	}
	if c.Title != "" {
		e.Title = c.Title
	}
	if u := CardURL(b.APIURL, c.ID); u != "" {
		e.URL = u
	}
	if e.Kind == glassbox.EventTaskCreated || e.Kind == glassbox.EventTaskMoved {
		e.ListID, e.ListName = c.ColumnID, c.ColumnTitle
		e.Status = statusOf(b, c.ColumnID, c.ColumnTitle, c.Done)
	}
	if !e.HasDue {
		// The delivery did not say the due date (a move, a rename): the card's is the current one. A due date
		// that does not read is left unsaid rather than failing the event.
		_ = setDue(&e, c.DueDate, c.DueDateTimePresent)
	}
	return e, nil
}

// FetchCard reads one card with GET {apiURL}/cards/{cardID}, apiURL being the company's API base
// (https://acme.kaiten.ru/api/latest, with or without a trailing slash), authorised by token.
//
// An answer other than 200 is an *APIError (errors.As); a missing card is glassbox.ErrNotFound, and so is a
// card whose condition says it is deleted. No error contains the token.
func (p Provider) FetchCard(ctx context.Context, apiURL, token, cardID string) (Card, error) {
	fail := func(format string, args ...any) (Card, error) {
		return Card{}, fmt.Errorf("kaiten: read card %s: "+format, append([]any{strconv.Quote(cardID)}, args...)...)
	}
	if !id(cardID).valid() {
		return fail("not a Kaiten card id")
	}
	if token == "" {
		return fail("the binding's api_param holds no API token")
	}
	if !readback.ValidBase(apiURL) {
		return fail("api_url %q is not the http(s) address of a Kaiten API", apiURL)
	}
	answer, err := readback.Do(ctx, p.HTTP, readback.Request{
		URL:      readback.Endpoint(apiURL, "/cards/"+cardID),
		Header:   http.Header{"Authorization": {"Bearer " + token}},
		MaxBytes: maxAnswerBytes,
	})
	if err != nil {
		return fail("%w", err)
	}
	if !answer.OK() {
		var msg struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(answer.Body, &msg)
		return fail("%w", &APIError{Status: answer.Status, Message: clip(strings.ReplaceAll(msg.Message, token, "[redacted]"))})
	}

	var a struct {
		ID        id              `json:"id"`
		Title     *string         `json:"title"`
		ColumnID  id              `json:"column_id"`
		State     int             `json:"state"`
		Condition int             `json:"condition"`
		DueDate   json.RawMessage `json:"due_date"`
		DueTime   *bool           `json:"due_date_time_present"`
		Column    *struct {
			ID    id     `json:"id"`
			Title string `json:"title"`
			Type  int    `json:"type"`
		} `json:"column"`
	}
	if err := json.Unmarshal(answer.Body, &a); err != nil {
		return fail("the answer is not a card: %v", err)
	}
	if a.ID != id(cardID) {
		return fail("the answer is card %q", clip(string(a.ID)))
	}
	if a.Condition == conditionDeleted {
		return fail("the card is deleted: %w", glassbox.ErrNotFound)
	}
	c := Card{ID: string(a.ID), ColumnID: string(a.ColumnID), Done: a.State == stateDone, DueDate: a.DueDate, DueDateTimePresent: a.DueTime}
	if a.Title != nil {
		c.Title = *a.Title
	}
	if col := a.Column; col != nil {
		if c.ColumnID == "" {
			c.ColumnID = string(col.ID)
		}
		if col.ID == "" || col.ID == a.ColumnID {
			c.ColumnTitle = col.Title
		}
		if a.State == 0 {
			c.Done = col.Type == stateDone
		}
	}
	if !id(c.ColumnID).valid() {
		return fail("the answer has no column")
	}
	return c, nil
}
