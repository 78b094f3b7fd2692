//! Partners and outgoing instructions through Tauri's real IPC path on the mock runtime, with the
//! app's real configuration and capabilities: onboarding with a fingerprint typed wrong then
//! right, the wrong role refused, key rotation (the new fingerprint read back on a call to a number
//! on file) and revocation, issuing our bank details and answering a callback about them. One admin: setup mode, so changes apply
//! at once (tests/changes_ipc.rs has the four-eyes side).
//! The workspace is made with the core; cards and keys come from keys/ (TEST-ONLY).

use countersign_service::OsRng;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

use countersign_service::core::format::card::{CardDetails, PartnerCard};
use countersign_service::core::format::codes::{Challenge, ChallengeResponse, ConfirmationCode};
use countersign_service::core::format::envelope::{Envelope, FileKind};
use countersign_service::core::format::instruction::Instruction;
use countersign_service::core::format::keys::{KeyPair, SecretKeyFile};
use countersign_service::core::format::rotation::RotationStatement;
use countersign_service::core::format::verify::{check_instruction_file, CheckOptions, SingleSigner};
use countersign_service::{Credentials, Role, Workspace};

mod common;
use common::{app_on, fresh_dir, invoke, main_window, refusal_with_message};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../keys");
const GLOBEX_FPR: &str = "36653 67829 08626 49703 65424 09250";
/// Globex's fingerprint with two digits swapped, as a mishearing on the phone would give.
const MISHEARD_FPR: &str = "36653 67829 08626 49730 65424 09250";
const ORG_PASSPHRASE: &str = "TEST-ONLY org demo";

fn password(user: &str) -> String {
    format!("TEST-ONLY {user} demo")
}

/// A workspace with no partners yet: admin alice, clerk carol, our account set. Returns our card.
fn workspace(dir: &Path) -> Vec<u8> {
    let alice = password("alice");
    let mut ws = Workspace::init(
        dir,
        &countersign_service::InitRequest {
            org_name: "Initech GmbH",
            admin_name: "alice",
            org_passphrase: ORG_PASSPHRASE,
            admin_password: &alice,
        },
    )
    .unwrap();
    let admin = ws.login(&Credentials { user: "alice", password: &alice, totp: None }).unwrap();
    ws.add_user(&admin, "carol", Role::Clerk, &password("carol")).unwrap();
    ws.set_org_account(&admin, None, "DE02 1203 0000 0000 2020 51", "BYLADEM1001", "EUR").unwrap();
    ws.org_card(&admin).unwrap()
}

fn login(main: &WebviewWindow<MockRuntime>, user: &str) {
    let who = invoke(main, "login", json!({"request": {"user": user, "password": password(user)}})).unwrap();
    assert_eq!(who["name"], json!(user));
}

fn globex_card() -> String {
    format!("{KEYS}/globex.card")
}

/// Onboarding Globex as the wizard sends it, with `fingerprint` as typed.
fn add_globex(main: &WebviewWindow<MockRuntime>, fingerprint: &str) -> Result<Value, Value> {
    invoke(
        main,
        "add_partner",
        json!({"request": {
            "card_path": globex_card(),
            "confirm_fingerprint": fingerprint,
            "phones": [{"number": "+49 30 1234567", "label": "Accounts receivable"}, {"number": " ", "label": null}], "card_numbers": false,
            "domains": ["globex.example"],
            "country": "DE",
            "iban": "DE89 3704 0044 0532 0130 00",
            "bic": "COBADEFFXXX",
        }}),
    )
}

