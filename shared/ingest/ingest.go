// Package ingest is the webhook handler: it checks a delivery, turns it into provider-neutral task events and
// stores each with one conditional write. Nothing else happens before the answer; the React function picks the
// events up from the table's stream. The same handler serves AWS Lambda (HTTP API, payload 2.0) and glassbox dev.
package ingest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/httpapi"
)

// MaxBodyBytes is the largest delivery accepted; larger ones get 413.
const MaxBodyBytes = 1 << 20

// Provider verifies and parses one tracker's or CRM's deliveries. Provider packages (trello, ...) implement it;
// shared/providers is the one list of them.
type Provider interface {
	// Info says what the provider is and can do.
	Info() glassbox.ProviderInfo
	// Verify checks the delivery's signature with the binding's secret; glassbox.ErrBadSignature if it fails.
	Verify(d glassbox.Delivery, secret string) error
	// Parse returns the events in a delivery (none for actions nobody needs to hear about);
	// glassbox.ErrMalformed for a body that is not the provider's format. A CRM's events report the deal;
	// the project is not the provider's to decide (see Parse in this package).
	Parse(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error)
}

// Handshaker is a provider with a subscription check (Trello's HEAD, Asana's X-Hook-Secret).
type Handshaker interface {
	// Handshake says whether d is the provider's subscription check rather than a delivery, and how to answer
	// it. It is asked before any signature is checked: a check carries none.
	Handshake(d glassbox.Delivery) (glassbox.Handshake, bool)
}

// MetricsParser is a provider whose deliveries are daily figures rather than events (the metrics hook). Ingest
// stores what ParseMetrics returns with the store's PutMetrics, instead of asking Parse for events.
type MetricsParser interface {
	// ParseMetrics returns a delivery's figures, all checked; glassbox.ErrMalformed, storing nothing, when one
	// is wrong.
	ParseMetrics(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Metric, error)
}

// Store is what ingest needs of the store. A store that also keeps figures (glassbox.MetricsStore, as both
// real stores do) takes the metrics hook's; with any other, a metrics delivery answers 500 (retry later).
type Store interface {
	Binding(ctx context.Context, provider, id string) (glassbox.Binding, error)
	AppendEvent(ctx context.Context, e glassbox.Event) error
}

// Secrets reads webhook secrets by parameter name, and keeps the ones a handshake hands over.
type Secrets interface {
	Secret(ctx context.Context, name string) (string, error)
	// KeepSecret stores a secret under a name that has none. Keeping the value already stored is nil (a
	// repeated handshake); another value is glassbox.ErrConflict.
	KeepSecret(ctx context.Context, name, value string) error
}

// Options are the optional parts of a Handler.
type Options struct {
	// PublicBaseURL ("https://abc.execute-api.eu-central-1.amazonaws.com") rebuilds the callback URL of a
	// binding that does not name one. Empty: the request's own host is used.
	PublicBaseURL string
	// BindingTTL keeps bindings a warm instance has read for this long, so a webhook costs one DynamoDB
	// request (the write) instead of two. A changed binding takes effect within it. 0 reads every time.
	BindingTTL time.Duration
	Logger     *slog.Logger
}

// Handler answers webhook deliveries.
type Handler struct {
	store     Store
	secrets   Secrets
	providers map[string]Provider
	metrics   glassbox.MetricsStore // nil when store keeps no figures
	clock     glassbox.Clock
	opts      Options
	log       *slog.Logger

	mu       sync.Mutex
	bindings map[string]cachedBinding
}

type cachedBinding struct {
	binding glassbox.Binding
	at      time.Time
}

