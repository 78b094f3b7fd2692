#!/usr/bin/env python3
"""Independent verifier of the signed statements vector, written from docs/audit-format.md §12, §13.

Checks tests/vectors/audit-statements.txt (docs/audit-format.md §10), a log of statements replayed
oldest first as §13 prescribes. For each record:
- its details are canonical JSON (§3) carrying a `signature` member (§12.2);
- the signed message M of §12.2 recomputed from the fields equals the record's `signed-message`;
- the signer's key is resolved as §12.3 says (the key `workspace.init` names; that organisation
  key for `system`; otherwise the actor's current personal key, from the last `user.key_create`
  about them that counted, the actor enabled), `by` must be that key's fingerprint and the
  signature must verify strictly over M;
- the authority table of §12.4 and the case rules of §12.6 are applied;
- the verdict, `counts` or `invalid` with the fault (`signature`, `authority` or `rules`), is
  compared with the record's `expect` and `why`.
Then the implied state at the end (§13) is compared with what the log's statements say, and a few
self-tests change the log (a field edited, a signature made malleable, a record dropped) and check
that the replay notices.

Ed25519 is verify_vectors.py's (PyNaCl with the strict pre-checks of docs/format.md §2), canonical
JSON and the record reader are verify_audit.py's; both are the verifiers beside this file.

Prints one line per check and ends with "N passed, M failed"; exits 1 on any failure.
"""

from __future__ import annotations

import base64
import sys
from datetime import datetime, timedelta

from verify_audit import canonical_json, lp, read, records
from verify_vectors import FINGERPRINT_RE, canonical_b64, fingerprint, public_key_acceptable, strict_json, verify_strict

VECTOR = "audit-statements.txt"
STATEMENT_CONTEXT = b"countersign/statement/v1\x00"
# §12.1: these actions, and only these, are statements.
STATEMENT_ACTIONS = {
    "workspace.init", "workspace.upgrade", "audit.key_create", "user.add", "user.key_create",
    "user.disable", "user.enable", "user.reset_password", "policy.set", "org.account",
    "org.domains", "org.rotate_key", "partner.add", "partner.add_phone", "partner.rotate_key",
    "partner.revoke_key", "partner.recovery_revoke_key", "instruction.receive", "case.challenge", "case.callback", "case.callback_wrong_response",
    "case.approve", "case.reject", "case.reopen", "case.release", "case.release_early", "case.export",
    "case.name_check", "change.propose", "change.approve", "change.reject", "account.confirm_fraud", "account.clear",
    "payment_file.screen",
}
# §12.8 four eyes: who checks, how many make a workspace leave setup mode, what each kind writes.
CHECKER_ROLES = {"approver", "admin"}
CHECKERS_FOR_FOUR_EYES = 2
EFFECTS = {
    "partner_add": {"partner.add"}, "partner_rotate_key": {"partner.rotate_key"}, "partner_add_phone": {"partner.add_phone"},
    "user_add": {"user.add", "user.key_create"}, "user_reset_password": {"user.reset_password", "user.key_create"},
    "user_enable": {"user.enable"}, "policy_set": {"policy.set"}, "org_account": {"org.account"},
    "account_clear": {"account.clear"},
}
# The policy settings and the direction in which each loosens a control (§12.8).
LOOSER_WHEN_SMALLER = ("change_window_days", "rotation_window_days", "cooling_off_hours")
LOOSER_WHEN_LARGER = ("amount_unusual_factor", "amount_history_min", "approval_threshold_minor")
LOOSER_WHEN_DROPPED = ("first_instruction_needs_callback", "shared_account_needs_callback",
                       "close_name_match_needs_callback", "require_totp_for_approvers")
ROLES = {"clerk", "approver", "admin", "auditor"}
SYSTEM = "system"
# §13: the policy is docs/cli.md's default unless workspace.init names one; its threshold is the
# one member the case rules read.
DEFAULT_POLICY = {"approval_threshold_minor": 1000000}
# §12.6: a callback is locked after 3 wrong responses.
MAX_WRONG_RESPONSES = 3
OPEN_STATUSES = {"accepted", "hold", "callback_confirmed", "approved"}
# §12.5 and docs/cli.md "Bank name checks" (issue 20): each scheme's answers and what they mean.
NAME_CHECK_ANSWERS = {
    ("vop", "MTCH"): "match", ("vop", "CMTC"): "close_match", ("vop", "NMTC"): "no_match", ("vop", "NOAP"): "not_possible",
    ("cop", "MTCH"): "match", ("cop", "MBAM"): "close_match", ("cop", "BAMM"): "close_match", ("cop", "PAMM"): "close_match",
    ("cop", "ANNM"): "no_match", ("cop", "AC01"): "no_match", ("cop", "BANM"): "no_match", ("cop", "PANM"): "no_match",
    ("cop", "IVCR"): "not_possible", ("cop", "ACNS"): "not_possible", ("cop", "OPTO"): "not_possible",
    ("cop", "CASS"): "not_possible", ("cop", "SCNS"): "not_possible",
}


class Invalid(Exception):
    """A statement that does not count: the fault (`why` of the vector) and a message."""

    def __init__(self, why: str, message: str):
        super().__init__(message)
        self.why = why
        self.message = message


# ---------------------------------------------------------------------------------------------
# §12.2 the signed message


def without_signature(details: dict) -> dict:
    return {k: v for k, v in details.items() if k != "signature"}


