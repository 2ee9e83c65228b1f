// Package dynamo is glassbox.Store on one DynamoDB table (docs/data-model.md describes the design). Every
// write that must be exactly-once or optimistic is a single conditional request, so there is nothing to roll
// back: AppendEvent is one conditional PutItem, PutTask one PutItem conditional on the version, ClaimMessage one
// PutItem conditional on the old claim. The package also creates the table (for DynamoDB Local and the admin
// CLI), counts requests, and decodes events from the table's stream images.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// Attribute names of the key design. The domain structs' own fields are stored as top-level attributes next
// to them, named by their dynamodbav tags.
const (
	AttrPK        = "pk"
	AttrSK        = "sk"
	AttrGSI1PK    = "gsi1pk"
	AttrGSI1SK    = "gsi1sk"
	AttrType      = "type"
	AttrExpiresAt = "expiresAt" // TTL, epoch seconds; reserved for short-lived items, unused so far
	// attrPos keeps a config entity's place in its list, so Config returns lists in the order applied.
	attrPos = "pos"

	// IndexGSI1 lists events, messages and documents of a project by time.
	IndexGSI1 = "gsi1"
)

// Item types, the value of the "type" attribute.
const (
	TypeConfig  = "config"
	TypeEvent   = "event"
	TypeTask    = "task"
	TypeMessage = "message"
)

const (
	pkConfig    = "CONFIG"
	skAgency    = "AGENCY"
	skEvent     = "EVENT"
	skMessage   = "MESSAGE"
	maxBatch    = 25 // BatchWriteItem's limit
	maxAttempts = 10 // of a batch with unprocessed items
)

// TimeFormat is the fixed-width UTC form of every time this package stores, so that string order is time
// order in sort keys and conditions. RFC3339Nano trims trailing zeros, which breaks that order.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// FormatTime formats t in UTC as TimeFormat.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// Store is glassbox.Store on one DynamoDB table. It is safe for concurrent use.
type Store struct {
	client *dynamodb.Client
	table  string
	enc    *attributevalue.Encoder
}

var _ glassbox.Store = (*Store)(nil)

// New returns a store on the table, which must have the schema CreateTable creates.
func New(client *dynamodb.Client, table string) *Store {
	return &Store{
		client: client,
		table:  table,
		enc: attributevalue.NewEncoder(func(o *attributevalue.EncoderOptions) {
			o.EncodeTime = func(t time.Time) (types.AttributeValue, error) {
				return &types.AttributeValueMemberS{Value: FormatTime(t)}, nil
			}
			o.OmitEmptyTime = true
		}),
	}
}

// PutConfig makes the stored configuration equal to c: one Query for the keys stored now, then BatchWriteItem
// puts of every entity and deletes of those c lacks. Puts go first, so an interrupted apply leaves extra
// entities rather than missing ones; applying again finishes it.
func (s *Store) PutConfig(ctx context.Context, c glassbox.Config) error {
	existing := map[string]bool{}
	keyOnly := expression.NamesList(expression.Name(AttrPK), expression.Name(AttrSK))
	err := s.query(ctx, &dynamodb.QueryInput{ConsistentRead: aws.Bool(true)},
		expression.Key(AttrPK).Equal(expression.Value(pkConfig)), &keyOnly,
		func(item map[string]types.AttributeValue) error {
			existing[stringAttr(item, AttrSK)] = true
			return nil
		})
	if err != nil {
		return fmt.Errorf("dynamo: put config: read keys: %w", err)
	}

	var writes []types.WriteRequest
	add := func(sk string, pos int, v any) error {
		item, err := s.marshal(v)
		if err != nil {
			return fmt.Errorf("dynamo: put config: encode %s: %w", sk, err)
		}
		item[AttrPK] = str(pkConfig)
		item[AttrSK] = str(sk)
		item[AttrType] = str(TypeConfig)
		item[attrPos] = &types.AttributeValueMemberN{Value: strconv.Itoa(pos)}
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		delete(existing, sk)
		return nil
	}
	if err := add(skAgency, 0, c.Agency); err != nil {
		return err
	}
	for i, cl := range c.Clients {
		if err := add(clientSK(cl.ID), i, cl); err != nil {
			return err
		}
	}
	for i, p := range c.Projects {
		if err := add(projectSK(p.ID), i, p); err != nil {
			return err
		}
	}
	for i, b := range c.Bindings {
		if err := add(bindingSK(b.Provider, b.ID), i, b); err != nil {
			return err
		}
	}
	for i, sl := range c.Sellers {
		if err := add(sellerSK(sl.ID), i, sl); err != nil {
			return err
		}
	}
	for sk := range existing {
		writes = append(writes, types.WriteRequest{DeleteRequest: &types.DeleteRequest{
			Key: map[string]types.AttributeValue{AttrPK: str(pkConfig), AttrSK: str(sk)},
		}})
	}
	for start := 0; start < len(writes); start += maxBatch {
		if err := s.batchWrite(ctx, writes[start:min(start+maxBatch, len(writes))]); err != nil {
			return fmt.Errorf("dynamo: put config: %w", err)
		}
	}
	return nil
}

