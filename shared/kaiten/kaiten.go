// Package kaiten verifies and parses Kaiten external-webhook deliveries into task events, and reads each card
// back through the company's Kaiten API (ReadBack) before it is acted on.
//
// Kaiten signs nothing and documents no delivery id, retry policy or event names. So:
//   - the hook URL carries a long random token in its query (/hooks/kaiten/{binding}?token=...), compared in
//     constant time with the binding's secret (Verify);
//   - a delivery is read by its shape, not by its event string: a card is a record with a column_id and no
//     card_id, and a move is a change of data.changes.column_id from data.old.column_id (Parse);
//   - the body is not trusted for what the client is told: React reads the card back (GET {api_url}/cards/{id})
//     and the event's title, column and status are what Kaiten's API says the card is now.
//
// An external webhook is set per space and sends every action in it: everything that is not a card created,
// moved or renamed is acknowledged without an event.
package kaiten

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "kaiten"

// TokenParam is the query parameter of the hook URL that carries the binding's secret.
const TokenParam = "token"

// MinTokenLength is the shortest secret Verify accepts. Kaiten signs nothing, so the token in the hook URL is
// all that stands between the hook and anyone who can reach it; a short one is refused rather than used.
// `openssl rand -hex 32` makes one of 64 characters.
const MinTokenLength = 32

// stateDone is Kaiten's "done": a card's state, and the type of the first-level column it is in (1 queue, 2 in
// progress, 3 done).
const stateDone = 3

// Provider verifies and parses Kaiten deliveries, and reads cards back.
type Provider struct {
	// HTTP reads cards back (ReadBack); nil means a client with a 10 s timeout.
	HTTP *http.Client
}

// New returns the Kaiten provider.
func New() Provider { return Provider{HTTP: &http.Client{Timeout: DefaultTimeout}} }

// Info declares the provider to the registry: a tracker whose events are read back through the company's own
// API host (api_url, e.g. https://acme.kaiten.ru/api/latest) with a Bearer token (api_param).
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderTracker, ReadsBack: true, NeedsAPIURL: true}
}

// Verify compares the hook URL's token query parameter with the binding's secret in constant time. A secret
// shorter than MinTokenLength refuses every delivery, so a weak token cannot be configured by accident.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	if len(secret) < MinTokenLength {
		return fmt.Errorf("kaiten: the binding's secret is shorter than %d characters, so no delivery is accepted; set a random one (openssl rand -hex 32): %w",
			MinTokenLength, glassbox.ErrBadSignature)
	}
	got := d.Query.Get(TokenParam)
	if got == "" {
		return fmt.Errorf("kaiten: missing %s query parameter: %w", TokenParam, glassbox.ErrBadSignature)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
		return fmt.Errorf("kaiten: %s query parameter does not match: %w", TokenParam, glassbox.ErrBadSignature)
	}
	return nil
}

// HookURL is the URL to enter in Kaiten's external webhook for a binding: base is the public address of
// Glassbox (https://glassbox.studio.example), token the binding's secret.
func HookURL(base, bindingID, token string) string {
	return strings.TrimRight(base, "/") + "/hooks/" + Name + "/" + url.PathEscape(bindingID) + "?" +
		url.Values{TokenParam: {token}}.Encode()
}

// record is the part of a Kaiten model in a delivery that Parse reads. Every field is optional: update events
// carry only the changed fields in changes.
type record struct {
	ID       id      `json:"id"`
	Title    *string `json:"title"`
	ColumnID id      `json:"column_id"`
	// CardID is set on what belongs to a card (comments, blockers, files, time logs, tags), never on a card.
	CardID id `json:"card_id"`
	// Text is a comment's text.
	Text    *string `json:"text"`
	State   *int    `json:"state"`
	Created string  `json:"created"`
	Updated string  `json:"updated"`
	// DueDate is the card's due date (null: none; absent: not said); DueDateTimePresent says whether its time
	// of day means anything (see setDue).
	DueDate            json.RawMessage `json:"due_date"`
	DueDateTimePresent *bool           `json:"due_date_time_present"`
}

