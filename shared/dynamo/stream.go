package dynamo

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// DecodeEventImage decodes a task event from a stream record's image (record.Change.NewImage). It fails when
// the item is not an event (its "type" is not "event"); the React function's event source filter already
// passes only INSERTs of events, so that means a misconfigured filter.
func DecodeEventImage(img map[string]events.DynamoDBAttributeValue) (glassbox.Event, error) {
	var e glassbox.Event
	item, err := FromStreamImage(img)
	if err != nil {
		return e, fmt.Errorf("dynamo: decode stream image: %w", err)
	}
	if t := stringAttr(item, AttrType); t != TypeEvent {
		return e, fmt.Errorf("dynamo: decode stream image: item %q has type %q, want %q", stringAttr(item, AttrPK), t, TypeEvent)
	}
	if err := attributevalue.UnmarshalMap(item, &e); err != nil {
		return e, fmt.Errorf("dynamo: decode stream image %q: %w", stringAttr(item, AttrPK), err)
	}
	return e, nil
}

// FromStreamImage converts a Lambda stream image to the SDK's attribute values, so attributevalue can decode it.
func FromStreamImage(img map[string]events.DynamoDBAttributeValue) (item map[string]types.AttributeValue, err error) {
	// The events accessors panic on a type mismatch, which only a hand-built (zero) value can cause.
	defer func() {
		if r := recover(); r != nil {
			item, err = nil, fmt.Errorf("invalid attribute value: %v", r)
		}
	}()
	return fromStreamMap(img)
}

func fromStreamMap(img map[string]events.DynamoDBAttributeValue) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, len(img))
	for k, v := range img {
		av, err := fromStream(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = av
	}
	return out, nil
}

func fromStream(v events.DynamoDBAttributeValue) (types.AttributeValue, error) {
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}, nil
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeMap:
		m, err := fromStreamMap(v.Map())
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	case events.DataTypeList:
		list := v.List()
		out := make([]types.AttributeValue, len(list))
		for i, e := range list {
			av, err := fromStream(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = av
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}, nil
	default:
		return nil, fmt.Errorf("unknown data type %d", v.DataType())
	}
}
