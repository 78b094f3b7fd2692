#!/usr/bin/env python3
"""Independent verifier of the Countersign test vectors, written from docs/format.md alone.

For every tests/vectors/*.vector file: parse the headers and the raw file, check the file as
docs/format.md prescribes (§2.1, §3.1-§3.4), compute the verdict, the reason codes, the
confirmation code (§3.5) and the challenge response (§3.6; §3.7 for version 2), and compare them
with the headers. Also recompute the public keys and fingerprints in keys.txt from the seeds (§1),
the RFC 8032 test 1 fingerprint quoted in §1, the version-2 card of callback-card.txt (§4) and the
step-by-step response derivations of callback-responses.txt (§3.7), and every *.notice file (the
freeze notices and lifts of §4.3: the outcome with the partner's keys its headers give).

X25519 (RFC 7748) and the Ed25519 -> X25519 conversions of §3.7 are written here in pure Python
(the Montgomery ladder, u = (1 + y) / (1 - y) mod p, SHA-512(seed)[0..32] clamped); a self-test
compares the conversion with libsodium's.

Libraries: PyNaCl (libsodium) for Ed25519, plus the explicit verify_strict pre-checks of §2
done here in pure Python; schwifty for the IBAN country registry (length + BBAN structure);
pycountry for ISO 3166-1; iso4217 for ISO 4217 minor units.

Prints one line per check and ends with "N passed, M failed"; exits 1 on any failure.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import sys
import unicodedata
from pathlib import Path

import nacl.bindings
import nacl.exceptions
import nacl.signing
import pycountry
from iso4217 import Currency
from schwifty import registry as iban_registry
from schwifty import exceptions as iban_exceptions

VECTOR_DIR = Path(__file__).resolve().parent.parent / "vectors"

INSTRUCTION_FORMATS = {"countersign/instruction/v1": 1, "countersign/instruction/v2": 2}
MAX_FILE = 65536
SKEW = dt.timedelta(minutes=10)
MAX_VALIDITY = dt.timedelta(days=400)

CRITICAL = {
    "file_too_large", "malformed_file", "unsupported_version", "unknown_signer",
    "signature_invalid", "key_revoked", "wrong_recipient", "expired", "not_yet_valid",
    "iban_invalid", "bic_invalid",
}
WARNING = {"iban_bic_country_mismatch"}

FINGERPRINT_RE = re.compile(r"[0-9]{5}(?: [0-9]{5}){5}")
TIME_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")
DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")
CURRENCY_RE = re.compile(r"[A-Z]{3}")
BIC_RE = re.compile(r"[A-Z]{4}([A-Z]{2})[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
IBAN_ELECTRONIC_RE = re.compile(r"([A-Z]{2})([0-9]{2})([A-Z0-9]{1,30})")
ACCOUNT_NUMBER_RE = re.compile(r"[A-Z0-9]{1,34}")
ROUTING_CODE_RE = re.compile(r"[A-Z0-9]{1,20}")
ALPHA2_RE = re.compile(r"[A-Z]{2}")

# Unicode White_Space property (PropList.txt), used for "no leading or trailing white space".
WHITE_SPACE = set(
    [chr(c) for c in range(0x09, 0x0E)]
    + ["\u0020", "\u0085", "\u00a0", "\u1680"]
    + [chr(c) for c in range(0x2000, 0x200B)]
    + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
)
# §3.1 "text-direction controls"
BIDI_CONTROLS = set(
    ["\u061c", "\u200e", "\u200f"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


# ---------------------------------------------------------------------------------------------
# §3.7 X25519 (RFC 7748 §5) and the Ed25519 -> X25519 conversions, in pure Python

P = 2**255 - 19
A24 = 121665


def clamp(k: bytes) -> int:
    b = bytearray(k)
    b[0] &= 248
    b[31] &= 127
    b[31] |= 64
    return int.from_bytes(bytes(b), "little")


def x25519(k: bytes, u: bytes) -> bytes:
    """RFC 7748 §5: the scalar k (clamped) times the u-coordinate u (top bit masked)."""
    scalar = clamp(k)
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        bit = (scalar >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % P, (x2 - z2) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        c, d = (x3 + z3) % P, (x3 - z3) % P
        da, cb = d * a % P, c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + A24 * e) % P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def ed25519_pk_to_x25519(pk: bytes) -> bytes:
    """u = (1 + y) / (1 - y) mod p, y the Edwards y-coordinate (the sign bit dropped)."""
    y = int.from_bytes(pk, "little") & ((1 << 255) - 1)
    return ((1 + y) * pow((1 - y) % P, P - 2, P) % P).to_bytes(32, "little")


def ed25519_seed_to_x25519(seed: bytes) -> bytes:
    """SHA-512(seed)[0..32]: clamped by x25519() when used."""
    return hashlib.sha512(seed).digest()[:32]


def callback_key_acceptable(key: bytes) -> bool:
    """§3.7: not a low-order point (a low-order point times a clamped scalar is zero)."""
    return len(key) == 32 and x25519(b"\x55" * 32, key) != bytes(32)


def challenge_response_v2(shared: bytes, challenge_digits: str, payload: bytes) -> str:
    msg = (b"countersign/challenge-response/v2" + b"\x00" + challenge_digits.encode("ascii")
           + b"\x00" + hashlib.sha256(payload).digest())
    n = int.from_bytes(hmac.new(shared, msg, hashlib.sha256).digest()[:8], "big") % 10**8
    s = f"{n:08d}"
    return s[:4] + " " + s[4:]


def shared_secret(scalar_source: bytes, u: bytes) -> bytes:
    s = x25519(scalar_source, u)
    if s == bytes(32):
        raise ValueError("all-zero shared secret (§3.7)")
    return s


# ---------------------------------------------------------------------------------------------
# §1 fingerprints, §3.5 confirmation codes, §3.6 challenge responses


def fingerprint(pk: bytes) -> str:
    h = hashlib.sha256(b"countersign/fingerprint/v1" + b"\x00" + pk).digest()
    groups = []
    for i in range(6):
        chunk = int.from_bytes(h[5 * i:5 * i + 5], "big")
        groups.append(f"{chunk % 100000:05d}")
    return " ".join(groups)


def confirmation_code(payload: bytes) -> str:
    h = hashlib.sha256(b"countersign/confirmation-code/v1" + b"\x00" + payload).digest()
    n = int.from_bytes(h[0:8], "big") % 10**15
    s = f"{n:015d}"
    return " ".join(s[i:i + 3] for i in range(0, 15, 3))


def challenge_response(challenge_digits: str, payload: bytes) -> str:
    assert re.fullmatch(r"[0-9]{6}", challenge_digits)
    h = hashlib.sha256(
        b"countersign/challenge-response/v1" + b"\x00" + challenge_digits.encode("ascii")
        + b"\x00" + payload
    ).digest()
    n = int.from_bytes(h[0:8], "big") % 10**8
    s = f"{n:08d}"
    return s[0:4] + " " + s[4:8]


# ---------------------------------------------------------------------------------------------
# Ed25519 strict verification (§2: RFC 8032 §5.1.7 as ed25519-dalek's verify_strict applies it)

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _decode_point(enc: bytes):
    """RFC 8032 §5.1.3 decoding, refusing non-canonical encodings. None if invalid."""
    if len(enc) != 32:
        return None
    n = int.from_bytes(enc, "little")
    sign = n >> 255
    y = n & ((1 << 255) - 1)
    if y >= P:  # non-canonical y
        return None
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = (u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P)) % P
    if (v * x * x - u) % P != 0:
        if (v * x * x + u) % P == 0:
            x = (x * SQRT_M1) % P
        else:
            return None  # not on the curve
    if x == 0 and sign == 1:  # non-canonical "-0"
        return None
    if (x & 1) != sign:
        x = P - x
    return (x, y)


def _add(p1, p2):
    (x1, y1), (x2, y2) = p1, p2
    t = D * x1 * x2 * y1 * y2 % P
    x3 = (x1 * y2 + x2 * y1) * pow(1 + t, P - 2, P) % P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, P - 2, P) % P
    return (x3, y3)


def _has_small_order(pt) -> bool:
    q = pt
    for _ in range(3):  # [8]P
        q = _add(q, q)
    return q == (0, 1)


def public_key_acceptable(pk: bytes) -> bool:
    """§1: the key decodes to a curve point (canonically) and is not of small order."""
    pt = _decode_point(pk)
    return pt is not None and not _has_small_order(pt)


def verify_strict(pk: bytes, message: bytes, sig: bytes) -> bool:
    if len(pk) != 32 or len(sig) != 64:
        return False
    if int.from_bytes(sig[32:], "little") >= L:  # S must be reduced
        return False
    r_pt = _decode_point(sig[:32])
    if r_pt is None or _has_small_order(r_pt):
        return False
    if not public_key_acceptable(pk):
        return False
    try:  # the (cofactorless) equation itself, by libsodium
        nacl.signing.VerifyKey(pk).verify(message, sig)
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# strict JSON (RFC 8259): duplicates refused, no NaN/Infinity, no lone surrogates


class BadJSON(Exception):
    pass


def _pairs_hook(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise BadJSON(f"duplicate member {k!r}")
        obj[k] = v
    return obj


def _no_constants(name):
    raise BadJSON(f"non-JSON constant {name}")


def _check_scalars(value):
    """Strings must be Unicode scalar values (UTF-8 representable): refuse lone surrogates."""
    if isinstance(value, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise BadJSON("lone surrogate")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_scalars(k)
            _check_scalars(v)
    elif isinstance(value, list):
        for v in value:
            _check_scalars(v)


def strict_json(text: str):
    try:
        value = json.loads(text, object_pairs_hook=_pairs_hook, parse_constant=_no_constants)
    except (ValueError, RecursionError) as e:  # JSONDecodeError is a ValueError
        raise BadJSON(str(e)) from e
    _check_scalars(value)
    return value


def canonical_b64(s: str) -> bytes | None:
    """§2.1 step 5: canonical base64 = what encoding the decoded bytes again produces."""
    try:
        raw = base64.b64decode(s.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    if base64.b64encode(raw).decode("ascii") != s:
        return None
    return raw


# ---------------------------------------------------------------------------------------------
# §3.1 value rules


def parse_time(s) -> dt.datetime | None:
    if not isinstance(s, str):
        return None
    m = TIME_RE.fullmatch(s)
    if not m:
        return None
    try:
        return dt.datetime(*(int(g) for g in m.groups()), tzinfo=dt.timezone.utc)
    except ValueError:  # invalid calendar date or time (incl. second 60)
        return None


def valid_date(s) -> bool:
    if not isinstance(s, str):
        return False
    m = DATE_RE.fullmatch(s)
    if not m:
        return False
    try:
        dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return False
    return True


def valid_text(s, max_len: int) -> bool:
    if not isinstance(s, str):
        return False
    if not 1 <= len(s) <= max_len:
        return False
    if s[0] in WHITE_SPACE or s[-1] in WHITE_SPACE:
        return False
    for c in s:
        if 0xD800 <= ord(c) <= 0xDFFF:
            return False
        if unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS:
            return False
    return True


def minor_unit_digits(code) -> int | None:
    """ISO 4217 minor-unit digits of an upper-case alphabetic code; None if none/unknown."""
    if not isinstance(code, str) or not CURRENCY_RE.fullmatch(code):
        return None
    try:
        cur = Currency(code)
    except ValueError:
        return None
    return cur.exponent  # None for XAU, XXX, XDR, ...


def valid_amount(s, e: int) -> bool:
    if not isinstance(s, str):
        return False
    frac = rf"(?:\.[0-9]{{1,{e}}})?" if e > 0 else ""
    if not re.fullmatch(rf"(?:0|[1-9][0-9]{{0,14}}){frac}", s):
        return False
    return any(c in "123456789" for c in s)  # value > 0


def assigned_alpha2(code) -> bool:
    return (isinstance(code, str) and ALPHA2_RE.fullmatch(code) is not None
            and pycountry.countries.get(alpha_2=code) is not None)


IBAN_SHAPE = {"iban", "bic"}
DOMESTIC_SHAPE = {"account_number", "routing_code", "country", "bic"}


def payload_valid(p, version: int = 1) -> bool:
    """§3.1 table and §3.2 shape (§3.7: callback_key in version 2 only). Any violation: malformed_file."""
    if not isinstance(p, dict):
        return False
    required = {"id", "issuer", "recipient", "issued_at", "valid_from", "valid_until",
                "beneficiary_name", "account", "currency"}
    if version == 2:
        required = required | {"callback_key"}
        key = canonical_b64(p.get("callback_key")) if isinstance(p.get("callback_key"), str) else None
        if key is None or len(key) != 32 or not callback_key_acceptable(key):
            return False
    optional = {"amount", "reference", "due_date"}
    keys = set(p)
    if not required <= keys or not keys <= required | optional:
        return False
    if not isinstance(p["id"], str) or not ID_RE.fullmatch(p["id"]):
        return False
    for k in ("issuer", "recipient"):
        if not isinstance(p[k], str) or not FINGERPRINT_RE.fullmatch(p[k]):
            return False
    issued_at = parse_time(p["issued_at"])
    valid_from = parse_time(p["valid_from"])
    valid_until = parse_time(p["valid_until"])
    if issued_at is None or valid_from is None or valid_until is None:
        return False
    if not (valid_from <= valid_until and valid_until - valid_from <= MAX_VALIDITY
            and issued_at <= valid_until):
        return False
    if not valid_text(p["beneficiary_name"], 140):
        return False
    acct = p["account"]
    if not isinstance(acct, dict) or set(acct) not in (IBAN_SHAPE, DOMESTIC_SHAPE):
        return False
    if not all(isinstance(v, str) for v in acct.values()):
        return False
    e = minor_unit_digits(p["currency"])
    if e is None:
        return False
    if "amount" in p and not valid_amount(p["amount"], e):
        return False
    if "reference" in p and not valid_text(p["reference"], 140):
        return False
    if "due_date" in p and not valid_date(p["due_date"]):
        return False
    return True


def iban_valid(iban: str) -> bool:
    """§3.2: electronic format, registered length and BBAN structure, mod-97 == 1."""
    m = IBAN_ELECTRONIC_RE.fullmatch(iban)
    if not m:
        return False
    country, _, bban = m.groups()
    try:
        spec = iban_registry.get_iban_spec(country)
    except iban_exceptions.InvalidCountryCode:
        return False
    if spec.aspirational:  # reserved, but not (yet) in the ISO 13616 registry
        return False
    if len(iban) != spec.iban_length or not spec.regex.fullmatch(bban):
        return False
    rearranged = bban + iban[:4]
    number = int("".join(str(int(c, 36)) for c in rearranged))
    return number % 97 == 1


def bic_country(bic: str) -> str | None:
    """§3.2 BIC rule; returns the BIC's country if valid."""
    m = BIC_RE.fullmatch(bic)
    if not m:
        return None
    cc = m.group(1)
    if cc != "XK" and not assigned_alpha2(cc):
        return None
    return cc


