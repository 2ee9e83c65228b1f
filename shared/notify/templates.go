package notify

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// The wording goes through glassbox's own small template engine (glassbox/template.go) rather than
// text/template or html/template: those reach reflect.Value.MethodByName, which stops the linker from dropping
// unused methods and made the React binary 16.4 MB instead of 10.3 MB. The engine escapes by medium, so neither
// a built-in wording nor an admin's can put unescaped tracker text into HTML or Telegram.

// worded is one message in every medium it can go out in.
type worded struct {
	Subject, Text, HTML, Telegram string
}

// parsed caches templates by kind, part, locale and source: built-ins and the agency file's overrides are
// parsed once per process, not per message.
var parsed sync.Map

type parsedKey struct {
	kind        glassbox.MessageKind
	part        glassbox.TemplatePart
	locale, src string
}

func parseCached(k glassbox.MessageKind, part glassbox.TemplatePart, src, locale string) (*glassbox.Template, error) {
	key := parsedKey{k, part, locale, src}
	if t, ok := parsed.Load(key); ok {
		return t.(*glassbox.Template), nil
	}
	t, err := glassbox.ParsePart(k, part, src, locale)
	if err != nil {
		return nil, err
	}
	parsed.Store(key, t)
	return t, nil
}

// layers are the templates that may word a message, most specific first: the project's own (when the message
// speaks the project's locale), the agency's in the message's locale, the built-in one (of the variant, when the
// kind has several).
func layers(cfg glassbox.Config, p glassbox.Project, locale string, k glassbox.MessageKind, variant string) []glassbox.MessageTemplate {
	var out []glassbox.MessageTemplate
	if t, ok := p.Templates[k]; ok && cfg.ProjectLocale(p) == locale {
		out = append(out, t)
	}
	if t, ok := cfg.Agency.Templates[locale][k]; ok {
		out = append(out, t)
	}
	name := string(k)
	if variant != "" {
		name += "/" + variant
	}
	return append(out, builtin[locale][name])
}

// word renders a message kind for a project in a locale, from the view v (bounded already).
func word(cfg glassbox.Config, p glassbox.Project, locale string, k glassbox.MessageKind, variant string, v view) (worded, error) {
	return wordVars(cfg, p, locale, k, variant, v.vars(), v.Title)
}

// wordVars renders a message kind from its variables; title is the one a long subject shortens first.
func wordVars(cfg glassbox.Config, p glassbox.Project, locale string, k glassbox.MessageKind, variant string, vars glassbox.Vars, title string) (worded, error) {
	ls := layers(cfg, p, locale, k, variant)
	// render takes the first layer's template for a medium: a part written for the medium wins over the body
	// within a layer, and any of them over the layers below. An override that no longer parses (stored by an
	// older version, whose variables differed; apply refuses such a file now) gives way to the layer below, so
	// the message still goes out in the built-in wording rather than not at all.
	render := func(m glassbox.Medium, parts ...glassbox.TemplatePart) (string, error) {
		var firstErr error
		for _, l := range ls {
			for _, part := range parts {
				src := l.Part(part)
				if src == "" {
					continue
				}
				t, err := parseCached(k, part, src, locale)
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("notify: %s %s template (%s): %w", k, part, locale, err)
					}
					break
				}
				return t.Render(vars, m), nil
			}
		}
		if firstErr != nil {
			return "", firstErr
		}
		return "", fmt.Errorf("notify: no %s wording of %s in %s", parts[0], k, locale)
	}
	var w worded
	var err error
	if w.Subject, err = render(glassbox.MediumLine, glassbox.PartSubject); err != nil {
		return worded{}, err
	}
	if over := utf8.RuneCountInString(w.Subject) - maxSubject; over > 0 && title != "" {
		// A long title is shortened first, so the project's name stays in view.
		vars["title"] = shorten(title, max(utf8.RuneCountInString(title)-over, 20))
		w.Subject, _ = render(glassbox.MediumLine, glassbox.PartSubject)
		vars["title"] = title
	}
	w.Subject = shorten(w.Subject, maxSubject)
	if w.Text, err = render(glassbox.MediumText, glassbox.PartText, glassbox.PartBody); err != nil {
		return worded{}, err
	}
	html, err := render(glassbox.MediumHTML, glassbox.PartHTML, glassbox.PartBody)
	if err != nil {
		return worded{}, err
	}
	w.HTML = htmlLayout(html)
	if w.Telegram, err = render(glassbox.MediumTelegram, glassbox.PartTelegram, glassbox.PartBody); err != nil {
		return worded{}, err
	}
	return w, nil
}

// vars are the view's values under the names templates use (glassbox.MessageVars says which kind has which).
func (v view) vars() glassbox.Vars {
	out := glassbox.Vars{
		"greeting": v.Greeting, "agency": v.Agency, "project": v.Project, "manager": v.Manager, "link": v.Link,
		"title": v.Title, "list": v.List, "actor": v.Actor,
		"client": v.Client, "stage": v.Stage, "billed_stage": v.BilledStage, "invoice": v.Invoice, "amount": v.Amount,
		"due": v.Due, "expires": v.Expires, "reminder": v.Reminder, "reminders": v.Reminders,
		"starting": v.Starting, "prepay": v.Prepay, "postpay": v.Postpay, "last": v.Last,
		"count": len(v.Tasks), "address": v.Address, "reason": v.Reason, "recipient": v.Recipient,
		"channel": v.Channel, "subject": v.Subject, "chat": v.Chat, "new_chat": v.NewChat, "resubscribe": v.Resubscribe,
		"accept": v.Accept, "changes": v.Changes,
		"comment": v.Comment, "score": v.Score, "accepted": v.Accepted, "changes_requested": v.ChangesRequested, "rated": v.Rated,
	}
	if len(v.Tasks) > 0 {
		items := make([]glassbox.Vars, len(v.Tasks))
		for i, t := range v.Tasks {
			items[i] = glassbox.Vars{"title": t.Title, "link": t.Link, "accept": t.Accept, "changes": t.Changes}
		}
		out["tasks"] = items
	}
	return out
}

func htmlLayout(body string) string {
	return `<!DOCTYPE html><html><head><meta charset="utf-8"></head>` +
		`<body style="font-family:-apple-system,Segoe UI,Roboto,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933;max-width:560px">` +
		body + `</body></html>`
}

// builtinNames lists the built-in template names of a locale (kinds and their variants), for tests.
func builtinNames(locale string) []string {
	var out []string
	for n := range builtin[locale] {
		out = append(out, n)
	}
	return out
}

// kindOf is the message kind of a built-in template name ("invoice_reminder/2" → invoice_reminder).
func kindOf(name string) glassbox.MessageKind {
	k, _, _ := strings.Cut(name, "/")
	return glassbox.MessageKind(k)
}
