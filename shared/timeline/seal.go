package timeline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/glassbox-oss/glassbox/shared/glassbox"
)

// TimeFormat is how a seal's window enters its hash and the export: fixed-width UTC, so the bytes are the
// same wherever they are recomputed.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// Defaults of a Sealer.
const (
	// DefaultSettle keeps the last minute out of a seal, so entries still being written in the same second
	// land in arrival order in the next seal rather than late in the one after.
	DefaultSettle = time.Minute
	// DefaultMaxEntries bounds one seal (its entry list is one stored item); more go in the next seals.
	DefaultMaxEntries = 1000
)

// zeroHash is the Prev of a project's first seal.
var zeroHash Hash

// SealHash is H(prev || root || count || from || to): prev and root as 32 raw bytes, count as a big-endian
// uint64, from and to as TimeFormat ASCII. It commits to the seal's entries (through root) and, through prev,
// to every seal before.
func SealHash(prev, root Hash, count int, from, to time.Time) Hash {
	b := make([]byte, 0, 2*sha256.Size+8+2*len(TimeFormat))
	b = append(b, prev[:]...)
	b = append(b, root[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(count))
	b = append(b, from.UTC().Format(TimeFormat)...)
	b = append(b, to.UTC().Format(TimeFormat)...)
	return sha256.Sum256(b)
}

// LookBack is how far before the last seal's end a sealer looks for entries still unsealed: the digests'
// lateness (glassbox.ReportLateness), so an event the weekly report still counts is still sealed. An entry
// that arrives later than that (an event delivered more than LookBack after it happened, in the seal window
// after it) stays on the record and on the timeline, but no seal takes it: verify counts it as unsealed, the
// same rule by which a report leaves it out.
const LookBack = glassbox.ReportLateness

// SentWithinClaim bounds how long after a message is claimed it is marked sent: the claim, the send and the
// mark are one function run (at most 15 minutes on Lambda, a claim lease of minutes), so an hour is ample.
// Sealing reads messages by claim time from the look-back minus this.
const SentWithinClaim = time.Hour

// Store is what sealing needs: the entries since the look-back, the recent seals that could list them, and the
// seals' conditional put. Never the whole chain or the whole history (after a project's first seal).
type Store interface {
	Entries
	RecentSeals(ctx context.Context, projectID string, within time.Duration) ([]glassbox.Seal, error)
	PutSeal(ctx context.Context, s glassbox.Seal) error
}

// Sealer seals projects' timelines.
type Sealer struct {
	Store Store
	Clock glassbox.Clock
	// Settle is how far behind now a seal ends (DefaultSettle when zero).
	Settle time.Duration
	// MaxEntries bounds a seal (DefaultMaxEntries when zero).
	MaxEntries int
	// Stamper, when set, timestamps each seal's hash (RFC 3161, shared/tsa) before it is stored. A seal whose
	// authority fails is stored without a timestamp (and logged to Logger): the chain must not wait for an
	// outside service.
	Stamper Stamper
	Logger  *slog.Logger
	// CheckpointTimeout bounds the seal Checkpoint makes (DefaultCheckpointTimeout when zero).
	CheckpointTimeout time.Duration
}

// Stamper gets an RFC 3161 timestamp token over a SHA-256 digest (tsa.Client).
type Stamper interface {
	Stamp(ctx context.Context, digest []byte) (token []byte, at time.Time, err error)
}

// maxRaces bounds how often in a row one Seal call re-reads after losing to a concurrent sealer. Each loss is
// another sealer's seal, so the loop ends anyway; the bound only caps the re-reads when many seal at once (the
// hourly run and digest ticks of the same project; eight sealers in TestConcurrentSealers lost six in a row).
const maxRaces = 16

// Seal seals a project's unsealed entries that arrived up to now − Settle, in as many seals as MaxEntries
// needs, and returns the seals it wrote (none when nothing is new).
//
// What a seal covers: every stored entry whose id no earlier seal lists and whose arrival is at most its To
// and after the last seal's To − LookBack. Each seal lists its entries' ids, so an entry is sealed at most
// once (a sealer leaves out every id a stored seal lists: an entry arriving after the look-back start can only
// be listed in a seal ending after it, and the sealer reads all of those), and an entry stored late (arrived before a seal's To, written or indexed after the seal was
// made) is in no list, so the next seal takes it. Seal N+1 is put only if number N+1 is free and carries seal
// N's hash as Prev; a sealer that loses the race (ErrConflict) re-reads the chain, and the entries the winner
// sealed drop out of its list. The chain never forks. The webhook path is untouched: sealing reads what
// ingest and react already wrote.
func (s Sealer) Seal(ctx context.Context, projectID string) ([]glassbox.Seal, error) {
	made, _, err := s.seal(ctx, projectID)
	return made, err
}

// seal is Seal that also returns the chain's head after it: the newest seal's hash ("" when none).
func (s Sealer) seal(ctx context.Context, projectID string) (made []glassbox.Seal, head string, err error) {
	for races := 0; ; {
		seal, ok, newest, err := s.next(ctx, projectID)
		if errors.Is(err, glassbox.ErrConflict) && races < maxRaces {
			races++
			continue
		}
		if err != nil {
			return made, "", err
		}
		if !ok {
			// Nothing left to seal: the newest seal read covers every entry up to now − Settle.
			return made, newest, nil
		}
		made = append(made, seal)
		races = 0 // it made progress: only losses in a row are a storm
		if len(seal.Entries) < s.limit() {
			// It took everything settled: reading the history again would find nothing.
			return made, seal.Hash, nil
		}
	}
}

func (s Sealer) limit() int {
	if s.MaxEntries == 0 {
		return DefaultMaxEntries
	}
	return s.MaxEntries
}

// next writes the next seal of a project; ok is false when there is nothing to seal, and newest is then the
// hash of the newest seal it read ("" when none).
func (s Sealer) next(ctx context.Context, projectID string) (seal glassbox.Seal, ok bool, newest string, err error) {
	seals, err := s.Store.RecentSeals(ctx, projectID, LookBack)
	if err != nil {
		return glassbox.Seal{}, false, "", err
	}
	sealed := map[string]bool{}
	prev, from, seq, since := zeroHash, time.Time{}, int64(1), time.Time{}
	if len(seals) > 0 {
		last := seals[len(seals)-1]
		newest = last.Hash
		if prev, err = parseHash(last.Hash); err != nil {
			return glassbox.Seal{}, false, "", fmt.Errorf("timeline: seal %s/%d: %w", projectID, last.Seq, err)
		}
		from, seq, since = last.To, last.Seq+1, last.To.Add(-LookBack)
	}
	// Nothing sealed yet: the first seal reads the whole history, once.
	entries, err := arrivedAfter(ctx, s.Store, projectID, since)
	if err != nil {
		return glassbox.Seal{}, false, "", err
	}
	for _, x := range seals {
		for _, e := range x.Entries {
			sealed[e.ID] = true
		}
	}
	settle, limit := s.Settle, s.limit()
	if settle == 0 {
		settle = DefaultSettle
	}
	to := s.Clock.Now().Add(-settle).UTC()
	var take []Entry
	for _, e := range entries {
		if !sealed[e.ID] && !e.At.After(to) {
			take = append(take, e)
		}
	}
	if len(take) == 0 {
		return glassbox.Seal{}, false, newest, nil
	}
	if len(take) > limit {
		// The seal ends at its last entry; the rest (arriving at or after it) go in the next.
		take, to = take[:limit], take[limit-1].At
	}
	if to.Before(from) {
		// Only late entries, all before the last seal's end: the window stays empty but ordered.
		to = from
	}
	seal = Build(projectID, seq, prev, from, to, take)
	seal.SealedAt = s.Clock.Now().UTC()
	if s.Stamper != nil {
		h, _ := parseHash(seal.Hash)
		token, _, err := s.Stamper.Stamp(ctx, h[:])
		if err != nil && s.Logger != nil {
			s.Logger.Error("timeline: no timestamp for the seal", "project", projectID, "seq", seq, "error", err.Error())
		}
		seal.Timestamp = token
	}
	if err := s.Store.PutSeal(ctx, seal); err != nil {
		return glassbox.Seal{}, false, "", fmt.Errorf("timeline: seal %s/%d: %w", projectID, seq, err)
	}
	return seal, true, "", nil
}

// Build makes the seal of entries (in their order) after a seal whose hash is prev.
func Build(projectID string, seq int64, prev Hash, from, to time.Time, entries []Entry) glassbox.Seal {
	leaves := make([]Hash, len(entries))
	list := make([]glassbox.SealedEntry, len(entries))
	for i, e := range entries {
		leaves[i] = e.Leaf
		list[i] = glassbox.SealedEntry{ID: e.ID, Leaf: hex.EncodeToString(e.Leaf[:])}
	}
	root := Root(leaves)
	h := SealHash(prev, root, len(entries), from, to)
	return glassbox.Seal{
		ProjectID: projectID, Seq: seq, Prev: hex.EncodeToString(prev[:]), Root: hex.EncodeToString(root[:]),
		From: from.UTC(), To: to.UTC(), Entries: list, Hash: hex.EncodeToString(h[:]),
	}
}

func parseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("not a SHA-256 hash in hex: %q", s)
	}
	copy(h[:], b)
	return h, nil
}

