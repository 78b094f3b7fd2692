//! The app's commands invoked through Tauri's real IPC path on the mock runtime (no display
//! needed), with the app's real configuration and capabilities: what is allowed here is what the
//! UI is allowed, and what is refused here is refused in the app.

use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

use std::path::PathBuf;

use serde_json::{json, Value};

/// A new, empty directory for one test.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("countersign-ipc-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Invokes `cmd` with JSON `args` from the main window's own page; the command's `Ok` value or
/// its `{code, message}` error.
fn invoke(main: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let mut req = request(cmd, "tauri://localhost");
    req.body = InvokeBody::Json(args);
    get_ipc_response(main, req).map(|r| r.deserialize::<Value>().unwrap())
}

fn code(result: Result<Value, Value>) -> String {
    match result {
        Err(e) => {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "a message: {e}");
            e["code"].as_str().expect("a code").to_string()
        }
        Ok(v) => panic!("expected an error, got {v}"),
    }
}

const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// First run through the commands: no workspace, create one, then sign in as its admin.
fn first_run(main: &WebviewWindow<MockRuntime>) {
    let status = invoke(main, "workspace_status", json!({})).unwrap();
    assert_eq!(status["exists"], json!(false));
    let created = invoke(
        main,
        "create_workspace",
        json!({"request": {"org_name": "Initech GmbH", "admin": "alice", "passphrase": "TEST-ONLY organisation passphrase", "password": ADMIN_PASSWORD}}),
    )
    .unwrap();
    assert_eq!(created["exists"], json!(true));
    assert_eq!(created["org_name"], json!("Initech GmbH"));
    // The admin is signed in straight away; the tests that follow start signed out.
    assert_eq!(created["user"]["name"], json!("alice"));
    assert_eq!(
        invoke(
            main,
            "case_page",
            json!({"request": {"status": null, "search": "", "sort": "number", "descending": true, "limit": 100, "after": null}})
        )
        .unwrap(),
        json!({"cases": [], "next": null})
    );
    invoke(main, "logout", json!({})).unwrap();
}

/// "Switch user" (issue 19): another person signs in over the open window. A refused attempt
/// (wrong password) leaves the user who was signed in; a right one replaces them, and the core
/// answers for the new user from then on (a clerk may not add users).
#[test]
fn switch_user_replaces_the_session_only_when_the_new_login_succeeds() {
    let app = app_on(fresh_dir("switch-user"));
    let main = window(&app, "main");
    first_run(&main);
    let anyone = json!({"request": {"user": "alice", "password": ADMIN_PASSWORD}});
    assert_eq!(code(invoke(&main, "switch_user", anyone.clone())), "not_signed_in", "switching needs someone signed in");
    invoke(&main, "login", anyone).unwrap();
    let clerk = json!({"request": {"name": "carol", "role": "clerk", "password": "carol's long password"}});
    invoke(&main, "add_user", clerk).unwrap();

    let wrong = json!({"request": {"user": "carol", "password": "not her password", "totp": null}});
    assert_eq!(code(invoke(&main, "switch_user", wrong)), "authentication_failed");
    assert_eq!(invoke(&main, "workspace_status", json!({})).unwrap()["user"]["name"], json!("alice"), "a refused switch keeps alice");

    let carol = invoke(&main, "switch_user", json!({"request": {"user": "carol", "password": "carol's long password"}})).unwrap();
    assert_eq!((&carol["name"], &carol["role"]), (&json!("carol"), &json!("clerk")));
    assert_eq!(invoke(&main, "workspace_status", json!({})).unwrap()["user"], carol);
    let another = json!({"request": {"name": "dave", "role": "clerk", "password": "dave's long password"}});
    assert_eq!(code(invoke(&main, "add_user", another)), "not_permitted", "the core decides for carol now");
}

