package glassbox

import (
	"strings"
	"unicode/utf8"
)

// Markers say which comments on a task carry its reason and which task titles make it a hypothesis. A binding
// may set its own; empty lists take the defaults.
type Markers struct {
	// Reason are the prefixes of a comment that gives a task's reason ("Причина:"): why it is blocked, paused,
	// not started, or was added. The comment's text after the marker becomes the task's Reason.
	Reason []string `json:"reason,omitempty" yaml:"reason,omitempty" dynamodbav:"reason,omitempty"`
	// Hypothesis are the prefixes of a task title that make the task a hypothesis ("Гипотеза:").
	Hypothesis []string `json:"hypothesis,omitempty" yaml:"hypothesis,omitempty" dynamodbav:"hypothesis,omitempty"`
}

// The default markers, in Russian and English; case is ignored.
var (
	DefaultReasonMarkers     = []string{"Причина:", "Reason:", "Why:"}
	DefaultHypothesisMarkers = []string{"Гипотеза:", "Hypothesis:"}
)

// MaxNoteRunes bounds a reason taken from a comment: a digest line, not the comment thread.
const MaxNoteRunes = 300

// ReasonMarkers are the binding's reason markers, or the defaults.
func (b Binding) ReasonMarkers() []string {
	if len(b.Markers.Reason) > 0 {
		return b.Markers.Reason
	}
	return DefaultReasonMarkers
}

// HypothesisMarkers are the binding's hypothesis markers, or the defaults.
func (b Binding) HypothesisMarkers() []string {
	if len(b.Markers.Hypothesis) > 0 {
		return b.Markers.Hypothesis
	}
	return DefaultHypothesisMarkers
}

// NoteOf is the one rule that turns a comment into a task's reason: a comment that starts with one of the
// binding's reason markers (ignoring case and leading space) gives the text after it, trimmed, on one line, and
// bounded to MaxNoteRunes; any other comment gives nothing.
func (b Binding) NoteOf(comment string) (string, bool) {
	c := strings.TrimSpace(comment)
	for _, m := range b.ReasonMarkers() {
		if len(c) >= len(m) && strings.EqualFold(c[:len(m)], m) {
			return BoundNote(c[len(m):]), strings.TrimSpace(c[len(m):]) != ""
		}
	}
	return "", false
}

// BoundNote makes outside text fit a digest line: whitespace (new lines too) folded to single spaces, at most
// MaxNoteRunes runes with an ellipsis when cut.
func BoundNote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= MaxNoteRunes {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:MaxNoteRunes-1])) + "…"
}

func hasMarker(title string, markers []string) bool {
	if len(markers) == 0 {
		markers = DefaultHypothesisMarkers
	}
	t := strings.TrimSpace(title)
	for _, m := range markers {
		if len(t) >= len(m) && strings.EqualFold(t[:len(m)], m) {
			return true
		}
	}
	return false
}
