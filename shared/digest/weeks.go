package digest

import (
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// WeekFigures are one week's figures summed the way the digests sum them: spend per currency (never summed
// across currencies), leads and minutes logged. The dashboard draws its chart from them.
type WeekFigures struct {
	// From is the week's first day, a civil midnight in the zone Weeks was given.
	From  time.Time
	Spend map[string]int64
	Leads int64
	// Minutes of work logged in the week.
	Minutes int64
	// Any says whether any figure was reported for a day of the week (a week of zeros is not an empty week).
	Any bool
}

// CostPerLead is the week's cost per lead in minor units, when one currency was spent and there were leads.
func (w WeekFigures) CostPerLead() (int64, string, bool) {
	return figures{spend: w.Spend, leads: w.Leads, minutes: w.Minutes, any: w.Any}.cpl()
}

// Weeks sums daily figures into n consecutive weeks, the first starting on start's date (in start's zone).
func Weeks(ms []glassbox.Metric, start time.Time, n int) []WeekFigures {
	start = civil(start)
	out := make([]WeekFigures, 0, n)
	for i := range n {
		from := start.AddDate(0, 0, 7*i)
		f := sumFigures(ms, day(from), day(from.AddDate(0, 0, 7)))
		out = append(out, WeekFigures{From: from, Spend: f.spend, Leads: f.leads, Minutes: f.minutes, Any: f.any})
	}
	return out
}

// StatusWords names a task status as the reports do ("в работе", "waiting on you"), so the dashboard says
// the same.
func StatusWords(s glassbox.TaskStatus, locale string) string { return statusWords(s, locale) }
