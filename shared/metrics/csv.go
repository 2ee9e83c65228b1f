package metrics

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/money"
)

// Columns are the CSV columns ReadCSV knows, as the header row names them (in any order and case).
var Columns = []string{"date", "source", "spend", "currency", "impressions", "clicks", "leads", "conversions", "minutes"}

// CSVOptions are what a CSV import fills in where the file is silent.
type CSVOptions struct {
	ProjectID string
	// Source is the source of rows whose source cell is empty, or of every row when there is no source column.
	Source string
	// Currency is the currency of rows that name none; as a binding's currency, rows naming another are refused.
	Currency string
	// Now stamps the figures and bounds their dates (Figure.Metric).
	Now time.Time
}

// ReadCSV reads a CSV file of daily figures into metrics for a project, every row checked by the same rules as
// the metrics hook's figures (Check), and refused as a whole when one row is wrong (glassbox.ErrMalformed, the
// message naming the line). The first row names the columns (Columns; date required, the others optional, an
// unknown one refused). Fields are separated by ',' or ';' (what the header uses most), as Excel writes them in
// English or Russian and German locales, which also write decimal commas ("15 000,50"); a UTF-8 byte order mark
// is skipped. An empty cell is 0, or the option's default for source and currency. Counts may group thousands
// with spaces.
func ReadCSV(r io.Reader, opts CSVOptions) ([]glassbox.Metric, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(4096)
	firstLine, _, _ := bytes.Cut(head, []byte("\n"))
	cr := csv.NewReader(br)
	cr.Comma = ','
	if bytes.Count(firstLine, []byte(";")) > bytes.Count(firstLine, []byte(",")) {
		cr.Comma = ';'
	}
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = false

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("metrics: the file is empty: give a header row (%s): %w", strings.Join(Columns, ", "), glassbox.ErrMalformed)
	}
	if err != nil {
		return nil, fmt.Errorf("metrics: %v: %w", err, glassbox.ErrMalformed)
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, c := range Columns {
			known = known || c == name
		}
		switch {
		case !known:
			return nil, fmt.Errorf("metrics: line 1: unknown column %q: the columns are %s: %w", clip(h), strings.Join(Columns, ", "), glassbox.ErrMalformed)
		case col[name] != 0:
			return nil, fmt.Errorf("metrics: line 1: column %s twice: %w", name, glassbox.ErrMalformed)
		}
		col[name] = i + 1 // 0 is "no such column"
	}
	if col["date"] == 0 {
		return nil, fmt.Errorf("metrics: line 1: no date column: %w", glassbox.ErrMalformed)
	}
	if col["source"] == 0 && strings.TrimSpace(opts.Source) == "" {
		return nil, fmt.Errorf("metrics: no source column: give the source of every row (--source vk_ads): %w", glassbox.ErrMalformed)
	}

	var figs []Figure
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("metrics: %v: %w", err, glassbox.ErrMalformed)
		}
		line, _ := cr.FieldPos(0)
		cell := func(name string) string {
			if i := col[name]; i > 0 {
				return strings.TrimSpace(rec[i-1])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue // a blank row a spreadsheet leaves at the end
		}
		f := Figure{Date: cell("date"), Source: cell("source"), Spend: cell("spend"), Currency: cell("currency")}
		if f.Source == "" {
			f.Source = opts.Source
		}
		for _, c := range []struct {
			name string
			to   *int64
		}{{"impressions", &f.Impressions}, {"clicks", &f.Clicks}, {"leads", &f.Leads}, {"conversions", &f.Conversions}, {"minutes", &f.Minutes}} {
			v, err := wholeNumber(cell(c.name))
			if err != nil {
				return nil, fmt.Errorf("metrics: line %d: %s %v: %w", line, c.name, err, glassbox.ErrMalformed)
			}
			*c.to = v
		}
		figs = append(figs, f)
		lines = append(lines, line)
	}
	ms, err := Check(figs, opts.ProjectID, opts.Currency, "import", opts.Now, func(i int) string { return fmt.Sprintf("line %d", lines[i]) })
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return ms, nil
}

// wholeNumber reads a count cell: empty is 0; spaces (also no-break and thin) may group thousands.
func wholeNumber(s string) (int64, error) {
	clean := money.StripGrouping(s)
	if clean == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", clip(s))
	}
	return v, nil
}