def account_findings(acct: dict) -> list[str]:
    """§3.2 value checks, in the order the bullets list them."""
    codes = []
    acct_country = None
    if "iban" in acct:
        if iban_valid(acct["iban"]):
            acct_country = acct["iban"][:2]
        else:
            codes.append("iban_invalid")
    if "account_number" in acct:
        if (ACCOUNT_NUMBER_RE.fullmatch(acct["account_number"])
                and ROUTING_CODE_RE.fullmatch(acct["routing_code"])
                and assigned_alpha2(acct["country"])):
            acct_country = acct["country"]
        else:
            codes.append("iban_invalid")
    bic_cc = bic_country(acct["bic"])
    if bic_cc is None:
        codes.append("bic_invalid")
    if acct_country is not None and bic_cc is not None and acct_country != bic_cc:
        codes.append("iban_bic_country_mismatch")
    return codes


# ---------------------------------------------------------------------------------------------
# §2.1 + §3.3: the whole check


class Result:
    def __init__(self):
        self.codes: list[str] = []
        self.signature_valid = False
        self.payload_bytes: bytes | None = None
        self.payload: dict | None = None

    @property
    def verdict(self) -> str:
        if any(c in CRITICAL for c in self.codes):
            return "rejected"
        if any(c in WARNING for c in self.codes):
            return "hold"
        return "accepted"


