package dynamo_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/glassbox-oss/glassbox/shared/dynamo"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/timeline"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// TestTimelineTamper seals a project's events in DynamoDB Local, then changes one event's title and deletes
// another with the raw client, as someone with table access would: Verify names each, in its seal.
func TestTimelineTamper(t *testing.T) {
	client := dynamo.NewLocalClient(endpoint(t))
	table := newTable(t, client)
	s := dynamo.New(client, table)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"a", "b", "c"} {
		at := t0.Add(time.Duration(i) * time.Minute)
		e := glassbox.Event{ID: "trello:" + id, ProjectID: "p", Provider: "trello", ProviderEventID: id,
			Kind: glassbox.EventTaskMoved, TaskID: id, Title: "Задача " + id, OccurredAt: at, ReceivedAt: at}
		if err := s.AppendEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	made, err := (timeline.Sealer{Store: s, Clock: fixedClock(t0.Add(time.Hour))}).Seal(ctx, "p")
	if err != nil || len(made) != 1 || len(made[0].Entries) != 3 {
		t.Fatalf("Seal: %v, %v", made, err)
	}
	if rep, err := timeline.Verify(ctx, s, "p", made[0].Hash); err != nil || !rep.OK() || !rep.CheckpointOK() {
		t.Fatalf("before tampering: %+v, %v", rep, err)
	}

	key := func(id string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "EVENT#trello:" + id}, "sk": &types.AttributeValueMemberS{Value: "EVENT"},
		}
	}
	if _, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(table), Key: key("a"), UpdateExpression: aws.String("SET title = :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberS{Value: "Сдано в срок"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: key("c")}); err != nil {
		t.Fatal(err)
	}
	rep, err := timeline.Verify(ctx, s, "p", made[0].Hash)
	if err != nil {
		t.Fatal(err)
	}
	want := []timeline.Problem{
		{Seq: 1, EntryID: "event:trello:a", What: timeline.WhatChanged},
		{Seq: 1, EntryID: "event:trello:c", What: timeline.WhatMissing},
	}
	if !slices.Equal(rep.Problems, want) || rep.OK() || rep.CheckpointOK() {
		t.Errorf("after tampering: problems %v (want %v), OK %v, checkpoint OK %v", rep.Problems, want, rep.OK(), rep.CheckpointOK())
	}
}