// DefaultCheckpointTimeout bounds the seal a digest makes before it takes its checksum (Sealer.Checkpoint):
// past it the digest carries the newest seal already stored. It leaves a 4-minute digest tick time for its
// reports even when the store is slow.
const DefaultCheckpointTimeout = 20 * time.Second

// Checkpoint seals the project's new entries (Seal) and returns the chain's head after it: the checksum a weekly
// digest carries ("контрольная сумма недели"), which then covers every entry that arrived up to a minute (the
// settle) before the digest. "" when nothing is sealed.
//
// A digest must not fail or wait for the seal: when sealing fails (a store error, a conflict storm past
// maxRaces, CheckpointTimeout passed) it is logged and the checksum is the newest seal already stored (one
// small read), as behind as the last hourly seal. Only when that read fails too is it an error (the digest
// is then sent at the next tick, with its checksum). Stamping is the Stamper's (a StampBreaker bounds it).
func (s Sealer) Checkpoint(ctx context.Context, projectID string) (string, error) {
	timeout := s.CheckpointTimeout
	if timeout == 0 {
		timeout = DefaultCheckpointTimeout
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	made, head, err := s.seal(sctx, projectID)
	cancel()
	for _, m := range made {
		s.log().Info("timeline: sealed for a digest", "project", projectID, "seq", m.Seq, "entries", len(m.Entries), "hash", m.Hash)
	}
	if err == nil {
		return head, nil
	}
	s.log().Error("timeline: sealing for a digest failed; it carries the newest seal stored", "project", projectID, "error", err.Error())
	h, err := Latest(ctx, s.Store, projectID)
	return h.Hash, err
}

func (s Sealer) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}
