//! The second factor through the CLI: enrolling TOTP, logging in with the current code,
//! refusing wrong and reused codes, and the policy that requires a second factor for approvers
//! and admins.

mod util;

use std::time::{SystemTime, UNIX_EPOCH};

use countersign_core::auth::totp::{code_at, TotpSecret, STEP_SECONDS};
use util::TestDir;

const ADMIN_PASSWORD: &str = "admin password 1";
const ORG_PASSPHRASE: &str = "organisation passphrase";

fn workspace() -> TestDir {
    let dir = TestDir::new();
    dir.countersign(&["--data-dir", "ws", "init", "--org-name", "Initech GmbH", "--admin", "alice"])
        .env("COUNTERSIGN_PASSPHRASE", ORG_PASSPHRASE)
        .env("COUNTERSIGN_PASSWORD", ADMIN_PASSWORD)
        .run()
        .assert_code(0);
    dir
}

fn as_user(dir: &TestDir, user: &str, password: &str, args: &[&str]) -> util::TestCommand {
    let mut full = vec!["--data-dir", "ws", "--as", user];
    full.extend_from_slice(args);
    let mut cmd = dir.countersign(&full);
    cmd.env("COUNTERSIGN_PASSWORD", password);
    cmd
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Enrols alice and returns her secret.
fn enrol(dir: &TestDir) -> TotpSecret {
    let out = as_user(dir, "alice", ADMIN_PASSWORD, &["--json", "user", "totp-enrol"]).run().assert_code(0);
    let secret = out.json_str("secret");
    TotpSecret::from_base32(&secret).unwrap_or_else(|e| out.fail(&format!("secret does not parse: {e}")))
}

/// A code for the current step that is not about to expire (so the test does not race the clock).
fn fresh_code(secret: &TotpSecret) -> String {
    if now() % STEP_SECONDS > STEP_SECONDS - 3 {
        std::thread::sleep(std::time::Duration::from_secs(4));
    }
    code_at(secret, now())
}

#[test]
fn an_enrolled_user_needs_the_current_code_and_each_code_works_once() {
    let dir = workspace();
    let secret = enrol(&dir);
    as_user(&dir, "alice", ADMIN_PASSWORD, &["partner", "list"]).run().assert_code(4).assert_stderr_contains("COUNTERSIGN_TOTP");
    let wrong = if code_at(&secret, now()) == "000000" { "111111" } else { "000000" };
    as_user(&dir, "alice", ADMIN_PASSWORD, &["partner", "list"]).env("COUNTERSIGN_TOTP", wrong).run().assert_code(4);
    let code = fresh_code(&secret);
    as_user(&dir, "alice", ADMIN_PASSWORD, &["partner", "list"]).env("COUNTERSIGN_TOTP", &code).run().assert_code(0);
    // The same code again, within its 30 seconds: refused, a stolen code cannot be replayed.
    as_user(&dir, "alice", ADMIN_PASSWORD, &["partner", "list"])
        .env("COUNTERSIGN_TOTP", &code)
        .run()
        .assert_code(4)
        .assert_stderr_contains("already used");
}

#[test]
fn the_totp_secret_is_not_stored_in_plain_text() {
    let dir = workspace();
    let secret = enrol(&dir);
    let db = std::fs::read(dir.join("ws/countersign.db")).unwrap();
    let wal = std::fs::read(dir.join("ws/countersign.db-wal")).unwrap_or_default();
    for haystack in [&db, &wal] {
        assert!(!haystack.windows(20).any(|w| w == secret.as_bytes()), "the raw TOTP secret is in the database file");
        let b32 = secret.to_base32();
        assert!(!haystack.windows(b32.len()).any(|w| w == b32.as_bytes()), "the base32 TOTP secret is in the database file");
    }
}

#[test]
fn the_policy_can_require_a_second_factor_for_approvers_and_admins() {
    let dir = workspace();
    as_user(&dir, "alice", ADMIN_PASSWORD, &["user", "add", "--name", "anna", "--role", "approver"])
        .env("COUNTERSIGN_NEW_PASSWORD", "anna password 1")
        .run()
        .assert_code(0);
    as_user(&dir, "alice", ADMIN_PASSWORD, &["user", "add", "--name", "clara", "--role", "clerk"])
        .env("COUNTERSIGN_NEW_PASSWORD", "clara password 1")
        .run()
        .assert_code(0);
    as_user(&dir, "alice", ADMIN_PASSWORD, &["policy", "set", "require_totp_for_approvers", "true"]).run().assert_code(0);
    // An approver without a second factor may do nothing but enrol one.
    as_user(&dir, "anna", "anna password 1", &["case", "list"]).run().assert_code(4).assert_stderr_contains("second factor");
    // Clerks are not affected.
    as_user(&dir, "clara", "clara password 1", &["case", "list"]).run().assert_code(0);
    let out = as_user(&dir, "anna", "anna password 1", &["--json", "user", "totp-enrol"]).run().assert_code(0);
    let secret = TotpSecret::from_base32(&out.json_str("secret")).unwrap();
    as_user(&dir, "anna", "anna password 1", &["case", "list"]).env("COUNTERSIGN_TOTP", fresh_code(&secret)).run().assert_code(0);
}

#[test]
fn a_disabled_user_can_do_nothing() {
    let dir = workspace();
    as_user(&dir, "alice", ADMIN_PASSWORD, &["user", "add", "--name", "clara", "--role", "clerk"])
        .env("COUNTERSIGN_NEW_PASSWORD", "clara password 1")
        .run()
        .assert_code(0);
    as_user(&dir, "alice", ADMIN_PASSWORD, &["user", "disable", "--name", "clara"]).run().assert_code(0);
    as_user(&dir, "clara", "clara password 1", &["case", "list"]).run().assert_code(4).assert_stderr_contains("disabled");
    // Without the password, a disabled account looks like any failed login.
    let guess = as_user(&dir, "clara", "a wrong guess 1", &["case", "list"]).run().assert_code(4);
    guess.ensure(!guess.stderr().contains("disabled"), "a wrong password must not learn that the account is disabled");
    as_user(&dir, "alice", ADMIN_PASSWORD, &["user", "disable", "--name", "alice"]).run().assert_code(2);
    as_user(&dir, "alice", ADMIN_PASSWORD, &["user", "enable", "--name", "clara"]).run().assert_code(0);
    as_user(&dir, "clara", "clara password 1", &["case", "list"]).run().assert_code(0);
}

/// Regression (issue 16): the failure counter was read outside the transaction that raised it,
/// so bursts of parallel wrong passwords (48 guesses) left it at 3 and never locked the account.
/// Every counted failure raises it by one, however many run at once, and the lockout follows.
#[test]
fn parallel_wrong_passwords_each_count_and_lock_the_account() {
    let dir = workspace();
    let bin = assert_cmd::cargo::cargo_bin!("countersign");
    let guesses: Vec<std::process::Child> = (0..12)
        .map(|i| {
            std::process::Command::new(bin)
                .current_dir(dir.path())
                .args(["--data-dir", "ws", "--as", "alice", "--json", "case", "list"])
                .env("COUNTERSIGN_PASSWORD", format!("wrong guess {i}"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("the CLI starts")
        })
        .collect();
    for mut guess in guesses {
        assert_eq!(guess.wait().unwrap().code(), Some(4), "a wrong password exits 4");
    }
    let db = rusqlite::Connection::open(dir.path().join("ws/countersign.db")).unwrap();
    let counter: i64 = db.query_row("SELECT failed_logins FROM users WHERE name = 'alice'", [], |r| r.get(0)).unwrap();
    let counted: i64 = db
        .query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'login.failed' AND details LIKE '%wrong password%'", [], |r| r.get(0))
        .unwrap();
    assert!(counted >= 5, "at least the attempts before the lock were counted: {counted}");
    assert_eq!(counter, counted, "every counted failure raised the counter");
    let locks: i64 = db.query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'user.locked'", [], |r| r.get(0)).unwrap();
    assert!(locks >= 1, "the account was locked");
    as_user(&dir, "alice", ADMIN_PASSWORD, &["case", "list"]).run().assert_code(4);
}
