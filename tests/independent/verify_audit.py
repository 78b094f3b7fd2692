#!/usr/bin/env python3
"""Independent verifier of the Countersign audit format vectors, written from docs/audit-format.md.

Checks the tests/vectors/audit-* files (docs/audit-format.md §10):
- audit-events.txt: each event's encoding (§2) and hash recomputed, details canonical JSON (§3),
  the chain linked from 32 zero bytes, each leaf hash (§4);
- audit-tree.txt: every root, and every inclusion and consistency proof recomputed with
  RFC 6962's MTH / PATH / PROOF and verified with RFC 9162's algorithms (§4);
- audit-checkpoint.txt: the note parsed (§5), the audit key's and the user's signature lines
  (key name, key id, Ed25519) verified;
- audit-bundle-*.txt: each evidence bundle verified as §8 prescribes and the verdict (intact,
  or tampered with the kind and sequence number) compared with the vector's headers;
- audit-log-*.txt: each edited log checked as §6.3 step 1 prescribes, and the tampering kind and
  first bad sequence number compared with the vector's headers.
Plus self-tests of rules the vectors do not exercise.

Ed25519 and the partner card (docs/format.md §1, §2, §4) come from verify_vectors.py, the
verifier of docs/format.md beside this file (PyNaCl with the strict pre-checks).

Prints one line per check and ends with "N passed, M failed"; exits 1 on any failure.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
from pathlib import Path

from verify_vectors import canonical_b64, fingerprint, parse_time, public_key_acceptable, strict_json, verify_strict

VECTOR_DIR = Path(__file__).resolve().parent.parent / "vectors"

EVENT_CONTEXT = b"countersign/audit-event/v1\x00"
GENESIS = bytes(32)
BUNDLE_FORMAT = "countersign/audit-bundle/v1"
EM_DASH = "\u2014"


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# ---------------------------------------------------------------------------------------------
# §2 event encoding and hash, §3 canonical JSON


def lp(text: str) -> bytes:
    raw = text.encode("utf-8")
    return len(raw).to_bytes(4, "big") + raw


def event_encoding(prev_hash: bytes, seq: int, at: str, actor: str, action: str, subject: str, details: str) -> bytes:
    return (EVENT_CONTEXT + prev_hash + seq.to_bytes(8, "big")
            + lp(at) + lp(actor) + lp(action) + lp(subject) + lp(details))


def event_hash(prev_hash: bytes, seq: int, at: str, actor: str, action: str, subject: str, details: str) -> bytes:
    return sha256(event_encoding(prev_hash, seq, at, actor, action, subject, details))


def canonical_json(value) -> str:
    # Keys sorted by code point (= by UTF-8 bytes), no white space, non-ASCII as is.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# §4 the Merkle tree (RFC 6962 §2.1), verification as RFC 9162 §2.1.3.2 and §2.1.4.2


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def split(n: int) -> int:
    """The largest power of two strictly less than n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    """MTH over leaf hashes (already leaf_hash'ed)."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = split(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n <= 1:
        return []
    k = split(n)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def proof(m: int, leaves: list[bytes]) -> list[bytes]:
    def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if b else [mth(d)]
        k = split(n)
        if m <= k:
            return subproof(m, d[:k], b) + [mth(d[k:])]
        return subproof(m - k, d[k:], False) + [mth(d[:k])]
    return subproof(m, leaves, True)


def verify_inclusion(index: int, size: int, leaf: bytes, proof_: list[bytes], root: bytes) -> bool:
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof_:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof_: list[bytes]) -> bool:
    if old_size == 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof_ and old_root == new_root
    p = list(proof_)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        p.insert(0, old_root)
    if not p:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = p[0]
    for c in p[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# ---------------------------------------------------------------------------------------------
# §5 checkpoints (signed notes)


class Malformed(Exception):
    pass


def audit_key_name(pk: bytes) -> str:
    return "countersign-audit-" + fingerprint(pk).replace(" ", "")


def user_key_name(user: str) -> str:
    return "countersign-user:" + user


def key_id(name: str, pk: bytes) -> bytes:
    return sha256(name.encode("utf-8") + b"\n" + b"\x01" + pk)[:4]


def split_note(note: str) -> tuple[str, list[str]]:
    """The body (its lines, each with its newline) and the signature lines."""
    i = note.find("\n\n")
    if i < 0:
        raise Malformed("no blank line")
    return note[:i + 1], note[i + 2:].split("\n")


def parse_body(body: str) -> tuple[str, int, bytes, str]:
    lines = body[:-1].split("\n")
    # §5: a fifth line, exactly `mode setup`, marks a checkpoint made in setup mode (issue 15).
    if len(lines) == 5 and lines[4] == "mode setup":
        lines = lines[:4]
    if len(lines) != 4:
        raise Malformed("four body lines (and `mode setup`)")
    origin, size_s, root_s, time_line = lines
    if not re.fullmatch(r"0|[1-9][0-9]*", size_s):
        raise Malformed("size")
    root = canonical_b64(root_s)
    if root is None or len(root) != 32:
        raise Malformed("root")
    if not time_line.startswith("time ") or parse_time(time_line[5:]) is None:
        raise Malformed("time")
    return origin, int(size_s), root, time_line[5:]


def has_signature(body: str, sig_lines: list[str], name: str, pk: bytes) -> bool:
    for line in sig_lines:
        if not line.startswith(EM_DASH + " "):
            continue
        parts = line[2:].split(" ", 1)
        if len(parts) != 2 or parts[0] != name:
            continue
        blob = canonical_b64(parts[1])
        if blob is None or len(blob) != 68 or blob[:4] != key_id(name, pk):
            continue
        if verify_strict(pk, body.encode("utf-8"), blob[4:]):
            return True
    return False


def verify_note(note: str, pk: bytes):
    """The (origin, size, root, time) of a note signed by audit key pk, or None."""
    try:
        body, sigs = split_note(note)
        parsed = parse_body(body)
    except Malformed:
        return None
    return parsed if has_signature(body, sigs, audit_key_name(pk), pk) else None


def cosigned_by(note: str, user: str, pk: bytes) -> bool:
    try:
        body, sigs = split_note(note)
    except Malformed:
        return False
    return has_signature(body, sigs, user_key_name(user), pk)


# ---------------------------------------------------------------------------------------------
# §8 the evidence bundle


class NotABundle(Exception):
    pass


BUNDLE_FIELDS = {"format": str, "origin": str, "exported_at": str, "exported_by": str, "org_card": str,
                 "audit_keys": list, "users": list, "filter": dict, "log_size": int, "checkpoint": str,
                 "events": list, "checkpoints": list}
EVENT_FIELDS = {"seq": int, "at": str, "actor": str, "action": str, "subject": str, "details": str,
                "prev_hash": str, "hash": str, "inclusion_proof": list}
CHECKPOINT_FIELDS = {"reason": str, "signer": str, "note": str, "consistency_proof": list}
USER_FIELDS = {"name": str, "public_key": str}
FILTER_FIELDS = {"case": int, "partner": int, "actor": str, "action": str, "from": str, "until": str}


def check_object(obj, fields: dict, what: str, optional: bool = False):
    if not isinstance(obj, dict):
        raise NotABundle(f"{what} is not an object")
    for k in obj:
        if k not in fields:
            raise NotABundle(f"unknown member {what}.{k}")
    for k, t in fields.items():
        if k not in obj:
            if optional:
                continue
            raise NotABundle(f"missing {what}.{k}")
        v = obj[k]
        if t is int and (not isinstance(v, int) or isinstance(v, bool) or v < 0 and k in ("seq", "log_size")):
            raise NotABundle(f"{what}.{k} is not an integer")
        if t is not int and not isinstance(v, t):
            raise NotABundle(f"{what}.{k} has the wrong type")


def hash32(text, what: str) -> bytes:
    raw = canonical_b64(text) if isinstance(text, str) else None
    if raw is None or len(raw) != 32:
        raise NotABundle(f"{what} is not 32 bytes of base64")
    return raw


def public_key(text) -> bytes:
    raw = canonical_b64(text) if isinstance(text, str) else None
    if raw is None or len(raw) != 32 or not public_key_acceptable(raw):
        raise NotABundle("a key is not an Ed25519 public key")
    return raw


def check_card(raw: bytes) -> str:
    """docs/format.md §4, enough to name the organisation: the card's signature and key."""
    try:
        env = strict_json(raw.decode("utf-8"))
    except Exception as e:
        raise NotABundle(f"org_card: {e}") from e
    if not isinstance(env, dict) or env.get("format") != "countersign/card/v1":
        raise NotABundle("org_card is not a card")
    pk = canonical_b64(env.get("public_key", ""))
    payload = canonical_b64(env.get("payload", ""))
    sig = canonical_b64(env.get("signature", ""))
    if pk is None or payload is None or sig is None or env.get("signer") != fingerprint(pk):
        raise NotABundle("org_card is malformed")
    if not verify_strict(pk, b"countersign/card/v1\x00" + payload, sig):
        raise NotABundle("org_card's signature does not verify")
    details = strict_json(payload.decode("utf-8"))
    if details.get("public_key") != env["public_key"] or not isinstance(details.get("name"), str):
        raise NotABundle("org_card's payload is not a card")
    return details["name"]


