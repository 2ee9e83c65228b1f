package glassbox

import (
	"context"
	"time"
)

// Metric is one day's figures of one source for one project: what an ad system spent and brought, or the hours
// a tracker or timesheet logged. A figure sent again for the same project, day and source replaces the stored
// one (MetricKey), so re-sent or re-pulled days never double.
type Metric struct {
	ProjectID string `json:"projectId" dynamodbav:"projectId"`
	// Date is the day the figures are for, as the source reports it ("2006-01-02", the account's zone).
	Date string `json:"date" dynamodbav:"date"`
	// Source names where the figures come from: "yandex_direct", "yandex_metrika", "vk_ads", "timesheet".
	Source string `json:"source" dynamodbav:"source"`
	// Spend is in minor units of Currency (ISO 4217); zero Spend may leave Currency empty.
	Spend       int64  `json:"spend" dynamodbav:"spend"`
	Currency    string `json:"currency,omitempty" dynamodbav:"currency,omitempty"`
	Impressions int64  `json:"impressions,omitempty" dynamodbav:"impressions,omitempty"`
	Clicks      int64  `json:"clicks,omitempty" dynamodbav:"clicks,omitempty"`
	// Leads are the contacts the client counts as leads (form sends, calls); Conversions any other goal reached.
	Leads       int64 `json:"leads,omitempty" dynamodbav:"leads,omitempty"`
	Conversions int64 `json:"conversions,omitempty" dynamodbav:"conversions,omitempty"`
	// Minutes of work logged that day.
	Minutes int64 `json:"minutes,omitempty" dynamodbav:"minutes,omitempty"`
	// Origin says how the figures came in: "hook:{binding}", "import", "yandex_direct:{binding}".
	Origin    string    `json:"origin,omitempty" dynamodbav:"origin,omitempty"`
	UpdatedAt time.Time `json:"updatedAt" dynamodbav:"updatedAt"`
}

// MetricsStore keeps the daily figures.
type MetricsStore interface {
	// PutMetrics stores figures; one for a project, day and source stored before is replaced.
	PutMetrics(ctx context.Context, ms []Metric) error
	// MetricsBetween lists a project's figures with from <= Date < to (dates "2006-01-02"), by date, then
	// source. It reads only those days.
	MetricsBetween(ctx context.Context, projectID, from, to string) ([]Metric, error)
}
