package links

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/httpapi"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// FeedbackStore is what the approval and rating links need of the store: the configuration (the project, its
// locale and manager), the task an approval answers (its title and link), and the feedback items.
type FeedbackStore interface {
	Config(ctx context.Context) (glassbox.Config, error)
	Task(ctx context.Context, projectID, provider, taskID string) (glassbox.Task, error)
	glassbox.FeedbackStore
}

// WithFeedback makes the handler answer the client's feedback links: a task-done notice's "Принять" / "Есть
// правки" (/a/{token}) and a report's rating 1–5 (/r/{token}). GET shows a page with the task or the chosen
// score and a form with an optional comment, and changes nothing, since mail scanners open links; POST records
// the feedback item once per link and tells the project's manager through notices (notify.FeedbackReceived).
// The client is never answered by a robot: the page thanks them and says the manager will get back to them.
// It returns h.
func (h *Handler) WithFeedback(store FeedbackStore, notices Notices) *Handler {
	h.feedback = &feedbacker{store: store, notices: notices}
	return h
}

type feedbacker struct {
	store   FeedbackStore
	notices Notices
}

// feedbackRequest is what a feedback link asks, once its token is checked.
type feedbackRequest struct {
	cfg     glassbox.Config
	project glassbox.Project
	task    glassbox.Task
	// item is the feedback the link records, without the comment, and with the link's score for a rating.
	item glassbox.Feedback
}

// answer answers an approval or rating link. A token that is malformed, forged, or names a project that is no
// longer configured is not found, and nothing changes.
func (fb *feedbacker) answer(ctx context.Context, signer *linksign.Signer, t target, req events.APIGatewayV2HTTPRequest, now time.Time, log *slog.Logger) (events.APIGatewayV2HTTPResponse, error) {
	r, err := fb.read(ctx, signer, t)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	w := feedbackWordsFor(r.cfg.ProjectLocale(r.project))
	log = log.With("project", r.project.ID, "feedback_id", r.item.ID, "kind", string(r.item.Kind))
	if req.RequestContext.HTTP.Method != http.MethodPost {
		// GET and HEAD only show: a link answered before shows what was recorded.
		stored, err := fb.store.FeedbackItem(ctx, r.item.ID)
		switch {
		case err == nil:
			return htmlResponse(http.StatusOK, feedbackDonePage(w, r.project.Name, stored)), nil
		case !errors.Is(err, glassbox.ErrNotFound):
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: read feedback: %v", httpapi.ErrUnavailable, err)
		}
		return htmlResponse(http.StatusOK, feedbackPage(w, r.project.Name, r.item, t.docID)), nil
	}
	form := formOf(req)
	f := r.item
	f.Comment, f.At = boundComment(form.Get("comment")), now
	if f.Kind == glassbox.FeedbackRating {
		// The page lets the client change the score the link chose. The record is the score sent: the same score
		// from the same report records once, and a changed one (a page open twice, another score) is a new rating
		// the manager hears of when it is low, rather than a duplicate that drops it.
		if n, err := strconv.Atoi(form.Get("score")); err == nil && n >= 1 && n <= 5 {
			f.Score = n
		}
		f.ID = glassbox.FeedbackID(f.Kind, f.ProjectID, "", "", f.MessageID, f.Score)
	}
	if f, err = fb.record(ctx, f, log); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	fb.tellManager(ctx, r.cfg, f, r.task, log)
	return htmlResponse(http.StatusOK, feedbackDonePage(w, r.project.Name, f)), nil
}

// record stores what a post says and returns the item its manager's notice is about. A link posted before is
// not recorded again: its notice is delivered again under the same id, which sends it only if that first
// post's notice did not go out. But a post that says more than the first (another comment: the page was open
// twice) is a follow-up item, so the client's words are never dropped while the page says they went to the
// manager.
func (fb *feedbacker) record(ctx context.Context, f glassbox.Feedback, log *slog.Logger) (glassbox.Feedback, error) {
	err := fb.store.RecordFeedback(ctx, f)
	if errors.Is(err, glassbox.ErrDuplicate) {
		stored, rerr := fb.store.FeedbackItem(ctx, f.ID)
		if rerr != nil {
			return f, fmt.Errorf("%w: read feedback: %v", httpapi.ErrUnavailable, rerr)
		}
		if f.Comment == "" || f.Comment == stored.Comment {
			log.Info("feedback recorded already")
			return stored, nil
		}
		f.ID = glassbox.FollowUpID(stored.ID, f.Comment)
		if err = fb.store.RecordFeedback(ctx, f); errors.Is(err, glassbox.ErrDuplicate) {
			log.Info("feedback follow-up recorded already", "follow_up_id", f.ID)
			return f, nil
		}
	}
	if err != nil {
		return f, fmt.Errorf("%w: record feedback: %v", httpapi.ErrUnavailable, err)
	}
	log.Info("feedback recorded", "recorded_id", f.ID, "score", f.Score, "comment_bytes", len(f.Comment))
	return f, nil
}

