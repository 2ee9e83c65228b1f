// Package trello verifies and parses Trello webhook deliveries into provider-neutral task events.
//
// Trello has no per-event filter: a board webhook sends every action on the board. Only actions that change
// what a client or manager would be told about are turned into events (see Parse); all others are
// acknowledged and dropped, so Trello never retries them and never disables the hook.
package trello

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Name is the provider's name in hook URLs and bindings.
const Name = "trello"

// SignatureHeader carries base64(HMAC-SHA1(app secret, body ‖ callback URL)).
const SignatureHeader = "X-Trello-Webhook"

// Provider verifies and parses Trello deliveries.
type Provider struct{}

// New returns the Trello provider.
func New() Provider { return Provider{} }

// Info declares the provider to the registry.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderTracker}
}

// Handshake answers Trello's check of a callback URL: a HEAD (or, from some tools, a GET) with no body and no
// signature, which must get 200 before Trello creates the webhook.
func (Provider) Handshake(d glassbox.Delivery) (glassbox.Handshake, bool) {
	return glassbox.Handshake{}, d.Method == http.MethodHead || d.Method == http.MethodGet
}

// Sign computes the X-Trello-Webhook value for a body delivered to callbackURL.
func Sign(secret string, body []byte, callbackURL string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write(body)
	mac.Write([]byte(callbackURL))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Verify checks X-Trello-Webhook against the raw body and the callback URL the hook was registered with.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	got := d.Header.Get(SignatureHeader)
	if got == "" {
		return fmt.Errorf("trello: missing %s header: %w", SignatureHeader, glassbox.ErrBadSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(got)
	if err != nil {
		return fmt.Errorf("trello: %s is not base64: %w", SignatureHeader, glassbox.ErrBadSignature)
	}
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write(d.Body)
	mac.Write([]byte(d.CallbackURL))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return fmt.Errorf("trello: signature does not match body and callback URL: %w", glassbox.ErrBadSignature)
	}
	return nil
}

type ref struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type payload struct {
	Action *struct {
		ID   string    `json:"id"`
		Type string    `json:"type"`
		Date time.Time `json:"date"`
		Data struct {
			// Text is a comment's text (commentCard).
			Text string `json:"text"`
			Card *struct {
				ID        string `json:"id"`
				Name      string `json:"name"`
				ShortLink string `json:"shortLink"`
				IDList    string `json:"idList"`
				Closed    *bool  `json:"closed"`
				// Due is the card's due date (RFC 3339, UTC), or null when it has none.
				Due *string `json:"due"`
			} `json:"card"`
			Old        map[string]json.RawMessage `json:"old"`
			List       *ref                       `json:"list"`
			ListBefore *ref                       `json:"listBefore"`
			ListAfter  *ref                       `json:"listAfter"`
			Board      *struct {
				ID string `json:"id"`
			} `json:"board"`
			Attachment *struct {
				ID   string `json:"id"`
				Name string `json:"name"`
				URL  string `json:"url"`
			} `json:"attachment"`
		} `json:"data"`
		MemberCreator *struct {
			FullName string `json:"fullName"`
			Username string `json:"username"`
		} `json:"memberCreator"`
	} `json:"action"`
}

// Parse turns a delivery into at most one task event for binding b:
//   - createCard → task_created (in its list);
//   - updateCard with a list change (listBefore/listAfter) → task_moved;
//   - updateCard with a rename → task_updated;
//   - addAttachmentToCard with a link → link_attached (the deliverable a done notice points to);
//   - commentCard whose text starts with a reason marker → task_noted, the text after the marker its Note
//     (glassbox.Binding.NoteOf); a comment without a marker is ignored. The note carries no list: a comment
//     does not move the card.
//
// A card's due date rides on the event (Due, HasDue): createCard with card.due, and updateCard with old.due,
// which alone is a task_updated (the flush tells the manager when the task falls overdue).
//
// Every other action type, and updateCard changes that are none of these (descriptions, archiving), yield
// no event and no error: the handler acknowledges them without storing anything. A body that is not a Trello
// action is glassbox.ErrMalformed.
func (Provider) Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	var p payload
	if err := json.Unmarshal(d.Body, &p); err != nil {
		return nil, fmt.Errorf("trello: decode body: %v: %w", err, glassbox.ErrMalformed)
	}
	a := p.Action
	if a == nil || a.ID == "" || a.Type == "" {
		return nil, fmt.Errorf("trello: body has no action id and type: %w", glassbox.ErrMalformed)
	}
	card := a.Data.Card
	if card == nil || card.ID == "" {
		// Board- and list-level actions carry no card: nothing to tell anyone.
		return nil, nil
	}
	e := glassbox.Event{
		ID:              glassbox.EventID(Name, a.ID),
		BindingID:       b.ID,
		Provider:        Name,
		ProviderEventID: a.ID,
		ProviderType:    a.Type,
		TaskID:          card.ID,
		Title:           card.Name,
		URL:             cardURL(card.ShortLink, card.ID),
		OccurredAt:      a.Date.UTC(),
		ReceivedAt:      d.ReceivedAt.UTC(),
	}
	if m := a.MemberCreator; m != nil {
		e.Actor = m.FullName
		if e.Actor == "" {
			e.Actor = m.Username
		}
	}
	setList := func(r *ref) {
		e.ListID, e.ListName = r.ID, r.Name
		e.Status = b.StatusOf(r.ID, r.Name)
	}

	if err := setDue(&e, card.Due, a.Type, a.Data.Old); err != nil {
		return nil, fmt.Errorf("trello: action %s: %v: %w", a.ID, err, glassbox.ErrMalformed)
	}
	switch a.Type {
	case "createCard":
		e.Kind = glassbox.EventTaskCreated
		if a.Data.List != nil {
			setList(a.Data.List)
		} else if card.IDList != "" {
			setList(&ref{ID: card.IDList})
		}
	case "updateCard":
		_, listChanged := a.Data.Old["idList"]
		_, renamed := a.Data.Old["name"]
		switch {
		case listChanged && a.Data.ListAfter != nil:
			e.Kind = glassbox.EventTaskMoved
			setList(a.Data.ListAfter)
			if lb := a.Data.ListBefore; lb != nil {
				e.PrevListID, e.PrevListName = lb.ID, lb.Name
				e.PrevStatus = b.StatusOf(lb.ID, lb.Name)
			}
		case listChanged:
			return nil, fmt.Errorf("trello: updateCard %s changes idList but has no listAfter: %w", a.ID, glassbox.ErrMalformed)
		case renamed || e.HasDue:
			e.Kind = glassbox.EventTaskUpdated
		default:
			return nil, nil
		}
	case "addAttachmentToCard":
		att := a.Data.Attachment
		if att == nil || !isWebLink(att.URL) {
			return nil, nil
		}
		e.Kind = glassbox.EventLinkAttached
		e.Link = att.URL
	case "commentCard":
		note, ok := b.NoteOf(a.Data.Text)
		if !ok {
			return nil, nil
		}
		e.Kind, e.Note = glassbox.EventTaskNoted, note
	default:
		return nil, nil
	}
	return []glassbox.Event{e}, nil
}

// setDue reads the card's due date where the action reports it: a card created with one, or an updateCard
// that changed it (old.due present; a null due then means it was removed).
func setDue(e *glassbox.Event, due *string, action string, old map[string]json.RawMessage) error {
	_, changed := old["due"]
	if !changed && !(action == "createCard" && due != nil) {
		return nil
	}
	e.HasDue = true
	if due == nil || *due == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, *due)
	if err != nil {
		return fmt.Errorf("card due %q is not a time", *due)
	}
	e.Due = t.UTC()
	return nil
}

func cardURL(shortLink, id string) string {
	if shortLink != "" {
		return "https://trello.com/c/" + shortLink
	}
	return "https://trello.com/c/" + id
}

func isWebLink(u string) bool {
	return len(u) > 8 && (u[:8] == "https://" || u[:7] == "http://")
}
