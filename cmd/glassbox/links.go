package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/glassbox-oss/glassbox/shared/dashboard"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// runLinks makes, replaces, revokes and lists the secret links to clients' dashboards. A link's token is printed
// once, when it is made; the store keeps only its hash, so a lost link is rotated, not looked up.
func runLinks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verb, err := takeVerb("links", "create|rotate|revoke|list ... (glassbox links VERB -h for its flags)", args, stdout, stderr, "create", "rotate", "revoke", "list")
	if verb == "" {
		return err
	}
	var fs *flag.FlagSet
	switch verb {
	case "create":
		fs = newFlags("links create (--project ID | --client ID) [--expires 2027-01-01] [--base-url URL] (--table NAME | --data DIR)",
			"Makes a secret link to a project's dashboard, or to every project of a client, and prints its URL. The\n"+
				"URL is shown this once: the store keeps only a hash of it. Send it to the client.")
	case "rotate":
		fs = newFlags("links rotate --id ID [--expires 2027-01-01] [--base-url URL] (--table NAME | --data DIR)",
			"Replaces a link: prints a new URL to the same dashboard and revokes the old one at once. The new link\n"+
				"expires when the old one would have, unless --expires says otherwise.")
	case "revoke":
		fs = newFlags("links revoke --id ID (--table NAME | --data DIR)",
			"Revokes a link: it answers 404 from now on.")
	case "list":
		fs = newFlags("links list (--table NAME | --data DIR)",
			"Lists the dashboard links: their id, what they show, and whether they still open. Never their URL.")
	}
	project, client, expires, base, id := new(string), new(string), new(string), new(string), new(string)
	if verb == "create" {
		project = fs.String("project", "", "the project the link shows")
		client = fs.String("client", "", "the client whose every project the link shows")
	}
	if verb == "create" || verb == "rotate" {
		expires = fs.String("expires", "", "the day (YYYY-MM-DD, UTC) the link stops working; empty: never (rotate: the old link's)")
		base = fs.String("base-url", "", "where the link points; empty: the agency file's public_url")
	}
	if verb == "rotate" || verb == "revoke" {
		id = fs.String("id", "", "the link's id, as glassbox links list shows it")
	}
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	usageErr := func(msg string) error {
		fs.SetOutput(stderr)
		fs.Usage()
		return fmt.Errorf("links %s: %s", verb, msg)
	}
	switch {
	case fs.NArg() != 0:
		return usageErr(fmt.Sprintf("unexpected %q", fs.Args()))
	case verb == "create" && (*project == "") == (*client == ""):
		return usageErr("give --project or --client")
	case (verb == "rotate" || verb == "revoke") && *id == "":
		return usageErr("give --id")
	}
	var expiry time.Time
	if *expires != "" {
		d, err := time.Parse(time.DateOnly, *expires)
		if err != nil {
			return usageErr(fmt.Sprintf("--expires %q is not a day like 2027-01-01", *expires))
		}
		expiry = d
	}
	store, closeStore, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	now := time.Now().UTC()
	if !expiry.IsZero() && !expiry.After(now) {
		return fmt.Errorf("links %s: --expires %s is not in the future", verb, *expires)
	}
	switch verb {
	case "list":
		return listLinks(ctx, store, now, stdout)
	case "revoke":
		l, err := findLink(ctx, store, *id)
		if err != nil {
			return fmt.Errorf("links revoke: %w", err)
		}
		if err := store.RevokeDashboardLink(ctx, l.Hash, now); err != nil {
			return fmt.Errorf("links revoke: %w", err)
		}
		fmt.Fprintf(stdout, "revoked %s: it answers 404 from now on\n", l.ID())
		return nil
	}
	cfg, err := store.Config(ctx)
	if err != nil {
		return fmt.Errorf("links %s: read the agency file: %w", verb, err)
	}
	var old glassbox.DashboardLink
	if verb == "rotate" {
		if old, err = findLink(ctx, store, *id); err != nil {
			return fmt.Errorf("links rotate: %w", err)
		}
		*project, *client = old.ProjectID, old.ClientID
		// The new link lasts as long as the old one would have, unless told otherwise: rotating a leaked link
		// must not make it last for ever.
		if expiry.IsZero() && old.ExpiresAt.After(now) {
			expiry = old.ExpiresAt
		}
	}
	switch _, ok := cfg.Project(*project); {
	case *project != "" && !ok:
		return fmt.Errorf("links %s: no project %q in the agency file", verb, *project)
	}
	if _, ok := cfg.Client(*client); *client != "" && !ok {
		return fmt.Errorf("links %s: no client %q in the agency file", verb, *client)
	}
	if *base == "" {
		*base = cfg.Agency.PublicURL
	}
	if *base == "" {
		return fmt.Errorf("links %s: the agency file has no public_url: give --base-url (the stack's ApiUrl output)", verb)
	}
	token, l, err := dashboard.NewLink(now, *project, *client, expiry)
	if err != nil {
		return fmt.Errorf("links %s: %w", verb, err)
	}
	if err := store.CreateDashboardLink(ctx, l); err != nil {
		return fmt.Errorf("links %s: %w", verb, err)
	}
	if verb == "rotate" {
		if err := store.RevokeDashboardLink(ctx, old.Hash, now); err != nil {
			return fmt.Errorf("links rotate: the new link works, but revoking %s failed (revoke it again): %w", old.ID(), err)
		}
		fmt.Fprintf(stderr, "revoked %s\n", old.ID())
	}
	fmt.Fprintf(stderr, "link %s (%s): the URL is shown once; the store keeps only its hash\n", l.ID(), linkScope(l))
	fmt.Fprintln(stdout, dashboard.URL(*base, token))
	return nil
}