// NewHandler builds the webhook handler over its dependencies.
func NewHandler(store Store, secrets Secrets, providers []Provider, clock glassbox.Clock, opts Options) *Handler {
	byName := make(map[string]Provider, len(providers))
	for _, p := range providers {
		if p.Info().Pulled {
			continue // Glassbox pulls its data and takes no webhooks for it: its hook URL answers 404
		}
		byName[p.Info().Name] = p
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	metrics, _ := store.(glassbox.MetricsStore)
	return &Handler{store: store, secrets: secrets, providers: byName, metrics: metrics, clock: clock, opts: opts, log: log,
		bindings: map[string]cachedBinding{}}
}

// binding reads a binding, from the warm cache when it is fresh. Unknown bindings are not cached, so a binding
// just applied works at once.
func (h *Handler) binding(ctx context.Context, provider, id string) (glassbox.Binding, error) {
	key := provider + "/" + id
	now := h.clock.Now()
	if h.opts.BindingTTL > 0 {
		h.mu.Lock()
		c, ok := h.bindings[key]
		h.mu.Unlock()
		if ok && now.Sub(c.at) < h.opts.BindingTTL {
			return c.binding, nil
		}
	}
	b, err := h.store.Binding(ctx, provider, id)
	if err == nil && h.opts.BindingTTL > 0 {
		h.mu.Lock()
		h.bindings[key] = cachedBinding{binding: b, at: now}
		h.mu.Unlock()
	}
	return b, err
}

// Result is the JSON body of a successful answer.
type Result struct {
	// Status is "accepted" (at least one new event stored), "duplicate" (all seen before), "ignored" (nothing
	// worth storing), "ok" (a subscription check), or "stored" (a metrics delivery's figures, all of them,
	// replacing any of the same day and source).
	Status string   `json:"status"`
	Events []string `json:"events,omitempty"`
	// Figures counts the figures a metrics delivery stored.
	Figures int `json:"figures,omitempty"`
	// header goes into the answer (a handshake's echo).
	header map[string]string
}

// Handle answers one API Gateway HTTP API (payload 2.0) request.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	provider, bindingID := route(req)
	log := h.log.With("request_id", req.RequestContext.RequestID, "provider", provider, "binding", bindingID)
	res, err := h.handle(ctx, req, provider, bindingID, log)
	if err != nil {
		status := httpapi.StatusOf(err)
		level := slog.LevelWarn
		if status >= 500 {
			level = slog.LevelError
		}
		log.Log(ctx, level, "delivery refused", "status", status, "error", err.Error())
		return respond(status, map[string]string{"error": publicMessage(err)}), nil
	}
	log.Info("delivery answered", "status", res.Status, "events", res.Events)
	resp := respond(http.StatusOK, res)
	if req.RequestContext.HTTP.Method == http.MethodHead {
		resp = events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: map[string]string{}}
	}
	for k, v := range res.header {
		resp.Headers[k] = v
	}
	return resp, nil
}

func (h *Handler) handle(ctx context.Context, req events.APIGatewayV2HTTPRequest, providerName, bindingID string, log *slog.Logger) (Result, error) {
	method := req.RequestContext.HTTP.Method
	if method != http.MethodPost && method != http.MethodHead && method != http.MethodGet {
		return Result{}, fmt.Errorf("%w: %s", httpapi.ErrMethodNotAllowed, method)
	}
	if bodyLen(req) > MaxBodyBytes {
		return Result{}, fmt.Errorf("%w: over %d bytes", httpapi.ErrTooLarge, MaxBodyBytes)
	}
	provider, ok := h.providers[providerName]
	if !ok {
		return Result{}, fmt.Errorf("%w: unknown provider %q", httpapi.ErrNotFound, providerName)
	}
	binding, err := h.binding(ctx, providerName, bindingID)
	if errors.Is(err, glassbox.ErrNotFound) {
		return Result{}, fmt.Errorf("%w: unknown binding %q for provider %q", httpapi.ErrNotFound, bindingID, providerName)
	}
	if err != nil {
		return Result{}, fmt.Errorf("%w: read binding: %v", httpapi.ErrUnavailable, err)
	}
	d, err := NewDelivery(req, h.callbackURL(binding, req), h.clock.Now())
	if err != nil {
		return Result{}, err
	}
	if hs, ok := provider.(Handshaker); ok {
		if check, ok := hs.Handshake(d); ok {
			return h.handshake(ctx, binding, check, log)
		}
	}
	if method != http.MethodPost {
		return Result{}, fmt.Errorf("%w: %s is answered only to %s's subscription check", httpapi.ErrMethodNotAllowed, method, providerName)
	}
	secret, err := h.secrets.Secret(ctx, binding.SecretParam)
	if err != nil {
		return Result{}, fmt.Errorf("%w: read secret %s: %v", httpapi.ErrUnavailable, binding.SecretParam, err)
	}
	if secret == "" {
		// An HMAC with an empty key is a signature anyone can make: nothing is accepted until the secret is set.
		return Result{}, fmt.Errorf("%w: secret %s is empty", httpapi.ErrUnavailable, binding.SecretParam)
	}
	if err := provider.Verify(d, secret); err != nil {
		return Result{}, err
	}
	if mp, ok := provider.(MetricsParser); ok {
		return h.storeMetrics(ctx, mp, d, binding, log)
	}
	evs, err := Parse(provider, d, binding)
	if err != nil {
		return Result{}, err
	}
	if len(evs) == 0 {
		return Result{Status: "ignored"}, nil
	}

	res := Result{Status: "duplicate"}
	for _, e := range evs {
		err := h.store.AppendEvent(ctx, e)
		if errors.Is(err, glassbox.ErrDuplicate) {
			log.Info("duplicate delivery", "event_id", e.ID)
			continue
		}
		if err != nil {
			return Result{}, fmt.Errorf("%w: store event %s: %v", httpapi.ErrUnavailable, e.ID, err)
		}
		res.Status = "accepted"
		res.Events = append(res.Events, e.ID)
	}
	return res, nil
}

