// Package links answers the signed links Glassbox mails out (signed and checked by shared/linksign): the
// accountant's one-click "payment received" page for an invoice and its confirmation, the download of an issued
// PDF, the one-click unsubscribe link of report emails (unsubscribe.go), and the client's feedback links: a
// task-done notice's Принять / Есть правки and a report's rating (feedback.go). The handler serves AWS Lambda
// (HTTP API, payload 2.0) and glassbox dev alike.
package links

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/httpapi"
	"github.com/glassbox-oss/glassbox/shared/linksign"
)

// MaxBodyBytes is the largest request body accepted; larger ones get 413. The pay form posts no fields.
const MaxBodyBytes = 16 << 10

// Store is what the link handler needs of the store.
type Store interface {
	// Document reads a document's snapshot; glassbox.ErrNotFound when there is none.
	Document(ctx context.Context, id string) (glassbox.Document, error)
	// DocumentPDF reads the PDF exactly as issued; glassbox.ErrNotFound when there is none.
	DocumentPDF(ctx context.Context, id string) ([]byte, error)
	// AppendEvent stores a new event; glassbox.ErrDuplicate when one with its ID exists.
	AppendEvent(ctx context.Context, e glassbox.Event) error
}

// Options are the settings of a Handler.
type Options struct {
	// KeyParam names the parameter holding the link key (its value's bytes, at least MinKeyBytes). It is read
	// on the first request and kept for the life of the warm instance. Missing or short, every link answers
	// 500 and the problem is logged.
	KeyParam string
	Logger   *slog.Logger
}

// Handler answers signed links: the invoice's "payment received" page and its confirmation, and PDF downloads.
type Handler struct {
	store  Store
	signer *linksign.KeyedSigner
	clock  glassbox.Clock
	opts   Options
	log    *slog.Logger
	// unsub answers /u/{token} when set (WithUnsubscribe); without it those links are not found.
	unsub *unsubscriber
	// feedback answers /a/{token} and /r/{token} when set (WithFeedback); without it they are not found.
	feedback *feedbacker
}

// NewHandler builds the link handler over its dependencies.
func NewHandler(store Store, key linksign.KeySource, clock glassbox.Clock, opts Options) *Handler {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Handler{store: store, signer: &linksign.KeyedSigner{Keys: key, Param: opts.KeyParam}, clock: clock, opts: opts, log: log}
}

// target is what a request's path asks for.
type target struct {
	action linksign.Action
	// docID is the document of a pay or download link, or the token of an unsubscribe link.
	docID string
}

func (t target) name() string {
	if t.action == "" {
		return "unknown"
	}
	return string(t.action)
}

// tokenLink says whether the path's last segment is a signed token (unsubscribe, approval, rating) rather
// than a document id.
func (t target) tokenLink() bool {
	switch t.action {
	case linksign.ActionUnsubscribe, linksign.ActionApproval, linksign.ActionRating:
		return true
	}
	return false
}

func (t target) allow() string {
	if t.action == linksign.ActionDocument {
		return "GET, HEAD"
	}
	return "GET, HEAD, POST"
}

// Handle answers one API Gateway HTTP API (payload 2.0) request for /pay/{doc}, /documents/{doc}, /u/{token},
// /a/{token} or /r/{token}.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	t := route(req)
	method := req.RequestContext.HTTP.Method
	// Never the query string, nor an unsubscribe token: they hold the signature (and the token the address).
	docID := t.docID
	if t.tokenLink() {
		docID = ""
	}
	log := h.log.With("request_id", req.RequestContext.RequestID, "route", t.name(), "doc_id", docID, "method", method)
	resp, err := h.handle(ctx, req, t, log)
	if err != nil {
		status := httpapi.StatusOf(err)
		level := slog.LevelWarn
		if status >= 500 {
			level = slog.LevelError
		}
		log.Log(ctx, level, "link refused", "status", status, "error", err.Error())
		resp = errorPage(status, err)
		if status == http.StatusMethodNotAllowed {
			resp.Headers["Allow"] = t.allow()
		}
	} else {
		log.Info("link answered", "status", resp.StatusCode)
	}
	if method == http.MethodHead {
		resp.Body, resp.IsBase64Encoded = "", false
	}
	return resp, nil
}