def check_instruction(raw: bytes, known_keys: dict[str, bytes], own_fp: str | None,
                      now: dt.datetime, revoked: set[str] = frozenset(),
                      own_callback_key: bytes | None = None) -> Result:
    res = Result()

    def stop(code):
        res.codes.append(code)
        return res

    # 1. Size
    if len(raw[:MAX_FILE + 1]) > MAX_FILE:
        return stop("file_too_large")
    # 2. Text
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return stop("malformed_file")
    # 3. Format (read before the other members: a later version may add members)
    pairs_seen = []
    def first_pass_hook(pairs):
        pairs_seen.append([k for k, _ in pairs])
        return dict(pairs)
    try:
        loose = json.loads(text, object_pairs_hook=first_pass_hook,
                           parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except ValueError:
        return stop("malformed_file")
    if not isinstance(loose, dict) or pairs_seen[-1].count("format") != 1:
        return stop("malformed_file")
    fmt = loose.get("format")
    if not isinstance(fmt, str):
        return stop("malformed_file")
    if fmt not in INSTRUCTION_FORMATS:
        if re.fullmatch(r"countersign/instruction/v[0-9]+", fmt):
            return stop("unsupported_version")
        return stop("malformed_file")
    version = INSTRUCTION_FORMATS[fmt]
    # 4. Members (strict JSON: duplicates, lone surrogates, NaN refused)
    try:
        env = strict_json(text)
    except BadJSON:
        return stop("malformed_file")
    # An instruction is expected: public_key is "cards only ... must be absent otherwise".
    required = {"format", "signer", "payload", "signature"}
    if set(env) != required:
        return stop("malformed_file")
    if not all(isinstance(env[k], str) for k in required):
        return stop("malformed_file")
    # 5. Fields
    signer = env["signer"]
    if not FINGERPRINT_RE.fullmatch(signer):
        return stop("malformed_file")
    payload = canonical_b64(env["payload"])
    sig = canonical_b64(env["signature"])
    if payload is None or sig is None or len(payload) == 0 or len(sig) != 64:
        return stop("malformed_file")
    # 6. Key
    pk = known_keys.get(signer)
    if pk is None:
        return stop("unknown_signer")
    # 7. Signature
    message = fmt.encode("utf-8") + b"\x00" + payload
    if not verify_strict(pk, message, sig):
        return stop("signature_invalid")
    res.signature_valid = True
    res.payload_bytes = payload

    # §3.1: only now is the payload parsed
    try:
        p = strict_json(payload.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, BadJSON):
        return stop("malformed_file")
    if not payload_valid(p, version):
        return stop("malformed_file")
    res.payload = p
    # §3.3.1
    if p["issuer"] != signer:
        return stop("malformed_file")
    # §3.3.2-5: findings accumulate
    if signer in revoked:
        res.codes.append("key_revoked")
    if own_fp is not None and p["recipient"] != own_fp:
        res.codes.append("wrong_recipient")
    elif own_fp is not None and version == 2 and canonical_b64(p["callback_key"]) != own_callback_key:
        # §3.7: addressed to us, but naming a callback key that is not our current one.
        res.codes.append("wrong_recipient")
    if now > parse_time(p["valid_until"]) + SKEW:
        res.codes.append("expired")
    if now + SKEW < parse_time(p["valid_from"]):
        res.codes.append("not_yet_valid")
    res.codes.extend(account_findings(p["account"]))
    return res


# ---------------------------------------------------------------------------------------------
# §8 vector files


def parse_vector(data: bytes):
    sep = data.find(b"\n\n")
    if sep < 0:
        raise ValueError("no blank line after the headers")
    headers = {}
    for line in data[:sep].decode("utf-8").split("\n"):
        key, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"bad header line {line!r}")
        key = key.strip()
        if key in headers:
            raise ValueError(f"header {key!r} twice")
        headers[key] = value.strip()
    return headers, data[sep + 2:]