def verify_bundle(data: bytes, pinned: str | None, kept: str | None):
    """None if intact, else (kind, seq or None). Raises NotABundle for what is not a bundle."""
    try:
        b = strict_json(data.decode("utf-8"))
    except Exception as e:
        raise NotABundle(str(e)) from e
    if not isinstance(b, dict) or b.get("format") != BUNDLE_FORMAT:
        raise NotABundle("format")
    check_object(b, BUNDLE_FIELDS, "bundle")
    check_object(b["filter"], FILTER_FIELDS, "filter", optional=True)
    for u in b["users"]:
        check_object(u, USER_FIELDS, "user")
    for e in b["events"]:
        check_object(e, EVENT_FIELDS, "event")
    for c in b["checkpoints"]:
        check_object(c, CHECKPOINT_FIELDS, "checkpoint")
    card = canonical_b64(b["org_card"])
    if card is None:
        raise NotABundle("org_card is not base64")
    check_card(card)
    audit_keys = [public_key(k) for k in b["audit_keys"]]
    users = [(u["name"], public_key(u["public_key"])) for u in b["users"]]

    # Step 1: the export checkpoint.
    head = key = None
    for k in audit_keys:
        head = verify_note(b["checkpoint"], k)
        if head is not None:
            key = k
            break
    if head is None:
        if not audit_keys:
            raise NotABundle("no audit key")
        return ("bad_checkpoint", None)
    if pinned is not None and fingerprint(key) != pinned:
        return ("foreign_checkpoint", None)
    origin, size, root, _ = head
    if size != b["log_size"] or origin != b["origin"]:
        return ("bad_checkpoint", None)

    # Step 2: events.
    previous = None
    for e in b["events"]:
        prev_hash = hash32(e["prev_hash"], "prev_hash")
        h = hash32(e["hash"], "hash")
        proof_ = [hash32(p, "proof") for p in e["inclusion_proof"]]
        seq = e["seq"]
        if seq == 0 or (previous is not None and seq <= previous[0]):
            return ("reordered", seq)
        if event_hash(prev_hash, seq, e["at"], e["actor"], e["action"], e["subject"], e["details"]) != h:
            return ("changed", seq)
        if previous is not None and previous[0] + 1 == seq and previous[1] != prev_hash:
            return ("inserted", seq)
        if not verify_inclusion(seq - 1, size, leaf_hash(h), proof_, root):
            return ("changed", seq)
        previous = (seq, h)

    # Step 3: stored checkpoints.
    for c in b["checkpoints"]:
        old = next((o for o in (verify_note(c["note"], k) for k in audit_keys) if o is not None), None)
        if old is None:
            return ("bad_checkpoint", None)
        if c["reason"] == "approval":
            if not any(n == c["signer"] and cosigned_by(c["note"], n, pk) for n, pk in users):
                return ("bad_countersignature", old[1])
        proof_ = [hash32(p, "proof") for p in c["consistency_proof"]]
        consistent = old[1] == 0 or verify_consistency(old[1], size, old[2], root, proof_)
        if old[1] > size or not consistent:
            return ("rewritten", None)

    # Step 4: a checkpoint the auditor kept.
    if kept is not None:
        old = next((o for o in (verify_note(kept, k) for k in audit_keys) if o is not None), None)
        if old is None:
            return ("foreign_checkpoint", None)
        if old[1] > size:
            return ("truncated", size + 1)
        same_size = None
        for c in b["checkpoints"]:
            try:
                parsed = parse_body(split_note(c["note"])[0])
            except Malformed:
                continue
            if parsed[1] == old[1]:
                same_size = parsed
                break
        if same_size is not None:
            if same_size[2] != old[2]:
                return ("rewritten", None)
        elif not (old[1] == size and old[2] == root):
            raise NotABundle("no proof for the kept checkpoint's size in the bundle")
    return None


