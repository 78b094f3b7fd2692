//! The store's contract, run against every backend (issue 17): SQLite always, PostgreSQL on the
//! server `make test` starts. What one backend does, the other must do the same way: ids, order,
//! conditional updates, the log's chain and its append-only guard, rollback.

use countersign_core::audit::chain::{event_hash, EventFields, GENESIS};
use countersign_core::audit::log::EventFilter;
use countersign_core::cases::flow::CaseStatus;
use countersign_core::changes::{ChangeKind, ChangeStatus};
use countersign_core::paging::Page;
use countersign_core::registry::{AccountStatus, KeyStatus};
use countersign_store::prelude::*;
use countersign_store::testing::every_backend;
use countersign_store::{NewAccount, NewCase, PartnerCounts, StoreError, StoreResult};
use serde_json::json;

const AT: &str = "2026-11-23T09:00:00Z";

fn new_case<'a>(signer: &'a str, instruction: &'a str, status: &'a str, amount: u64) -> NewCase<'a> {
    NewCase {
        status,
        verdict: if status == "hold" { "hold" } else { "accepted" },
        findings: "[]",
        file_name: "f.json",
        file_sha256: "00",
        file: b"{}",
        signer: Some(signer),
        partner_id: Some(1),
        instruction_id: Some(instruction),
        issued_at: Some(AT),
        confirmation_code: None,
        beneficiary_name: Some("Globex"),
        account_key: Some("iban:DE89370400440532013000"),
        account_display: Some("DE89 3704 0044 0532 0130 00"),
        currency: Some("EUR"),
        amount_minor: Some(amount),
        email_sha256: None,
        email: None,
        received_by: "carol",
        received_at: AT,
        account_bic: Some("COBADEFFXXX"),
        reference: None,
        due_date: None,
    }
}

#[test]
fn a_new_store_is_at_the_latest_schema_on_every_backend() {
    for mut t in every_backend() {
        assert_eq!(t.store.schema_version().unwrap(), countersign_store::sqlite::migrations::latest(), "{}", t.backend);
    }
    assert_eq!(countersign_store::postgres::migrations::latest(), countersign_store::sqlite::migrations::latest());
}

#[test]
fn a_failed_write_changes_nothing() {
    for mut t in every_backend() {
        let result: Result<(), StoreError> = t.store.write(|tx| {
            tx.set_setting("a", "1")?;
            tx.append_event(AT, "alice", "x.y", "s", &json!({}))?;
            Err(StoreError::Corrupt("boom".into()))
        });
        assert!(result.is_err());
        assert_eq!(t.store.read(|tx| tx.setting("a")).unwrap(), None, "{}", t.backend);
        assert_eq!(t.store.read(|tx| tx.event_count()).unwrap(), 0, "{}", t.backend);
    }
}

#[test]
fn events_chain_filter_and_stay_append_only() {
    for mut t in every_backend() {
        t.store
            .write(|tx| {
                tx.append_event(AT, "alice", "case.receive", "case:1", &json!({"b": 2, "a": 1}))?;
                tx.append_event("2026-11-23T09:00:01Z", "bob", "case.approve", "case:1", &json!({}))?;
                tx.append_event("2026-11-23T09:00:02Z", "bob", "cases", "partner:1", &json!({}))
            })
            .unwrap();
        let events = t.store.read(|tx| tx.events_from(1)).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].prev_hash, GENESIS);
        assert_eq!(events[1].prev_hash, events[0].hash);
        assert_eq!(events[0].details, r#"{"a":1,"b":2}"#);
        let fields = EventFields { seq: 1, at: AT, actor: "alice", action: "case.receive", subject: "case:1", details: &events[0].details };
        assert_eq!(event_hash(&GENESIS, &fields), events[0].hash, "{}", t.backend);
        let mut matching =
            |filter: EventFilter| t.store.read(|tx| tx.events_matching(&filter)).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>();
        // `case` matches `case.receive` and `case.approve`, not `cases`.
        assert_eq!(matching(EventFilter { action: Some("case".into()), ..Default::default() }), [1, 2], "{}", t.backend);
        assert_eq!(
            matching(EventFilter { actor: Some("bob".into()), from: Some("2026-11-23T09:00:02Z".into()), ..Default::default() }),
            [3]
        );
        assert_eq!(matching(EventFilter { case: Some(1), until: Some("2026-11-23T09:00:01Z".into()), ..Default::default() }), [1]);
        // A page: after a sequence number, one more than the limit fetched.
        let page = |limit, after| Page { limit: Some(limit), after };
        assert_eq!(matching(EventFilter { page: page(1, None), ..Default::default() }), [1, 2], "{}", t.backend);
        assert_eq!(matching(EventFilter { page: page(1, Some(2)), ..Default::default() }), [3], "{}", t.backend);
        assert_eq!(matching(EventFilter { action: Some("case".into()), page: page(5, Some(1)), ..Default::default() }), [2]);
        assert_eq!(t.store.read(|tx| tx.event_hashes_between(2, 3)).unwrap(), [events[1].hash, events[2].hash]);
        let id = t.store.write(|tx| tx.insert_checkpoint(3, &events[2].hash, AT, "manual", "fp", "")).unwrap();
        let checkpoints = t.store.read(|tx| tx.checkpoints()).unwrap();
        assert_eq!((checkpoints[0].id, checkpoints[0].size, checkpoints[0].root), (id, 3, events[2].hash));
        assert!(t.store.read(|tx| tx.stray_event_seqs()).unwrap().is_empty());
    }
}