def run_vector(path: Path) -> tuple[bool, str]:
    headers, raw = parse_vector(path.read_bytes())
    for h in ("expect", "codes", "now", "signer-public-key", "recipient"):
        if h not in headers:
            return False, f"missing header {h!r}"
    now = parse_time(headers["now"])
    if now is None:
        return False, f"bad now header {headers['now']!r}"
    signer_pk = canonical_b64(headers["signer-public-key"])
    if signer_pk is None or len(signer_pk) != 32 or not public_key_acceptable(signer_pk):
        return False, "bad signer-public-key header"
    own_fp = headers["recipient"]
    if not FINGERPRINT_RE.fullmatch(own_fp):
        return False, "recipient header is not a canonical fingerprint"

    own_callback = canonical_b64(headers["recipient-callback-key"]) if "recipient-callback-key" in headers else None
    res = check_instruction(raw, {fingerprint(signer_pk): signer_pk}, own_fp, now, own_callback_key=own_callback)

    problems = []
    expected_codes = headers["codes"].split()
    if res.verdict != headers["expect"]:
        problems.append(f"verdict {res.verdict} != expect {headers['expect']}")
    if res.codes != expected_codes:
        problems.append(f"codes {res.codes} != {expected_codes}")

    extra = ""
    code_headers = [h for h in ("confirmation-code", "challenge", "response") if h in headers]
    if code_headers and len(code_headers) != 3:
        problems.append(f"only some of the code headers present: {code_headers}")
    elif code_headers:
        if not res.signature_valid:
            problems.append("code headers present although the signature is not valid")
        else:
            cc = confirmation_code(res.payload_bytes)
            if cc != headers["confirmation-code"]:
                problems.append(f"confirmation-code {cc} != {headers['confirmation-code']}")
            ch = headers["challenge"]
            if not re.fullmatch(r"[0-9]{3} [0-9]{3}", ch):
                problems.append(f"challenge header {ch!r} not two groups of three digits")
            elif res.payload is not None and "callback_key" in res.payload:
                resp = v2_response(headers, res, signer_pk, ch.replace(" ", ""), problems)
                extra = f" code={cc} response={resp} (v2)"
            else:
                resp = challenge_response(ch.replace(" ", ""), res.payload_bytes)
                if resp != headers["response"]:
                    problems.append(f"response {resp} != {headers['response']}")
                extra = f" code={cc} response={resp}"
    elif headers["expect"] == "accepted":
        # §3.6: "Every valid vector lists confirmation-code, challenge and response headers."
        problems.append("accepted vector without confirmation-code/challenge/response")
    elif res.signature_valid:
        extra = " (signature valid, no code headers)"

    summary = f"{res.verdict} [{' '.join(res.codes)}]{extra}"
    if problems:
        return False, summary + ": " + "; ".join(problems)
    return True, summary


