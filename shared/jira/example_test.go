package jira_test

import (
	"fmt"

	"github.com/glassbox-oss/glassbox/shared/jira"
)

// Sign gives the X-Hub-Signature value of a body, for tests and for signing samples: Jira sends
// "sha256=" + hex HMAC-SHA256 of the raw body, keyed with the secret the admin webhook was saved with.
func ExampleSign() {
	body := []byte(`{"timestamp":1795428082512,"webhookEvent":"jira:issue_updated"}`)
	fmt.Println(jira.Sign("demo-jira-webhook-secret", body))
	// Output:
	// sha256=511e3efb82cd0f24cb99b778a4748f4eea509c72f6f4a75182d02af31919f4b2
}
