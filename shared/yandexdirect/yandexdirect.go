// Package yandexdirect pulls an advertiser's daily figures (spend, impressions, clicks, conversions) from the
// Yandex.Direct Reports API v5 (POST {base}/json/v5/reports) as glassbox.Metric, one per day summed over the
// campaigns, source "yandex_direct".
//
// Decisions, so the next engineer need not re-derive them:
//   - The report is a CAMPAIGN_PERFORMANCE_REPORT of Date, CampaignId, Impressions, Clicks, Cost and Conversions,
//     IncludeVAT YES (what the client pays, as Direct's own interface shows it), in processingMode auto.
//   - Money comes as micro-units (Direct's default): integers, so sums are exact. Cost is summed per day in
//     micros and converted once to minor units of the binding's currency; every Direct account currency has two
//     decimals, so one minor unit is 10,000 micros. Direct rounds micros to 10,000 already; any remainder is
//     rounded half away from zero. The plain form (returnMoneyInMicros: false, decimals with a point) parses to
//     the same micros, exactly, without floats.
//   - The answer's report header and summary rows are skipped (skipReportHeader, skipReportSummary), the column
//     header is kept, so columns are read by name whatever Direct adds or reorders. The parser accepts the
//     default form too (title row, summary row "Total rows: N", checked against the rows read). "--" is null:
//     zero.
//   - Goals: with binding.goals the report asks for those goals (AttributionModels LSC, last significant click,
//     Metrika's default too) and their Conversions_<goal>_LSC columns summed count as Leads, Conversions stays 0;
//     without goals, Direct's Conversions column (the campaigns' key goals) is Conversions and Leads stays 0.
//   - Every day asked for gets a Metric, zero where the report has no row, so a day re-pulled after Direct
//     revised it to nothing replaces the stale figures.
//   - ReportName is a hash of everything that shapes the report (parameters, Client-Login, money form): asking
//     again for the same report polls the same offline queue entry; a different report never reuses a name.
//   - 201/202 (queued, building): the same request is repeated after retryIn seconds while the context's
//     deadline allows; else NotReadyError, and the next scheduled run asks again under the same name. 500 and
//     502 are retried twice; 400 and the rest are an *APIError with Direct's code and text. The token is never
//     in an error.
package yandexdirect

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/wait"
)

// Name is the provider's name in bindings, and the Source of the figures it brings.
const Name = "yandex_direct"

// DefaultBaseURL is Direct's API host; a binding's api_url replaces it (the sandbox,
// https://api-sandbox.direct.yandex.com, or a stand-in).
const DefaultBaseURL = "https://api.direct.yandex.com"

// MaxGoals is how many goals one report may ask for (the spec's Goals: at most 10 items).
const MaxGoals = 10

// DefaultTimeout bounds one HTTP request.
const DefaultTimeout = 60 * time.Second

const (
	// attributionModel counts a conversion for the last significant click (Direct's LSC).
	attributionModel = "LSC"
	// microsPerMinor: every Direct account currency has two decimals, so a minor unit is 10^6 / 10^2 micros.
	microsPerMinor = 10_000
	// defaultRetryIn is the wait when a 201/202 has no usable retryIn header; maxRetryIn caps a long one, so a
	// run polls at least once more before its deadline.
	defaultRetryIn = 10 * time.Second
	maxRetryIn     = 60 * time.Second
	// serverRetries is how many times a 500 or 502 is asked again, after serverBackoff, then twice that.
	serverRetries = 2
	serverBackoff = 2 * time.Second
	// deadlineMargin is left of the context's deadline after a wait, for the request itself.
	deadlineMargin = 5 * time.Second
)

// Client pulls reports. The zero value is not usable: use New.
type Client struct {
	http *http.Client
	// sleep waits (tests replace it); it returns early with ctx's error.
	sleep func(ctx context.Context, d time.Duration) error
	// now tells the time, for the deadline arithmetic.
	now func() time.Time
	// plainMoney asks for money as decimals (returnMoneyInMicros: false) instead of micros.
	plainMoney bool
}

// Option changes a Client.
type Option func(*Client)

// WithHTTPClient sends requests through h.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithSleep replaces the wait between polls (tests).
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = sleep }
}

// WithClock replaces the clock the deadline arithmetic reads (tests).
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithPlainMoney asks Direct for money as decimals with two places (returnMoneyInMicros: false) instead of
// micro-units. The figures are the same; micros are the default because they are integers.
func WithPlainMoney() Option { return func(c *Client) { c.plainMoney = true } }

