// Command glassbox is the admin CLI and the local server:
//
//	glassbox apply -f agency.yaml (--table NAME [--endpoint URL [--create-table]] | --data DIR)
//	glassbox dev [--addr 127.0.0.1:8080] [--data .glassbox]
//	glassbox demo [--url http://127.0.0.1:8080] [--events events]
//	glassbox replay (--table NAME [--endpoint URL] | --data DIR) (--event ID | --from T [--to T] [--project ID])
//	glassbox preview [-f agency.yaml] --event events/ingest-amocrm-stage-closed.json [-o DIR]
//	glassbox preview digest --project ID --week 2026-W47 [-f agency.yaml] [--data DIR | --table NAME] [-o DIR]
//	glassbox preview monthly --project ID --month 2026-11 [-f agency.yaml] [--data DIR | --table NAME] [-o DIR]
//	glassbox documents list [--project ID] (--table NAME | --data DIR)
//	glassbox documents get --id ID [-o FILE] (--table NAME | --data DIR)
//	glassbox documents void --id ID --reason TEXT (--table NAME | --data DIR)
//	glassbox secrets set --data DIR NAME [VALUE]
//	glassbox secrets delete --data DIR NAME
//	glassbox suppressions list (--table NAME | --data DIR)
//	glassbox suppressions clear ADDRESS|CHAT (--table NAME | --data DIR)
//	glassbox verify --project ID [--checkpoint HASH] [--export FILE] (--table NAME | --data DIR)
//	glassbox accounts (--table NAME | --data DIR)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

const usage = `glassbox — status notices, acts and invoices for an agency's clients

Commands:
  apply      validate an agency file and write it to the store
  dev        run the webhook and outbox server locally (embedded store, no AWS)
  demo       post the signed samples from events/ to a running dev server
  replay     process stored events again (after the dead-letter queue caught them)
  preview    show the PDFs and emails a sample webhook would produce, sending nothing
             (preview digest|monthly: a project's weekly digest or monthly report from the store)
  documents  list issued acts and invoices, download one as issued, or void one
  secrets    put a webhook secret or the link key into the local store of glassbox dev (or delete one)
  suppressions  list the addresses and chats that get nothing more (bounced, blocked), or clear one
  metrics    import a project's daily figures (ad spend, leads, minutes) from a CSV file
  reports    list who switched the scheduled reports off, or switch them back on for someone
  verify     verify a project's sealed timeline (names any entry changed or deleted), or export it
  accounts   every project's health in one table (ratings, overdue invoices, waiting, bad news), drifting first
  links      make, rotate, revoke or list the secret links to clients' dashboards (/p/{token})

Run 'glassbox COMMAND -h' (or 'glassbox help COMMAND') for a command's flags.
`

// devAbout is the help of glassbox dev: the demo, and what one's own agency needs.
const devAbout = `Serves the webhook handlers (/hooks/{provider}/{binding}), the payment and download links and a mail
outbox page (/outbox) on one address, over an embedded store in the data folder: no AWS. On first start it
loads the demo agency and its secrets; make demo (or glassbox demo --url) then posts the signed samples.
Weekly digests and monthly reports go when due (--tick-every); POST /dev/tick?at=<RFC 3339> (or the home
page's button) sends them as of another time, such as Friday 15:00.

Your own agency instead:
  glassbox apply -f agency.yaml --data DIR
  glassbox secrets set --data DIR /glassbox/trello/site-board   (each binding's secret_param; reads the value)
  glassbox secrets set --data DIR /glassbox/links/key "$(openssl rand -base64 48)"
  glassbox dev --data DIR
Trello and the CRMs deliver only to an address they can reach: run a tunnel (cloudflared, ngrok) to this one
and register its https URL (and set the bindings' callback_url to it).`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "glassbox:", err)
		os.Exit(1)
	}
}

// run runs one command. Asking for help (-h, --help, help) is not an error: the help goes to stdout and run
// returns nil, so the shell sees success.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command")
	}
	switch args[0] {
	case "apply":
		return runApply(ctx, args[1:], stdout, stderr)
	case "dev":
		return runDev(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "replay":
		return runReplay(ctx, args[1:], stdout, stderr)
	case "preview":
		return runPreview(ctx, args[1:], stdout, stderr)
	case "documents":
		return runDocuments(ctx, args[1:], stdout, stderr)
	case "secrets":
		return runSecrets(ctx, args[1:], stdout, stderr)
	case "suppressions":
		return runSuppressions(ctx, args[1:], stdout, stderr)
	case "metrics":
		return runMetrics(ctx, args[1:], stdout, stderr)
	case "reports":
		return runReports(ctx, args[1:], stdout, stderr)
	case "verify":
		return runVerify(ctx, args[1:], stdout, stderr)
	case "accounts":
		return runAccounts(ctx, args[1:], stdout, stderr)
	case "links":
		return runLinks(ctx, args[1:], stdout, stderr)
	case "help":
		if len(args) > 1 {
			return dispatch(ctx, []string{args[1], "-h"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	default:
		if isHelp(args[0]) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

// newFlags returns the flag set of a command. synopsis is its usage line after "glassbox" and about says
// what it does; -h prints both and the flags.
func newFlags(synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(synopsis, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: glassbox %s\n\n%s\n", synopsis, about)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses a command's flags. -h prints the command's help to stdout and returns flag.ErrHelp, which
// run turns into success; a wrong flag prints the help to stderr and returns the error.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
	case err != nil:
		fs.SetOutput(stderr)
		fs.Usage()
	}
	return err
}

// isHelp says an argument asks for help.
// takeVerb reads the verb a command with verbs starts with. For -h it prints the usage to stdout and returns
// "" and nil; for a missing or unknown verb it prints the usage to stderr and returns "" and an error naming
// the verbs.
func takeVerb(command, usage string, args []string, stdout, stderr io.Writer, verbs ...string) (string, error) {
	line := "usage: glassbox " + command + " " + usage + "\n"
	say := strings.Join(verbs, ", ")
	if i := strings.LastIndex(say, ", "); i >= 0 {
		say = say[:i] + " or " + say[i+2:]
	}
	switch {
	case len(args) == 0:
		fmt.Fprint(stderr, line)
		return "", fmt.Errorf("%s: say %s", command, say)
	case isHelp(args[0]):
		fmt.Fprint(stdout, line)
		return "", nil
	case !slices.Contains(verbs, args[0]):
		fmt.Fprint(stderr, line)
		return "", fmt.Errorf("%s: unknown %q; say %s", command, args[0], say)
	}
	return args[0], nil
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}