// findLink finds a link by its id (the leading digits of its hash; a longer prefix works too).
func findLink(ctx context.Context, store glassbox.Store, id string) (glassbox.DashboardLink, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 6 {
		return glassbox.DashboardLink{}, fmt.Errorf("id %q is too short: give the id glassbox links list shows", id)
	}
	links, err := store.DashboardLinks(ctx)
	if err != nil {
		return glassbox.DashboardLink{}, err
	}
	var found []glassbox.DashboardLink
	for _, l := range links {
		if strings.HasPrefix(l.Hash, id) {
			found = append(found, l)
		}
	}
	switch len(found) {
	case 0:
		return glassbox.DashboardLink{}, fmt.Errorf("no link %s (glassbox links list shows them): %w", id, glassbox.ErrNotFound)
	case 1:
		return found[0], nil
	}
	return glassbox.DashboardLink{}, errors.New("several links start with " + id + ": give more of the id")
}

func linkScope(l glassbox.DashboardLink) string {
	if l.ClientID != "" {
		return "client " + l.ClientID
	}
	return "project " + l.ProjectID
}

func listLinks(ctx context.Context, store glassbox.Store, now time.Time, stdout io.Writer) error {
	links, err := store.DashboardLinks(ctx)
	if err != nil {
		return fmt.Errorf("links list: %w", err)
	}
	if len(links) == 0 {
		fmt.Fprintln(stdout, "no dashboard links (glassbox links create makes one)")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSHOWS\tCREATED\tEXPIRES\tSTATE")
	for _, l := range links {
		expires, state := "never", "live"
		if !l.ExpiresAt.IsZero() {
			expires = l.ExpiresAt.Format(time.DateOnly)
		}
		switch {
		case !l.RevokedAt.IsZero():
			state = "revoked " + l.RevokedAt.Format("2006-01-02 15:04 UTC")
		case !l.Live(now):
			state = "expired"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.ID(), linkScope(l), l.CreatedAt.Format("2006-01-02 15:04 UTC"), expires, state)
	}
	return tw.Flush()
}
