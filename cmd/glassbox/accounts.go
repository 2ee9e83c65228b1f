package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/glassbox-oss/glassbox/shared/accounts"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// runAccounts prints every project's health in one table, the most drifting client first (accounts.Health.Drift).
func runAccounts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runAccountsAt(ctx, args, stdout, stderr, time.Now().UTC())
}

func runAccountsAt(ctx context.Context, args []string, stdout, stderr io.Writer, now time.Time) error {
	fs := newFlags("accounts (--table NAME | --data DIR)",
		"Shows every project's health, the client drifting away first: the last rating and when, overdue\n"+
			"invoices, the days the longest-waiting task has waited on the client, the bad news the manager had this\n"+
			"month (blocked, reopened, overdue), the last monthly call reminder, and change requests not yet\n"+
			"followed by an acceptance. DRIFT is the ranking's weight (README \"Accounts\").")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.SetOutput(stderr)
		fs.Usage()
		return fmt.Errorf("accounts: unexpected %q", fs.Args())
	}
	store, closeStore, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	cfg, err := store.Config(ctx)
	if errors.Is(err, glassbox.ErrNotFound) {
		return errors.New("accounts: no configuration in the store (glassbox apply first)")
	}
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	health, err := accounts.All(ctx, store, cfg, now)
	if err != nil {
		return err
	}
	if len(health) == 0 {
		fmt.Fprintln(stdout, "no projects")
		return nil
	}
	locale := cfg.Agency.Locale
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tCLIENT\tRATING\tOVERDUE INVOICES\tWAITING ON CLIENT\tBAD NEWS (MONTH)\tLAST CALL REMINDER\tCHANGES OPEN\tDRIFT")
	for _, h := range health {
		// Dates in the project's zone, where its client lives.
		p, _ := cfg.Project(h.ProjectID)
		zone := cfg.ProjectZone(p)
		date := func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(zone).Format(time.DateOnly)
		}
		rating := "—"
		if h.LastRating > 0 {
			rating = strconv.Itoa(h.LastRating) + "/5 " + date(h.LastRatingAt)
		}
		overdue := "—"
		if h.OverdueInvoices > 0 {
			overdue = strconv.Itoa(h.OverdueInvoices) + ": " + totals(h.OverdueTotal, locale)
		}
		waiting := "—"
		if h.WaitingDays > 0 {
			waiting = strconv.Itoa(h.WaitingDays) + " d"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\n", h.ProjectID, h.Client, rating, overdue, waiting, h.BadNews,
			date(h.LastCallReminder), h.OpenChanges, h.Drift())
	}
	return tw.Flush()
}

// totals formats per-currency sums, currencies in order.
func totals(m map[string]glassbox.Minor, locale string) string {
	cur := make([]string, 0, len(m))
	for c := range m {
		cur = append(cur, c)
	}
	sort.Strings(cur)
	parts := make([]string, len(cur))
	for i, c := range cur {
		parts[i] = money.Format(m[c], c, locale)
	}
	return strings.Join(parts, " + ")
}
