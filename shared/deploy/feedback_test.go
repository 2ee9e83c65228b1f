package deploy_test

import (
	"slices"
	"testing"
)

// mailSenders are the functions that send email: each sends with the configuration set whose event destination
// reports bounces and complaints, else a bounce of its mail would go unnoticed.
var mailSenders = []string{"ReactFunction", "RemindFunction", "SweepFunction", "BounceFunction", "LinkFunction"}

// TestTemplateDeliveryFeedback: SES publishes bounces and complaints of the configuration set to a topic that
// only SES of this account may publish to, BounceFunction is subscribed to it, and every function that sends
// email sends with that configuration set.
func TestTemplateDeliveryFeedback(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	res := func(keys ...string) node { return tpl.get(append([]string{"Resources"}, keys...)...) }

	if got := res("MailConfigurationSet", "Type").str(); got != "AWS::SES::ConfigurationSet" {
		t.Fatalf("MailConfigurationSet is %q", got)
	}
	dest := res("MailFeedbackDestination", "Properties")
	if dest.get("ConfigurationSetName").str() != "MailConfigurationSet" ||
		dest.get("EventDestination", "Enabled").str() != "true" ||
		dest.get("EventDestination", "SnsDestination", "TopicARN").str() != "DeliveryFeedbackTopic" {
		t.Error("MailFeedbackDestination does not publish the configuration set's events to DeliveryFeedbackTopic")
	}
	types := dest.get("EventDestination", "MatchingEventTypes").strs()
	slices.Sort(types)
	if !slices.Equal(types, []string{"bounce", "complaint"}) {
		t.Errorf("MatchingEventTypes = %v, want bounce and complaint", types)
	}

	policy := res("DeliveryFeedbackTopicPolicy", "Properties", "PolicyDocument", "Statement").items()
	if len(policy) != 1 || policy[0].get("Principal", "Service").str() != "ses.amazonaws.com" ||
		policy[0].get("Action").str() != "sns:Publish" || policy[0].get("Condition", "StringEquals", "AWS:SourceAccount").str() != "AWS::AccountId" {
		t.Error("DeliveryFeedbackTopicPolicy must let only SES of this account publish")
	}

	events := res("BounceFunction", "Properties", "Events")
	var subscribed bool
	for _, name := range events.keys() {
		e := events.get(name)
		subscribed = subscribed || e.get("Type").str() == "SNS" && e.get("Properties", "Topic").str() == "DeliveryFeedbackTopic"
	}
	if !subscribed {
		t.Error("BounceFunction is not subscribed to DeliveryFeedbackTopic")
	}
	for _, fn := range mailSenders {
		if got := res(fn, "Properties", "Environment", "Variables", "SES_CONFIGURATION_SET").str(); got != "MailConfigurationSet" {
			t.Errorf("%s: SES_CONFIGURATION_SET = %q, want !Ref MailConfigurationSet", fn, got)
		}
	}
}
