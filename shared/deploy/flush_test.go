package deploy_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// TestTemplateFlush: the flush runs every minute (held notices go within a minute of their time), shares
// React's claim lease (it claims held messages React may have claimed) and that lease outlives it, may write
// what holding, batching and dropping need, reads only gsi2, and sends mail only from the sender identity.
func TestTemplateFlush(t *testing.T) {
	t.Parallel()
	tpl := mustTemplate(t)
	flush := tpl.get("Resources", "FlushFunction", "Properties")
	var every string
	for _, ev := range flush.get("Events").n.Content {
		if ev.Kind == yaml.MappingNode && (node{ev}).get("Type").str() == "ScheduleV2" {
			every = (node{ev}).get("Properties", "ScheduleExpression").str()
		}
	}
	if every != "rate(1 minute)" {
		t.Errorf("FlushFunction schedule %q, want rate(1 minute)", every)
	}
	lease := tpl.get("Resources", "ReactFunction", "Properties", "Environment", "Variables", "CLAIM_LEASE").str()
	if got := flush.get("Environment", "Variables", "CLAIM_LEASE").str(); got != lease {
		t.Errorf("FlushFunction CLAIM_LEASE %q, ReactFunction's %q: they claim the same messages", got, lease)
	}
	d, _ := time.ParseDuration(lease)
	n, _ := strconv.Atoi(flush.get("Timeout").str())
	if n == 0 || d <= time.Duration(n)*time.Second {
		t.Errorf("CLAIM_LEASE %s does not exceed FlushFunction's Timeout %ds", lease, n)
	}
	stmts, _ := statements(tpl, "FlushFunction")
	var actions []string
	for _, s := range stmts {
		actions = append(actions, s.get("Action").strs()...)
		for _, r := range s.get("Resource").strs() {
			if strings.Contains(r, "/index/") && !strings.HasSuffix(r, "/index/gsi2") {
				t.Errorf("FlushFunction may query %s; it reads only gsi2", r)
			}
		}
		if slices.Contains(s.get("Action").strs(), "ses:SendRawEmail") {
			if res := strings.Join(s.get("Resource").strs(), " "); !strings.HasSuffix(res, ":identity/${SenderIdentity}") {
				t.Errorf("FlushFunction: ses:SendRawEmail on %q, want the SenderIdentity identity ARN only", res)
			}
		}
	}
	for _, want := range []string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "ses:SendRawEmail"} {
		if !slices.Contains(actions, want) {
			t.Errorf("FlushFunction lacks %s", want)
		}
	}
	if slices.Contains(actions, "dynamodb:Scan") {
		t.Error("FlushFunction may Scan; it reads held messages and due tasks by index")
	}
}
