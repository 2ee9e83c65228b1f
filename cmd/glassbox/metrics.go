package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/metrics"
)

// runMetrics imports daily figures from a CSV file (docs/metrics.md), the same figures the metrics hook takes,
// checked by the same rules, into the store the other admin commands use.
func runMetrics(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verb, err := takeVerb("metrics", "import ... (glassbox metrics import -h for its flags)", args, stdout, stderr, "import")
	if verb == "" {
		return err
	}
	fs := newFlags("metrics import --file data.csv --project ID [--source S] [--currency C] (--table NAME | --data DIR)",
		"Imports a project's daily figures from a CSV file: a header row naming the columns (date, source, spend,\n"+
			"currency, impressions, clicks, leads, conversions, minutes), separated by ',' or ';', a UTF-8 BOM and\n"+
			"decimal commas allowed. A day and source imported again replaces the stored one. Nothing is written\n"+
			"unless every row is right; the error names the line. docs/metrics.md has the rules.")
	file := fs.String("file", "", "the CSV file (- for standard input)")
	project := fs.String("project", "", "the project the figures are for")
	source := fs.String("source", "", "the source of rows whose source is empty, or of all when there is no source column")
	currency := fs.String("currency", "", "the currency (ISO 4217) of rows that name none; rows naming another are refused")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if *file == "" || *project == "" || fs.NArg() != 0 {
		fs.SetOutput(stderr)
		fs.Usage()
		return errors.New("metrics import: give --file and --project")
	}
	in := io.Reader(os.Stdin)
	if *file != "-" {
		f, err := os.Open(*file)
		if err != nil {
			return fmt.Errorf("metrics import: %w", err)
		}
		defer f.Close()
		in = f
	}
	store, closeStore, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	cfg, err := store.Config(ctx)
	if err != nil && !errors.Is(err, glassbox.ErrNotFound) {
		return fmt.Errorf("metrics import: read the agency file: %w", err)
	}
	if _, ok := cfg.Project(*project); !ok {
		return fmt.Errorf("metrics import: no project %q in the applied agency file", *project)
	}
	ms, err := metrics.ReadCSV(in, metrics.CSVOptions{ProjectID: *project, Source: *source, Currency: *currency, Now: time.Now()})
	if err != nil {
		// The rules are the hook's, whose refusal ends in "malformed body" (its 400): a file has no body.
		return fmt.Errorf("metrics import %s: %s", *file, strings.TrimSuffix(err.Error(), ": "+glassbox.ErrMalformed.Error()))
	}
	if err := store.PutMetrics(ctx, ms); err != nil {
		return fmt.Errorf("metrics import: %w", err)
	}
	first, last := ms[0].Date, ms[0].Date
	for _, m := range ms {
		first, last = min(first, m.Date), max(last, m.Date)
	}
	figures := "figures"
	if len(ms) == 1 {
		figures = "figure"
	}
	fmt.Fprintf(stdout, "imported %d %s for %s, %s to %s (a day and source stored before is replaced)\n", len(ms), figures, *project, first, last)
	return nil
}
