package notify_test

import (
	"strings"
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

// TestDigestUnsubscribedGivesTheWholeCommand: the manager's notice names the command that switches the reports
// back on with this project and address, so it is copied, not pieced together from the README.
func TestDigestUnsubscribedGivesTheWholeCommand(t *testing.T) {
	for _, locale := range []string{glassbox.LocaleRU, glassbox.LocaleEN} {
		m, ok, err := notify.DigestUnsubscribed(config(locale), glassbox.Unsubscription{ProjectID: "site", Recipient: "Anna@Acme.example", MessageID: "m1"})
		if err != nil || !ok {
			t.Fatalf("%s: ok %v, %v", locale, ok, err)
		}
		want := "glassbox reports resubscribe --project site --email anna@acme.example"
		if !strings.Contains(m.Text, want) || len(m.To) != 1 || m.To[0].Email != "maria@studio.example" {
			t.Errorf("%s: to %v, text:\n%s", locale, m.To, m.Text)
		}
	}
}