type person struct {
	FullName string `json:"full_name"`
	Username string `json:"username"`
}

type payload struct {
	Event string `json:"event"`
	Data  *struct {
		record
		Old     *record `json:"old"`
		Changes *record `json:"changes"`
		Author  *person `json:"author"`
	} `json:"data"`
}

// Parse turns a delivery into at most one task event for binding b, by the delivery's shape:
//   - an update whose changes name another column_id than old → task_moved into that column;
//   - an update that changes the title → task_updated;
//   - an update that changes the due date (changes.due_date) → task_updated;
//   - a card record without old/changes (an add) → task_created in its column, unless the event string says
//     the card was removed (remove events have the add shape).
//
// An add carries the card's due_date, an update the one its changes name (null: removed); ReadBack gives the
// others the card's due date from the API.
//
// A comment that starts with a reason marker → task_noted of its card (see comment).
//
// Everything else (other comments, blockers, files, boards, spaces, cards changed in other ways) yields no event and
// no error. A body that is not a Kaiten envelope is glassbox.ErrMalformed.
//
// The event's status is the binding's map of the column, else Kaiten's own "done" (see statusOf); ReadBack
// replaces it by what the API says. PrevStatus is left empty: the body is unsigned, so the status a move left
// is the stored one (React's prevStatus), and a replayed or forged body cannot tell the client "done" twice.
//
// Kaiten has no delivery id, so an event's provider id is composed: "{card}:column:{new column}@{time}" for a
// move, "{card}:created@{time}" and "{card}:title@{time}", where time is the change's (changes.updated) or the
// card's creation time as Kaiten sent it. A retry carries the same, so it is the same event; a delivery without
// a time is recognised by its body only ("@h" + a hash of it), one whose time does not read as RFC 3339 by that
// time ("@t" + a hash of it; OccurredAt is then the receipt time).
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	var p payload
	if err := json.Unmarshal(d.Body, &p); err != nil {
		return nil, fmt.Errorf("kaiten: decode body: %v: %w", err, glassbox.ErrMalformed)
	}
	data := p.Data
	if data == nil {
		return nil, fmt.Errorf("kaiten: body has no data: %w", glassbox.ErrMalformed)
	}
	old, changes := data.Old, data.Changes
	update := old != nil || changes != nil
	if old == nil {
		old = &record{}
	}
	if changes == nil {
		changes = &record{}
	}
	if !update && isComment(p.Event, data.record) {
		return comment(d, b, p.Event, data.record, data.Author)
	}
	if !isCard(data.record, *old, *changes) {
		return nil, nil
	}

	cardID := first(old.ID, data.ID, changes.ID)
	if !cardID.valid() {
		return nil, fmt.Errorf("kaiten: %s card id %q is not a Kaiten id: %w", clip(p.Event), clip(string(cardID)), glassbox.ErrMalformed)
	}
	e := glassbox.Event{
		BindingID:    b.ID,
		Provider:     Name,
		ProviderType: clip(p.Event),
		TaskID:       string(cardID),
		URL:          CardURL(b.APIURL, string(cardID)),
		ReceivedAt:   d.ReceivedAt.UTC(),
	}
	for _, t := range []*string{changes.Title, old.Title, data.Title} {
		if t != nil {
			e.Title = *t
			break
		}
	}
	if a := data.Author; a != nil {
		e.Actor = a.FullName
		if e.Actor == "" {
			e.Actor = a.Username
		}
	}

	var what, stamp string
	switch {
	case update && changes.ColumnID != "" && changes.ColumnID != old.ColumnID:
		e.Kind, what, stamp = glassbox.EventTaskMoved, "column:"+string(changes.ColumnID), changes.Updated
		e.ListID = string(changes.ColumnID)
		e.PrevListID = string(old.ColumnID)
		state := changes.State
		if state == nil {
			state = old.State // the column changed, the state did not
		}
		e.Status = statusOf(b, e.ListID, "", state != nil && *state == stateDone)
	case update && changes.Title != nil && (old.Title == nil || *changes.Title != *old.Title):
		e.Kind, what, stamp = glassbox.EventTaskUpdated, "title", changes.Updated
	case update && len(changes.DueDate) > 0:
		e.Kind, what, stamp = glassbox.EventTaskUpdated, "due", changes.Updated
	case update:
		return nil, nil
	case removal(p.Event):
		return nil, nil
	default:
		e.Kind, what, stamp = glassbox.EventTaskCreated, "created", data.Created
		e.ListID = string(data.ColumnID)
		e.Status = statusOf(b, e.ListID, "", data.State != nil && *data.State == stateDone)
	}

	said := data.record // an add says the card's due date; an update, its changes
	if update {
		said = *changes
	}
	if err := setDue(&e, said.DueDate, said.DueDateTimePresent); err != nil {
		return nil, fmt.Errorf("kaiten: card %s: %v: %w", cardID, err, glassbox.ErrMalformed)
	}
	for _, col := range []string{e.ListID, e.PrevListID} {
		if col != "" && !id(col).valid() {
			return nil, fmt.Errorf("kaiten: card %s: column id %q is not a Kaiten id: %w", cardID, clip(col), glassbox.ErrMalformed)
		}
	}
	switch at, err := time.Parse(time.RFC3339Nano, stamp); {
	case stamp == "":
		stamp = "h" + shortHash(d.Body)
	case err != nil:
		// Kaiten's time format is not documented. A time that does not read must not lose a done move: the
		// event keeps the receipt time (Accept), and its id a hash of the time as sent, which a retry repeats.
		stamp = "t" + shortHash([]byte(stamp))
	default:
		e.OccurredAt = at.UTC()
	}
	e.ProviderEventID = string(cardID) + ":" + what + "@" + stamp
	e.ID = glassbox.EventID(Name, e.ProviderEventID)
	return []glassbox.Event{e}, nil
}