// New returns a Client.
func New(opts ...Option) *Client {
	c := &Client{http: &http.Client{Timeout: DefaultTimeout}, sleep: wait.Sleep, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Info declares the provider to the registry: a metrics source Glassbox pulls, whose money is in the account's
// currency (the binding's currency), with an OAuth token in api_param and the client's login in external_id.
func (*Client) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderMetrics, Pulled: true, NeedsCurrency: true, MaxGoals: MaxGoals}
}

// NotReadyError says Direct is still building the report (201 or 202) and the context's deadline leaves no
// time to wait for it. Asking again later with the same dates polls the same report.
type NotReadyError struct {
	Report  string
	RetryIn time.Duration
}

func (e *NotReadyError) Error() string {
	return fmt.Sprintf("yandexdirect: report %s is being built offline; ask again in %s", e.Report, e.RetryIn)
}

// NotReady marks the error as "not yet" rather than a failure, for callers that do not import this package.
func (e *NotReadyError) NotReady() bool { return true }

// APIError is an error answer of the Reports API.
type APIError struct {
	Status    int
	Code      string
	Message   string
	Detail    string
	RequestID string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "yandexdirect: HTTP %d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, ", error %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, " (%s)", e.Detail)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request_id %s]", e.RequestID)
	}
	return b.String()
}

// Retryable says asking again may succeed: Direct's server errors and timeouts.
func (e *APIError) Retryable() bool {
	return e.Status >= 500
}

// Pull returns the binding's figures for each of days (consecutive dates, "2006-01-02", ascending; the
// account's zone as Direct reports it), with Source set; the caller sets ProjectID, Origin and UpdatedAt. token
// is the OAuth token.
func (c *Client) Pull(ctx context.Context, b glassbox.Binding, token string, days []string) ([]glassbox.Metric, error) {
	if len(days) == 0 {
		return nil, nil
	}
	from, to := days[0], days[len(days)-1]
	if b.Currency == "" {
		return nil, fmt.Errorf("yandexdirect: binding %s has no currency: Direct's money is in the account's currency, which the binding must name", b.ID)
	}
	if len(b.Goals) > MaxGoals {
		return nil, fmt.Errorf("yandexdirect: binding %s lists %d goals; a report counts at most %d", b.ID, len(b.Goals), MaxGoals)
	}
	def := definition(b.Goals, from, to)
	def.ReportName = c.reportName(def, b.ExternalID)
	body, err := c.report(ctx, base(b), token, b.ExternalID, def)
	if err != nil {
		return nil, err
	}
	totals, err := parseReport(bytes.NewReader(body), def.FieldNames, !c.plainMoney)
	if err != nil {
		return nil, fmt.Errorf("yandexdirect: report %s: %w", def.ReportName, err)
	}
	out := make([]glassbox.Metric, 0, len(days))
	for _, d := range days {
		t := totals[d]
		m := glassbox.Metric{Date: d, Source: Name, Spend: microsToMinor(t.costMicros), Currency: b.Currency,
			Impressions: t.impressions, Clicks: t.clicks}
		if len(b.Goals) > 0 {
			m.Leads = t.goalConversions
		} else {
			m.Conversions = t.conversions
		}
		out = append(out, m)
	}
	return out, nil
}

func base(b glassbox.Binding) string {
	if b.APIURL != "" {
		return strings.TrimRight(b.APIURL, "/")
	}
	return DefaultBaseURL
}

// reportDefinition is the body's params (the spec's ReportDefinition).
type reportDefinition struct {
	SelectionCriteria struct {
		DateFrom string `json:"DateFrom"`
		DateTo   string `json:"DateTo"`
	} `json:"SelectionCriteria"`
	Goals             []string `json:"Goals,omitempty"`
	AttributionModels []string `json:"AttributionModels,omitempty"`
	FieldNames        []string `json:"FieldNames"`
	ReportName        string   `json:"ReportName"`
	ReportType        string   `json:"ReportType"`
	DateRangeType     string   `json:"DateRangeType"`
	Format            string   `json:"Format"`
	IncludeVAT        string   `json:"IncludeVAT"`
}

