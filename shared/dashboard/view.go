package dashboard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// Store is what a dashboard view reads: the link, the configuration (kept ConfigTTL), and per project its
// DashboardReads, three queries by key on DynamoDB. Nothing is scanned.
type Store interface {
	DashboardLink(ctx context.Context, hash string) (glassbox.DashboardLink, error)
	Config(ctx context.Context) (glassbox.Config, error)
	DashboardReads(ctx context.Context, projectID string, eventsFrom, messagesFrom, to time.Time) (glassbox.DashboardReads, error)
}

// DocumentLinks signs the download link of an issued PDF until a time (billing.Links).
type DocumentLinks interface {
	DocumentURLUntil(ctx context.Context, cfg glassbox.Config, d glassbox.Document, exp time.Time) (string, error)
}

// Signers gives the link signer (linksign.KeyedSigner over the link key): the page's "Принять" / "Есть правки"
// links are the approval links a done notice carries, answered by the same /a/{token} handler.
type Signers interface {
	Signer(ctx context.Context) (*linksign.Signer, error)
}

// Windows: how far back a view reads.
const (
	// ChartWeeks is how many weeks of figures the chart and the tables show.
	ChartWeeks = 12
	// EventWindow is how far back the events are read: this week's moves and the latest timeline entries.
	EventWindow = 28 * 24 * time.Hour
	// ReportWindow is how far back the newest digest and monthly report are looked for.
	ReportWindow = 40 * 24 * time.Hour
	// TimelineEntries is how many of the newest entries the timeline shows.
	TimelineEntries = 20
	// PDFLinkTTL is how long a page's PDF links work: a revoked dashboard's downloads stop within a day, and
	// a page left open for hours still downloads (the page itself is never cached).
	PDFLinkTTL = 24 * time.Hour
	// ConfigTTL is how long a warm function keeps the configuration between views: a link revoked shows at
	// once (the link is read every view), a project renamed within a minute.
	ConfigTTL = time.Minute
)

// View is everything one dashboard shows: one project, or each project of a client. It is also the .json form.
type View struct {
	Locale   string        `json:"locale"`
	Agency   string        `json:"agency"`
	Client   string        `json:"client"`
	Projects []ProjectView `json:"projects"`
	// At is when the view was read (UTC).
	At time.Time `json:"at"`
}

// ProjectView is one project's part of a dashboard.
type ProjectView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Manager is the single window: a name and an email, nothing else of the agency's file (no chat ids).
	Manager  ContactView        `json:"manager"`
	Passport *glassbox.Passport `json:"passport,omitempty"`
	Stages   []StageView        `json:"stages,omitempty"`
	// Waiting are the open tasks waiting on the client.
	Waiting []TaskView `json:"waiting"`
	// Groups are the open tasks by status, in workflow order.
	Groups []TaskGroup `json:"groups"`
	// Moved are the tasks that moved in the last seven days, newest first.
	Moved     []MoveView     `json:"moved"`
	Documents []DocumentView `json:"documents"`
	Weeks     []WeekView     `json:"weeks"`
	// Hours says whether any week has hours reported (the hours column is shown only then).
	Hours   bool         `json:"hours"`
	Reports []ReportView `json:"reports"`
	// Deliverables are the tasks done in the last four weeks, each with the client's answer or the links to
	// give one.
	Deliverables []DeliverableView `json:"deliverables"`
	Timeline     []EntryView       `json:"timeline"`
	// Seal is the timeline's newest seal and last check; FiguresAt when the figures and the seal were read
	// (the snapshot; zero before the first seal run).
	Seal      SealView  `json:"seal"`
	FiguresAt time.Time `json:"figuresAt"`
	// Chart is the inline SVG of the weeks (not in the JSON).
	Chart string `json:"-"`
}

// DeliverableView is a task done lately: the client accepts it or asks for changes.
type DeliverableView struct {
	Title string    `json:"title"`
	URL   string    `json:"-"`
	Done  time.Time `json:"done"`
	Day   string    `json:"day"`
	// State is "awaiting" (no answer since it was done), "accepted" or "changes".
	State string `json:"state"`
	Words string `json:"stateWords"`
	// Accept and Changes are the signed approval links, while awaiting and a link key is configured.
	Accept  string `json:"-"`
	Changes string `json:"-"`
}