// isComment says a delivery is a comment added to a card: an add-shaped record with a card_id and a text, whose
// event string names a comment ("comment:add"; Kaiten's event strings are not documented, so the record's shape
// decides as much as the name).
func isComment(event string, r record) bool {
	ev := strings.ToLower(event)
	return r.CardID != "" && r.Text != nil && strings.Contains(ev, "comment") && !removal(event)
}

// comment turns a comment that starts with a reason marker (glassbox.Binding.NoteOf) into a task_noted event of
// its card; any other comment gives no event. The id is the card's and the comment's: "{card}:comment:{id}".
// ReadBack gives it the card's title (it sets no status: a comment moves nothing).
func comment(d glassbox.Delivery, b glassbox.Binding, event string, r record, author *person) ([]glassbox.Event, error) {
	note, ok := b.NoteOf(*r.Text)
	if !ok {
		return nil, nil
	}
	if !r.CardID.valid() || !r.ID.valid() {
		return nil, fmt.Errorf("kaiten: comment %q on card %q: not Kaiten ids: %w", clip(string(r.ID)), clip(string(r.CardID)), glassbox.ErrMalformed)
	}
	pid := string(r.CardID) + ":comment:" + string(r.ID)
	e := glassbox.Event{
		ID:              glassbox.EventID(Name, pid),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: pid,
		ProviderType:    clip(event),
		Kind:            glassbox.EventTaskNoted,
		TaskID:          string(r.CardID),
		URL:             CardURL(b.APIURL, string(r.CardID)),
		Note:            note,
		ReceivedAt:      d.ReceivedAt.UTC(),
	}
	if at, err := time.Parse(time.RFC3339Nano, r.Created); err == nil {
		e.OccurredAt = at.UTC()
	}
	if author != nil {
		e.Actor = author.FullName
		if e.Actor == "" {
			e.Actor = author.Username
		}
	}
	return []glassbox.Event{e}, nil
}