func (h *Handler) handle(ctx context.Context, req events.APIGatewayV2HTTPRequest, t target, log *slog.Logger) (events.APIGatewayV2HTTPResponse, error) {
	method := req.RequestContext.HTTP.Method
	if method != http.MethodGet && method != http.MethodHead && method != http.MethodPost {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: %s", httpapi.ErrMethodNotAllowed, method)
	}
	if bodyLen(req) > MaxBodyBytes {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: over %d bytes", httpapi.ErrTooLarge, MaxBodyBytes)
	}
	if t.action == "" {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: no route for this path", httpapi.ErrNotFound)
	}
	if t.action == linksign.ActionDocument && method == http.MethodPost {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: %s on a document link", httpapi.ErrMethodNotAllowed, method)
	}
	if t.action == linksign.ActionUnsubscribe && h.unsub == nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: unsubscribe links are not served here", httpapi.ErrNotFound)
	}
	feedback := t.action == linksign.ActionApproval || t.action == linksign.ActionRating
	if feedback && h.feedback == nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: feedback links are not served here", httpapi.ErrNotFound)
	}
	signer, err := h.signer.Signer(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: %v", httpapi.ErrUnavailable, err)
	}
	if t.action == linksign.ActionUnsubscribe {
		return h.unsub.answer(ctx, signer, t.docID, method, h.clock.Now().UTC(), log)
	}
	if feedback {
		return h.feedback.answer(ctx, signer, t, req, h.clock.Now().UTC(), log)
	}
	// A query that does not parse leaves exp or sig empty, which Check refuses.
	q, _ := url.ParseQuery(req.RawQueryString)
	exp, sig := q.Get("exp"), q.Get("sig")
	now := h.clock.Now().UTC()
	if err := signer.Check(t.action, t.docID, exp, sig, now); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	switch {
	case t.action == linksign.ActionDocument:
		return h.download(ctx, t.docID)
	case method == http.MethodPost:
		return h.confirm(ctx, t.docID, now, log)
	default:
		// GET and HEAD only show: mail scanners fetch links before people do.
		doc, err := h.invoice(ctx, t.docID)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		self := url.Values{"exp": {exp}, "sig": {sig}}
		return htmlResponse(http.StatusOK, invoicePage(doc, "?"+self.Encode())), nil
	}
}

// confirm records that the accountant confirmed payment. The event is the record; the React function marks
// the invoice paid from it. Confirming twice stores one event and shows the same page.
func (h *Handler) confirm(ctx context.Context, docID string, now time.Time, log *slog.Logger) (events.APIGatewayV2HTTPResponse, error) {
	doc, err := h.invoice(ctx, docID)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	switch doc.State {
	case glassbox.DocumentVoid:
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: invoice %s is void", httpapi.ErrConflict, docID)
	case glassbox.DocumentPaid:
		log.Info("invoice already paid", "paid_by", doc.PaidBy)
		return htmlResponse(http.StatusOK, thankYouPage(doc)), nil
	}
	e := PaymentEvent(doc, now)
	err = h.store.AppendEvent(ctx, e)
	switch {
	case errors.Is(err, glassbox.ErrDuplicate):
		log.Info("payment already confirmed", "event_id", e.ID)
	case err != nil:
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: store event %s: %v", httpapi.ErrUnavailable, e.ID, err)
	default:
		log.Info("payment confirmed", "event_id", e.ID)
	}
	return htmlResponse(http.StatusOK, thankYouPage(doc)), nil
}

