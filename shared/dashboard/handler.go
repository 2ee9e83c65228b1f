package dashboard

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Handler answers GET /p/{token} (the page), /p/{token}.json and /p/{token}.csv.
type Handler struct {
	builder *Builder
	clock   glassbox.Clock
	log     *slog.Logger
}

// NewHandler builds the dashboard handler. links signs the PDF download links (billing.Links); approvals
// signs the deliverables' "Принять" / "Есть правки" links (the link key; nil: none shown). The configuration
// is kept ConfigTTL.
func NewHandler(store Store, links DocumentLinks, approvals Signers, clock glassbox.Clock, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return &Handler{builder: &Builder{Store: store, Links: links, Approvals: approvals, Config: glassbox.KeptConfig{TTL: ConfigTTL}}, clock: clock, log: logger}
}

// notFoundBody is the one answer for every link that does not open: unknown, revoked, expired, malformed, or
// for a project no longer configured. It says nothing of which.
const notFoundBody = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\"><title>404</title></head>" +
	"<body><p lang=\"ru\">Ссылка не найдена.</p><p lang=\"en\">Link not found.</p></body></html>\n"

// Format is the form a dashboard is asked for in.
type format string

const (
	formatHTML format = "html"
	formatJSON format = "json"
	formatCSV  format = "csv"
)

// parsePath splits /p/{token}[.json|.csv] (a stage prefix such as /prod is ignored).
func parsePath(path string) (string, format, bool) {
	i := strings.LastIndex(path, "/p/")
	if i < 0 {
		return "", "", false
	}
	rest := path[i+3:]
	if rest == "" || strings.Contains(rest, "/") {
		return "", "", false
	}
	switch {
	case strings.HasSuffix(rest, ".json"):
		return strings.TrimSuffix(rest, ".json"), formatJSON, true
	case strings.HasSuffix(rest, ".csv"):
		return strings.TrimSuffix(rest, ".csv"), formatCSV, true
	}
	return rest, formatHTML, true
}

// Handle answers one API Gateway HTTP API (payload 2.0) request.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	method := req.RequestContext.HTTP.Method
	path := req.RawPath
	if path == "" {
		path = req.RequestContext.HTTP.Path
	}
	// Never log the token: it is the key to the client's data.
	log := h.log.With("request_id", req.RequestContext.RequestID, "route", "dashboard", "method", method)
	if method != http.MethodGet && method != http.MethodHead {
		resp := respond(http.StatusMethodNotAllowed, "text/plain; charset=utf-8", "method not allowed\n")
		resp.Headers["Allow"] = "GET, HEAD"
		return resp, nil
	}
	token, form, ok := parsePath(path)
	resp, err := h.answer(ctx, token, form, ok)
	switch {
	case errors.Is(err, glassbox.ErrNotFound):
		log.Warn("dashboard link refused", "status", http.StatusNotFound)
		resp = respond(http.StatusNotFound, "text/html; charset=utf-8", notFoundBody)
	case err != nil:
		log.Error("dashboard failed", "status", http.StatusInternalServerError, "error", err.Error())
		resp = respond(http.StatusInternalServerError, "text/plain; charset=utf-8", "Something went wrong; try again in a minute.\n")
	default:
		log.Info("dashboard answered", "status", resp.StatusCode, "format", string(form))
	}
	if method == http.MethodHead {
		resp.Body = ""
	}
	return resp, nil
}

func (h *Handler) answer(ctx context.Context, token string, form format, pathOK bool) (events.APIGatewayV2HTTPResponse, error) {
	// Every path is looked up, even one that cannot be a token, so a malformed link costs what an unknown one
	// does and answers alike.
	l, err := h.builder.Store.DashboardLink(ctx, Hash(token))
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	now := h.clock.Now().UTC()
	if !pathOK || !l.Live(now) {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("dashboard: link %s not live: %w", l.ID(), glassbox.ErrNotFound)
	}
	v, err := h.builder.Build(ctx, l, now)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	switch form {
	case formatJSON:
		body, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		return respond(http.StatusOK, "application/json; charset=utf-8", string(body)+"\n"), nil
	case formatCSV:
		body, err := renderCSV(v)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		resp := respond(http.StatusOK, "text/csv; charset=utf-8", string(body))
		resp.Headers["Content-Disposition"] = `attachment; filename="dashboard.csv"`
		return resp, nil
	}
	body, err := renderPage(v)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return respond(http.StatusOK, "text/html; charset=utf-8", string(body)), nil
}

// Headers of every answer. The page runs no script and loads nothing but its own inline style and SVG; it is
// private to whoever holds the link, so it is neither cached (a revoked link must stop at once) nor indexed,
// and the token never leaves in a Referer.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func respond(status int, contentType, body string) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: body, Headers: map[string]string{
		"Content-Type":            contentType,
		"Content-Security-Policy": contentSecurityPolicy,
		"Referrer-Policy":         "no-referrer",
		"X-Robots-Tag":            "noindex, nofollow",
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
	}}
}

// renderCSV writes the numbers and the open tasks, one row each, under one header; the row column says which.
func renderCSV(v View) ([]byte, error) {
	var b bytes.Buffer
	// A byte-order mark, so spreadsheet programs read the Cyrillic as UTF-8.
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"project", "row", "week", "spend_minor", "currency", "leads", "minutes", "status", "title", "due"})
	for _, p := range v.Projects {
		for _, wk := range p.Weeks {
			_ = w.Write([]string{p.ID, "week", wk.From, strconv.FormatInt(wk.Spend, 10), wk.Currency, strconv.FormatInt(wk.Leads, 10),
				strconv.FormatInt(wk.Minutes, 10), "", "", ""})
		}
		tasks := append([]TaskView(nil), p.Waiting...)
		for _, g := range p.Groups {
			tasks = append(tasks, g.Tasks...)
		}
		for _, t := range tasks {
			_ = w.Write([]string{p.ID, "task", "", "", "", "", "", t.Status, csvSafe(t.Title), t.DueDate})
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// csvSafe keeps a tracker title from being run as a formula by a spreadsheet (CSV injection).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
