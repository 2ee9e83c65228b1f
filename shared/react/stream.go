package react

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// DecodeFunc turns a stream record's new image into an event (dynamo.DecodeEventImage).
type DecodeFunc func(map[string]events.DynamoDBAttributeValue) (glassbox.Event, error)

// StreamHandler feeds DynamoDB stream batches to a Processor, with partial batch responses.
type StreamHandler struct {
	proc   *Processor
	decode DecodeFunc
	log    *slog.Logger
}

// NewStreamHandler builds the React Lambda's handler.
func NewStreamHandler(proc *Processor, decode DecodeFunc, log *slog.Logger) *StreamHandler {
	if log == nil {
		log = slog.Default()
	}
	return &StreamHandler{proc: proc, decode: decode, log: log}
}

// Handle processes records in order. At the first failure it stops and reports that record: Lambda retries
// the batch from it, so events of one task are never processed out of order, and records that keep failing
// end in the dead-letter queue. A record that is not an event (the filter should keep those out) is skipped,
// since retrying it can never succeed.
func (h *StreamHandler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	for _, r := range ev.Records {
		if r.EventName != string(events.DynamoDBOperationTypeInsert) {
			continue
		}
		e, err := h.decode(r.Change.NewImage)
		if err != nil {
			h.log.Warn("skipping stream record that is not an event", "event_id", r.EventID, "error", err.Error())
			continue
		}
		if _, err := h.proc.Process(ctx, e); err != nil {
			h.log.Error("processing failed; the batch resumes here on retry", "event_id", e.ID,
				"sequence_number", r.Change.SequenceNumber, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures,
				events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
			return resp, nil
		}
	}
	return resp, nil
}