func definition(goals []string, from, to string) reportDefinition {
	var d reportDefinition
	d.SelectionCriteria.DateFrom, d.SelectionCriteria.DateTo = from, to
	if len(goals) > 0 {
		d.Goals = goals
		d.AttributionModels = []string{attributionModel}
	}
	d.FieldNames = []string{"Date", "CampaignId", "Impressions", "Clicks", "Cost", "Conversions"}
	d.ReportType = "CAMPAIGN_PERFORMANCE_REPORT"
	d.DateRangeType = "CUSTOM_DATE"
	d.Format = "TSV"
	d.IncludeVAT = "YES"
	return d
}

// reportName names a report by a hash of everything that shapes it, since Direct refuses a name reused with
// other parameters, and the same name with the same parameters polls the report already queued.
func (c *Client) reportName(d reportDefinition, clientLogin string) string {
	d.ReportName = ""
	params, _ := json.Marshal(d) // a struct of strings: cannot fail
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%t\x00", params, clientLogin, c.plainMoney)
	return "glassbox-" + hex.EncodeToString(h.Sum(nil))[:24]
}

// report asks for a report until Direct hands it over, the deadline leaves no time to wait, or it fails.
func (c *Client) report(ctx context.Context, base, token, clientLogin string, def reportDefinition) ([]byte, error) {
	body, _ := json.Marshal(struct {
		Params reportDefinition `json:"params"`
	}{def})
	serverErrors := 0
	for {
		status, header, raw, err := c.post(ctx, base+"/json/v5/reports", token, clientLogin, body)
		if err != nil {
			return nil, err
		}
		var pause time.Duration
		switch {
		case status == http.StatusOK:
			return raw, nil
		case status == http.StatusCreated || status == http.StatusAccepted:
			pause = retryIn(header.Get("retryIn"))
			if !wait.Leaves(ctx, c.now(), pause, deadlineMargin) {
				return nil, &NotReadyError{Report: def.ReportName, RetryIn: pause}
			}
		default:
			apiErr := parseError(status, raw, token)
			if !apiErr.Retryable() || serverErrors == serverRetries {
				return nil, apiErr
			}
			pause = serverBackoff << serverErrors
			serverErrors++
			if !wait.Leaves(ctx, c.now(), pause, deadlineMargin) {
				return nil, apiErr
			}
		}
		if err := c.sleep(ctx, pause); err != nil {
			return nil, fmt.Errorf("yandexdirect: waiting for report %s: %w", def.ReportName, err)
		}
	}
}

func (c *Client) post(ctx context.Context, url, token, clientLogin string, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("yandexdirect: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if clientLogin != "" {
		req.Header.Set("Client-Login", clientLogin)
	}
	req.Header.Set("Accept-Language", "en")
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("processingMode", "auto")
	req.Header.Set("skipReportHeader", "true")
	req.Header.Set("skipReportSummary", "true")
	if c.plainMoney {
		req.Header.Set("returnMoneyInMicros", "false")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL is the binding's, the token is in a header: neither error text carries the token.
		return 0, nil, nil, fmt.Errorf("yandexdirect: POST %s: %w", url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxReportBytes))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("yandexdirect: read answer: %w", err)
	}
	return resp.StatusCode, resp.Header, raw, nil
}

// maxReportBytes bounds a report read into memory: a day's row per campaign is ~100 bytes, so this is far above
// any account's few days.
const maxReportBytes = 64 << 20

// retryIn reads the retryIn header (seconds).
func retryIn(h string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n < 0 {
		return defaultRetryIn
	}
	return min(time.Duration(n)*time.Second, maxRetryIn)
}

// parseError reads Direct's error body ({"error": {request_id, error_code, error_string, error_detail}}); a body
// that is not one still makes an APIError with the status. The token is struck out of whatever Direct echoes.
func parseError(status int, raw []byte, token string) *APIError {
	var body struct {
		Error struct {
			RequestID json.RawMessage `json:"request_id"`
			Code      json.RawMessage `json:"error_code"`
			String    string          `json:"error_string"`
			Detail    string          `json:"error_detail"`
		} `json:"error"`
	}
	e := &APIError{Status: status}
	if json.Unmarshal(raw, &body) == nil {
		e.Code, e.RequestID = scalar(body.Error.Code), scalar(body.Error.RequestID)
		e.Message, e.Detail = body.Error.String, body.Error.Detail
	}
	if e.Code == "" && e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if token != "" {
		e.Message = strings.ReplaceAll(e.Message, token, "***")
		e.Detail = strings.ReplaceAll(e.Detail, token, "***")
	}
	return e
}

