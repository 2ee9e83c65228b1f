package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TypeDashboardSnapshot is a project's dashboard snapshot: pk SEALS#{project}, sk DASHBOARD, beside the seals
// (only the seal run writes either), and on gsi1 at {project} / SNAPSHOT, right after the project's open tasks,
// so a view reads messages, open tasks and the snapshot in one Query.
const TypeDashboardSnapshot = "dashboard_snapshot"

const (
	skDashboardSnapshot   = "DASHBOARD"
	gsi1DashboardSnapshot = "SNAPSHOT"
)

// The gsi1 sort keys of a project, in their order: DOC# < EVENT# < FEEDBACK# < MESSAGE# < OPENTASK# < SNAPSHOT.
// A view's three queries are three ranges of it, each a time window followed by sets that stay small (every
// feedback item; every open task and the snapshot); every document is the third. A new gsi1 kind must sort
// outside these ranges, or the views read it too.
const (
	// feedbackEnd sorts after every FEEDBACK# key ('$' follows '#').
	feedbackEnd = "FEEDBACK$"
)

// PutDashboardSnapshot replaces a project's snapshot with one PutItem, conditional on the stored one being made
// no later: of two refreshes at once, the one that started first (and read the older seal) cannot put its
// snapshot over the other's when it writes last.
func (s *Store) PutDashboardSnapshot(ctx context.Context, snap glassbox.DashboardSnapshot) error {
	snap.At = snap.At.UTC()
	item, err := s.marshal(snap)
	if err != nil {
		return fmt.Errorf("dynamo: dashboard snapshot of %s: %w", snap.ProjectID, err)
	}
	item[AttrPK], item[AttrSK], item[AttrType] = str(sealsPK(snap.ProjectID)), str(skDashboardSnapshot), str(TypeDashboardSnapshot)
	item[AttrGSI1PK], item[AttrGSI1SK] = str(projectPK(snap.ProjectID)), str(gsi1DashboardSnapshot)
	cond := expression.AttributeNotExists(expression.Name(AttrPK)).
		Or(expression.Name("at").LessThanEqual(expression.Value(FormatTime(snap.At))))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("dynamo: dashboard snapshot of %s: %w", snap.ProjectID, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()})
	switch {
	case isConditionFailed(err):
		return nil // a newer snapshot is stored
	case err != nil:
		return fmt.Errorf("dynamo: dashboard snapshot of %s: %w", snap.ProjectID, err)
	}
	return nil
}

// DashboardSnapshot reads a project's snapshot with one GetItem; ErrNotFound when there is none.
func (s *Store) DashboardSnapshot(ctx context.Context, projectID string) (glassbox.DashboardSnapshot, error) {
	var snap glassbox.DashboardSnapshot
	if err := s.get(ctx, sealsPK(projectID), skDashboardSnapshot, false, &snap); err != nil {
		return snap, fmt.Errorf("dynamo: dashboard snapshot of %s: %w", projectID, err)
	}
	return snap, nil
}

// DashboardReads reads a view with three Queries of the project's gsi1 partition, at once:
// EVENT#{eventsFrom} up to the end of FEEDBACK# (the event window and every feedback item), MESSAGE#{messagesFrom}
// up to SNAPSHOT (the message window, every open task, the snapshot), and DOC# (every document). Events and
// messages after to are dropped here (there are none but a clock's skew).
func (s *Store) DashboardReads(ctx context.Context, projectID string, eventsFrom, messagesFrom, to time.Time) (glassbox.DashboardReads, error) {
	var r glassbox.DashboardReads
	pk := expression.Key(AttrGSI1PK).Equal(expression.Value(projectPK(projectID)))
	between := func(from, to string) expression.KeyConditionBuilder {
		return pk.And(expression.Key(AttrGSI1SK).Between(expression.Value(from), expression.Value(to)))
	}
	upTo := "EVENT#" + FormatTime(to)
	decode := func(item map[string]types.AttributeValue, v any) error {
		if err := attributevalue.UnmarshalMap(item, v); err != nil {
			return fmt.Errorf("decode %s %s: %w", stringAttr(item, AttrPK), stringAttr(item, AttrSK), err)
		}
		return nil
	}
	gsi1 := func() *dynamodb.QueryInput { return &dynamodb.QueryInput{IndexName: aws.String(IndexGSI1)} }
	err := parallel(
		func() error {
			return s.query(ctx, gsi1(), between("EVENT#"+FormatTime(eventsFrom), feedbackEnd), nil, func(item map[string]types.AttributeValue) error {
				switch sk := stringAttr(item, AttrGSI1SK); {
				case strings.HasPrefix(sk, "EVENT#"):
					if sk >= upTo {
						return nil
					}
					var e glassbox.Event
					err := decode(item, &e)
					r.Events = append(r.Events, e)
					return err
				case strings.HasPrefix(sk, "FEEDBACK#"):
					if sk >= "FEEDBACK#"+FormatTime(to) {
						return nil
					}
					var f glassbox.Feedback
					err := decode(item, &f)
					r.Feedback = append(r.Feedback, f)
					return err
				}
				return nil
			})
		},
		func() error {
			upTo := "MESSAGE#" + FormatTime(to)
			return s.query(ctx, gsi1(), between("MESSAGE#"+FormatTime(messagesFrom), gsi1DashboardSnapshot), nil, func(item map[string]types.AttributeValue) error {
				switch sk := stringAttr(item, AttrGSI1SK); {
				case strings.HasPrefix(sk, "MESSAGE#"):
					if sk >= upTo {
						return nil
					}
					var m glassbox.Message
					err := decode(item, &m)
					r.Messages = append(r.Messages, m)
					return err
				case strings.HasPrefix(sk, gsi1OpenTask):
					var t glassbox.Task
					err := decode(item, &t)
					r.OpenTasks = append(r.OpenTasks, t)
					return err
				case sk == gsi1DashboardSnapshot:
					return decode(item, &r.Snapshot)
				}
				return nil
			})
		},
		func() (err error) {
			r.Documents, err = window[glassbox.Document](ctx, s, projectID, "DOC#", time.Time{}, to)
			return err
		},
	)
	if err != nil {
		return glassbox.DashboardReads{}, fmt.Errorf("dynamo: dashboard of %s: %w", projectID, err)
	}
	return r, nil
}

// parallel runs fs at once and returns the first error.
func parallel(fs ...func() error) error {
	errs := make(chan error, len(fs))
	for _, f := range fs {
		go func() { errs <- f() }()
	}
	var first error
	for range fs {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
