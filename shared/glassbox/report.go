package glassbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReportKind is a scheduled report: the weekly digest or the monthly report.
type ReportKind string

// The scheduled reports.
const (
	ReportWeekly  ReportKind = "weekly"
	ReportMonthly ReportKind = "monthly"
)

// Message kinds of the scheduled reports.
const (
	// MessageWeeklyDigest: the client's weekly digest (done, carries over, does not carry over, not started and
	// new, waiting on you, numbers, the dashboard link). One per recipient, so each can unsubscribe alone.
	MessageWeeklyDigest MessageKind = "weekly_digest"
	// MessageMonthlyReport: last month's results and this month's plan, to the client.
	MessageMonthlyReport MessageKind = "monthly_report"
	// MessageCallReminder: the project's manager is reminded to call the client, with a one-page brief; a robot
	// does not replace the monthly conversation.
	MessageCallReminder MessageKind = "call_reminder"
	// MessageDigestUnsubscribed: a recipient switched the reports off; the manager is told.
	MessageDigestUnsubscribed MessageKind = "digest_unsubscribed"
)

// Period is one report's time window, [From, To) in UTC, with the key that names it ("2026-W47", "2026-11").
type Period struct {
	Kind ReportKind `json:"kind" dynamodbav:"kind"`
	Key  string     `json:"key" dynamodbav:"key"`
	From time.Time  `json:"from" dynamodbav:"from"`
	To   time.Time  `json:"to" dynamodbav:"to"`
}

// ReportLateness is how long after it happened an event may arrive and still be in a report. Reports take the
// events received in their window (Period.Takes), so an event that arrives after its week was reported is in
// the next digest, once; reading back this far covers the providers' retry windows (hours to three days).
const ReportLateness = 7 * 24 * time.Hour

// Takes says whether an event belongs to the report of this period: it was received in the window. Each event
// is received once, so it is in exactly one report of a kind, also when it arrives after the week it happened
// in was reported.
func (p Period) Takes(e Event) bool {
	return !e.ReceivedAt.Before(p.From) && e.ReceivedAt.Before(p.To)
}

// EventWindow is the occurred-at window a store is asked for to find every event the period takes: events
// happen before they are received, by at most ReportLateness, and a provider's clock may run a little ahead.
func (p Period) EventWindow() (from, to time.Time) {
	return p.From.Add(-ReportLateness), p.To.Add(5 * time.Minute)
}

// ContinuedFrom is p starting where the project's previous report of its kind ended (prevTo, that report's
// recorded Period.To), so consecutive reports take every event once. A period computed from the schedule starts
// at the previous send time as the schedule says now; when the day, time or zone changed since the last
// report, that start is not where the last report ended: later, the events in between would never be reported
// (the last report's week is recorded, so its new send time sends nothing); earlier, they would be reported
// twice. A zero prevTo (no record, or one written before windows were kept) or one not before p.To leaves p
// as it is, and so does a monthly period: it is its calendar month, which the monthly report's figures and
// words are counted by, and no schedule change moves it.
func (p Period) ContinuedFrom(prevTo time.Time) Period {
	if p.Kind == ReportWeekly && !prevTo.IsZero() && prevTo.Before(p.To) {
		p.From = prevTo.UTC()
	}
	return p
}

// PreviousKey is the key of the report period of p's kind just before p ("2026-W46" before "2026-W47",
// "2026-10" before "2026-11", "2026-W53" before "2027-W01"), in the plan's zone.
func (plan ReportPlan) PreviousKey(p Period) string {
	start := p.From.In(plan.Zone)
	if p.Kind == ReportMonthly {
		first := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, plan.Zone)
		return first.AddDate(0, -1, 0).Format("2006-01")
	}
	// A weekly period starts at the previous week's send time, which lies in that ISO week.
	return WeekKey(start.ISOWeek())
}

// ReportCause is the cause a report message's id is derived from: one per project, period and recipient (an
// email address or a chat), so retries, overlapping ticks and replays send it once.
func ReportCause(projectID string, p Period, recipient string) string {
	return "report:" + projectID + ":" + p.Key + ":" + SuppressionKey(recipient)
}

