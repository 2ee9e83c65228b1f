package links

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/httpapi"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// UnsubscribeStore is what the unsubscribe link needs of the store: the configuration (the project, its locale
// and manager), the unsubscriptions, and the delivery notes that list them.
type UnsubscribeStore interface {
	Config(ctx context.Context) (glassbox.Config, error)
	glassbox.UnsubscriptionStore
	DeliveryNotes(ctx context.Context) (glassbox.DeliveryNotes, error)
}

// Notices delivers the manager's notice exactly once (courier.Courier).
type Notices interface {
	Deliver(ctx context.Context, m glassbox.Message, known ...glassbox.IssuedDocument) (sent bool, err error)
}

// WithUnsubscribe makes the handler answer the one-click unsubscribe links of report emails, /u/{token}
// (billing.Links.UnsubscribeURL makes them): GET shows a page with one button and changes nothing, since mail
// scanners open links; POST (RFC 8058's List-Unsubscribe=One-Click, or the page's button) records the
// unsubscription and tells the project's manager once through notices. It returns h.
func (h *Handler) WithUnsubscribe(store UnsubscribeStore, notices Notices) *Handler {
	h.unsub = &unsubscriber{store: store, notices: notices}
	return h
}

type unsubscriber struct {
	store   UnsubscribeStore
	notices Notices
}

// answer answers an unsubscribe link. A token that is malformed, forged, or names a project that is no longer
// configured is not found, and nothing changes.
func (u *unsubscriber) answer(ctx context.Context, signer *linksign.Signer, token, method string, now time.Time, log *slog.Logger) (events.APIGatewayV2HTTPResponse, error) {
	link, err := signer.CheckUnsubscribe(token)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: %w", httpapi.ErrNotFound, err)
	}
	cfg, err := u.store.Config(ctx)
	if err != nil && !errors.Is(err, glassbox.ErrNotFound) {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: read config: %v", httpapi.ErrUnavailable, err)
	}
	project, ok := cfg.Project(link.ProjectID)
	if !ok {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: %w: project %s is not configured", httpapi.ErrNotFound, linksign.ErrBadLink, link.ProjectID)
	}
	w := unsubscribeWordsFor(cfg.ProjectLocale(project))
	recipient := glassbox.SuppressionKey(link.Recipient)
	log = log.With("project", project.ID, "message_id", link.MessageID)

	if method != http.MethodPost {
		// GET and HEAD only show.
		notes, err := u.store.DeliveryNotes(ctx)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: read unsubscriptions: %v", httpapi.ErrUnavailable, err)
		}
		if notes.Unsubscribed(project.ID, recipient) {
			return htmlResponse(http.StatusOK, unsubscribedPage(w, project.Name, recipient)), nil
		}
		return htmlResponse(http.StatusOK, unsubscribePage(w, project.Name, recipient, token)), nil
	}

	rec := glassbox.Unsubscription{ProjectID: project.ID, Recipient: recipient, At: now, MessageID: link.MessageID}
	switch err := u.store.Unsubscribe(ctx, rec); {
	case errors.Is(err, glassbox.ErrDuplicate):
		// Unsubscribed before. The manager was told then, unless that was this very click and its notice did
		// not go out (the function stopped in between): only then is it delivered again, under the same id.
		notes, err := u.store.DeliveryNotes(ctx)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: read unsubscriptions: %v", httpapi.ErrUnavailable, err)
		}
		stored, found := unsubscription(notes, project.ID, recipient)
		if !found || stored.MessageID != link.MessageID {
			log.Info("unsubscribed already")
			return htmlResponse(http.StatusOK, unsubscribedPage(w, project.Name, recipient)), nil
		}
		rec = stored
	case err != nil:
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: record unsubscription: %v", httpapi.ErrUnavailable, err)
	default:
		log.Info("recipient unsubscribed from reports")
	}
	u.tellManager(ctx, cfg, rec, log)
	return htmlResponse(http.StatusOK, unsubscribedPage(w, project.Name, recipient)), nil
}

// tellManager sends the manager's notice of an unsubscription. The unsubscription is recorded whatever happens
// here, so a failure is logged, not answered: the recipient did what they meant to.
func (u *unsubscriber) tellManager(ctx context.Context, cfg glassbox.Config, rec glassbox.Unsubscription, log *slog.Logger) {
	m, ok, err := notify.DigestUnsubscribed(cfg, rec)
	if err == nil && ok {
		_, err = u.notices.Deliver(ctx, m)
	}
	if err != nil {
		log.Error("tell the manager about an unsubscription", "error", err.Error())
	}
}

func unsubscription(n glassbox.DeliveryNotes, projectID, recipient string) (glassbox.Unsubscription, bool) {
	for _, u := range n.Unsubscriptions {
		if u.ProjectID == projectID && u.Recipient == recipient {
			return u, true
		}
	}
	return glassbox.Unsubscription{}, false
}

// unsubscribeWords is one language's wording of the unsubscribe pages.
type unsubscribeWords struct {
	lang, title, ask, button, note, done, doneNote string
}

var unsubscribeRU = unsubscribeWords{
	lang:     "ru",
	title:    "Отписаться от отчётов",
	ask:      "Отчёты по проекту «%s» приходят на адрес %s. Больше не присылать их?",
	button:   "Отписаться",
	note:     "Еженедельные и ежемесячные отчёты перестанут приходить; уведомления о задачах и документы — нет. Менеджер проекта узнает об этом и сможет включить отчёты снова, если попросите.",
	done:     "Готово: отчёты по проекту «%s» больше не будут приходить на %s.",
	doneNote: "Если передумаете, напишите менеджеру проекта — он включит их снова.",
}

var unsubscribeEN = unsubscribeWords{
	lang:     "en",
	title:    "Unsubscribe from reports",
	ask:      "The reports of %s go to %s. Stop sending them?",
	button:   "Unsubscribe",
	note:     "Weekly digests and monthly reports stop; task notices and documents do not. The project's manager is told and can switch the reports back on if you ask.",
	done:     "Done: the reports of %s no longer go to %s.",
	doneNote: "If you change your mind, write to the project's manager, who can switch them back on.",
}

// unsubscribeWordsFor picks the wording for a project's locale (Russian in any spelling, else English).
func unsubscribeWordsFor(locale string) unsubscribeWords {
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		return unsubscribeRU
	}
	return unsubscribeEN
}

// unsubscribePage asks, with one button that posts what RFC 8058's one-click POST sends, to the link itself
// (the token, relative to /u/).
func unsubscribePage(w unsubscribeWords, project, recipient, token string) string {
	body := fmt.Sprintf("<h1>%s</h1>\n<p>%s</p>\n"+
		"<form method=\"post\" action=\"%s\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"+
		"<button type=\"submit\">%s</button></form>\n<p class=\"note\">%s</p>\n",
		esc(w.title), esc(fmt.Sprintf(w.ask, project, recipient)), esc(token), esc(w.button), esc(w.note))
	return page(w.lang, w.title, body)
}

// unsubscribedPage answers an unsubscription, also a repeated one, and a link opened after it.
func unsubscribedPage(w unsubscribeWords, project, recipient string) string {
	title := fmt.Sprintf(w.done, project, recipient)
	body := fmt.Sprintf("<h1>%s</h1>\n<p>%s</p>\n", esc(title), esc(w.doneNote))
	return page(w.lang, w.title, body)
}
