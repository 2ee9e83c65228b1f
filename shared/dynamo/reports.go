package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Items of the reports: daily figures, open tasks' index keys, unsubscriptions.
const (
	TypeMetric         = "metric"
	TypeUnsubscription = "unsubscription"
	skUnsubscribed     = "UNSUBSCRIBED#"
	gsi1OpenTask       = "OPENTASK#"
)

func metricsPK(projectID string) string { return "METRICS#" + projectID }
func metricSK(date, source string) string {
	return "DAY#" + date + "#" + source
}

// PutMetrics writes figures with BatchWriteItem puts, 25 to a request. A put replaces the item of the same
// project, day and source, so a re-sent day replaces the one stored.
func (s *Store) PutMetrics(ctx context.Context, ms []glassbox.Metric) error {
	writes := make([]types.WriteRequest, 0, len(ms))
	seen := map[string]int{}
	for _, m := range ms {
		item, err := s.marshal(m)
		if err != nil {
			return fmt.Errorf("dynamo: put metrics: %w", err)
		}
		pk, sk := metricsPK(m.ProjectID), metricSK(m.Date, m.Source)
		item[AttrPK], item[AttrSK], item[AttrType] = str(pk), str(sk), str(TypeMetric)
		w := types.WriteRequest{PutRequest: &types.PutRequest{Item: item}}
		// One batch may not put one key twice; the last figure sent for a day and source wins.
		if i, ok := seen[pk+"\x00"+sk]; ok {
			writes[i] = w
			continue
		}
		seen[pk+"\x00"+sk] = len(writes)
		writes = append(writes, w)
	}
	for start := 0; start < len(writes); start += maxBatch {
		if err := s.batchWrite(ctx, writes[start:min(start+maxBatch, len(writes))]); err != nil {
			return fmt.Errorf("dynamo: put metrics: %w", err)
		}
	}
	return nil
}

// MetricsBetween lists a project's figures with from <= Date < to: one Query on the project's metrics
// partition, sort key DAY#{date}#{source}, so it reads only those days.
func (s *Store) MetricsBetween(ctx context.Context, projectID, from, to string) ([]glassbox.Metric, error) {
	if from >= to {
		return nil, nil
	}
	// "DAY#{to}" sorts before every item of day to ("DAY#{to}#source"), so BETWEEN excludes that day.
	key := expression.Key(AttrPK).Equal(expression.Value(metricsPK(projectID))).
		And(expression.Key(AttrSK).Between(expression.Value("DAY#"+from), expression.Value("DAY#"+to)))
	out, err := queryAll[glassbox.Metric](ctx, s, &dynamodb.QueryInput{}, key)
	if err != nil {
		return nil, fmt.Errorf("dynamo: metrics of %s: %w", projectID, err)
	}
	return out, nil
}

// openTaskKeys puts an open task into its project's OPENTASK# range of gsi1; a closed task has none, so
// OpenTasks reads only open tasks.
func openTaskKeys(item map[string]types.AttributeValue, t glassbox.Task) {
	if t.Open() {
		item[AttrGSI1PK] = str(projectPK(t.ProjectID))
		item[AttrGSI1SK] = str(gsi1OpenTask + t.Provider + "#" + t.TaskID)
	}
}

// OpenTasks lists a project's open tasks: one Query of gsi1 on the OPENTASK# range (eventually consistent;
// a digest may miss a move of the last second).
func (s *Store) OpenTasks(ctx context.Context, projectID string) ([]glassbox.Task, error) {
	key := expression.Key(AttrGSI1PK).Equal(expression.Value(projectPK(projectID))).
		And(expression.Key(AttrGSI1SK).BeginsWith(gsi1OpenTask))
	out, err := queryAll[glassbox.Task](ctx, s, &dynamodb.QueryInput{IndexName: aws.String(IndexGSI1)}, key)
	if err != nil {
		return nil, fmt.Errorf("dynamo: open tasks of %s: %w", projectID, err)
	}
	return out, nil
}

func unsubscribedSK(projectID, recipient string) string {
	return skUnsubscribed + projectID + "#" + glassbox.SuppressionKey(recipient)
}

// Unsubscribe records an unsubscription with one PutItem conditional on there being none; ErrDuplicate
// otherwise.
func (s *Store) Unsubscribe(ctx context.Context, u glassbox.Unsubscription) error {
	u.Recipient = glassbox.SuppressionKey(u.Recipient)
	return s.putNote(ctx, unsubscribedSK(u.ProjectID, u.Recipient), TypeUnsubscription, u, "unsubscribe "+u.Recipient)
}

// Resubscribe deletes an unsubscription with one DeleteItem conditional on it existing; ErrNotFound otherwise.
func (s *Store) Resubscribe(ctx context.Context, projectID, recipient string) error {
	return s.deleteNote(ctx, unsubscribedSK(projectID, recipient), "resubscribe "+recipient)
}
