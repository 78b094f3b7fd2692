//! Scenario tests of recovery keys through the CLI (issue 20, format §4.2): a partner whose signing
//! key was stolen needs a message its customers can trust, and a rotation signed by the stolen key
//! is exactly what the thief would send. Globex keeps an offline recovery key (`keygen
//! --recovery`) and names it on its card (`keygen --recovery-key`); our admin pins that card. Then
//! a rotation signed by the old key alone is refused (`recovery_key_required`) and changes nothing,
//! a rotation the recovery key signed is accepted, and a revocation the recovery key signed revokes
//! the key at once. A card without a recovery key rotates as before. `audit verify` replays it all.

mod util;

use serde_json::Value;

use util::{default_details, pairs, KeyFiles, TestDir, Workspace, DEFAULT_PHONE, FAILED, OK, USAGE};

/// A recovery key made with `keygen --recovery`: its files and fingerprint.
struct RecoveryFiles {
    key: String,
    public: String,
    fingerprint: String,
}

fn recovery_keygen(dir: &TestDir, base: &str) -> RecoveryFiles {
    let out = dir
        .countersign(&["--json", "keygen", "--recovery", "--name", "Globex Corporation", "--out", base])
        .passphrase()
        .run()
        .assert_code(OK);
    out.ensure(out.json()["recovery"] == true, "expected the key marked as a recovery key");
    RecoveryFiles { key: format!("{base}.key"), public: format!("{base}.pub"), fingerprint: out.json_str("fingerprint") }
}

/// Our workspace with Globex onboarded; its card names `recovery` when given.
struct Scene<'a> {
    ws: Workspace<'a>,
    globex: KeyFiles,
    id: String,
}

fn scene<'a>(dir: &'a TestDir, recovery: Option<&RecoveryFiles>) -> Scene<'a> {
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let mut extra = vec!["--country", "DE"];
    if let Some(r) = recovery {
        extra.extend(["--recovery-key", r.public.as_str()]);
    }
    let globex = dir.keygen_with("Globex Corporation", "globex", &extra);
    let id = ws.add_partner(&globex, &[]).to_string();
    Scene { ws, globex, id }
}

impl Scene<'_> {
    /// `partner rotate-key ID --statement FILE` with the new key read back on the number on file.
    fn rotate_key(&self, statement: &str, new: &KeyFiles) -> util::Output {
        let args = [
            "--json",
            "partner",
            "rotate-key",
            &self.id,
            "--statement",
            statement,
            "--confirm-fingerprint",
            &new.fingerprint,
            "--dialed",
            DEFAULT_PHONE,
        ];
        self.ws.admin(&args)
    }

    /// The keys of `partner show` as (fingerprint, status).
    fn keys(&self) -> Vec<(String, String)> {
        let show = self.ws.partner_show(self.id.parse().unwrap());
        let keys = show["keys"].as_array().unwrap_or_else(|| panic!("no keys in {show:#}"));
        keys.iter().map(|k| (k["fingerprint"].as_str().unwrap().to_string(), k["status"].as_str().unwrap().to_string())).collect()
    }

    /// `audit verify` finds every row backed by the statements.
    fn audit_verifies(&self) {
        self.ws.admin(&["audit", "verify"]).assert_code(OK);
    }
}

/// `revoke --with-recovery KEY --key-fingerprint FPR --reason "signing key stolen" --out OUT`.
fn revoke_with_recovery(dir: &TestDir, key: &str, fingerprint: &str, out: &str) -> util::Output {
    let mut cmd = dir.countersign(&["--json", "revoke", "--with-recovery", key, "--key-fingerprint", fingerprint]);
    cmd.args(&["--reason", "signing key stolen", "--out", out]).passphrase();
    cmd.run()
}

/// `rotate --with-recovery KEY --replaces FPR --new CARD --out OUT`.
fn rotate_with_recovery(dir: &TestDir, key: &str, replaces: &str, card: &str, out: &str) -> util::Output {
    dir.countersign(&["--json", "rotate", "--with-recovery", key, "--replaces", replaces, "--new", card, "--out", out]).passphrase().run()
}

