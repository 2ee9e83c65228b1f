package functions_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/schedule"
)

// TestFunctionsUnderHarnessDigest: the built DigestFunction, with the demo agency's weekly digest due two
// minutes ago in the project's zone, sends it to the client once (email and the group's Telegram copy); the
// next tick sends nothing.
func TestFunctionsUnderHarnessDigest(t *testing.T) {
	e := newEnv(t)
	bins := hostBuilds(t, "DigestFunction")
	cfg := e.cfg
	project, _ := cfg.Project(demoClientProject(t, cfg))
	local := time.Now().In(cfg.ProjectZone(project)).Add(-2 * time.Minute)
	cfg.Agency.Reports = &glassbox.Reports{
		Weekly:  glassbox.ReportSchedule{Day: local.Weekday().String(), At: local.Format("15:04")},
		Monthly: glassbox.ReportSchedule{Off: true},
	}
	cfg.Projects = slices.Clone(cfg.Projects) // e.cfg stays the demo agency
	for i := range cfg.Projects {
		cfg.Projects[i].Reports = nil
	}
	if err := e.store().PutConfig(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	skipWhileDigestPlaceholder(t, e.store(), cfg, project)
	since := time.Now().Add(-time.Second)
	digestH, digestP := e.run(t, "DigestFunction", bins["DigestFunction"])
	tick := func() schedule.Result {
		t.Helper()
		body := invoke(t, digestH, []byte(`{}`))
		var res schedule.Result
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("tick answered %s: %v", body, err)
		}
		return res
	}
	res := tick()
	logColdStart(t, "DigestFunction", "", digestP)
	if res.Due == 0 || res.Delivered != res.Due || res.Failed != 0 || res.Messages == 0 {
		t.Errorf("tick = %+v, want every project's digest delivered", res)
	}
	if got := len(e.mailsTo(t, since, e.clientEmail)); got == 0 {
		t.Errorf("no digest email to the client")
	}
	sent := len(e.mailsTo(t, since, e.clientEmail))
	if res := tick(); res.Due != 0 || res.Messages != 0 {
		t.Errorf("second tick = %+v, want nothing due", res)
	}
	if got := len(e.mailsTo(t, since, e.clientEmail)); got != sent {
		t.Errorf("%d emails to the client after the second tick, want still %d", got, sent)
	}
}

// demoClientProject is the demo project whose client gets e.clientEmail's mail.
func demoClientProject(t *testing.T, cfg glassbox.Config) string {
	t.Helper()
	if len(cfg.Projects) == 0 {
		t.Fatal("the demo agency has no project")
	}
	return cfg.Projects[0].ID
}

// skipWhileDigestPlaceholder skips a test that mails a report while digest.Composer is the placeholder of the
// issue 9 seams, whose messages have no sender and cannot be rendered; the test runs as soon as the content
// lands.
func skipWhileDigestPlaceholder(t *testing.T, store digest.Store, cfg glassbox.Config, p glassbox.Project) {
	t.Helper()
	plan := cfg.ProjectReports(p)
	period, _ := plan.DueWeek(time.Now())
	msgs, err := digest.New(store, nil).Compose(context.Background(), cfg, p, plan, period)
	if err == nil && len(msgs) > 0 && msgs[0].From.Email == "" {
		t.Skip("digest.Composer is the placeholder (its messages have no From): runs once the report content is merged")
	}
}

// reportsOff turns the demo agency's reports off for the rest of b, so a schedule tick finds nothing due
// whatever the day (a cheap first call).
func reportsOff(b *testing.B, e *env) {
	b.Helper()
	cfg := e.cfg
	cfg.Agency.Reports = &glassbox.Reports{Weekly: glassbox.ReportSchedule{Off: true}, Monthly: glassbox.ReportSchedule{Off: true}}
	cfg.Projects = slices.Clone(cfg.Projects)
	for i := range cfg.Projects {
		cfg.Projects[i].Reports = nil
	}
	if err := e.store().PutConfig(context.Background(), cfg); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.store().PutConfig(context.Background(), e.cfg) })
}