#[test]
fn onboarding_refuses_a_misheard_fingerprint_and_pins_the_right_one() {
    let dir = fresh_dir("partners-ipc", "onboard");
    workspace(&dir.join("ws"));
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    assert_eq!(refusal_with_message(invoke(&main, "preview_card", json!({"path": globex_card()}))).0, "not_signed_in");
    login(&main, "alice");

    // Step 1: the card, its fingerprint and its QR code; nothing pinned yet.
    let preview = invoke(&main, "preview_card", json!({"path": globex_card()})).unwrap();
    assert_eq!(preview["name"], json!("Globex Corporation"));
    assert_eq!(preview["fingerprint"], json!(GLOBEX_FPR));
    let width = preview["qr"]["width"].as_u64().unwrap() as usize;
    assert_eq!(preview["qr"]["dark"].as_array().unwrap().len(), width * width);
    let payload = preview["qr"]["payload"].as_str().unwrap();
    assert!(payload.starts_with(&format!("countersign:key?fp={}", GLOBEX_FPR.replace(' ', ""))), "{payload}");
    assert_eq!(invoke(&main, "list_partners", json!({})).unwrap(), json!([]));

    // A file that is no card, and a missing file, are named as such.
    assert_eq!(refusal_with_message(invoke(&main, "preview_card", json!({"path": format!("{KEYS}/globex.key")}))).0, "invalid_card");
    assert_eq!(refusal_with_message(invoke(&main, "preview_card", json!({"path": dir.join("none.card")}))).0, "file_unreadable");

    // Step 2: the fingerprint as misheard on the phone: refused with the core's words, nothing
    // pinned; then as read back right.
    let (code, message) =
        refusal_with_message(invoke(&main, "confirm_fingerprint", json!({"cardPath": globex_card(), "fingerprint": MISHEARD_FPR})));
    assert_eq!(code, "check_failed");
    assert!(message.contains("does not match the card") && message.contains("nothing was pinned"), "{message}");
    // The particulars cross as values, for the UI to word the refusal in the user's language.
    let refused = invoke(&main, "confirm_fingerprint", json!({"cardPath": globex_card(), "fingerprint": MISHEARD_FPR})).unwrap_err();
    assert_eq!((&refused["detail"], &refused["values"]["fingerprint"]), (&json!("fingerprint_mismatch"), &json!(GLOBEX_FPR)));
    assert_eq!(refused["values"]["typed"], json!(MISHEARD_FPR));
    assert_eq!(invoke(&main, "list_partners", json!({})).unwrap(), json!([]));
    let confirmed = invoke(&main, "confirm_fingerprint", json!({"cardPath": globex_card(), "fingerprint": GLOBEX_FPR})).unwrap();
    assert_eq!(confirmed, json!(GLOBEX_FPR));
    assert_eq!(invoke(&main, "list_partners", json!({})).unwrap(), json!([]));

    // The last step checks again: a misheard fingerprint sent with the details is refused too.
    let (code, message) = refusal_with_message(add_globex(&main, MISHEARD_FPR));
    assert_eq!(code, "check_failed");
    assert!(message.contains("does not match the card") && message.contains("nothing was pinned"), "{message}");
    assert_eq!(invoke(&main, "list_partners", json!({})).unwrap(), json!([]));

    // Half a known account is refused before the core is asked.
    let mut half = json!({"request": {"card_path": globex_card(), "confirm_fingerprint": GLOBEX_FPR, "phones": [{"number": "+49 30 1234567", "label": null}], "card_numbers": false, "domains": [], "country": null, "iban": "DE89 3704 0044 0532 0130 00", "bic": ""}});
    assert_eq!(refusal_with_message(invoke(&main, "add_partner", half.take())).0, "invalid_input");

    // Read back right (typed without spaces): pinned, with the on-file number and the known account.
    // Alice is the only one who can check changes: setup mode, so it applies at once.
    let outcome = add_globex(&main, &GLOBEX_FPR.replace(' ', "")).unwrap();
    assert_eq!(outcome["outcome"], json!("applied"));
    let partner = outcome["value"].clone();
    assert_eq!(partner["summary"]["name"], json!("Globex Corporation"));
    assert_eq!(partner["summary"]["active_keys"], json!([GLOBEX_FPR]));
    let keys = partner["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["status"], json!("active"));
    assert!(keys[0]["verified_how"].as_str().unwrap().contains("read back out of band"));
    assert_eq!(partner["phones"].as_array().unwrap().len(), 1, "the blank number is dropped");
    assert_eq!(partner["phones"][0]["e164"], json!("+49301234567"));
    // Issue 20: the label the admin typed, and where the number came from, as codes.
    assert_eq!((&partner["phones"][0]["label"], &partner["phones"][0]["source"]), (&json!("Accounts receivable"), &json!("onboarding")));
    assert!(partner["domains"].as_array().unwrap().contains(&json!("globex.example")));
    assert_eq!(partner["accounts"][0]["status"], json!("current"));
    assert_eq!(partner["accounts"][0]["source"], json!("contract"));

    let list = invoke(&main, "list_partners", json!({})).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let id = list[0]["id"].clone();
    // A page at a time (issue 19): at most `limit` after partner `after`; a bad page is refused.
    assert_eq!(invoke(&main, "list_partners", json!({"limit": 1, "after": null})).unwrap(), list);
    assert_eq!(invoke(&main, "list_partners", json!({"limit": 1, "after": id})).unwrap(), json!([]));
    assert_eq!(refusal_with_message(invoke(&main, "list_partners", json!({"limit": 0}))).0, "invalid_input");
    assert_eq!(invoke(&main, "partner_detail", json!({"id": id})).unwrap(), partner);
    assert_eq!(refusal_with_message(invoke(&main, "partner_detail", json!({"id": 999}))).0, "not_found");
    // The same card twice is refused.
    assert_eq!(refusal_with_message(add_globex(&main, GLOBEX_FPR)).0, "invalid_input");
}

#[test]
fn a_clerk_may_look_but_not_onboard_rotate_revoke_or_issue() {
    let dir = fresh_dir("partners-ipc", "role");
    workspace(&dir.join("ws"));
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "alice");
    let id = add_globex(&main, GLOBEX_FPR).unwrap()["value"]["summary"]["id"].clone();
    invoke(&main, "logout", json!({})).unwrap();

    login(&main, "carol");
    assert_eq!(invoke(&main, "list_partners", json!({})).unwrap().as_array().unwrap().len(), 1);
    assert_eq!(invoke(&main, "partner_detail", json!({"id": id})).unwrap()["summary"]["name"], json!("Globex Corporation"));
    let umbrella = json!({"request": {"card_path": format!("{KEYS}/umbrella.card"), "confirm_fingerprint": "29120 23143 23349 64902 21655 85485", "phones": [{"number": "+34 91 555 0102", "label": null}], "card_numbers": false, "domains": [], "country": null, "iban": null, "bic": null}});
    assert_eq!(refusal_with_message(invoke(&main, "add_partner", umbrella)).0, "not_permitted");
    let check = json!({"cardPath": format!("{KEYS}/umbrella.card"), "fingerprint": "29120 23143 23349 64902 21655 85485"});
    assert_eq!(refusal_with_message(invoke(&main, "confirm_fingerprint", check)).0, "not_permitted");
    let statement = dir.join("statement.json");
    std::fs::write(&statement, b"{}").unwrap();
    let rotation =
        json!({"request": {"id": id, "statement_path": statement, "confirm_fingerprint": GLOBEX_FPR, "dialed": "+49 30 1234567"}});
    assert_eq!(refusal_with_message(invoke(&main, "rotate_partner_key", rotation)).0, "not_permitted");
    assert_eq!(refusal_with_message(invoke(&main, "revoke_partner_key", json!({"id": id, "reason": "lost laptop"}))).0, "not_permitted");
    let phone = json!({"id": id, "phone": {"number": "+49 30 7654321", "label": "Treasury"}});
    assert_eq!(refusal_with_message(invoke(&main, "add_partner_phone", phone.clone())).0, "not_permitted");
    assert_eq!(
        refusal_with_message(invoke(&main, "issue_instruction", json!({"request": {"partner_id": id, "passphrase": ORG_PASSPHRASE}}))).0,
        "not_permitted"
    );
    assert_eq!(invoke(&main, "partner_detail", json!({"id": id})).unwrap()["keys"][0]["status"], json!("active"));

    // Issue 20: an admin puts a number on file with its label; it says it came from a change.
    invoke(&main, "logout", json!({})).unwrap();
    login(&main, "alice");
    let added = invoke(&main, "add_partner_phone", phone).unwrap();
    let phones = added["value"]["phones"].as_array().unwrap().clone();
    let treasury = phones.iter().find(|p| p["e164"] == json!("+49307654321")).expect("the number is on file");
    assert_eq!(
        (&treasury["label"], &treasury["source"], &treasury["recorded_by"]),
        (&json!("Treasury"), &json!("change"), &json!("alice"))
    );
}

