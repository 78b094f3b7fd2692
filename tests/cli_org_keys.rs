//! Scenario tests of the organisation key's backup and rotation through the CLI (issue 8, item 4):
//! `org backup-key` writes the sealed key file that opens with the passphrase, and `org
//! rotate-key` makes a new key whose rotation statement a partner running Countersign accepts
//! with `partner rotate-key`, exactly as for any partner's rotation. After the rotation an
//! instruction still addressed to the retired key is rejected as `wrong_recipient` (with a
//! message naming our previous key), and one addressed to the new key is accepted.
//!
//! Passphrases come from the environment only: `COUNTERSIGN_PASSPHRASE` (the current one) and
//! `COUNTERSIGN_NEW_ORG_PASSPHRASE` (the new one); standard input is never a terminal here.

mod util;

use util::{details, TestDir, Workspace, DEFAULT_PHONE, ORG_PASSPHRASE, ORG_PASSPHRASE_ENV};

/// Exit codes of CONTRACT.md.
const OK: i32 = 0;
const FAILED: i32 = 1;
const USAGE: i32 = 2;
const NOT_PERMITTED: i32 = 4;

const NEW_ORG_PASSPHRASE_ENV: &str = "COUNTERSIGN_NEW_ORG_PASSPHRASE";
const NEW_ORG_PASSPHRASE: &str = "the next organisation passphrase";

const CONTRACT_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const CONTRACT_BIC: &str = "COBADEFFXXX";

/// `org backup-key --out OUT` as the admin with `passphrase` in the environment.
fn backup(ws: &Workspace<'_>, out: &str, passphrase: &str) -> util::Output {
    ws.cmd(&ws.admin, &["--json", "org", "backup-key", "--out", out]).env(ORG_PASSPHRASE_ENV, passphrase).run()
}

/// `org rotate-key` as the admin, the current and the new passphrase in the environment.
fn rotate(ws: &Workspace<'_>, args: &[&str]) -> util::Output {
    let mut full = vec!["--json", "org", "rotate-key"];
    full.extend_from_slice(args);
    ws.cmd(&ws.admin, &full).env(ORG_PASSPHRASE_ENV, ORG_PASSPHRASE).env(NEW_ORG_PASSPHRASE_ENV, NEW_ORG_PASSPHRASE).run()
}

#[test]
fn backup_key_writes_the_sealed_key_file_that_opens_with_the_passphrase() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let out = backup(&ws, "org-backup.key", ORG_PASSPHRASE).assert_code(OK);
    out.ensure(out.json_str("fingerprint") == ws.fingerprint, "expected our fingerprint");
    // The same format as a partner's BASE.key: `fingerprint` reads it, the library opens it.
    let fpr = dir.countersign(&["--json", "fingerprint", "org-backup.key"]).run().assert_code(OK);
    fpr.ensure(fpr.json_str("fingerprint") == ws.fingerprint, "the backup holds our key");
    let file = countersign_core::format::keys::SecretKeyFile::from_bytes(&dir.read("org-backup.key")).unwrap();
    assert_eq!(file.unlock(ORG_PASSPHRASE).unwrap().fingerprint().to_string(), ws.fingerprint);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("org-backup.key")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a key file is readable by its owner only");
    }
    // Never over an existing file.
    let again = backup(&ws, "org-backup.key", ORG_PASSPHRASE).assert_code(USAGE);
    again.ensure(again.json()["error"]["code"] == "file_exists", "expected file_exists");
}

#[test]
fn backup_key_is_refused_with_a_wrong_passphrase_without_one_and_to_a_clerk() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    let wrong = backup(&ws, "org-backup.key", "not the organisation passphrase").assert_code(NOT_PERMITTED);
    wrong.ensure(wrong.json()["error"]["code"] == "authentication_failed", "expected authentication_failed");
    let missing = ws.admin(&["--json", "org", "backup-key", "--out", "org-backup.key"]).assert_code(USAGE);
    missing.ensure(missing.json()["error"]["code"] == "secret_unavailable", "expected secret_unavailable");
    let clerk = ws
        .cmd("clara", &["--json", "org", "backup-key", "--out", "org-backup.key"])
        .env(ORG_PASSPHRASE_ENV, ORG_PASSPHRASE)
        .run()
        .assert_code(NOT_PERMITTED);
    clerk.ensure(clerk.json()["error"]["code"] == "not_permitted", "expected not_permitted");
    assert!(!dir.exists("org-backup.key"), "nothing written");
}

#[test]
fn rotate_key_makes_a_new_key_that_partners_accept_with_the_statement() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    // Globex runs Countersign too and has pinned us as its partner.
    let globex_ws = dir.init_workspace("globex-ws", "Globex Corporation", "gina");
    let us_at_globex = globex_ws.add_partner(
        &util::KeyFiles { name: "Initech GmbH".into(), key: String::new(), card: ws.card.clone(), fingerprint: ws.fingerprint.clone() },
        &[],
    );

    let out = rotate(&ws, &["--out", "rotation.json", "--new-card-out", "initech-2.card"]).assert_code(OK);
    let json = out.json();
    let new_key = json["new_key"].as_str().unwrap().to_string();
    out.ensure(json["old_key"] == ws.fingerprint.as_str(), "the old key is the one we had");
    out.ensure(new_key != ws.fingerprint, "a new key");
    // Our card is the new one, and the new card file is that card.
    let card = ws.admin(&["--json", "card", "export", "--out", "initech-current.card"]).assert_code(OK);
    card.ensure(card.json_str("fingerprint") == new_key, "card export gives the new key");
    assert_eq!(dir.read("initech-current.card"), dir.read("initech-2.card"));
    // The new passphrase opens the new key; the old one no longer opens anything.
    backup(&ws, "new.key", NEW_ORG_PASSPHRASE).assert_code(OK);
    backup(&ws, "old.key", ORG_PASSPHRASE).assert_code(NOT_PERMITTED);

    // Globex accepts the statement as it would any partner's rotation.
    let id = us_at_globex.to_string();
    let args = [
        "--json",
        "partner",
        "rotate-key",
        &id,
        "--statement",
        "rotation.json",
        "--confirm-fingerprint",
        &new_key,
        "--dialed",
        DEFAULT_PHONE,
    ];
    let accepted = globex_ws.admin(&args).assert_code(OK);
    accepted.ensure(accepted.json_str("new_key") == new_key, "Globex pins our new key");

    // A later rotation starts from the new key.
    let again = ws
        .cmd(&ws.admin, &["--json", "org", "rotate-key", "--out", "rotation-2.json", "--keep-passphrase"])
        .env(ORG_PASSPHRASE_ENV, NEW_ORG_PASSPHRASE)
        .run()
        .assert_code(OK);
    again.ensure(again.json()["old_key"] == new_key.as_str(), "a second rotation starts from the new key");
}

