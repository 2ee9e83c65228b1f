package glassbox

import (
	"fmt"
	"time"
)

// CivilDateLayout is how trackers write a date without a time of day (Jira's duedate, Linear's dueDate, Asana's
// due_on).
const CivilDateLayout = "2006-01-02"

// SetDue records on the event the due date a tracker reported: an RFC 3339 time is that instant; a civil date
// (2006-01-02) is kept as the date and resolved in the project's zone by DueIn, since a provider does not know
// the zone; "" says the due date was removed. Every provider goes through it, so a due date means the same
// whichever tracker reported it.
func (e *Event) SetDue(s string) error {
	e.HasDue, e.Due, e.DueDate, e.DueAllDay = true, time.Time{}, "", false
	switch {
	case s == "":
		return nil
	case len(s) == len(CivilDateLayout):
		if _, err := time.Parse(CivilDateLayout, s); err != nil {
			return fmt.Errorf("due date %q is not a date", s)
		}
		e.DueDate = s
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("due date %q is neither an RFC 3339 time nor a date", s)
	}
	e.Due = t.UTC()
	return nil
}

// SetDueTime records a due date the tracker reported as an instant (ClickUp's milliseconds); a zero t says it
// was removed.
func (e *Event) SetDueTime(t time.Time) {
	e.HasDue, e.Due, e.DueDate, e.DueAllDay = true, time.Time{}, "", false
	if !t.IsZero() {
		e.Due = t.UTC()
	}
}

// SetDueDay records a due date the tracker keeps as some instant of the due day with no meaningful time of day
// (ClickUp without due_date_time stores 4 am in the zone of whoever set it): the day of t in the project's
// zone is the due date, resolved by DueIn like a civil date. A zero t says it was removed.
func (e *Event) SetDueDay(t time.Time) {
	e.SetDueTime(t)
	e.DueAllDay = !t.IsZero()
}

// DueIn returns the event with its civil due date (DueDate, or the day of an all-day Due), if it has one,
// resolved in the project's zone loc: React calls it before folding the event into its task. The result has
// only Due, so resolving it again changes nothing.
func (e Event) DueIn(loc *time.Location) Event {
	if loc == nil {
		loc = time.UTC
	}
	switch {
	case e.DueDate != "":
		e.Due = EndOfDueDate(e.DueDate, loc)
	case e.DueAllDay && !e.Due.IsZero():
		e.Due = EndOfDueDate(e.Due.In(loc).Format(CivilDateLayout), loc)
	}
	e.DueDate, e.DueAllDay = "", false
	return e
}

// EndOfDueDate is the one decision of when a task due on a civil date (2006-01-02) falls overdue: at the end
// of that day in the project's zone, so "due 4 December" is met by work done on 4 December wherever the
// tracker's users sit. It is the last second of the day, 23:59:59 local (not the next midnight), so the
// manager's notice names the due date itself. A date that does not parse is the zero time (no due date).
func EndOfDueDate(date string, loc *time.Location) time.Time {
	d, err := time.Parse(CivilDateLayout, date)
	if err != nil {
		return time.Time{}
	}
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, loc).UTC()
}
