package dynamo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TypeSeal is a timeline seal: pk SEALS#{project}, sk SEAL#{seq, 12 digits}, so a project's chain is one
// consistent Query in order.
const TypeSeal = "seal"

func sealsPK(projectID string) string { return "SEALS#" + projectID }
func sealSK(seq int64) string         { return fmt.Sprintf(skSealPrefix+"%012d", seq) }

// skSealPrefix starts every seal's sort key: the partition also holds the project's dashboard snapshot.
const skSealPrefix = "SEAL#"

// PutSeal stores a seal with one PutItem conditional on its number being free: two sealers that both read seal
// N as the latest both write N+1, and exactly one of them succeeds (the other gets ErrConflict).
func (s *Store) PutSeal(ctx context.Context, seal glassbox.Seal) error {
	seal.From, seal.To, seal.SealedAt = seal.From.UTC(), seal.To.UTC(), seal.SealedAt.UTC()
	item, err := s.marshal(seal)
	if err != nil {
		return fmt.Errorf("dynamo: seal %s/%d: %w", seal.ProjectID, seal.Seq, err)
	}
	item[AttrPK], item[AttrSK], item[AttrType] = str(sealsPK(seal.ProjectID)), str(sealSK(seal.Seq)), str(TypeSeal)
	cond, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(AttrPK))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: seal %s/%d: %w", seal.ProjectID, seal.Seq, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 &s.table,
		Item:                      item,
		ConditionExpression:       cond.Condition(),
		ExpressionAttributeNames:  cond.Names(),
		ExpressionAttributeValues: cond.Values(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: seal %s/%d: %w", seal.ProjectID, seal.Seq, glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamo: seal %s/%d: %w", seal.ProjectID, seal.Seq, err)
	}
	return nil
}

// Seals lists a project's seals in order: one consistent Query of its partition (a page per MB).
func (s *Store) Seals(ctx context.Context, projectID string) ([]glassbox.Seal, error) {
	key := expression.Key(AttrPK).Equal(expression.Value(sealsPK(projectID))).And(expression.Key(AttrSK).BeginsWith(skSealPrefix))
	out, err := queryAll[glassbox.Seal](ctx, s, &dynamodb.QueryInput{ConsistentRead: aws.Bool(true)}, key)
	if err != nil {
		return nil, fmt.Errorf("dynamo: seals of %s: %w", projectID, err)
	}
	return out, nil
}

// recentSealsPage is how many seals one page of RecentSeals reads: a sealer's look-back is about a week of
// hourly seals, and the digest wants one.
const recentSealsPage = 32

// RecentSeals reads the project's partition newest first, a page of recentSealsPage at a time, and stops at
// the first seal older than within before the newest, so it reads the recent seals and at most a page more.
func (s *Store) RecentSeals(ctx context.Context, projectID string, within time.Duration) ([]glassbox.Seal, error) {
	key := expression.Key(AttrPK).Equal(expression.Value(sealsPK(projectID))).And(expression.Key(AttrSK).BeginsWith(skSealPrefix))
	expr, err := expression.NewBuilder().WithKeyCondition(key).Build()
	if err != nil {
		return nil, fmt.Errorf("dynamo: recent seals of %s: %w", projectID, err)
	}
	limit := int32(recentSealsPage)
	if within == 0 {
		limit = 1
	}
	in := &dynamodb.QueryInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true), ScanIndexForward: aws.Bool(false), Limit: aws.Int32(limit),
		KeyConditionExpression: expr.KeyCondition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}
	var out []glassbox.Seal
	var since time.Time
	for {
		page, err := s.client.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("dynamo: recent seals of %s: %w", projectID, err)
		}
		for _, item := range page.Items {
			var seal glassbox.Seal
			if err := attributevalue.UnmarshalMap(item, &seal); err != nil {
				return nil, fmt.Errorf("dynamo: recent seals of %s: decode: %w", projectID, err)
			}
			if len(out) == 0 {
				since = seal.To.Add(-within)
			} else if !seal.To.After(since) {
				slices.Reverse(out)
				return out, nil
			}
			out = append(out, seal)
		}
		if len(page.LastEvaluatedKey) == 0 || within == 0 && len(out) > 0 {
			slices.Reverse(out)
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