def signed_message(at: str, actor: str, action: str, subject: str, details: dict) -> bytes:
    d = canonical_json(without_signature(details))
    return STATEMENT_CONTEXT + lp(at) + lp(actor) + lp(action) + lp(subject) + lp(d)


def check_signature(message: bytes, details: dict, pk: bytes) -> None:
    """§12.2: signed by key pk when `by` is pk's fingerprint and the signature verifies strictly."""
    sig = details.get("signature")
    if sig is None:
        raise Invalid("signature", "it is not signed")
    by = sig.get("by") if isinstance(sig, dict) else None
    raw = canonical_b64(sig.get("ed25519")) if isinstance(sig, dict) and isinstance(sig.get("ed25519"), str) else None
    if not isinstance(by, str) or not FINGERPRINT_RE.fullmatch(by) or raw is None or len(raw) != 64:
        raise Invalid("signature", "its signature member is malformed")
    if by != fingerprint(pk):
        raise Invalid("signature", f"it is signed by {by}, not by {fingerprint(pk)}")
    if not verify_strict(pk, message, raw):
        raise Invalid("signature", "its signature does not verify")


# ---------------------------------------------------------------------------------------------
# §13 the implied state, §12.3 the signer, §12.4 authority, §12.6 the case rules


def public_key(text) -> bytes | None:
    raw = canonical_b64(text) if isinstance(text, str) else None
    return raw if raw is not None and len(raw) == 32 and public_key_acceptable(raw) else None


def recovery_member(details: dict) -> bytes | None:
    """The recovery key a `partner.add` or `partner.rotate_key` pins (§12.4, issue 20), if any."""
    if details.get("recovery_key") is None:
        return None
    pk = public_key(details["recovery_key"])
    if pk is None:
        raise Invalid("malformed", "its recovery_key is not a valid public key")
    return pk


def recovery_statement(text, fmt: str, recovery: bytes) -> dict:
    """A statement the partner's recovery key signed (docs/format.md §4.2), kept in an event: its
    payload, once the signature verifies with `recovery` over `fmt`."""
    raw = canonical_b64(text) if isinstance(text, str) else None
    env = strict_json(raw.decode("utf-8")) if raw else None
    if not isinstance(env, dict) or env.get("format") != fmt or env.get("signer") != fingerprint(recovery):
        raise Invalid("signature", "its recovery statement is not signed by the partner's recovery key")
    payload, sig = canonical_b64(env.get("payload", "")), canonical_b64(env.get("signature", ""))
    if payload is None or sig is None or not verify_strict(recovery, fmt.encode() + b"\x00" + payload, sig):
        raise Invalid("signature", "its recovery statement's signature does not verify")
    return strict_json(payload.decode("utf-8"))


def described(role: str | None) -> str:
    return {"admin": "an admin", "approver": "an approver", "auditor": "an auditor", "clerk": "a clerk"}.get(role, "not a user")


def subject_id(subject: str, prefix: str) -> int:
    rest = subject[len(prefix):] if subject.startswith(prefix) else ""
    if not rest.isdigit():
        raise Invalid("malformed", f"its subject {subject!r} is not {prefix}ID")
    return int(rest)