#[test]
fn a_stolen_signing_key_cannot_rotate_away_a_key_that_has_a_recovery_key() {
    let dir = TestDir::new();
    let recovery = recovery_keygen(&dir, "globex-recovery");
    let s = scene(&dir, Some(&recovery));
    let show = s.ws.partner_show(s.id.parse().unwrap());
    assert_eq!(show["recovery_key"]["fingerprint"], recovery.fingerprint.as_str(), "{show:#}");
    // The thief makes a key of their own and signs a rotation with the stolen key.
    let thief = dir.keygen_with("Globex Corporation", "thief", &["--country", "DE"]);
    dir.countersign(&["rotate", "--key", &s.globex.key, "--new", &thief.card, "--out", "stolen.json"]).passphrase().run().assert_code(OK);
    let refused = s.rotate_key("stolen.json", &thief).assert_code(FAILED).assert_stderr_contains("recovery key");
    assert_eq!(refused.json()["error"]["code"], "recovery_key_required", "{refused}");
    assert_eq!(s.keys(), pairs(&[(&s.globex.fingerprint, "active")]), "nothing changed");
    let log = s.ws.admin(&["--json", "audit", "log"]).assert_code(OK);
    log.ensure(log.stdout().contains("partner.rotate_key_refused"), "expected the refusal logged");
    s.audit_verifies();
}

#[test]
fn the_recovery_key_rotates_the_signing_key_and_names_a_recovery_key_again() {
    let dir = TestDir::new();
    let recovery = recovery_keygen(&dir, "globex-recovery");
    let s = scene(&dir, Some(&recovery));
    let new = dir.keygen_with("Globex Corporation", "globex-2027", &["--country", "DE", "--recovery-key", &recovery.key]);
    let args =
        ["--json", "rotate", "--with-recovery", &recovery.key, "--replaces", &s.globex.fingerprint, "--new", &new.card, "--out", "r.json"];
    let made = dir.countersign(&args).passphrase().run().assert_code(OK);
    made.ensure(made.json()["recovery_key"] == recovery.fingerprint.as_str(), "expected the recovery key named");
    // Signed by another key than the pinned recovery key: refused.
    let other = recovery_keygen(&dir, "other-recovery");
    rotate_with_recovery(&dir, &other.key, &s.globex.fingerprint, &new.card, "f.json").assert_code(OK);
    s.rotate_key("f.json", &new).assert_code(FAILED).assert_stderr_contains("not by partner");
    assert_eq!(s.keys(), pairs(&[(&s.globex.fingerprint, "active")]));
    let out = s.rotate_key("r.json", &new).assert_code(OK);
    out.ensure(out.json()["new_key"] == new.fingerprint.as_str(), "expected the new key pinned");
    assert_eq!(s.keys(), pairs(&[(&s.globex.fingerprint, "retired"), (&new.fingerprint, "active")]));
    let show = s.ws.partner_show(s.id.parse().unwrap());
    assert_eq!(show["recovery_key"]["fingerprint"], recovery.fingerprint.as_str(), "{show:#}");
    s.ws.sign(&new, &default_details(), "new.csi");
    s.ws.verify("alice", "new.csi").assert_verdict(3, "hold", Some("recent_key_rotation"));
    s.audit_verifies();
}

#[test]
fn a_recovery_revocation_makes_the_next_instruction_by_the_revoked_key_key_revoked() {
    let dir = TestDir::new();
    let recovery = recovery_keygen(&dir, "globex-recovery");
    let s = scene(&dir, Some(&recovery));
    // Signed by another recovery key than the one pinned: refused, nothing changed.
    let other = recovery_keygen(&dir, "other-recovery");
    revoke_with_recovery(&dir, &other.key, &s.globex.fingerprint, "forged.json").assert_code(OK);
    s.ws.admin(&["partner", "revoke-key", &s.id, "--statement", "forged.json"])
        .assert_code(FAILED)
        .assert_stderr_contains("not by partner");
    assert_eq!(s.keys(), pairs(&[(&s.globex.fingerprint, "active")]));
    revoke_with_recovery(&dir, &recovery.key, &s.globex.fingerprint, "revocation.json").assert_code(OK);
    let out = s.ws.admin(&["--json", "partner", "revoke-key", &s.id, "--statement", "revocation.json"]).assert_code(OK);
    out.ensure(out.json()["revoked"] == s.globex.fingerprint.as_str(), "expected the signing key revoked");
    assert_eq!(s.keys(), pairs(&[(&s.globex.fingerprint, "revoked")]));
    s.ws.sign(&s.globex, &default_details(), "after.csi");
    s.ws.receive("alice", &["after.csi"]).assert_received(FAILED, "rejected", Some("key_revoked"));
    // Then the recovery key names a successor for the revoked key.
    let new = dir.keygen_with("Globex Corporation", "globex-2027", &["--country", "DE", "--recovery-key", &recovery.public]);
    rotate_with_recovery(&dir, &recovery.key, &s.globex.fingerprint, &new.card, "r.json").assert_code(OK);
    let args =
        ["partner", "rotate-key", &s.id, "--statement", "r.json", "--confirm-fingerprint", &new.fingerprint, "--dialed", DEFAULT_PHONE];
    s.ws.admin(&args).assert_code(OK).assert_stdout_contains("the previous key is revoked");
    assert_eq!(s.keys(), pairs(&[(&s.globex.fingerprint, "revoked"), (&new.fingerprint, "active")]));
    s.audit_verifies();
}