// batchWrite writes up to 25 requests, retrying unprocessed ones with exponential backoff.
func (s *Store) batchWrite(ctx context.Context, writes []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{s.table: writes}
	delay := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		out, err := s.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return err
		}
		if len(out.UnprocessedItems[s.table]) == 0 {
			return nil
		}
		if attempt == maxAttempts {
			return fmt.Errorf("%d writes still unprocessed after %d attempts", len(out.UnprocessedItems[s.table]), attempt)
		}
		pending = out.UnprocessedItems
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// Config reads the whole configuration with one (paginated) Query; ErrNotFound when none was applied.
func (s *Store) Config(ctx context.Context) (glassbox.Config, error) {
	var (
		c         glassbox.Config
		found     bool
		clients   []positioned[glassbox.Client]
		projects  []positioned[glassbox.Project]
		bindings  []positioned[glassbox.Binding]
		sellers   []positioned[glassbox.Seller]
		decodeErr error
	)
	err := s.query(ctx, &dynamodb.QueryInput{ConsistentRead: aws.Bool(true)},
		expression.Key(AttrPK).Equal(expression.Value(pkConfig)), nil,
		func(item map[string]types.AttributeValue) error {
			sk := stringAttr(item, AttrSK)
			switch {
			case sk == skAgency:
				found = true
				decodeErr = attributevalue.UnmarshalMap(item, &c.Agency)
			case strings.HasPrefix(sk, "CLIENT#"):
				clients, decodeErr = appendDecoded(clients, item)
			case strings.HasPrefix(sk, "PROJECT#"):
				projects, decodeErr = appendDecoded(projects, item)
			case strings.HasPrefix(sk, "BINDING#"):
				bindings, decodeErr = appendDecoded(bindings, item)
			case strings.HasPrefix(sk, "SELLER#"):
				sellers, decodeErr = appendDecoded(sellers, item)
			}
			if decodeErr != nil {
				return fmt.Errorf("decode %s: %w", sk, decodeErr)
			}
			return nil
		})
	if err != nil {
		return glassbox.Config{}, fmt.Errorf("dynamo: config: %w", err)
	}
	if !found {
		return glassbox.Config{}, fmt.Errorf("dynamo: config: %w", glassbox.ErrNotFound)
	}
	c.Clients, c.Projects, c.Bindings, c.Sellers = inOrder(clients), inOrder(projects), inOrder(bindings), inOrder(sellers)
	return c, nil
}

// Binding reads one binding with one GetItem; ErrNotFound when there is none.
func (s *Store) Binding(ctx context.Context, provider, id string) (glassbox.Binding, error) {
	var b glassbox.Binding
	err := s.get(ctx, pkConfig, bindingSK(provider, id), false, &b)
	if err != nil {
		return b, fmt.Errorf("dynamo: binding %s/%s: %w", provider, id, err)
	}
	return b, nil
}

