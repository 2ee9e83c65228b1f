package notify

import (
	"fmt"
	"html"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Report is one scheduled report message to word (the weekly digest, the monthly report, the call reminder):
// its facts as template variables (shared/digest gathers them; glassbox.MessageVars names them per kind), to
// whom, and its cause. Every string in Vars may come from a tracker; WordReport bounds them.
type Report struct {
	Kind     glassbox.MessageKind
	Audience glassbox.Audience
	// Cause is glassbox.ReportCause of the project, period and recipient.
	Cause string
	// To are the email recipients (the greeting names them); ReplyTo who a reply reaches.
	To      []glassbox.Person
	ReplyTo glassbox.Person
	Vars    glassbox.Vars
}

// WordReport words a report in a locale: the email (id from the cause, kind and audience; from the agency's
// sender) and the same report in Telegram's HTML subset.
func WordReport(cfg glassbox.Config, p glassbox.Project, locale string, r Report) (glassbox.Message, string, error) {
	from, err := cfg.Agency.SenderIn(locale)
	if err != nil {
		return glassbox.Message{}, "", fmt.Errorf("notify: %w", err)
	}
	vars := boundVars(r.Vars)
	vars["greeting"] = shorten(firstNames(r.To), maxField)
	vars["agency"] = cfg.Agency.NameIn(locale)
	vars["project"] = shorten(p.Name, maxField)
	vars["manager"] = shorten(p.Manager.Name, maxField)
	if _, ok := vars["link"]; !ok {
		vars["link"] = ""
	}
	w, err := wordVars(cfg, p, locale, r.Kind, "", vars, "")
	if err != nil {
		return glassbox.Message{}, "", err
	}
	return glassbox.Message{
		ID:        glassbox.MessageID(r.Cause, r.Kind, r.Audience, glassbox.ChannelEmail),
		ProjectID: p.ID,
		EventID:   r.Cause,
		Kind:      r.Kind,
		Audience:  r.Audience,
		Channel:   glassbox.ChannelEmail,
		From:      from,
		ReplyTo:   r.ReplyTo,
		To:        r.To,
		Subject:   w.Subject,
		Text:      w.Text,
		HTML:      w.HTML,
	}, w.Telegram, nil
}

// OnTelegram turns a worded report email into its Telegram message to chat: its own id (from cause, the
// report's cause for the chat), no recipients or subject, and the Telegram wording.
func OnTelegram(m glassbox.Message, cause, chat, telegram string) glassbox.Message {
	m.EventID = cause
	return onTelegram(m, chat, worded{Telegram: telegram})
}

// boundVars copies report variables with every text shortened to maxField and every link (a variable named
// link) dropped unless usable, in lists too: the one place a report's outside strings are bounded.
func boundVars(in glassbox.Vars) glassbox.Vars {
	out := make(glassbox.Vars, len(in))
	for k, v := range in {
		switch v := v.(type) {
		case string:
			if k == "link" {
				out[k] = usableLink(v)
			} else {
				out[k] = shorten(v, maxField)
			}
		case []glassbox.Vars:
			items := make([]glassbox.Vars, len(v))
			for i, it := range v {
				items[i] = boundVars(it)
			}
			out[k] = items
		default:
			out[k] = v
		}
	}
	return out
}

// MaxTelegram is the longest Telegram message the Bot API takes, in characters.
const MaxTelegram = 4096

// WithUnsubscribe adds the visible unsubscribe line to a report email whose one-click link is url: the
// List-Unsubscribe header is only a button in the mail programs that show one, and the manager's notice says the
// recipient pressed «Отписаться» in the email. It is not part of the template: an override cannot drop it.
func WithUnsubscribe(m glassbox.Message, locale, url string) glassbox.Message {
	if url == "" {
		return m
	}
	lead, word := "Не хотите получать эти отчёты?", "Отписаться"
	if locale == glassbox.LocaleEN {
		lead, word = "Rather not get these reports?", "Unsubscribe"
	}
	m.Text = strings.TrimRight(m.Text, "\n") + "\n\n" + lead + " " + word + ": " + url + "\n"
	line := `<p style="color:#6b7280;font-size:13px">` + html.EscapeString(lead) + ` <a href="` + html.EscapeString(url) + `">` + word + `</a></p>`
	if i := strings.LastIndex(m.HTML, "</body>"); i >= 0 {
		m.HTML = m.HTML[:i] + line + m.HTML[i:]
	} else {
		m.HTML += line
	}
	return m
}
