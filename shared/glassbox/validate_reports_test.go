package glassbox_test

import (
	"strings"
	"testing"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

func TestValidateReports(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *glassbox.Config)
		wants []string
	}{
		{"defaults", func(*glassbox.Config) {}, nil},
		{"all set", func(c *glassbox.Config) {
			c.Agency.Reports = &glassbox.Reports{Weekly: glassbox.ReportSchedule{Day: "Fri", At: "16:30"}, Monthly: glassbox.ReportSchedule{At: "9:00"},
				Channels: []glassbox.Channel{"email", "telegram"}, Locale: "en", EmptyWeek: "skip",
				DashboardURL: "https://datalens.example/dash?project={project}"}
			c.Projects[0].Reports = &glassbox.Reports{Monthly: glassbox.ReportSchedule{Off: true}, Recipients: []string{"ceo@client.example"}, EmptyWeek: "say"}
		}, nil},
		{"bad day and times", func(c *glassbox.Config) {
			c.Agency.Reports = &glassbox.Reports{Weekly: glassbox.ReportSchedule{Day: "fr", At: "3pm"}, Monthly: glassbox.ReportSchedule{Day: "monday", At: "24:00"}}
		}, []string{
			`agency.reports.weekly.day: "fr" is not a day of the week`,
			`agency.reports.weekly.at: "3pm" is not a time of day like 15:00`,
			`agency.reports.monthly.day: the monthly report goes on the first working day of the month`,
			`agency.reports.monthly.at: "24:00" is not a time of day like 15:00`,
		}},
		{"off with a time", func(c *glassbox.Config) {
			c.Projects[1].Reports = &glassbox.Reports{Weekly: glassbox.ReportSchedule{Off: true, At: "15:00"}}
		}, []string{"projects[1].reports.weekly: off: true turns this report off"}},
		{"recipients, channels, locale, empty week, dashboard", func(c *glassbox.Config) {
			c.Projects[0].Reports = &glassbox.Reports{Recipients: []string{"not an address"}, Channels: []glassbox.Channel{"sms"},
				Locale: "de", EmptyWeek: "hide", DashboardURL: "http://datalens.example/d"}
		}, []string{
			`projects[0].reports.recipients[0]: "not an address" is not an email address`,
			`projects[0].reports.channels[0]: must be "email" or "telegram", not "sms"`,
			`projects[0].reports.locale: must be "ru" or "en", not "de"`,
			`projects[0].reports.empty_week: must be "say" (one friendly line) or "skip" (no digest), not "hide"`,
			`projects[0].reports.dashboard_url: "http://datalens.example/d" is not an https:// address`,
		}},
		{"telegram only without a chat", func(c *glassbox.Config) {
			c.Projects[0].TelegramChatID = ""
			for i := range c.Clients {
				c.Clients[i].TelegramChatID = ""
			}
			c.Projects[0].Reports = &glassbox.Reports{Channels: []glassbox.Channel{"telegram"}}
		}, []string{"projects[0].reports.channels: reports go to Telegram only, but neither the project nor its client has a telegram_chat_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.edit(&c)
			errs := c.Validate(providers.Catalog())
			if len(errs) != len(tt.wants) {
				t.Fatalf("errors = %v, want %d: %v", errs, len(tt.wants), tt.wants)
			}
			for i, want := range tt.wants {
				if !strings.Contains(errs[i].Error(), want) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i].Error(), want)
				}
			}
		})
	}
}