// AppendEvent stores a new event with exactly one PutItem conditional on the id being new; ErrDuplicate when
// it is not (nothing is written then).
func (s *Store) AppendEvent(ctx context.Context, e glassbox.Event) error {
	item, err := s.eventItem(e)
	if err != nil {
		return fmt.Errorf("dynamo: append event %s: %w", e.ID, err)
	}
	cond, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(AttrPK))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: append event %s: %w", e.ID, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 &s.table,
		Item:                      item,
		ConditionExpression:       cond.Condition(),
		ExpressionAttributeNames:  cond.Names(),
		ExpressionAttributeValues: cond.Values(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: append event %s: %w", e.ID, glassbox.ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("dynamo: append event %s: %w", e.ID, err)
	}
	return nil
}

func (s *Store) eventItem(e glassbox.Event) (map[string]types.AttributeValue, error) {
	item, err := s.marshal(e)
	if err != nil {
		return nil, err
	}
	item[AttrPK] = str(eventPK(e.ID))
	item[AttrSK] = str(skEvent)
	item[AttrType] = str(TypeEvent)
	item[AttrGSI1PK] = str(projectPK(e.ProjectID))
	item[AttrGSI1SK] = str("EVENT#" + FormatTime(e.OccurredAt) + "#" + e.ID)
	// Unprocessed until React says otherwise: the mark rides on the one write that accepts the event.
	item[AttrGSI2PK] = str(gsi2UnprocessedEvent)
	item[AttrGSI2SK] = str(FormatTime(e.ReceivedAt) + "#" + e.ID)
	return item, nil
}

// MarkEventProcessed takes the event out of the sparse gsi2 with one UpdateItem, conditional on the event
// existing (an update would otherwise create an item of just the key).
func (s *Store) MarkEventProcessed(ctx context.Context, id string) error {
	err := s.updateItem(ctx, key(eventPK(id), skEvent), expression.AttributeExists(expression.Name(AttrPK)),
		expression.Remove(expression.Name(AttrGSI2PK)).Remove(expression.Name(AttrGSI2SK)))
	if isConditionFailed(err) {
		err = glassbox.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("dynamo: mark event %s processed: %w", id, err)
	}
	return nil
}

// updateItem applies update to one item under cond, with one UpdateItem; a failed condition comes back as the
// SDK's error (isConditionFailed).
func (s *Store) updateItem(ctx context.Context, k map[string]types.AttributeValue, cond expression.ConditionBuilder, update expression.UpdateBuilder) error {
	expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(update).Build()
	if err != nil {
		return err
	}
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       k,
		ConditionExpression:       expr.Condition(),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	return err
}

// PostponeEvent re-keys the event in gsi2 to until with one UpdateItem, conditional on the mark still being
// there (a processed event must not be marked again).
func (s *Store) PostponeEvent(ctx context.Context, id string, until time.Time, attempts int) error {
	err := s.updateItem(ctx, key(eventPK(id), skEvent), expression.AttributeExists(expression.Name(AttrGSI2PK)),
		expression.Set(expression.Name(AttrGSI2SK), expression.Value(FormatTime(until)+"#"+id)).
			Set(expression.Name("sweepAfter"), expression.Value(FormatTime(until))).
			Set(expression.Name("sweepAttempts"), expression.Value(attempts)))
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("dynamo: postpone event %s: %w", id, err)
	}
	return nil
}

// UnprocessedEvents reads the sparse gsi2 under UNPROCESSED_EVENT, keyed by receipt or postponed turn, before
// the given time, earliest first: one Query page per 1 MB, stopping at limit. The index is eventually consistent; an event processed a
// moment ago may still be listed, and processing it again does nothing.
func (s *Store) UnprocessedEvents(ctx context.Context, before time.Time, limit int) ([]glassbox.Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []glassbox.Event
	errEnough := errors.New("enough")
	key := expression.Key(AttrGSI2PK).Equal(expression.Value(gsi2UnprocessedEvent)).
		And(expression.Key(AttrGSI2SK).LessThan(expression.Value(FormatTime(before))))
	err := s.query(ctx, &dynamodb.QueryInput{IndexName: aws.String(IndexGSI2), Limit: aws.Int32(int32(min(limit, 1000)))}, key, nil,
		func(item map[string]types.AttributeValue) error {
			var e glassbox.Event
			if err := attributevalue.UnmarshalMap(item, &e); err != nil {
				return fmt.Errorf("decode %s: %w", stringAttr(item, AttrPK), err)
			}
			if out = append(out, e); len(out) >= limit {
				return errEnough
			}
			return nil
		})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, fmt.Errorf("dynamo: unprocessed events: %w", err)
	}
	return out, nil
}

