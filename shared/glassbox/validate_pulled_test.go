package glassbox_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// withPulled is the valid config plus a Yandex.Direct and a Yandex.Metrika binding of the project "site".
func withPulled() glassbox.Config {
	c := validConfig()
	c.Bindings = append(c.Bindings,
		glassbox.Binding{ID: "site-direct", ProjectID: "site", Provider: "yandex_direct", ExternalID: "acme-client",
			APIParam: "/glassbox/pull/site-direct", Currency: "RUB", Goals: []string{"312345678"}},
		glassbox.Binding{ID: "site-metrika", ProjectID: "site", Provider: "yandex_metrika", ExternalID: "44147844",
			APIParam: "/glassbox/pull/site-metrika", Goals: []string{"312345678", "312345679"}, APIURL: "http://127.0.0.1:9000"},
	)
	return c
}

func TestValidatePulledBindings(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		if errs := withPulled().Validate(providers.Catalog()); len(errs) > 0 {
			t.Fatalf("valid config has errors:\n%v", errs)
		}
	})
	direct := func(c *glassbox.Config) *glassbox.Binding { return &c.Bindings[len(c.Bindings)-2] }
	metrika := func(c *glassbox.Config) *glassbox.Binding { return &c.Bindings[len(c.Bindings)-1] }
	tests := []struct {
		name   string
		change func(c *glassbox.Config) *glassbox.Binding
		field  string
		msg    string
	}{
		{"NoProject", func(c *glassbox.Config) *glassbox.Binding { b := direct(c); b.ProjectID = ""; return b }, "project", "is required"},
		{"UnknownProject", func(c *glassbox.Config) *glassbox.Binding { b := metrika(c); b.ProjectID = "nope"; return b }, "project", `no project has id "nope"`},
		{"NoToken", func(c *glassbox.Config) *glassbox.Binding { b := direct(c); b.APIParam = ""; return b }, "api_param", "/glassbox/pull/site-direct"},
		{"TokenOutsideFolder", func(c *glassbox.Config) *glassbox.Binding {
			b := metrika(c)
			b.APIParam = "/glassbox/yandex/site-metrika"
			return b
		}, "api_param", "must be in the pull/ folder"},
		{"TokenNotAPath", func(c *glassbox.Config) *glassbox.Binding { b := direct(c); b.APIParam = "y0_token"; return b }, "api_param", `starting with "/"`},
		{"WebhookSecretGiven", func(c *glassbox.Config) *glassbox.Binding {
			b := direct(c)
			b.SecretParam = "/glassbox/pull/site-direct"
			return b
		}, "secret_param", "is not used"},
		{"DirectNeedsCurrency", func(c *glassbox.Config) *glassbox.Binding { b := direct(c); b.Currency = ""; return b }, "currency", "is required for yandex_direct"},
		{"CurrencyNotISO", func(c *glassbox.Config) *glassbox.Binding { b := direct(c); b.Currency = "руб"; return b }, "currency", "not an ISO 4217"},
		{"MetrikaNeedsGoals", func(c *glassbox.Config) *glassbox.Binding { b := metrika(c); b.Goals = nil; return b }, "goals", "is required for yandex_metrika"},
		{"GoalNotANumber", func(c *glassbox.Config) *glassbox.Binding { b := metrika(c); b.Goals[1] = "form-sent"; return b }, "goals[1]", "not a goal id"},
		{"GoalTwice", func(c *glassbox.Config) *glassbox.Binding { b := metrika(c); b.Goals[1] = b.Goals[0]; return b }, "goals[1]", "listed twice"},
		{"DirectTooManyGoals", func(c *glassbox.Config) *glassbox.Binding {
			b := direct(c)
			b.Goals = strings.Fields("1 2 3 4 5 6 7 8 9 10 11")
			return b
		}, "goals", "at most 10"},
		{"NoCounter", func(c *glassbox.Config) *glassbox.Binding { b := metrika(c); b.ExternalID = ""; return b }, "external_id", "is required"},
		{"APIURLNotAURL", func(c *glassbox.Config) *glassbox.Binding { b := metrika(c); b.APIURL = "localhost:9000"; return b }, "api_url", "not an http(s) URL"},
		{"StatusMap", func(c *glassbox.Config) *glassbox.Binding {
			b := direct(c)
			b.StatusMap = map[glassbox.TaskStatus][]string{glassbox.StatusDone: {"x"}}
			return b
		}, "", "figures only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := withPulled()
			b := tt.change(&c)
			path := ""
			for i := range c.Bindings {
				if c.Bindings[i].ID == b.ID {
					path = fmt.Sprintf("bindings[%d]", i)
				}
			}
			if tt.field != "" {
				path += "." + tt.field
			}
			errs := c.Validate(providers.Catalog())
			for _, e := range errs {
				if e.Path == path && strings.Contains(e.Msg, tt.msg) {
					return
				}
			}
			t.Errorf("no error at %s containing %q; got:\n%v", path, tt.msg, errs)
		})
	}
}