class State:
    def __init__(self):
        self.org_key: bytes | None = None
        self.users: dict[str, dict] = {}          # name -> role, enabled, key
        self.partners: dict[int, dict] = {}       # id -> name, keys {fingerprint: status}, phones, domains
        self.accounts: dict[tuple[int, str], str] = {}
        self.fraudulent: set[str] = set()
        self.cases: dict[int, dict] = {}
        self.policy: dict = dict(DEFAULT_POLICY)
        self.org_account = None
        self.org_domains = None
        self.changes: dict[int, dict] = {}        # id -> proposal, maker, status, checker
        self.applying = None                      # [change id, checker, effects written]
        self.acting_for: str | None = None        # the maker whose role an applied effect rests on
        self.four_eyes_since: int | None = None
        self.marks: dict[str, dict] = {}          # account -> confirmed, marked_by
        # §12.6 cooling-off (issue 20): (partner, account) -> (when it replaced another as current,
        # who received, called back on or approved the case that made it so)
        self.changed: dict[tuple[int, str], tuple[datetime, list[str]]] = {}
        self.now: datetime | None = None          # the time of the statement being applied

    # §12.3
    def signer_key(self, seq: int, actor: str, action: str, details: dict) -> bytes:
        if action == "workspace.init":
            pk = public_key(details.get("org_public_key"))
            if pk is None:
                raise Invalid("malformed", "it names no organisation key")
            return pk
        if actor == SYSTEM:
            if self.org_key is None:
                raise Invalid("signature", "signed as the system, but no workspace.init named the organisation key")
            return self.org_key
        user = self.users.get(actor)
        if user is None:
            raise Invalid("authority", f"{actor} is not a user the statements added")
        if not user["enabled"]:
            raise Invalid("authority", f"{actor} was disabled")
        if user["key"] is None:
            raise Invalid("authority", f"{actor} has no personal key")
        return user["key"]

    # §12.4 "Admin means: the actor's role is admin, or the actor is system."
    def role(self, actor: str) -> str | None:
        if actor == SYSTEM:
            return "admin"
        user = self.users.get(actor)
        return user["role"] if user else None

    def require(self, actor: str, roles: set[str]) -> str:
        actor = self.acting_for or actor
        role = self.role(actor)
        if role not in roles:
            raise Invalid("authority", f"{actor} is {described(role)}, which may not do this")
        return role

    def apply(self, seq: int, actor: str, action: str, subject: str, details: dict) -> str:
        """Applies a statement that passed its signature check; raises Invalid (changing nothing) if it does not count."""
        if action in ("change.propose", "change.approve", "change.reject"):
            self.applying = None
            return self.apply_change(actor, action, subject, details)
        if "change" in details:
            result = self.apply_effect(seq, actor, action, subject, details)
        else:
            self.applying = None
            self.refuse_one_person(seq, actor, action, subject, details)
            result = self.apply_decision(seq, actor, action, subject, details)
        if action.startswith("user.") and self.four_eyes_since is None and len(self.checkers()) >= CHECKERS_FOR_FOUR_EYES:
            self.four_eyes_since = seq
        return result

    # §12.8 four eyes
    def checkers(self) -> list[str]:
        return sorted(n for n, u in self.users.items() if u["enabled"] and u["key"] is not None and u["role"] in CHECKER_ROLES)

    def loosens(self, new: dict) -> bool:
        old = {**self.policy}
        def value(policy, name):
            return policy.get(name, DEFAULT_POLICY.get(name))
        return (any(value(new, n) is not None and value(old, n) is not None and value(new, n) < value(old, n) for n in LOOSER_WHEN_SMALLER)
                or any(value(new, n) is not None and value(old, n) is not None and value(new, n) > value(old, n) for n in LOOSER_WHEN_LARGER)
                or any(old.get(n) is True and new.get(n) is False for n in LOOSER_WHEN_DROPPED))

    def needs_four_eyes(self, action: str, subject: str, details: dict) -> bool:
        user = self.users.get(subject[5:]) if subject.startswith("user:") else None
        if action in ("partner.add", "partner.add_phone", "partner.rotate_key", "user.reset_password", "org.account", "account.clear"):
            return True
        if action == "user.add":
            return details.get("role") in CHECKER_ROLES
        if action == "user.enable":
            return user is not None and user["role"] in CHECKER_ROLES
        if action == "user.key_create":
            return user is not None and (user["key"] is not None or user["role"] in CHECKER_ROLES)
        if action == "policy.set":
            return not isinstance(details.get("new"), dict) or self.loosens(details["new"])
        return False

    def refuse_one_person(self, seq: int, actor: str, action: str, subject: str, details: dict) -> None:
        if self.four_eyes_since is None:
            return
        if self.needs_four_eyes(action, subject, details):
            raise Invalid("authority", f"{action} needs a second person's approval, and {actor} wrote it alone")
        checkers = self.checkers()
        if action == "user.disable" and subject[5:] in checkers and len(checkers) <= CHECKERS_FOR_FOUR_EYES:
            raise Invalid("rules", f"disabling {subject} would leave fewer than two people who can check changes")

    def apply_change(self, actor: str, action: str, subject: str, details: dict) -> str:
        cid = subject_id(subject, "change:")
        if action == "change.propose":
            kind, effects = details.get("kind"), details.get("effects")
            if kind not in EFFECTS or not isinstance(effects, list) or not effects \
                    or any(not isinstance(e, dict) or e.get("action") not in EFFECTS[kind] for e in effects):
                raise Invalid("malformed", "not a proposal")
            self.require(actor, CHECKER_ROLES if kind == "account_clear" else {"admin"})
            if cid in self.changes:
                raise Invalid("rules", f"change {cid} was proposed already")
            self.changes[cid] = {"proposal": without_signature(details), "maker": actor, "status": "pending", "checker": None}
            return f"change {cid} pending, proposed by {actor}"
        change = self.changes.get(cid)
        if change is None:
            raise Invalid("missing", f"change {cid} was never proposed")
        if change["status"] != "pending":
            raise Invalid("rules", f"change {cid} is {change['status']} already")
        by_maker = actor == change["maker"]
        approve = action == "change.approve"
        if approve and by_maker:
            raise Invalid("authority", f"{actor} cannot approve their own change")
        if approve and any(e.get("subject") == f"user:{actor}" for e in change["proposal"]["effects"]):
            raise Invalid("authority", f"change {cid} is about {actor}")
        if approve and details.get("request_sha256") != change["proposal"].get("request_sha256"):
            raise Invalid("rules", f"it approves another request than change {cid} proposed")
        if not by_maker:
            self.require(actor, CHECKER_ROLES)
        change["status"], change["checker"] = ("approved" if approve else "rejected"), actor
        if approve:
            self.applying = [cid, actor, 0]
        return f"change {cid} {change['status']} by {actor}"

    def apply_effect(self, seq: int, actor: str, action: str, subject: str, details: dict) -> str:
        cid = details["change"]
        if self.applying is None or self.applying[0] != cid:
            raise Invalid("rules", f"it applies change {cid}, which was not approved right before it")
        if self.applying[1] != actor:
            raise Invalid("authority", f"change {cid} was approved by {self.applying[1]}, not {actor}")
        change = self.changes[cid]
        effects = change["proposal"]["effects"]
        expected = effects[self.applying[2]] if self.applying[2] < len(effects) else None
        plain = {k: v for k, v in without_signature(details).items() if k != "change"}
        proposed = expected.get("subject", "") if expected else ""
        same_subject = subject.startswith(proposed[:-3]) if proposed.endswith(":new") else subject == proposed
        if expected is None or expected.get("action") != action or not same_subject or expected.get("details") != plain:
            raise Invalid("rules", f"it is not the statement change {cid} proposed")
        if not self.users.get(change["maker"], {}).get("enabled"):
            raise Invalid("authority", f"{change['maker']}, who proposed change {cid}, was disabled")
        self.acting_for = change["maker"]
        try:
            result = self.apply_decision(seq, actor, action, subject, details)
        finally:
            self.acting_for = None
        self.applying[2] += 1
        return f"{result} (change {cid}, approved by {actor})"

    def apply_marks(self, actor: str, action: str, subject: str) -> str:
        key = subject[len("account:"):] if subject.startswith("account:") else None
        if key is None:
            raise Invalid("malformed", "its subject is not an account")
        self.require(actor, CHECKER_ROLES)
        mark = self.marks.get(key)
        if mark is None:
            raise Invalid("missing", f"{key} is not marked")
        if action == "account.confirm_fraud":
            if mark["confirmed"]:
                raise Invalid("rules", f"{key} is confirmed fraudulent already")
            if mark["marked_by"] == actor:
                raise Invalid("authority", f"{actor} marked {key}: a second person confirms it")
            mark["confirmed"] = True
            return f"{key} confirmed fraudulent"
        del self.marks[key]
        for k, status in list(self.accounts.items()):
            if k[1] == key and status == "fraudulent":
                self.accounts[k] = "pending"
        return f"{key}'s mark cleared"

    def apply_decision(self, seq: int, actor: str, action: str, subject: str, details: dict) -> str:
        if action in ("account.confirm_fraud", "account.clear"):
            return self.apply_marks(actor, action, subject)
        if action == "workspace.init":
            if seq != 1:
                raise Invalid("rules", "workspace.init must be event 1")
            self.org_key = public_key(details["org_public_key"])
            if "policy" in details:
                self.policy = details["policy"]
            return "the workspace, rooted in the organisation key " + fingerprint(self.org_key)
        if action in ("user.add", "user.key_create", "user.disable", "user.enable"):
            return self.apply_user(actor, action, subject, details)
        if action in ("audit.key_create", "org.rotate_key", "user.reset_password"):
            self.require(actor, {"admin"})
            return "no effect on the state"
        if action == "payment_file.screen":
            self.require(actor, {"clerk", "approver", "admin"})
            return "a payment file screened: no effect on the state"
        if action == "policy.set":
            self.require(actor, {"admin"})
            if not isinstance(details.get("new"), dict) or not isinstance(details["new"].get("approval_threshold_minor"), int):
                raise Invalid("malformed", "it names no policy")
            self.policy = details["new"]
            return f"the policy (approval threshold {self.policy.get('approval_threshold_minor')})"
        if action in ("org.account", "org.domains"):
            self.require(actor, {"admin"})
            if action == "org.account":
                self.org_account = without_signature(details)
            else:
                self.org_domains = details.get("domains")
            return "our " + action[4:]
        if action.startswith("partner."):
            self.require(actor, {"admin"})
            return self.apply_partner(action, subject, details)
        if action == "instruction.receive":
            self.require(actor, {"clerk", "approver", "admin"})
            return self.receive(actor, subject, details)
        if action.startswith("case."):
            return self.apply_case(actor, action, subject, details)
        raise Invalid("malformed", f"{action} is not handled by this verifier")

    def apply_user(self, actor: str, action: str, subject: str, details: dict) -> str:
        if not subject.startswith("user:"):
            raise Invalid("malformed", f"its subject {subject!r} is not a user")
        name = subject[5:]
        if action == "user.key_create" and actor == name:
            raise Invalid("authority", f"{name} gives themselves a personal key (admin, never NAME itself)")
        self.require(actor, {"admin"})
        if action == "user.add":
            if details.get("role") not in ROLES:
                raise Invalid("malformed", "it names no valid role")
            if name in self.users:
                raise Invalid("rules", f"{name} exists already")
            self.users[name] = {"role": details["role"], "enabled": True, "key": None}
            return f"{name}, {details['role']}, enabled, without a key"
        if name not in self.users:
            raise Invalid("missing", f"{name} is not a user")
        if action == "user.key_create":
            pk = public_key(details.get("public_key"))
            if pk is None:
                raise Invalid("malformed", "it names no valid public key")
            self.users[name]["key"] = pk
            return f"{name}'s current key {fingerprint(pk)}"
        self.users[name]["enabled"] = action == "user.enable"
        return f"{name} {action[5:]}d"

    def apply_partner(self, action: str, subject: str, details: dict) -> str:
        pid = subject_id(subject, "partner:")
        if action == "partner.add":
            fp = details.get("fingerprint")
            if pid in self.partners:
                raise Invalid("rules", f"partner {pid} exists already")
            if any(fp in p["keys"] for p in self.partners.values()):
                raise Invalid("rules", f"{fp} is pinned for another partner")
            self.partners[pid] = {"name": details.get("name"), "keys": {fp: "active"},
                                  "phones": set(details.get("phones") or []), "domains": set(details.get("domains") or []),
                                  "recovery_key": recovery_member(details)}
            if details.get("known_account") is not None:
                self.make_current(pid, details["known_account"], insert=True)
            return f"partner {pid} with key {fp} active"
        partner = self.partners.get(pid)
        if partner is None:
            raise Invalid("missing", f"partner {pid} does not exist")
        if action == "partner.add_phone":
            number = details.get("e164")
            if not isinstance(number, str):
                raise Invalid("malformed", "it names no number")
            if number in partner["phones"]:
                raise Invalid("rules", f"{number} is on file for partner {pid} already")
            partner["phones"].add(number)
            return f"{number} on file for partner {pid}"
        if action == "partner.rotate_key":
            old, new = details.get("old"), details.get("new")
            if not isinstance(new, str):
                raise Invalid("malformed", "it names no new key")
            recovery, statement = partner.get("recovery_key"), details.get("recovery_statement")
            if statement is None and recovery is not None:
                raise Invalid("rules", f"partner {pid} has a recovery key: a rotation by the old key alone does not count")
            if statement is None and partner["keys"].get(old) != "active":
                raise Invalid("rules", f"{old} is not an active key of partner {pid}")
            if statement is not None:
                if recovery is None:
                    raise Invalid("rules", f"partner {pid} has no recovery key")
                payload = recovery_statement(statement, "countersign/recovery-rotation/v1", recovery)
                card = strict_json(canonical_b64(payload["new_card"]).decode("utf-8"))
                new_fp = fingerprint(canonical_b64(card["public_key"]))
                if payload.get("old_key") != old or new_fp != new:
                    raise Invalid("rules", "it names other keys than its recovery statement")
                if partner["keys"].get(old) not in ("active", "revoked"):
                    raise Invalid("rules", f"{old} is not a current or revoked key of partner {pid}")
            if partner["keys"].get(old) == "active":
                partner["keys"][old] = "retired"
            partner["keys"][new] = "active"
            partner["recovery_key"] = recovery_member(details)
            return f"partner {pid}'s key rotated"
        if action == "partner.recovery_revoke_key":
            if partner.get("recovery_key") is None:
                raise Invalid("rules", f"partner {pid} has no recovery key")
            payload = recovery_statement(details.get("statement"), "countersign/key-revocation/v1", partner["recovery_key"])
            if payload.get("revoked_key") != details.get("fingerprint"):
                raise Invalid("rules", "it names another key than its recovery statement")
        if details.get("fingerprint") not in partner["keys"]:
            raise Invalid("missing", f"{details.get('fingerprint')} is not a key of partner {pid}")
        partner["keys"][details["fingerprint"]] = "revoked"
        return f"partner {pid}'s key revoked"

    def make_current(self, partner: int, account: str, insert: bool, people: list[str] | None = None) -> None:
        replaced = False
        for (p, k), status in list(self.accounts.items()):
            if p == partner and k != account and status == "current":
                self.accounts[(p, k)] = "retired"
                replaced = True
        if (partner, account) in self.accounts or insert:
            self.accounts[(partner, account)] = "current"
            if replaced:
                self.changed[(partner, account)] = (self.now, list(people or []))

    def cooling_off(self, case: dict) -> list[str] | None:
        """Who made the change of the case's account, while its cooling-off lasts (§12.6); else None."""
        key = (case["partner"], case["account"])
        if self.accounts.get(key) != "current" or key not in self.changed:
            return None
        since, people = self.changed[key]
        if self.now >= since + timedelta(hours=self.policy.get("cooling_off_hours", 24)):
            return None
        return people

    def receive(self, actor: str, subject: str, details: dict) -> str:
        cid = subject_id(subject, "case:")
        verdict = details.get("verdict")
        if verdict not in ("accepted", "hold", "rejected"):
            raise Invalid("malformed", "it names no verdict")
        if cid in self.cases:
            # §12.4 does not say; a case is opened once.
            raise Invalid("rules", f"case {cid} was received already")
        partner, account = details.get("partner"), details.get("account_key")
        self.cases[cid] = {"status": verdict, "verdict": verdict, "partner": partner, "account": account,
                           "amount_minor": details.get("amount_minor"), "received_by": actor, "callers": [],
                           "wrong": 0, "approved_by": None, "early": []}
        if verdict != "rejected" and partner is not None and account is not None:
            if verdict == "accepted":
                self.make_current(partner, account, insert=True, people=[actor])
            elif (partner, account) not in self.accounts:
                self.accounts[(partner, account)] = "pending"
        return f"case {cid} opened, {verdict}, received by {actor}"

    def needs_approval(self, case: dict) -> bool:
        amount = case["amount_minor"]
        return case.get("no_match", False) or case["verdict"] != "accepted" or (amount is not None and amount > self.policy["approval_threshold_minor"])

    def apply_case(self, actor: str, action: str, subject: str, details: dict) -> str:
        cid = subject_id(subject, "case:")
        case = self.cases.get(cid)
        if case is None:
            raise Invalid("missing", f"case {cid} was never received")
        role = self.role(actor)
        status = case["status"]

        def refuse(message: str):
            raise Invalid("rules", f"the case rules refuse it: {message}")

        def may_call_back():
            if role not in ("clerk", "approver"):
                refuse(f"{actor} is {described(role)}: callbacks are made by clerks and approvers")
            if status != "hold":
                refuse(f"the case is {status}, not on hold")
            if case["wrong"] >= MAX_WRONG_RESPONSES:
                refuse("the callback is locked after 3 wrong responses")

        if action == "case.challenge":
            may_call_back()
            if actor not in case["callers"]:
                case["callers"].append(actor)
            return f"{actor} among case {cid}'s callers"
        if action in ("case.callback", "case.callback_wrong_response"):
            may_call_back()
            outcome = "confirmed" if action == "case.callback_wrong_response" else details.get("outcome")
            matched = action == "case.callback" and details.get("response_matched") is True
            if outcome == "confirmed" and not matched:
                if action == "case.callback":
                    refuse("a confirmation needs response_matched")
                case["wrong"] += 1
                return f"case {cid}: {case['wrong']} wrong response(s)"
            if action == "case.callback_wrong_response":
                refuse("a wrong response is recorded only when the response did not match")
            if outcome == "confirmed":
                case["status"] = "callback_confirmed"
            elif outcome == "denied":
                case["status"] = "quarantined"
                if case["account"] is not None:
                    self.fraudulent.add(case["account"])
                    self.marks.setdefault(case["account"], {"confirmed": False, "marked_by": actor})
                    for key in self.accounts:
                        if key[1] == case["account"]:
                            self.accounts[key] = "fraudulent"
            elif outcome != "unreachable":
                raise Invalid("malformed", "it names no outcome")
            return f"case {cid} {case['status']}"
        if action == "case.approve":
            if role != "approver":
                refuse(f"{actor} is {described(role)}: only approvers approve")
            if actor == case["received_by"] or actor in case["callers"]:
                refuse(f"{actor} received or called back on case {cid}: a second person must approve")
            # After a confirmed callback; an accepted case over the threshold (docs/cli-cases.md).
            if not (status == "callback_confirmed" or (status == "accepted" and self.needs_approval(case))):
                refuse(f"the case is {status}")
            case["status"] = "approved"
            case["approved_by"] = actor
            if case["partner"] is not None and case["account"] is not None:
                people = [case["received_by"], *case["callers"], actor]
                self.make_current(case["partner"], case["account"], insert=False, people=people)
            return f"case {cid} approved by {actor}; its account current"
        if action == "case.release":
            if status == "released":
                refuse("a case is released at most once")
            approver_may = role == "approver" and status in ("approved", "accepted")
            clerk_may = role == "clerk" and status == "accepted" and not self.needs_approval(case)
            if not (approver_may or clerk_may):
                refuse(f"{actor} ({role}) may not release a case that is {status}")
            if self.cooling_off(case) is not None and len(case["early"]) < 2:
                refuse(f"case {cid}'s account is in its cooling-off and {len(case['early'])} approver(s) asked to release early")
            case["status"] = "released"
            return f"case {cid} released by {actor}"
        if action == "case.release_early":
            if role != "approver":
                refuse(f"{actor} is {described(role)}: only approvers release early")
            if status not in ("approved", "accepted") or (status == "accepted" and self.needs_approval(case)):
                refuse(f"a case that is {status} cannot be released")
            people = self.cooling_off(case)
            if people is None:
                refuse(f"case {cid}'s account is in no cooling-off")
            approved = [case["approved_by"]] if case["approved_by"] and status == "approved" else []
            if actor in {*people, *case["callers"], *approved, case["received_by"]}:
                refuse(f"{actor} took part in the change or the case")
            if actor in case["early"]:
                refuse(f"{actor} asked already")
            reason = details.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                raise Invalid("malformed", "an early release gives no reason")
            case["early"].append(actor)
            return f"{actor} asked to release case {cid} early"
        if action == "case.name_check":
            check_name_check(details, case["account"], self.now)
            if role != "approver":
                refuse(f"{actor} is {described(role)}: only approvers attach a bank's name check")
            if details["outcome"] == "no_match":
                case["no_match"] = True
                if status in ("accepted", "callback_confirmed", "approved"):
                    case["status"] = "hold"
            return f"a name check ({details['answer']}) attached to case {cid}, which is {case['status']}"
        if action == "case.reject":
            if role != "approver" or status not in OPEN_STATUSES:
                refuse(f"{actor} ({role}) may not reject a case that is {status}")
            case["status"] = "rejected"
            return f"case {cid} rejected"
        if action == "case.reopen":
            if role != "approver" or status != "hold" or case["wrong"] < MAX_WRONG_RESPONSES:
                refuse("only an approver reopens a locked callback")
            case["wrong"] = 0
            return f"case {cid} reopened"
        if action == "case.export":
            # Clerks and approvers export payments (§12.4); an admin's or auditor's export is refused.
            self.require(actor, {"clerk", "approver"})
            if status != "released":
                refuse(f"case {cid} is {status}, not released")
            return "no effect on the state"
        raise Invalid("malformed", f"{action} is not handled by this verifier")


