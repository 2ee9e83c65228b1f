package glassbox

import (
	"fmt"
	"net/url"
	"strings"
)

// reports checks one reports block (agency.reports or projects[i].reports) at path.
func (v *validator) reports(path string, r *Reports) {
	if r == nil {
		return
	}
	p := path + ".reports"
	v.reportSchedule(p+".weekly", r.Weekly, true)
	v.reportSchedule(p+".monthly", r.Monthly, false)
	for i, addr := range r.Recipients {
		v.email(fmt.Sprintf("%s.recipients[%d]", p, i), addr)
	}
	for i, ch := range r.Channels {
		if ch != ChannelEmail && ch != ChannelTelegram {
			v.add(fmt.Sprintf("%s.channels[%d]", p, i), "must be %q or %q, not %q", ChannelEmail, ChannelTelegram, ch)
		}
	}
	v.locale(p+".locale", r.Locale, false)
	if r.EmptyWeek != "" && r.EmptyWeek != EmptyWeekSay && r.EmptyWeek != EmptyWeekSkip {
		v.add(p+".empty_week", "must be %q (one friendly line) or %q (no digest), not %q", EmptyWeekSay, EmptyWeekSkip, r.EmptyWeek)
	}
	if r.DashboardURL != "" {
		// "{project}" stands for the project's id.
		u, err := url.Parse(strings.ReplaceAll(r.DashboardURL, "{project}", "p"))
		if err != nil || u.Scheme != "https" || u.Host == "" {
			v.add(p+".dashboard_url", "%q is not an https:// address (clients open it from their mail)", r.DashboardURL)
		}
	}
}

// reportSchedule checks one report's schedule: a weekday (weekly only) and a clock time from 00:00 to 23:59.
func (v *validator) reportSchedule(path string, s ReportSchedule, weekly bool) {
	if s.Off && (s.Day != "" || s.At != "") {
		v.add(path, "off: true turns this report off; day and at have no effect with it")
	}
	if s.Day != "" {
		if !weekly {
			v.add(path+".day", "the monthly report goes on the first working day of the month; day is not used")
		} else if _, ok := weekday(s.Day); !ok {
			v.add(path+".day", "%q is not a day of the week (monday … sunday)", s.Day)
		}
	}
	if s.At != "" {
		if m, err := clockMinutes(s.At); err != nil || m >= 24*60 {
			v.add(path+".at", "%q is not a time of day like 15:00 (00:00 to 23:59)", s.At)
		}
	}
}

// reportsReachSomeone checks that a project whose reports go only to Telegram has a chat to send them to.
func (v *validator) reportsReachSomeone(path string, c Config, pr Project) {
	plan := c.ProjectReports(pr)
	if (plan.Weekly || plan.Monthly) && len(plan.Recipients) == 0 && plan.Chat == "" && telegramOnly(c, pr) {
		v.add(path+".reports.channels", "reports go to Telegram only, but neither the project nor its client has a telegram_chat_id")
	}
}

func telegramOnly(c Config, pr Project) bool {
	channels := []Channel(nil)
	if pr.Reports != nil {
		channels = pr.Reports.Channels
	}
	if len(channels) == 0 && c.Agency.Reports != nil {
		channels = c.Agency.Reports.Channels
	}
	return containsChannel(channels, ChannelTelegram) && !containsChannel(channels, ChannelEmail)
}

func containsChannel(set []Channel, ch Channel) bool {
	for _, c := range set {
		if c == ch {
			return true
		}
	}
	return false
}