// SealView is the timeline's verification state as the page states it.
type SealView struct {
	// Seq is the newest seal's number, 0 when nothing is sealed yet; Hash its hash (the checksum digests carry).
	Seq         int64     `json:"seq"`
	Hash        string    `json:"hash,omitempty"`
	SealedAt    time.Time `json:"sealedAt,omitempty"`
	Timestamped bool      `json:"timestamped"`
	// Checked is when the whole timeline was last verified, Intact whether it verified then, Problems what did not.
	Checked  time.Time `json:"checked,omitempty"`
	Intact   bool      `json:"intact"`
	Problems []string  `json:"problems,omitempty"`
	// Waiting counts the entries shown that arrived after the newest seal (they go in the next).
	Waiting int `json:"waiting"`
	// Verify is the command that checks the timeline up to this seal without trusting Glassbox.
	Verify string `json:"verify,omitempty"`
	// Lines say all of it in the page's language.
	Lines []string `json:"-"`
}

// ContactView is a person as the client may see them.
type ContactView struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// StageView is one billing stage on the roadmap.
type StageView struct {
	Name   string `json:"name"`
	Start  string `json:"start,omitempty"`
	End    string `json:"end,omitempty"`
	Amount string `json:"amount"`
	// State is "closed" (its act issued), "current" (the first not closed) or "planned".
	State string `json:"state"`
	// Act is the stage's act, when issued.
	Act *DocumentView `json:"act,omitempty"`
}

// TaskView is one task as the dashboard lists it.
type TaskView struct {
	Title  string `json:"title"`
	URL    string `json:"-"`
	Status string `json:"status"`
	Words  string `json:"statusWords"`
	// Due is the due date in words for the page; DueDate the same day, ISO, for the client's tools.
	Due     string    `json:"-"`
	DueDate string    `json:"due,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Since   time.Time `json:"since"`
}

// TaskGroup is the open tasks of one status.
type TaskGroup struct {
	Status string     `json:"status"`
	Words  string     `json:"statusWords"`
	Tasks  []TaskView `json:"tasks"`
}

// MoveView is a task's move this week.
type MoveView struct {
	Title string    `json:"title"`
	From  string    `json:"from,omitempty"`
	To    string    `json:"to"`
	At    time.Time `json:"at"`
	Day   string    `json:"day"`
}

// DocumentView is an issued act or invoice.
type DocumentView struct {
	Kind   string `json:"kind"`
	Number string `json:"number"`
	Date   string `json:"date"`
	Due    string `json:"due,omitempty"`
	Stage  string `json:"stage"`
	Total  string `json:"total"`
	// State is "open", "overdue", "paid" or "void" for invoices, "issued" or "void" for acts.
	State string `json:"state"`
	Words string `json:"stateWords"`
	// PDF is the signed download link.
	PDF string `json:"-"`
}

// WeekView is one week's figures.
type WeekView struct {
	From        string `json:"from"`
	Label       string `json:"label"`
	Currency    string `json:"currency,omitempty"`
	Spend       int64  `json:"spend"`
	SpendText   string `json:"spendText"`
	Leads       int64  `json:"leads"`
	CostPerLead string `json:"costPerLead,omitempty"`
	Minutes     int64  `json:"minutes"`
	HoursText   string `json:"hoursText,omitempty"`
}

// ReportView is the newest digest or monthly report sent.
type ReportView struct {
	Kind    string    `json:"kind"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
	Day     string    `json:"day"`
}

// EntryView is one timeline entry: an event, a message to the client, or the client's feedback.
type EntryView struct {
	// At is when it arrived (what the seals order by).
	At    time.Time `json:"at"`
	Day   string    `json:"day"`
	What  string    `json:"what"`
	Title string    `json:"title"`
	Actor string    `json:"actor,omitempty"`
	// Sealed says a seal covers it: it arrived before the newest seal's end.
	Sealed bool `json:"sealed"`
}

