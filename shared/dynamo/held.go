package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// The sparse gsi2 partitions of waiting messages and of tasks that may fall overdue. A held message carries
// gsi2pk = HELD_MESSAGE, gsi2sk = {hold.until}#{id} until MarkMessageSent (or BatchHeld, for a batched
// notice) removes them; a task carries gsi2pk = TASK_DUE, gsi2sk = {due}#{project}#{provider}#{task} while
// Task.OverdueCheck says the manager may still have to be told.
const (
	gsi2HeldMessage = "HELD_MESSAGE"
	gsi2TaskDue     = "TASK_DUE"
)

// messageItem is a message as stored: its key, type, the project/time index and, while it waits, the
// due-time index.
func (s *Store) messageItem(m glassbox.Message) (map[string]types.AttributeValue, error) {
	item, err := s.marshal(m)
	if err != nil {
		return nil, err
	}
	item[AttrPK] = str(messagePK(m.ID))
	item[AttrSK] = str(skMessage)
	item[AttrType] = str(TypeMessage)
	item[AttrGSI1PK] = str(projectPK(m.ProjectID))
	item[AttrGSI1SK] = str("MESSAGE#" + FormatTime(m.ClaimedAt) + "#" + m.ID)
	if m.Waiting() {
		item[AttrGSI2PK] = str(gsi2HeldMessage)
		item[AttrGSI2SK] = str(FormatTime(m.Hold.Until) + "#" + m.ID)
	}
	return item, nil
}

// dueTaskKeys puts a task that may fall overdue into the TASK_DUE partition of gsi2.
func dueTaskKeys(item map[string]types.AttributeValue, t glassbox.Task) {
	if due, ok := t.OverdueCheck(); ok {
		item[AttrGSI2PK] = str(gsi2TaskDue)
		item[AttrGSI2SK] = str(FormatTime(due) + "#" + t.ProjectID + "#" + t.Provider + "#" + t.TaskID)
	}
}

// HoldMessage stores a held message with one PutItem conditional on its id being new; the old item comes
// back on a failed condition and says which error it is.
func (s *Store) HoldMessage(ctx context.Context, m glassbox.Message) error {
	if m.Hold == nil {
		return fmt.Errorf("dynamo: hold message %s: no hold", m.ID)
	}
	m.State = glassbox.MessageHeld
	item, err := s.messageItem(m)
	if err != nil {
		return fmt.Errorf("dynamo: hold message %s: %w", m.ID, err)
	}
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(AttrPK))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: hold message %s: %w", m.ID, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           &s.table,
		Item:                                item,
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if st := stringAttr(ccf.Item, "state"); st == string(glassbox.MessageClaimed) {
			return fmt.Errorf("dynamo: hold message %s: claimed at %s: %w", m.ID, stringAttr(ccf.Item, "claimedAt"), glassbox.ErrClaimHeld)
		}
		return fmt.Errorf("dynamo: hold message %s: %s already: %w", m.ID, stringAttr(ccf.Item, "state"), glassbox.ErrAlreadySent)
	}
	if err != nil {
		return fmt.Errorf("dynamo: hold message %s: %w", m.ID, err)
	}
	return nil
}

// releaseHeld puts a held message whose send failed back to held, marked tried (glassbox.Hold.Tried: it is
// never coalesced now), with one UpdateItem conditional on token holding the claim.
func (s *Store) releaseHeld(ctx context.Context, id, token string) error {
	err := s.updateItem(ctx, key(messagePK(id), skMessage), holdsClaim(token),
		expression.Set(expression.Name("state"), expression.Value(glassbox.MessageHeld)).
			Set(expression.Name("hold.tried"), expression.Value(true)).Remove(expression.Name("claimToken")))
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: release message %s: token does not hold the claim: %w", id, glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamo: release message %s: %w", id, err)
	}
	return nil
}

// HeldMessages queries gsi2's HELD_MESSAGE partition for messages due before the given time, earliest first.
// Only held and claimed messages count towards limit: anything else listed (an entry a failed write left)
// is skipped, so it cannot fill a flush's reads.
func (s *Store) HeldMessages(ctx context.Context, before time.Time, limit int) ([]glassbox.Message, error) {
	out, err := dueBefore(ctx, s, gsi2HeldMessage, before, limit, glassbox.Message.Waiting)
	if err != nil {
		return nil, fmt.Errorf("dynamo: held messages: %w", err)
	}
	return out, nil
}

