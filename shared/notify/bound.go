package notify

import (
	"strings"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Text from trackers has no length limit of its own: a card title can be 100 KB, and it would be repeated in
// the subject, the text and the HTML of every notice. These bounds keep a message a readable, small email.
const (
	// maxSubject is the longest subject, in characters; a long title is shortened to make the subject fit.
	maxSubject = 120
	// maxField is the longest tracker text (a title, a list name, a person) in a message's body.
	maxField = 500
	// maxURL is the longest link a message carries; a longer one is dropped rather than cut into a broken link.
	maxURL = 2048
	// maxComment is the longest client comment a message shows (the feedback item keeps up to
	// glassbox.MaxFeedbackComment bytes).
	maxComment = 2000
)

// bounded returns the view with every text that comes from a tracker shortened to maxField characters, and
// links longer than maxURL dropped.
func (v view) bounded() view {
	v.Title, v.List, v.Actor = shorten(v.Title, maxField), shorten(v.List, maxField), shorten(v.Actor, maxField)
	v.Link = usableLink(v.Link)
	v.Accept, v.Changes = pairOfLinks(v.Accept, v.Changes)
	v.Comment = shorten(v.Comment, maxComment)
	v.Tasks = append([]taskItem(nil), v.Tasks...)
	for i, t := range v.Tasks {
		v.Tasks[i].Title = shorten(t.Title, maxField)
		v.Tasks[i].Link = usableLink(t.Link)
		v.Tasks[i].Accept, v.Tasks[i].Changes = pairOfLinks(t.Accept, t.Changes)
	}
	return v
}

// usableLink is a link a message may show: an http(s) URL of at most maxURL bytes, else none. A template then
// leaves out the sentence that leads to it ({{if link}}), instead of pointing at "#" or at a cut URL.
func usableLink(u string) string {
	if len(u) > maxURL || glassbox.SafeURL(u) != u {
		return ""
	}
	return u
}

// pairOfLinks keeps the two approval links only together: a notice offers both answers or neither.
func pairOfLinks(accept, changes string) (string, string) {
	accept, changes = usableLink(accept), usableLink(changes)
	if accept == "" || changes == "" {
		return "", ""
	}
	return accept, changes
}

// shorten cuts s to at most n characters (runes, never inside one), ending a cut text with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return strings.TrimRight(s[:i], " ") + "…"
}
