package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/glassbox-oss/glassbox/shared/agencyfile"
	"github.com/glassbox-oss/glassbox/shared/providers"
)

func runApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("apply -f agency.yaml (--table NAME [--endpoint URL [--create-table]] | --data DIR)",
		"Validates the agency file and writes it to the store; if anything is wrong, nothing is written.")
	file := fs.String("f", "", "the agency file (YAML)")
	var sf storeFlags
	sf.register(fs)
	sf.registerCreate(fs)
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *file == "" {
		return errors.New("apply: -f FILE is required")
	}
	cfg, err := agencyfile.Load(*file, providers.Catalog())
	if err != nil {
		if agencyfile.IsValidation(err) {
			return fmt.Errorf("%s is not valid, nothing was written:\n%w", *file, err)
		}
		return err
	}
	store, closeStore, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	if err := store.PutConfig(ctx, cfg); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	fmt.Fprintf(stdout, "applied %s: %d clients, %d projects, %d bindings\n", *file, len(cfg.Clients), len(cfg.Projects), len(cfg.Bindings))
	catalog := providers.Catalog()
	for _, b := range cfg.Bindings {
		if info, _ := catalog.Lookup(b.Provider); info.Pulled {
			// Nothing is posted to a pulled source's hook: say where its token goes instead.
			token := "token in SSM " + b.APIParam
			if sf.data != "" {
				token = "token: glassbox secrets set --data " + sf.data + " " + b.APIParam
			}
			fmt.Fprintf(stdout, "  pulled %s/%s on a schedule, no hook (%s)\n", b.Provider, b.ID, token)
			continue
		}
		where := "secret in SSM " + b.SecretParam
		if sf.data != "" {
			where = "secret: glassbox secrets set --data " + sf.data + " " + b.SecretParam
		}
		if info, _ := catalog.Lookup(b.Provider); info.SecretFromHandshake {
			// Nobody sets it: the provider hands it over when the webhook is created.
			where = "secret kept from the subscription handshake under " + b.SecretParam
		}
		fmt.Fprintf(stdout, "  hook for %s/%s: <base URL>/hooks/%s/%s (%s)\n", b.Provider, b.ID, b.Provider, b.ID, where)
	}
	return nil
}