/// Issue 19: the app's log view reads the newest page and a count, never the whole log; the
/// activity chart visits every event without holding them.
#[test]
fn the_log_pages_newest_first_and_counts_in_the_store() {
    for mut t in every_backend() {
        let b = t.backend;
        t.store
            .write(|tx| {
                for i in 0..5 {
                    let actor = if i % 2 == 0 { "alice" } else { "bob" };
                    tx.append_event(&format!("2026-11-23T09:00:0{i}Z"), actor, "case.approve", &format!("case:{i}"), &json!({}))?;
                }
                StoreResult::Ok(())
            })
            .unwrap();
        let newest = |limit, after| EventFilter { page: Page { limit: Some(limit), after }, newest_first: true, ..Default::default() };
        let seqs = |t: &mut countersign_store::testing::TestStore, filter: EventFilter| {
            t.store.read(|tx| tx.events_matching(&filter)).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>()
        };
        assert_eq!(seqs(&mut t, newest(2, None)), [5, 4, 3], "{b}: one more than the page, newest first");
        assert_eq!(seqs(&mut t, newest(2, Some(4))), [3, 2, 1], "{b}: below the cursor");
        assert_eq!(seqs(&mut t, newest(2, Some(1))), Vec::<u64>::new(), "{b}");
        let bob = EventFilter { actor: Some("bob".into()), ..newest(1, None) };
        assert_eq!(seqs(&mut t, bob.clone()), [4, 2], "{b}: the filter applies");
        assert_eq!(seqs(&mut t, EventFilter { newest_first: true, ..Default::default() }), [5, 4, 3, 2, 1], "{b}: no page, all");
        // A count ignores the page; events appended later do not move a page below its cursor.
        let count = |t: &mut countersign_store::testing::TestStore, filter: &EventFilter| {
            t.store.read(|tx| tx.count_events_matching(filter)).unwrap()
        };
        assert_eq!(count(&mut t, &bob), 2, "{b}");
        assert_eq!(count(&mut t, &newest(1, Some(2))), 5, "{b}");
        assert_eq!(
            count(&mut t, &EventFilter { action: Some("case".into()), until: Some("2026-11-23T09:00:02Z".into()), ..Default::default() }),
            2,
            "{b}"
        );
        t.store.write(|tx| tx.append_event("2026-11-23T09:00:09Z", "bob", "case.approve", "case:9", &json!({}))).unwrap();
        assert_eq!(seqs(&mut t, newest(2, Some(4))), [3, 2, 1], "{b}");
        assert_eq!(count(&mut t, &bob), 3, "{b}");
        // Visited one at a time, in the filter's order.
        let mut visited = Vec::new();
        t.store
            .read(|tx| {
                tx.visit_events_matching(&EventFilter { actor: Some("alice".into()), ..Default::default() }, &mut |e| visited.push(e.seq))
            })
            .unwrap();
        assert_eq!(visited, [1, 3, 5], "{b}");
    }
}

