#!/usr/bin/env python3
"""Checks a Glassbox timeline export (glassbox verify --export FILE) without Glassbox: standard library only.

  timeline-verify.py EXPORT                      every entry's leaf, every seal's root, the chain of seal hashes
  timeline-verify.py EXPORT --checkpoint HASH    ... and HASH (a digest's checksum) is one of the chain's seals
  timeline-verify.py EXPORT --entry ID --checkpoint HASH
                                                 one entry is in the history HASH commits to: its leaf, its
                                                 inclusion proof up to its seal's root, and the seal chain from
                                                 there to HASH (nothing else in the export is trusted)
  timeline-verify.py EXPORT --from HASH1 --to HASH2
                                                 consistency: the history at HASH2 extends the one at HASH1
                                                 (only seal headers after HASH1 are used)

The hashes are docs/timeline.md's: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right) as in
RFC 9162, seal = SHA-256(prev || root || count as 8-byte big-endian || from || to). Exit status 0: verified;
1: something does not verify (each problem is printed); 2: bad usage.
"""
import argparse
import datetime
import hashlib
import json
import sys


# timeline.LookBack: how far before the newest seal's end a sealer still takes entries (docs/timeline.md).
LOOK_BACK_DAYS = 7


def sha(b):
    return hashlib.sha256(b).digest()


def leaf_hash(data):
    return sha(b"\x00" + data.encode("utf-8"))


def node(l, r):
    return sha(b"\x01" + l + r)


def root(leaves):
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k << 1 < len(leaves):
        k <<= 1
    return node(root(leaves[:k]), root(leaves[k:]))


def verify_inclusion(leaf, m, n, path, want_root):
    """RFC 9162, 2.1.3.2."""
    if m < 0 or m >= n:
        return False
    fn, sn, r = m, n - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == want_root


def seal_hash(prev, root_, count, from_, to):
    return sha(prev + root_ + count.to_bytes(8, "big") + from_.encode("ascii") + to.encode("ascii"))


def h(x):
    return bytes.fromhex(x)


