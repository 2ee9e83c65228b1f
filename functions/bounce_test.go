package functions_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// sesMessageID is the SES message id in events/bounce-sns-*.json.
const sesMessageID = "0107018c1a2b3c4d-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee-000000"

// TestFunctionsUnderHarnessBounce runs the built BounceFunction on the SNS sample of a permanent bounce of a
// client notice the table records as sent with that SES id: the message becomes bounced, the address is
// suppressed, and the project's manager gets one report through the SES emulator, also when SNS delivers the
// notification again.
func TestFunctionsUnderHarnessBounce(t *testing.T) {
	e := newEnv(t)
	bins := hostBuilds(t, "BounceFunction")
	ctx := context.Background()
	store := e.store()
	notice := glassbox.Message{ID: "bounced-notice", ProjectID: demoCRMProject, EventID: "trello:x", Kind: glassbox.MessageTaskDone,
		Audience: glassbox.AudienceClient, Channel: glassbox.ChannelEmail, Subject: "Готово: «Макет» — Новый сайт",
		To: []glassbox.Person{{Name: "Анна", Email: "anna@romashka.example"}}, ClaimToken: "tok", ClaimedAt: time.Now().UTC()}
	if err := store.ClaimMessage(ctx, notice, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkMessageSent(ctx, notice.ID, "tok", time.Now().UTC(), sesMessageID); err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-time.Second)
	h, p := e.run(t, "BounceFunction", bins["BounceFunction"])
	for i := 0; i < 2; i++ {
		if body := invoke(t, h, readEvent(t, "bounce-sns-permanent.json")); string(body) != "null" {
			t.Fatalf("BounceFunction answered %s", body)
		}
	}
	logColdStart(t, "BounceFunction", "bounce-sns-permanent", p)
	m, err := store.Message(ctx, notice.ID)
	if err != nil || m.State != glassbox.MessageBounced {
		t.Fatalf("notice = %s, %v; want bounced", m.State, err)
	}
	notes, err := store.DeliveryNotes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := notes.Suppressed("anna@romashka.example"); !ok {
		t.Errorf("suppressions = %+v, want the bounced address", notes.Suppressions)
	}
	reports := e.mailsTo(t, since, e.managerEmail)
	if len(reports) != 1 || !strings.Contains(reports[0].Subject, "Письмо клиенту не дошло") {
		t.Errorf("reports to the manager = %+v, want one", reports)
	}
}
