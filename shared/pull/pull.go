// Package pull brings daily figures in from the systems Glassbox pulls them from (Yandex.Direct, Yandex.Metrika):
// one pass reads every binding of a pulled provider, asks its source for the last few days up to yesterday in
// the project's zone, and stores them with PutMetrics, which replaces a project's figures for a day and source,
// so a day pulled again (ad systems revise recent days) never doubles. PullFunction runs a pass on a schedule.
package pull

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// DefaultDays is how many days a pass pulls, up to yesterday: ad systems settle a day's spend and conversions
// over the following days, so the last three are asked again on every pass.
const DefaultDays = 3

// MaxDays bounds a pass's window (a backfill asks for more than DefaultDays).
const MaxDays = 90

// DefaultBindingTimeout bounds one binding's pull, waits for a report being built included, so one slow source
// cannot starve the rest of the pass; what is not ready by then is asked again on the next pass.
const DefaultBindingTimeout = 2 * time.Minute

// DefaultConcurrency is how many bindings are pulled at once.
const DefaultConcurrency = 4

// Source is a system figures are pulled from, one per pulled provider.
type Source interface {
	// Info says what the source is (Pulled: true).
	Info() glassbox.ProviderInfo
	// Pull returns the binding's figures for each of days (consecutive "2006-01-02" dates, ascending), one
	// Metric per day with Date and Source set. token is the binding's API token (api_param). An error with a
	// NotReady() bool method returning true means the figures are being prepared: ask again later.
	Pull(ctx context.Context, b glassbox.Binding, token string, days []string) ([]glassbox.Metric, error)
}

// Store is what a pass needs of the store.
type Store interface {
	Config(ctx context.Context) (glassbox.Config, error)
	PutMetrics(ctx context.Context, ms []glassbox.Metric) error
}

// Secrets reads the API tokens (SSM on AWS, the local store in glassbox dev).
type Secrets interface {
	Secret(ctx context.Context, name string) (string, error)
}

// Options are the optional parts of a Puller; zero values take the defaults.
type Options struct {
	Days           int
	BindingTimeout time.Duration
	Concurrency    int
	Logger         *slog.Logger
}

// Puller runs pull passes.
type Puller struct {
	store   Store
	secrets Secrets
	sources map[string]Source
	clock   glassbox.Clock
	opts    Options
	log     *slog.Logger
}

// New builds a Puller over the sources (providers.Pulled()).
func New(store Store, secrets Secrets, sources []Source, clock glassbox.Clock, opts Options) *Puller {
	if opts.Days <= 0 {
		opts.Days = DefaultDays
	}
	if opts.BindingTimeout <= 0 {
		opts.BindingTimeout = DefaultBindingTimeout
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	byName := make(map[string]Source, len(sources))
	for _, s := range sources {
		byName[s.Info().Name] = s
	}
	return &Puller{store: store, secrets: secrets, sources: byName, clock: clock, opts: opts, log: log}
}

// Input is what a pass may be asked for: the schedule sends {}, a backfill {"days": 30}.
type Input struct {
	// Days overrides the configured window (at most MaxDays).
	Days int `json:"days,omitempty"`
}

// Result counts what a pass did.
type Result struct {
	// Sources is how many project and source pairs there were to pull (several bindings of one project and
	// provider are one: their figures are summed).
	Sources int `json:"sources"`
	// Stored is how many of them were pulled and stored; Metrics how many daily figures that was.
	Stored  int `json:"stored"`
	Metrics int `json:"metrics"`
	// NotReady is how many were still being prepared at the source; the next pass asks again.
	NotReady int `json:"notReady"`
	Failed   int `json:"failed"`
}

// group is the bindings of one project and pulled provider. PutMetrics keeps one figure per project, day and
// source, so two accounts of one provider for one project (two Direct logins) are summed before they are stored,
// and stored only when every one of them was pulled, never half.
type group struct {
	project  glassbox.Project
	provider string
	bindings []glassbox.Binding
}

// Run does one pass. A binding that fails does not stop the others; their errors come back joined, so the
// scheduler retries, and the retry pulls (and replaces) the same days again.
func (p *Puller) Run(ctx context.Context, in Input) (Result, error) {
	var res Result
	days := p.opts.Days
	if in.Days > 0 {
		days = min(in.Days, MaxDays)
	}
	cfg, err := p.store.Config(ctx)
	if err != nil {
		return res, fmt.Errorf("pull: read config: %w", err)
	}
	groups := p.groups(cfg)
	res.Sources = len(groups)
	now := p.clock.Now()

	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, p.opts.Concurrency)
	)
	for _, g := range groups {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			window := Window(now, cfg.ProjectZone(g.project), days)
			n, err := p.pullGroup(ctx, g, window, now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				res.Stored++
				res.Metrics += n
			case isNotReady(err):
				res.NotReady++
				p.log.Info("figures not ready at the source; the next pass asks again", "project", g.project.ID, "provider", g.provider, "reason", err.Error())
			default:
				res.Failed++
				errs = append(errs, err)
				p.log.Error("pull failed", "project", g.project.ID, "provider", g.provider, "error", err.Error())
			}
		}()
	}
	wg.Wait()
	p.log.Info("pull pass done", "days", days, "sources", res.Sources, "stored", res.Stored, "metrics", res.Metrics,
		"not_ready", res.NotReady, "failed", res.Failed)
	return res, errors.Join(errs...)
}