def vector_seed(name: str) -> bytes:
    """The TEST-ONLY seed of `name` in keys.txt."""
    for line in (VECTOR_DIR / "keys.txt").read_text("utf-8").splitlines():
        m = re.fullmatch(rf"{name} seed=([0-9a-f]{{64}}) .*", line)
        if m:
            return bytes.fromhex(m.group(1))
    raise ValueError(f"no {name} in keys.txt")


def v2_response(headers, res: Result, signer_pk: bytes, digits: str, problems: list) -> str:
    """§3.7: the partner's response (their converted seed, the callback key the file names); when
    that key is the recipient's, the recipient's side (its callback secret, the signer's converted
    public key) must give the same shared secret."""
    named = canonical_b64(res.payload["callback_key"])
    shared = shared_secret(ed25519_seed_to_x25519(vector_seed("signer")), named)
    if shared.hex() != headers.get("shared-secret"):
        problems.append(f"shared-secret {shared.hex()} != {headers.get('shared-secret')}")
    secret = bytes.fromhex(headers["callback-secret"])
    if x25519(secret, (9).to_bytes(32, "little")) == named:
        ours = shared_secret(secret, ed25519_pk_to_x25519(signer_pk))
        if ours != shared:
            problems.append("the recipient's side gives another shared secret")
    resp = challenge_response_v2(shared, digits, res.payload_bytes)
    if resp != headers["response"]:
        problems.append(f"response {resp} != {headers['response']}")
    return resp


