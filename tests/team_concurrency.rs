//! Eight desktops at once on one team workspace (issue 17): eight processes, each with its own
//! connection and its own data directory, doing 1,000 mixed operations (receive, callback,
//! approve, release, and one emergency revocation) against one PostgreSQL server. Afterwards: no
//! case released twice, every receipt recorded once, one chain with no gap or fork that
//! `audit verify` finds intact, and every file of the revoked key recorded after the revocation
//! refused with `key_revoked`.
//!
//! The workers are this test binary run again (`worker_process_entry`, which does nothing unless
//! the parent gives it its orders in `COUNTERSIGN_TEAM_WORKER`).

mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use countersign_service::core::cases::flow::{CallbackOutcome, CaseStatus};
use countersign_service::{CallbackReport, Credentials, DatabaseUrl, Location, Workspace};
use serde_json::{json, Value};
use util::{details, password_of, TestDir, DEFAULT_PHONE};

const WORKERS: usize = 8;
const OPERATIONS: usize = 125;
const WORKER_ENV: &str = "COUNTERSIGN_TEAM_WORKER";

const GLOBEX_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const GLOBEX_BIC: &str = "COBADEFFXXX";
const CHANGED_IBAN: &str = "GB82 WEST 1234 5698 7654 32";
const CHANGED_BIC: &str = "NWBKGB2LXXX";
const UMBRELLA_IBAN: &str = "ES91 2100 0418 4502 0005 1332";
const UMBRELLA_BIC: &str = "CAIXESBBXXX";

/// Orders for one worker process.
fn orders(url: &str, dir: &TestDir, worker: usize, files: &[String]) -> Value {
    json!({
        "url": url,
        "root": dir.path(),
        "desk": dir.join(format!("desk-{worker}")),
        "worker": worker,
        "clerk": format!("clerk{}", worker % 2),
        "approver": format!("approver{}", worker % 3),
        "files": files,
    })
}