#[test]
fn rotation_pins_the_new_key_and_revocation_ends_it() {
    let dir = fresh_dir("partners-ipc", "rotate");
    workspace(&dir.join("ws"));
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "alice");
    let id = add_globex(&main, GLOBEX_FPR).unwrap()["value"]["summary"]["id"].clone();

    // Globex's side: a new key, its card, and a statement signed by the current key.
    let old =
        SecretKeyFile::from_bytes(&std::fs::read(format!("{KEYS}/globex.key")).unwrap()).unwrap().unlock(&password("globex")).unwrap();
    let new = KeyPair::generate(&mut OsRng);
    let now = time::OffsetDateTime::now_utc();
    let new_card = PartnerCard::create(&new, CardDetails { name: "Globex Corporation".into(), ..Default::default() }, now).unwrap();
    let statement = dir.join("globex-rotation.json");
    std::fs::write(&statement, RotationStatement::create(&old, &new_card, now).unwrap()).unwrap();
    // A statement signed by a key nobody pinned is refused.
    let stranger = dir.join("stranger-rotation.json");
    std::fs::write(&stranger, RotationStatement::create(&KeyPair::generate(&mut OsRng), &new_card, now).unwrap()).unwrap();
    let new_fpr = new.fingerprint().to_string();
    let rotate = |path: &Path, typed: &str, dialed: &str| {
        invoke(
            &main,
            "rotate_partner_key",
            json!({"request": {"id": id, "statement_path": path, "confirm_fingerprint": typed, "dialed": dialed}}),
        )
    };
    assert_eq!(refusal_with_message(rotate(&stranger, &new_fpr, "+49 30 1234567")).0, "check_failed");
    // The new key's fingerprint must be read back on a call to a number on file.
    let (code, message) = refusal_with_message(rotate(&statement, GLOBEX_FPR, "+49 30 1234567"));
    assert_eq!(code, "check_failed");
    assert!(message.contains("not that of the new key"), "{message}");
    assert_eq!(refusal_with_message(rotate(&statement, &new_fpr, "+49 30 7654321")).0, "not_permitted");
    assert_eq!(invoke(&main, "partner_detail", json!({"id": id})).unwrap()["summary"]["active_keys"], json!([GLOBEX_FPR]));

    let rotated = rotate(&statement, &new_fpr, "+49301234567").unwrap();
    assert_eq!(rotated, json!({"outcome": "applied", "value": new_fpr}));
    let partner = invoke(&main, "partner_detail", json!({"id": id})).unwrap();
    assert_eq!(partner["summary"]["active_keys"], json!([new_fpr]));
    assert_eq!(partner["keys"][0]["fingerprint"], json!(GLOBEX_FPR));
    assert_eq!(partner["keys"][0]["status"], json!("retired"));
    assert_eq!(partner["keys"][1]["status"], json!("active"));
    assert!(partner["keys"][1]["verified_how"].as_str().unwrap().contains("rotation statement"));
    // The old key is retired: the same statement again is refused.
    assert_eq!(refusal_with_message(rotate(&statement, &new_fpr, "+49301234567")).0, "check_failed");

    assert_eq!(refusal_with_message(invoke(&main, "revoke_partner_key", json!({"id": id, "reason": "  "}))).0, "invalid_input");
    let revoked =
        invoke(&main, "revoke_partner_key", json!({"id": id, "fingerprint": null, "reason": "the laptop holding it was stolen"})).unwrap();
    assert_eq!(revoked, json!(new_fpr));
    let partner = invoke(&main, "partner_detail", json!({"id": id})).unwrap();
    assert_eq!(partner["summary"]["active_keys"], json!([]));
    assert_eq!(partner["keys"][1]["status"], json!("revoked"));
    assert!(partner["keys"][1]["status_reason"].as_str().unwrap().contains("the laptop holding it was stolen"));
    // With no active key there is nobody to address an instruction to: refused before any dialog.
    let issue = json!({"request": {"partner_id": id, "passphrase": ORG_PASSPHRASE}});
    assert_eq!(refusal_with_message(invoke(&main, "issue_instruction", issue)).0, "invalid_input");
}

