package providertest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Comment makes a delivery of a comment whose text is the given one, from a provider's comment sample.
type Comment func(t *testing.T, text string) glassbox.Delivery

// WithText is body with the JSON string old (as the sample spells it) replaced by text, encoded as JSON: the
// comment sample saying something else.
func WithText(t testing.TB, body []byte, old, text string) []byte {
	t.Helper()
	o, _ := json.Marshal(old)
	n, _ := json.Marshal(text)
	if !bytes.Contains(body, o) {
		t.Fatalf("the sample does not contain %s", o)
	}
	return bytes.ReplaceAll(body, o, n)
}

// NoteCase is one comment and the reason it gives ("" when it gives none: the delivery is ignored).
type NoteCase struct {
	Name, Text, Note string
}

// NoteCases are the comments every tracker's reasons are checked with: the default markers in both languages,
// any case, a comment without one, a marker alone, hostile text (markup stays text; line breaks fold; a long
// comment is cut to glassbox.MaxNoteRunes).
var NoteCases = []NoteCase{
	{"Russian", "Причина: ждём доступы к хостингу от клиента", "ждём доступы к хостингу от клиента"},
	{"EnglishAnyCase", "  reason:   client is on holiday\nuntil Monday ", "client is on holiday until Monday"},
	{"Why", "WHY: added at the client's request", "added at the client's request"},
	{"Markup", "Причина: <script>alert(1)</script> *bold* [x](javascript:1)", "<script>alert(1)</script> *bold* [x](javascript:1)"},
	{"Long", "Причина: " + strings.Repeat("долго ", 400), ""}, // cut: checked by length,
	{"NoMarker", "Client approved the copy, moving on.", ""},
	{"MarkerInside", "We moved it. Reason: none", ""},
	{"MarkerAlone", "Причина:   ", ""},
	{"Empty", "", ""},
}

// Notes checks what a provider makes of comments (NoteCases): a comment that starts with a reason marker is
// one task_noted event whose Note is glassbox.Binding.NoteOf's, with a deterministic id, a task, and no list or
// status (a comment moves nothing); any other comment is ignored. check, when set, checks what the provider's
// noted events carry besides (their task, title, link).
func Notes(t *testing.T, p Parser, b glassbox.Binding, comment Comment, check func(t *testing.T, e glassbox.Event)) {
	t.Helper()
	for _, c := range NoteCases {
		t.Run(c.Name, func(t *testing.T) {
			d := comment(t, c.Text)
			evs, err := Accepted(p, d, b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want, marked := b.NoteOf(c.Text)
			if !marked {
				if len(evs) != 0 {
					t.Fatalf("events %s, want the comment ignored", dump(evs))
				}
				return
			}
			if len(evs) != 1 {
				t.Fatalf("got %d events, want 1: %s", len(evs), dump(evs))
			}
			e := evs[0]
			if c.Name == "Long" {
				if n := utf8.RuneCountInString(e.Note); n != glassbox.MaxNoteRunes || !strings.HasSuffix(e.Note, "…") {
					t.Errorf("Note has %d runes (%q), want %d ending in …", n, e.Note, glassbox.MaxNoteRunes)
				}
			} else if e.Note != c.Note {
				t.Errorf("Note = %q, want %q", e.Note, c.Note)
			}
			if e.Note != want {
				t.Errorf("Note = %q, NoteOf says %q", e.Note, want)
			}
			if e.Kind != glassbox.EventTaskNoted || e.ID == "" || e.TaskID == "" || e.ProjectID != b.ProjectID {
				t.Errorf("event %s, want a task_noted event of a task of project %s", dump(e), b.ProjectID)
			}
			if e.Status != glassbox.StatusUnknown || e.PrevStatus != "" || e.ListID != "" || e.ListName != "" || e.HasDue {
				t.Errorf("event %s: a comment must not move the task or say its due date", dump(e))
			}
			again, _ := Accepted(p, comment(t, c.Text), b)
			if len(again) != 1 || again[0].ID != e.ID {
				t.Errorf("the same comment again is %s, want the same event id %s", dump(again), e.ID)
			}
			if check != nil {
				check(t, e)
			}
		})
	}
}
