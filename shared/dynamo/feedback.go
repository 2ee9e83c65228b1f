package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TypeFeedback is a client's feedback item: pk FEEDBACK#{id}, sk FEEDBACK, and on gsi1 the project with
// FEEDBACK#{at}#{id}, so a project's feedback of a window is one Query, like its events and messages.
const (
	TypeFeedback = "feedback"
	skFeedback   = "FEEDBACK"
)

func feedbackPK(id string) string { return "FEEDBACK#" + id }

// RecordFeedback stores a new feedback item with one PutItem conditional on its id being new; ErrDuplicate
// when it is not.
func (s *Store) RecordFeedback(ctx context.Context, f glassbox.Feedback) error {
	f.At = f.At.UTC()
	item, err := s.marshal(f)
	if err != nil {
		return fmt.Errorf("dynamo: feedback %s: %w", f.ID, err)
	}
	item[AttrPK], item[AttrSK], item[AttrType] = str(feedbackPK(f.ID)), str(skFeedback), str(TypeFeedback)
	item[AttrGSI1PK] = str(projectPK(f.ProjectID))
	item[AttrGSI1SK] = str("FEEDBACK#" + FormatTime(f.At) + "#" + f.ID)
	cond, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(AttrPK))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: feedback %s: %w", f.ID, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 &s.table,
		Item:                      item,
		ConditionExpression:       cond.Condition(),
		ExpressionAttributeNames:  cond.Names(),
		ExpressionAttributeValues: cond.Values(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: feedback %s: %w", f.ID, glassbox.ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("dynamo: feedback %s: %w", f.ID, err)
	}
	return nil
}

// FeedbackItem reads one feedback item with a consistent GetItem; ErrNotFound when there is none.
func (s *Store) FeedbackItem(ctx context.Context, id string) (glassbox.Feedback, error) {
	var f glassbox.Feedback
	if err := s.get(ctx, feedbackPK(id), skFeedback, true, &f); err != nil {
		return f, fmt.Errorf("dynamo: feedback %s: %w", id, err)
	}
	return f, nil
}

// FeedbackBetween lists a project's feedback with from <= At < to, oldest first: a Query on gsi1.
func (s *Store) FeedbackBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Feedback, error) {
	out, err := window[glassbox.Feedback](ctx, s, projectID, "FEEDBACK#", from, to)
	if err != nil {
		return nil, fmt.Errorf("dynamo: feedback of %s: %w", projectID, err)
	}
	return out, nil
}
