package schedule_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/schedule"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// sender counts sends per message id and when each went (by the test's clock); fail makes the first
// attempts of some messages fail.
type sender struct {
	clock *clock
	mu    sync.Mutex
	sends map[string]int
	at    map[string][]time.Time
	msgs  map[string]glassbox.Message
	// failFirst: messages whose first send attempt fails (a throttled SES).
	failFirst map[string]bool
	failed    map[string]bool
	// failEvery: the first attempt of every failEvery-th message seen fails too (0: none).
	failEvery int
	seen      int
	n         atomic.Int64
}

func newSender(c *clock) *sender {
	return &sender{clock: c, sends: map[string]int{}, at: map[string][]time.Time{}, msgs: map[string]glassbox.Message{},
		failFirst: map[string]bool{}, failed: map[string]bool{}}
}

func (s *sender) Send(_ context.Context, m glassbox.Message, _ []glassbox.IssuedDocument) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.at[m.ID]; !ok && !s.failed[m.ID] && s.failEvery > 0 {
		s.seen++
		if s.seen%s.failEvery == 0 {
			s.failFirst[m.ID] = true
		}
	}
	if s.failFirst[m.ID] && !s.failed[m.ID] {
		s.failed[m.ID] = true
		return "", errors.New("Throttling: Maximum sending rate exceeded (injected)")
	}
	s.sends[m.ID]++
	s.at[m.ID] = append(s.at[m.ID], s.clock.Now())
	s.msgs[m.ID] = m
	s.n.Add(1)
	return "provider-" + m.ID, nil
}

func (s *sender) count(id string) int { s.mu.Lock(); defer s.mu.Unlock(); return s.sends[id] }

// composer stands in for digest.Composer with its contract only: one email per recipient and one Telegram
// message when the plan has a chat, ids from glassbox.ReportCause; for a monthly period the manager's call
// reminder too; nothing for an empty week when the plan skips it (skip lists the projects whose week is
// empty). It counts its calls.
type composer struct {
	calls atomic.Int64
	skip  map[string]bool
}

func reportKind(p glassbox.Period) glassbox.MessageKind {
	if p.Kind == glassbox.ReportMonthly {
		return glassbox.MessageMonthlyReport
	}
	return glassbox.MessageWeeklyDigest
}

// reportID is the id of the report email to a recipient.
func reportID(project string, p glassbox.Period, recipient string) string {
	return glassbox.MessageID(glassbox.ReportCause(project, p, recipient), reportKind(p), glassbox.AudienceClient, glassbox.ChannelEmail)
}

func (c *composer) Compose(_ context.Context, cfg glassbox.Config, p glassbox.Project, plan glassbox.ReportPlan, period glassbox.Period) ([]glassbox.Message, error) {
	c.calls.Add(1)
	if plan.SkipEmpty && c.skip[p.ID] && period.Kind == glassbox.ReportWeekly {
		return nil, nil
	}
	from := glassbox.Person{Email: "notify@studio.example"}
	var out []glassbox.Message
	for _, r := range plan.Recipients {
		cause := glassbox.ReportCause(p.ID, period, r.Email)
		out = append(out, glassbox.Message{ID: reportID(p.ID, period, r.Email), ProjectID: p.ID, EventID: cause, Kind: reportKind(period),
			Audience: glassbox.AudienceClient, Channel: glassbox.ChannelEmail, From: from, To: []glassbox.Person{r},
			Subject: p.Name + " " + period.Key, Text: period.Key})
	}
	if plan.Chat != "" {
		cause := glassbox.ReportCause(p.ID, period, plan.Chat)
		out = append(out, glassbox.Message{ID: glassbox.MessageID(cause, reportKind(period), glassbox.AudienceClient, glassbox.ChannelTelegram),
			ProjectID: p.ID, EventID: cause, Kind: reportKind(period), Audience: glassbox.AudienceClient, Channel: glassbox.ChannelTelegram,
			Chat: plan.Chat, Text: period.Key})
	}
	if period.Kind == glassbox.ReportMonthly {
		cause := glassbox.ReportCause(p.ID, period, p.Manager.Email)
		out = append(out, glassbox.Message{ID: glassbox.MessageID(cause, glassbox.MessageCallReminder, glassbox.AudienceManager, glassbox.ChannelEmail),
			ProjectID: p.ID, EventID: cause, Kind: glassbox.MessageCallReminder, Audience: glassbox.AudienceManager, Channel: glassbox.ChannelEmail,
			From: from, To: []glassbox.Person{p.Manager}, Subject: "call " + p.Name, Text: period.Key})
	}
	return out, nil
}

// agency is an agency with n projects, project i in zones[i%len(zones)], each with one client contact.
func agency(n int, zones ...string) glassbox.Config {
	if len(zones) == 0 {
		zones = []string{"Europe/Moscow"}
	}
	cfg := glassbox.Config{Agency: glassbox.Agency{Name: "Студия", Sender: "notify@studio.example", Locale: "ru", TimeZone: "Europe/Moscow"}}
	for i := range n {
		cid := fmt.Sprintf("c%04d", i)
		cfg.Clients = append(cfg.Clients, glassbox.Client{ID: cid, Name: "Client " + cid,
			Contacts: []glassbox.Person{{Name: "Anna", Email: fmt.Sprintf("anna@%s.example", cid)}}})
		cfg.Projects = append(cfg.Projects, glassbox.Project{ID: fmt.Sprintf("p%04d", i), ClientID: cid, Name: fmt.Sprintf("Project %d", i),
			TimeZone: zones[i%len(zones)], Manager: glassbox.Person{Name: "Maria", Email: "maria@studio.example"}})
	}
	return cfg
}

func openLocal(t *testing.T) *localstore.Store {
	t.Helper()
	s, err := localstore.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newDispatcher builds a dispatcher on store with snd as the email and Telegram channel.
func newDispatcher(store schedule.Store, c glassbox.Clock, comp schedule.Composer, snd *sender, o schedule.Options) *schedule.Dispatcher {
	if o.Logger == nil {
		o.Logger = quiet
	}
	if o.Rate == 0 {
		o.Rate = 1000
	}
	return schedule.New(store, comp, courier.Senders{glassbox.ChannelEmail: snd, glassbox.ChannelTelegram: snd}, c, o)
}
