package glassbox

import (
	"testing"
	"time"
)

func TestWeekPeriodKeepsLocalTimeAcrossDST(t *testing.T) {
	tests := []struct {
		zone, week string
		from, to   string // UTC
	}{
		{"Europe/Moscow", "2026-W47", "2026-11-13T12:00:00Z", "2026-11-20T12:00:00Z"},
		// Berlin leaves summer time on 25 October 2026: 15:00 is 13:00 UTC before, 14:00 after.
		{"Europe/Berlin", "2026-W44", "2026-10-23T13:00:00Z", "2026-10-30T14:00:00Z"},
		// New York leaves it on 1 November 2026.
		{"America/New_York", "2026-W45", "2026-10-30T19:00:00Z", "2026-11-06T20:00:00Z"},
		// ISO week 1 of 2027 starts on Monday 4 January; its Friday is the 8th.
		{"Europe/Moscow", "2027-W01", "2027-01-01T12:00:00Z", "2027-01-08T12:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.week, func(t *testing.T) {
			cfg := Config{Agency: Agency{TimeZone: tt.zone}, Projects: []Project{{ID: "p"}}}
			plan := cfg.ProjectReports(cfg.Projects[0])
			p, err := plan.WeekPeriod(tt.week)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.From.Format(time.RFC3339); got != tt.from {
				t.Errorf("From = %s, want %s", got, tt.from)
			}
			if got := p.To.Format(time.RFC3339); got != tt.to {
				t.Errorf("To = %s, want %s", got, tt.to)
			}
			due, send := plan.DueWeek(p.To)
			if due.Key != tt.week || !send.Equal(p.To) {
				t.Errorf("DueWeek(at the send time) = %s at %s, want %s", due.Key, send, tt.week)
			}
			if before, _ := plan.DueWeek(p.To.Add(-time.Second)); before.Key == tt.week {
				t.Errorf("DueWeek a second before the send time = %s, want the week before", before.Key)
			}
		})
	}
}

func TestMonthlyReportGoesOnTheFirstWorkingDay(t *testing.T) {
	cfg := Config{Agency: Agency{TimeZone: "Europe/Moscow"}, Projects: []Project{{ID: "p"}}}
	plan := cfg.ProjectReports(cfg.Projects[0])
	tests := []struct{ month, send string }{
		{"2026-11", "2026-12-01T10:00:00+03:00"}, // a Tuesday
		{"2026-07", "2026-08-03T10:00:00+03:00"}, // 1 August is a Saturday
		{"2026-10", "2026-11-02T10:00:00+03:00"}, // 1 November is a Sunday
	}
	for _, tt := range tests {
		p, err := plan.MonthPeriod(tt.month)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := time.Parse(time.RFC3339, tt.send)
		if got := plan.MonthlySendTime(p); !got.Equal(want) {
			t.Errorf("%s: sent %s, want %s", tt.month, got, want)
		}
		if due, _ := plan.DueMonth(want); due.Key != tt.month {
			t.Errorf("DueMonth(%s) = %s, want %s", tt.send, due.Key, tt.month)
		}
		if due, _ := plan.DueMonth(want.Add(-time.Minute)); due.Key == tt.month {
			t.Errorf("DueMonth a minute early = %s", due.Key)
		}
	}
}

func TestProjectReportsResolvesFieldByField(t *testing.T) {
	cfg := Config{
		Agency: Agency{TimeZone: "Europe/Moscow", Locale: "ru", Reports: &Reports{
			Weekly: ReportSchedule{Day: "thursday", At: "11:30"}, EmptyWeek: EmptyWeekSkip,
			DashboardURL: "https://dash.example/{project}",
		}},
		Clients: []Client{{ID: "c", Contacts: []Person{{Name: "Anna", Email: "anna@client.example"}}, TelegramChatID: "-100"}},
		Projects: []Project{
			{ID: "p1", ClientID: "c", Reports: &Reports{Weekly: ReportSchedule{At: "16:00"}, Channels: []Channel{ChannelTelegram}}},
			{ID: "p2", ClientID: "c", Reports: &Reports{Recipients: []string{"ANNA@client.example", "boss@client.example"}, Monthly: ReportSchedule{Off: true}}},
		},
	}
	p1 := cfg.ProjectReports(cfg.Projects[0])
	if p1.WeeklyDay != time.Thursday || p1.WeeklyAt != 16*60 || !p1.SkipEmpty || p1.DashboardURL != "https://dash.example/p1" {
		t.Errorf("p1 plan = %+v", p1)
	}
	if len(p1.Recipients) != 0 || p1.Chat != "-100" {
		t.Errorf("p1 on Telegram only: recipients %v, chat %q", p1.Recipients, p1.Chat)
	}
	p2 := cfg.ProjectReports(cfg.Projects[1])
	if p2.Monthly || !p2.Weekly || p2.WeeklyAt != 11*60+30 {
		t.Errorf("p2 plan = %+v", p2)
	}
	if len(p2.Recipients) != 2 || p2.Recipients[0].Name != "Anna" || p2.Recipients[1].Email != "boss@client.example" || p2.Chat != "-100" {
		t.Errorf("p2 recipients %+v, chat %q", p2.Recipients, p2.Chat)
	}
}

