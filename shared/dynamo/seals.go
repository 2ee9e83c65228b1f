package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TypeSeal is a timeline seal: pk SEALS#{project}, sk SEAL#{seq, 12 digits}, so a project's chain is one
// consistent Query in order.
const TypeSeal = "seal"

func sealsPK(projectID string) string { return "SEALS#" + projectID }
func sealSK(seq int64) string         { return fmt.Sprintf("SEAL#%012d", seq) }

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
	key := expression.Key(AttrPK).Equal(expression.Value(sealsPK(projectID)))
	out, err := queryAll[glassbox.Seal](ctx, s, &dynamodb.QueryInput{ConsistentRead: aws.Bool(true)}, key)
	if err != nil {
		return nil, fmt.Errorf("dynamo: seals of %s: %w", projectID, err)
	}
	return out, nil
}