def run_callback_vectors() -> list[tuple[str, bool, str]]:
    """callback-card.txt (§4, version 2) and callback-responses.txt (§3.7, step by step)."""
    out = []
    headers, raw = parse_vector((VECTOR_DIR / "callback-card.txt").read_bytes())
    env = strict_json(raw.decode("utf-8"))
    payload = canonical_b64(env["payload"])
    pk = canonical_b64(env["public_key"])
    card = strict_json(payload.decode("utf-8"))
    problems = []
    if env["format"] != "countersign/card/v2":
        problems.append(f"format {env['format']}")
    if not verify_strict(pk, b"countersign/card/v2\x00" + payload, canonical_b64(env["signature"])):
        problems.append("signature does not verify over the card/v2 context")
    if env["signer"] != fingerprint(pk) or headers["fingerprint"] != fingerprint(pk):
        problems.append("signer is not the key's fingerprint")
    if card.get("public_key") != env["public_key"] or card.get("callback_key") != headers["callback-key"]:
        problems.append("the payload's keys differ from the envelope's and the header's")
    if not callback_key_acceptable(canonical_b64(card["callback_key"])):
        problems.append("the callback key is of low order")
    out.append(("callback-card", not problems, "; ".join(problems) or f"callback_key {card['callback_key']}"))
    text = (VECTOR_DIR / "callback-responses.txt").read_text("utf-8")
    for i, block in enumerate(b for b in text.split("\n\n") if not b.startswith("#")):
        h = dict(line.split(": ", 1) for line in block.strip().split("\n"))
        seed, secret = bytes.fromhex(h["partner-seed"]), bytes.fromhex(h["callback-secret"])
        partner_pk = bytes(nacl.signing.SigningKey(seed).verify_key)
        callback_pk = x25519(secret, (9).to_bytes(32, "little"))
        problems = []
        if base64.b64encode(partner_pk).decode() != h["partner-public-key"]:
            problems.append("partner-public-key")
        if ed25519_pk_to_x25519(partner_pk).hex() != h["partner-x25519-public-key"]:
            problems.append("partner-x25519-public-key")
        if x25519(ed25519_seed_to_x25519(seed), (9).to_bytes(32, "little")) != ed25519_pk_to_x25519(partner_pk):
            problems.append("the converted secret's public key is not the converted public key")
        if base64.b64encode(callback_pk).decode() != h["callback-public-key"]:
            problems.append("callback-public-key")
        partner_side = shared_secret(ed25519_seed_to_x25519(seed), callback_pk)
        our_side = shared_secret(secret, ed25519_pk_to_x25519(partner_pk))
        if partner_side != our_side or partner_side.hex() != h["shared-secret"]:
            problems.append("shared-secret")
        resp = challenge_response_v2(partner_side, h["challenge"].replace(" ", ""), base64.b64decode(h["payload-base64"]))
        if resp != h["response"]:
            problems.append(f"response {resp} != {h['response']}")
        out.append((f"callback-responses #{i + 1}", not problems, "; ".join(problems) or f"response {resp}"))
    return out


def run_keys() -> list[tuple[str, bool, str]]:
    out = []
    for line in (VECTOR_DIR / "keys.txt").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"(\S+) seed=([0-9a-f]{64}) public_key=(\S+) fingerprint=(.+)", line)
        if not m:
            out.append((f"keys.txt {line[:20]!r}", False, "unparsable line"))
            continue
        name, seed_hex, pk_b64, fp = m.groups()
        pk = bytes(nacl.signing.SigningKey(bytes.fromhex(seed_hex)).verify_key)
        problems = []
        if base64.b64encode(pk).decode() != pk_b64:
            problems.append(f"public_key {base64.b64encode(pk).decode()} != {pk_b64}")
        if fingerprint(pk) != fp:
            problems.append(f"fingerprint {fingerprint(pk)} != {fp}")
        if not public_key_acceptable(pk):
            problems.append("public key refused (§1)")
        out.append((f"keys.txt {name}", not problems,
                    "; ".join(problems) or f"fingerprint {fp}"))
    # §1: the RFC 8032 test 1 public key and its fingerprint, as quoted in the document
    rfc_pk = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    doc_fp = "51628 74445 02994 65581 13076 74161"
    fp_file = VECTOR_DIR / "fingerprint-rfc8032-test1.txt"
    problems = []
    if fingerprint(rfc_pk) != doc_fp:
        problems.append(f"fingerprint {fingerprint(rfc_pk)} != {doc_fp} (§1)")
    if fp_file.exists() and fp_file.read_text("utf-8").strip() != fingerprint(rfc_pk):
        problems.append(f"{fp_file.name} disagrees")
    out.append(("fingerprint rfc8032-test1", not problems,
                "; ".join(problems) or fingerprint(rfc_pk)))
    return out