#[test]
fn first_run_creates_a_workspace_then_login_logout() {
    let app = app_on(fresh_dir("first-run"));
    let main = window(&app, "main");
    first_run(&main);

    assert_eq!(
        code(invoke(
            &main,
            "case_page",
            json!({"request": {"status": null, "search": "", "sort": "number", "descending": true, "limit": 100, "after": null}})
        )),
        "not_signed_in"
    );
    let wrong = json!({"request": {"user": "alice", "password": "wrong password here", "totp": null}});
    assert_eq!(code(invoke(&main, "login", wrong)), "authentication_failed");
    let user = invoke(&main, "login", json!({"request": {"user": "alice", "password": ADMIN_PASSWORD}})).unwrap();
    assert_eq!((&user["name"], &user["role"]), (&json!("alice"), &json!("admin")));
    assert!(user["permissions"].as_array().unwrap().contains(&json!("partner.add")), "{user}");
    assert_eq!(invoke(&main, "workspace_status", json!({})).unwrap()["user"], user);
    assert_eq!(
        invoke(
            &main,
            "case_page",
            json!({"request": {"status": null, "search": "", "sort": "number", "descending": true, "limit": 100, "after": null}})
        )
        .unwrap(),
        json!({"cases": [], "next": null})
    );
    assert_eq!(
        code(invoke(
            &main,
            "case_page",
            json!({"request": {"status": "bogus", "search": "", "sort": "number", "descending": true, "limit": 100, "after": null}})
        )),
        "invalid_input"
    );
    // The search and the page are checked by the core as the CLI's are: nine words, no page.
    for (search, limit) in [("a b c d e f g h i", 100), ("", 0)] {
        let request =
            json!({"request": {"status": null, "search": search, "sort": "amount", "descending": false, "limit": limit, "after": null}});
        assert_eq!(code(invoke(&main, "case_page", request)), "invalid_input", "{search:?} {limit}");
    }

    invoke(&main, "logout", json!({})).unwrap();
    assert_eq!(code(invoke(&main, "case_detail", json!({"id": 1}))), "not_signed_in");
}

#[test]
fn creating_a_second_workspace_is_refused_and_weak_secrets_are_named() {
    let app = app_on(fresh_dir("second"));
    let main = window(&app, "main");
    let weak = json!({"request": {"org_name": "X", "admin": "alice", "passphrase": "short", "password": ADMIN_PASSWORD}});
    assert_eq!(code(invoke(&main, "create_workspace", weak)), "invalid_input");
    let same = json!({"request": {"org_name": "X", "admin": "alice", "passphrase": ADMIN_PASSWORD, "password": ADMIN_PASSWORD}});
    assert_eq!(code(invoke(&main, "create_workspace", same)), "invalid_input", "the passphrase may not be the password");
    first_run(&main);
    let again = json!({"request": {"org_name": "Y", "admin": "bob", "passphrase": "TEST-ONLY organisation passphrase", "password": ADMIN_PASSWORD}});
    assert_eq!(code(invoke(&main, "create_workspace", again)), "workspace_exists");
}

fn app() -> App<MockRuntime> {
    app_on(fresh_dir("unused"))
}

/// An app whose workspace directory is `dir` (which may hold no workspace yet).
fn app_on(dir: PathBuf) -> App<MockRuntime> {
    countersign_app::with_commands(mock_builder())
        .manage(countersign_app::AppState::new(dir))
        .build(tauri::generate_context!(test = true))
        .expect("the app builds on the mock runtime")
}

fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, Default::default()).build().expect("a mock window")
}