/// Issue 20: a key revocation signed by the partner's pinned recovery key, read from the chosen
/// file, revokes the key at once; one another key signed, or a file that cannot be read, is
/// refused and changes nothing; a clerk may not import one.
#[test]
fn a_revocation_signed_by_the_recovery_key_revokes_the_key_at_once() {
    use countersign_service::core::format::card::CardKeys;
    use countersign_service::core::format::recovery::KeyRevocation;
    let dir = fresh_dir("partners-ipc", "recovery-revocation");
    workspace(&dir.join("ws"));
    let (key, recovery) = (KeyPair::from_seed(&[31; 32]), KeyPair::from_seed(&[32; 32]));
    let now = time::OffsetDateTime::now_utc();
    let keys = CardKeys { callback_key: None, recovery_key: Some(recovery.public_key()) };
    let details = CardDetails { name: "Globex Corporation".into(), ..Default::default() };
    let card = dir.join("globex-v3.card");
    std::fs::write(&card, PartnerCard::create_with_keys(&key, details, keys, now).unwrap().to_bytes()).unwrap();
    let fingerprint = key.fingerprint().to_string();
    let by_recovery = dir.join("revocation.json");
    std::fs::write(&by_recovery, KeyRevocation::create(&recovery, key.fingerprint(), "the signing key was stolen", now).unwrap()).unwrap();
    let stranger = KeyPair::from_seed(&[33; 32]);
    let by_stranger = dir.join("revocation-by-another-key.json");
    std::fs::write(&by_stranger, KeyRevocation::create(&stranger, key.fingerprint(), "the signing key was stolen", now).unwrap()).unwrap();

    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "alice");
    let request = json!({"request": {
        "card_path": card, "confirm_fingerprint": fingerprint,
        "phones": [{"number": "+49 30 1234567", "label": null}], "card_numbers": false,
        "domains": [], "country": "DE", "iban": null, "bic": null,
    }});
    let id = invoke(&main, "add_partner", request).unwrap()["value"]["summary"]["id"].as_i64().unwrap();
    let import = |path: &Path| invoke(&main, "import_key_revocation", json!({"id": id, "statementPath": path}));
    // Signed by a key that is not the recovery key the card pinned.
    assert_eq!(refusal_with_message(import(&by_stranger)).0, "check_failed");
    assert_eq!(refusal_with_message(import(&dir.join("none.json"))).0, "file_unreadable");
    assert_eq!(invoke(&main, "partner_detail", json!({"id": id})).unwrap()["summary"]["active_keys"], json!([fingerprint]));
    invoke(&main, "logout", json!({})).unwrap();
    login(&main, "carol");
    assert_eq!(refusal_with_message(import(&by_recovery)).0, "not_permitted");
    invoke(&main, "logout", json!({})).unwrap();
    login(&main, "alice");
    assert_eq!(import(&by_recovery).unwrap(), json!(fingerprint));
    let partner = invoke(&main, "partner_detail", json!({"id": id})).unwrap();
    assert_eq!(partner["summary"]["active_keys"], json!([]));
    assert_eq!(partner["keys"][0]["status"], json!("revoked"));
}