// read checks a feedback token and finds its project (and, for an approval, its task).
func (fb *feedbacker) read(ctx context.Context, signer *linksign.Signer, t target) (feedbackRequest, error) {
	var r feedbackRequest
	var projectID string
	switch t.action {
	case linksign.ActionApproval:
		a, err := signer.CheckApproval(t.docID)
		if err != nil {
			return r, fmt.Errorf("%w: %w", httpapi.ErrNotFound, err)
		}
		kind := glassbox.FeedbackAccepted
		if a.Decision == linksign.DecisionChanges {
			kind = glassbox.FeedbackChangesRequested
		}
		projectID = a.ProjectID
		r.item = glassbox.Feedback{ID: glassbox.FeedbackID(kind, a.ProjectID, a.Provider, a.TaskID, a.MessageID, 0),
			ProjectID: a.ProjectID, Kind: kind, Provider: a.Provider, TaskID: a.TaskID, MessageID: a.MessageID}
	default:
		rt, err := signer.CheckRating(t.docID)
		if err != nil {
			return r, fmt.Errorf("%w: %w", httpapi.ErrNotFound, err)
		}
		projectID = rt.ProjectID
		r.item = glassbox.Feedback{ID: glassbox.FeedbackID(glassbox.FeedbackRating, rt.ProjectID, "", "", rt.MessageID, rt.Score),
			ProjectID: rt.ProjectID, Kind: glassbox.FeedbackRating, Score: rt.Score, MessageID: rt.MessageID}
	}
	cfg, err := fb.store.Config(ctx)
	if err != nil && !errors.Is(err, glassbox.ErrNotFound) {
		return r, fmt.Errorf("%w: read config: %v", httpapi.ErrUnavailable, err)
	}
	project, ok := cfg.Project(projectID)
	if !ok {
		return r, fmt.Errorf("%w: %w: project %s is not configured", httpapi.ErrNotFound, linksign.ErrBadLink, projectID)
	}
	r.cfg, r.project = cfg, project
	if r.item.TaskID != "" {
		task, err := fb.store.Task(ctx, projectID, r.item.Provider, r.item.TaskID)
		if err != nil && !errors.Is(err, glassbox.ErrNotFound) {
			return r, fmt.Errorf("%w: read task: %v", httpapi.ErrUnavailable, err)
		}
		// A task no longer stored still takes the client's answer; the page and the notice go without its title.
		r.task, r.item.Title = task, task.Title
	}
	return r, nil
}

// tellManager sends the manager's notice of the feedback. The feedback is recorded whatever happens here, so a
// failure is logged, not answered: the client did what they meant to, and the next sweep (react's
// sweepFeedback) sends a notice that did not go out, as posting again does.
func (fb *feedbacker) tellManager(ctx context.Context, cfg glassbox.Config, f glassbox.Feedback, task glassbox.Task, log *slog.Logger) {
	msgs, err := notify.FeedbackReceived(cfg, f, task)
	for _, m := range msgs {
		if err != nil {
			break
		}
		_, err = fb.notices.Deliver(ctx, m)
	}
	if err != nil {
		log.Error("tell the manager about feedback", "error", err.Error())
	}
}

// formOf reads a posted form (application/x-www-form-urlencoded), however API Gateway passed the body. What
// does not parse is left out: the decision is the link's, the form only adds to it, so a mangled body records
// the decision without a comment rather than lose it.
func formOf(req events.APIGatewayV2HTTPRequest) url.Values {
	body := req.Body
	if req.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return url.Values{}
		}
		body = string(b)
	}
	v, _ := url.ParseQuery(body)
	return v
}

// boundComment is a client's comment as kept: valid UTF-8, trimmed, at most glassbox.MaxFeedbackComment bytes
// (cut at a character boundary).
func boundComment(s string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), ""))
	if len(s) <= glassbox.MaxFeedbackComment {
		return s
	}
	s = s[:glassbox.MaxFeedbackComment]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.TrimSpace(s)
}

// feedbackWords is one language's wording of the feedback pages.
type feedbackWords struct {
	lang, acceptTitle, changesTitle, rateTitle, acceptAsk, changesAsk, rateAsk string
	comment, acceptButton, changesButton, rateButton                           string
	thanks, thanksLater, thanksAccepted, thanksRating, recorded                string
}

