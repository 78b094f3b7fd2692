//! CLI tests of paging (the contract's `--limit` and `--after`; issue 19, item 2): `case list` and
//! `audit log` give at most `--limit` items and the cursor of the next page; following the
//! cursors gives every item once, in order, whatever is added meanwhile; a bad page is exit 2.

mod util;

use serde_json::Value;

use util::{details, TestDir};

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