// Builder reads and shapes views.
type Builder struct {
	Store Store
	Links DocumentLinks
	// Approvals signs the deliverables' answer links; nil: the page shows no answer links.
	Approvals Signers
	// Config is the configuration kept between views (its TTL: ConfigTTL in NewHandler; zero reads every view).
	Config glassbox.KeptConfig
}

// linkScope is what a link shows in cfg: its projects and their client; ok false when the project or client is
// not configured (or the client has no project).
func linkScope(cfg glassbox.Config, l glassbox.DashboardLink) (projects []glassbox.Project, client glassbox.Client, ok bool) {
	clientID := l.ClientID
	if l.ProjectID != "" {
		p, ok := cfg.Project(l.ProjectID)
		if !ok {
			return nil, client, false
		}
		projects, clientID = []glassbox.Project{p}, p.ClientID
	} else {
		for _, p := range cfg.Projects {
			if p.ClientID == l.ClientID {
				projects = append(projects, p)
			}
		}
	}
	client, ok = cfg.Client(clientID)
	return projects, client, ok && len(projects) > 0
}

// Build reads the view of a live link at now. A link whose project or client is gone from the configuration
// is glassbox.ErrNotFound, as an unknown link. The kept configuration serves what it knows (a project removed
// shows for up to ConfigTTL more); what it lacks is looked up in a fresh read first, so a link made for a
// project added within the minute opens at once.
func (b *Builder) Build(ctx context.Context, l glassbox.DashboardLink, now time.Time) (View, error) {
	cfg, err := b.Config.Get(ctx, now, b.Store.Config, func(cfg glassbox.Config) bool {
		_, _, ok := linkScope(cfg, l)
		return ok
	})
	if err != nil {
		return View{}, fmt.Errorf("dashboard: config: %w", err)
	}
	projects, client, ok := linkScope(cfg, l)
	if !ok {
		return View{}, fmt.Errorf("dashboard: project %q of client %q: %w", l.ProjectID, l.ClientID, glassbox.ErrNotFound)
	}
	v := View{Locale: cfg.ProjectLocale(projects[0]), Agency: cfg.Agency.NameIn(cfg.ProjectLocale(projects[0])),
		Client: client.Name, At: now.UTC()}
	for _, p := range projects {
		pv, err := b.project(ctx, cfg, p, now)
		if err != nil {
			return View{}, err
		}
		v.Projects = append(v.Projects, pv)
	}
	return v, nil
}