#[test]
fn a_case_moves_once_and_its_history_is_counted() {
    for mut t in every_backend() {
        let (first, second) = t
            .store
            .write(|tx| -> StoreResult<_> {
                tx.insert_partner("Globex", Some("DE"), b"card", AT, "admin")?;
                let first = tx.insert_case(&new_case("fp1", "INV-1", "accepted", 1_000))?;
                let second = tx.insert_case(&new_case("fp1", "INV-2", "hold", 5_000))?;
                tx.insert_case(&new_case("fp1", "INV-3", "accepted", 3_000))?;
                Ok((first, second))
            })
            .unwrap();
        assert_eq!((first, second), (1, 2), "{}", t.backend);
        let moved = |t: &mut countersign_store::testing::TestStore| {
            t.store.write(|tx| tx.move_case(second, CaseStatus::Hold, CaseStatus::CallbackConfirmed)).unwrap()
        };
        assert!(moved(&mut t));
        assert!(!moved(&mut t), "{}: a case moves from a status only once", t.backend);
        let amounts = t.store.read(|tx| tx.partner_amounts(1, "EUR", 2)).unwrap();
        assert_eq!((amounts.count, amounts.largest), (2, Some(5_000)), "{}", t.backend);
        let case = t.store.read(|tx| tx.case(second)).unwrap().unwrap();
        assert_eq!(
            (case.status, case.partner_name.as_deref(), case.amount_minor),
            (CaseStatus::CallbackConfirmed, Some("Globex"), Some(5_000))
        );
        let ids = |t: &mut countersign_store::testing::TestStore, status, page: Page| {
            t.store.read(|tx| tx.cases(status, &page)).unwrap().iter().map(|c| c.id).collect::<Vec<_>>()
        };
        assert_eq!(ids(&mut t, Some(CaseStatus::Accepted), Page::default()), [3, 1]);
        // Pages: newest first, one extra row fetched, then the cases older than the cursor.
        assert_eq!(ids(&mut t, None, Page { limit: Some(1), after: None }), [3, 2], "{}", t.backend);
        assert_eq!(ids(&mut t, None, Page { limit: Some(1), after: Some(2) }), [1], "{}", t.backend);
        assert_eq!(ids(&mut t, Some(CaseStatus::Accepted), Page { limit: Some(5), after: Some(3) }), [1], "{}", t.backend);
        assert_eq!(t.store.read(|tx| tx.earlier_receipt("fp1", "INV-2")).unwrap(), Some((2, AT.to_string())));
        assert_eq!(t.store.read(|tx| tx.newest_accepted_issue("fp1")).unwrap().as_deref(), Some(AT));
        let callback = t.store.write(|tx| tx.insert_callback(second, "123456", "carol", AT)).unwrap();
        t.store.write(|tx| tx.finish_callback(callback, "+4930123", "Jane", Some("ABC"), "confirmed", None, AT)).unwrap();
        let callbacks = t.store.read(|tx| tx.callbacks(second)).unwrap();
        assert_eq!((callbacks[0].outcome.as_deref(), callbacks[0].dialed.as_deref()), (Some("confirmed"), Some("+4930123")));
        t.store.write(|tx| tx.insert_bank_file(first, "pain001", "ab", b"<xml/>", AT)).unwrap();
        assert_eq!(t.store.read(|tx| tx.unsaved_bank_files()).unwrap(), [first]);
        t.store.write(|tx| tx.set_bank_file_saved(first, AT)).unwrap();
        assert!(t.store.read(|tx| tx.unsaved_bank_files()).unwrap().is_empty());
        let twice = t.store.write(|tx| tx.insert_bank_file(first, "pain001", "cd", b"<xml/>", AT));
        assert!(twice.is_err(), "{}: one bank file per case", t.backend);
    }
}

