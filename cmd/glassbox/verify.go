package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/glassbox-oss/glassbox/shared/timeline"
)

// runVerify recomputes a project's timeline (every entry's leaf, every seal's root, the chain) and says
// whether the stored history is the one that was sealed; with --export it also writes the JSON a standalone
// check reads (scripts/timeline-verify.py, docs/timeline.md).
func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify --project ID [--checkpoint HASH] [--export FILE] (--table NAME | --data DIR)",
		"Verifies a project's timeline: every event and sent message against the seal that covers it, every\n"+
			"seal's Merkle root and the chain of seal hashes. Names each entry changed or deleted since it was\n"+
			"sealed. With --checkpoint (the checksum a weekly digest carried), also checks that it is one of the\n"+
			"chain's seals and that nothing up to it changed. Exits non-zero when anything does not verify.")
	project := fs.String("project", "", "the project")
	checkpoint := fs.String("checkpoint", "", "a seal hash to check the history up to (a digest's checksum)")
	export := fs.String("export", "", "write the timeline's JSON export here, for the standalone check")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *project == "" || fs.NArg() != 0 {
		fs.SetOutput(stderr)
		fs.Usage()
		return errors.New("verify: give --project")
	}
	store, closeStore, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	if *export != "" {
		x, err := timeline.MakeExport(ctx, store, *project)
		if err != nil {
			return err
		}
		raw, err := json.MarshalIndent(x, "", " ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*export, append(raw, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "exported %d sealed and %d unsealed entries to %s\n", len(x.Entries), len(x.Unsealed), *export)
	}
	rep, err := timeline.Verify(ctx, store, *project, *checkpoint)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "project %s: %d seals, %d entries sealed, %d waiting for the next seal\n", rep.ProjectID, rep.Seals, rep.Sealed, rep.Unsealed)
	if rep.Head != "" {
		fmt.Fprintf(stdout, "head %s (sealed %s), %d of %d seals with an RFC 3161 timestamp\n", rep.Head,
			rep.HeadAt.Format("2006-01-02 15:04 UTC"), rep.Timestamped, rep.Seals)
	} else {
		fmt.Fprintln(stdout, "nothing sealed yet (SealFunction seals hourly; glassbox dev at each tick)")
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, "NOT VERIFIED:", p)
	}
	switch {
	case *checkpoint == "":
	case rep.CheckpointSeq == 0:
		fmt.Fprintf(stdout, "NOT VERIFIED: checkpoint %s is not one of the chain's seal hashes\n", *checkpoint)
	case rep.CheckpointOK():
		fmt.Fprintf(stdout, "checkpoint %s is seal %d: the history up to it is unchanged\n", *checkpoint, rep.CheckpointSeq)
	default:
		fmt.Fprintf(stdout, "checkpoint %s is seal %d, but the history up to it changed\n", *checkpoint, rep.CheckpointSeq)
	}
	if !rep.OK() {
		return fmt.Errorf("the timeline of %s does not verify", *project)
	}
	fmt.Fprintln(stdout, "VERIFIED")
	return nil
}
