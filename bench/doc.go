// Package bench measures Glassbox against the budgets in the README's Performance section: ingest handler time
// and DynamoDB requests per webhook, and DynamoDB requests per processed event, against DynamoDB Local.
// Run with `make bench`.
package bench
