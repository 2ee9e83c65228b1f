package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/linksign"
	"github.com/glassbox-oss/glassbox/shared/localstore"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

// runSecrets puts a secret into the local store of glassbox dev, where a deployment has SSM Parameter Store:
// a binding's webhook secret (its secret_param), a CRM's api_param, or the key that signs links.
func runSecrets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	verb, err := takeVerb("secrets", "set --data DIR NAME [VALUE] | delete --data DIR NAME (glassbox secrets set -h for more)",
		args, stdout, stderr, "set", "delete")
	if verb == "" {
		return err
	}
	if verb == "delete" {
		return deleteSecret(ctx, args[1:], stdout, stderr)
	}
	fs := newFlags("secrets set --data DIR NAME [VALUE]",
		"Stores a secret in the local store of glassbox dev, under the SSM parameter name the agency file gives:\n"+
			"a binding's secret_param or api_param, agency.telegram_bot_param (the bot token), or "+linkKeyParam+"\n"+
			"(the key that signs payment and download links, at least 32 characters). Without VALUE, the value is\n"+
			"read from the first line of stdin, so it stays out of the shell's history. Stop glassbox dev first:\n"+
			"the store has one writer at a time.\n"+
			"A deployment keeps its secrets in SSM Parameter Store instead (see the README's Deploy).")
	data := fs.String("data", "", "the data folder of glassbox dev (required)")
	if err := parseFlags(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	if *data == "" || fs.NArg() < 1 || fs.NArg() > 2 {
		fs.SetOutput(stderr)
		fs.Usage()
		return errors.New("secrets set: give --data DIR and NAME [VALUE]")
	}
	name := fs.Arg(0)
	value := fs.Arg(1)
	if fs.NArg() == 1 {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("secrets set: read the value from stdin: %w", err)
		}
		value = strings.TrimRight(line, "\r\n")
	}
	if err := checkSecret(name, value); err != nil {
		return fmt.Errorf("secrets set: %w", err)
	}
	store, err := openLocal(*data)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.PutSecret(ctx, name, value); err != nil {
		return fmt.Errorf("secrets set: %w", err)
	}
	fmt.Fprintf(stdout, "stored %s in %s (%d characters)\n", name, *data, len(value))
	return nil
}

// deleteSecret removes a secret from the local store: above all the secret a provider's handshake handed over
// (Asana's), which is kept once and refuses another handshake until it is gone.
func deleteSecret(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("secrets delete --data DIR NAME",
		"Removes a secret from the local store of glassbox dev. An Asana binding's secret_param is kept from the\n"+
			"webhook's handshake once, and a handshake with another secret is refused (409) until it is deleted:\n"+
			"delete it to subscribe the binding again. Stop glassbox dev first. A deployment deletes the SSM\n"+
			"parameter instead: aws ssm delete-parameter --name NAME.")
	data := fs.String("data", "", "the data folder of glassbox dev (required)")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *data == "" || fs.NArg() != 1 {
		fs.SetOutput(stderr)
		fs.Usage()
		return errors.New("secrets delete: give --data DIR and NAME")
	}
	store, err := openLocal(*data)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.DeleteSecret(ctx, fs.Arg(0)); err != nil {
		return fmt.Errorf("secrets delete: %w", err)
	}
	fmt.Fprintf(stdout, "deleted %s from %s\n", fs.Arg(0), *data)
	return nil
}

// linkKeyParam is where glassbox dev, whatever the agency, keeps the key that signs links (a deployment's
// default name too).
const linkKeyParam = demoLinkKeyParam

func checkSecret(name, value string) error {
	switch {
	case !strings.HasPrefix(name, "/"):
		return fmt.Errorf("%q is not a parameter name: it starts with \"/\", as the agency file's secret_param does", name)
	case value == "":
		return fmt.Errorf("the value of %s is empty", name)
	case name == linkKeyParam && len(value) < linksign.MinKeyBytes:
		return fmt.Errorf("the link key must be at least %d characters: use \"$(openssl rand -base64 48)\"", linksign.MinKeyBytes)
	}
	return nil
}

// missingSecrets lists the secrets the stored agency needs that the local store lacks: each binding's
// secret_param and api_param, the Telegram bot token (agency.telegram_bot_param), and the link key when a
// project is billed (its emails carry signed links). Without them glassbox dev answers those deliveries 500. A
// secret_param a provider's handshake hands over (Asana's) is not listed: nobody sets it, the subscription does.
func missingSecrets(ctx context.Context, store *localstore.Store) ([]string, error) {
	cfg, err := store.Config(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range cfg.Projects {
		if len(p.Billing.Stages) > 0 {
			names = append(names, linkKeyParam)
			break
		}
	}
	catalog := providers.Catalog()
	if cfg.Agency.TelegramBotParam != "" {
		names = append(names, cfg.Agency.TelegramBotParam)
	}
	for _, b := range cfg.Bindings {
		if info, _ := catalog.Lookup(b.Provider); !info.SecretFromHandshake {
			names = append(names, b.SecretParam)
		}
		if b.APIParam != "" {
			names = append(names, b.APIParam)
		}
	}
	var missing []string
	for _, n := range names {
		if _, err := store.Secret(ctx, n); errors.Is(err, glassbox.ErrNotFound) {
			missing = append(missing, n)
		} else if err != nil {
			return nil, err
		}
	}
	return missing, nil
}

// devHints is what glassbox dev says when it starts, after its address: how to try the demo agency, or, for
// one's own, which secrets are missing and that trackers need a tunnel to reach it.
func devHints(ctx context.Context, store *localstore.Store, addr, data string) []string {
	if cfg, err := store.Config(ctx); err == nil {
		if _, demo := cfg.Binding("trello", "demo-board"); demo {
			return []string{fmt.Sprintf("data in %s; in another terminal run %s", data, demoCommand(addr))}
		}
	}
	hints := []string{fmt.Sprintf("data in %s. Trackers and CRMs deliver only to an address they can reach: run a tunnel to %s and register its https URL", data, addr)}
	missing, err := missingSecrets(ctx, store)
	if err != nil || len(missing) == 0 {
		return hints
	}
	return append(hints,
		"these secrets are not set, so the deliveries that need them get 500: "+strings.Join(missing, ", "),
		"  stop glassbox dev and run for each: glassbox secrets set --data "+data+" NAME VALUE")
}

// demoCommand is how to run the demo against a dev server listening on addr.
func demoCommand(addr string) string {
	if addr == "127.0.0.1:8080" {
		return "`make demo`"
	}
	return "`make demo URL=http://" + addr + "` (or glassbox demo --url http://" + addr + ")"
}