#[test]
fn after_a_rotation_instructions_to_the_retired_key_are_wrong_recipient() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE"]);
    ws.add_partner(&globex, &["--iban", CONTRACT_IBAN, "--bic", CONTRACT_BIC]);
    // Signed for our key before Globex heard of the rotation.
    let usual = details("Globex Corporation", CONTRACT_IBAN, CONTRACT_BIC, "1250.00");
    ws.sign(&globex, &usual, "to-old-key.csi");
    rotate(&ws, &["--out", "rotation.json", "--new-card-out", "initech-2.card"]).assert_code(OK);

    let result = ws.receive("alice", &["to-old-key.csi"]).assert_received(FAILED, "rejected", Some("wrong_recipient"));
    let finding = result["findings"].as_array().unwrap().iter().find(|f| f["code"] == "wrong_recipient").unwrap().clone();
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("our previous key") && message.contains(&ws.fingerprint), "{message}");

    // Signed again for the new card: accepted.
    dir.write_details("DETAILS-2.json", &usual);
    dir.countersign(&[
        "--json",
        "sign",
        "--key",
        &globex.key,
        "--to",
        "initech-2.card",
        "--details",
        "DETAILS-2.json",
        "--out",
        "to-new-key.csi",
    ])
    .passphrase()
    .run()
    .assert_code(OK);
    ws.receive("alice", &["to-new-key.csi"]).assert_received(OK, "accepted", None);
}

#[test]
fn rotate_key_keep_passphrase_and_the_refusals() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    let run = |user: &str, args: &[&str], envs: &[(&str, &str)]| -> util::Output {
        let mut full = vec!["--json", "org", "rotate-key"];
        full.extend_from_slice(args);
        let mut cmd = ws.cmd(user, &full);
        for (k, v) in envs {
            cmd.env(*k, *v);
        }
        cmd.run()
    };
    let error_code = |out: &util::Output| out.json()["error"]["code"].as_str().unwrap_or("").to_string();

    let clerk = run("clara", &["--out", "r.json"], &[(ORG_PASSPHRASE_ENV, ORG_PASSPHRASE), (NEW_ORG_PASSPHRASE_ENV, NEW_ORG_PASSPHRASE)]);
    assert_eq!(error_code(&clerk.assert_code(NOT_PERMITTED)), "not_permitted");
    let wrong =
        run("alice", &["--out", "r.json"], &[(ORG_PASSPHRASE_ENV, "not the passphrase"), (NEW_ORG_PASSPHRASE_ENV, NEW_ORG_PASSPHRASE)]);
    assert_eq!(error_code(&wrong.assert_code(NOT_PERMITTED)), "authentication_failed");
    let weak = run("alice", &["--out", "r.json"], &[(ORG_PASSPHRASE_ENV, ORG_PASSPHRASE), (NEW_ORG_PASSPHRASE_ENV, "short")]);
    assert_eq!(error_code(&weak.assert_code(USAGE)), "invalid_input");
    let no_new = run("alice", &["--out", "r.json"], &[(ORG_PASSPHRASE_ENV, ORG_PASSPHRASE)]);
    assert_eq!(error_code(&no_new.assert_code(USAGE)), "secret_unavailable");
    dir.write("exists.json", "{}");
    let exists = run("alice", &["--out", "exists.json", "--keep-passphrase"], &[(ORG_PASSPHRASE_ENV, ORG_PASSPHRASE)]);
    assert_eq!(error_code(&exists.assert_code(USAGE)), "file_exists");
    assert!(!dir.exists("r.json"));
    let card = ws.admin(&["--json", "card", "export", "--out", "still.card"]).assert_code(OK);
    card.ensure(card.json_str("fingerprint") == ws.fingerprint, "nothing changed");

    // --keep-passphrase: the new key is sealed under the current passphrase.
    let kept = run("alice", &["--out", "r.json", "--keep-passphrase"], &[(ORG_PASSPHRASE_ENV, ORG_PASSPHRASE)]).assert_code(OK);
    let new_key = kept.json_str("new_key");
    let backup = backup(&ws, "kept.key", ORG_PASSPHRASE).assert_code(OK);
    backup.ensure(backup.json_str("fingerprint") == new_key, "the current passphrase opens the new key");
    let text = ws
        .cmd(&ws.admin, &["org", "rotate-key", "--out", "r2.json", "--keep-passphrase"])
        .env(ORG_PASSPHRASE_ENV, ORG_PASSPHRASE)
        .run()
        .assert_code(OK);
    text.ensure(text.stdout().contains("send it to every partner"), "the text output says what to do next");
}