func (b *Builder) project(ctx context.Context, cfg glassbox.Config, p glassbox.Project, now time.Time) (ProjectView, error) {
	locale, loc := cfg.ProjectLocale(p), cfg.ProjectZone(p)
	ru := locale == glassbox.LocaleRU
	pv := ProjectView{ID: p.ID, Name: p.Name, Manager: ContactView{Name: p.Manager.Name, Email: p.Manager.Email}, Passport: p.Passport}

	weekStart := chartStart(now.In(loc))
	eventsFrom := now.Add(-EventWindow)
	r, err := b.Store.DashboardReads(ctx, p.ID, eventsFrom, now.Add(-ReportWindow), now.Add(time.Minute))
	if err != nil {
		return pv, fmt.Errorf("dashboard: reads of %s: %w", p.ID, err)
	}
	open, events, docs, msgs, snap := r.OpenTasks, r.Events, r.Documents, r.Messages, r.Snapshot
	pv.FiguresAt = snap.At

	// Tasks: waiting on the client first, then every open one by status.
	slices.SortStableFunc(open, func(a, b glassbox.Task) int { return a.LastEventAt.Compare(b.LastEventAt) })
	byStatus := map[glassbox.TaskStatus][]TaskView{}
	for _, t := range open {
		tv := TaskView{Title: t.Title, URL: t.URL, Status: string(t.Status), Words: statusWords(t.Status, locale), Reason: t.Reason, Since: t.InStatusSince()}
		if !t.Due.IsZero() {
			tv.Due, tv.DueDate = dayWords(t.Due.In(loc), ru), t.Due.In(loc).Format(time.DateOnly)
		}
		if t.Status == glassbox.StatusWaiting {
			pv.Waiting = append(pv.Waiting, tv)
			continue
		}
		byStatus[t.Status] = append(byStatus[t.Status], tv)
	}
	for _, s := range append([]glassbox.TaskStatus{glassbox.StatusUnknown}, glassbox.Statuses...) {
		if len(byStatus[s]) > 0 {
			pv.Groups = append(pv.Groups, TaskGroup{Status: string(s), Words: statusWords(s, locale), Tasks: byStatus[s]})
		}
	}

	// This week's moves: the window of events, newest first.
	weekAgo := now.Add(-7 * 24 * time.Hour)
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.TaskID != "" && e.Status != "" && !e.OccurredAt.Before(weekAgo) &&
			(e.Kind == glassbox.EventTaskMoved || e.Kind == glassbox.EventTaskCreated) &&
			// A move between two lists of one status is no news to the client.
			e.PrevStatus != e.Status {
			mv := MoveView{Title: e.Title, To: statusWords(e.Status, locale), At: e.OccurredAt, Day: dayWords(e.OccurredAt.In(loc), ru)}
			if e.PrevStatus != "" {
				mv.From = statusWords(e.PrevStatus, locale)
			}
			pv.Moved = append(pv.Moved, mv)
		}
	}
	if pv.Deliverables, err = b.deliverables(ctx, cfg, p, events, r.Feedback, locale, loc); err != nil {
		return pv, err
	}
	pv.Timeline = timelineEntries(events, msgs, r.Feedback, snap.Seal, eventsFrom, locale, loc)
	pv.Seal = sealView(snap, pv.Timeline, p.ID, locale, loc)

	// Documents, newest first, each with its signed download link; acts also go on the roadmap.
	acts := map[string]DocumentView{}
	for i := len(docs) - 1; i >= 0; i-- {
		d := docs[i]
		dv := documentView(d, now, ru)
		if b.Links != nil {
			if dv.PDF, err = b.Links.DocumentURLUntil(ctx, cfg, d, now.Add(PDFLinkTTL)); err != nil {
				return pv, fmt.Errorf("dashboard: link of %s: %w", d.ID, err)
			}
		}
		pv.Documents = append(pv.Documents, dv)
		if d.Kind == glassbox.DocumentAct && d.State != glassbox.DocumentVoid {
			if _, ok := acts[d.StageID]; !ok {
				acts[d.StageID] = dv
			}
		}
	}
	// The current stage is the first one after the last closed: a stage closed out of order does not make an
	// earlier one current again.
	lastClosed := -1
	for i, s := range p.Billing.Stages {
		if _, ok := acts[s.ID]; ok {
			lastClosed = i
		}
	}
	for i, s := range p.Billing.Stages {
		sv := StageView{Name: s.Name, Start: s.Start, End: s.End, Amount: money.Format(s.Amount, p.Billing.Currency, locale), State: "planned"}
		if act, ok := acts[s.ID]; ok {
			sv.State, sv.Act = "closed", &act
		} else if i == lastClosed+1 {
			sv.State = "current"
		}
		pv.Stages = append(pv.Stages, sv)
	}

	// The figures: the snapshot's weekly sums, summed by the digests' own weeks.
	cur := mainCurrency(snap.Weeks)
	for _, w := range digest.Weeks(snap.Weeks, weekStart, ChartWeeks) {
		wv := WeekView{From: w.From.Format(time.DateOnly), Label: shortDay(w.From, ru), Currency: cur, Spend: w.Spend[cur],
			SpendText: money.FormatWhole(glassbox.Minor(w.Spend[cur]), cur, locale), Leads: w.Leads, Minutes: w.Minutes}
		if cur == "" {
			wv.SpendText = "—"
		}
		if cpl, c, ok := w.CostPerLead(); ok {
			wv.CostPerLead = money.FormatWhole(glassbox.Minor(cpl), c, locale)
		}
		if w.Minutes > 0 {
			pv.Hours = true
			wv.HoursText = fmt.Sprintf("%d:%02d", w.Minutes/60, w.Minutes%60)
		}
		pv.Weeks = append(pv.Weeks, wv)
	}
	pv.Chart = chartSVG(pv.Weeks, ru)

	// The newest digest and monthly report (one of each; they go to each recipient alike).
	for _, kind := range []glassbox.MessageKind{glassbox.MessageWeeklyDigest, glassbox.MessageMonthlyReport} {
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			if m.Kind == kind && sentToClient(m) && (m.Channel == "" || m.Channel == glassbox.ChannelEmail) {
				pv.Reports = append(pv.Reports, ReportView{Kind: string(kind), Subject: m.Subject, Text: withoutPersonalLinks(m.Text),
					At: m.SentAt, Day: dayWords(m.SentAt.In(loc), ru)})
				break
			}
		}
	}
	return pv, nil
}