var feedbackRU = feedbackWords{
	lang:           "ru",
	acceptTitle:    "Принять работу",
	changesTitle:   "Есть правки",
	rateTitle:      "Оцените нашу работу",
	acceptAsk:      "Принять работу по задаче «%s» (проект «%s»)?",
	changesAsk:     "Что поправить в задаче «%s» (проект «%s»)?",
	rateAsk:        "Как вам наша работа по проекту «%s»?",
	comment:        "Комментарий (необязательно)",
	acceptButton:   "Принять",
	changesButton:  "Отправить правки",
	rateButton:     "Отправить оценку",
	thanks:         "Спасибо! Менеджер проекта свяжется с вами.",
	thanksLater:    "Ваш ответ передан менеджеру проекта «%s».",
	thanksAccepted: "Спасибо! Работа принята, менеджер проекта «%s» получил ваше решение.",
	thanksRating:   "Спасибо за оценку!",
	recorded:       "Ваш ответ записан.",
}

var feedbackEN = feedbackWords{
	lang:           "en",
	acceptTitle:    "Accept the work",
	changesTitle:   "Request changes",
	rateTitle:      "Rate our work",
	acceptAsk:      "Accept the work on “%s” (%s)?",
	changesAsk:     "What should change in “%s” (%s)?",
	rateAsk:        "How do you find our work on %s?",
	comment:        "Comment (optional)",
	acceptButton:   "Accept",
	changesButton:  "Send the changes",
	rateButton:     "Send the rating",
	thanks:         "Thank you! The project's manager will get back to you.",
	thanksLater:    "Your answer went to the manager of %s.",
	thanksAccepted: "Thank you! The work is accepted; the manager of %s has your decision.",
	thanksRating:   "Thank you for the rating!",
	recorded:       "Your answer is recorded.",
}

func feedbackWordsFor(locale string) feedbackWords {
	if glassbox.Locale(locale) == glassbox.LocaleRU {
		return feedbackRU
	}
	return feedbackEN
}

// feedbackPage asks: the task (or the score, preselected), an optional comment, one button posting to the link
// itself (the token, relative to /a/ or /r/).
func feedbackPage(w feedbackWords, project string, f glassbox.Feedback, token string) string {
	title, ask, button := w.acceptTitle, fmt.Sprintf(w.acceptAsk, f.Title, project), w.acceptButton
	switch f.Kind {
	case glassbox.FeedbackChangesRequested:
		title, ask, button = w.changesTitle, fmt.Sprintf(w.changesAsk, f.Title, project), w.changesButton
	case glassbox.FeedbackRating:
		title, ask, button = w.rateTitle, fmt.Sprintf(w.rateAsk, project), w.rateButton
	}
	if f.Title == "" && f.Kind != glassbox.FeedbackRating {
		ask = title + ": " + project
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p>%s</p>\n<form method=\"post\" action=\"%s\">\n", esc(title), esc(ask), esc(token))
	if f.Kind == glassbox.FeedbackRating {
		b.WriteString("<p class=\"scores\">")
		for n := 1; n <= 5; n++ {
			checked := ""
			if n == f.Score {
				checked = " checked"
			}
			fmt.Fprintf(&b, "<label><input type=\"radio\" name=\"score\" value=\"%d\"%s> %d</label> ", n, checked, n)
		}
		b.WriteString("</p>\n")
	}
	fmt.Fprintf(&b, "<p><label>%s<br><textarea name=\"comment\" rows=\"5\" cols=\"40\" maxlength=\"%d\"></textarea></label></p>\n"+
		"<button type=\"submit\">%s</button></form>\n", esc(w.comment), glassbox.MaxFeedbackComment/2, esc(button))
	return page(w.lang, title, b.String())
}

// feedbackDonePage thanks the client for what was recorded. A robot never answers: bad news gets "the manager
// will get back to you", an acceptance that the manager has the decision.
func feedbackDonePage(w feedbackWords, project string, f glassbox.Feedback) string {
	title, note := w.thanks, fmt.Sprintf(w.thanksLater, project)
	if !f.Urgent() {
		title = fmt.Sprintf(w.thanksAccepted, project)
		if f.Kind == glassbox.FeedbackRating {
			title = w.thanksRating
		}
		note = w.recorded
	}
	body := fmt.Sprintf("<h1>%s</h1>\n<p class=\"done\">%s</p>\n", esc(title), esc(note))
	return page(w.lang, title, body)
}