func TestPeriodTakesByReceipt(t *testing.T) {
	p := Period{From: time.Date(2026, 11, 13, 12, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	late := Event{OccurredAt: p.From.Add(-time.Hour), ReceivedAt: p.From.Add(time.Hour)}
	early := Event{OccurredAt: p.To.Add(-time.Minute), ReceivedAt: p.To.Add(time.Minute)}
	if !p.Takes(late) {
		t.Error("an event received in the week after its own was reported is not taken")
	}
	if p.Takes(early) {
		t.Error("an event received after the report's window is taken by it")
	}
	from, _ := p.EventWindow()
	if late.OccurredAt.Before(from) {
		t.Error("EventWindow does not reach back to a late event")
	}
}

// The period before a report's is its kind's previous one, across year ends and ISO week 53, in the plan's
// zone.
func TestReportPlanPreviousKey(t *testing.T) {
	cfg := Config{Agency: Agency{TimeZone: "Europe/Moscow"}, Projects: []Project{{ID: "p"}}}
	plan := cfg.ProjectReports(cfg.Projects[0])
	for _, tc := range []struct{ key, want string }{
		{"2026-W47", "2026-W46"},
		{"2027-W01", "2026-W53"},
		{"2026-W01", "2025-W52"},
		{"2026-W53", "2026-W52"},
	} {
		p, err := plan.WeekPeriod(tc.key)
		if err != nil {
			t.Fatal(err)
		}
		if got := plan.PreviousKey(p); got != tc.want {
			t.Errorf("PreviousKey(%s) = %s, want %s", tc.key, got, tc.want)
		}
	}
	for _, tc := range []struct{ key, want string }{{"2026-11", "2026-10"}, {"2027-01", "2026-12"}} {
		p, err := plan.MonthPeriod(tc.key)
		if err != nil {
			t.Fatal(err)
		}
		if got := plan.PreviousKey(p); got != tc.want {
			t.Errorf("PreviousKey(%s) = %s, want %s", tc.key, got, tc.want)
		}
	}
}

func TestPeriodContinuedFrom(t *testing.T) {
	from, to := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	p := Period{Kind: ReportWeekly, Key: "2026-W48", From: from, To: to}
	for _, tc := range []struct {
		prevTo, want time.Time
	}{
		{time.Time{}, from},
		{from.AddDate(0, 0, -4), from.AddDate(0, 0, -4)},
		{from.AddDate(0, 0, 3), from.AddDate(0, 0, 3)},
		{to, from},
	} {
		if got := p.ContinuedFrom(tc.prevTo); !got.From.Equal(tc.want) || !got.To.Equal(to) {
			t.Errorf("ContinuedFrom(%s) = [%s, %s), want [%s, %s)", tc.prevTo, got.From, got.To, tc.want, to)
		}
	}
	month := Period{Kind: ReportMonthly, Key: "2026-11", From: from, To: to}
	if got := month.ContinuedFrom(from.AddDate(0, 0, -1)); got != month {
		t.Errorf("a monthly period moved to %+v: it is its calendar month", got)
	}
}

func TestWeekPeriodRefusesAWeekTheYearLacks(t *testing.T) {
	plan := Config{Agency: Agency{TimeZone: "Europe/Moscow"}, Projects: []Project{{ID: "p"}}}.ProjectReports(Project{ID: "p"})
	tests := []struct {
		week string
		ok   bool
	}{
		{"2026-W53", true}, // 2026 starts on a Thursday: 53 weeks
		{"2020-W53", true}, // a leap year starting on a Wednesday
		{"2025-W53", false},
		{"2027-W53", false},
		{"2026-W00", false},
		{"2026-W54", false},
		{"2026-W7", false}, // the key names message ids: one spelling per week
		{"2026-w47", false},
		{"26-W47", false},
		{"", false},
	}
	for _, tt := range tests {
		_, err := plan.WeekPeriod(tt.week)
		if (err == nil) != tt.ok {
			t.Errorf("WeekPeriod(%q) error = %v, want ok %v", tt.week, err, tt.ok)
		}
	}
}
