// Package yandexmetrika pulls a counter's daily goal reaches from the Yandex.Metrika Reporting API
// (GET {base}/stat/v1/data) as glassbox.Metric, source "yandex_metrika": the reaches of the binding's goals,
// summed, are the day's Leads.
//
// Decisions:
//   - One request asks for at most 20 metrics (the API's limit), so the goals go in chunks of 20 and the chunks'
//     reaches are summed per day.
//   - accuracy=full asks for unsampled figures. Should the answer still say sampled, the figures are kept (the
//     best there are) and the sampling is logged with its share, so a surprising number can be explained.
//   - Every day asked for gets a Metric, zero where Metrika has no row, so a re-pulled day replaces.
//   - Error answers ({"errors": [...], "code", "message"}) become an *APIError; 429 and 5xx are asked again twice,
//     after 2 s and 4 s, while the context's deadline allows. The token is never in an error.
package yandexmetrika

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/wait"
)

// Name is the provider's name in bindings, and the Source of the figures it brings.
const Name = "yandex_metrika"

// DefaultBaseURL is the Reporting API's host; a binding's api_url replaces it (a stand-in).
const DefaultBaseURL = "https://api-metrika.yandex.net"

// DefaultTimeout bounds one HTTP request.
const DefaultTimeout = 30 * time.Second

// MaxMetrics is how many metrics one request may ask for.
const MaxMetrics = 20

const (
	retries        = 2
	backoff        = 2 * time.Second
	deadlineMargin = 5 * time.Second
	maxAnswerBytes = 16 << 20
)

// Client pulls goal reaches. Use New.
type Client struct {
	http  *http.Client
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
	log   *slog.Logger
}

// Option changes a Client.
type Option func(*Client)

// WithHTTPClient sends requests through h.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithSleep replaces the wait between retries (tests).
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = sleep }
}

// WithLogger logs what the figures cannot say themselves (a sampled answer).
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// New returns a Client.
func New(opts ...Option) *Client {
	c := &Client{http: &http.Client{Timeout: DefaultTimeout}, sleep: wait.Sleep, now: time.Now, log: slog.Default()}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Info declares the provider to the registry: a metrics source Glassbox pulls, counting the binding's goals
// (goals) on a counter (external_id) with an OAuth token (api_param).
func (*Client) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderMetrics, Pulled: true, NeedsGoals: true}
}

