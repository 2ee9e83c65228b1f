package linear_test

import (
	"fmt"

	"github.com/glassbox-oss/glassbox/shared/linear"
)

// Sign gives the Linear-Signature value of a body, for tests and for re-signing samples. The body carries the
// time it was sent (webhookTimestamp, in milliseconds), which Verify requires at most MaxRetryAge old: a sample
// signed again must get a fresh one first.
func ExampleSign() {
	body := []byte(`{"action":"update","type":"Issue","data":{"id":"4c1e2f3a","title":"Landing page"},"updatedFrom":{"stateId":"c3d4"},"webhookTimestamp":1795428000000}`)
	fmt.Println(linear.Sign("lin_wh_secret_abc", body))
	// Output:
	// 97e486ebb0aed1fe6ddae99abf37f4c0ce9adaa705ab04a5807ed537e8ccdd0b
}
