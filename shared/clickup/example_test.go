package clickup_test

import (
	"fmt"

	"github.com/glassbox-oss/glassbox/shared/clickup"
)

// Sign gives the X-Signature value of a body, for tests and for signing samples: ClickUp sends the hex
// HMAC-SHA256 of the raw body, keyed with the secret it returned when the webhook was created.
func ExampleSign() {
	body := []byte(`{"event":"taskStatusUpdated","task_id":"86c1dm7ab"}`)
	fmt.Println(clickup.Sign("demo-clickup-webhook-secret", body))
	// Output:
	// 4d5f3833c70840719079cb2bebde902c61ff2ec59f324da6f12b87dd387e981a
}
