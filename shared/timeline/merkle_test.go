package timeline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
)

func leaves(n int) []Hash {
	out := make([]Hash, n)
	for i := range out {
		out[i] = LeafHash(fmt.Appendf(nil, "entry %d", i))
	}
	return out
}

// TestRootVectors pins the tree shape to RFC 9162: the empty head, one leaf, and three leaves (an unbalanced
// split at 2), computed by hand from the definition.
func TestRootVectors(t *testing.T) {
	if got, want := hex.EncodeToString(func() []byte { r := Root(nil); return r[:] }()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; got != want {
		t.Errorf("empty root %s, want %s", got, want)
	}
	// The RFC 6962 test vector: the leaf of the empty string.
	if got, want := LeafHash(nil), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"; hex.EncodeToString(got[:]) != want {
		t.Errorf("leaf(\"\") = %x, want %s", got, want)
	}
	l := leaves(3)
	h := func(b ...[]byte) Hash {
		var all []byte
		for _, x := range b {
			all = append(all, x...)
		}
		return sha256.Sum256(all)
	}
	n01 := h([]byte{1}, l[0][:], l[1][:])
	want := h([]byte{1}, n01[:], l[2][:])
	if got := Root(l); got != want {
		t.Errorf("root of 3 = %x, want %x", got, want)
	}
	if Root(l[:1]) != l[0] {
		t.Error("the root of one leaf is the leaf")
	}
}

// TestInclusionProofs: every leaf of trees of 1..33 leaves is proved by its path, and a path fails for another
// leaf, another index and another root.
func TestInclusionProofs(t *testing.T) {
	for n := 1; n <= 33; n++ {
		l := leaves(n)
		root := Root(l)
		for m := range n {
			p := InclusionProof(l, m)
			if !VerifyInclusion(l[m], m, n, p, root) {
				t.Fatalf("n=%d m=%d: proof rejected", n, m)
			}
			if n > 1 && VerifyInclusion(l[(m+1)%n], m, n, p, root) {
				t.Errorf("n=%d m=%d: proof accepted for another leaf", n, m)
			}
			if n > 1 && VerifyInclusion(l[m], (m+1)%n, n, p, root) {
				t.Errorf("n=%d m=%d: proof accepted at another index", n, m)
			}
			if VerifyInclusion(l[m], m, n, p, LeafHash([]byte("x"))) {
				t.Errorf("n=%d m=%d: proof accepted for another root", n, m)
			}
		}
	}
}
