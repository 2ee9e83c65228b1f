// Package metrics takes in the daily figures of ad systems, analytics and timesheets that no puller reaches:
// the signed metrics hook (provider "metrics", POST /hooks/metrics/{binding}, a JSON of figures per day and
// source that a script, a Looker Studio export, Albato or Make sends) and the CSV file of `glassbox metrics
// import`. Both go through Figure.Metric and Check, the one set of rules of what a day's figures may be.
// docs/metrics.md is the format's reference.
package metrics

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// MaxCount bounds impressions, clicks, leads, conversions and minutes of one day: far above any real day, low
// enough that summing years of them cannot overflow.
const MaxCount = 1_000_000_000_000

// MaxSpend bounds one day's spend of one source, in minor units: 10^14 (a trillion roubles, dollars or euros
// a day) is far above any advertiser, and a report's sums over years of days and dozens of sources stay inside
// int64. Without it a 15-digit amount (what money.ParseAmount takes) summed over two months of a few sources
// overflows into a negative spend in the digest.
const MaxSpend = 100_000_000_000_000

// sourcePattern is what a source may be (after lower-casing): it becomes part of a key (DAY#{date}#{source}),
// so no '#', no spaces, bounded.
var sourcePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}$`)

// Figure is one day's figures of one source as the caller wrote them, before the rules: the JSON of the hook
// and a row of the CSV both become one. Counts are whole numbers; Spend is a decimal in major units of
// Currency ("15000.50").
type Figure struct {
	Date     string
	Source   string
	Spend    string
	Currency string

	Impressions, Clicks, Leads, Conversions, Minutes int64
}

// Metric is the figure as stored for a project, or an error that says which field is wrong and why (without
// the figure's position, which the caller adds). The rules:
//   - date: a civil date "2006-01-02", from 2000 on and not after tomorrow in UTC (a day that has begun
//     somewhere);
//   - source: 1 to 40 letters, digits, '_', '.', '-', starting with a letter or digit; stored in lower case;
//   - currency: an ISO 4217 code (either case), the figure's own or else defaultCurrency (the binding's); a
//     figure in another currency than defaultCurrency is refused, so one binding's figures add up. It may be
//     empty only when spend is zero;
//   - spend: empty (0) or a decimal of at most the currency's minor digits (money.ParseAmount), from 0 to
//     MaxSpend minor units;
//   - counts: from 0 to MaxCount.
func (f Figure) Metric(projectID, defaultCurrency, origin string, now time.Time) (glassbox.Metric, error) {
	m := glassbox.Metric{ProjectID: projectID, Origin: origin, UpdatedAt: now.UTC(),
		Impressions: f.Impressions, Clicks: f.Clicks, Leads: f.Leads, Conversions: f.Conversions, Minutes: f.Minutes}

	day, err := time.Parse(time.DateOnly, strings.TrimSpace(f.Date))
	if err != nil {
		return m, fmt.Errorf("date %q is not a date like 2026-11-30", clip(f.Date))
	}
	tomorrow := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	if day.Year() < 2000 || day.After(tomorrow) {
		return m, fmt.Errorf("date %s is out of range: from 2000-01-01 to tomorrow", day.Format(time.DateOnly))
	}
	m.Date = day.Format(time.DateOnly)

	m.Source = strings.ToLower(strings.TrimSpace(f.Source))
	if !sourcePattern.MatchString(m.Source) {
		return m, fmt.Errorf("source %q must be 1 to 40 letters, digits, '_', '.' or '-' (like vk_ads)", clip(f.Source))
	}

	m.Currency = strings.ToUpper(strings.TrimSpace(f.Currency))
	def := strings.ToUpper(strings.TrimSpace(defaultCurrency))
	switch {
	case m.Currency == "":
		m.Currency = def
	case def != "" && m.Currency != def:
		return m, fmt.Errorf("currency %s is not the binding's %s", clip(m.Currency), def)
	}
	if m.Currency != "" {
		if _, ok := glassbox.CurrencyDigits(m.Currency); !ok {
			return m, fmt.Errorf("currency %q is not an ISO 4217 code (like RUB, EUR, USD)", clip(f.Currency))
		}
	}
	if spend := strings.TrimSpace(f.Spend); spend != "" {
		if m.Currency == "" {
			return m, fmt.Errorf("currency is required with spend %q", clip(spend))
		}
		v, err := money.ParseAmount(spend, m.Currency)
		if err != nil {
			return m, fmt.Errorf("spend: %v", err)
		}
		if v < 0 {
			return m, fmt.Errorf("spend %s is negative", clip(spend))
		}
		if v > MaxSpend {
			return m, fmt.Errorf("spend %s is over any day's spend (at most %d in minor units)", clip(spend), int64(MaxSpend))
		}
		m.Spend = int64(v)
	}

	for _, c := range []struct {
		name string
		v    int64
	}{{"impressions", f.Impressions}, {"clicks", f.Clicks}, {"leads", f.Leads}, {"conversions", f.Conversions}, {"minutes", f.Minutes}} {
		if c.v < 0 || c.v > MaxCount {
			return m, fmt.Errorf("%s %d must be from 0 to %d", c.name, c.v, int64(MaxCount))
		}
	}
	return m, nil
}

// Check turns figures into metrics for a project (Figure.Metric), refusing the lot when one is wrong or two
// are for the same day and source: a caller who sends a day twice in one batch has a bug, and which of the two
// to keep would be a guess. where names a figure's position in the caller's terms ("figures[3]", "line 5").
// Errors wrap glassbox.ErrMalformed.
func Check(figs []Figure, projectID, defaultCurrency, origin string, now time.Time, where func(i int) string) ([]glassbox.Metric, error) {
	if len(figs) == 0 {
		return nil, fmt.Errorf("no figures: %w", glassbox.ErrMalformed)
	}
	out := make([]glassbox.Metric, 0, len(figs))
	seen := make(map[string]int, len(figs))
	for i, f := range figs {
		m, err := f.Metric(projectID, defaultCurrency, origin, now)
		if err != nil {
			return nil, fmt.Errorf("%s: %v: %w", where(i), err, glassbox.ErrMalformed)
		}
		key := m.Date + "\x00" + m.Source
		if j, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s: %s %s is also %s; send each day and source once: %w", where(i), m.Date, m.Source, where(j), glassbox.ErrMalformed)
		}
		seen[key] = i
		out = append(out, m)
	}
	return out, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}
