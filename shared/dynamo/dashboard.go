package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TypeDashboardLink is a dashboard link: pk DASHBOARDLINKS, sk HASH#{sha-256 of the token}. A page view reads
// it with one GetItem; the admin lists every link with one Query of the partition (a handful per client).
const (
	TypeDashboardLink = "dashboard_link"
	pkDashboardLinks  = "DASHBOARDLINKS"
)

func dashboardLinkSK(hash string) string { return "HASH#" + hash }

// CreateDashboardLink stores a new link with one PutItem conditional on there being none; ErrDuplicate
// otherwise.
func (s *Store) CreateDashboardLink(ctx context.Context, l glassbox.DashboardLink) error {
	l.CreatedAt = l.CreatedAt.UTC()
	if !l.ExpiresAt.IsZero() {
		l.ExpiresAt = l.ExpiresAt.UTC()
	}
	item, err := s.marshal(l)
	if err != nil {
		return fmt.Errorf("dynamo: dashboard link %s: %w", l.ID(), err)
	}
	item[AttrPK], item[AttrSK], item[AttrType] = str(pkDashboardLinks), str(dashboardLinkSK(l.Hash)), str(TypeDashboardLink)
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(AttrPK))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: dashboard link %s: %w", l.ID(), err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: item,
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: dashboard link %s: %w", l.ID(), glassbox.ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("dynamo: dashboard link %s: %w", l.ID(), err)
	}
	return nil
}

// DashboardLink reads a link with one (eventually consistent) GetItem; ErrNotFound when there is none. A link
// revoked in the last second may still open once.
func (s *Store) DashboardLink(ctx context.Context, hash string) (glassbox.DashboardLink, error) {
	var l glassbox.DashboardLink
	if err := s.get(ctx, pkDashboardLinks, dashboardLinkSK(hash), false, &l); err != nil {
		return glassbox.DashboardLink{}, fmt.Errorf("dynamo: dashboard link: %w", err)
	}
	return l, nil
}

// RevokeDashboardLink sets revokedAt with one UpdateItem conditional on the link existing and not being
// revoked; a revoked link keeps its first time (nil), a missing one is ErrNotFound.
func (s *Store) RevokeDashboardLink(ctx context.Context, hash string, at time.Time) error {
	cond := expression.AttributeExists(expression.Name(AttrPK)).And(expression.AttributeNotExists(expression.Name("revokedAt")))
	expr, err := expression.NewBuilder().WithCondition(cond).
		WithUpdate(expression.Set(expression.Name("revokedAt"), expression.Value(FormatTime(at.UTC())))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: revoke dashboard link: %w", err)
	}
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.table, Key: key(pkDashboardLinks, dashboardLinkSK(hash)),
		ConditionExpression: expr.Condition(), UpdateExpression: expr.Update(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	if isConditionFailed(err) {
		// Either missing or revoked already: one consistent read tells which.
		var l glassbox.DashboardLink
		if gerr := s.get(ctx, pkDashboardLinks, dashboardLinkSK(hash), true, &l); errors.Is(gerr, glassbox.ErrNotFound) {
			return fmt.Errorf("dynamo: revoke dashboard link: %w", glassbox.ErrNotFound)
		} else if gerr != nil {
			return fmt.Errorf("dynamo: revoke dashboard link: %w", gerr)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("dynamo: revoke dashboard link: %w", err)
	}
	return nil
}

// DashboardLinks lists every link with one consistent Query of their partition, oldest first.
func (s *Store) DashboardLinks(ctx context.Context) ([]glassbox.DashboardLink, error) {
	key := expression.Key(AttrPK).Equal(expression.Value(pkDashboardLinks))
	out, err := queryAll[glassbox.DashboardLink](ctx, s, &dynamodb.QueryInput{ConsistentRead: aws.Bool(true)}, key)
	if err != nil {
		return nil, fmt.Errorf("dynamo: dashboard links: %w", err)
	}
	slices.SortStableFunc(out, func(a, b glassbox.DashboardLink) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}