// PaymentEvent is the event a confirmed pay link stores for an invoice. Its id depends only on the invoice,
// so confirming again is a duplicate.
func PaymentEvent(doc glassbox.Document, now time.Time) glassbox.Event {
	now = now.UTC()
	return glassbox.Event{
		ID:              glassbox.EventID("link", "paid:"+doc.ID),
		ProjectID:       doc.ProjectID,
		Provider:        "link",
		ProviderEventID: "paid:" + doc.ID,
		Kind:            glassbox.EventPaymentConfirmed,
		ProviderType:    "payment_link",
		DocumentID:      doc.ID,
		Title:           doc.Number,
		Actor:           "accountant",
		OccurredAt:      now,
		ReceivedAt:      now,
	}
}

// download answers the stored PDF exactly as issued.
func (h *Handler) download(ctx context.Context, docID string) (events.APIGatewayV2HTTPResponse, error) {
	doc, err := h.document(ctx, docID)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	pdf, err := h.store.DocumentPDF(ctx, docID)
	if errors.Is(err, glassbox.ErrNotFound) {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: no PDF for document %s", httpapi.ErrNotFound, docID)
	}
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: read PDF of %s: %v", httpapi.ErrUnavailable, docID, err)
	}
	if doc.PDFSHA256 != "" {
		// Never hand out something other than what was sent.
		if sum := sha256.Sum256(pdf); !strings.EqualFold(hex.EncodeToString(sum[:]), doc.PDFSHA256) {
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: stored PDF of %s does not match its SHA-256", httpapi.ErrUnavailable, docID)
		}
	}
	headers := commonHeaders()
	headers["Content-Type"] = "application/pdf"
	headers["Content-Disposition"] = contentDisposition(doc)
	return events.APIGatewayV2HTTPResponse{
		StatusCode:      http.StatusOK,
		Headers:         headers,
		Body:            base64.StdEncoding.EncodeToString(pdf),
		IsBase64Encoded: true,
	}, nil
}

// document reads a document, mapping the store's errors to answers.
func (h *Handler) document(ctx context.Context, id string) (glassbox.Document, error) {
	doc, err := h.store.Document(ctx, id)
	if errors.Is(err, glassbox.ErrNotFound) {
		return glassbox.Document{}, fmt.Errorf("%w: document %s", httpapi.ErrNotFound, id)
	}
	if err != nil {
		return glassbox.Document{}, fmt.Errorf("%w: read document %s: %v", httpapi.ErrUnavailable, id, err)
	}
	return doc, nil
}

// invoice reads a document that must be an invoice; an act behind a pay link is not found.
func (h *Handler) invoice(ctx context.Context, id string) (glassbox.Document, error) {
	doc, err := h.document(ctx, id)
	if err != nil {
		return doc, err
	}
	if doc.Kind != glassbox.DocumentInvoice {
		return glassbox.Document{}, fmt.Errorf("%w: document %s is a %s, not an invoice", httpapi.ErrNotFound, id, doc.Kind)
	}
	return doc, nil
}

// route reads /pay/{doc}, /documents/{doc} or /u/{token} from the path: the "doc" (or "token") path parameter
// API Gateway or glassbox dev fills in, or the last path segment. Only the last two segments count, so a stage
// or base path in front does not matter.
func route(req events.APIGatewayV2HTTPRequest) target {
	path := req.RawPath
	if path == "" {
		path = req.RequestContext.HTTP.Path
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 2 {
		return target{}
	}
	var a linksign.Action
	param := "doc"
	switch parts[len(parts)-2] {
	case "pay":
		a = linksign.ActionPay
	case "documents":
		a = linksign.ActionDocument
	case "u":
		a, param = linksign.ActionUnsubscribe, "token"
	case "a":
		a, param = linksign.ActionApproval, "token"
	case "r":
		a, param = linksign.ActionRating, "token"
	default:
		return target{}
	}
	doc := req.PathParameters[param]
	if doc == "" {
		var err error
		if doc, err = url.PathUnescape(parts[len(parts)-1]); err != nil {
			return target{}
		}
	}
	if doc == "" {
		return target{}
	}
	return target{action: a, docID: doc}
}

func bodyLen(req events.APIGatewayV2HTTPRequest) int {
	if req.IsBase64Encoded {
		return base64.StdEncoding.DecodedLen(len(req.Body))
	}
	return len(req.Body)
}
