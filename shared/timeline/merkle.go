package timeline

import (
	"bytes"
	"crypto/sha256"
)

// Hash is a SHA-256 digest: a leaf, a tree node, a root or a seal hash.
type Hash = [sha256.Size]byte

// The Merkle tree is RFC 9162's (Certificate Transparency v2, section 2.1): a leaf is H(0x00 || data), an
// inner node H(0x01 || left || right), a tree of n > 1 leaves splits at the largest power of two below n, and
// the empty tree's head is H(""). The two prefixes keep a leaf from passing for a node.

// LeafHash is the leaf hash of an entry's canonical data.
func LeafHash(data []byte) Hash {
	return sha256.Sum256(append([]byte{0x00}, data...))
}

func nodeHash(l, r Hash) Hash {
	b := make([]byte, 0, 1+2*sha256.Size)
	b = append(append(append(b, 0x01), l[:]...), r[:]...)
	return sha256.Sum256(b)
}

// split is the largest power of two below n (n > 1).
func split(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

// Root is the Merkle tree head over leaves, in order.
func Root(leaves []Hash) Hash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := split(len(leaves))
	return nodeHash(Root(leaves[:k]), Root(leaves[k:]))
}

// InclusionProof is the audit path of leaf m in the tree over leaves (RFC 9162 2.1.3.1), leaf side first.
func InclusionProof(leaves []Hash, m int) []Hash {
	n := len(leaves)
	if n <= 1 || m < 0 || m >= n {
		return nil
	}
	k := split(n)
	if m < k {
		return append(InclusionProof(leaves[:k], m), Root(leaves[k:]))
	}
	return append(InclusionProof(leaves[k:], m-k), Root(leaves[:k]))
}

// VerifyInclusion says whether path proves that leaf is leaf m of a tree of size n with head root (RFC 9162
// 2.1.3.2).
func VerifyInclusion(leaf Hash, m, n int, path []Hash, root Hash) bool {
	if m < 0 || m >= n {
		return false
	}
	fn, sn, r := m, n-1, leaf
	for _, p := range path {
		if sn == 0 {
			return false
		}
		if fn&1 == 1 || fn == sn {
			r = nodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = nodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	return sn == 0 && bytes.Equal(r[:], root[:])
}