#[test]
fn issuing_signs_our_account_for_the_partner_and_saves_the_file() {
    let dir = fresh_dir("partners-ipc", "issue");
    let our_card = PartnerCard::parse(&workspace(&dir.join("ws"))).unwrap();
    let exports = dir.join("exports");
    // No dialog on the mock runtime: unattended runs save to COUNTERSIGN_EXPORT_DIR. Only this
    // test in this binary saves a file.
    std::env::set_var("COUNTERSIGN_EXPORT_DIR", &exports);
    let app = app_on(dir.join("ws"));
    let main = main_window(&app);
    login(&main, "alice");
    let id = add_globex(&main, GLOBEX_FPR).unwrap()["value"]["summary"]["id"].clone();

    let wrong = json!({"request": {"partner_id": id, "passphrase": "not the passphrase"}});
    assert_eq!(refusal_with_message(invoke(&main, "issue_instruction", wrong)).0, "authentication_failed");
    assert_eq!(std::fs::read_dir(&exports).map(|d| d.count()).unwrap_or(0), 0, "nothing saved");
    let unknown = json!({"request": {"partner_id": 999, "passphrase": ORG_PASSPHRASE}});
    assert_eq!(refusal_with_message(invoke(&main, "issue_instruction", unknown)).0, "not_found");

    let issued = invoke(&main, "issue_instruction", json!({"request": {"partner_id": id, "passphrase": ORG_PASSPHRASE}})).unwrap();
    assert_eq!(issued["partner_name"], json!("Globex Corporation"));
    assert!(!issued.to_string().contains(ORG_PASSPHRASE), "the passphrase never comes back");
    let code = issued["confirmation_code"].as_str().unwrap();
    assert_eq!(issued["qr"]["payload"], json!(code));
    let saved = PathBuf::from(issued["saved_to"].as_str().unwrap());
    assert!(saved.starts_with(&exports), "{}", saved.display());

    // The file is ours, verifies with our card, is for Globex, and carries the code shown.
    let bytes = std::fs::read(&saved).unwrap();
    let check = check_instruction_file(&bytes, &SingleSigner(our_card.public_key()), &CheckOptions::at(time::OffsetDateTime::now_utc()));
    assert!(check.verified.is_some(), "verifies with our card");
    let envelope = Envelope::parse(&bytes, FileKind::Instruction).unwrap();
    assert_eq!(ConfirmationCode::of_payload(envelope.payload()).to_string(), code);
    let instruction = Instruction::parse(envelope.payload()).unwrap();
    assert_eq!(instruction.recipient.to_string(), GLOBEX_FPR);
    assert_eq!(instruction.id, issued["id"].as_str().unwrap());

    // A second one gets a new name beside the first.
    let again = invoke(&main, "issue_instruction", json!({"request": {"partner_id": id, "passphrase": ORG_PASSPHRASE}})).unwrap();
    assert_ne!(again["saved_to"], issued["saved_to"]);
    assert_ne!(again["confirmation_code"], issued["confirmation_code"]);
    answers_a_callback_about_it(&main, &instruction.id, &bytes);
}