// Event reads one event with one GetItem; ErrNotFound when there is none.
func (s *Store) Event(ctx context.Context, id string) (glassbox.Event, error) {
	var e glassbox.Event
	if err := s.get(ctx, eventPK(id), skEvent, true, &e); err != nil {
		return e, fmt.Errorf("dynamo: event %s: %w", id, err)
	}
	return e, nil
}

// EventsBetween lists a project's events with from <= OccurredAt < to, oldest first: a Query on gsi1.
func (s *Store) EventsBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Event, error) {
	out, err := window[glassbox.Event](ctx, s, projectID, "EVENT#", from, to)
	if err != nil {
		return nil, fmt.Errorf("dynamo: events of %s: %w", projectID, err)
	}
	return out, nil
}

// Task reads a task's state with one (consistent) GetItem; ErrNotFound when there is none.
func (s *Store) Task(ctx context.Context, projectID, provider, taskID string) (glassbox.Task, error) {
	var t glassbox.Task
	if err := s.get(ctx, projectPK(projectID), taskSK(provider, taskID), true, &t); err != nil {
		return t, fmt.Errorf("dynamo: task %s/%s/%s: %w", projectID, provider, taskID, err)
	}
	return t, nil
}

// PutTask writes a task's state with one PutItem conditional on the stored version being t.Version-1 (or on
// there being none when t.Version is 1); ErrConflict otherwise.
func (s *Store) PutTask(ctx context.Context, t glassbox.Task) error {
	what := fmt.Sprintf("dynamo: put task %s/%s/%s version %d", t.ProjectID, t.Provider, t.TaskID, t.Version)
	var cond expression.ConditionBuilder
	switch {
	case t.Version == 1:
		cond = expression.AttributeNotExists(expression.Name(AttrPK))
	case t.Version > 1:
		cond = expression.Name("version").Equal(expression.Value(t.Version - 1))
	default:
		return fmt.Errorf("%s: versions start at 1: %w", what, glassbox.ErrConflict)
	}
	item, err := s.marshal(t)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	item[AttrPK] = str(projectPK(t.ProjectID))
	item[AttrSK] = str(taskSK(t.Provider, t.TaskID))
	item[AttrType] = str(TypeTask)
	dueTaskKeys(item, t)
	openTaskKeys(item, t)
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 &s.table,
		Item:                      item,
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("%s: %w", what, glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Tasks lists a project's tasks, ordered by provider and task id: one (paginated) Query.
func (s *Store) Tasks(ctx context.Context, projectID string) ([]glassbox.Task, error) {
	key := expression.Key(AttrPK).Equal(expression.Value(projectPK(projectID))).
		And(expression.Key(AttrSK).BeginsWith("TASK#"))
	out, err := queryAll[glassbox.Task](ctx, s, &dynamodb.QueryInput{ConsistentRead: aws.Bool(true)}, key)
	if err != nil {
		return nil, fmt.Errorf("dynamo: tasks of %s: %w", projectID, err)
	}
	return out, nil
}

// ClaimMessage records m as claimed with one PutItem, conditional on there being no message with its id or
// only a claim older than lease. When the condition fails, the old item comes back with the error
// (ReturnValuesOnConditionCheckFailure), which tells ErrAlreadySent from ErrClaimHeld without another read.
func (s *Store) ClaimMessage(ctx context.Context, m glassbox.Message, lease time.Duration) error {
	put, err := s.claimPut(m, lease)
	if err != nil {
		return fmt.Errorf("dynamo: claim message %s: %w", m.ID, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           put.TableName,
		Item:                                put.Item,
		ConditionExpression:                 put.ConditionExpression,
		ExpressionAttributeNames:            put.ExpressionAttributeNames,
		ExpressionAttributeValues:           put.ExpressionAttributeValues,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if state := glassbox.MessageState(stringAttr(ccf.Item, "state")); state.Delivered() {
			return fmt.Errorf("dynamo: claim message %s: %s: %w", m.ID, state, glassbox.ErrAlreadySent)
		}
		return fmt.Errorf("dynamo: claim message %s: claimed at %s: %w", m.ID, stringAttr(ccf.Item, "claimedAt"), glassbox.ErrClaimHeld)
	}
	if err != nil {
		return fmt.Errorf("dynamo: claim message %s: %w", m.ID, err)
	}
	return nil
}

// claimPut is the conditional Put that claims m, for ClaimMessage and ClaimMessages alike: the item as claimed,
// under the condition that there is no message with its id, or a held one, or only a claim older than lease.
func (s *Store) claimPut(m glassbox.Message, lease time.Duration) (types.Put, error) {
	m.State = glassbox.MessageClaimed
	item, err := s.messageItem(m)
	if err != nil {
		return types.Put{}, err
	}
	// A held message is claimed as a new one: it waited for this.
	cond := expression.AttributeNotExists(expression.Name(AttrPK)).
		Or(expression.Name("state").Equal(expression.Value(glassbox.MessageHeld))).
		Or(expression.Name("state").Equal(expression.Value(glassbox.MessageClaimed)).
			And(expression.Name("claimedAt").LessThan(expression.Value(FormatTime(m.ClaimedAt.Add(-lease))))))
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return types.Put{}, err
	}
	return types.Put{
		TableName:                           &s.table,
		Item:                                item,
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}, nil
}

// ClaimMessages claims several messages with one TransactWriteItems of the Puts ClaimMessage makes, all or
// nothing: a failed condition on any (sent, or held by another attempt) writes none, and ErrConflict tells
// the caller to claim them one by one, which says which is which. The SDK gives the transaction a client
// request token, so its own retry of a write whose answer was lost does not fail on the claims it made.
func (s *Store) ClaimMessages(ctx context.Context, ms []glassbox.Message, lease time.Duration) error {
	if len(ms) == 0 || len(ms) > maxTransactItems {
		return fmt.Errorf("dynamo: claim messages: needs 1 to %d messages", maxTransactItems)
	}
	items := make([]types.TransactWriteItem, 0, len(ms))
	for _, m := range ms {
		put, err := s.claimPut(m, lease)
		if err != nil {
			return fmt.Errorf("dynamo: claim message %s: %w", m.ID, err)
		}
		items = append(items, types.TransactWriteItem{Put: &put})
	}
	_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return fmt.Errorf("dynamo: claim %d messages: %s: %w", len(ms), cancelReasons(canceled), glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamo: claim %d messages: %w", len(ms), err)
	}
	return nil
}

// cancelReasons says why a transaction was cancelled, item by item, for the log.
func cancelReasons(e *types.TransactionCanceledException) string {
	var codes []string
	for _, r := range e.CancellationReasons {
		codes = append(codes, aws.ToString(r.Code))
	}
	return strings.Join(codes, ",")
}

// holdsClaim is the condition that token holds a live claim.
func holdsClaim(token string) expression.ConditionBuilder {
	return expression.Name("state").Equal(expression.Value(glassbox.MessageClaimed)).
		And(expression.Name("claimToken").Equal(expression.Value(token)))
}

// MarkMessageSent marks a claimed message sent with one UpdateItem conditional on token holding the claim;
// ErrConflict when it does not. The same update files the message under its provider id in the sparse gsi2
// (MessageByProviderID), so finding it from a bounce costs no request here.
func (s *Store) MarkMessageSent(ctx context.Context, id, token string, sentAt time.Time, providerID string) error {
	err := s.updateItem(ctx, key(messagePK(id), skMessage), holdsClaim(token), markSentUpdate(id, sentAt, providerID))
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: mark message %s sent: token does not hold the claim: %w", id, glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamo: mark message %s sent: %w", id, err)
	}
	return nil
}