// Reports says when and how a project's scheduled reports go. Agency and project may each set it; the project's
// fields win one by one (Config.ProjectReports).
type Reports struct {
	// Weekly is the weekly digest: Day ("friday") and At ("15:00") in the project's zone.
	Weekly ReportSchedule `json:"weekly,omitempty" yaml:"weekly,omitempty" dynamodbav:"weekly,omitempty"`
	// Monthly is the monthly report, on the first working day of the month At ("10:00"), and the manager's call
	// reminder the same day.
	Monthly ReportSchedule `json:"monthly,omitempty" yaml:"monthly,omitempty" dynamodbav:"monthly,omitempty"`
	// Recipients are the email addresses reports go to; empty: the client's contacts.
	Recipients []string `json:"recipients,omitempty" yaml:"recipients,omitempty" dynamodbav:"recipients,omitempty"`
	// Channels are email and/or telegram; empty: email, plus the client's Telegram group when there is one.
	Channels []Channel `json:"channels,omitempty" yaml:"channels,omitempty" dynamodbav:"channels,omitempty"`
	// Locale overrides the project's locale for reports.
	Locale string `json:"locale,omitempty" yaml:"locale,omitempty" dynamodbav:"locale,omitempty"`
	// EmptyWeek is what a week with nothing to tell does: "say" (one friendly line, the default) or "skip".
	EmptyWeek string `json:"empty_week,omitempty" yaml:"empty_week,omitempty" dynamodbav:"emptyWeek,omitempty"`
	// DashboardURL is the client's live dashboard, linked from every report ("{project}" is replaced by the
	// project id).
	DashboardURL string `json:"dashboard_url,omitempty" yaml:"dashboard_url,omitempty" dynamodbav:"dashboardUrl,omitempty"`
}

// ReportSchedule is one report's schedule. Off turns it off; empty fields take the defaults.
type ReportSchedule struct {
	Off bool   `json:"off,omitempty" yaml:"off,omitempty" dynamodbav:"off,omitempty"`
	Day string `json:"day,omitempty" yaml:"day,omitempty" dynamodbav:"day,omitempty"`
	At  string `json:"at,omitempty" yaml:"at,omitempty" dynamodbav:"at,omitempty"`
}

// Defaults of the reports: the weekly digest on Fridays at 15:00, the monthly report on the first working day at
// 10:00, both in the project's zone.
const (
	DefaultWeeklyDay = time.Friday
	DefaultWeeklyAt  = "15:00"
	DefaultMonthlyAt = "10:00"
	EmptyWeekSay     = "say"
	EmptyWeekSkip    = "skip"
)

// ReportPlan is a project's reports resolved from the agency file: the one place that decides when they go,
// to whom, on which channels and in which words.
type ReportPlan struct {
	Weekly, Monthly bool
	WeeklyDay       time.Weekday
	// WeeklyAt and MonthlyAt are minutes after midnight in Zone.
	WeeklyAt, MonthlyAt int
	Zone                *time.Location
	Locale              string
	// Recipients are email addresses; Chat is the Telegram chat, when reports go there.
	Recipients   []Person
	Chat         string
	SkipEmpty    bool
	DashboardURL string
}

// ProjectReports resolves a project's reports: each field of the project's reports when set, else the agency's,
// else the default. The configuration is validated, so what does not parse takes the default.
func (c Config) ProjectReports(p Project) ReportPlan {
	var a, o Reports
	if c.Agency.Reports != nil {
		a = *c.Agency.Reports
	}
	if p.Reports != nil {
		o = *p.Reports
	}
	pick := func(project, agency string) string {
		if project != "" {
			return project
		}
		return agency
	}
	plan := ReportPlan{
		Weekly:    !(a.Weekly.Off || o.Weekly.Off),
		Monthly:   !(a.Monthly.Off || o.Monthly.Off),
		WeeklyDay: DefaultWeeklyDay,
		Zone:      c.ProjectZone(p),
		Locale:    c.ProjectLocale(p),
		SkipEmpty: pick(o.EmptyWeek, a.EmptyWeek) == EmptyWeekSkip,
	}
	if d, ok := weekday(pick(o.Weekly.Day, a.Weekly.Day)); ok {
		plan.WeeklyDay = d
	}
	plan.WeeklyAt, _ = clockMinutes(DefaultWeeklyAt)
	if m, err := clockMinutes(pick(o.Weekly.At, a.Weekly.At)); err == nil {
		plan.WeeklyAt = m
	}
	plan.MonthlyAt, _ = clockMinutes(DefaultMonthlyAt)
	if m, err := clockMinutes(pick(o.Monthly.At, a.Monthly.At)); err == nil {
		plan.MonthlyAt = m
	}
	if l := pick(o.Locale, a.Locale); l != "" {
		plan.Locale = Locale(l)
	}
	if u := pick(o.DashboardURL, a.DashboardURL); u != "" {
		plan.DashboardURL = strings.ReplaceAll(u, "{project}", p.ID)
	}
	recipients := o.Recipients
	if len(recipients) == 0 {
		recipients = a.Recipients
	}
	client, _ := c.Client(p.ClientID)
	if len(recipients) == 0 {
		plan.Recipients = append(plan.Recipients, client.Contacts...)
	} else {
		for _, r := range recipients {
			plan.Recipients = append(plan.Recipients, contactOf(client, r))
		}
	}
	channels := o.Channels
	if len(channels) == 0 {
		channels = a.Channels
	}
	email, telegram := len(channels) == 0, len(channels) == 0
	for _, ch := range channels {
		email = email || ch == ChannelEmail
		telegram = telegram || ch == ChannelTelegram
	}
	if !email {
		plan.Recipients = nil
	}
	if telegram {
		plan.Chat = c.ClientChat(p)
	}
	return plan
}