func documentView(d glassbox.Document, now time.Time, ru bool) DocumentView {
	dv := DocumentView{Kind: string(d.Kind), Number: d.Number, Date: d.Date, Due: d.DueDate, Stage: d.StageName,
		Total: money.Format(d.Total, d.Currency, d.Locale)}
	switch {
	case d.State == glassbox.DocumentVoid:
		dv.State = "void"
	case d.Kind == glassbox.DocumentAct:
		dv.State = "issued"
	case d.State == glassbox.DocumentPaid:
		dv.State = "paid"
	case d.Overdue(now):
		dv.State = "overdue"
	default:
		dv.State = "open"
	}
	words := map[string][2]string{"void": {"аннулирован", "void"}, "issued": {"подписан", "issued"}, "paid": {"оплачен", "paid"},
		"overdue": {"просрочен", "overdue"}, "open": {"к оплате", "open"}}
	if ru {
		dv.Words = words[dv.State][0]
	} else {
		dv.Words = words[dv.State][1]
	}
	return dv
}

func statusWords(s glassbox.TaskStatus, locale string) string {
	if w := digest.StatusWords(s, locale); w != "" {
		return w
	}
	if locale == glassbox.LocaleRU {
		return "без статуса"
	}
	return "no status"
}

func eventWords(e glassbox.Event, locale string) string {
	ru := locale == glassbox.LocaleRU
	pick := func(r, en string) string { return words(ru).t(r, en) }
	switch e.Kind {
	case glassbox.EventTaskCreated:
		return pick("новая задача", "new task")
	case glassbox.EventTaskMoved:
		return pick("задача: ", "task: ") + statusWords(e.Status, locale)
	case glassbox.EventTaskUpdated:
		return pick("задача изменена", "task updated")
	case glassbox.EventLinkAttached:
		return pick("приложен материал", "material attached")
	case glassbox.EventTaskNoted:
		return pick("комментарий", "note")
	case glassbox.EventWorkLogged:
		return pick("учтено время", "time logged")
	case glassbox.EventDealStageChanged, glassbox.EventDealUpdated:
		return pick("этап проекта", "project stage")
	case glassbox.EventPaymentConfirmed:
		return pick("оплата получена", "payment received")
	}
	return string(e.Kind)
}

func eventTitle(e glassbox.Event) string {
	if e.Title != "" {
		return e.Title
	}
	if e.Deal != nil {
		return strings.TrimSpace(e.Deal.Name)
	}
	return ""
}

// mainCurrency is the currency most spent over the figures; "" when nothing was spent.
func mainCurrency(ms []glassbox.Metric) string {
	spent := map[string]int64{}
	for _, m := range ms {
		if m.Spend != 0 {
			spent[strings.ToUpper(m.Currency)] += m.Spend
		}
	}
	best := ""
	for c, s := range spent {
		if best == "" || s > spent[best] || (s == spent[best] && c < best) {
			best = c
		}
	}
	return best
}

func mondayOf(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

var monthsRU = [...]string{"янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"}

func shortDay(t time.Time, ru bool) string {
	if ru {
		return fmt.Sprintf("%d %s", t.Day(), monthsRU[t.Month()-1])
	}
	return t.Format("2 Jan")
}

func dayWords(t time.Time, ru bool) string {
	if ru {
		return fmt.Sprintf("%d %s %d", t.Day(), monthsRU[t.Month()-1], t.Year())
	}
	return t.Format("2 Jan 2006")
}
