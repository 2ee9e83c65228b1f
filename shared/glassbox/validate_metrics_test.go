package glassbox_test

import (
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// A metrics binding feeds one project: project required, no status_map, deals or stage_map; goals and currency
// optional, the currency an ISO 4217 code. Goals and currency belong to metrics bindings only.
func TestValidateMetricsBinding(t *testing.T) {
	t.Parallel()
	withMetrics := func() glassbox.Config {
		c := validConfig()
		c.Bindings = append(c.Bindings, glassbox.Binding{ID: "ads-numbers", Provider: "metrics", ProjectID: "blog",
			ExternalID: "looker", SecretParam: "/glassbox/metrics/ads-numbers", Currency: "RUB", Goals: []string{"lead_form"}})
		return c
	}
	const at = "bindings[5]"
	t.Run("OK", func(t *testing.T) {
		if errs := withMetrics().Validate(providers.Catalog()); len(errs) > 0 {
			t.Fatalf("valid config has errors:\n%v", errs)
		}
		c := withMetrics()
		binding(&c, "ads-numbers").Currency, binding(&c, "ads-numbers").Goals = "", nil
		if errs := c.Validate(providers.Catalog()); len(errs) > 0 {
			t.Fatalf("a metrics binding without currency and goals has errors:\n%v", errs)
		}
	})
	tests := []struct {
		name   string
		change func(b *glassbox.Binding)
		path   string
		msg    string
	}{
		{"ErrProjectRequired", func(b *glassbox.Binding) { b.ProjectID = "" }, at + ".project", "is required"},
		{"ErrProjectUnknown", func(b *glassbox.Binding) { b.ProjectID = "nope" }, at + ".project", `no project has id "nope"`},
		{"ErrStatusMap", func(b *glassbox.Binding) {
			b.StatusMap = map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"Done"}}
		}, at + ".status_map", "is not for a metrics binding"},
		{"ErrDeals", func(b *glassbox.Binding) { b.Deals = []glassbox.DealRoute{{DealID: "1", ProjectID: "site"}} },
			at + ".deals", "is not for a metrics binding"},
		{"ErrStageMap", func(b *glassbox.Binding) { b.StageMap = map[string][]string{"paid": {"1"}} },
			at + ".stage_map", "is not for a metrics binding"},
		{"ErrCurrencyUnknown", func(b *glassbox.Binding) { b.Currency = "RUR" }, at + ".currency", "ISO 4217"},
		{"ErrCurrencyLowerCase", func(b *glassbox.Binding) { b.Currency = "rub" }, at + ".currency", "ISO 4217"},
		{"ErrGoalEmpty", func(b *glassbox.Binding) { b.Goals = []string{"a", " "} }, at + ".goals[1]", "is empty"},
		{"ErrGoalTwice", func(b *glassbox.Binding) { b.Goals = []string{"a", "a"} }, at + ".goals[1]", "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := withMetrics()
			tt.change(binding(&c, "ads-numbers"))
			errs := c.Validate(providers.Catalog())
			for _, e := range errs {
				if e.Path == tt.path && strings.Contains(e.Msg, tt.msg) {
					return
				}
			}
			t.Errorf("no error at %s containing %q; got:\n%v", tt.path, tt.msg, errs)
		})
	}
	t.Run("ErrGoalsOnATracker", func(t *testing.T) {
		c := validConfig()
		binding(&c, "board").Goals = []string{"x"}
		binding(&c, "amo").Currency = "RUB"
		errs := c.Validate(providers.Catalog())
		want := map[string]bool{"bindings[0].goals": false, "bindings[1].currency": false}
		for _, e := range errs {
			if _, ok := want[e.Path]; ok && strings.Contains(e.Msg, "is for metrics bindings") {
				want[e.Path] = true
			}
		}
		for p, found := range want {
			if !found {
				t.Errorf("no error at %s; got:\n%v", p, errs)
			}
		}
	})
}
