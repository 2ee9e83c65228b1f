package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/courier"
	"github.com/glassbox-oss/glassbox/shared/digest"
	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// runPreviewReport shows a project's weekly digest (kind "digest") or monthly report and call reminder
// ("monthly") for a period, read from a store (the data folder of glassbox dev, or a table), sending nothing:
// the emails as .eml with their HTML part as .html, the chart as .png, and the Telegram text printed.
func runPreviewReport(ctx context.Context, kind string, args []string, stdout, stderr io.Writer) error {
	usage, about, periodFlag, example := "preview digest --project ID --week 2026-W47 [-f agency.yaml] [--data DIR | --table NAME] [-o DIR]",
		"Builds a project's weekly digest for an ISO week from the store (the data folder of glassbox dev by default)\n"+
			"and writes what each channel would send, sending nothing: the emails (.eml, their HTML part as .html),\n"+
			"the chart (.png) and the Telegram message (printed, and kept as .telegram.txt). The agency file's\n"+
			"reports and message templates apply. The week's digest is the one sent on its send day (Friday by\n"+
			"default), covering the 7 days before: 2026-W47's goes on 20 November. Stop glassbox dev on the folder first.", "week", "2026-W47"
	if kind == "monthly" {
		usage, about, periodFlag, example = "preview monthly --project ID --month 2026-11 [-f agency.yaml] [--data DIR | --table NAME] [-o DIR]",
			"Builds a project's monthly report for a calendar month, and the manager's call reminder, from the store\n"+
				"(the data folder of glassbox dev by default), and writes what each channel would send, sending nothing.", "month", "2026-11"
	}
	fs := newFlags(usage, about)
	project := fs.String("project", "", "the project (a projects[].id)")
	key := fs.String(periodFlag, "", "the "+periodFlag+", e.g. "+example)
	file := fs.String("f", "", "agency file (default: the configuration applied to the store)")
	out := fs.String("o", "preview", "folder for the .eml, .html, .png and .telegram.txt files")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *project == "" || *key == "" {
		return fmt.Errorf("preview %s: --project and --%s are required", kind, periodFlag)
	}
	if sf.data == "" && sf.table == "" {
		sf.data = ".glassbox"
	}
	if sf.data != "" && sf.table == "" {
		// A report is read from history: a folder without a store has none, and opening it would create one.
		if _, err := os.Stat(filepath.Join(sf.data, "glassbox.db")); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("preview %s: no store in %s: run glassbox dev there first (make dev, then make demo for the demo's week), or give --data DIR or --table NAME", kind, sf.data)
		}
	}
	store, closeStore, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	var cfg glassbox.Config
	if *file != "" {
		cfg, err = previewConfig(*file)
	} else {
		cfg, err = store.Config(ctx)
	}
	if errors.Is(err, glassbox.ErrNotFound) {
		return fmt.Errorf("preview %s: no agency file applied to this store: glassbox apply -f agency.yaml first, or give -f", kind)
	}
	if err != nil {
		return fmt.Errorf("preview %s: the configuration: %w", kind, err)
	}
	p, ok := cfg.Project(*project)
	if !ok {
		return fmt.Errorf("preview %s: no project %q", kind, *project)
	}
	plan := cfg.ProjectReports(p)
	var period glassbox.Period
	if kind == "monthly" {
		period, err = plan.MonthPeriod(*key)
	} else {
		period, err = plan.WeekPeriod(*key)
	}
	if err != nil {
		return fmt.Errorf("preview %s: %w", kind, err)
	}
	ms, err := digest.New(store, nil).Compose(ctx, cfg, p, plan, period)
	if err != nil {
		return fmt.Errorf("preview %s: %w", kind, err)
	}
	if len(ms) == 0 {
		fmt.Fprintln(stdout, "nothing to send: an empty week, and the project's reports skip empty weeks (empty_week: skip)")
		return nil
	}
	return writeReportPreview(ms, *out, stdout)
}

// writeReportPreview writes report messages as a preview: emails as .eml and .html, their inline images, and
// Telegram messages as .telegram.txt, printed too.
func writeReportPreview(ms []glassbox.Message, dir string, stdout io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	now := time.Now().UTC()
	write := func(name string, data []byte) error {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s  (%d bytes)\n", path, len(data))
		return nil
	}
	for _, m := range ms {
		base := string(m.Kind) + "-" + fileSafe(recipientOf(m))
		if m.ChannelOrEmail() == glassbox.ChannelTelegram {
			if err := write(base+".telegram.txt", []byte(m.HTML)); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "  to Telegram chat %s:\n", m.Chat)
			for _, line := range strings.Split(m.HTML, "\n") {
				fmt.Fprintf(stdout, "    %s\n", line)
			}
			continue
		}
		m.ClaimedAt = now
		raw, err := courier.RenderEmail(m, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "to %s: %s\n", strings.Join(raw.To, ", "), m.Subject)
		if err := write(base+".eml", raw.Data); err != nil {
			return err
		}
		html := m.HTML
		for _, im := range m.Images {
			// The page opens in a browser, which knows no cid: links: it shows the image file beside it.
			name := base + "-" + fileSafe(strings.SplitN(im.ContentID, "@", 2)[0]) + ".png"
			html = strings.ReplaceAll(html, "cid:"+im.ContentID, name)
			if err := write(name, im.Data); err != nil {
				return err
			}
		}
		if err := write(base+".html", []byte(html)); err != nil {
			return err
		}
	}
	return nil
}

func recipientOf(m glassbox.Message) string {
	if m.ChannelOrEmail() == glassbox.ChannelTelegram {
		return "chat" + m.Chat
	}
	if len(m.To) > 0 {
		return m.To[0].Email
	}
	return "nobody"
}

// fileSafe keeps letters, digits, dots, dashes and underscores of a name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == '@':
			return r
		}
		return '_'
	}, s)
}
