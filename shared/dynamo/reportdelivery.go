package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TypeReportDelivery is a report delivery: pk REPORTS#{period}, sk PROJECT#{project}, so a schedule tick reads
// every project's record of a period with one Query.
const TypeReportDelivery = "report_delivery"

func reportsPK(period string) string { return "REPORTS#" + period }

// MarkReportDelivered records a report delivery with one unconditional PutItem: recording it again replaces it.
func (s *Store) MarkReportDelivered(ctx context.Context, d glassbox.ReportDelivery) error {
	d.At = d.At.UTC()
	item, err := s.marshal(d)
	if err != nil {
		return fmt.Errorf("dynamo: report delivery %s %s: %w", d.ProjectID, d.Period, err)
	}
	item[AttrPK], item[AttrSK], item[AttrType] = str(reportsPK(d.Period)), str(projectSK(d.ProjectID)), str(TypeReportDelivery)
	if _, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("dynamo: report delivery %s %s: %w", d.ProjectID, d.Period, err)
	}
	return nil
}

// ReportsDelivered lists a period's report deliveries: one Query of its partition (eventually consistent: a
// record of the last second may be missing, which costs a rebuild that sends nothing).
func (s *Store) ReportsDelivered(ctx context.Context, period string) ([]glassbox.ReportDelivery, error) {
	key := expression.Key(AttrPK).Equal(expression.Value(reportsPK(period)))
	out, err := queryAll[glassbox.ReportDelivery](ctx, s, &dynamodb.QueryInput{}, key)
	if err != nil {
		return nil, fmt.Errorf("dynamo: report deliveries of %s: %w", period, err)
	}
	return out, nil
}
