package glassbox

// The variables of the scheduled reports' templates (weekly digest, monthly report, call reminder). They live
// beside MessageVars' literal so each report kind's list reads in one place; README "Weekly digests and
// monthly reports" lists them.

// reportTaskItem: one task of a report's list: its title, link (the task, or its result when done), status in
// words, reason (why it is blocked, paused, not started, was added), due date, and whether it is new this
// period.
var reportTaskItem = TemplateVars{Vars: map[string]VarKind{"title": VarText, "link": VarText, "status": VarText,
	"reason": VarText, "due": VarText, "new": VarFlag}}

// invoiceItem: one invoice: its number, total, due date; stage: what it is for.
var invoiceItem = TemplateVars{Vars: map[string]VarKind{"invoice": VarText, "amount": VarText, "due": VarText, "stage": VarText}}

// figuresVars are a report's numbers, each formatted for the locale; empty when not reported. spend is per
// currency ("15 000 ₽", or "15 000 ₽ и 200 $"), cpl only when one currency was spent; *_change against the
// period before ("+12 %", empty when there is nothing to compare with); hours logged ("12 ч 30 мин").
// issued, paid and unpaid list invoices issued and paid in the period and still open; unpaid_total per
// currency.
func figuresVars(v TemplateVars) {
	for _, n := range []string{"spend", "spend_change", "cpl", "cpl_change", "leads_change", "hours", "unpaid_total"} {
		v.Vars[n] = VarText
	}
	v.Vars["leads"], v.Vars["figures"] = VarNumber, VarFlag
	for _, n := range []string{"issued", "paid", "unpaid"} {
		v.Vars[n] = VarList
		v.Items[n] = invoiceItem
	}
}

// ratingVars: rate, the five one-click rating links of a report email (each: score 1–5, link); empty on
// Telegram and in previews.
func ratingVars(v TemplateVars) {
	v.Vars["rate"] = VarList
	v.Items["rate"] = TemplateVars{Vars: map[string]VarKind{"score": VarNumber, "link": VarText}}
}

// taskLists adds task lists with their counts (name_count) and how many did not fit (name_more).
func taskLists(v TemplateVars, names ...string) {
	for _, n := range names {
		v.Vars[n] = VarList
		v.Items[n] = reportTaskItem
		v.Vars[n+"_count"] = VarNumber
		v.Vars[n+"_more"] = VarNumber
	}
}

func reportVars(extra map[string]VarKind) TemplateVars {
	v := vars(map[string]VarKind{"period": VarText, "client": VarText}, extra)
	v.Items = map[string]TemplateVars{}
	return v
}

func init() {
	// period: the week's dates ("20–27 ноября"); empty: nothing happened and no figures. Lists: done,
	// carried (in progress, in review), stopped (blocked, paused, cancelled this week), not_started (todo),
	// added (new this week, not started), waiting (waits on the client). weeks: the last 8 weeks' figures
	// (week, spend, leads) the chart draws; chart: the chart's image in email HTML ({{chart "label"}}).
	// link: the client's dashboard. checksum: the project's timeline head, its newest seal's hash (empty when
	// nothing is sealed; docs/timeline.md).
	weekly := reportVars(map[string]VarKind{"empty": VarFlag, "chart": VarText, "weeks": VarList, "checksum": VarText})
	weekly.Items["weeks"] = TemplateVars{Vars: map[string]VarKind{"week": VarText, "spend": VarText, "leads": VarNumber}}
	taskLists(weekly, "done", "carried", "stopped", "not_started", "added", "waiting")
	figuresVars(weekly)
	ratingVars(weekly)
	MessageVars[MessageWeeklyDigest] = weekly

	// period: the month ("ноябрь 2026"); next: the month now starting. acts: stages closed (stage, invoice:
	// the act's number, amount). stages: billing stages still to close (stage, amount, due: planned end).
	// planned: open tasks due this month. hypotheses (with outcome: confirmed, refuted, testing). added,
	// dropped (cancelled), moved (due date changed): what changed in the plan. link: the dashboard. checksum: as
	// the weekly digest's, the timeline's head after the report's seal.
	monthly := reportVars(map[string]VarKind{"next": VarText, "acts": VarList, "stages": VarList, "hypotheses": VarList, "checksum": VarText})
	monthly.Items["acts"], monthly.Items["stages"] = invoiceItem, invoiceItem
	monthly.Items["hypotheses"] = TemplateVars{Vars: map[string]VarKind{"title": VarText, "link": VarText,
		"confirmed": VarFlag, "refuted": VarFlag, "testing": VarFlag}}
	taskLists(monthly, "done", "planned", "added", "dropped", "moved", "waiting")
	figuresVars(monthly)
	ratingVars(monthly)
	MessageVars[MessageMonthlyReport] = monthly

	// The manager's brief before the monthly call: the month's facts (as the monthly report), what waits on
	// the client (waiting), open invoices (unpaid), and the bad news the manager was told that month (bad:
	// title, link, status: what happened, due: when). link: the dashboard.
	call := reportVars(map[string]VarKind{"acts": VarList})
	call.Items["acts"] = invoiceItem
	taskLists(call, "done", "waiting", "bad")
	figuresVars(call)
	MessageVars[MessageCallReminder] = call
}
