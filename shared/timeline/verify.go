package timeline

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
	"github.com/glassbox-oss/glassbox/shared/tsa"
)

// Report is what verifying a project's timeline found. The dashboard shows "verified" when OK, with Head (the
// latest seal hash, the checksum a digest carries) and how many entries wait for the next seal.
type Report struct {
	ProjectID string
	// Seals is the chain's length; Head its latest seal hash (empty when nothing is sealed yet) and HeadAt
	// when that seal was made.
	Seals  int
	Head   string
	HeadAt time.Time
	// Sealed counts the entries the seals cover; Unsealed the stored entries no seal covers yet (they go in the
	// next seal: no problem).
	Sealed, Unsealed int
	// Timestamped counts the seals with an RFC 3161 timestamp over their hash.
	Timestamped int
	// Checkpoint is the hash asked about (empty when none); CheckpointSeq is the seal it is, 0 when it is not one
	// of the chain's recomputed seal hashes.
	Checkpoint    string
	CheckpointSeq int64
	// Problems lists every difference between what was sealed and what is stored, each naming the seal and the
	// entry. None: the stored history is the one that was sealed.
	Problems []Problem
}

// OK says the whole timeline verifies, and the checkpoint, when one was given, is in the chain.
func (r Report) OK() bool { return len(r.Problems) == 0 && (r.Checkpoint == "" || r.CheckpointSeq > 0) }

// CheckpointOK says the checkpoint is one of the chain's seal hashes and nothing up to it changed.
func (r Report) CheckpointOK() bool {
	if r.CheckpointSeq == 0 {
		return false
	}
	for _, p := range r.Problems {
		if p.Seq <= r.CheckpointSeq {
			return false
		}
	}
	return true
}

// Problem is one thing that does not verify.
type Problem struct {
	// Seq is the seal it is found in.
	Seq int64
	// EntryID names the entry ("event:…", "message:…"), empty for a problem of the seal itself.
	EntryID string
	What    string
}

func (p Problem) String() string {
	if p.EntryID == "" {
		return fmt.Sprintf("seal %d: %s", p.Seq, p.What)
	}
	return fmt.Sprintf("seal %d: %s: %s", p.Seq, p.EntryID, p.What)
}

// Problem kinds an entry can have.
const (
	WhatChanged = "changed since it was sealed (its leaf hash differs)"
	WhatMissing = "sealed but no longer stored (deleted)"
	WhatTwice   = "sealed twice"
	// WhatBackdated: an entry no seal lists, though it arrived so far inside the sealed history that no sealer
	// will ever take it (before the newest seal's end minus LookBack). Ingest, sending and the feedback links
	// store an entry as it arrives, so one like that was written afterwards with an old time: added to the
	// history behind the seals' back.
	WhatBackdated = "arrived inside the sealed history, yet no seal lists it (added or backdated after sealing)"
)