/// The partner's side of a callback about the instruction issued (issue 19): it is in the list of
/// what we issued, a wrong passphrase and a malformed challenge are refused, and a clerk's answer
/// is the response the saved file gives, never carrying the passphrase back.
fn answers_a_callback_about_it(main: &WebviewWindow<MockRuntime>, id: &str, bytes: &[u8]) {
    let listed = invoke(main, "list_issued_instructions", json!({"query": "globex", "limit": 1, "after": null})).unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_ne!(listed["items"][0]["id"], json!(id), "newest first: the second one issued");
    assert!(listed["next"].is_number());
    let older = invoke(main, "list_issued_instructions", json!({"query": null, "limit": 1, "after": listed["next"]})).unwrap();
    assert_eq!((older["items"][0]["id"].clone(), older["items"][0]["standing"].clone()), (json!(id), json!("answerable")));

    let ask = |challenge: &str, passphrase: &str| {
        invoke(main, "answer_callback", json!({"request": {"id": id, "challenge": challenge, "passphrase": passphrase}}))
    };
    assert_eq!(refusal_with_message(ask("305 118", "not the passphrase")).0, "authentication_failed");
    assert_eq!(refusal_with_message(ask("305 11", ORG_PASSPHRASE)).0, "invalid_input");
    invoke(main, "logout", json!({})).unwrap();
    login(main, "carol");
    let answer = ask("305 118", ORG_PASSPHRASE).unwrap();
    let payload = Envelope::parse(bytes, FileKind::Instruction).unwrap().payload().to_vec();
    let expected = ChallengeResponse::compute(Challenge::parse("305118").unwrap(), &payload);
    assert_eq!(answer["response"], json!(expected.to_string()));
    assert_eq!(answer["instruction"]["account_last4"], json!("2051"));
    assert!(!answer.to_string().contains(ORG_PASSPHRASE), "the passphrase never comes back");
}
