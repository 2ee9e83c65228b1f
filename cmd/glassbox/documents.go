package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/glassbox-oss/glassbox/shared/money"
)

// runDocuments lists issued acts and invoices, downloads one exactly as it was issued, or voids one. Voiding is
// the only way a document stops counting: its number stays used, so numbering never has gaps or reuse.
func runDocuments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verb, err := takeVerb("documents", "list|get|void ... (glassbox documents VERB -h for its flags)", args, stdout, stderr, "list", "get", "void")
	if verb == "" {
		return err
	}
	var (
		fs                       *flag.FlagSet
		project, id, out, reason *string
	)
	switch verb {
	case "list":
		fs = newFlags("documents list [--project ID] (--table NAME | --data DIR)",
			"Lists issued acts and invoices: id, kind, number, date, project, stage, total and state.")
		project = fs.String("project", "", "only this project (default: every project)")
	case "get":
		fs = newFlags("documents get --id ID [-o FILE] (--table NAME | --data DIR)",
			"Writes a document's PDF exactly as it was issued.")
		id = fs.String("id", "", "the document id (the first column of documents list)")
		out = fs.String("o", "", "the file to write (default: its name, e.g. \"Счёт ПК-2026-0015.pdf\")")
	case "void":
		fs = newFlags("documents void --id ID --reason TEXT (--table NAME | --data DIR)",
			"Voids a document; its number stays used, so numbering has no gaps and no reuse.")
		id = fs.String("id", "", "the document id (the first column of documents list)")
		reason = fs.String("reason", "", "why (required; kept with the document)")
	}
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	store, closeStore, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()

	switch verb {
	case "list":
		cfg, err := store.Config(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tNUMBER\tDATE\tPROJECT\tSTAGE\tTOTAL\tSTATE")
		for _, p := range cfg.Projects {
			if *project != "" && p.ID != *project {
				continue
			}
			docs, err := store.DocumentsBetween(ctx, p.ID, time.Time{}, time.Now().Add(24*time.Hour))
			if err != nil {
				return err
			}
			for _, d := range docs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Kind, d.Number, d.Date, d.ProjectID, d.StageName,
					money.Format(d.Total, d.Currency, d.Locale), d.State)
			}
		}
		return tw.Flush()
	case "get":
		if *id == "" {
			return errors.New("documents get: --id is required")
		}
		d, err := store.Document(ctx, *id)
		if err != nil {
			return fmt.Errorf("documents get %s: %w", *id, err)
		}
		data, err := store.DocumentPDF(ctx, *id)
		if err != nil {
			return fmt.Errorf("documents get %s: %w", *id, err)
		}
		path := *out
		if path == "" {
			path = d.FileName()
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (%d bytes, sha256 %s, as issued on %s)\n", path, len(data), d.PDFSHA256, d.Date)
		return nil
	default: // void
		if *id == "" || *reason == "" {
			return errors.New("documents void: --id and --reason are required")
		}
		if err := store.VoidDocument(ctx, *id, time.Now().UTC(), *reason); err != nil {
			return fmt.Errorf("documents void %s: %w", *id, err)
		}
		fmt.Fprintf(stdout, "%s is void; its number stays used\n", *id)
		return nil
	}
}
