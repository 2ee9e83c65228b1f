package notify_test

import (
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

// The manager's notice of an unsubscription is one per recorded unsubscription: the same record told again is
// the same message (sent once), and a click on the same old link after the manager switched the reports back on
// is a new record the manager is told of, not a message found sent.
func TestDigestUnsubscribedOncePerUnsubscription(t *testing.T) {
	cfg := config("ru")
	first := glassbox.Unsubscription{ProjectID: "site", Recipient: "Anna@Romashka.example", MessageID: "m1",
		At: time.Date(2026, 11, 27, 15, 3, 0, 0, time.UTC)}
	id := func(u glassbox.Unsubscription) string {
		t.Helper()
		m, ok, err := notify.DigestUnsubscribed(cfg, u)
		if err != nil || !ok {
			t.Fatalf("DigestUnsubscribed: %v, %v", ok, err)
		}
		return m.ID
	}
	again := first
	again.At = first.At.In(time.FixedZone("MSK", 3*3600)) // the same instant read back from the store
	if id(first) != id(again) {
		t.Error("the same unsubscription told twice has two ids: the manager would be told twice")
	}
	later := first
	later.At = first.At.AddDate(0, 0, 10) // resubscribed, then the same link clicked again
	if id(first) == id(later) {
		t.Error("a new unsubscription by the same link has the first one's id: the manager is not told")
	}
}
