package dynamo

import (
	"context"
	"maps"
	"sync"

	"github.com/aws/smithy-go/middleware"
)

// writeOperations are the DynamoDB operations billed as writes.
var writeOperations = []string{"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}

// RequestCounter counts DynamoDB requests per operation name ("PutItem", "Query"). Add it to a client's
// APIOptions:
//
//	c := &dynamo.RequestCounter{}
//	client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, c.Register) })
//
// It counts each API call once, however many times the SDK retries it. Its zero value is ready; it is safe for
// concurrent use.
type RequestCounter struct {
	mu     sync.Mutex
	counts map[string]int64
}

// Register adds the counting middleware to an operation's stack; pass it as an APIOptions entry.
func (c *RequestCounter) Register(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("glassboxRequestCounter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.add(middleware.GetOperationName(ctx))
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

func (c *RequestCounter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int64{}
	}
	c.counts[op]++
}

// Count returns the number of requests of one operation.
func (c *RequestCounter) Count(operation string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[operation]
}

// Counts returns a copy of the counts per operation.
func (c *RequestCounter) Counts() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.counts)
}

// Writes returns the number of write requests: PutItem, UpdateItem, DeleteItem, BatchWriteItem and
// TransactWriteItems.
func (c *RequestCounter) Writes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, op := range writeOperations {
		n += c.counts[op]
	}
	return n
}

// Total returns the number of requests of every operation.
func (c *RequestCounter) Total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, v := range c.counts {
		n += v
	}
	return n
}

// Reset sets every count to zero.
func (c *RequestCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.counts)
}
