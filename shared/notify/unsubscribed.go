package notify

import (
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// DigestUnsubscribed words the manager's notice that a recipient switched a project's scheduled reports off
// (digest_unsubscribed): one email to the project's manager. Its id derives from the unsubscription (project,
// recipient, the report the click came from, and when it was recorded), so telling the manager again for the
// same recorded click finds it sent, while a click on the same old link after the manager switched the reports
// back on is a new unsubscription the manager is told of.
// ok is false when there is nobody to tell (the project is no longer configured, its manager has no email).
func DigestUnsubscribed(cfg glassbox.Config, u glassbox.Unsubscription) (_ glassbox.Message, ok bool, err error) {
	project, found := cfg.Project(u.ProjectID)
	if !found || project.Manager.Email == "" {
		return glassbox.Message{}, false, nil
	}
	recipient := glassbox.SuppressionKey(u.Recipient)
	cause := "unsubscribed:" + u.ProjectID + ":" + recipient + ":" + u.MessageID + ":" + u.At.UTC().Format(time.RFC3339Nano)
	v := view{
		Greeting:  firstNames([]glassbox.Person{project.Manager}),
		Project:   project.Name,
		Manager:   project.Manager.Name,
		Recipient: recipient,
		// The whole command, so whoever runs it copies one line (the admin adds --table or --data).
		Resubscribe: "glassbox reports resubscribe --project " + u.ProjectID + " --email " + recipient,
	}
	m, _, err := message(cfg, project, cfg.ProjectLocale(project), cause, glassbox.MessageDigestUnsubscribed,
		glassbox.AudienceManager, []glassbox.Person{project.Manager}, glassbox.Person{}, "", v)
	return m, err == nil, err
}