// markSentUpdate is the update that marks a message sent, for MarkMessageSent and MarkMessagesSent alike.
func markSentUpdate(id string, sentAt time.Time, providerID string) expression.UpdateBuilder {
	update := expression.Set(expression.Name("state"), expression.Value(glassbox.MessageSent)).
		Set(expression.Name("sentAt"), expression.Value(FormatTime(sentAt))).
		Set(expression.Name("providerId"), expression.Value(providerID))
	// A held message leaves the waiting messages once it is out: its gsi2 entry becomes the provider id's, or
	// goes.
	if providerID != "" {
		return update.Set(expression.Name(AttrGSI2PK), expression.Value(gsi2SentPrefix+providerID)).
			Set(expression.Name(AttrGSI2SK), expression.Value(id))
	}
	return update.Remove(expression.Name(AttrGSI2PK)).Remove(expression.Name(AttrGSI2SK))
}

// MarkMessagesSent marks several claimed messages sent with one TransactWriteItems of the Updates
// MarkMessageSent makes, all or nothing: when a token no longer holds its claim nothing is written
// (ErrConflict), and the caller marks them one by one.
func (s *Store) MarkMessagesSent(ctx context.Context, marks []glassbox.SentMark) error {
	if len(marks) == 0 || len(marks) > maxTransactItems {
		return fmt.Errorf("dynamo: mark messages sent: needs 1 to %d marks", maxTransactItems)
	}
	items := make([]types.TransactWriteItem, 0, len(marks))
	for _, mk := range marks {
		expr, err := expression.NewBuilder().WithCondition(holdsClaim(mk.Token)).
			WithUpdate(markSentUpdate(mk.ID, mk.SentAt, mk.ProviderID)).Build()
		if err != nil {
			return fmt.Errorf("dynamo: mark message %s sent: %w", mk.ID, err)
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{TableName: &s.table,
			Key: key(messagePK(mk.ID), skMessage), ConditionExpression: expr.Condition(), UpdateExpression: expr.Update(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}})
	}
	_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var canceled *types.TransactionCanceledException
	if errors.As(err, &canceled) {
		return fmt.Errorf("dynamo: mark %d messages sent: %s: %w", len(marks), cancelReasons(canceled), glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamo: mark %d messages sent: %w", len(marks), err)
	}
	return nil
}

// ReleaseMessage deletes the claim token holds, with one DeleteItem conditional on it, so the next attempt
// claims the message at once; ErrConflict when token does not hold the claim.
func (s *Store) ReleaseMessage(ctx context.Context, id, token string) error {
	// A held message must not be deleted (nothing else would send it): the delete is conditional on there being
	// no hold, and a held one is put back to held (releaseHeld) at the cost of a second request.
	expr, err := expression.NewBuilder().WithCondition(holdsClaim(token).And(expression.AttributeNotExists(expression.Name("hold")))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: release message %s: %w", id, err)
	}
	_, err = s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                           &s.table,
		Key:                                 key(messagePK(id), skMessage),
		ConditionExpression:                 expr.Condition(),
		ExpressionAttributeNames:            expr.Names(),
		ExpressionAttributeValues:           expr.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) && ccf.Item["hold"] != nil {
		return s.releaseHeld(ctx, id, token)
	}
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: release message %s: token does not hold the claim: %w", id, glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamo: release message %s: %w", id, err)
	}
	return nil
}

