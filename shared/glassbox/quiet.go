package glassbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// QuietHours is when a project's client is not written to by robot: every day from From to To (clock times
// "21:00", "09:00", in the project's zone; From after To wraps past midnight) and, with Weekends, all of
// Saturday and Sunday. Notices decided then are held and go at the next allowed time. Off turns them off. A
// field left empty takes its default (DefaultQuietHours).
type QuietHours struct {
	Off  bool   `json:"off,omitempty" yaml:"off,omitempty" dynamodbav:"off,omitempty"`
	From string `json:"from,omitempty" yaml:"from,omitempty" dynamodbav:"from,omitempty"`
	To   string `json:"to,omitempty" yaml:"to,omitempty" dynamodbav:"to,omitempty"`
	// Weekends: nil is the default (true); false lets notices go on Saturdays and Sundays.
	Weekends *bool `json:"weekends,omitempty" yaml:"weekends,omitempty" dynamodbav:"weekends,omitempty"`
}

// The defaults of quiet hours and coalescing: 21:00 to 09:00 and weekends, in the project's zone; task-done
// notices within 10 minutes of each other go as one message.
const (
	DefaultQuietFrom      = "21:00"
	DefaultQuietTo        = "09:00"
	DefaultCoalesceWindow = 10 * time.Minute
)

// Timing is when a project's client notices may go, resolved from the agency file: the one place that
// decides whether a notice is held and until when (HoldUntil).
type Timing struct {
	// Quiet is false when quiet hours are off.
	Quiet bool
	// From and To are minutes after midnight in Zone.
	From, To int
	Weekends bool
	Zone     *time.Location
	// Coalesce is the window task-done notices wait in to go out together; 0 sends each at once.
	Coalesce time.Duration
}

// ProjectTiming resolves a project's quiet hours and coalescing window: the project's quiet_hours when it has
// them (its empty fields take the defaults, not the agency's), else the agency's, else the defaults; likewise
// coalesce. The configuration is validated, so what does not parse takes the default.
func (c Config) ProjectTiming(p Project) Timing {
	q := c.Agency.QuietHours
	if p.QuietHours != nil {
		q = p.QuietHours
	}
	var qh QuietHours
	if q != nil {
		qh = *q
	}
	t := Timing{Quiet: !qh.Off, Weekends: qh.Weekends == nil || *qh.Weekends, Zone: c.ProjectZone(p), Coalesce: DefaultCoalesceWindow}
	var err error
	if t.From, err = clockMinutes(orDefault(qh.From, DefaultQuietFrom)); err != nil {
		t.From, _ = clockMinutes(DefaultQuietFrom)
	}
	if t.To, err = clockMinutes(orDefault(qh.To, DefaultQuietTo)); err != nil {
		t.To, _ = clockMinutes(DefaultQuietTo)
	}
	window := c.Agency.Coalesce
	if p.Coalesce != "" {
		window = p.Coalesce
	}
	if d, err := coalesceWindow(window); err == nil {
		t.Coalesce = d
	}
	return t
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// IsQuiet says whether t falls in the quiet hours.
func (t Timing) IsQuiet(at time.Time) bool {
	if !t.Quiet {
		return false
	}
	local := at.In(t.zone())
	if t.Weekends && (local.Weekday() == time.Saturday || local.Weekday() == time.Sunday) {
		return true
	}
	m := local.Hour()*60 + local.Minute()
	switch {
	case t.From == t.To:
		return false // an empty window
	case t.From > t.To: // wraps past midnight: 21:00–09:00
		return m >= t.From || m < t.To
	default: // 13:00–14:00
		return m >= t.From && m < t.To
	}
}

// NextAllowed is the first moment at or after at that is not quiet: at itself when it is allowed. It walks
// the day's boundaries (the end of the quiet window, midnight) in the project's zone, so a daylight-saving
// switch moves the wall clock, not the rule: 09:00 stays 09:00 local.
func (t Timing) NextAllowed(at time.Time) time.Time {
	at = at.UTC()
	for i := 0; i < 32 && t.IsQuiet(at); i++ {
		local := at.In(t.zone())
		y, mo, d := local.Date()
		end := time.Date(y, mo, d, t.To/60, t.To%60, 0, 0, t.zone())
		if !end.After(local) {
			end = time.Date(y, mo, d+1, t.To/60, t.To%60, 0, 0, t.zone())
		}
		midnight := time.Date(y, mo, d+1, 0, 0, 0, 0, t.zone())
		if midnight.Before(end) {
			end = midnight
		}
		at = end.UTC()
	}
	return at
}

func (t Timing) zone() *time.Location {
	if t.Zone == nil {
		return time.UTC
	}
	return t.Zone
}

// HoldUntil says whether a message decided at now waits, and until when. Only client notices wait (bad news to
// the manager and the accountant's mail never do): a task-done notice waits for the coalescing window to
// close, so others of the project can go with it; any client notice decided in quiet hours, or whose window
// closes in them, waits for the next allowed time.
func (t Timing) HoldUntil(m Message, now time.Time) (time.Time, bool) {
	if m.Audience != AudienceClient {
		return time.Time{}, false
	}
	until := now.UTC()
	if m.Kind == MessageTaskDone && t.Coalesce > 0 {
		until = until.Add(t.Coalesce)
	}
	until = t.NextAllowed(until)
	return until, until.After(now)
}

// clockMinutes reads "21:00" (or "9:00", "24:00") as minutes after midnight.
func clockMinutes(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a clock time like 21:00", s)
	}
	return hh*60 + mm, nil
}

// coalesceWindow reads a coalescing window: a Go duration ("10m", "90s"), "0" or "off" (each notice goes by
// itself), empty for the default.
func coalesceWindow(s string) (time.Duration, error) {
	switch strings.TrimSpace(s) {
	case "":
		return DefaultCoalesceWindow, nil
	case "0", "off":
		return 0, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("%q is not a window like 10m (at most 24h; 0 or off turns coalescing off)", s)
	}
	return d, nil
}

// timing checks one quiet_hours block and a coalesce window, at path (agency or projects[i]).
func (v *validator) timing(path string, q *QuietHours, coalesce string) {
	if q != nil {
		p := path + ".quiet_hours"
		if q.Off && (q.From != "" || q.To != "" || q.Weekends != nil) {
			v.add(p, "off: true turns quiet hours off; from, to and weekends have no effect with it")
		}
		from, errFrom := clockMinutes(orDefault(q.From, DefaultQuietFrom))
		if errFrom != nil {
			v.add(p+".from", "%s", errFrom)
		}
		to, errTo := clockMinutes(orDefault(q.To, DefaultQuietTo))
		if errTo != nil {
			v.add(p+".to", "%s", errTo)
		}
		if errFrom == nil && errTo == nil && from%(24*60) == to%(24*60) && !q.Off {
			v.add(p, "from and to are both %s: an empty quiet window; use off: true to turn quiet hours off", orDefault(q.From, DefaultQuietFrom))
		}
	}
	if _, err := coalesceWindow(coalesce); err != nil {
		v.add(path+".coalesce", "%s", err)
	}
}