# ---------------------------------------------------------------------------------------------
# §6.3 step 1: the chain of a workspace's stored events

MOVE_WINDOW = 64


def hashes_as(e: dict, seq: int) -> bool:
    return event_hash(e["prev_hash"], seq, e["at"], e["actor"], e["action"], e["subject"], e["details"]) == e["hash"]


def check_chain(events: list[dict]):
    """None if the chain holds, else (kind, first bad seq)."""
    prev = GENESIS
    for i, e in enumerate(events):
        expected = i + 1
        if e["seq"] != expected:
            return ("deleted", expected)
        seq = e["seq"]
        if not hashes_as(e, seq):
            moved = next((k for k in range(max(1, seq - MOVE_WINDOW), seq + MOVE_WINDOW + 1)
                          if k != seq and hashes_as(e, k)), None)
            if moved is None:
                return ("changed", seq)
            if moved - 1 < len(events) and hashes_as(events[moved - 1], seq):
                return ("reordered", min(seq, moved))
            if moved < seq:
                return ("inserted", moved)
            return ("deleted", seq)
        if e["prev_hash"] != prev:
            return ("inserted", seq)
        prev = e["hash"]
    return None


# ---------------------------------------------------------------------------------------------
# the vector files


def read(name: str) -> str:
    return (VECTOR_DIR / name).read_text(encoding="utf-8")