def self_tests() -> list[tuple[str, bool, str]]:
    """A few checks of rules the vectors do not exercise, so the code paths are not dead."""
    cases = [
        ("base64 bad padding bits", canonical_b64("YR==") is None),
        ("base64 canonical", canonical_b64("YQ==") == b"a"),
        ("time +00:00 refused", parse_time("2026-11-20T08:00:00+00:00") is None),
        ("time lower-case refused", parse_time("2026-11-20t08:00:00z") is None),
        ("time fraction refused", parse_time("2026-11-20T08:00:00.5Z") is None),
        ("time Feb 30 refused", parse_time("2026-02-30T08:00:00Z") is None),
        ("amount JPY no fraction", not valid_amount("1.0", 0) and valid_amount("150000", 0)),
        ("amount EUR", valid_amount("0.01", 2) and not valid_amount("0", 2)
         and not valid_amount("0.00", 2) and not valid_amount("01", 2)
         and not valid_amount("1.234", 2) and not valid_amount("1.", 2)),
        ("currency XAU refused", minor_unit_digits("XAU") is None),
        ("currency KWD 3", minor_unit_digits("KWD") == 3),
        ("text bidi refused", not valid_text("abc\u202edef", 140)),
        ("text trailing space refused", not valid_text("abc ", 140)),
        ("BIC XK accepted", bic_country("ABCDXK22") == "XK"),
        ("BIC lower-case refused", bic_country("cobadeff") is None),
        ("IBAN lower-case refused", not iban_valid("de89370400440532013000")),
        ("IBAN spaces refused", not iban_valid("DE89 3704 0044 0532 0130 00")),
        ("small-order key refused", not public_key_acceptable(bytes(32))
         and not public_key_acceptable(b"\x01" + bytes(31))),
        ("duplicate JSON refused", _raises(lambda: strict_json('{"a":1,"a":2}'))),
        ("NaN refused", _raises(lambda: strict_json('{"a":NaN}'))),
        # RFC 7748 §5.2 first test vector, then §6.1's Alice public key.
        ("X25519 RFC 7748 5.2", x25519(
            bytes.fromhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
            bytes.fromhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")).hex()
         == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
        ("X25519 RFC 7748 6.1", x25519(
            bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
            (9).to_bytes(32, "little")).hex()
         == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
        ("Ed25519->X25519 as libsodium", all(
            ed25519_pk_to_x25519(pk) == nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(pk)
            for pk in (bytes(nacl.signing.SigningKey(bytes([i]) * 32).verify_key) for i in (1, 2, 3)))),
        ("low-order callback key refused", not callback_key_acceptable(bytes(32))
         and not callback_key_acceptable(b"\x01" + bytes(31))),
    ]
    return [(f"self-test {n}", ok, "") for n, ok in cases]


def _raises(f) -> bool:
    try:
        f()
    except BadJSON:
        return True
    return False



# ---------------------------------------------------------------------------------------------
# §4.3 freeze notices and lifts (the *.notice files of §8)

NOTICE_FORMATS = {"freeze": "countersign/freeze-notice/v1", "lift": "countersign/freeze-lift/v1"}
NOTICE_WORDS = {"freeze": "freeze-notice", "lift": "freeze-lift"}


def excepted_account_key(acct) -> str | None:
    """§4.3 `except`: exactly {iban} or exactly {account_number, routing_code, country}; no bic."""
    if not isinstance(acct, dict) or not all(isinstance(v, str) for v in acct.values()):
        return None
    if set(acct) == {"iban"}:
        return f"iban:{acct['iban']}" if iban_valid(acct["iban"]) else None
    if set(acct) == {"account_number", "routing_code", "country"}:
        ok = (ACCOUNT_NUMBER_RE.fullmatch(acct["account_number"]) and ROUTING_CODE_RE.fullmatch(acct["routing_code"])
              and (acct["country"] == "XK" or assigned_alpha2(acct["country"])))
        return f"local:{acct['country']}:{acct['routing_code']}:{acct['account_number']}" if ok else None
    return None


def notice_payload(p, kind: str) -> dict | None:
    """§4.3 payload tables; returns what the notice says, or None (malformed_file)."""
    if not isinstance(p, dict):
        return None
    common = {"id", "partner_key", "reason", "issued_at"}
    if kind == "lift":
        if set(p) != common | {"freeze_id"}:
            return None
        if not isinstance(p["freeze_id"], str) or not ID_RE.fullmatch(p["freeze_id"]):
            return None
    else:
        scope = p.get("scope")
        if scope == "all" and set(p) == common | {"scope", "effective_from"}:
            said_scope = "all"
        elif scope == "all_but" and set(p) == common | {"scope", "effective_from", "except"}:
            key = excepted_account_key(p["except"])
            if key is None:
                return None
            said_scope = f"all_but {key}"
        else:
            return None
        if parse_time(p["effective_from"]) is None:
            return None
    if not isinstance(p["id"], str) or not ID_RE.fullmatch(p["id"]):
        return None
    if not isinstance(p["partner_key"], str) or not FINGERPRINT_RE.fullmatch(p["partner_key"]):
        return None
    if not valid_text(p["reason"], 140) or parse_time(p["issued_at"]) is None:
        return None
    if kind == "lift":
        return {"id": p["id"], "freeze-id": p["freeze_id"]}
    return {"id": p["id"], "scope": said_scope, "effective-from": p["effective_from"]}


def check_notice(raw: bytes, kind: str, keys: list[tuple[bytes, str, str]]) -> tuple[str, dict]:
    """§2.1 steps 1-5 for the notice's file type, then §4.3 steps 6-10. `keys`: (public key,
    role, status). Returns ("", what it says) when valid, else (code, {})."""
    if len(raw[:MAX_FILE + 1]) > MAX_FILE:
        return "file_too_large", {}
    try:
        text = raw.decode("utf-8", errors="strict")
        loose = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return "malformed_file", {}
    if not isinstance(loose, dict) or not isinstance(loose.get("format"), str):
        return "malformed_file", {}
    fmt = loose["format"]
    if fmt != NOTICE_FORMATS[kind]:
        if re.fullmatch(rf"countersign/{NOTICE_WORDS[kind]}/v[0-9]+", fmt):
            return "unsupported_version", {}
        return "malformed_file", {}
    try:
        env = strict_json(text)
    except BadJSON:
        return "malformed_file", {}
    members = {"format", "signer", "payload", "signature"}
    if set(env) != members or not all(isinstance(env[k], str) for k in members):
        return "malformed_file", {}
    signer = env["signer"]
    payload = canonical_b64(env["payload"])
    sig = canonical_b64(env["signature"])
    if not FINGERPRINT_RE.fullmatch(signer) or payload is None or sig is None or not payload or len(sig) != 64:
        return "malformed_file", {}
    # 6. Key: any of the partner's keys for a freeze, a recovery key for a lift.
    may_sign = [k for k in keys if kind == "freeze" or k[1] == "recovery"]
    found = [k for k in may_sign if fingerprint(k[0]) == signer]
    if not found:
        return "unknown_signer", {}
    pk, role, status = found[0]
    # 7. Signature
    if not verify_strict(pk, fmt.encode("utf-8") + b"\x00" + payload, sig):
        return "signature_invalid", {}
    # 8. Payload
    try:
        p = strict_json(payload.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, BadJSON):
        return "malformed_file", {}
    said = notice_payload(p, kind)
    if said is None:
        return "malformed_file", {}
    # 9. Status
    if status != "active":
        return "key_revoked", {}
    # 10. Partner key: one of the signing keys; the signer itself when a signing key signed.
    signing = {fingerprint(k[0]) for k in keys if k[1] == "signing"}
    if p["partner_key"] not in signing or (role == "signing" and p["partner_key"] != signer):
        return "malformed_file", {}
    if kind == "freeze":
        said["signed-by"] = role
    return "", said


def run_notice(path: Path) -> tuple[bool, str]:
    headers, raw = parse_vector(path.read_bytes())
    keys = []
    for header, role in (("signing-key", "signing"), ("recovery-key", "recovery")):
        if header in headers:
            pk_text, _, status = headers[header].partition(" ")
            keys.append((base64.b64decode(pk_text, validate=True), role, status))
    code, said = check_notice(raw, headers["kind"], keys)
    expect = "valid" if not code else "rejected"
    problems = []
    if expect != headers["expect"] or code != headers["codes"]:
        problems.append(f"got {expect} {code!r}, expected {headers['expect']} {headers['codes']!r}")
    for name, value in said.items():
        if headers.get(name) != value:
            problems.append(f"{name}: got {value!r}, header {headers.get(name)!r}")
    return not problems, "; ".join(problems) or (code or "valid")


def main() -> int:
    passed = failed = 0
    vectors = sorted(VECTOR_DIR.glob("*.vector"))
    if not vectors:
        print(f"no vectors found in {VECTOR_DIR}")
        return 1
    results = []
    for path in vectors:
        try:
            ok, msg = run_vector(path)
        except Exception as e:  # a crash is a failure, not a pass
            ok, msg = False, f"error: {type(e).__name__}: {e}"
        results.append((path.stem, ok, msg))
    for path in sorted(VECTOR_DIR.glob("*.notice")):
        try:
            ok, msg = run_notice(path)
        except Exception as e:  # a crash is a failure, not a pass
            ok, msg = False, f"error: {type(e).__name__}: {e}"
        results.append((path.name, ok, msg))
    results.extend(run_keys())
    results.extend(run_callback_vectors())
    results.extend(self_tests())
    for name, ok, msg in results:
        print(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {msg}" if msg else ""))
        if ok:
            passed += 1
        else:
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
