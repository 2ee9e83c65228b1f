package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// runReports lists the recipients who switched a project's scheduled reports off (the one-click link of a
// digest), and switches them back on when the client asks the manager to.
func runReports(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verb, err := takeVerb("reports", "unsubscribed|resubscribe|reindex ... (glassbox reports VERB -h for its flags)", args, stdout, stderr, "unsubscribed", "resubscribe", "reindex")
	if verb == "" {
		return err
	}
	var fs *flag.FlagSet
	switch verb {
	case "unsubscribed":
		fs = newFlags("reports unsubscribed [--project ID] (--table NAME | --data DIR)",
			"Lists who switched the weekly digests and monthly reports off with the link in one, per project. They\n"+
				"still get task notices and documents.")
	case "resubscribe":
		fs = newFlags("reports resubscribe --project ID --email ADDRESS (--table NAME | --data DIR)",
			"Sends a project's scheduled reports to a recipient again, who switched them off. Do it when the client\n"+
				"asks: the next digest goes to them.")
	case "reindex":
		fs = newFlags("reports reindex [--project ID] (--table NAME | --data DIR)",
			"Writes every open task again, so digests list it. Run it once after upgrading a deployment from a\n"+
				"version without reports: tasks stored before then are not in the open-task index until they change.")
	}
	project := fs.String("project", "", "the project")
	email := new(string)
	if verb == "resubscribe" {
		email = fs.String("email", "", "the recipient's email address")
	}
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if fs.NArg() != 0 || (verb == "resubscribe" && (*project == "" || *email == "")) {
		fs.SetOutput(stderr)
		fs.Usage()
		if verb == "resubscribe" {
			return errors.New("reports resubscribe: give --project and --email")
		}
		return fmt.Errorf("reports unsubscribed: unexpected %q", fs.Args())
	}
	store, closeStore, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	if verb == "reindex" {
		return reindexOpenTasks(ctx, store, *project, stdout)
	}

	if verb == "resubscribe" {
		address := glassbox.SuppressionKey(*email)
		switch err := store.Resubscribe(ctx, *project, address); {
		case errors.Is(err, glassbox.ErrNotFound):
			return fmt.Errorf("reports resubscribe: %s has not switched off the reports of %s (glassbox reports unsubscribed shows who has)", address, *project)
		case err != nil:
			return fmt.Errorf("reports resubscribe: %w", err)
		}
		fmt.Fprintf(stdout, "resubscribed %s: the reports of %s go there again\n", address, *project)
		return nil
	}
	notes, err := store.DeliveryNotes(ctx)
	if err != nil {
		return fmt.Errorf("reports unsubscribed: %w", err)
	}
	var list []glassbox.Unsubscription
	for _, u := range notes.Unsubscriptions {
		if *project == "" || u.ProjectID == *project {
			list = append(list, u)
		}
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "nobody switched the reports off")
		return nil
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].ProjectID != list[j].ProjectID {
			return list[i].ProjectID < list[j].ProjectID
		}
		return list[i].Recipient < list[j].Recipient
	})
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECT\tRECIPIENT\tSINCE\tFROM MESSAGE")
	for _, u := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.ProjectID, u.Recipient, u.At.Format("2006-01-02 15:04 UTC"), u.MessageID)
	}
	return tw.Flush()
}

// reindexOpenTasks writes each open task of the projects once more (its version moves on by one), which puts it
// in the open-task index (glassbox.Store.OpenTasks) the digests read. A task that changed meanwhile was written
// by React, index and all: it is left alone.
func reindexOpenTasks(ctx context.Context, store glassbox.Store, project string, stdout io.Writer) error {
	cfg, err := store.Config(ctx)
	if err != nil {
		return fmt.Errorf("reports reindex: read the agency file: %w", err)
	}
	var written, changed int
	for _, p := range cfg.Projects {
		if project != "" && p.ID != project {
			continue
		}
		tasks, err := store.Tasks(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("reports reindex: %w", err)
		}
		for _, t := range tasks {
			if !t.Open() {
				continue
			}
			t.Version++
			switch err := store.PutTask(ctx, t); {
			case errors.Is(err, glassbox.ErrConflict):
				changed++
			case err != nil:
				return fmt.Errorf("reports reindex: %w", err)
			default:
				written++
			}
		}
	}
	fmt.Fprintf(stdout, "open tasks written again: %d (changed meanwhile, so indexed already: %d)\n", written, changed)
	return nil
}
