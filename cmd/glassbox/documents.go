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

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// runDocuments lists issued acts and invoices, downloads one exactly as it was issued, or voids one. Voiding is
// the only way a document stops counting: its number stays used, so numbering never has gaps or reuse.
func runDocuments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("documents: say list, get or void")
	}
	verb := args[0]
	fs := flag.NewFlagSet("documents "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	project := fs.String("project", "", "list: only this project (default: every project)")
	id := fs.String("id", "", "get, void: the document id (the first column of list)")
	out := fs.String("o", "", "get: the file to write (default: its name, e.g. \"Счёт ПК-2026-0015.pdf\")")
	reason := fs.String("reason", "", "void: why (required; kept with the document)")
	if err := fs.Parse(args[1:]); err != nil {
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
					money.Format(d.Total, d.Currency, glassbox.LocaleEN), d.State)
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
			path = courier.Filename(d)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (%d bytes, sha256 %s, as issued on %s)\n", path, len(data), d.PDFSHA256, d.Date)
		return nil
	case "void":
		if *id == "" || *reason == "" {
			return errors.New("documents void: --id and --reason are required")
		}
		if err := store.VoidDocument(ctx, *id, time.Now().UTC(), *reason); err != nil {
			return fmt.Errorf("documents void %s: %w", *id, err)
		}
		fmt.Fprintf(stdout, "%s is void; its number stays used\n", *id)
		return nil
	default:
		return fmt.Errorf("documents: unknown %q; say list, get or void", verb)
	}
}