/// Also the regression of a receipt to the current account resetting `became_current_at` (a later
/// change then looked like a second change within the window, `frequent_changes`).
#[test]
fn registry_rows_read_back_the_same() {
    for mut t in every_backend() {
        let account = |at| NewAccount {
            partner_id: 1,
            account_key: "iban:DE89370400440532013000",
            display: "DE89 3704 0044 0532 0130 00",
            bic: "COBADEFFXXX",
            country: "DE",
            status: AccountStatus::Current,
            source: "instruction",
            seen_at: at,
        };
        let row = t
            .store
            .write(|tx| -> StoreResult<_> {
                tx.insert_partner("Globex", Some("DE"), b"card", AT, "admin")?;
                tx.insert_partner("Acme", None, b"card", AT, "admin")?;
                tx.insert_partner_domain(1, "globex.com")?;
                tx.insert_partner_domain(1, "globex.com")?;
                tx.insert_partner_domain(2, "acme.example")?;
                tx.insert_partner_phone(1, "+4930123", "contract", "admin", AT)?;
                let key = tx.insert_partner_key(1, "fp1", &[7; 32], "phone", "admin", AT)?;
                tx.set_key_status(key, KeyStatus::Retired, "2026-12-01T00:00:00Z", "rotated")?;
                tx.note_current_account(&account("2026-01-01T00:00:00Z"), false)?;
                tx.note_current_account(&account("2026-03-01T00:00:00Z"), false)?;
                tx.make_account_current(1, "iban:DE89370400440532013000", "2026-04-01T00:00:00Z")?;
                Ok(tx.account(1, "iban:DE89370400440532013000")?.unwrap())
            })
            .unwrap();
        assert_eq!(row.became_current_at.as_deref(), Some("2026-01-01T00:00:00Z"), "{}", t.backend);
        assert_eq!(row.last_seen, "2026-03-01T00:00:00Z");
        t.store
            .read(|tx| -> StoreResult<()> {
                assert_eq!(tx.partner_domains(1)?, ["globex.com"]);
                assert_eq!(tx.other_partners_domains(1)?, ["acme.example"]);
                assert_eq!(tx.partner_phones(1, &Page::default())?[0].e164, "+4930123");
                let key = tx.key_by_fingerprint("fp1")?.unwrap();
                assert_eq!((key.public_key, key.status), ([7; 32], KeyStatus::Retired));
                assert_eq!(tx.last_key_rotation(1)?.as_deref(), Some("2026-12-01T00:00:00Z"));
                assert_eq!(tx.partners(&Page::default())?.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Globex", "Acme"]);
                Ok(())
            })
            .unwrap();
        t.store.write(|tx| tx.mark_fraudulent("iban:DE89370400440532013000", AT, "carol", Some(1), "denied")).unwrap();
        let mark = t.store.read(|tx| tx.fraud_mark("iban:DE89370400440532013000")).unwrap().unwrap();
        assert_eq!((mark.case_id, mark.confirmed.is_none()), (Some(1), true), "{}", t.backend);
        t.store.write(|tx| tx.confirm_fraud("iban:DE89370400440532013000", AT, "dave")).unwrap();
        let mark = t.store.read(|tx| tx.fraud_mark("iban:DE89370400440532013000")).unwrap().unwrap();
        assert_eq!(mark.confirmed, Some(("dave".into(), AT.into())));
        t.store.write(|tx| tx.clear_fraud_mark("iban:DE89370400440532013000")).unwrap();
        assert_eq!(t.store.read(|tx| tx.fraud_marks(&Page::default())).unwrap(), []);
        assert_eq!(t.store.read(|tx| tx.account(1, "iban:DE89370400440532013000")).unwrap().unwrap().status, AccountStatus::Pending);
    }
}

#[test]
fn users_changes_and_settings_read_back_the_same() {
    for mut t in every_backend() {
        t.store
            .write(|tx| -> StoreResult<()> {
                tx.insert_user("zoe", "clerk", "hash", AT, "system")?;
                let alice = tx.insert_user("alice", "admin", "hash", AT, "system")?;
                tx.set_login_failures(alice, 3, Some(AT))?;
                tx.set_keyring(alice, "ring", &[9; 32])?;
                tx.set_disabled(alice, true)?;
                tx.insert_org_key("signing", "fpa", &[1; 32], "sealed-a", Some(b"card"), AT)?;
                tx.insert_org_key("signing", "fpb", &[2; 32], "sealed-b", None, AT)?;
                Ok(())
            })
            .unwrap();
        let users = t.store.read(|tx| tx.users(&Page::default())).unwrap();
        assert_eq!(users.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["alice", "zoe"], "{}", t.backend);
        assert_eq!((users[0].failed_logins, users[0].disabled, users[0].public_key), (3, true, Some([9; 32])));
        assert!(t.store.write(|tx| tx.insert_user("zoe", "clerk", "hash", AT, "system")).is_err(), "{}: names are unique", t.backend);
        assert_eq!(t.store.read(|tx| tx.active_org_key("signing")).unwrap(), Some(("sealed-b".into(), None)));
        let keys = t.store.read(|tx| tx.org_public_keys("signing")).unwrap();
        assert_eq!(keys.iter().map(|(k, s, _)| (k[0], s.as_str())).collect::<Vec<_>>(), [(1, "retired"), (2, "active")]);
        // A rolled-back proposal leaves no gap: the id a proposal names is the id it gets.
        let _ = t.store.write(|tx| -> StoreResult<()> {
            tx.insert_change(ChangeKind::PolicySet, "{}", "{}", "alice", AT)?;
            Err(StoreError::Corrupt("rolled back".into()))
        });
        let (named, got) = t
            .store
            .write(|tx| -> StoreResult<_> { Ok((tx.next_change_id()?, tx.insert_change(ChangeKind::PolicySet, "{}", "{}", "alice", AT)?)) })
            .unwrap();
        assert_eq!((named, got), (1, 1), "{}", t.backend);
        assert!(t.store.write(|tx| tx.decide_change(1, ChangeStatus::Approved, "dave", AT, None)).unwrap());
        assert!(!t.store.write(|tx| tx.decide_change(1, ChangeStatus::Rejected, "erin", AT, None)).unwrap(), "{}", t.backend);
        assert_eq!(t.store.read(|tx| tx.changes(Some(ChangeStatus::Approved), &Page::default())).unwrap().len(), 1);
        assert_eq!(t.store.read(|tx| tx.changes(Some(ChangeStatus::Pending), &Page::default())).unwrap().len(), 0);
    }
}

/// A page of `limit` items after `after`, as the CLI's `--limit` and `--after` give it.
fn page(limit: u32, after: Option<i64>) -> Page {
    Page { limit: Some(limit), after }
}

/// Issue 19: every list is read a page at a time in the store (one row more than the page, to
/// know that another follows), after the id of the last item of the page before.
#[test]
fn the_registry_lists_page_after_an_id() {
    for mut t in every_backend() {
        let account = |key: &'static str, status| NewAccount {
            partner_id: 1,
            account_key: key,
            display: key,
            bic: "COBADEFFXXX",
            country: "DE",
            status,
            source: "instruction",
            seen_at: AT,
        };
        t.store
            .write(|tx| -> StoreResult<()> {
                for name in ["Globex", "Acme", "Initech"] {
                    tx.insert_partner(name, None, b"card", AT, "admin")?;
                }
                for (i, phone) in ["+49301", "+49302", "+49303"].into_iter().enumerate() {
                    tx.insert_partner_phone(1, phone, "contract", "admin", AT)?;
                    let key = tx.insert_partner_key(1, &format!("fp{i}"), &[i as u8; 32], "phone", "admin", AT)?;
                    if i < 2 {
                        tx.set_key_status(key, KeyStatus::Retired, AT, "rotated")?;
                    }
                }
                tx.insert_partner_domain(1, "globex.com")?;
                tx.record_account(&account("iban:A", AccountStatus::Retired))?;
                tx.record_account(&account("iban:B", AccountStatus::Current))?;
                tx.record_account(&account("iban:C", AccountStatus::Pending))?;
                for (i, key) in ["iban:B", "iban:C", "iban:B", "iban:B"].into_iter().enumerate() {
                    tx.insert_case(&NewCase { account_key: Some(key), ..new_case("fp2", &format!("INV-{i}"), "accepted", 100) })?;
                }
                Ok(())
            })
            .unwrap();
        let b = &t.backend;
        t.store
            .read(|tx| -> StoreResult<()> {
                let ids = |ids: Vec<i64>| ids;
                assert_eq!(ids(tx.partners(&page(2, None))?.iter().map(|p| p.id).collect()), [1, 2, 3], "{b}");
                assert_eq!(ids(tx.partners(&page(2, Some(2)))?.iter().map(|p| p.id).collect()), [3], "{b}");
                let keys = tx.partner_keys(1, &page(1, None))?;
                assert_eq!(keys.len(), 2, "{b}: one more than the page");
                let rest = tx.partner_keys(1, &page(5, Some(keys[0].id)))?;
                assert_eq!(rest.iter().map(|k| k.fingerprint.as_str()).collect::<Vec<_>>(), ["fp1", "fp2"], "{b}");
                assert_eq!(tx.active_keys(1)?.iter().map(|k| k.fingerprint.as_str()).collect::<Vec<_>>(), ["fp2"], "{b}");
                let phones = tx.partner_phones(1, &page(1, None))?;
                let after = tx.partner_phones(1, &page(1, Some(phones[0].id)))?;
                assert_eq!((phones[0].e164.as_str(), after[0].e164.as_str(), after.len()), ("+49301", "+49302", 2), "{b}");
                let accounts = tx.partner_accounts(1, &page(1, Some(1)))?;
                assert_eq!(accounts.iter().map(|a| a.account_key.as_str()).collect::<Vec<_>>(), ["iban:B", "iban:C"], "{b}");
                assert_eq!(tx.current_account(1)?.map(|a| a.account_key), Some("iban:B".into()), "{b}");
                assert_eq!(tx.current_account(2)?, None);
                let counts = tx.partner_counts(1)?;
                assert_eq!((counts.keys, counts.accounts, counts.phones, counts.domains, counts.cases), (3, 3, 3, 1, 4), "{b}");
                assert_eq!(tx.partner_counts(3)?, PartnerCounts::default());
                assert_eq!(tx.cases_for_account(1, "iban:B", &Page::default())?, [1, 3, 4], "{b}");
                assert_eq!(tx.cases_for_account(1, "iban:B", &page(1, Some(1)))?, [3, 4], "{b}");
                assert_eq!(tx.count_cases_for_account(1, "iban:B")?, 3, "{b}");
                assert_eq!(ids(tx.partner_cases(1, &page(2, None))?.iter().map(|c| c.id).collect()), [4, 3, 2], "{b}: newest first");
                assert_eq!(ids(tx.partner_cases(1, &page(2, Some(2)))?.iter().map(|c| c.id).collect()), [1], "{b}");
                assert!(tx.partner_cases(2, &Page::default())?.is_empty());
                Ok(())
            })
            .unwrap();
    }
}