// Verify recomputes every stored entry's leaf, every seal's root from its listed leaves, and the chain of seal
// hashes from the first seal, and compares each with what is stored: a changed entry, a deleted entry, an
// altered seal and a broken chain are each named. With a checkpoint (a seal hash a digest carried), it also
// finds the seal whose recomputed hash it is, which proves the history up to it is the one the client was
// given. It reads the project's whole history.
func Verify(ctx context.Context, r Reader, projectID, checkpoint string) (Report, error) {
	// A checksum copied from an email or a page may come in capitals or with spaces around it.
	checkpoint = strings.ToLower(strings.TrimSpace(checkpoint))
	rep := Report{ProjectID: projectID, Checkpoint: checkpoint}
	seals, err := r.Seals(ctx, projectID)
	if err != nil {
		return rep, fmt.Errorf("timeline: seals of %s: %w", projectID, err)
	}
	entries, err := stored(ctx, r, projectID)
	if err != nil {
		return rep, err
	}
	byID := make(map[string]Entry, len(entries))
	for _, e := range entries {
		byID[e.ID] = e
	}
	rep.Seals = len(seals)
	seen := map[string]bool{}
	prev, prevTo := zeroHash, time.Time{}
	for i, s := range seals {
		bad := func(entry, what string) {
			rep.Problems = append(rep.Problems, Problem{Seq: s.Seq, EntryID: entry, What: what})
		}
		if s.Seq != int64(i+1) {
			bad("", fmt.Sprintf("numbered %d where %d belongs (a seal is missing)", s.Seq, i+1))
		}
		if s.Prev != hex.EncodeToString(prev[:]) {
			bad("", "its prev is not the hash of the seal before")
		}
		if !s.From.Equal(prevTo) {
			bad("", "its window does not start where the seal before ends")
		}
		leaves := make([]Hash, len(s.Entries))
		for j, se := range s.Entries {
			if leaves[j], err = parseHash(se.Leaf); err != nil {
				bad(se.ID, err.Error())
			}
			if seen[se.ID] {
				bad(se.ID, WhatTwice)
			}
			seen[se.ID] = true
			e, ok := byID[se.ID]
			switch {
			case !ok:
				bad(se.ID, WhatMissing)
			case e.Leaf != leaves[j]:
				bad(se.ID, WhatChanged)
			}
		}
		root := Root(leaves)
		if s.Root != hex.EncodeToString(root[:]) {
			bad("", "its root is not the Merkle root of its listed leaves (the seal was altered)")
		}
		h := SealHash(prev, root, len(leaves), s.From, s.To)
		if s.Hash != hex.EncodeToString(h[:]) {
			bad("", "its stored hash is not the recomputed one (the seal was altered)")
		}
		if len(s.Timestamp) > 0 {
			// The token's signature is the authority's to check (openssl ts -verify); here, that it stamps this
			// seal's hash.
			info, err := tsa.ParseToken(s.Timestamp)
			if err != nil || !bytes.Equal(info.MessageImprint.HashedMessage, h[:]) {
				bad("", "its RFC 3161 timestamp is not over its hash")
			} else {
				rep.Timestamped++
			}
		}
		if checkpoint != "" && hex.EncodeToString(h[:]) == checkpoint {
			rep.CheckpointSeq = s.Seq
		}
		rep.Sealed += len(s.Entries)
		prev, prevTo = h, s.To
		rep.Head, rep.HeadAt = hex.EncodeToString(h[:]), s.SealedAt
	}
	for _, e := range entries {
		switch {
		case seen[e.ID]:
		case len(seals) > 0 && !e.At.After(seals[len(seals)-1].To.Add(-LookBack)):
			rep.Problems = append(rep.Problems, Problem{Seq: sealOver(seals, e.At), EntryID: e.ID, What: WhatBackdated})
		default:
			rep.Unsealed++
		}
	}
	return rep, nil
}

// sealOver is the seal whose window (from, to] holds t: the one an entry arriving at t would be in. The
// windows follow each other from the start, so only a broken chain leaves none (then the first seal).
func sealOver(seals []glassbox.Seal, t time.Time) int64 {
	for _, s := range seals {
		if t.After(s.From) && !t.After(s.To) {
			return s.Seq
		}
	}
	return seals[0].Seq
}

// Timeline is a project's entries for showing them: sealed ones in their seals' order with the seal number,
// then the ones waiting for the next seal (Seq 0) in arrival order. An entry sealed and since deleted is
// missing here; Verify names it.
func Timeline(ctx context.Context, r Reader, projectID string) ([]SealedEntry, error) {
	seals, err := r.Seals(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("timeline: seals of %s: %w", projectID, err)
	}
	entries, err := stored(ctx, r, projectID)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Entry, len(entries))
	for _, e := range entries {
		byID[e.ID] = e
	}
	out := make([]SealedEntry, 0, len(entries))
	for _, s := range seals {
		for i, se := range s.Entries {
			if e, ok := byID[se.ID]; ok {
				out = append(out, SealedEntry{Entry: e, Seq: s.Seq, Index: i, SealHash: s.Hash})
				delete(byID, se.ID)
			}
		}
	}
	for _, e := range entries {
		if _, ok := byID[e.ID]; ok {
			out = append(out, SealedEntry{Entry: e})
		}
	}
	return out, nil
}

// SealedEntry is an entry with where it is sealed: seal Seq (0: not yet), leaf Index in it, and the seal's
// hash.
type SealedEntry struct {
	Entry
	Seq      int64
	Index    int
	SealHash string
}

var _ Reader = glassbox.Store(nil)
