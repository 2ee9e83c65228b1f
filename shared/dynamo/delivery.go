package dynamo

import (
	"context"
	"errors"
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

// Delivery notes live in one partition, so the courier reads them all with one Query (then caches them).
const (
	pkDelivery      = "DELIVERY"
	skSuppressed    = "SUPPRESSED#"
	skMoved         = "MOVED#"
	TypeSuppression = "suppression"
	TypeChatMove    = "chat_move"
	// gsi2SentPrefix files a sent message in gsi2 under its provider id (SES's message id).
	gsi2SentPrefix = "SENT#"
)

// FailMessage marks a claimed message failed with one UpdateItem conditional on token holding the claim;
// ErrConflict when it does not. It removes the gsi2 keys: a claimed message was never sent, so they can only
// be the HELD_MESSAGE entry of a held one, and a failed message left there would be read, claimed in vain and
// counted by every flush, and would push newer held messages past the flush's limit.
func (s *Store) FailMessage(ctx context.Context, id, token string, at time.Time, reason string) error {
	update := expression.Set(expression.Name("state"), expression.Value(glassbox.MessageFailed)).
		Set(expression.Name("failedAt"), expression.Value(FormatTime(at))).
		Set(expression.Name("failure"), expression.Value(reason)).
		Remove(expression.Name(AttrGSI2PK)).Remove(expression.Name(AttrGSI2SK))
	err := s.updateItem(ctx, key(messagePK(id), skMessage), holdsClaim(token), update)
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: fail message %s: token does not hold the claim: %w", id, glassbox.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("dynamo: fail message %s: %w", id, err)
	}
	return nil
}

// MarkMessageBounced marks a message bounced with one UpdateItem conditional on it existing and not being
// bounced already; a failed condition is told apart (missing or bounced before) with one GetItem. Only a sent
// message bounces, and MarkMessageSent took it out of HELD_MESSAGE: its gsi2 keys are its provider id's, which
// a second bounce report finds it by, so they stay.
func (s *Store) MarkMessageBounced(ctx context.Context, id string, at time.Time, reason string) error {
	update := expression.Set(expression.Name("state"), expression.Value(glassbox.MessageBounced)).
		Set(expression.Name("failedAt"), expression.Value(FormatTime(at))).
		Set(expression.Name("failure"), expression.Value(reason))
	cond := expression.AttributeExists(expression.Name(AttrPK)).
		And(expression.Name("state").NotEqual(expression.Value(glassbox.MessageBounced)))
	err := s.updateItem(ctx, key(messagePK(id), skMessage), cond, update)
	if isConditionFailed(err) {
		_, err = s.Message(ctx, id)
		return err
	}
	if err != nil {
		return fmt.Errorf("dynamo: mark message %s bounced: %w", id, err)
	}
	return nil
}

// MessageByProviderID finds a sent message by its provider id: one Query on gsi2 and one GetItem (the index
// is eventually consistent; the item is read consistently).
func (s *Store) MessageByProviderID(ctx context.Context, providerID string) (glassbox.Message, error) {
	var id string
	err := s.query(ctx, &dynamodb.QueryInput{IndexName: aws.String(IndexGSI2), Limit: aws.Int32(1)},
		expression.Key(AttrGSI2PK).Equal(expression.Value(gsi2SentPrefix+providerID)), nil,
		func(item map[string]types.AttributeValue) error {
			if id == "" {
				id = stringAttr(item, AttrGSI2SK)
			}
			return nil
		})
	if err != nil {
		return glassbox.Message{}, fmt.Errorf("dynamo: message with provider id %s: %w", providerID, err)
	}
	if id == "" {
		return glassbox.Message{}, fmt.Errorf("dynamo: message with provider id %s: %w", providerID, glassbox.ErrNotFound)
	}
	return s.Message(ctx, id)
}

// Suppress records a suppression with one PutItem conditional on there being none; ErrDuplicate otherwise.
func (s *Store) Suppress(ctx context.Context, sup glassbox.Suppression) error {
	sup.Recipient = glassbox.SuppressionKey(sup.Recipient)
	return s.putNote(ctx, skSuppressed+sup.Recipient, TypeSuppression, sup, "suppress "+sup.Recipient)
}

// MoveChat records a chat's move with one PutItem conditional on there being none; ErrDuplicate otherwise.
func (s *Store) MoveChat(ctx context.Context, mv glassbox.ChatMove) error {
	return s.putNote(ctx, skMoved+mv.From, TypeChatMove, mv, "move chat "+mv.From)
}

func (s *Store) putNote(ctx context.Context, sk, typ string, v any, what string) error {
	item, err := s.marshal(v)
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", what, err)
	}
	item[AttrPK], item[AttrSK], item[AttrType] = str(pkDelivery), str(sk), str(typ)
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name(AttrPK))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", what, err)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                &s.table,
		Item:                     item,
		ConditionExpression:      expr.Condition(),
		ExpressionAttributeNames: expr.Names(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: %s: %w", what, glassbox.ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", what, err)
	}
	return nil
}

// ClearSuppression deletes a suppression with one DeleteItem conditional on it existing; ErrNotFound
// otherwise.
func (s *Store) ClearSuppression(ctx context.Context, recipient string) error {
	k := glassbox.SuppressionKey(recipient)
	return s.deleteNote(ctx, skSuppressed+k, "clear suppression "+k)
}

func (s *Store) deleteNote(ctx context.Context, sk, what string) error {
	expr, err := expression.NewBuilder().WithCondition(expression.AttributeExists(expression.Name(AttrPK))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", what, err)
	}
	_, err = s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                &s.table,
		Key:                      key(pkDelivery, sk),
		ConditionExpression:      expr.Condition(),
		ExpressionAttributeNames: expr.Names(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("dynamo: %s: %w", what, glassbox.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", what, err)
	}
	return nil
}

// DeliveryNotes reads every suppression, chat move and unsubscription with one (consistent) Query of their partition.
func (s *Store) DeliveryNotes(ctx context.Context) (glassbox.DeliveryNotes, error) {
	var n glassbox.DeliveryNotes
	err := s.query(ctx, &dynamodb.QueryInput{ConsistentRead: aws.Bool(true)},
		expression.Key(AttrPK).Equal(expression.Value(pkDelivery)), nil,
		func(item map[string]types.AttributeValue) error {
			switch sk := stringAttr(item, AttrSK); {
			case strings.HasPrefix(sk, skSuppressed):
				var sup glassbox.Suppression
				if err := attributevalue.UnmarshalMap(item, &sup); err != nil {
					return err
				}
				n.Suppressions = append(n.Suppressions, sup)
			case strings.HasPrefix(sk, skMoved):
				var mv glassbox.ChatMove
				if err := attributevalue.UnmarshalMap(item, &mv); err != nil {
					return err
				}
				n.Moves = append(n.Moves, mv)
			case strings.HasPrefix(sk, skUnsubscribed):
				var u glassbox.Unsubscription
				if err := attributevalue.UnmarshalMap(item, &u); err != nil {
					return err
				}
				n.Unsubscriptions = append(n.Unsubscriptions, u)
			}
			return nil
		})
	if err != nil && !errors.Is(err, glassbox.ErrNotFound) {
		return n, fmt.Errorf("dynamo: delivery notes: %w", err)
	}
	return n, nil
}