// DueTasks queries gsi2's TASK_DUE partition for tasks due before the given time, earliest first.
func (s *Store) DueTasks(ctx context.Context, before time.Time, limit int) ([]glassbox.Task, error) {
	out, err := dueBefore(ctx, s, gsi2TaskDue, before, limit, func(glassbox.Task) bool { return true })
	if err != nil {
		return nil, fmt.Errorf("dynamo: due tasks: %w", err)
	}
	return out, nil
}

// dueBefore reads up to limit items of one gsi2 partition whose sort key (a time first) is before the given
// time, keeping those keep accepts.
func dueBefore[T any](ctx context.Context, s *Store, partition string, before time.Time, limit int, keep func(T) bool) ([]T, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []T
	errEnough := errors.New("enough")
	k := expression.Key(AttrGSI2PK).Equal(expression.Value(partition)).
		And(expression.Key(AttrGSI2SK).LessThan(expression.Value(FormatTime(before))))
	err := s.query(ctx, &dynamodb.QueryInput{IndexName: aws.String(IndexGSI2), Limit: aws.Int32(int32(min(limit, 1000)))}, k, nil,
		func(item map[string]types.AttributeValue) error {
			var v T
			if err := attributevalue.UnmarshalMap(item, &v); err != nil {
				return fmt.Errorf("decode %s: %w", stringAttr(item, AttrPK), err)
			}
			if !keep(v) {
				return nil
			}
			if out = append(out, v); len(out) >= limit {
				return errEnough
			}
			return nil
		})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return out, nil
}

// maxTransactItems is the most items one TransactWriteItems takes.
const maxTransactItems = 100

// MaxBatch is the most notices one coalesced message lists: BatchHeld writes them and the batch in one
// TransactWriteItems.
const MaxBatch = maxTransactItems - 1

// BatchHeld writes the coalesced message and moves each member from held to batched in one
// TransactWriteItems: Put the batch (attribute_not_exists), Update each member (state = held and not tried; SET state,
// hold.batch; REMOVE the gsi2 keys). Any failed condition writes nothing: ErrConflict.
func (s *Store) BatchHeld(ctx context.Context, batch glassbox.Message) error {
	if batch.Hold == nil || len(batch.Hold.Members) == 0 || len(batch.Hold.Members) > MaxBatch {
		return fmt.Errorf("dynamo: batch %s: needs 1 to %d members", batch.ID, MaxBatch)
	}
	batch.State = glassbox.MessageHeld
	item, err := s.messageItem(batch)
	if err != nil {
		return fmt.Errorf("dynamo: batch %s: %w", batch.ID, err)
	}
	put, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(AttrPK))).Build()
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: &s.table, Item: item, ConditionExpression: put.Condition(),
		ExpressionAttributeNames: put.Names(), ExpressionAttributeValues: put.Values()}}}
	member, err := expression.NewBuilder().
		WithCondition(expression.Name("state").Equal(expression.Value(glassbox.MessageHeld)).
			And(expression.AttributeNotExists(expression.Name("hold.tried")))).
		WithUpdate(expression.Set(expression.Name("state"), expression.Value(glassbox.MessageBatched)).
			Set(expression.Name("hold.batch"), expression.Value(batch.ID)).
			Remove(expression.Name(AttrGSI2PK)).Remove(expression.Name(AttrGSI2SK))).Build()
	if err != nil {
		return err
	}
	for _, id := range batch.Hold.Members {
		items = append(items, types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(messagePK(id), skMessage),
			ConditionExpression: member.Condition(), UpdateExpression: member.Update(),
			ExpressionAttributeNames: member.Names(), ExpressionAttributeValues: member.Values()}})
	}
	_, err = s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return fmt.Errorf("dynamo: batch %s: a member is no longer held, or the batch exists: %w", batch.ID, glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamo: batch %s: %w", batch.ID, err)
	}
	return nil
}

// DropHeld moves a held message to dropped and out of gsi2 with one UpdateItem conditional on state = held.
func (s *Store) DropHeld(ctx context.Context, id string) error {
	err := s.updateItem(ctx, key(messagePK(id), skMessage), expression.Name("state").Equal(expression.Value(glassbox.MessageHeld)),
		expression.Set(expression.Name("state"), expression.Value(glassbox.MessageDropped)).
			Remove(expression.Name(AttrGSI2PK)).Remove(expression.Name(AttrGSI2SK)))
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: drop held message %s: not held: %w", id, glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamo: drop held message %s: %w", id, err)
	}
	return nil
}