def chain_from(seals, start_hash):
    """The seal hashes after start_hash (None: from the start), recomputed from the seal headers alone."""
    cur = bytes(32) if start_hash is None else start_hash
    out = []
    for s in seals:
        cur = seal_hash(cur, h(s["root"]), s["count"], s["from"], s["to"])
        out.append((s["seq"], cur))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("export")
    ap.add_argument("--checkpoint")
    ap.add_argument("--entry")
    ap.add_argument("--from", dest="from_")
    ap.add_argument("--to")
    a = ap.parse_args()
    # A checksum copied from an email may come in capitals or with spaces around it.
    for k in ("checkpoint", "from_", "to"):
        if getattr(a, k):
            setattr(a, k, getattr(a, k).strip().lower())
    with open(a.export, encoding="utf-8") as f:
        x = json.load(f)
    if x.get("format") != "glassbox-timeline/1":
        print("not a glassbox-timeline/1 export", file=sys.stderr)
        return 2
    seals = x["seals"]
    bad = []

    if a.from_ or a.to:
        if not (a.from_ and a.to):
            print("give both --from and --to", file=sys.stderr)
            return 2
        idx = [i for i, s in enumerate(seals) if s["hash"] == a.from_]
        if not idx:
            print("FAIL: %s is not a seal of this export" % a.from_)
            return 1
        later = chain_from(seals[idx[0] + 1:], h(a.from_))
        hit = [seq for seq, hh in later if hh.hex() == a.to]
        if a.from_ == a.to or hit:
            print("OK: the history at %s extends the one at %s" % (a.to, a.from_))
            return 0
        print("FAIL: %s does not follow from %s" % (a.to, a.from_))
        return 1

    if a.entry:
        if not a.checkpoint:
            print("--entry needs --checkpoint HASH", file=sys.stderr)
            return 2
        es = [e for e in x["entries"] if e["id"] == a.entry]
        if not es:
            print("FAIL: %s is not sealed in this export" % a.entry)
            return 1
        e = es[0]
        s = [s for s in seals if s["seq"] == e["seal"]][0]
        if e["data"] is None or leaf_hash(e["data"]).hex() != e["leaf"]:
            print("FAIL: %s: its data does not hash to its sealed leaf" % a.entry)
            return 1
        # The leaf commits to the data, not to the id the export files it under: the id is the data's own.
        d = json.loads(e["data"])
        if not isinstance(d, dict) or "%s:%s" % (d.get("entry"), d.get("id")) != a.entry:
            print("FAIL: leaf %d of seal %d is not the data of %s" % (e["index"], s["seq"], a.entry))
            return 1
        if not verify_inclusion(h(e["leaf"]), e["index"], s["count"], [h(p) for p in e["proof"]], h(s["root"])):
            print("FAIL: %s: the inclusion proof does not lead to seal %d's root" % (a.entry, s["seq"]))
            return 1
        cur = seal_hash(h(s["prev"]), h(s["root"]), s["count"], s["from"], s["to"])
        if cur.hex() != a.checkpoint:
            later = chain_from(seals[seals.index(s) + 1:], cur)
            if not any(hh.hex() == a.checkpoint for _, hh in later):
                print("FAIL: seal %d of %s does not lead to %s" % (s["seq"], a.entry, a.checkpoint))
                return 1
        print("OK: %s is leaf %d of seal %d, which %s commits to" % (a.entry, e["index"], s["seq"], a.checkpoint))
        return 0

    by_seal = {}
    for e in x["entries"]:
        by_seal.setdefault(e["seal"], []).append(e)
        if e["data"] is None:
            bad.append("seal %d: %s: sealed but missing from the export (deleted)" % (e["seal"], e["id"]))
        elif leaf_hash(e["data"]).hex() != e["leaf"]:
            bad.append("seal %d: %s: changed since it was sealed (its leaf hash differs)" % (e["seal"], e["id"]))
    prev, prev_to = bytes(32), "0001-01-01T00:00:00.000000000Z"
    hashes = []
    for i, s in enumerate(seals):
        if s["seq"] != i + 1:
            bad.append("seal %d: numbered where %d belongs" % (s["seq"], i + 1))
        if h(s["prev"]) != prev:
            bad.append("seal %d: its prev is not the hash of the seal before" % s["seq"])
        if s["from"] != prev_to:
            bad.append("seal %d: its window does not start where the seal before ends" % s["seq"])
        prev_to = s["to"]
        es = sorted(by_seal.get(s["seq"], []), key=lambda e: e["index"])
        leaves = [h(e["leaf"]) for e in es]
        if len(leaves) != s["count"] or root(leaves).hex() != s["root"]:
            bad.append("seal %d: its root is not the Merkle root of its leaves" % s["seq"])
        prev = seal_hash(prev, h(s["root"]), s["count"], s["from"], s["to"])
        if prev.hex() != s["hash"]:
            bad.append("seal %d: its hash is not the recomputed one" % s["seq"])
        hashes.append(prev.hex())
    # An unsealed entry that arrived before the newest seal's end minus the look-back (7 days) is one no sealer
    # will ever take, and nothing Glassbox does stores one: it was added with an old time after sealing.
    if seals:
        last_to = seals[-1]["to"]
        horizon = (datetime.datetime.strptime(last_to[:19], "%Y-%m-%dT%H:%M:%S") - datetime.timedelta(days=LOOK_BACK_DAYS)).strftime("%Y-%m-%dT%H:%M:%S") + last_to[19:]
        for e in x.get("unsealed", []):
            if e["at"] <= horizon:
                seq = next((s["seq"] for s in seals if s["from"] < e["at"] <= s["to"]), seals[0]["seq"])
                bad.append("seal %d: %s: arrived inside the sealed history, yet no seal lists it (added or backdated after sealing)" % (seq, e["id"]))
    if a.checkpoint and a.checkpoint not in hashes:
        bad.append("checkpoint %s is not one of the chain's seal hashes" % a.checkpoint)
    for b in bad:
        print("FAIL: " + b)
    if bad:
        return 1
    print("OK: %d seals, %d sealed entries, head %s" % (len(seals), len(x["entries"]), hashes[-1] if hashes else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
