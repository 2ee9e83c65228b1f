package github_test

import (
	"fmt"

	"github.com/glassbox-oss/glassbox/shared/github"
)

// Sign gives the X-Hub-Signature-256 value GitHub sends with a body, for tests and for re-signing samples. A
// form-encoded delivery (payload=...) is signed as sent, not its JSON.
func ExampleSign() {
	body := []byte(`{"action":"closed","issue":{"node_id":"I_kwDOLxyz1c6JqAbc","title":"Landing page"}}`)
	fmt.Println(github.Sign("gh-webhook-secret", body))
	// Output:
	// sha256=4aadb830138b18ce8f88208533d2a051d9c61b32e8f93e86831e710519c1db89
}