// storeMetrics stores a metrics delivery's figures: all of them, replacing any stored for the same project, day
// and source, or none when one is wrong.
func (h *Handler) storeMetrics(ctx context.Context, mp MetricsParser, d glassbox.Delivery, b glassbox.Binding, log *slog.Logger) (Result, error) {
	if h.metrics == nil {
		return Result{}, fmt.Errorf("%w: this store keeps no metrics", httpapi.ErrUnavailable)
	}
	ms, err := mp.ParseMetrics(d, b)
	if err != nil {
		return Result{}, err
	}
	if err := h.metrics.PutMetrics(ctx, ms); err != nil {
		return Result{}, fmt.Errorf("%w: store %d figures: %v", httpapi.ErrUnavailable, len(ms), err)
	}
	log.Info("figures stored", "figures", len(ms), "project", b.ProjectID)
	return Result{Status: "stored", Figures: len(ms)}, nil
}

// handshake answers a subscription check, keeping the secret it hands over under the binding's secret_param.
func (h *Handler) handshake(ctx context.Context, b glassbox.Binding, check glassbox.Handshake, log *slog.Logger) (Result, error) {
	if check.Secret != "" {
		// The kept secret is read first (cached per warm instance): a repeated or forged check then costs no write.
		kept, err := h.secrets.Secret(ctx, b.SecretParam)
		switch {
		case err == nil && kept == check.Secret:
		case err == nil:
			err = glassbox.ErrConflict
		case errors.Is(err, glassbox.ErrNotFound):
			err = h.secrets.KeepSecret(ctx, b.SecretParam, check.Secret)
		}
		if errors.Is(err, glassbox.ErrConflict) {
			// The caller is not told where the secret is kept; the log says, for the admin.
			log.Warn("subscription check refused: the binding keeps another secret; delete the parameter to subscribe again",
				"param", b.SecretParam)
			return Result{}, fmt.Errorf("%w: binding %q keeps the secret of an earlier subscription", httpapi.ErrConflict, b.ID)
		}
		if err != nil {
			return Result{}, fmt.Errorf("%w: keep secret %s: %v", httpapi.ErrUnavailable, b.SecretParam, err)
		}
		log.Info("subscription secret kept", "param", b.SecretParam)
	}
	return Result{Status: "ok", header: check.Header}, nil
}

// Parse is what a delivery means, as it is stored: the provider's events, each completed by the binding
// (glassbox.Binding.Accept decides its project and its times), leaving out deals the binding does not route.
// The webhook handler and glassbox preview both read deliveries through it.
func Parse(p Provider, d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Event, error) {
	evs, err := p.Parse(d, b)
	if err != nil {
		return nil, err
	}
	return b.Accept(evs, d.ReceivedAt), nil
}

// NewDelivery is the delivery a request carries, as provider packages see it: the body exactly as sent
// (decoded when API Gateway base64-encoded it), headers, query, and callbackURL, the URL the provider signs
// over. glassbox.ErrMalformed when the body is not valid base64.
func NewDelivery(req events.APIGatewayV2HTTPRequest, callbackURL string, receivedAt time.Time) (glassbox.Delivery, error) {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return glassbox.Delivery{}, fmt.Errorf("%w: body is not valid base64", glassbox.ErrMalformed)
		}
	}
	return glassbox.Delivery{
		Method:      req.RequestContext.HTTP.Method,
		CallbackURL: callbackURL,
		Header:      header(req.Headers),
		Query:       query(req.RawQueryString),
		Body:        body,
		ReceivedAt:  receivedAt.UTC(),
	}, nil
}

// route reads /hooks/{provider}/{binding} from the path parameters API Gateway fills in, or from the path.
func route(req events.APIGatewayV2HTTPRequest) (provider, binding string) {
	if p, b := req.PathParameters["provider"], req.PathParameters["binding"]; p != "" && b != "" {
		return p, b
	}
	parts := strings.Split(strings.Trim(req.RawPath, "/"), "/")
	if len(parts) == 3 && parts[0] == "hooks" {
		return parts[1], parts[2]
	}
	return "", ""
}

func (h *Handler) callbackURL(b glassbox.Binding, req events.APIGatewayV2HTTPRequest) string {
	if b.CallbackURL != "" {
		return b.CallbackURL
	}
	base := strings.TrimRight(h.opts.PublicBaseURL, "/")
	if base == "" {
		base = "https://" + req.RequestContext.DomainName
	}
	u := base + req.RawPath
	if req.RawQueryString != "" {
		u += "?" + req.RawQueryString
	}
	return u
}

func query(raw string) url.Values {
	q, _ := url.ParseQuery(raw)
	return q
}

func bodyLen(req events.APIGatewayV2HTTPRequest) int {
	if req.IsBase64Encoded {
		return base64.StdEncoding.DecodedLen(len(req.Body))
	}
	return len(req.Body)
}

func header(m map[string]string) http.Header {
	h := make(http.Header, len(m))
	for k, v := range m {
		h.Set(k, v)
	}
	return h
}

// publicMessage is what the caller is told: enough to fix a bad request, nothing internal for a 5xx.
func publicMessage(err error) string {
	if httpapi.StatusOf(err) >= 500 {
		return "temporarily unavailable, retry later"
	}
	return err.Error()
}

func respond(status int, v any) events.APIGatewayV2HTTPResponse {
	body, _ := json.Marshal(v)
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}
}