def records(text: str) -> list[dict[str, str]]:
    out = []
    for block in text.split("\n\n"):
        if block.strip():
            out.append(dict(line.split(": ", 1) for line in block.split("\n") if line))
    return out


def headers_and_body(text: str) -> tuple[dict[str, str], str]:
    head, body = text.split("\n\n", 1)
    return {k: v for k, v in (line.split(": ", 1) for line in head.split("\n"))}, body


def check_events() -> list[tuple[str, bool, str]]:
    out = []
    prev = GENESIS
    leaves = []
    for r in records(read("audit-events.txt")):
        name = f"event {r['seq']}"
        seq = int(r["seq"])
        enc = event_encoding(prev, seq, r["at"], r["actor"], r["action"], r["subject"], r["details"])
        h = sha256(enc)
        problems = []
        if bytes.fromhex(r["prev-hash"]) != prev:
            problems.append("prev-hash")
        if canonical_json(json.loads(r["details"])) != r["details"]:
            problems.append("details not canonical")
        if enc.hex() != r["encoding"]:
            problems.append("encoding")
        if h.hex() != r["hash"]:
            problems.append("hash")
        if leaf_hash(h).hex() != r["leaf"]:
            problems.append("leaf")
        out.append((name, not problems, ", ".join(problems)))
        prev = h
        leaves.append(leaf_hash(h))
    out.append(("seven events", len(leaves) == 7, ""))
    return out, leaves


def hashes(field: str) -> list[bytes]:
    return [bytes.fromhex(h) for h in field.split(",") if h]


def check_tree(leaves: list[bytes]) -> list[tuple[str, bool, str]]:
    out = []
    for line in read("audit-tree.txt").splitlines():
        kind, rest = line.split(": ", 1)
        f = dict(p.split("=", 1) for p in rest.split(" ") if "=" in p)
        if kind == "root":
            n = int(f["size"])
            ok = mth(leaves[:n]).hex() == rest.split(" ")[1]
            out.append((f"root of {n}", ok, ""))
        elif kind == "inclusion":
            i, n = int(f["index"]), int(f["size"])
            p = hashes(f["proof"])
            ok = path(i, leaves[:n]) == p and verify_inclusion(i, n, leaves[i], p, mth(leaves[:n]))
            bad = verify_inclusion(i, n, leaf_hash(b"x"), p, mth(leaves[:n]))
            out.append((f"inclusion {i} in {n}", ok and not bad, ""))
        elif kind == "consistency":
            m, n = int(f["old"]), int(f["new"])
            p = hashes(f["proof"])
            ok = proof(m, leaves[:n]) == p and verify_consistency(m, n, mth(leaves[:m]), mth(leaves[:n]), p)
            # The same proof must not vouch for another old root.
            bad = verify_consistency(m, n, leaf_hash(b"x"), mth(leaves[:n]), p)
            out.append((f"consistency {m} to {n}", ok and not bad, ""))
        else:
            out.append((line, False, "unknown line"))
    return out


def check_checkpoint() -> list[tuple[str, bool, str]]:
    h, note = headers_and_body(read("audit-checkpoint.txt"))
    audit = base64.b64decode(h["audit-public-key"])
    carol = base64.b64decode(h["user-public-key"])
    parsed = verify_note(note, audit)
    ok = parsed is not None and parsed[:3] == (h["origin"], int(h["size"]), bytes.fromhex(h["root"]))
    body, sigs = split_note(note)
    out = [
        ("checkpoint: audit signature and body", ok, ""),
        ("checkpoint: audit key name", audit_key_name(audit) == h["audit-key-name"], ""),
        ("checkpoint: carol's countersignature", cosigned_by(note, h["user"], carol), ""),
        ("checkpoint: not carol's for another name", not cosigned_by(note, "bob", carol), ""),
        ("checkpoint: altered body fails", verify_note(note.replace("\n4\n", "\n5\n", 1), audit) is None, ""),
        ("checkpoint: body is four lines", body.count("\n") == 4 and sigs[-1] == "", ""),
    ]
    return out


