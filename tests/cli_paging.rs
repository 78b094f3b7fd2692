//! CLI tests of paging (the contract's `--limit` and `--after`; issue 19, item 2): every list
//! (`case list`, `audit log`, `partner list`, each history of `partner show`, `user list`,
//! `change list`, `account list`) gives at most `--limit` items and the cursor of the next page;
//! following the cursors gives every item once, in order, whatever is added meanwhile; a bad
//! page is exit 2.

mod util;

use serde_json::Value;

use util::{details, TestDir, Workspace};

fn ids(list: &Value, key: &str, id: &str) -> Vec<i64> {
    list[key].as_array().unwrap_or_else(|| panic!("no {key} array in {list}")).iter().map(|c| c[id].as_i64().unwrap()).collect()
}

#[test]
fn case_list_and_audit_log_page_with_a_stable_cursor() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    ws.add_user("clara", "clerk");
    let globex = dir.keygen("Globex Corporation", "globex");
    ws.add_partner(&globex, &["--iban", "DE89 3704 0044 0532 0130 00", "--bic", "COBADEFFXXX"]);
    for i in 0..5 {
        let signed = ws.sign(
            &globex,
            &details("Globex Corporation", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", &format!("{}.00", 100 + i)),
            &format!("i{i}.csi"),
        );
        ws.receive("clara", &[&signed.file]).assert_code(0);
    }
    // Newest first, two at a time: 5 4 | 3 2 | 1.
    let first = ws.run("clara", &["--json", "case", "list", "--limit", "2"]).assert_code(0).json();
    assert_eq!((ids(&first, "cases", "id"), first["next"].as_i64()), (vec![5, 4], Some(4)));
    // A case received between two pages does not shift the next page.
    let signed = ws.sign(&globex, &details("Globex Corporation", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "99.00"), "late.csi");
    ws.receive("clara", &[&signed.file]).assert_code(0);
    let second = ws.run("clara", &["--json", "case", "list", "--limit", "2", "--after", "4"]).assert_code(0).json();
    assert_eq!((ids(&second, "cases", "id"), second["next"].as_i64()), (vec![3, 2], Some(2)));
    let last = ws.run("clara", &["--json", "case", "list", "--limit", "2", "--after", "2"]).assert_code(0).json();
    assert_eq!((ids(&last, "cases", "id"), last["next"].as_i64()), (vec![1], None));
    let all = ws.run("clara", &["--json", "case", "list"]).assert_code(0).json();
    assert_eq!((ids(&all, "cases", "id"), all["next"].as_i64()), (vec![6, 5, 4, 3, 2, 1], None), "no --limit: every case");
    let text = ws.run("clara", &["case", "list", "--limit", "1"]).assert_code(0).stdout();
    assert!(text.ends_with("More: --after 6\n"), "{text}");
    searched_and_sorted(&ws);

    // The log, oldest first: the pages put together are the whole log.
    let whole = ws.admin(&["--json", "audit", "log"]).assert_code(0).json();
    let every: Vec<i64> = whole.as_array().expect("without a page, an array").iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    let (mut seen, mut after) = (vec![], None::<i64>);
    loop {
        let mut args = vec!["--json".to_string(), "audit".into(), "log".into(), "--limit".into(), "7".into()];
        if let Some(a) = after {
            args.extend(["--after".into(), a.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let page = ws.admin(&args).assert_code(0).json();
        let got = ids(&page, "events", "seq");
        assert!(got.len() <= 7);
        seen.extend(got);
        match page["next"].as_i64() {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    // `audit log` only reads: the log does not grow while it is paged.
    assert_eq!(seen, every);
    for bad in [["--limit", "0"], ["--limit", "10001"], ["--after", "-1"]] {
        ws.run("clara", &["case", "list", bad[0], bad[1]]).assert_code(2);
    }
}

/// `case list --search --sort`: found and ordered by the service, paged with the same cursor (the
/// page before's last case). The cases 1 to 6 pay 100.00, 101.00, 102.00, 103.00, 104.00, 99.00.
fn searched_and_sorted(ws: &Workspace<'_>) {
    let list = |args: &[&str]| {
        let mut all = vec!["--json", "case", "list"];
        all.extend_from_slice(args);
        ids(&ws.run("clara", &all).assert_code(0).json(), "cases", "id")
    };
    assert_eq!(list(&["--search", "#3"]), [3], "a case number with #");
    assert_eq!(list(&["--search", "102.00"]), [3], "an amount as typed");
    assert_eq!(list(&["--search", "globex DE89370400440532013000"]).len(), 6, "an IBAN without spaces");
    assert_eq!(list(&["--sort", "-amount"]), [5, 4, 3, 2, 1, 6]);
    assert_eq!(walk(ws, "clara", &["case", "list", "--sort", "amount"], "cases", 4), [vec![6, 1, 2, 3], vec![4, 5]]);
    ws.run("clara", &["case", "list", "--sort", "size"]).assert_code(2);
    ws.run("clara", &["case", "list", "--search", "a b c d e f g h i"]).assert_code(2);
}

const A_IBAN: &str = "DE89 3704 0044 0532 0130 00";
const A_BIC: &str = "COBADEFFXXX";
const B_IBAN: &str = "DE02 1203 0000 0000 2020 51";
const B_BIC: &str = "BYLADEM1001";
const C_IBAN: &str = "DE44 5001 0517 5407 3249 31";
const C_BIC: &str = "INGDDEFFXXX";
const D_IBAN: &str = "DE75 5121 0800 1245 1261 99";
const D_BIC: &str = "SOGEDEFFXXX";
const PHONES: [&str; 3] = ["+49 30 1234567", "+44 20 7946 0958", "+33 1 23 45 67 89"];

/// `user`'s JSON list `args` with `--limit limit`, after `after` when given.
fn page_of(ws: &Workspace<'_>, user: &str, args: &[&str], limit: u32, after: Option<i64>) -> Value {
    let limit = limit.to_string();
    let after = after.map(|a| a.to_string());
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    all.extend(["--limit", &limit]);
    if let Some(after) = &after {
        all.extend(["--after", after]);
    }
    ws.run(user, &all).assert_code(0).json()
}

/// Follows the cursors of a JSON list from its first page: the ids of each page's items.
fn walk(ws: &Workspace<'_>, user: &str, args: &[&str], key: &str, limit: u32) -> Vec<Vec<i64>> {
    let (mut pages, mut after) = (vec![], None);
    loop {
        let page = page_of(ws, user, args, limit, after);
        let got = ids(&page, key, "id");
        assert!(got.len() <= limit as usize, "{page}");
        pages.push(got);
        match page["next"].as_i64() {
            Some(next) => after = Some(next),
            None => return pages,
        }
    }
}

/// Globex's instruction to pay `iban`, received by clara: the case's id and whether it is held.
fn receive(ws: &Workspace<'_>, globex: &util::KeyFiles, iban: &str, bic: &str, out: &str) -> (i64, bool) {
    let signed = ws.sign(globex, &details("Globex Corporation", iban, bic, "100.00"), out);
    let received = ws.receive("clara", &[&signed.file]);
    let result = &received.results()[0];
    (result["case_id"].as_i64().unwrap_or_else(|| received.fail("expected a case")), received.code() == 3)
}

/// Issue 19: the registry's lists and the four-eyes lists page as `case list` does, with one
/// workspace set up once: three partners, Globex with three numbers on file, accounts and cases;
/// users; pending changes; marked accounts.
// Long: one scenario, read top to bottom, with one set-up shared by every list.
#[test]
fn the_registry_and_four_eyes_lists_page_with_a_stable_cursor() {
    let dir = TestDir::new();
    let ws = dir.init_workspace("ws", "Initech GmbH", "alice");
    let globex = dir.keygen("Globex Corporation", "globex");
    let mut onboarding = vec!["--iban", A_IBAN, "--bic", A_BIC];
    PHONES.iter().for_each(|p| onboarding.extend(["--phone", p]));
    let globex_id = ws.add_partner(&globex, &onboarding);
    for (name, base) in [("Acme GmbH", "acme"), ("Umbrella SE", "umbrella")] {
        ws.add_partner(&dir.keygen(name, base), &[]);
    }
    ws.add_user("clara", "clerk");
    ws.add_user("anna", "approver");
    receive(&ws, &globex, A_IBAN, A_BIC, "a.csi");
    let (b_case, b_held) = receive(&ws, &globex, B_IBAN, B_BIC, "b.csi");
    let (c_case, c_held) = receive(&ws, &globex, C_IBAN, C_BIC, "c.csi");
    assert!(b_held && c_held, "a new account is held for a callback");

    // partner list: by id, two at a time.
    assert_eq!(walk(&ws, "clara", &["partner", "list"], "partners", 2), [vec![1, 2], vec![3]]);
    let text = ws.run("clara", &["partner", "list", "--limit", "2"]).assert_code(0).stdout();
    assert!(text.ends_with("More: --after 2\n"), "{text}");

    // partner show: without a page, every history whole and the summary; with one, the first
    // page of each history and where each goes on.
    let id = globex_id.to_string();
    let whole = ws.run("clara", &["--json", "partner", "show", &id]).assert_code(0).json();
    assert_eq!(whole["counts"], serde_json::json!({ "keys": 1, "contacts": 3, "accounts": 3, "domains": 0, "cases": 3 }), "{whole:#}");
    assert_eq!((whole["current_account"].as_str(), whole["active_keys"][0].as_str()), (Some(A_IBAN), Some(globex.fingerprint.as_str())));
    assert_eq!(whole["next"], serde_json::json!({ "keys": null, "contacts": null, "accounts": null }));
    assert_eq!(whole["accounts"][1]["cases"], serde_json::json!([b_case]), "{whole:#}");
    let first = page_of(&ws, "clara", &["partner", "show", &id], 1, None);
    assert_eq!(
        (first["contacts"].as_array().map(Vec::len), first["next"]["contacts"].as_i64()),
        (Some(1), Some(ids(&whole, "contacts", "id")[0]))
    );
    assert_eq!((first["next"]["keys"].as_i64(), first["next"]["accounts"].as_i64()), (None, Some(ids(&whole, "accounts", "id")[0])));
    let text = ws.run("clara", &["partner", "show", &id, "--limit", "1"]).assert_code(0).stdout();
    assert!(text.contains("history   1 key(s), 3 number(s), 3 account(s), 3 case(s)"), "{text}");
    assert!(text.contains(&format!("More: --history contacts --after {}", ids(&whole, "contacts", "id")[0])), "{text}");
    // Each history page by page is the whole history, in order.
    let contacts = walk(&ws, "clara", &["partner", "show", &id, "--history", "contacts"], "contacts", 2);
    assert_eq!(contacts.concat(), ids(&whole, "contacts", "id"));
    let keys = walk(&ws, "clara", &["partner", "show", &id, "--history", "keys"], "keys", 2);
    assert_eq!(keys.concat(), ids(&whole, "keys", "id"));
    // An account and a case added between two pages land after the cursor: nothing shifts.
    let accounts = page_of(&ws, "clara", &["partner", "show", &id, "--history", "accounts"], 2, None);
    let cases = page_of(&ws, "clara", &["partner", "show", &id, "--history", "cases"], 2, None);
    let (d_case, d_held) = receive(&ws, &globex, D_IBAN, D_BIC, "d.csi");
    assert!(d_held);
    let more = page_of(&ws, "clara", &["partner", "show", &id, "--history", "accounts"], 2, accounts["next"].as_i64());
    let mut listed = ids(&accounts, "accounts", "id");
    listed.extend(ids(&more, "accounts", "id"));
    let now = ws.run("clara", &["--json", "partner", "show", &id]).assert_code(0).json();
    assert_eq!((listed, more["next"].as_i64()), (ids(&now, "accounts", "id"), None), "the new account comes last");
    let older = page_of(&ws, "clara", &["partner", "show", &id, "--history", "cases"], 2, cases["next"].as_i64());
    assert_eq!((ids(&cases, "cases", "id"), ids(&older, "cases", "id")), (vec![c_case, b_case], vec![b_case - 1]), "newest first");
    for bad in [vec!["--after", "1"], vec!["--history", "phones"], vec!["--history", "keys", "--after", "-1"], vec!["--limit", "0"]] {
        let mut args = vec!["partner", "show", id.as_str()];
        args.extend(bad);
        ws.run("clara", &args).assert_code(2);
    }
    ws.run("clara", &["partner", "show", "99", "--history", "keys"]).assert_code(2);

    four_eyes_lists_page(&ws, [b_case, c_case, d_case]);
}

/// `user list`, `change list` and `account list` of the workspace above: the held cases of
/// `held` are denied on their callbacks to mark their accounts.
fn four_eyes_lists_page(ws: &Workspace<'_>, held: [i64; 3]) {
    // user list: by name; the cursor is the last user's id. A user whose name comes before the
    // cursor's, added between two pages, does not shift the next page.
    let whole = ws.admin(&["--json", "user", "list"]).assert_code(0).json();
    let names: Vec<&str> = whole["users"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!((names, &whole["next"]), (vec!["alice", "anna", "clara"], &Value::Null));
    let first = page_of(ws, "alice", &["user", "list"], 2, None);
    assert_eq!(ids(&first, "users", "id"), ids(&whole, "users", "id")[..2]);
    ws.add_user("aaron", "clerk");
    let rest = page_of(ws, "alice", &["user", "list"], 2, first["next"].as_i64());
    assert_eq!((rest["users"][0]["name"].as_str(), rest["next"].as_i64()), (Some("clara"), None));
    let text = ws.admin(&["user", "list", "--limit", "1"]).assert_code(0).stdout();
    assert!(text.ends_with("More: --after 4\n"), "aaron is 4 and first by name: {text}");
    ws.admin(&["--json", "user", "list", "--after", "99"]).assert_code(2);

    // change list: newest first; a change proposed between two pages is not on the next one.
    for threshold in ["20000000", "30000000", "40000000"] {
        ws.admin(&["--json", "policy", "set", "approval_threshold_minor", threshold]).assert_code(0);
    }
    let all = ws.admin(&["--json", "change", "list", "--status", "all"]).assert_code(0).json();
    assert_eq!(walk(ws, "alice", &["change", "list", "--status", "all"], "changes", 2).concat(), ids(&all, "changes", "id"));
    let pending = page_of(ws, "alice", &["change", "list"], 2, None);
    ws.admin(&["--json", "policy", "set", "approval_threshold_minor", "50000000"]).assert_code(0);
    let older = page_of(ws, "alice", &["change", "list"], 2, pending["next"].as_i64());
    let mut seen = ids(&pending, "changes", "id");
    seen.extend(ids(&older, "changes", "id"));
    let last = *seen.first().unwrap();
    assert_eq!(seen, (last - 2..=last).rev().collect::<Vec<_>>(), "the three proposals before, once each");

    // account list: the latest marked first; a mark made between two pages is not on the next.
    for case in &held[..2] {
        ws.callback("clara", *case, "", PHONES[0], "denied").assert_code(0);
    }
    let marks = page_of(ws, "clara", &["account", "list"], 1, None);
    ws.callback("clara", held[2], "", PHONES[0], "denied").assert_code(0);
    let older = page_of(ws, "clara", &["account", "list"], 1, marks["next"].as_i64());
    let keys = |page: &Value| {
        page["accounts"].as_array().unwrap().iter().map(|m| m["account_key"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(
        (keys(&marks), keys(&older), older["next"].as_i64()),
        (vec!["iban:DE44500105175407324931".to_string()], vec!["iban:DE02120300000000202051".to_string()], None)
    );
    let text = ws.run("clara", &["account", "list", "--limit", "1"]).assert_code(0).stdout();
    assert!(text.ends_with("More: --after 3\n"), "three marks, the latest first: {text}");
}