// contactOf names a recipient address by the client's contact with that address, when there is one.
func contactOf(client Client, address string) Person {
	for _, p := range client.Contacts {
		if strings.EqualFold(p.Email, address) {
			return p
		}
	}
	return Person{Email: address}
}

func weekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || (len(s) >= 3 && strings.HasPrefix(name, s)) {
			return d, true
		}
	}
	return 0, false
}

// WeekPeriod is the weekly digest period of ISO week key ("2026-W47") for a plan: from the previous week's
// send time to this week's, both at the plan's local time in its zone, so DST moves neither.
func (plan ReportPlan) WeekPeriod(key string) (Period, error) {
	year, week, err := parseWeekKey(key)
	if err != nil {
		return Period{}, err
	}
	to := plan.weeklySendTime(year, week)
	prevYear, prevWeek := to.AddDate(0, 0, -7).ISOWeek()
	from := plan.weeklySendTime(prevYear, prevWeek)
	return Period{Kind: ReportWeekly, Key: key, From: from.UTC(), To: to.UTC()}, nil
}

// weeklySendTime is the instant of the plan's weekly send day and time in ISO week (year, week).
func (plan ReportPlan) weeklySendTime(year, week int) time.Time {
	// ISO week 1 holds 4 January; its Monday starts it.
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, plan.Zone)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(week-1))
	offset := (int(plan.WeeklyDay) + 6) % 7 // days after Monday
	d := monday.AddDate(0, 0, offset)
	return time.Date(d.Year(), d.Month(), d.Day(), plan.WeeklyAt/60, plan.WeeklyAt%60, 0, 0, plan.Zone)
}

// MonthPeriod is the monthly report period of month key ("2026-11"): the calendar month in the plan's zone.
func (plan ReportPlan) MonthPeriod(key string) (Period, error) {
	t, err := time.ParseInLocation("2006-01", key, plan.Zone)
	if err != nil {
		return Period{}, fmt.Errorf("month %q: want YYYY-MM", key)
	}
	return Period{Kind: ReportMonthly, Key: key, From: t.UTC(), To: t.AddDate(0, 1, 0).UTC()}, nil
}

// MonthlySendTime is when the report of the month that starts at monthStart (local) goes: the first working
// day (Monday to Friday) of the next month at the plan's monthly time. Public holidays are not known.
func (plan ReportPlan) MonthlySendTime(p Period) time.Time {
	d := p.To.In(plan.Zone)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), plan.MonthlyAt/60, plan.MonthlyAt%60, 0, 0, plan.Zone)
}

// DueWeek is the weekly period whose send time is the latest at or before now, and that time. A schedule tick
// sends it when it is not sent yet and now is within catchUp of its time.
func (plan ReportPlan) DueWeek(now time.Time) (Period, time.Time) {
	local := now.In(plan.Zone)
	year, week := local.ISOWeek()
	send := plan.weeklySendTime(year, week)
	if send.After(now) {
		year, week = local.AddDate(0, 0, -7).ISOWeek()
		send = plan.weeklySendTime(year, week)
	}
	p, _ := plan.WeekPeriod(WeekKey(year, week))
	return p, send
}

// DueMonth is the monthly period whose send time is the latest at or before now, and that time.
func (plan ReportPlan) DueMonth(now time.Time) (Period, time.Time) {
	local := now.In(plan.Zone)
	for back := 1; back <= 2; back++ {
		start := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, plan.Zone).AddDate(0, -back, 0)
		p, _ := plan.MonthPeriod(start.Format("2006-01"))
		if send := plan.MonthlySendTime(p); !send.After(now) {
			return p, send
		}
	}
	start := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, plan.Zone).AddDate(0, -3, 0)
	p, _ := plan.MonthPeriod(start.Format("2006-01"))
	return p, plan.MonthlySendTime(p)
}

// WeekKey names ISO week (year, week): "2026-W47".
func WeekKey(year, week int) string { return fmt.Sprintf("%04d-W%02d", year, week) }

func parseWeekKey(key string) (year, week int, err error) {
	y, w, ok := strings.Cut(key, "-W")
	if ok {
		year, err = strconv.Atoi(y)
		if err == nil {
			week, err = strconv.Atoi(w)
		}
	}
	if !ok || err != nil || key != WeekKey(year, week) || week < 1 {
		return 0, 0, fmt.Errorf("week %q: want YYYY-Www, such as 2026-W47", key)
	}
	// 28 December is always in a year's last ISO week: a year has 52 weeks, or 53 when it starts on a Thursday
	// (or a leap year on a Wednesday). 2025-W53 would silently be 2026-W01.
	if _, last := time.Date(year, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek(); week > last {
		return 0, 0, fmt.Errorf("week %q: %d has %d ISO weeks", key, year, last)
	}
	return year, week, nil
}
