package glassbox

import (
	"context"
	"time"
)

// Seal closes one stretch of a project's timeline: the Merkle root over the entries it seals, in arrival
// order, chained to the seal before it, so its Hash commits to the project's whole history up to it. Seals
// are append-only and numbered 1, 2, 3... per project with no gaps; shared/timeline makes and checks them
// (docs/timeline.md).
type Seal struct {
	ProjectID string `json:"projectId" dynamodbav:"projectId"`
	// Seq is the seal's number in the project's chain, from 1.
	Seq int64 `json:"seq" dynamodbav:"seq"`
	// Prev is the hash of seal Seq-1 (hex); 64 zeros for the first.
	Prev string `json:"prev" dynamodbav:"prev"`
	// Root is the Merkle tree head over Entries' leaf hashes, in order (hex).
	Root string `json:"root" dynamodbav:"root"`
	// From and To are the seal's arrival window (From, To]: From is the previous seal's To. An entry that
	// arrived in an earlier window but was stored after that window's seal was made is sealed here.
	From time.Time `json:"from" dynamodbav:"from"`
	To   time.Time `json:"to" dynamodbav:"to"`
	// Entries lists what the seal seals, in the order of the tree's leaves.
	Entries []SealedEntry `json:"entries" dynamodbav:"entries"`
	// Hash is H(Prev || Root || count || From || To), hex (timeline.SealHash).
	Hash string `json:"hash" dynamodbav:"hash"`
	// SealedAt is when the seal was made; not part of the hash.
	SealedAt time.Time `json:"sealedAt" dynamodbav:"sealedAt"`
	// Timestamp is an RFC 3161 TimeStampToken (DER) over Hash from the configured timestamp authority: proof,
	// signed outside the agency, that the seal existed then. Empty when none is configured or it did not answer.
	Timestamp []byte `json:"timestamp,omitempty" dynamodbav:"timestamp,omitempty"`
}

// SealedEntry is one timeline entry a seal covers: its id ("event:{id}", "message:{id}") and leaf hash (hex).
type SealedEntry struct {
	ID   string `json:"id" dynamodbav:"id"`
	Leaf string `json:"leaf" dynamodbav:"leaf"`
}

// SealStore keeps the projects' seal chains.
type SealStore interface {
	// PutSeal stores s as seal s.Seq of its project, only if that number is free: ErrConflict when another
	// sealer wrote it first (nothing is written then), so concurrent sealers never fork the chain.
	PutSeal(ctx context.Context, s Seal) error
	// Seals lists a project's seals, Seq ascending, read consistently.
	Seals(ctx context.Context, projectID string) ([]Seal, error)
	// RecentSeals lists a project's newest seal and every earlier one whose To is less than within before the
	// newest's To, Seq ascending, read consistently; none when nothing is sealed. It reads those seals only
	// (the newest first, stopping at the first older one), so what a sealer or a digest reads does not grow with
	// the project's history: RecentSeals(ctx, p, 0) is the newest seal.
	RecentSeals(ctx context.Context, projectID string, within time.Duration) ([]Seal, error)
}