def check_name_check(d: dict, case_account: str | None, now: datetime) -> None:
    """A `case.name_check` statement's fields as docs/audit-format.md §12.5 and docs/cli.md give
    them; raises Invalid("malformed") otherwise."""
    def bad(why: str):
        raise Invalid("malformed", f"its name check: {why}")

    def text(name: str, most: int) -> str:
        v = d.get(name)
        if not isinstance(v, str) or not v or v != v.strip() or len(v) > most or any(ord(c) < 32 or ord(c) == 127 for c in v):
            bad(f"{name} is not 1 to {most} characters")
        return v

    def time(name: str) -> datetime:
        try:
            return datetime.strptime(text(name, 20), "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            bad(f"{name} is not a UTC time")

    outcome = NAME_CHECK_ANSWERS.get((d.get("scheme"), d.get("answer")))
    if outcome is None or d.get("outcome") != outcome:
        bad("its scheme, answer and outcome do not go together")
    if ("matched_name" in d) != (outcome == "close_match"):
        bad("the bank's name comes with a close match, and only then")
    if "matched_name" in d:
        text("matched_name", 140)
    text("request_id", 100)
    text("name_sent", 140)
    requested, answered = time("requested_at"), time("answered_at")
    if answered > now or answered < requested:
        bad("it was answered after the statement or before it was asked")
    if d.get("obtained") not in ("api", "pain002", "screenshot"):
        bad("it names no way it was obtained")
    sha = d.get("evidence_sha256")
    if sha is None and d["obtained"] != "api" or sha is not None and not (isinstance(sha, str) and len(sha) == 64
                                                                          and all(c in "0123456789abcdef" for c in sha)):
        bad("its evidence's SHA-256 is missing or not 64 hex digits")
    sent = text("account_sent", 34)
    if not (sent.isascii() and sent.isalnum() and sent == sent.upper()):
        bad("the account sent is not written as letters and digits")
    same = False
    if case_account and case_account.startswith("iban:"):
        iban = case_account[5:]
        same = sent == iban or (iban.startswith("GB") and len(iban) == 22 and sent == iban[8:])
    elif case_account and case_account.startswith("local:"):
        parts = case_account[6:].split(":", 2)
        same = len(parts) == 3 and sent == parts[1] + parts[2]
    if not same:
        bad("the account sent is not the case's")


def judge(state: State, r: dict[str, str]):
    """(why or None, message, M) for one record, applied to state when it counts."""
    seq, actor, action, subject = int(r["seq"]), r["actor"], r["action"], r["subject"]
    details = strict_json(r["details"])
    if not isinstance(details, dict):
        return "malformed", "its details are not an object", b""
    message = signed_message(r["at"], actor, action, subject, details)
    if action not in STATEMENT_ACTIONS:
        state.applying = None
        return None, "not a statement", message
    try:
        state.now = datetime.strptime(r["at"], "%Y-%m-%dT%H:%M:%SZ")
        pk = state.signer_key(seq, actor, action, details)
        check_signature(message, details, pk)
        return None, state.apply(seq, actor, action, subject, details), message
    except Invalid as e:
        return e.why, e.message, message


def replay(recs: list[dict[str, str]]):
    state = State()
    return state, [(int(r["seq"]), *judge(state, r)) for r in recs]


# ---------------------------------------------------------------------------------------------
# the vector


def check_records(recs: list[dict[str, str]]) -> tuple[list[tuple[str, bool, str]], State]:
    out = []
    state = State()
    for i, r in enumerate(recs):
        seq = int(r["seq"])
        name = f"statement {seq} ({r['actor']} {r['action']} {r['subject']})"
        details = strict_json(r["details"])
        shape = seq == i + 1 and canonical_json(details) == r["details"] and "signature" in details
        out.append((f"{name}: seq in order, canonical details with a signature", shape, ""))
        why, message, m = judge(state, r)
        out.append((f"{name}: signed message", m.hex() == r["signed-message"], "M recomputed differs"))
        got = "counts" if why is None else f"invalid, {why}"
        want = "counts" if r["expect"] == "counts" else f"invalid, {r.get('why')}"
        out.append((f"{name}: {got}: {message}", got == want, f"the vector says {want}"))
    return out, state


def check_final_state(state: State, recs: list[dict[str, str]]) -> list[tuple[str, bool, str]]:
    """The state the log's statements imply (§13), as the vector's story tells it."""
    keys = {}
    for r in recs:
        if r["action"] == "user.key_create" and r["expect"] == "counts":
            keys[r["subject"][5:]] = base64.b64decode(strict_json(r["details"])["public_key"])
    users = {n: (u["role"], u["enabled"], u["key"]) for n, u in state.users.items()}
    want_users = {"alice": ("admin", True, keys["alice"]), "clara": ("clerk", False, keys["clara"]),
                  "carol": ("approver", True, keys["carol"])}
    case = state.cases.get(1, {})
    return [
        ("state: users alice (admin), clara (clerk, disabled), carol (approver), with their keys; no mallory",
         users == want_users, f"got {users}"),
        ("state: the policy's approval threshold is 500000", state.policy.get("approval_threshold_minor") == 500000,
         f"got {state.policy.get('approval_threshold_minor')}"),
        ("state: only case 1, released, called back by clara", (list(state.cases), case.get("status"), case.get("callers"))
         == ([1], "released", ["clara"]), f"got {list(state.cases)} {case}"),
        ("state: the approved account is partner 1's current one, the contract's retired",
         sorted(v for k, v in state.accounts.items() if k[0] == 1) == ["current", "retired"]
         and state.accounts.get((1, case.get("account"))) == "current", f"got {state.accounts}"),
        ("state: partner 1's signing key revoked by its recovery key's statement (issue 20), the recovery key pinned",
         list(state.partners.get(1, {}).get("keys", {}).values()) == ["revoked"]
         and state.partners.get(1, {}).get("recovery_key") is not None, f"got {state.partners.get(1)}"),
    ]


def with_field(recs: list[dict[str, str]], seq: int, **changes) -> list[dict[str, str]]:
    return [dict(r, **changes) if int(r["seq"]) == seq else r for r in recs]


def verdicts(results) -> dict[int, str | None]:
    return {seq: why for seq, why, _, _ in results}


def self_tests(recs: list[dict[str, str]]) -> list[tuple[str, bool, str]]:
    out = []
    by_seq = {int(r["seq"]): r for r in recs}
    base = verdicts(replay(recs)[1])
    # A counted statement whose time is changed no longer verifies.
    got = verdicts(replay(with_field(recs, 5, at="2026-12-01T09:10:01Z"))[1])[5]
    out.append(("self-test: a changed `at` breaks the signature", got == "signature", f"got {got}"))
    # S + L: the same signature, malleated; a strict verifier refuses it.
    details = strict_json(by_seq[5]["details"])
    raw = base64.b64decode(details["signature"]["ed25519"])
    s = int.from_bytes(raw[32:], "little") + 2**252 + 27742317777372353535851937790883648493
    details["signature"]["ed25519"] = base64.b64encode(raw[:32] + s.to_bytes(32, "little")).decode()
    got = verdicts(replay(with_field(recs, 5, details=canonical_json(details)))[1])[5]
    out.append(("self-test: a malleated S (S + L) is refused", got == "signature", f"got {got}"))
    # `by` without its spaces is not the canonical fingerprint.
    details = strict_json(by_seq[5]["details"])
    details["signature"]["by"] = details["signature"]["by"].replace(" ", "")
    got = verdicts(replay(with_field(recs, 5, details=canonical_json(details)))[1])[5]
    out.append(("self-test: a non-canonical `by` is malformed", got == "signature", f"got {got}"))
    # No signature at all.
    details = without_signature(strict_json(by_seq[13]["details"]))
    got = verdicts(replay(with_field(recs, 13, details=canonical_json(details)))[1])[13]
    out.append(("self-test: an unsigned partner.add does not count", got == "signature", f"got {got}"))
    # §12.8: without carol's approval, the pinning she signs is no change's effect.
    got = verdicts(replay([r for r in recs if r["seq"] != "12"])[1])[13]
    out.append(("self-test: a change's effect without its approval does not count", got == "rules", f"got {got}"))
    # §12.8: an effect that differs from the proposal (another phone on file) does not count.
    details = strict_json(by_seq[13]["details"])
    details["phones"] = ["+15555550100"]
    got = verdicts(replay(with_field(recs, 13, details=canonical_json(details)))[1])[13]
    out.append(("self-test: an effect other than the one proposed does not count", got in ("rules", "signature"), f"got {got}"))
    # Without the confirmed callback, carol's approval and release are refused by the case rules.
    got = verdicts(replay([r for r in recs if r["seq"] != "17"])[1])
    out.append(("self-test: no callback, so no approval and no release", (got[19], got[20]) == ("rules", "rules"),
                f"got {got[19]}, {got[20]}"))
    # §12.6 cooling-off (issue 20): carol's release of case 1 counts a day after her approval of
    # the new account; an hour after it, it would not, nor would her own request to release early.
    state = replay([r for r in recs if int(r["seq"]) <= 19])[0]
    refused = []
    for action, details in (("case.release", {}), ("case.release_early", {"reason": "urgent"})):
        state.now = datetime.strptime(by_seq[19]["at"], "%Y-%m-%dT%H:%M:%SZ") + timedelta(hours=1)
        try:
            state.apply_case("carol", action, "case:1", details)
            refused.append(None)
        except Invalid as e:
            refused.append(e.why)
    out.append(("self-test: inside the cooling-off, no release and no early release by the approver",
                refused == ["rules", "rules"], f"got {refused}"))
    # Without alice's disabling clara, clara's receipt of case 2 counts.
    got = verdicts(replay([r for r in recs if r["seq"] != "25"])[1])
    out.append(("self-test: clara, not disabled, receives case 2", got[26] is None, f"got {got[26]}"))
    out.append(("self-test: the vector has faults of each kind",
                {v for v in base.values() if v} == {"signature", "authority", "rules", "malformed"}, f"got {base}"))
    # Issue 20: the name check of the case's account counts (a match: the case stays released);
    # a clerk's does not, nor one that is answered after its statement.
    state, _ = replay([r for r in recs if int(r["seq"]) <= 30])
    out.append(("self-test: the name check of case 1's account is attached, the case still released",
                state.cases[1]["status"] == "released" and not state.cases[1].get("no_match"), f"got {state.cases[1]}"))
    state, _ = replay([r for r in recs if int(r["seq"]) < 30])
    name_check = strict_json(by_seq[30]["details"])
    refused = []
    for actor, changes in (("clara", {}), ("carol", {"answered_at": "2026-12-03T00:00:00Z"})):
        state.now = datetime.strptime(by_seq[30]["at"], "%Y-%m-%dT%H:%M:%SZ")
        try:
            state.apply_case(actor, "case.name_check", "case:1", {**name_check, **changes})
            refused.append(None)
        except Invalid as e:
            refused.append(e.why)
    out.append(("self-test: a name check by a clerk, or answered after its statement, does not count",
                refused == ["rules", "malformed"], f"got {refused}"))
    return out


def main() -> int:
    results = []
    try:
        recs = records(read(VECTOR))
        record_results, state = check_records(recs)
        results.extend(record_results)
        results.append((f"{len(recs)} statements", len(recs) == 31, ""))
        results.extend(check_final_state(state, recs))
        results.extend(self_tests(recs))
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