#[test]
fn users_changes_and_marks_page_after_an_id() {
    for mut t in every_backend() {
        let b = t.backend;
        t.store
            .write(|tx| -> StoreResult<()> {
                for name in ["zoe", "alice", "mike"] {
                    tx.insert_user(name, "clerk", "hash", AT, "system")?;
                }
                for i in 1..=4 {
                    tx.insert_change(ChangeKind::PolicySet, "{}", "{}", "alice", AT)?;
                    if i % 2 == 0 {
                        tx.decide_change(i, ChangeStatus::Approved, "mike", AT, None)?;
                    }
                }
                for key in ["iban:A", "iban:B", "iban:C"] {
                    tx.mark_fraudulent(key, AT, "zoe", None, "denied")?;
                }
                Ok(())
            })
            .unwrap();
        let names = |t: &mut countersign_store::testing::TestStore, page: Page| -> Vec<(i64, String)> {
            t.store.read(|tx| tx.users(&page)).unwrap().into_iter().map(|u| (u.id, u.name)).collect()
        };
        // By name; the cursor is the id of the last user listed (alice is 2).
        assert_eq!(names(&mut t, page(1, None)), [(2, "alice".into()), (3, "mike".into())], "{b}");
        t.store.write(|tx| tx.insert_user("bob", "clerk", "hash", AT, "system")).unwrap();
        assert_eq!(names(&mut t, page(1, Some(3))), [(1, "zoe".into())], "{b}: a user added before the cursor does not shift the page");
        assert_eq!(names(&mut t, page(5, Some(2))).len(), 3, "{b}: bob, mike, zoe");
        assert!(names(&mut t, page(5, Some(99))).is_empty(), "{b}: after no user, nothing");
        assert_eq!(t.store.read(|tx| tx.user_by_id(4)).unwrap().map(|u| u.name), Some("bob".into()));
        assert!(t.store.read(|tx| tx.user_by_id(99)).unwrap().is_none());

        let changes = |t: &mut countersign_store::testing::TestStore, status, page: Page| -> Vec<i64> {
            t.store.read(|tx| tx.changes(status, &page)).unwrap().iter().map(|c| c.id).collect()
        };
        assert_eq!(changes(&mut t, None, page(2, None)), [4, 3, 2], "{b}");
        assert_eq!(changes(&mut t, None, page(2, Some(2))), [1], "{b}");
        assert_eq!(changes(&mut t, Some(ChangeStatus::Approved), page(1, Some(4))), [2], "{b}");

        let marks = |t: &mut countersign_store::testing::TestStore, page: Page| -> Vec<(i64, String)> {
            t.store.read(|tx| tx.fraud_marks(&page)).unwrap().into_iter().map(|m| (m.id, m.account_key)).collect()
        };
        assert_eq!(marks(&mut t, page(1, None)), [(3, "iban:C".into()), (2, "iban:B".into())], "{b}: the latest marked first");
        assert_eq!(marks(&mut t, page(1, Some(2))), [(1, "iban:A".into())], "{b}");
        // A mark cleared and another made: the pages after a cursor stay as they were.
        t.store.write(|tx| tx.clear_fraud_mark("iban:B")).unwrap();
        t.store.write(|tx| tx.mark_fraudulent("iban:D", AT, "zoe", None, "denied")).unwrap();
        assert_eq!(marks(&mut t, page(5, Some(3))), [(1, "iban:A".into())], "{b}");
        assert_eq!(marks(&mut t, Page::default())[0], (4, "iban:D".into()), "{b}");
    }
}