// APIError is an error answer of the Reporting API.
type APIError struct {
	Status  int
	Type    string // the first error's error_type: invalid_parameter, access_denied, quota, ...
	Message string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("yandexmetrika: HTTP %d", e.Status)
	if e.Type != "" {
		s += " " + e.Type
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Retryable says asking again later may succeed: the quota (429) or Metrika's server.
func (e *APIError) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// Pull returns the binding's leads (its goals' reaches, summed) for each of days (consecutive dates,
// "2006-01-02", ascending; the counter's zone), with Source set; the caller sets ProjectID, Origin and
// UpdatedAt.
func (c *Client) Pull(ctx context.Context, b glassbox.Binding, token string, days []string) ([]glassbox.Metric, error) {
	if len(days) == 0 {
		return nil, nil
	}
	from, to := days[0], days[len(days)-1]
	if len(b.Goals) == 0 {
		return nil, fmt.Errorf("yandexmetrika: binding %s names no goals: nothing counts as a lead", b.ID)
	}
	leads := map[string]int64{}
	for start := 0; start < len(b.Goals); start += MaxMetrics {
		goals := b.Goals[start:min(start+MaxMetrics, len(b.Goals))]
		ans, err := c.data(ctx, b, token, goals, from, to, len(days))
		if err != nil {
			return nil, err
		}
		if ans.Sampled {
			c.log.Warn("metrika answer is sampled: the leads are an estimate", "binding", b.ID, "counter", b.ExternalID,
				"from", from, "to", to, "sample_share", ans.SampleShare)
		}
		for _, row := range ans.Data {
			if len(row.Dimensions) == 0 || len(row.Metrics) != len(goals) {
				return nil, fmt.Errorf("yandexmetrika: counter %s: a row with %d dimensions and %d metrics, asked for 1 and %d",
					b.ExternalID, len(row.Dimensions), len(row.Metrics), len(goals))
			}
			date := row.Dimensions[0].Name
			for _, v := range row.Metrics {
				if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("yandexmetrika: counter %s, %s: %v reaches", b.ExternalID, date, v)
				}
				leads[date] += int64(math.Round(v))
			}
		}
	}
	out := make([]glassbox.Metric, 0, len(days))
	for _, d := range days {
		out = append(out, glassbox.Metric{Date: d, Source: Name, Leads: leads[d]})
	}
	return out, nil
}

// answer is the part of /stat/v1/data's answer Pull reads.
type answer struct {
	Data []struct {
		Dimensions []struct {
			Name string `json:"name"`
		} `json:"dimensions"`
		Metrics []float64 `json:"metrics"`
	} `json:"data"`
	Sampled     bool    `json:"sampled"`
	SampleShare float64 `json:"sample_share"`
}

// data asks for one chunk of goals, again after a quota or server error while the deadline allows.
func (c *Client) data(ctx context.Context, b glassbox.Binding, token string, goals []string, from, to string, days int) (answer, error) {
	metrics := make([]string, len(goals))
	for i, g := range goals {
		metrics[i] = "ym:s:goal" + g + "reaches"
	}
	q := url.Values{}
	q.Set("ids", b.ExternalID)
	q.Set("metrics", strings.Join(metrics, ","))
	q.Set("dimensions", "ym:s:date")
	q.Set("date1", from)
	q.Set("date2", to)
	q.Set("accuracy", "full")
	q.Set("limit", strconv.Itoa(max(days, 1)))
	base := DefaultBaseURL
	if b.APIURL != "" {
		base = strings.TrimRight(b.APIURL, "/")
	}
	u := base + "/stat/v1/data?" + q.Encode()
	for attempt := 0; ; attempt++ {
		status, raw, err := c.get(ctx, u, token)
		if err != nil {
			return answer{}, err
		}
		if status == http.StatusOK {
			var a answer
			if err := json.Unmarshal(raw, &a); err != nil {
				return answer{}, fmt.Errorf("yandexmetrika: counter %s: the answer is not the Reporting API's JSON: %w", b.ExternalID, err)
			}
			return a, nil
		}
		apiErr := parseError(status, raw, token)
		pause := backoff << attempt
		if !apiErr.Retryable() || attempt == retries || !wait.Leaves(ctx, c.now(), pause, deadlineMargin) {
			return answer{}, apiErr
		}
		if err := c.sleep(ctx, pause); err != nil {
			return answer{}, fmt.Errorf("yandexmetrika: %w", err)
		}
	}
}

func (c *Client) get(ctx context.Context, u, token string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("yandexmetrika: %w", err)
	}
	req.Header.Set("Authorization", "OAuth "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("yandexmetrika: GET %s: %w", req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return 0, nil, fmt.Errorf("yandexmetrika: read answer: %w", err)
	}
	return resp.StatusCode, raw, nil
}

// parseError reads Metrika's error body; one that is not still makes an APIError with the status.
func parseError(status int, raw []byte, token string) *APIError {
	var body struct {
		Errors []struct {
			Type    string `json:"error_type"`
			Message string `json:"message"`
		} `json:"errors"`
		Message string `json:"message"`
	}
	e := &APIError{Status: status}
	if json.Unmarshal(raw, &body) == nil {
		e.Message = body.Message
		if len(body.Errors) > 0 {
			e.Type = body.Errors[0].Type
			if e.Message == "" {
				e.Message = body.Errors[0].Message
			}
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if token != "" {
		e.Message = strings.ReplaceAll(e.Message, token, "***")
	}
	return e
}
