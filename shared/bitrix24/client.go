package bitrix24

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/readback"
)

// DefaultTimeout bounds one REST call, whatever the caller's context allows.
const DefaultTimeout = readback.DefaultTimeout

// Client reads deals back through a portal's incoming webhook, whose URL
// ("https://portal.bitrix24.ru/rest/1/abc123/") holds its secret: the Client never puts it in an error.
type Client struct {
	// HTTP makes the calls; nil means a client with DefaultTimeout.
	HTTP *http.Client
}

// ReadBack completes a deal_updated event: Bitrix24's hook carries only the deal id, so the deal (its stage,
// amount) is read through the incoming-webhook URL, credential (the binding's api_param). Other events are
// returned as they are.
func (p Provider) ReadBack(ctx context.Context, _ glassbox.Binding, credential string, e glassbox.Event) (glassbox.Event, error) {
	if e.Kind != glassbox.EventDealUpdated || e.Deal == nil {
		return e, nil
	}
	d, err := (&Client{HTTP: p.HTTP}).FetchDeal(ctx, credential, e.Deal.ID)
	if err != nil {
		return e, err
	}
	e.Deal = &d
	return e, nil
}

// APIError is an error answer of the Bitrix24 REST API, {"error":"...","error_description":"..."}, or an
// answer that is not JSON. Code is Bitrix24's error code ("NOT_FOUND", "QUERY_LIMIT_EXCEEDED",
// "expired_token", "INVALID_CREDENTIALS"), empty when the answer is not JSON or has none; Message is its
// error_description.
type APIError struct {
	readback.HTTPError
}

// Retryable says whether the same call may succeed later: a 5xx or 429 answer, or QUERY_LIMIT_EXCEEDED (the
// portal's rate limit). Bad credentials and missing deals are not.
func (e *APIError) Retryable() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Code == "QUERY_LIMIT_EXCEEDED"
}

// Is makes a missing deal errors.Is(err, glassbox.ErrNotFound): Bitrix24 says so in its error JSON. Unlike
// readback.HTTPError, a 404 or 410 status alone is not taken for one.
func (e *APIError) Is(target error) bool {
	return target == glassbox.ErrNotFound &&
		(strings.EqualFold(e.Code, "NOT_FOUND") || strings.EqualFold(e.Message, "Not found"))
}

// FetchDeal reads one deal with crm.deal.get through the incoming-webhook base URL apiURL (with or without its
// trailing slash) and returns what it says: ID, TITLE as Name, STAGE_ID, CATEGORY_ID as PipelineID, OPPORTUNITY
// as Amount, CURRENCY_ID, and Won when STAGE_SEMANTIC_ID is "S". The previous stage is not known. An
// OPPORTUNITY that does not read as an amount leaves Amount zero: it is only shown, never billed.
//
// An error answer is an *APIError (errors.As); a missing deal is also glassbox.ErrNotFound. Retryable answers
// (5xx, QUERY_LIMIT_EXCEEDED) are returned like any other: the caller retries. No error contains apiURL.
func (c *Client) FetchDeal(ctx context.Context, apiURL, dealID string) (glassbox.DealChange, error) {
	fail := func(format string, args ...any) (glassbox.DealChange, error) {
		return glassbox.DealChange{}, redact(fmt.Errorf("bitrix24: crm.deal.get %s: "+format, append([]any{strconv.Quote(dealID)}, args...)...), apiURL)
	}
	if dealID == "" {
		return fail("no deal id")
	}
	if !readback.ValidBase(apiURL) {
		return fail("the API URL is not an http(s) webhook base URL")
	}
	a, err := readback.Do(ctx, c.HTTP, readback.Request{URL: readback.Endpoint(apiURL, "/crm.deal.get.json?id="+url.QueryEscape(dealID))})
	if err != nil {
		return fail("%w", err)
	}

	var answer struct {
		Result           json.RawMessage `json:"result"`
		Error            string          `json:"error"`
		ErrorDescription string          `json:"error_description"`
	}
	if err := json.Unmarshal(a.Body, &answer); err != nil {
		return fail("%w", &APIError{readback.HTTPError{Status: a.Status, Message: "the answer is not JSON (" + readback.Clip(a.ContentType, 60) + ")"}})
	}
	if answer.Error != "" || answer.ErrorDescription != "" || !a.OK() {
		return fail("%w", &APIError{readback.HTTPError{Status: a.Status, Code: readback.Clip(answer.Error, 60), Message: readback.Clip(answer.ErrorDescription, 200)}})
	}
	var f dealFields
	if r := bytes.TrimSpace(answer.Result); len(r) == 0 || r[0] != '{' {
		return fail("the answer has no deal")
	}
	if err := json.Unmarshal(answer.Result, &f); err != nil {
		return fail("decode deal: %v", err)
	}
	if f.ID == "" {
		return fail("the answer's deal has no ID")
	}
	d := glassbox.DealChange{
		ID:         string(f.ID),
		Name:       string(f.Title),
		StageID:    string(f.StageID),
		PipelineID: string(f.CategoryID),
		Currency:   string(f.CurrencyID),
		Won:        f.StageSemanticID == "S",
	}
	if m, err := glassbox.ParseMinor(string(f.Opportunity)); err == nil {
		d.Amount = m
	}
	return d, nil
}

// dealFields are the fields of crm.deal.get's result that FetchDeal reads.
type dealFields struct {
	ID              text `json:"ID"`
	Title           text `json:"TITLE"`
	StageID         text `json:"STAGE_ID"`
	StageSemanticID text `json:"STAGE_SEMANTIC_ID"`
	CategoryID      text `json:"CATEGORY_ID"`
	Opportunity     text `json:"OPPORTUNITY"`
	CurrencyID      text `json:"CURRENCY_ID"`
}

// text is a field Bitrix24 sends as a string, though some portals and versions send numbers or null.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case string(b) == "null":
		*t = ""
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return fmt.Errorf("want a string, got %.20s", b)
	default:
		*t = text(b)
	}
	return nil
}

// redact removes the webhook base URL, and its path that holds the secret, from an error's text. The chain
// below it stays for errors.Is and errors.As; FetchDeal never puts a *url.Error in it.
func redact(err error, apiURL string) error {
	msg := err.Error()
	secrets := []string{apiURL, strings.TrimRight(apiURL, "/")}
	if u, perr := url.Parse(apiURL); perr == nil {
		if p := strings.Trim(u.Path, "/"); p != "" {
			secrets = append(secrets, p)
		}
		if p := strings.Trim(u.EscapedPath(), "/"); p != "" {
			secrets = append(secrets, p)
		}
	}
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return &redactedError{msg: msg, err: errors.Unwrap(err)}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