/// Issue 19: the case list searched and sorted in SQL, a page at a time, the same on every
/// backend: each word must match; the cursor is the page before's last case in the order asked.
// Long: one set of cases, then each search and each sort's pages walked to the end.
#[test]
fn cases_are_searched_and_sorted_a_page_at_a_time() {
    use countersign_core::cases::search::{CaseSort, CaseSortKey};
    use countersign_store::{CaseQuery, CaseWord};
    for mut t in every_backend() {
        // (partner, payee, amount, status, received, reference); case 5 to another account
        type Row<'a> = (Option<i64>, &'a str, Option<u64>, &'a str, &'a str, &'a str);
        let rows: [Row<'_>; 6] = [
            (Some(1), "Globex", Some(4_820_000), "hold", "2026-11-23T09:00:05Z", "INV-7760"),
            (Some(2), "acme 50% off", Some(100_000), "accepted", "2026-11-23T09:00:01Z", "R_1"),
            (None, "Unknown", None, "rejected", "2026-11-23T09:00:03Z", "R-2"),
            (Some(1), "Globex", Some(100_000), "released", "2026-11-23T09:00:01Z", "R-3"),
            (Some(2), "Acme", Some(155), "hold", "2026-11-23T09:00:02Z", "R-155"),
            (Some(1), "Globex", Some(4_820_000), "accepted", "2026-11-23T09:00:04Z", "R-5"),
        ];
        t.store
            .write(|tx| -> StoreResult<()> {
                tx.insert_partner("Globex Corporation", None, b"card", AT, "admin")?;
                tx.insert_partner("Acme Tekstil", None, b"card", AT, "admin")?;
                for (i, (partner, payee, amount, status, received, reference)) in rows.into_iter().enumerate() {
                    let (key, display) = match i {
                        4 => ("iban:GB29NWBK60161331926819", "GB29 NWBK 6016 1331 9268 19"),
                        _ => ("iban:DE89370400440532013000", "DE89 3704 0044 0532 0130 00"),
                    };
                    tx.insert_case(&NewCase {
                        partner_id: partner,
                        beneficiary_name: Some(payee),
                        amount_minor: amount,
                        currency: amount.map(|_| "EUR"),
                        received_at: received,
                        reference: Some(reference),
                        account_key: Some(key),
                        account_display: Some(display),
                        ..new_case("fp", &format!("INV-{i}"), status, 0)
                    })?;
                }
                Ok(())
            })
            .unwrap();
        let b = t.backend;
        let text = |w: &str| CaseWord::Text { text: w.into(), amounts: vec![] };
        let find = |t: &mut countersign_store::testing::TestStore, words: &[CaseWord], status: Option<CaseStatus>| {
            let query = CaseQuery { status, words, sort: CaseSort::default(), page: &Page::default() };
            t.store.read(|tx| tx.search_cases(&query)).unwrap().iter().map(|c| c.id).collect::<Vec<_>>()
        };
        assert_eq!(find(&mut t, &[CaseWord::Number(5)], None), [5], "{b}: #5 is case 5 only");
        assert_eq!(find(&mut t, &[text("r-155")], None), [5], "{b}: the reference");
        assert_eq!(find(&mut t, &[text("globex")], None), [6, 4, 1], "{b}: the partner's name");
        assert_eq!(find(&mut t, &[text("globex"), text("inv-7760")], None), [1], "{b}: every word, the reference");
        assert_eq!(find(&mut t, &[text("gb29nwbk60161331926819")], None), [5], "{b}: an IBAN without spaces");
        assert_eq!(find(&mut t, &[text("nwbk"), text("6016")], None), [5], "{b}: an IBAN as shown, word by word");
        assert_eq!(find(&mut t, &[text("50%")], None), [2], "{b}: % is matched as itself");
        assert_eq!(find(&mut t, &[text("r_1")], None), [2], "{b}: _ is matched as itself");
        assert_eq!(find(&mut t, &[text("globex")], Some(CaseStatus::Hold)), [1], "{b}: with a status");
        let amount = |minor: i64, currencies: &[&str]| CaseWord::Text {
            text: "none-such".into(),
            amounts: vec![(minor, currencies.iter().map(|c| c.to_string()).collect())],
        };
        assert_eq!(find(&mut t, &[amount(4_820_000, &["EUR"])], None), [6, 1], "{b}: an amount in its currency");
        assert!(find(&mut t, &[amount(4_820_000, &["JPY"])], None).is_empty(), "{b}: not in another currency");

        let walk = |t: &mut countersign_store::testing::TestStore, key: CaseSortKey, descending: bool| {
            let (mut seen, mut after) = (Vec::new(), None);
            loop {
                let page = Page { limit: Some(2), after };
                let query = CaseQuery { status: None, words: &[], sort: CaseSort { key, descending }, page: &page };
                let rows = t.store.read(|tx| tx.search_cases(&query)).unwrap();
                let paged = countersign_core::paging::Paged::of(rows, &page, |c| c.id);
                seen.extend(paged.items.iter().map(|c| c.id));
                match paged.next {
                    Some(next) => after = Some(next),
                    None => return seen,
                }
            }
        };
        let orders: [(CaseSortKey, [i64; 6]); 7] = [
            (CaseSortKey::Number, [1, 2, 3, 4, 5, 6]),
            (CaseSortKey::Verdict, [2, 3, 4, 6, 1, 5]),
            (CaseSortKey::Partner, [3, 2, 5, 1, 4, 6]),
            (CaseSortKey::Payee, [5, 2, 1, 4, 6, 3]),
            (CaseSortKey::Amount, [3, 5, 2, 4, 1, 6]),
            (CaseSortKey::Received, [2, 4, 5, 3, 6, 1]),
            (CaseSortKey::Status, [2, 6, 1, 5, 4, 3]),
        ];
        for (key, ascending) in orders {
            assert_eq!(walk(&mut t, key, false), ascending, "{b}: by {key:?}, pages of two");
            let mut descending = ascending;
            descending.reverse();
            assert_eq!(walk(&mut t, key, true), descending, "{b}: by {key:?}, largest first");
        }
        assert_eq!(t.store.read(|tx| tx.case_currencies()).unwrap(), ["EUR"], "{b}");
    }
}