#[test]
fn a_recovery_revocation_for_a_partner_without_a_recovery_key_is_refused_and_a_signing_key_is_no_recovery_key() {
    let dir = TestDir::new();
    let recovery = recovery_keygen(&dir, "globex-recovery");
    let s = scene(&dir, None);
    let show = s.ws.partner_show(s.id.parse().unwrap());
    assert_eq!(show["recovery_key"], Value::Null, "{show:#}");
    let text = s.ws.admin(&["partner", "show", &s.id]).assert_code(OK);
    text.ensure(text.stdout().contains("a stolen signing key could rotate"), "expected the missing recovery key said");
    revoke_with_recovery(&dir, &recovery.key, &s.globex.fingerprint, "revocation.json").assert_code(OK);
    s.ws.admin(&["partner", "revoke-key", &s.id, "--statement", "revocation.json"])
        .assert_code(FAILED)
        .assert_stderr_contains("no recovery key");
    assert_eq!(s.keys(), pairs(&[(&s.globex.fingerprint, "active")]));
    // A signing key's file is not a recovery key.
    revoke_with_recovery(&dir, &s.globex.key, &s.globex.fingerprint, "x.json")
        .assert_code(USAGE)
        .assert_stderr_contains("not a recovery key");
}

#[test]
fn a_card_without_a_recovery_key_still_rotates_as_before() {
    let dir = TestDir::new();
    let s = scene(&dir, None);
    let new = dir.keygen_with("Globex Corporation", "globex-2027", &["--country", "DE"]);
    dir.countersign(&["rotate", "--key", &s.globex.key, "--new", &new.card, "--out", "r.json"]).passphrase().run().assert_code(OK);
    s.rotate_key("r.json", &new).assert_code(OK);
    assert_eq!(s.keys(), pairs(&[(&s.globex.fingerprint, "retired"), (&new.fingerprint, "active")]));
    s.audit_verifies();
}

#[test]
fn a_recovery_key_never_signs_an_instruction() {
    let dir = TestDir::new();
    let recovery = recovery_keygen(&dir, "globex-recovery");
    let s = scene(&dir, Some(&recovery));
    dir.write_details("DETAILS.json", &default_details());
    let sign = ["sign", "--key", &recovery.key, "--to", &s.ws.card, "--details", "DETAILS.json", "--out", "x.csi"];
    dir.countersign(&sign).passphrase().run().assert_code(USAGE).assert_stderr_contains("this is a recovery key");
    assert!(!dir.exists("x.csi"), "nothing signed");
    let fp = dir.countersign(&["--json", "fingerprint", &recovery.key]).run().assert_code(OK);
    assert_eq!(fp.json_str("fingerprint"), recovery.fingerprint);
}

/// The key a recovery revocation revoked, set back to active by hand in the database file: the
/// next instruction it signs is refused (`state_unverified`), and `audit verify` names the
/// `partner.recovery_revoke_key` statement the row contradicts.
#[test]
fn a_key_revoked_by_the_recovery_key_and_restored_by_hand_verifies_nothing() {
    let dir = TestDir::new();
    let recovery = recovery_keygen(&dir, "globex-recovery");
    let s = scene(&dir, Some(&recovery));
    revoke_with_recovery(&dir, &recovery.key, &s.globex.fingerprint, "revocation.json").assert_code(OK);
    s.ws.admin(&["--json", "partner", "revoke-key", &s.id, "--statement", "revocation.json"]).assert_code(OK);
    let db = rusqlite::Connection::open(dir.join("ws/countersign.db")).unwrap();
    db.execute_batch("UPDATE partner_keys SET status = 'active', status_reason = NULL WHERE partner_id = 1").unwrap();
    drop(db);
    s.ws.sign(&s.globex, &default_details(), "after.csi");
    let refused = s.ws.receive("alice", &["after.csi"]).assert_code(FAILED);
    assert_eq!(refused.json()["error"]["code"], "state_unverified", "{refused}");
    let out = s.ws.admin(&["--json", "audit", "verify"]).assert_code(FAILED);
    let report = out.json();
    let mismatch = report["state_mismatches"].as_array().and_then(|all| all.iter().find(|m| m["table"] == "partner_keys").cloned());
    let mismatch = mismatch.unwrap_or_else(|| out.fail("expected a mismatch of partner_keys"));
    let log = s.ws.admin(&["--json", "audit", "log", "--action", "partner.recovery_revoke_key"]).assert_code(OK).json();
    assert_eq!(mismatch["event"], log[0]["seq"], "{mismatch} {log}");
}