#[test]
// Long: the set-up, the run and every check of the one scenario, in order.
fn eight_desktops_doing_a_thousand_operations_keep_one_consistent_workspace() {
    let Some(url) = countersign_store::testing::fresh_database() else { return };
    let base = std::env::var(countersign_store::testing::TEST_POSTGRES_ENV).unwrap();
    let url_text = format!("{base}?schema={}", url.schema());
    let dir = TestDir::new();
    let ws = dir.init_team_workspace("alice-desk", &url_text, "Initech GmbH", "alice");
    let globex = dir.keygen_with("Globex Corporation", "globex", &["--country", "DE"]);
    let umbrella = dir.keygen_with("Umbrella Logistics S.L.", "umbrella", &["--country", "ES"]);
    ws.add_partner(&globex, &["--iban", GLOBEX_IBAN, "--bic", GLOBEX_BIC]);
    let umbrella_id = ws.add_partner(&umbrella, &["--iban", UMBRELLA_IBAN, "--bic", UMBRELLA_BIC]);
    for user in ["approver0", "approver1", "approver2"] {
        ws.add_user(user, "approver");
    }
    for user in ["clerk0", "clerk1"] {
        ws.add_user(user, "clerk");
    }
    ws.add_user("frank", "auditor");
    // Each worker's files: ordinary invoices, changed bank details (held), and Umbrella's.
    let (globex_key, umbrella_key) = (dir.unlock(&globex), dir.unlock(&umbrella));
    let now = time::OffsetDateTime::now_utc();
    let mut plans = Vec::new();
    for worker in 0..WORKERS {
        let mut files = Vec::new();
        for i in 0..OPERATIONS {
            let (key, details) = match i % 6 {
                0 | 3 => (&globex_key, details("Globex Corporation", GLOBEX_IBAN, GLOBEX_BIC, "1250.00")),
                1 => (&globex_key, details("Globex Corporation", CHANGED_IBAN, CHANGED_BIC, "48200.00")),
                _ => (&umbrella_key, details("Umbrella Logistics S.L.", UMBRELLA_IBAN, UMBRELLA_BIC, "1840.00")),
            };
            let bytes = util::library_instruction(key, &ws.fingerprint, &details, &format!("W{worker}-{i}"), now, |_| {});
            let name = format!("files/w{worker}-{i}.csi");
            dir.write(&name, bytes);
            files.push(name);
        }
        plans.push(orders(&url_text, &dir, worker, &files));
    }
    let exe = std::env::current_exe().unwrap();
    let workers: Vec<_> = plans
        .iter()
        .map(|plan| {
            std::process::Command::new(&exe)
                .args(["--exact", "worker_process_entry", "--nocapture", "--test-threads=1"])
                .env(WORKER_ENV, plan.to_string())
                .env("COUNTERSIGN_REVOKE_PARTNER", umbrella_id.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut released = Vec::new();
    let mut received = 0;
    let (mut operations, mut approved, mut confirmed) = (0, 0, 0);
    for worker in workers {
        let out = worker.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "a worker failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let report: Value = stdout
            .lines()
            .find_map(|l| l.split_once("REPORT ").map(|(_, r)| r))
            .map(|r| serde_json::from_str(r).unwrap())
            .unwrap_or_else(|| panic!("a worker reported nothing:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
        released.extend(report["released"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()));
        received += report["received"].as_u64().unwrap();
        operations += report["operations"].as_u64().unwrap();
        approved += report["approved"].as_u64().unwrap();
        confirmed += report["confirmed"].as_u64().unwrap();
    }
    assert_eq!(operations, (WORKERS * OPERATIONS) as u64);
    assert!(confirmed > 0 && approved > 0, "the run called back ({confirmed}) and approved ({approved}) held cases");
    check_the_workspace(&url, &dir, released, received, &umbrella.fingerprint);
}

fn check_the_workspace(url: &DatabaseUrl, dir: &TestDir, released: Vec<i64>, received: u64, revoked_signer: &str) {
    let mut ws = Workspace::open_at(&Location::Team { url: url.clone(), local: dir.join("frank-desk") }).unwrap();
    let frank = ws.login(&Credentials { user: "frank", password: &password_of("frank"), totp: None }).unwrap();
    let report = ws.verify_audit(&frank, None).unwrap();
    assert!(report.problem().is_none(), "{:?}", report.problem());
    assert!(report.statements.is_empty() && report.state.is_empty(), "{:?} {:?}", report.statements, report.state);
    let alice = ws.login(&Credentials { user: "alice", password: &password_of("alice"), totp: None }).unwrap();
    let cases = ws.cases(&alice, None).unwrap();
    assert_eq!(cases.len() as u64, received, "every receipt recorded once");
    let unique: BTreeSet<i64> = released.iter().copied().collect();
    assert_eq!(unique.len(), released.len(), "a case released twice: {released:?}");
    let released_rows: BTreeSet<i64> = cases.iter().filter(|c| c.status == CaseStatus::Released).map(|c| c.id).collect();
    assert_eq!(released_rows, unique, "the released cases are those the workers released");
    assert!(!unique.is_empty(), "the run released payments");
    let log = ws.audit_log(&frank, &Default::default()).unwrap().items;
    let mut release_events: BTreeMap<String, usize> = BTreeMap::new();
    for e in log.iter().filter(|e| e.action == "case.release") {
        *release_events.entry(e.subject.clone()).or_default() += 1;
    }
    assert!(release_events.values().all(|n| *n == 1), "{release_events:?}");
    // Every file of the revoked key recorded after the revocation was refused for it.
    let revoked_at = log.iter().find(|e| e.action == "partner.revoke_key").expect("the revocation ran").seq;
    let after: Vec<i64> = log
        .iter()
        .filter(|e| e.action == "instruction.receive" && e.seq > revoked_at)
        .filter_map(|e| e.subject.strip_prefix("case:")?.parse().ok())
        .collect();
    let by_id: BTreeMap<i64, _> = cases.iter().map(|c| (c.id, c)).collect();
    let refused = after.iter().filter(|id| by_id[id].signer.as_deref() == Some(revoked_signer)).count();
    assert!(refused > 0, "files of the revoked key came in after the revocation");
    for id in after {
        let case = by_id[&id];
        if case.signer.as_deref() == Some(revoked_signer) {
            assert!(case.findings.iter().any(|f| f.code.as_str() == "key_revoked"), "case {id} after the revocation: {:?}", case.findings);
        }
    }
}

/// A worker: does nothing unless the parent test gave it orders; then signs in as its clerk and
/// approver (and alice, for the revocation) and works through its files, acting on whatever cases
/// the team has at that moment. Prints `REPORT {…}` at the end.
#[test]
fn worker_process_entry() {
    let Ok(orders) = std::env::var(WORKER_ENV) else { return };
    let orders: Value = serde_json::from_str(&orders).unwrap();
    let text = |k: &str| orders[k].as_str().unwrap().to_string();
    let url = DatabaseUrl::parse(&text("url")).unwrap();
    let root = PathBuf::from(text("root"));
    let mut ws = Workspace::open_at(&Location::Team { url, local: PathBuf::from(text("desk")) }).unwrap();
    let login = |ws: &mut Workspace, user: &str| ws.login(&Credentials { user, password: &password_of(user), totp: None }).unwrap();
    let (clerk, approver) = (login(&mut ws, &text("clerk")), login(&mut ws, &text("approver")));
    let worker = orders["worker"].as_u64().unwrap();
    let files: Vec<String> = orders["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
    let (mut released, mut received, mut confirmed, mut approved) = (Vec::new(), 0, 0, 0);
    for (i, file) in files.iter().enumerate() {
        if worker == 0 && i == OPERATIONS / 3 {
            let alice = login(&mut ws, "alice");
            let partner = std::env::var("COUNTERSIGN_REVOKE_PARTNER").unwrap().parse().unwrap();
            ws.revoke_partner_key(&alice, partner, None, "the key was stolen").unwrap();
        }
        match i % 4 {
            // Receive the next file.
            0 | 1 => {
                let bytes = std::fs::read(root.join(file)).unwrap();
                let results = ws.receive(&clerk, &[(file.clone(), bytes)], None, &mut |_, _| {}).unwrap();
                received += results.iter().filter(|r| r.case_id.is_some()).count() as u64;
            }
            // A callback on a held case, if there is one (another worker may take it first).
            2 => {
                let held = ws.cases(&clerk, Some(CaseStatus::Hold)).unwrap();
                if let Some(case) = held.get(i % held.len().max(1)) {
                    // The case keeps the file's own name; the files are in files/.
                    let file = format!("files/{}", case.file_name);
                    confirmed += u64::from(callback(&mut ws, &clerk, &root, case.id, &file));
                }
                received += receive_one(&mut ws, &clerk, &root, file);
            }
            // Approve a confirmed case, release one that is ready: refusals (another worker was
            // first, or the approver worked the case) are what the service should say.
            _ => {
                if let Some(case) = ws.cases(&approver, Some(CaseStatus::CallbackConfirmed)).unwrap().first() {
                    approved += u64::from(ws.approve(&approver, case.id).is_ok());
                }
                for status in [CaseStatus::Approved, CaseStatus::Accepted] {
                    if let Some(case) = ws.cases(&approver, Some(status)).unwrap().last() {
                        if ws.release(&approver, case.id, None).is_ok() {
                            released.push(case.id);
                        }
                    }
                }
                received += receive_one(&mut ws, &clerk, &root, file);
            }
        }
    }
    let report =
        json!({ "released": released, "received": received, "confirmed": confirmed, "approved": approved, "operations": files.len() });
    println!("REPORT {report}");
}

fn receive_one(ws: &mut Workspace, clerk: &countersign_service::Session, root: &std::path::Path, file: &str) -> u64 {
    let bytes = std::fs::read(root.join(file)).unwrap();
    let results = ws.receive(clerk, &[(file.to_string(), bytes)], None, &mut |_, _| {}).unwrap();
    results.iter().filter(|r| r.case_id.is_some()).count() as u64
}

/// The clerk's callback: a challenge, the partner's `respond` to it (the CLI, with Globex's key),
/// and the response recorded. Another worker may have moved the case meanwhile: then the service
/// refuses, which is what it should do.
fn callback(ws: &mut Workspace, clerk: &countersign_service::Session, root: &std::path::Path, case: i64, file: &str) -> bool {
    let Ok(challenge) = ws.start_callback(clerk, case) else { return false };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_countersign"))
        .current_dir(root)
        .env("COUNTERSIGN_KEY_PASSPHRASE", util::PASSPHRASE)
        .args(["--json", "respond", "--key", "globex.key", "--challenge", &challenge.to_string(), file])
        .output()
        .unwrap();
    let response: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let Some(response) = response["response"].as_str() else { return false };
    let report = CallbackReport {
        dialed: DEFAULT_PHONE,
        reached: "Globex accounts payable",
        response: Some(response),
        outcome: CallbackOutcome::Confirmed,
        note: None,
    };
    ws.record_callback(clerk, case, &report).is_ok()
}