/// An invoke as the UI's `invoke(cmd)` sends it. On Linux the app's own pages are served from
/// `tauri://localhost`; a request from any other origin is not the app's.
fn request(cmd: &str, url: &str) -> InvokeRequest {
    InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: url.parse().unwrap(),
        body: InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

#[test]
fn app_info_returns_the_name_and_the_app_crate_version() {
    let app = app();
    let main = window(&app, "main");
    let response = get_ipc_response(&main, request("app_info", "tauri://localhost")).expect("app_info is granted to the main window");
    assert_eq!(
        response.deserialize::<serde_json::Value>().unwrap(),
        serde_json::json!({"name": "Countersign", "version": env!("CARGO_PKG_VERSION")})
    );
}

#[test]
fn a_window_other_than_main_is_refused() {
    let app = app();
    let other = window(&app, "other");
    let refused = get_ipc_response(&other, request("app_info", "tauri://localhost"));
    assert_not_allowed(refused);
}

#[test]
fn a_remote_page_in_the_main_window_is_refused() {
    let app = app();
    let main = window(&app, "main");
    let refused = get_ipc_response(&main, request("app_info", "https://attacker.invalid"));
    assert_not_allowed(refused);
}

#[test]
fn core_plugins_are_not_granted() {
    let app = app();
    let main = window(&app, "main");
    let refused = get_ipc_response(&main, request("plugin:app|version", "tauri://localhost"));
    assert_not_allowed(refused);
}

/// Refused by the capability check, not failed for another reason (an unknown command, say).
fn assert_not_allowed(response: Result<tauri::ipc::InvokeResponseBody, serde_json::Value>) {
    match response {
        Err(serde_json::Value::String(message)) => {
            assert!(message.contains("not allowed"), "refused with: {message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

mod flow {
    //! A payment from receipt to release through every command, on a workspace made with the
    //! core (partners from keys/, one user per role) and instructions signed with keys/.

    use super::*;
    use countersign_service::core::format::codes::{Challenge, ChallengeResponse};
    use countersign_service::core::format::envelope::{Envelope, FileKind};
    use countersign_service::core::format::keys::SecretKeyFile;
    use countersign_service::{Credentials, NewPartner, Outcome, Role, Workspace};

    const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../keys");
    const GLOBEX_FPR: &str = "36653 67829 08626 49703 65424 09250";
    const ON_FILE: &str = "+49 30 1234567";

    fn password(user: &str) -> String {
        format!("TEST-ONLY {user} demo")
    }

    /// The workspace of the demo, made with the core; returns our fingerprint.
    fn workspace(dir: &std::path::Path) -> String {
        let alice = password("alice");
        let mut ws = Workspace::init(
            dir,
            &countersign_service::InitRequest {
                org_name: "Initech GmbH",
                admin_name: "alice",
                org_passphrase: "TEST-ONLY org demo",
                admin_password: &alice,
            },
        )
        .unwrap();
        let admin = ws.login(&Credentials { user: "alice", password: &alice, totp: None }).unwrap();
        // In setup mode (alice alone can check changes) our account and the partner apply at once.
        ws.set_org_account(&admin, None, "DE02 1203 0000 0000 2020 51", "BYLADEM1001", "EUR").unwrap();
        let card = std::fs::read(format!("{KEYS}/globex.card")).unwrap();
        ws.add_partner(
            &admin,
            &NewPartner {
                card: &card,
                confirm_fingerprint: GLOBEX_FPR,
                phones: &[countersign_service::NewNumber::plain(ON_FILE)],
                card_numbers: false,
                domains: &[],
                country: Some("DE"),
                known_account: Some(("DE89 3704 0044 0532 0130 00", "COBADEFFXXX")),
            },
        )
        .unwrap();
        for (user, role) in [("carol", Role::Clerk), ("dave", Role::Approver)] {
            ws.add_user(&admin, user, role, &password(user)).unwrap();
        }
        // With dave, two can check: erin, a second approver, waits for dave (four eyes).
        let Outcome::Pending(erin) = ws.add_user(&admin, "erin", Role::Approver, &password("erin")).unwrap() else {
            panic!("adding an approver after setup is a pending change");
        };
        let dave = password("dave");
        let dave = ws.login(&Credentials { user: "dave", password: &dave, totp: None }).unwrap();
        ws.approve_change(&dave, erin.id).unwrap();
        ws.org_fingerprint().unwrap().to_string()
    }

    /// The policy's cooling-off set to 0 hours on the workspace in `dir` (a loosening: alice
    /// proposes it, dave approves), through the service as another desktop would.
    fn no_cooling_off(dir: &std::path::Path) {
        let mut ws = Workspace::open(dir).unwrap();
        let login = |ws: &mut Workspace, user: &str| ws.login(&Credentials { user, password: &password(user), totp: None }).unwrap();
        let alice = login(&mut ws, "alice");
        let policy = countersign_service::WorkspacePolicy { cooling_off_hours: 0, ..ws.policy().unwrap() };
        let Outcome::Pending(change) = ws.set_policy(&alice, &policy).unwrap() else { panic!("a loosening waits for a second person") };
        let dave = login(&mut ws, "dave");
        ws.approve_change(&dave, change.id).unwrap();
    }

    /// An instruction from Globex (signed with its TEST-ONLY key) to pay `iban`.
    fn instruction(us: &str, iban: &str, bic: &str, id: &str) -> Vec<u8> {
        let key = SecretKeyFile::from_bytes(&std::fs::read(format!("{KEYS}/globex.key")).unwrap())
            .unwrap()
            .unlock("TEST-ONLY globex demo")
            .unwrap();
        let details = json!({"beneficiary_name": "Globex Corporation", "iban": iban, "bic": bic, "currency": "EUR", "amount": "12950.00", "reference": id});
        let details = countersign_service::core::format::instruction::Details::from_json(details.to_string().as_bytes()).unwrap();
        let us = countersign_service::core::format::fingerprint::Fingerprint::parse_canonical(us).unwrap();
        let instruction = details.to_instruction(id.to_string(), key.fingerprint(), us, time::OffsetDateTime::now_utc()).unwrap();
        Envelope::sign(FileKind::Instruction, &key, instruction.to_payload_bytes()).to_bytes()
    }

    fn login(main: &WebviewWindow<MockRuntime>, user: &str) {
        let who = invoke(main, "login", json!({"request": {"user": user, "password": password(user)}})).unwrap();
        assert_eq!(who["name"], json!(user));
    }

    /// The channel argument as the UI's `new Channel()` serialises it.
    const CHANNEL: &str = "__CHANNEL__:7";

    /// The signed-in user's work queue: each step with the ids of the cases waiting for it.
    fn waiting(main: &WebviewWindow<MockRuntime>) -> Vec<(String, Vec<i64>)> {
        let queue = invoke(main, "work_queue", json!({})).unwrap();
        let ids = |g: &Value| g["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        queue["groups"].as_array().unwrap().iter().map(|g| (g["step"].as_str().unwrap().to_string(), ids(g))).collect()
    }

    // Long: one payment through every command in order; each step reads what the one before left.
    #[test]
    fn a_payment_from_receipt_to_release_through_every_command() {
        let dir = fresh_dir("flow");
        let us = workspace(&dir.join("ws"));
        let changed = dir.join("globex-7760.json");
        std::fs::write(&changed, instruction(&us, "GB82 WEST 1234 5698 7654 32", "WESTGB2L", "INV-7760")).unwrap();
        let same = dir.join("globex-7761.json");
        std::fs::write(&same, instruction(&us, "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "INV-7761")).unwrap();
        std::env::set_var("COUNTERSIGN_EXPORT_DIR", dir.join("exports"));

        let app = app_on(dir.join("ws"));
        let main = window(&app, "main");
        assert_eq!(invoke(&main, "workspace_status", json!({})).unwrap()["org_name"], json!("Initech GmbH"));
        login(&main, "dave");
        assert_eq!(invoke(&main, "watch_drops", json!({"channel": "__CHANNEL__:8"})).unwrap(), Value::Null);

        // Receive: the changed account is held with its finding; the unchanged one is accepted.
        let missing = invoke(&main, "receive_files", json!({"paths": [dir.join("nope.json")], "progress": CHANNEL}));
        assert_eq!(code(missing), "file_unreadable");
        let received = invoke(&main, "receive_files", json!({"paths": [&changed, &same], "progress": CHANNEL})).unwrap();
        assert_eq!(received[0]["verdict"], json!("hold"));
        assert_eq!(received[1]["verdict"], json!("accepted"));
        let codes: Vec<&str> = received[0]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"bank_details_changed"), "{codes:?}");
        let held = received[0]["case_id"].as_i64().unwrap();
        let clean = received[1]["case_id"].as_i64().unwrap();

        let on_hold = invoke(
            &main,
            "case_page",
            json!({"request": {"status": "hold", "search": "12950.00", "sort": "number", "descending": true, "limit": 100, "after": null}}),
        )
        .unwrap();
        assert_eq!((on_hold["cases"].as_array().unwrap().len(), &on_hold["next"]), (1, &json!(null)));
        assert_eq!(on_hold["cases"][0]["partner"], json!("Globex Corporation"));
        assert_eq!(on_hold["cases"][0]["amount"], json!("12950.00 EUR"));

        let view = invoke(&main, "case_detail", json!({"id": held})).unwrap();
        assert_eq!(view["summary"]["status"], json!("hold"));
        assert_eq!(view["on_file_account"]["display"], json!("DE89 3704 0044 0532 0130 00"));
        assert_eq!(view["pays_account_on_file"], json!(false), "the held case pays another account than the one on file");
        assert_eq!(view["on_file_numbers"][0]["e164"], json!("+49301234567"));
        assert!(view["timeline"].as_array().unwrap().iter().any(|e| e["action"] == json!("instruction.receive")));
        assert_eq!(code(invoke(&main, "case_detail", json!({"id": 999}))), "not_found");
        // The particulars cross as values, for the UI to word the error in the user's language.
        let missing = invoke(&main, "case_detail", json!({"id": 999})).unwrap_err();
        assert_eq!((&missing["detail"], &missing["values"]), (&json!("case"), &json!({"case": "999"})));
        assert_eq!(missing["message"], json!("no case with id 999"), "the English sentence is kept");
        assert_eq!(view["next_steps"], json!(["call_back", "reject"]), "what the core offers dave (approver) on a held case");
        // The accepted case is over the approval threshold and dave received it: not his to approve.
        assert_eq!(
            waiting(&main),
            [("call_back".into(), vec![held]), ("approve".into(), vec![]), ("release".into(), vec![]), ("reopen".into(), vec![])]
        );

        // The callback: a number not on file, a wrong response, then the right one.
        let script = invoke(&main, "start_callback", json!({"id": held})).unwrap();
        assert_eq!(script["account_last4"], json!("5432"));
        let challenge = script["challenge"].as_str().unwrap().to_string();
        let payload = Envelope::parse(&std::fs::read(&changed).unwrap(), FileKind::Instruction).unwrap().payload().to_vec();
        let right = ChallengeResponse::compute(Challenge::parse(&challenge).unwrap(), &payload).to_string();
        let report = |dialed: &str, response: &str| json!({"request": {"case_id": held, "dialed": dialed, "reached": "Greta", "response": response, "outcome": "confirmed", "note": null}});
        assert_eq!(code(invoke(&main, "record_callback", report("+44 20 7946 0018", &right))), "not_permitted");
        let refused = invoke(&main, "record_callback", report("+44 20 7946 0018", &right)).unwrap_err();
        assert_eq!((&refused["detail"], &refused["values"]["number"]), (&json!("number_not_on_file"), &json!("+44 20 7946 0018")));
        assert_eq!(refused["values"]["partner"], json!("Globex Corporation"));
        let wrong = invoke(&main, "record_callback", report(ON_FILE, "1234 5678")).unwrap_err();
        assert_eq!(
            (&wrong["code"], &wrong["detail"], &wrong["values"]),
            (&json!("check_failed"), &json!("response_mismatch"), &json!({"case": held.to_string(), "left": "2"}))
        );
        // The case flow's refusals reach the UI with their detail and values (issue 19).
        let not_locked = invoke(&main, "reopen_case", json!({"id": held})).unwrap_err();
        assert_eq!(
            (&not_locked["code"], &not_locked["detail"], &not_locked["values"]),
            (&json!("check_failed"), &json!("not_locked"), &json!({"case": held.to_string(), "status": "hold"})),
            "not locked after one wrong response"
        );
        let fresh = invoke(&main, "start_callback", json!({"id": held})).unwrap();
        let right = ChallengeResponse::compute(Challenge::parse(fresh["challenge"].as_str().unwrap()).unwrap(), &payload).to_string();
        assert_eq!(invoke(&main, "record_callback", report(ON_FILE, &right)).unwrap(), json!("callback_confirmed"));

        // Dual control: dave called back, so dave may not approve (nor is he offered to); erin may.
        assert_eq!(invoke(&main, "case_detail", json!({"id": held})).unwrap()["next_steps"], json!(["reject"]));
        assert_eq!(code(invoke(&main, "approve_case", json!({"id": held}))), "not_permitted");
        login(&main, "erin");
        assert_eq!(invoke(&main, "case_detail", json!({"id": held})).unwrap()["next_steps"], json!(["approve", "reject"]));
        assert_eq!(waiting(&main)[1], ("approve".into(), vec![held, clean]));
        assert_eq!(invoke(&main, "approve_case", json!({"id": held})).unwrap(), json!("approved"));
        // Issue 20: the new account's payment waits its cooling-off; erin approved it, so she may
        // not release it early either (and the demo office has no third approver).
        assert_eq!(code(invoke(&main, "release_case", json!({"id": held, "format": "none"}))), "cooling_off");
        let detail = invoke(&main, "case_detail", json!({"id": held})).unwrap();
        assert_eq!((detail["cooling_off"]["hours"].clone(), detail["next_steps"].clone()), (json!(24), json!(["reject"])));
        assert!(detail["cooling_off"]["left_seconds"].as_i64().unwrap() > 23 * 3600);
        assert_eq!(code(invoke(&main, "release_early", json!({"id": held, "reason": "urgent"}))), "not_permitted");
        no_cooling_off(&dir.join("ws"));
        assert_eq!(invoke(&main, "case_detail", json!({"id": held})).unwrap()["cooling_off"], Value::Null);
        let released = invoke(&main, "release_case", json!({"id": held, "format": "pain001"})).unwrap();
        assert_eq!(released["summary"]["status"], json!("released"));
        let saved = released["saved_to"].as_str().unwrap();
        assert!(std::fs::read_to_string(saved).unwrap().contains("pain.001.001.09"));
        assert_eq!(code(invoke(&main, "release_case", json!({"id": held, "format": "none"}))), "check_failed");

        // Issue 20: a bank's no match on the released case is recorded (the payment is out) with
        // the screenshot's hash; another account is refused with its detail and values.
        let account = released["summary"]["account"].as_str().unwrap().to_string();
        let screenshot = dir.join("vop-answer.png");
        std::fs::write(&screenshot, b"a screenshot").unwrap();
        let check = |account: &str| {
            json!({"check": {"case_id": held, "scheme": "vop", "request_id": "VOP-1", "requested_at": "2025-11-03T09:30:00Z",
                "answered_at": "2025-11-03T09:30:02Z", "name_sent": "Globex Corporation", "account_sent": account, "answer": "NMTC",
                "matched_name": null, "obtained": "screenshot", "evidence_path": screenshot.display().to_string()}})
        };
        let other = invoke(&main, "attach_name_check", check("DE02 1203 0000 0000 2020 99")).unwrap_err();
        assert_eq!((&other["code"], &other["detail"]), (&json!("check_failed"), &json!("name_check_account")));
        assert_eq!(other["values"]["case"], json!(held.to_string()));
        assert_eq!(invoke(&main, "attach_name_check", check(&account)).unwrap(), json!("released"));
        let detail = invoke(&main, "case_detail", json!({"id": held})).unwrap();
        assert_eq!((&detail["name_checks"][0]["outcome"], &detail["name_checks"][0]["attached_by"]), (&json!("no_match"), &json!("erin")));
        assert!(detail["findings"].as_array().unwrap().iter().any(|f| f["code"] == "vop_no_match"));
        assert_eq!(detail["may_attach_name_check"], json!(true));

        // The accepted case: a reason is needed to reject it; with one, it is rejected.
        assert_eq!(code(invoke(&main, "reject_case", json!({"id": clean, "reason": " "}))), "invalid_input");
        assert_eq!(invoke(&main, "reject_case", json!({"id": clean, "reason": "duplicate invoice"})).unwrap(), json!("rejected"));

        // A clerk may not approve, and after logout nothing is allowed.
        login(&main, "carol");
        let carol = invoke(&main, "workspace_status", json!({})).unwrap();
        assert_eq!(
            carol["user"]["permissions"],
            json!(["instruction.verify", "instruction.receive", "case.export", "payment_file.screen", "instruction.respond"])
        );
        assert_eq!(code(invoke(&main, "approve_case", json!({"id": clean}))), "not_permitted");
        invoke(&main, "logout", json!({})).unwrap();
        assert_eq!(code(invoke(&main, "start_callback", json!({"id": held}))), "not_signed_in");
    }

    #[test]
    fn an_eml_among_the_paths_is_the_email_that_carried_them() {
        let dir = fresh_dir("email");
        let us = workspace(&dir.join("ws"));
        let file = dir.join("globex-7770.json");
        std::fs::write(&file, instruction(&us, "GB82 WEST 1234 5698 7654 32", "WESTGB2L", "INV-7770")).unwrap();
        let eml = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/email/incident_compromised_third_party.eml");
        let app = app_on(dir.join("ws"));
        let main = window(&app, "main");
        login(&main, "carol");

        let two = invoke(&main, "receive_files", json!({"paths": [&file, eml, eml], "progress": CHANNEL}));
        assert_eq!(code(two), "invalid_input");
        let only = invoke(&main, "receive_files", json!({"paths": [eml], "progress": CHANNEL}));
        assert_eq!(code(only), "invalid_input");
        let received = invoke(&main, "receive_files", json!({"paths": [eml, &file], "progress": CHANNEL})).unwrap();
        assert_eq!(received.as_array().unwrap().len(), 1, "the email is not a file of the run");
        let codes: Vec<&str> = received[0]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert!(codes.iter().any(|c| c.starts_with("email_")), "{codes:?}");
        let view = invoke(&main, "case_detail", json!({"id": received[0]["case_id"]})).unwrap();
        assert_eq!(view["email_sha256"].as_str().unwrap().len(), 64);
        assert!(view["findings"].as_array().unwrap().iter().any(|f| f["code"].as_str().unwrap().starts_with("email_")));
        // The email findings name their particulars as values, as the others do.
        for f in view["findings"].as_array().unwrap().iter().filter(|f| f["code"].as_str().unwrap().starts_with("email_")) {
            assert!(f["values"].as_object().is_some_and(|v| !v.is_empty()), "{f}");
        }
    }

    #[test]
    fn release_with_an_epc_qr_returns_the_code_as_a_matrix() {
        let dir = fresh_dir("qr");
        let us = workspace(&dir.join("ws"));
        let file = dir.join("globex-7761.json");
        std::fs::write(&file, instruction(&us, "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "INV-7761")).unwrap();
        let app = app_on(dir.join("ws"));
        let main = window(&app, "main");
        login(&main, "erin");
        let received = invoke(&main, "receive_files", json!({"paths": [&file], "progress": CHANNEL})).unwrap();
        let id = received[0]["case_id"].as_i64().unwrap();
        login(&main, "dave");
        assert_eq!(invoke(&main, "approve_case", json!({"id": id})).unwrap(), json!("approved"));
        let released = invoke(&main, "release_case", json!({"id": id, "format": "epc_qr"})).unwrap();
        let qr = &released["qr"];
        let width = qr["width"].as_u64().unwrap();
        assert_eq!(qr["dark"].as_array().unwrap().len() as u64, width * width);
        assert!(qr["payload"].as_str().unwrap().starts_with("BCD\n"));
        assert_eq!(released["saved_to"], Value::Null);
    }
}
