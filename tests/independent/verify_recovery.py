"""Independent verifier of the recovery-key vectors (docs/format.md §4, §4.2, §8.1; issue 20).

Written from the document alone: it checks every tests/vectors/*.recovery file (version-3 cards,
`countersign/recovery-rotation/v1`, `countersign/key-revocation/v1`) and compares the outcome
(`valid`, `malformed`, `unsupported_version`, `signature_invalid`, `unknown_signer`) and, for a
valid file, what it says with the headers. It reuses the Ed25519, strict JSON and canonical base64
of verify_vectors.py (no new dependency). Run from the repository root:
`python3 tests/independent/verify_recovery.py`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from verify_vectors import (
    FINGERPRINT_RE,
    BadJSON,
    callback_key_acceptable,
    canonical_b64,
    fingerprint,
    parse_time,
    parse_vector,
    public_key_acceptable,
    strict_json,
    valid_text,
    verify_strict,
)

VECTOR_DIR = Path(__file__).resolve().parent.parent / "vectors"
MAX_FILE = 65536
CARD_VERSIONS = {"countersign/card/v1": 1, "countersign/card/v2": 2, "countersign/card/v3": 3}
STATEMENTS = {"recovery-rotation": "countersign/recovery-rotation/v1", "key-revocation": "countersign/key-revocation/v1"}
DOMAIN_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
ALPHA2_RE = re.compile(r"[A-Z]{2}")


class Outcome(Exception):
    """The first failure of §2.1 or of the payload rules, by its class."""

    def __init__(self, outcome: str, why: str):
        super().__init__(why)
        self.outcome = outcome


def malformed(why: str) -> Outcome:
    return Outcome("malformed", why)


def envelope(raw: bytes, kind_word: str, known: dict[str, int], with_public_key: bool) -> tuple[dict, int, bytes, bytes]:
    """§2.1 steps 1-5 for a file of kind `kind_word` (e.g. `card`): the envelope, its version, payload
    and signature. `known` maps the identifiers this document defines to their versions."""
    if len(raw) > MAX_FILE:
        raise malformed("larger than 64 KiB")
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise malformed("not UTF-8")
    if text.startswith("\ufeff"):
        raise malformed("byte-order mark")
    try:
        loose = json.loads(text)
    except ValueError:
        raise malformed("not JSON")
    if not isinstance(loose, dict) or not isinstance(loose.get("format"), str):
        raise malformed("no format")
    fmt = loose["format"]
    if fmt not in known:
        if re.fullmatch(rf"countersign/{re.escape(kind_word)}/v[0-9]+", fmt):
            raise Outcome("unsupported_version", fmt)
        raise malformed(f"format {fmt!r}")
    try:
        env = strict_json(text)
    except BadJSON as e:
        raise malformed(str(e))
    members = {"format", "signer", "payload", "signature"} | ({"public_key"} if with_public_key else set())
    if set(env) != members or not all(isinstance(env[k], str) for k in members):
        raise malformed("envelope members")
    if not FINGERPRINT_RE.fullmatch(env["signer"]):
        raise malformed("signer not canonical")
    payload, sig = canonical_b64(env["payload"]), canonical_b64(env["signature"])
    if payload is None or sig is None or not payload or len(sig) != 64:
        raise malformed("payload or signature")
    return env, known[fmt], payload, sig


def payload_object(payload: bytes) -> dict:
    try:
        p = strict_json(payload.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, BadJSON) as e:
        raise malformed(f"payload: {e}")
    if not isinstance(p, dict):
        raise malformed("payload is not an object")
    return p


def domain_ok(d) -> bool:
    if not isinstance(d, str) or not d.isascii():
        return False
    labels = d.split(".")
    if len(labels) < 2 or not all(DOMAIN_LABEL_RE.fullmatch(label) for label in labels):
        return False
    return labels[-1].isalpha() or labels[-1].startswith("xn--")


def contact_ok(c) -> bool:
    if not isinstance(c, dict) or not set(c) <= {"kind", "value", "label"} or not {"kind", "value"} <= set(c):
        return False
    return c["kind"] in ("phone", "email") and valid_text(c["value"], 200) and ("label" not in c or valid_text(c["label"], 100))


def check_card(raw: bytes) -> dict:
    """§4: a card of version 1, 2 or 3; returns its payload with `version`."""
    env, version, payload, sig = envelope(raw, "card", CARD_VERSIONS, with_public_key=True)
    pk = canonical_b64(env["public_key"])
    if pk is None or len(pk) != 32 or not public_key_acceptable(pk):
        raise malformed("public_key")
    if env["signer"] != fingerprint(pk):
        raise Outcome("signature_invalid", "signer is not the key's fingerprint")
    if not verify_strict(pk, env["format"].encode() + b"\x00" + payload, sig):
        raise Outcome("signature_invalid", "self-signature")
    p = payload_object(payload)
    allowed = {"name", "public_key", "created_at", "country", "domains", "contacts"}
    allowed |= {1: set(), 2: {"callback_key"}, 3: {"callback_key", "recovery_key"}}[version]
    if not set(p) <= allowed or not {"name", "public_key", "created_at"} <= set(p):
        raise malformed(f"members {sorted(p)}")
    if version == 2 and "callback_key" not in p or version == 3 and "recovery_key" not in p:
        raise malformed("a required member of the version is missing")
    if p["public_key"] != env["public_key"] or not valid_text(p["name"], 140) or parse_time(p["created_at"]) is None:
        raise malformed("name, public_key or created_at")
    if "country" in p and not (isinstance(p["country"], str) and ALPHA2_RE.fullmatch(p["country"])):
        raise malformed("country")
    for name, ok in (("domains", domain_ok), ("contacts", contact_ok)):
        if name in p and not (isinstance(p[name], list) and len(p[name]) <= 20 and all(ok(x) for x in p[name])):
            raise malformed(name)
    if "callback_key" in p:
        ck = canonical_b64(p["callback_key"]) if isinstance(p["callback_key"], str) else None
        if ck is None or len(ck) != 32 or not callback_key_acceptable(ck):
            raise malformed("callback_key")
    if "recovery_key" in p:
        rk = canonical_b64(p["recovery_key"]) if isinstance(p["recovery_key"], str) else None
        if rk is None or len(rk) != 32 or not public_key_acceptable(rk) or rk == pk:
            raise malformed("recovery_key")
    return dict(p, version=version)


def check_statement(raw: bytes, kind: str, recovery_pk: bytes) -> dict:
    """§4.2: a statement signed by the pinned recovery key `recovery_pk`; returns its payload."""
    fmt = STATEMENTS[kind]
    env, _, payload, sig = envelope(raw, kind, {fmt: 1}, with_public_key=False)
    if env["signer"] != fingerprint(recovery_pk):
        raise Outcome("unknown_signer", "the signer is not the pinned recovery key")
    if not verify_strict(recovery_pk, fmt.encode() + b"\x00" + payload, sig):
        raise Outcome("signature_invalid", "signature")
    p = payload_object(payload)
    members = {"recovery_key", "issued_at"} | ({"old_key", "new_card"} if kind == "recovery-rotation" else {"revoked_key", "reason"})
    if set(p) != members or not all(isinstance(v, str) for v in p.values()):
        raise malformed(f"members {sorted(p)}")
    if p["recovery_key"] != env["signer"] or parse_time(p["issued_at"]) is None:
        raise malformed("recovery_key or issued_at")
    if kind == "recovery-rotation":
        if not FINGERPRINT_RE.fullmatch(p["old_key"]):
            raise malformed("old_key")
        card_bytes = canonical_b64(p["new_card"])
        if card_bytes is None:
            raise malformed("new_card not canonical base64")
        try:
            card = check_card(card_bytes)
        except Outcome as e:
            raise malformed(f"new card: {e}")
        new_fp = fingerprint(canonical_b64(card["public_key"]))
        if card["version"] != 3 or new_fp in (p["old_key"], p["recovery_key"]):
            raise malformed("the new card names no recovery key, or reuses the old or recovery key")
        p = dict(p, new_key=new_fp)
    else:
        if not FINGERPRINT_RE.fullmatch(p["revoked_key"]) or p["revoked_key"] == p["recovery_key"]:
            raise malformed("revoked_key")
        if not valid_text(p["reason"], 500):
            raise malformed("reason")
    return p


def expected_details(kind: str, headers: dict, result: dict) -> list[str]:
    """What a valid file says, against its headers."""
    wanted = {
        "card": [("version", str(result.get("version"))), ("recovery-key", result.get("recovery_key"))],
        "recovery-rotation": [("old-key", result.get("old_key")), ("new-key", result.get("new_key"))],
        "key-revocation": [("revoked-key", result.get("revoked_key")), ("reason", result.get("reason"))],
    }[kind]
    return [f"{h}: {got!r} != {headers.get(h)!r}" for h, got in wanted if headers.get(h) != got]


def run(path: Path) -> tuple[bool, str]:
    headers, raw = parse_vector(path.read_bytes())
    kind = headers["kind"]
    try:
        if kind == "card":
            result = check_card(raw)
        else:
            recovery = canonical_b64(headers["recovery-public-key"])
            result = check_statement(raw, kind, recovery)
        outcome, why = "valid", ""
    except Outcome as e:
        result, outcome, why = {}, e.outcome, str(e)
    if outcome != headers["expect"]:
        return False, f"{outcome} ({why}), expected {headers['expect']}"
    problems = expected_details(kind, headers, result) if outcome == "valid" else []
    return not problems, "; ".join(problems) or outcome


def main() -> int:
    vectors = sorted(VECTOR_DIR.glob("*.recovery"))
    if not vectors:
        print(f"no recovery vectors in {VECTOR_DIR}")
        return 1
    passed = failed = 0
    for path in vectors:
        try:
            ok, msg = run(path)
        except Exception as e:  # a crash is a failure, not a pass
            ok, msg = False, f"error: {type(e).__name__}: {e}"
        print(f"{'PASS' if ok else 'FAIL'} {path.stem}: {msg}")
        passed, failed = passed + ok, failed + (not ok)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
