// Command glassbox is the admin CLI and the local server:
//
//	glassbox apply -f agency.yaml (--table NAME [--endpoint URL] | --data DIR)
//	glassbox dev [--addr 127.0.0.1:8080] [--data .glassbox]
//	glassbox demo [--url http://127.0.0.1:8080] [--events events]
//	glassbox replay (--table NAME [--endpoint URL] | --data DIR) (--event ID | --from T [--to T] [--project ID])
//	glassbox preview [-f agency.yaml] --event events/ingest-amocrm-stage-closed.json [-o DIR]
//	glassbox documents (list [--project ID] | get --id ID [-o FILE] | void --id ID --reason TEXT) (--table NAME | --data DIR)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `glassbox — status notices, acts and invoices for an agency's clients

Commands:
  apply    validate an agency file and write it to the store
  dev      run the webhook and outbox server locally (embedded store, no AWS)
  demo     post the signed samples from events/ to a running dev server
  replay   process stored events again (after the dead-letter queue caught them)
  preview  show the PDFs and emails a sample webhook would produce, sending nothing
  documents  list issued acts and invoices, download one as issued, or void one

Run 'glassbox COMMAND -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "glassbox:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
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
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