// scalar is a JSON number or string as text (the docs say error_code is an int; answers quote it).
func scalar(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// dayTotals are one day's figures summed over the report's rows.
type dayTotals struct {
	impressions, clicks, costMicros int64
	conversions, goalConversions    int64
}

// parseReport sums a TSV report per date. columns are the FieldNames asked for, used when the answer has no
// column header (skipColumnHeader) and no goal columns; micros says integers of money are micro-units.
func parseReport(r io.Reader, columns []string, micros bool) (map[string]dayTotals, error) {
	totals := map[string]dayTotals{}
	var header []string
	rows, summary := 0, -1
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 0; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		if n, ok := strings.CutPrefix(text, "Total rows:"); ok {
			v, err := strconv.Atoi(strings.TrimSpace(n))
			if err != nil {
				return nil, fmt.Errorf("line %d: summary %q", line+1, text)
			}
			summary = v
			continue
		}
		cells := strings.Split(text, "\t")
		if header == nil {
			switch {
			case slices.Contains(cells, "Date"):
				header = cells
				continue
			case len(cells) == 1:
				continue // the report header: its name and dates
			case isDate(cells[0]) && len(cells) == len(columns):
				header = columns
			default:
				return nil, fmt.Errorf("line %d: neither a column header nor a row of the columns asked for", line+1)
			}
		}
		if len(cells) != len(header) {
			return nil, fmt.Errorf("line %d: %d cells, the header has %d", line+1, len(cells), len(header))
		}
		if err := addRow(totals, header, cells, micros); err != nil {
			return nil, fmt.Errorf("line %d: %w", line+1, err)
		}
		rows++
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if summary >= 0 && summary != rows {
		return nil, fmt.Errorf("summary says %d rows, the report has %d: cut short", summary, rows)
	}
	return totals, nil
}

func addRow(totals map[string]dayTotals, header, cells []string, micros bool) error {
	var date string
	var t dayTotals
	hasDate, hasCost := false, false
	for i, name := range header {
		v := strings.TrimSpace(cells[i])
		var err error
		switch {
		case name == "Date":
			if !isDate(v) {
				return fmt.Errorf("the date %q is not one (YYYY-MM-DD)", v)
			}
			date, hasDate = v, true
		case name == "Impressions":
			t.impressions, err = count(v)
		case name == "Clicks":
			t.clicks, err = count(v)
		case name == "Cost":
			t.costMicros, err = money(v, micros)
			hasCost = true
		case name == "Conversions":
			t.conversions, err = count(v)
		case strings.HasPrefix(name, "Conversions_"):
			var n int64
			n, err = count(v)
			t.goalConversions += n
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if !hasDate || !hasCost {
		return errors.New("the report has no Date or no Cost column")
	}
	sum := totals[date]
	sum.impressions += t.impressions
	sum.clicks += t.clicks
	sum.costMicros += t.costMicros
	sum.conversions += t.conversions
	sum.goalConversions += t.goalConversions
	totals[date] = sum
	return nil
}

// null is Direct's "no data" in a cell.
const null = "--"

func count(v string) (int64, error) {
	if v == null || v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a count", v)
	}
	return n, nil
}

// money reads a money cell as micro-units: an integer in micros when micros, else (or when it has a point) a
// decimal of currency units, exact to six places.
func money(v string, micros bool) (int64, error) {
	if v == null || v == "" {
		return 0, nil
	}
	whole, frac, hasPoint := strings.Cut(v, ".")
	neg := strings.HasPrefix(whole, "-")
	digits := strings.TrimPrefix(whole, "-")
	if digits == "" || !allDigits(digits) || (hasPoint && (frac == "" || len(frac) > 6 || !allDigits(frac))) {
		return 0, fmt.Errorf("%q is not an amount", v)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount", v)
	}
	if hasPoint || !micros {
		f, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
		if n > (1<<63-1-f)/1_000_000 {
			return 0, fmt.Errorf("%q is too large", v)
		}
		n = n*1_000_000 + f
	}
	if neg {
		n = -n
	}
	return n, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// microsToMinor converts micro-units to minor units (two decimals), rounding a remainder half away from zero.
func microsToMinor(micros int64) int64 {
	q, r := micros/microsPerMinor, micros%microsPerMinor
	switch {
	case r >= microsPerMinor/2:
		q++
	case r <= -microsPerMinor/2:
		q--
	}
	return q
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