def check_bundles() -> list[tuple[str, bool, str]]:
    out = []
    for path_ in sorted(VECTOR_DIR.glob("audit-bundle-*.txt")):
        h, body = headers_and_body(path_.read_text(encoding="utf-8"))
        kept = base64.b64decode(h["kept-checkpoint"]).decode("utf-8") if "kept-checkpoint" in h else None
        try:
            verdict = verify_bundle(body.encode("utf-8"), h["audit-key"], kept)
        except NotABundle as e:
            out.append((path_.stem, False, f"not a bundle: {e}"))
            continue
        if h["expect"] == "intact":
            out.append((path_.stem, verdict is None, f"got {verdict}"))
        else:
            want = (h["kind"], int(h["seq"]) if h["seq"] else None)
            out.append((path_.stem, verdict == want, f"got {verdict}, want {want}"))
    return out


def check_logs() -> list[tuple[str, bool, str]]:
    out = []
    paths = sorted(VECTOR_DIR.glob("audit-log-*.txt"))
    for path_ in paths:
        h, body = headers_and_body(path_.read_text(encoding="utf-8"))
        events = [{"seq": int(r["seq"]), "at": r["at"], "actor": r["actor"], "action": r["action"],
                   "subject": r["subject"], "details": r["details"],
                   "prev_hash": bytes.fromhex(r["prev-hash"]), "hash": bytes.fromhex(r["hash"])}
                  for r in records(body)]
        got = check_chain(events)
        want = (h["kind"], int(h["seq"]))
        out.append((path_.stem, got == want, f"got {got}, want {want}"))
    out.append(("six tampered logs", len(paths) == 6, ""))
    return out


def self_tests() -> list[tuple[str, bool, str]]:
    out = []
    # RFC 6962 reference root of the empty tree and of one empty leaf.
    out.append(("empty root", mth([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ""))
    out.append(("one-leaf root", mth([leaf_hash(b"")]).hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", ""))
    # Length prefixes: moving a character between fields changes the hash.
    a = event_hash(GENESIS, 1, "2026-11-23T09:00:00Z", "ab", "c", "s", "{}")
    b = event_hash(GENESIS, 1, "2026-11-23T09:00:00Z", "a", "bc", "s", "{}")
    out.append(("length prefixes separate fields", a != b, ""))
    # A non-canonical size line or a missing time line is not a checkpoint body.
    for body in ("o\n07\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ntime 2026-11-23T09:00:00Z\n",
                 "o\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"):
        try:
            parse_body(body)
            out.append(("malformed body refused", False, repr(body)))
        except Malformed:
            out.append(("malformed body refused", True, ""))
    # The intact log of audit-events.txt passes the chain check.
    intact = [{"seq": int(r["seq"]), "at": r["at"], "actor": r["actor"], "action": r["action"],
               "subject": r["subject"], "details": r["details"],
               "prev_hash": bytes.fromhex(r["prev-hash"]), "hash": bytes.fromhex(r["hash"])}
              for r in records(read("audit-events.txt"))]
    out.append(("the intact log's chain holds", check_chain(intact) is None, ""))
    # The intact bundle with a swapped pair of events, and pinned to another key.
    h, body = headers_and_body(read("audit-bundle-intact.txt"))
    b = json.loads(body)
    b["events"][0], b["events"][1] = b["events"][1], b["events"][0]
    got = verify_bundle(json.dumps(b).encode(), None, None)
    out.append(("swapped events are reordered", got == ("reordered", 3), f"got {got}"))
    got = verify_bundle(body.encode(), "00000 00000 00000 00000 00000 00000", None)
    out.append(("another pinned key is foreign", got == ("foreign_checkpoint", None), f"got {got}"))
    b = json.loads(body)
    b["surprise"] = 1
    try:
        verify_bundle(json.dumps(b).encode(), None, None)
        out.append(("unknown member refused", False, ""))
    except NotABundle:
        out.append(("unknown member refused", True, ""))
    return out


def main() -> int:
    results = []
    try:
        event_results, leaves = check_events()
        results.extend(event_results)
        results.extend(check_tree(leaves))
        results.extend(check_checkpoint())
        results.extend(check_bundles())
        results.extend(check_logs())
        results.extend(self_tests())
    except Exception as e:  # a crash is a failure, not a pass
        results.append(("crash", False, f"{type(e).__name__}: {e}"))
    passed = failed = 0
    for name, ok, msg in results:
        print(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {msg}" if msg and not ok else ""))
        if ok:
            passed += 1
        else:
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