// Message reads one message with one (consistent) GetItem; ErrNotFound when there is none.
func (s *Store) Message(ctx context.Context, id string) (glassbox.Message, error) {
	var m glassbox.Message
	if err := s.get(ctx, messagePK(id), skMessage, true, &m); err != nil {
		return m, fmt.Errorf("dynamo: message %s: %w", id, err)
	}
	return m, nil
}

// MessagesBetween lists a project's messages with from <= ClaimedAt < to, oldest first: a Query on gsi1.
func (s *Store) MessagesBetween(ctx context.Context, projectID string, from, to time.Time) ([]glassbox.Message, error) {
	out, err := window[glassbox.Message](ctx, s, projectID, "MESSAGE#", from, to)
	if err != nil {
		return nil, fmt.Errorf("dynamo: messages of %s: %w", projectID, err)
	}
	return out, nil
}

// window lists a project's items of one kind (sort key prefix) with from <= time < to, oldest first, decoded
// as T: a Query of gsi1. Sort keys are prefix + time + "#" + id, so BETWEEN prefix+from AND prefix+to includes
// items at from and excludes items at to: they sort after the bare prefix+to, which no item has.
func window[T any](ctx context.Context, s *Store, projectID, prefix string, from, to time.Time) ([]T, error) {
	if !from.Before(to) {
		return nil, nil // BETWEEN with lower > upper is a ValidationException; the window is empty anyway
	}
	key := expression.Key(AttrGSI1PK).Equal(expression.Value(projectPK(projectID))).
		And(expression.Key(AttrGSI1SK).Between(expression.Value(prefix+FormatTime(from)), expression.Value(prefix+FormatTime(to))))
	return queryAll[T](ctx, s, &dynamodb.QueryInput{IndexName: aws.String(IndexGSI1)}, key)
}

