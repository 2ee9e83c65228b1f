package asana_test

import (
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/asana"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providertest"
)

// demoSecret is what the demo's handshake sample hands over (events/ingest-asana-handshake.json); the other
// samples are signed with it.
const demoSecret = vectorSecret

// demoBinding is the Asana binding of cmd/glassbox/demo/agency.yaml.
var demoBinding = glassbox.Binding{
	ID: "demo-asana", ProjectID: "romashka-site", Provider: "asana", ExternalID: "1207000000000100",
	SecretParam: "/glassbox/hooks/demo-asana", APIParam: "/glassbox/asana/demo-asana-api",
	StatusMap: map[glassbox.TaskStatus][]string{
		glassbox.StatusTodo:       {"1207000000000301"},
		glassbox.StatusInProgress: {"1207000000000302"},
		glassbox.StatusDone:       {"1207000000000303"},
		glassbox.StatusBlocked:    {"1207000000000304"},
	},
}

// TestSampleEvents keeps events/ingest-asana-*.json honest: the handshake hands over the demo secret, the
// deliveries are signed with it (the forged one is not), and each parses to what events/README.md says.
func TestSampleEvents(t *testing.T) {
	providertest.Samples{
		Provider: asana.New(), Binding: demoBinding, Secret: demoSecret,
		ReceivedAt: func(*testing.T, glassbox.Delivery) time.Time { return time.Date(2025, 5, 24, 9, 42, 0, 0, time.UTC) },
	}.Run(t, []providertest.Sample{
		{File: "ingest-asana-handshake.json", Handshake: true},
		{File: "ingest-asana-created.json", Kind: glassbox.EventTaskCreated},
		// Parse knows the section, so the status; the others get theirs when React reads the task back.
		{File: "ingest-asana-done.json", Kind: glassbox.EventTaskMoved, Status: glassbox.StatusDone},
		{File: "ingest-asana-completed.json", Kind: glassbox.EventTaskMoved},
		// A comment is stored without its text; React reads the story back and drops one without a reason marker.
		{File: "ingest-asana-comment-ignored.json", Kind: glassbox.EventTaskNoted},
		{File: "ingest-asana-heartbeat.json", Ignored: true},
		{File: "ingest-asana-forged.json", Forged: true},
	})
}
