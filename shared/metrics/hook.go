package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/generichook"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Name is the provider's name in hook URLs (/hooks/metrics/{binding}) and bindings.
const Name = "metrics"

// MaxFigures bounds the figures of one request: a year of two sources a day fits, and the store's writes for
// one request stay a few dozen batches.
const MaxFigures = 1000

// Provider verifies and parses the metrics hook's deliveries. It has no events: ingest stores what
// ParseMetrics returns (ingest.MetricsParser).
type Provider struct{}

// New returns the metrics hook provider.
func New() Provider { return Provider{} }

// Info declares the provider to the registry: a metrics source that is sent its figures, not pulled.
func (Provider) Info() glassbox.ProviderInfo {
	return glassbox.ProviderInfo{Name: Name, Kind: glassbox.ProviderMetrics}
}

// Sign computes the X-Glassbox-Signature of a body sent at Unix time ts: the generic hook's scheme
// (generichook.Sign), with the same headers.
func Sign(secret string, ts int64, body []byte) string { return generichook.Sign(secret, ts, body) }

// Verify checks X-Glassbox-Signature over X-Glassbox-Timestamp and the body, as the generic hook does.
func (Provider) Verify(d glassbox.Delivery, secret string) error {
	return generichook.VerifySigned(Name, d, secret)
}

// Parse has no events to give: a metrics delivery is figures. Ingest asks ParseMetrics instead; any other
// caller gets nothing.
func (Provider) Parse(glassbox.Delivery, glassbox.Binding) ([]glassbox.Event, error) { return nil, nil }

// Request is the JSON body of a delivery.
type Request struct {
	Figures []FigureJSON `json:"figures"`
}

// FigureJSON is one figure as the hook's JSON writes it. Spend is a decimal in major units, as a string
// ("15000.50") or a JSON number (15000.50, read as written, never through a float); counts are whole numbers,
// as numbers or strings of digits.
type FigureJSON struct {
	Date        string `json:"date"`
	Source      string `json:"source"`
	Spend       amount `json:"spend"`
	Currency    string `json:"currency"`
	Impressions count  `json:"impressions"`
	Clicks      count  `json:"clicks"`
	Leads       count  `json:"leads"`
	Conversions count  `json:"conversions"`
	Minutes     count  `json:"minutes"`
}

// ParseMetrics reads a delivery's figures for binding b: its project, its currency as the default, origin
// "hook:{binding}", stamped with the time received. Everything is refused (glassbox.ErrMalformed, with a
// message that says which figure and field) when the body is not a Request, has more than MaxFigures, or one
// figure breaks Figure.Metric's rules or repeats a day and source.
func (Provider) ParseMetrics(d glassbox.Delivery, b glassbox.Binding) ([]glassbox.Metric, error) {
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	// An unknown field is a typo ("lead") whose figure would be stored as zero.
	dec.DisallowUnknownFields()
	var r Request
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("metrics: the body is not a JSON object with figures: %v: %w", err, glassbox.ErrMalformed)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("metrics: the body has more after its JSON object: %w", glassbox.ErrMalformed)
	}
	if len(r.Figures) > MaxFigures {
		return nil, fmt.Errorf("metrics: %d figures, at most %d a request: send them in parts: %w", len(r.Figures), MaxFigures, glassbox.ErrMalformed)
	}
	figs := make([]Figure, len(r.Figures))
	for i, f := range r.Figures {
		figs[i] = Figure{Date: f.Date, Source: f.Source, Spend: string(f.Spend), Currency: f.Currency,
			Impressions: int64(f.Impressions), Clicks: int64(f.Clicks), Leads: int64(f.Leads),
			Conversions: int64(f.Conversions), Minutes: int64(f.Minutes)}
	}
	ms, err := Check(figs, b.ProjectID, b.Currency, "hook:"+b.ID, d.ReceivedAt, func(i int) string { return fmt.Sprintf("figures[%d]", i) })
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return ms, nil
}

// amount is a decimal as written: the text of a JSON string or number; null is none.
type amount string

func (a *amount) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*a = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = amount(s)
	default:
		// A JSON number's text; money.ParseAmount refuses exponents and other forms.
		*a = amount(b)
	}
	return nil
}

// count is a whole number written as a JSON number or a string of digits; null is zero.
type count int64

func (c *count) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*c = 0
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%s is not a whole number", clip(string(b)))
	}
	*c = count(v)
	return nil
}
