package glassbox

import (
	"context"
	"time"
)

// ReportDelivery records that a project's report of a period is done: every message Compose gave for it was
// sent, found sent before, or settled for good (suppressed), or there was none to send (an empty week skipped).
// It only spares a later schedule tick the work of building the report again: the messages' deterministic ids
// are what makes each go once, so a lost or late record costs a rebuild, never a second send.
type ReportDelivery struct {
	ProjectID string     `json:"projectId" dynamodbav:"projectId"`
	Kind      ReportKind `json:"kind" dynamodbav:"kind"`
	// Period is the period's key ("2026-W47", "2026-11").
	Period string `json:"period" dynamodbav:"period"`
	// From and To are the period's window as it was reported (Period.From, Period.To): the project's next
	// report of the kind starts at To (Period.ContinuedFrom), whatever its schedule or zone says now. Zero in
	// records written before they were kept.
	From time.Time `json:"from,omitzero" dynamodbav:"from,omitempty"`
	To   time.Time `json:"to,omitzero" dynamodbav:"to,omitempty"`
	// Messages is how many messages the report had.
	Messages int       `json:"messages" dynamodbav:"messages"`
	At       time.Time `json:"at" dynamodbav:"at"`
}

// ReportDeliveryStore keeps the report deliveries.
type ReportDeliveryStore interface {
	// MarkReportDelivered records d; recording a project's period again replaces the record.
	MarkReportDelivered(ctx context.Context, d ReportDelivery) error
	// ReportsDelivered lists every project's delivery recorded for a period key, reading only those: one
	// request per period however many projects there are, so a tick checks a thousand projects at once.
	ReportsDelivered(ctx context.Context, period string) ([]ReportDelivery, error)
}