// setDue reads a Kaiten due date: due_date null is none; with due_date_time_present true it is that instant
// (RFC 3339); otherwise the card has a date alone, which is the date as Kaiten writes it ("2026-12-04", or the
// date part of "2026-12-04T00:00:00.000Z"), due at the end of that day in the project's zone. An absent
// due_date says nothing.
func setDue(e *glassbox.Event, raw json.RawMessage, timePresent *bool) error {
	if len(raw) == 0 {
		return nil
	}
	var due *string
	if err := json.Unmarshal(raw, &due); err != nil {
		return fmt.Errorf("due_date %.40s is not a date", raw)
	}
	switch {
	case due == nil || *due == "":
		return e.SetDue("")
	case timePresent != nil && *timePresent:
		return e.SetDue(*due)
	case len(*due) > len(glassbox.CivilDateLayout) && (*due)[len(glassbox.CivilDateLayout)] == 'T':
		return e.SetDue((*due)[:len(glassbox.CivilDateLayout)])
	}
	return e.SetDue(*due)
}

// shortHash is 16 hex digits of b's SHA-256: enough to tell deliveries of one card apart.
func shortHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// isCard says a delivery's record is a card: it has a column, and it does not belong to a card. Of the models
// an external webhook covers (spaces, boards, cards, blockers, comments, time logs, tags, files), only cards sit
// in a column; the others that concern a card carry its card_id.
func isCard(data, old, changes record) bool {
	if data.CardID != "" || old.CardID != "" || changes.CardID != "" {
		return false
	}
	return data.ColumnID != "" || old.ColumnID != "" || changes.ColumnID != ""
}

// removal says an event string names a removal. It is only a guard: remove events have the add shape, so
// without it a deleted card would read as a created one. Kaiten's event strings are not documented; whatever
// they are, a name with "remove", "delete" or "archive" in it is not a creation.
func removal(event string) bool {
	ev := strings.ToLower(event)
	return strings.Contains(ev, "remove") || strings.Contains(ev, "delete") || strings.Contains(ev, "archive")
}

// statusOf is the one rule for a Kaiten card's status: the binding's status_map wins when it names the column
// (by id, or by title ignoring case); otherwise a card Kaiten itself calls done (state 3, which the type of its
// first-level column decides) is done; otherwise it is unknown. So a board whose done columns have the type
// "done" needs no map entry for them, and a map can still call a column of another type done (or a done-type
// column something else).
func statusOf(b glassbox.Binding, columnID, columnTitle string, kaitenDone bool) glassbox.TaskStatus {
	if s := b.StatusOf(columnID, columnTitle); s != glassbox.StatusUnknown {
		return s
	}
	if kaitenDone {
		return glassbox.StatusDone
	}
	return glassbox.StatusUnknown
}

// CardURL is the link that opens a card: the company's Kaiten address and the card id,
// https://acme.kaiten.ru/18734512, which Kaiten opens in the card's space. The address is the binding's api_url
// without its API path (/api/latest, /api/v1): the host, or the prefix a self-hosted Kaiten or a stand-in is
// served under. Empty when api_url is not an http(s) URL.
func CardURL(apiURL, cardID string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || cardID == "" {
		return ""
	}
	prefix := strings.TrimRight(u.Path, "/")
	if i := strings.LastIndex(prefix+"/", "/api/"); i >= 0 {
		prefix = prefix[:i]
	} else {
		prefix = ""
	}
	return u.Scheme + "://" + u.Host + prefix + "/" + url.PathEscape(cardID)
}

// id is a Kaiten id, which the API sends as a number; a string is taken as it is, and anything else (null, an
// object) as none, so a model Parse does not read never fails the decoding. Parse checks the ids it uses
// (valid).
type id string

func (v *id) UnmarshalJSON(b []byte) error {
	*v = ""
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = id(s)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*v = id(b)
	}
	return nil
}

// valid says an id is what Kaiten's are: a positive integer of at most 19 digits. Ids go into event ids and
// API paths, so nothing else is let through.
func (v id) valid() bool {
	if len(v) == 0 || len(v) > 19 || v[0] == '0' {
		return false
	}
	for _, c := range []byte(v) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func first(ids ...id) id {
	for _, v := range ids {
		if v != "" {
			return v
		}
	}
	return ""
}

// clip keeps a string Kaiten sent short enough for ids and logs.
func clip(s string) string {
	const n = 64
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}