// groups lists the pulled bindings by project and provider, in a stable order.
func (p *Puller) groups(cfg glassbox.Config) []group {
	byKey := map[string]*group{}
	var keys []string
	for _, b := range cfg.Bindings {
		if _, ok := p.sources[b.Provider]; !ok {
			continue
		}
		project, ok := cfg.Project(b.ProjectID)
		if !ok {
			p.log.Warn("pulled binding names no known project; skipped", "binding", b.ID, "provider", b.Provider, "project", b.ProjectID)
			continue
		}
		key := project.ID + "\x00" + b.Provider
		if byKey[key] == nil {
			byKey[key] = &group{project: project, provider: b.Provider}
			keys = append(keys, key)
		}
		byKey[key].bindings = append(byKey[key].bindings, b)
	}
	sort.Strings(keys)
	out := make([]group, 0, len(keys))
	for _, k := range keys {
		out = append(out, *byKey[k])
	}
	return out
}

// pullGroup pulls every binding of a group, sums them per day and stores the figures.
func (p *Puller) pullGroup(ctx context.Context, g group, days []string, now time.Time) (int, error) {
	source := p.sources[g.provider]
	var ids []string
	perDay := map[string]glassbox.Metric{}
	for _, b := range g.bindings {
		ms, err := p.pullBinding(ctx, source, b, days)
		if err != nil {
			return 0, err
		}
		ids = append(ids, b.ID)
		for _, m := range ms {
			sum, seen := perDay[m.Date]
			if seen && sum.Currency != "" && m.Currency != "" && sum.Currency != m.Currency {
				return 0, fmt.Errorf("pull: project %s: %s bindings %s are in different currencies (%s, %s); their spend cannot be summed",
					g.project.ID, g.provider, strings.Join(ids, ", "), sum.Currency, m.Currency)
			}
			perDay[m.Date] = add(sum, m)
		}
	}
	origin := g.provider + ":" + strings.Join(ids, "+")
	out := make([]glassbox.Metric, 0, len(perDay))
	for _, d := range days {
		m, ok := perDay[d]
		if !ok {
			continue
		}
		m.ProjectID, m.Source, m.Origin, m.UpdatedAt = g.project.ID, g.provider, origin, now.UTC()
		out = append(out, m)
	}
	if len(out) == 0 {
		return 0, nil
	}
	if err := p.store.PutMetrics(ctx, out); err != nil {
		return 0, fmt.Errorf("pull: project %s, %s: store figures: %w", g.project.ID, g.provider, err)
	}
	var spend, leads int64
	for _, m := range out {
		spend += m.Spend
		leads += m.Leads
	}
	p.log.Info("pulled", "project", g.project.ID, "provider", g.provider, "bindings", ids, "from", days[0], "to", days[len(days)-1],
		"days", len(out), "spend", spend, "currency", out[0].Currency, "leads", leads)
	return len(out), nil
}

func (p *Puller) pullBinding(ctx context.Context, source Source, b glassbox.Binding, days []string) ([]glassbox.Metric, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.BindingTimeout)
	defer cancel()
	if b.APIParam == "" {
		return nil, fmt.Errorf("pull: %s binding %s has no api_param naming its API token", b.Provider, b.ID)
	}
	token, err := p.secrets.Secret(ctx, b.APIParam)
	if err != nil {
		return nil, fmt.Errorf("pull: %s binding %s: read token %s: %w", b.Provider, b.ID, b.APIParam, err)
	}
	if token == "" {
		return nil, fmt.Errorf("pull: %s binding %s: token parameter %s is empty", b.Provider, b.ID, b.APIParam)
	}
	ms, err := source.Pull(ctx, b, token, days)
	if err != nil {
		return nil, fmt.Errorf("pull: %s binding %s: %w", b.Provider, b.ID, err)
	}
	for _, m := range ms {
		if !slices.Contains(days, m.Date) {
			return nil, fmt.Errorf("pull: %s binding %s: a figure for %q, which was not asked for", b.Provider, b.ID, m.Date)
		}
	}
	return ms, nil
}

// add sums two days' figures of one source.
func add(a, b glassbox.Metric) glassbox.Metric {
	a.Date = b.Date
	if a.Currency == "" {
		a.Currency = b.Currency
	}
	a.Spend += b.Spend
	a.Impressions += b.Impressions
	a.Clicks += b.Clicks
	a.Leads += b.Leads
	a.Conversions += b.Conversions
	a.Minutes += b.Minutes
	return a
}

// isNotReady says err is a source's "being prepared, ask again later".
func isNotReady(err error) bool {
	var nr interface{ NotReady() bool }
	return errors.As(err, &nr) && nr.NotReady()
}

// Window is the days a pass pulls at now for a project in zone: the n days before today there, oldest first.
// Today is left out: its figures are still growing.
func Window(now time.Time, zone *time.Location, n int) []string {
	local := now.In(zone)
	today := time.Date(local.Year(), local.Month(), local.Day(), 12, 0, 0, 0, time.UTC) // noon: no DST edge
	out := make([]string, 0, n)
	for i := n; i >= 1; i-- {
		out = append(out, today.AddDate(0, 0, -i).Format(time.DateOnly))
	}
	return out
}
