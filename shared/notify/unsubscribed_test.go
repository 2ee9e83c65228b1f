package notify_test

import (
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/notify"
)

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
