package timeline

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"
)

// ExportFormat names the export's layout; docs/timeline.md describes it and scripts/timeline-verify.py checks
// it without Glassbox.
const ExportFormat = "glassbox-timeline/1"

// Export is a project's timeline as a standalone check needs it: every seal's header, and every sealed entry's
// canonical data with its leaf hash and inclusion proof.
type Export struct {
	Format    string `json:"format"`
	ProjectID string `json:"projectId"`
	// Head is the latest seal hash: the checksum the digests carry.
	Head     string        `json:"head"`
	Seals    []ExportSeal  `json:"seals"`
	Entries  []ExportEntry `json:"entries"`
	Unsealed []ExportEntry `json:"unsealed"`
}

// ExportSeal is a seal's header: what its hash is over (prev, root, count, from, to) and the hash.
type ExportSeal struct {
	Seq      int64  `json:"seq"`
	Prev     string `json:"prev"`
	Root     string `json:"root"`
	Count    int    `json:"count"`
	From     string `json:"from"`
	To       string `json:"to"`
	Hash     string `json:"hash"`
	SealedAt string `json:"sealedAt"`
	// Timestamp is the seal's RFC 3161 token (DER, base64), when it has one: openssl ts -verify -digest {hash}
	// -token_in checks it.
	Timestamp []byte `json:"timestamp,omitempty"`
}

// ExportEntry is one entry: its canonical data (null when a sealed entry is no longer stored), its leaf hash
// as sealed, and, for a sealed one, its seal, its leaf index and the audit path to the seal's root.
type ExportEntry struct {
	ID    string   `json:"id"`
	At    string   `json:"at"`
	Data  *string  `json:"data"`
	Leaf  string   `json:"leaf"`
	Seal  int64    `json:"seal,omitempty"`
	Index int      `json:"index"`
	Proof []string `json:"proof,omitempty"`
}

// MakeExport exports a project's timeline as stored now. It does not judge it: an entry changed since it
// was sealed carries its current data and its sealed leaf, so the standalone check (like Verify) names it.
func MakeExport(ctx context.Context, r Reader, projectID string) (Export, error) {
	out := Export{Format: ExportFormat, ProjectID: projectID, Seals: []ExportSeal{}, Entries: []ExportEntry{}, Unsealed: []ExportEntry{}}
	seals, err := r.Seals(ctx, projectID)
	if err != nil {
		return out, fmt.Errorf("timeline: seals of %s: %w", projectID, err)
	}
	entries, err := stored(ctx, r, projectID)
	if err != nil {
		return out, err
	}
	byID := make(map[string]Entry, len(entries))
	for _, e := range entries {
		byID[e.ID] = e
	}
	for _, s := range seals {
		out.Seals = append(out.Seals, ExportSeal{
			Seq: s.Seq, Prev: s.Prev, Root: s.Root, Count: len(s.Entries), From: s.From.UTC().Format(TimeFormat),
			To: s.To.UTC().Format(TimeFormat), Hash: s.Hash, SealedAt: s.SealedAt.UTC().Format(TimeFormat),
			Timestamp: s.Timestamp,
		})
		out.Head = s.Hash
		leaves := make([]Hash, len(s.Entries))
		for i, se := range s.Entries {
			if leaves[i], err = parseHash(se.Leaf); err != nil {
				return out, fmt.Errorf("timeline: seal %s/%d: %s: %w", projectID, s.Seq, se.ID, err)
			}
		}
		for i, se := range s.Entries {
			x := ExportEntry{ID: se.ID, Leaf: se.Leaf, Seal: s.Seq, Index: i, Proof: hexes(InclusionProof(leaves, i))}
			if e, ok := byID[se.ID]; ok {
				x.At, x.Data = formatTime(e.At), ptr(string(e.Data))
				delete(byID, se.ID)
			}
			out.Entries = append(out.Entries, x)
		}
	}
	for _, e := range entries {
		if _, ok := byID[e.ID]; ok {
			out.Unsealed = append(out.Unsealed, ExportEntry{ID: e.ID, At: formatTime(e.At), Data: ptr(string(e.Data)), Leaf: hex.EncodeToString(e.Leaf[:])})
		}
	}
	return out, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }
func ptr(s string) *string          { return &s }

func hexes(hs []Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h[:])
	}
	return out
}