// queryAll runs a Query through every page and decodes each item into a T.
func queryAll[T any](ctx context.Context, s *Store, in *dynamodb.QueryInput, key expression.KeyConditionBuilder) ([]T, error) {
	var out []T
	err := s.query(ctx, in, key, nil, func(item map[string]types.AttributeValue) error {
		var v T
		if err := attributevalue.UnmarshalMap(item, &v); err != nil {
			return fmt.Errorf("decode %s %s: %w", stringAttr(item, AttrPK), stringAttr(item, AttrSK), err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// query runs a Query built from in (table name and expressions filled in here) through every page.
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput, key expression.KeyConditionBuilder, proj *expression.ProjectionBuilder, f func(map[string]types.AttributeValue) error) error {
	b := expression.NewBuilder().WithKeyCondition(key)
	if proj != nil {
		b = b.WithProjection(*proj)
	}
	expr, err := b.Build()
	if err != nil {
		return err
	}
	in.TableName = &s.table
	in.KeyConditionExpression = expr.KeyCondition()
	in.ProjectionExpression = expr.Projection()
	in.ExpressionAttributeNames = expr.Names()
	in.ExpressionAttributeValues = expr.Values()
	pages := dynamodb.NewQueryPaginator(s.client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, item := range page.Items {
			if err := f(item); err != nil {
				return err
			}
		}
	}
	return nil
}

// get reads one item into v; ErrNotFound when there is none.
func (s *Store) get(ctx context.Context, pk, sk string, consistent bool, v any) error {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            key(pk, sk),
		ConsistentRead: aws.Bool(consistent),
	})
	if err != nil {
		return err
	}
	if out.Item == nil {
		return glassbox.ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(out.Item, v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

func (s *Store) marshal(v any) (map[string]types.AttributeValue, error) {
	av, err := s.enc.Encode(v)
	if err != nil {
		return nil, err
	}
	m, ok := av.(*types.AttributeValueMemberM)
	if !ok {
		return nil, fmt.Errorf("encode %T: got %T, want a map", v, av)
	}
	return m.Value, nil
}

// positioned is a config entity and its place in its list.
type positioned[T any] struct {
	pos int
	v   T
}

func appendDecoded[T any](list []positioned[T], item map[string]types.AttributeValue) ([]positioned[T], error) {
	var p positioned[T]
	if err := attributevalue.UnmarshalMap(item, &p.v); err != nil {
		return list, err
	}
	if n, ok := item[attrPos].(*types.AttributeValueMemberN); ok {
		pos, err := strconv.Atoi(n.Value)
		if err != nil {
			return list, fmt.Errorf("%s: %w", attrPos, err)
		}
		p.pos = pos
	}
	return append(list, p), nil
}

func inOrder[T any](list []positioned[T]) []T {
	slices.SortStableFunc(list, func(a, b positioned[T]) int { return a.pos - b.pos })
	out := make([]T, len(list))
	for i, p := range list {
		out[i] = p.v
	}
	return out
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: str(pk), AttrSK: str(sk)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func stringAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func clientSK(id string) string            { return "CLIENT#" + id }
func projectSK(id string) string           { return "PROJECT#" + id }
func bindingSK(provider, id string) string { return "BINDING#" + provider + "#" + id }
func sellerSK(id string) string            { return "SELLER#" + id }
func eventPK(id string) string             { return "EVENT#" + id }
func projectPK(id string) string           { return "PROJECT#" + id }
func taskSK(provider, id string) string    { return "TASK#" + provider + "#" + id }
func messagePK(id string) string           { return "MESSAGE#" + id }
