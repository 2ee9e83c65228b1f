package bounce

import (
	"encoding/json"
	"time"
)

// Simulated is the notification SES would publish for a sent message (its SES message id) that bounced
// permanently at the given addresses, or that they marked as spam: glassbox dev's "simulate a bounce".
func Simulated(sesMessageID string, addresses []string, complaint bool, at time.Time) []byte {
	ts := at.UTC().Format("2006-01-02T15:04:05.000Z")
	n := map[string]any{"mail": map[string]any{"messageId": sesMessageID, "timestamp": ts, "destination": addresses}}
	if complaint {
		var rs []map[string]string
		for _, a := range addresses {
			rs = append(rs, map[string]string{"emailAddress": a})
		}
		n["notificationType"] = "Complaint"
		n["complaint"] = map[string]any{"complainedRecipients": rs, "complaintFeedbackType": "abuse", "timestamp": ts}
	} else {
		var rs []map[string]string
		for _, a := range addresses {
			rs = append(rs, map[string]string{"emailAddress": a, "action": "failed", "status": "5.1.1",
				"diagnosticCode": "smtp; 550 5.1.1 " + a + ": Recipient address rejected: User unknown (simulated by glassbox dev)"})
		}
		n["notificationType"] = "Bounce"
		n["bounce"] = map[string]any{"bounceType": "Permanent", "bounceSubType": "General", "bouncedRecipients": rs, "timestamp": ts}
	}
	data, _ := json.Marshal(n)
	return data
}
