package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// runSuppressions lists the addresses and chats that get nothing more (an email bounced or was marked spam,
// the bot was removed from a chat), and lets one receive messages again once the admin has fixed the cause.
// Chats that moved (a group became a supergroup) are listed too: messages follow them until the agency file
// has the new id.
func runSuppressions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verb, err := takeVerb("suppressions", "list|clear ... (glassbox suppressions VERB -h for its flags)", args, stdout, stderr, "list", "clear")
	if verb == "" {
		return err
	}
	var fs *flag.FlagSet
	switch verb {
	case "list":
		fs = newFlags("suppressions list (--table NAME | --data DIR)",
			"Lists the suppressed email addresses and Telegram chats (nothing is sent to them), and the chats that\n"+
				"moved (messages follow them to the new id).")
	case "clear":
		fs = newFlags("suppressions clear ADDRESS|CHAT (--table NAME | --data DIR)",
			"Lets an address or chat receive messages again. Fix the cause first (the address in the agency file,\n"+
				"the bot back in the group): another bounce suppresses it again, and SES watches the bounce rate.\n"+
				"A running function sees the change within a minute.")
	}
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	var recipient string
	if verb == "clear" && fs.NArg() >= 1 {
		// The address may come before the flags too: clear ADDRESS --data DIR.
		recipient = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if verb == "clear" && (recipient == "" || fs.NArg() != 0) {
		fs.SetOutput(stderr)
		fs.Usage()
		return errors.New("suppressions clear: give one ADDRESS or CHAT")
	}
	store, closeStore, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()

	if verb == "clear" {
		recipient = glassbox.SuppressionKey(recipient)
		switch err := store.ClearSuppression(ctx, recipient); {
		case errors.Is(err, glassbox.ErrNotFound):
			return fmt.Errorf("suppressions clear: %s is not suppressed (glassbox suppressions list shows who is)", recipient)
		case err != nil:
			return fmt.Errorf("suppressions clear: %w", err)
		}
		fmt.Fprintf(stdout, "cleared %s: messages go there again\n", recipient)
		return nil
	}
	notes, err := store.DeliveryNotes(ctx)
	if err != nil {
		return fmt.Errorf("suppressions list: %w", err)
	}
	if len(notes.Suppressions) == 0 && len(notes.Moves) == 0 {
		fmt.Fprintln(stdout, "no suppressed addresses or chats")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if len(notes.Suppressions) > 0 {
		fmt.Fprintln(tw, "RECIPIENT\tCHANNEL\tCAUSE\tSINCE\tPROJECT\tDETAIL")
		for _, s := range notes.Suppressions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Recipient, s.Channel, s.Cause, s.At.Format("2006-01-02 15:04 UTC"), s.ProjectID, s.Detail)
		}
	}
	if len(notes.Moves) > 0 {
		if len(notes.Suppressions) > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintln(tw, "MOVED CHAT\tNOW\tSINCE\tPROJECT")
		for _, m := range notes.Moves {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.From, m.To, m.At.Format("2006-01-02 15:04 UTC"), m.ProjectID)
		}
	}
	return tw.Flush()
}
