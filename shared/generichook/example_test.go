package generichook_test

import (
	"fmt"

	"github.com/glassbox-oss/glassbox/shared/generichook"
)

// Sign gives the X-Glassbox-Signature of a report sent at a Unix time (X-Glassbox-Timestamp): the HMAC-SHA256
// of the timestamp, a dot and the body, as the README's curl and openssl example computes it. Verify refuses a
// timestamp more than five minutes from the time received.
func ExampleSign() {
	body := []byte(`{"event_id":"crm-4711-done","task_id":"4711","title":"Logo","status":"Done","url":"https://crm.example/4711","occurred_at":"2026-12-01T10:00:00Z"}`)
	fmt.Println(generichook.Sign("hook-secret-123", 1796119200, body))
	// Output:
	// sha256=dfe4cf13dcab45c480889cff77c6b4595247c961c843a50ae1d6b8e42bba3b0f
}
