//! The partner's side of a callback, for the instructions this workspace issued (`issue`): a
//! customer who received our signed bank details calls us back on a number they have on file,
//! reads a six-digit challenge, and we answer with the response computed from our own copy of the
//! file (docs/format.md §3.6; §3.7 for version 2, with the organisation key).
//!
//! Our copy is the signed file kept in the `instruction.issue` event, under the log's hash chain.
//! Before a response is given the copy is checked as ours: the instruction the event names, with
//! the confirmation code the event recorded, signed by our active organisation key. A copy edited
//! in the database is refused (and the refusal logged), never answered for.
//!
//! What the log keeps of an answer (`instruction.respond`): who, which instruction (its id and
//! confirmation code), when, the challenge and the format version; never the response. The
//! challenge was spoken on the call and lets an auditor match our answer to the customer's own
//! record of the callback; the response is the authenticator itself, and a log that is read by
//! auditors and exported in bundles should not hold one (for version 2 only the organisation key
//! can make it).

use crate::ErrorText;
use serde_json::{json, Value};

use super::{now, Permission, ServiceError, ServiceResult, Session, Workspace};
use countersign_core::audit::log::{EventFilter, LoggedEvent};
use countersign_core::encoding::{b64_decode, format_utc};
use countersign_core::format::callback_key::partner_shared_secret;
use countersign_core::format::codes::{Challenge, ChallengeResponse, ConfirmationCode};
use countersign_core::format::envelope::{Envelope, FileKind};
use countersign_core::format::instruction::Instruction;
use countersign_core::format::keys::PublicKey;
use countersign_core::paging::{Page, Paged};
use countersign_store::prelude::*;

/// The action an issued instruction is logged under (with its signed file).
const ISSUE_ACTION: &str = "instruction.issue";
/// The action an answer is logged under; a refused one is `instruction.respond_refused`.
const RESPOND_ACTION: &str = "instruction.respond";

/// Whether the workspace may answer for an issued instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuedStanding {
    /// Our copy is intact and signed by our active organisation key.
    Answerable,
    /// Signed by an organisation key that a rotation retired: partners who accepted our rotation
    /// refuse it, so it is not answered for; issue our details again.
    RetiredKey,
    /// Our copy does not match what was issued (edited in the database): never answered for.
    Altered,
}

/// An instruction this workspace issued, as the list to answer from shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedSummary {
    /// The `instruction.issue` event's sequence number: the list's cursor.
    pub seq: u64,
    /// The instruction's id.
    pub id: String,
    /// The partner it was issued to.
    pub partner_id: i64,
    /// Its name now.
    pub partner_name: String,
    /// Who issued it.
    pub issued_by: String,
    /// When (UTC).
    pub issued_at: String,
    /// The confirmation code recorded when it was issued.
    pub confirmation_code: String,
    /// The last four characters of the account it names.
    pub account_last4: String,
    /// The account as people read it (from an intact copy).
    pub account: Option<String>,
    /// The amount, if it names one (from an intact copy).
    pub amount: Option<String>,
    /// The currency (from an intact copy).
    pub currency: Option<String>,
    /// The end of its validity (from an intact copy).
    pub valid_until: Option<String>,
    /// The format version, 1 or 2 (from an intact copy).
    pub format_version: Option<u32>,
    /// Whether it may be answered for.
    pub standing: IssuedStanding,
}

/// The answer to a callback: what to read out, and what to check before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackAnswer {
    /// The response, two groups of four digits.
    pub response: String,
    /// The challenge it answers, as read out (two groups of three).
    pub challenge: String,
    /// The instruction it is for.
    pub instruction: IssuedSummary,
}

/// An issued instruction read back from its event, with our copy of the file.
struct IssuedRecord {
    summary: IssuedSummary,
    copy: Option<(Envelope, Instruction)>,
}

/// Our copy of the file in an event's details, parsed, if it is there and parses.
fn copy_of(details: &Value) -> Option<(Envelope, Instruction)> {
    let bytes = b64_decode(details["file"].as_str()?)?;
    let envelope = Envelope::parse(&bytes, FileKind::Instruction).ok()?;
    let instruction = Instruction::parse_signed(&envelope).ok()?;
    Some((envelope, instruction))
}

/// How an issued copy stands against what its event recorded and our organisation keys.
fn standing_of(details: &Value, copy: Option<&(Envelope, Instruction)>, active: &PublicKey, retired: &[String]) -> IssuedStanding {
    let Some((envelope, instruction)) = copy else { return IssuedStanding::Altered };
    let recorded = details["confirmation_code"].as_str().and_then(|c| ConfirmationCode::parse(c).ok());
    let as_issued = details["id"].as_str() == Some(instruction.id.as_str())
        && recorded == Some(ConfirmationCode::of_payload(envelope.payload()))
        && instruction.issuer == envelope.signer();
    let signer = envelope.signer().to_string();
    match () {
        _ if !as_issued => IssuedStanding::Altered,
        _ if envelope.signer() == active.fingerprint() && envelope.verify_with(active) => IssuedStanding::Answerable,
        _ if retired.contains(&signer) => IssuedStanding::RetiredKey,
        _ => IssuedStanding::Altered,
    }
}

/// The partner an `instruction.issue` event is about (`partner:ID`).
fn partner_of(event: &LoggedEvent) -> Option<i64> {
    event.subject.strip_prefix("partner:")?.parse().ok()
}

/// Whether `summary` matches a search: the partner's name, the instruction's id, the confirmation
/// code, the account's last four or the amount, ignoring case, spaces and dashes.
fn matches(summary: &IssuedSummary, query: &str) -> bool {
    let plain = |text: &str| text.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_lowercase).collect::<String>();
    let query = plain(query);
    let fields = [
        Some(&summary.partner_name),
        Some(&summary.id),
        Some(&summary.confirmation_code),
        summary.amount.as_ref(),
        summary.account.as_ref(),
    ];
    query.is_empty() || fields.into_iter().flatten().any(|field| plain(field).contains(&query))
}

impl Workspace {
    /// Every instruction this workspace issued with its signed file, oldest first. Instructions
    /// issued before the workspace kept the file are not among them (nothing to answer from).
    fn issued_records(&mut self) -> ServiceResult<Vec<IssuedRecord>> {
        let filter = EventFilter { action: Some(ISSUE_ACTION.into()), ..Default::default() };
        let events = self.store.read(|tx| tx.events_matching(&filter))?;
        let (active_file, _) = self.active_org_key_file()?;
        let active = active_file.public_key().map_err(|e| countersign_store::StoreError::Corrupt(e.to_string()))?;
        let retired: Vec<String> = self.retired_org_keys()?.into_iter().map(|k| k.fingerprint).collect();
        let mut records = Vec::new();
        for event in events.into_iter().filter(|e| e.action == ISSUE_ACTION) {
            let details: Value = serde_json::from_str(&event.details).unwrap_or(Value::Null);
            let (Some(partner_id), Some(id), true) = (partner_of(&event), details["id"].as_str(), details.get("file").is_some()) else {
                continue;
            };
            let partner_name = self.store.read(|tx| tx.partner(partner_id))?.map(|p| p.name).unwrap_or_default();
            let copy = copy_of(&details);
            let standing = standing_of(&details, copy.as_ref(), &active, &retired);
            let intact = copy
                .as_ref()
                .filter(|_| standing != IssuedStanding::Altered)
                .map(|(envelope, instruction)| (envelope.version(), instruction));
            let account_last4 = details["account"].as_str().unwrap_or_default();
            let summary = IssuedSummary {
                seq: event.seq,
                id: id.to_string(),
                partner_id,
                partner_name,
                issued_by: event.actor.clone(),
                issued_at: event.at.clone(),
                confirmation_code: details["confirmation_code"].as_str().unwrap_or_default().to_string(),
                account_last4: account_last4.chars().skip(account_last4.chars().count().saturating_sub(4)).collect(),
                account: intact.and_then(|(_, i)| i.account.validate().ok()).map(|(a, _)| a.display_number()),
                amount: intact.and_then(|(_, i)| i.amount.map(|m| m.to_string())),
                currency: intact.map(|(_, i)| i.currency.code().to_string()),
                valid_until: intact.map(|(_, i)| format_utc(i.valid_until)),
                format_version: intact.map(|(version, _)| version),
                standing,
            };
            records.push(IssuedRecord { summary, copy });
        }
        Ok(records)
    }

    /// The instructions this workspace issued, newest first, one page at a time (the cursor is
    /// the `seq` of the last item of the page before), narrowed by `query` (partner, id,
    /// confirmation code, account or amount) when given: the list to answer a callback from.
    /// Issued instructions are few (our details, once per partner and account), so the list is
    /// read whole from the log and paged here.
    pub fn issued_instructions(&mut self, session: &Session, query: Option<&str>, page: &Page) -> ServiceResult<Paged<IssuedSummary>> {
        self.check_allowed(session, Permission::AnswerCallbacks)?;
        let mut rows: Vec<IssuedSummary> = self
            .issued_records()?
            .into_iter()
            .rev()
            .map(|r| r.summary)
            .filter(|s| page.after.is_none_or(|after| (s.seq as i64) < after))
            .filter(|s| query.is_none_or(|q| matches(s, q)))
            .collect();
        if let Some(fetch) = page.fetch() {
            rows.truncate(fetch as usize);
        }
        Ok(Paged::of(rows, page, |s| s.seq as i64))
    }

    /// Answers a customer's callback about instruction `id`, which this workspace issued: the
    /// response to `challenge` (six digits; spaces and dashes ignored) from our copy of the file,
    /// once `org_passphrase` opens the organisation key (clerks, approvers and admins). The copy
    /// must be intact and signed by our active key; version 2 needs the key's shared secret with
    /// the callback key the file names (format §3.7). Logged as `instruction.respond`; a wrong
    /// passphrase or an altered copy as `instruction.respond_refused`.
    pub fn answer_callback(&mut self, session: &Session, id: &str, challenge: &str, org_passphrase: &str) -> ServiceResult<CallbackAnswer> {
        self.check_allowed(session, Permission::AnswerCallbacks)?;
        let challenge = Challenge::parse(challenge)
            .map_err(|e| ServiceError::InvalidInput(ErrorText::detailed("challenge_invalid", format!("the challenge: {e}"))))?;
        let record = self.issued_records()?.into_iter().rfind(|r| r.summary.id == id).ok_or_else(|| {
            ServiceError::NotFound(
                ErrorText::detailed("instruction", format!("no instruction {id} was issued from this workspace")).with("instruction", id),
            )
        })?;
        let summary = record.summary;
        let subject = format!("partner:{}", summary.partner_id);
        let refused = json!({ "id": summary.id, "confirmation_code": summary.confirmation_code });
        let (envelope, instruction) = match (summary.standing, record.copy) {
            (IssuedStanding::Answerable, Some(copy)) => copy,
            (IssuedStanding::RetiredKey, _) => {
                let text = format!(
                    "instruction {id} was signed with an organisation key that has since been retired: partners who accepted our \
                     new key refuse it, so do not answer for it; issue our details to {} again",
                    summary.partner_name
                );
                return Err(ServiceError::InvalidInput(
                    ErrorText::detailed("signed_with_retired_key", text).with("instruction", id).with("partner", &summary.partner_name),
                ));
            }
            _ => {
                let text = format!(
                    "our copy of instruction {id} is not the file that was issued (it was changed in the workspace): do not \
                     answer the caller; have the audit log verified"
                );
                let error = ServiceError::CheckFailed(ErrorText::detailed("issued_copy_changed", text).with("instruction", id));
                return self.refuse(session.user(), &format!("{RESPOND_ACTION}_refused"), &subject, refused, error);
            }
        };
        let key = self.unlock_org_key_for(session, org_passphrase, RESPOND_ACTION)?;
        if key.fingerprint() != envelope.signer() || !envelope.verify_with(&key.public_key()) {
            return Err(ServiceError::CheckFailed(ErrorText::detailed(
                "changed_meanwhile",
                "the organisation key changed meanwhile; try again",
            )));
        }
        let response = match instruction.callback_key {
            Some(callback) => {
                let shared = partner_shared_secret(&key, &callback)
                    .map_err(|e| ServiceError::CheckFailed(ErrorText::detailed("answer_key_unusable", e.to_string())))?;

                ChallengeResponse::compute_v2(&shared, challenge, envelope.payload())
            }
            None => ChallengeResponse::compute(challenge, envelope.payload()),
        };
        drop(key);
        let at = format_utc(now());
        let details = json!({
            "id": summary.id,
            "confirmation_code": summary.confirmation_code,
            "challenge": challenge.to_string(),
            "format_version": envelope.version(),
        });
        self.store.write(|tx| tx.append_event(&at, session.user(), RESPOND_ACTION, &subject, &details))?;
        Ok(CallbackAnswer { response: response.to_string(), challenge: challenge.to_string(), instruction: summary })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{admin_workspace, sqlite_admin_workspace, ORG_PASSPHRASE};
    use crate::{Credentials, Role};
    use countersign_core::format::callback_key::CallbackSecret;
    use countersign_core::format::signing::sign_instruction;
    use rand_core::OsRng;

    /// Globex onboarded and our account set, ready to `issue`: the partner's id.
    fn ready_to_issue(ws: &mut Workspace, alice: &Session) -> i64 {
        let id = crate::test_support::onboard_globex(ws, alice);
        ws.set_org_account(alice, None, "DE02 1203 0000 0000 2020 51", "BYLADEM1001", "EUR").unwrap();
        id
    }

    fn user(ws: &mut Workspace, alice: &Session, name: &str, role: Role) -> Session {
        let password = format!("{name} password 1");
        ws.add_user(alice, name, role, &password).unwrap();
        ws.login(&Credentials { user: name, password: &password, totp: None }).unwrap()
    }

    /// The newest event's action and details.
    fn last_event(ws: &mut Workspace) -> (String, Value) {
        let count = ws.store.read(|tx| tx.event_count()).unwrap();
        let event = ws.store.read(|tx| tx.events_from(count)).unwrap().pop().unwrap();
        (event.action, serde_json::from_str(&event.details).unwrap())
    }

    fn all(ws: &mut Workspace, session: &Session, query: Option<&str>) -> Vec<IssuedSummary> {
        ws.issued_instructions(session, query, &Page::default()).unwrap().items
    }

    #[test]
    fn the_answer_is_the_response_of_our_copy_and_is_logged_without_it() {
        let (_dir, mut ws, alice) = admin_workspace();
        let partner = ready_to_issue(&mut ws, &alice);
        let issued = ws.issue(&alice, partner, ORG_PASSPHRASE).unwrap();
        let carol = user(&mut ws, &alice, "carol", Role::Clerk);
        let answer = ws.answer_callback(&carol, &issued.id, "305 118", ORG_PASSPHRASE).unwrap();
        let payload = Envelope::parse(&issued.bytes, FileKind::Instruction).unwrap().payload().to_vec();
        let expected = ChallengeResponse::compute(Challenge::parse("305118").unwrap(), &payload).to_string();
        assert_eq!(answer.response, expected, "the response `countersign respond` gives for the issued file");
        assert_eq!(answer.challenge, "305 118");
        assert_eq!(answer.instruction.confirmation_code, issued.confirmation_code);
        assert_eq!((answer.instruction.account_last4.as_str(), answer.instruction.format_version), ("2051", Some(1)));
        assert_eq!(answer.instruction.partner_name, "Globex Corporation");
        let (action, details) = last_event(&mut ws);
        assert_eq!(action, "instruction.respond");
        assert_eq!(
            details,
            json!({ "id": issued.id, "confirmation_code": issued.confirmation_code, "challenge": "305 118", "format_version": 1 })
        );
        assert!(!details.to_string().contains(&expected.replace(' ', "")) && !details.to_string().contains(&expected));
        // Another challenge, another response; the same challenge, the same response.
        assert_ne!(ws.answer_callback(&carol, &issued.id, "305119", ORG_PASSPHRASE).unwrap().response, expected);
        assert_eq!(ws.answer_callback(&alice, &issued.id, "305-118", ORG_PASSPHRASE).unwrap().response, expected);
    }

    #[test]
    fn bad_input_and_a_wrong_passphrase_give_no_response() {
        let (_dir, mut ws, alice) = admin_workspace();
        let partner = ready_to_issue(&mut ws, &alice);
        let issued = ws.issue(&alice, partner, ORG_PASSPHRASE).unwrap();
        let events = ws.store.read(|tx| tx.event_count()).unwrap();
        for challenge in ["30511", "3051189", "30511x", ""] {
            let err = ws.answer_callback(&alice, &issued.id, challenge, ORG_PASSPHRASE).unwrap_err();
            assert_eq!(err.code(), "invalid_input", "{challenge:?}");
        }
        assert_eq!(ws.answer_callback(&alice, "not-issued-here", "305118", ORG_PASSPHRASE).unwrap_err().code(), "not_found");
        assert_eq!(ws.store.read(|tx| tx.event_count()).unwrap(), events, "bad input is not an answer");
        let err = ws.answer_callback(&alice, &issued.id, "305118", "not the passphrase").unwrap_err();
        assert_eq!(err.code(), "authentication_failed");
        let (action, details) = last_event(&mut ws);
        assert_eq!((action.as_str(), &details["refused"]), ("instruction.respond_refused", &json!("authentication_failed")));
    }

    #[test]
    fn clerks_approvers_and_admins_answer_auditors_do_not() {
        let (_dir, mut ws, alice) = admin_workspace();
        let partner = ready_to_issue(&mut ws, &alice);
        let issued = ws.issue(&alice, partner, ORG_PASSPHRASE).unwrap();
        let frank = user(&mut ws, &alice, "frank", Role::Auditor);
        assert_eq!(ws.answer_callback(&frank, &issued.id, "305118", ORG_PASSPHRASE).unwrap_err().code(), "not_permitted");
        assert_eq!(ws.issued_instructions(&frank, None, &Page::default()).unwrap_err().code(), "not_permitted");
        let (action, details) = last_event(&mut ws);
        assert_eq!((action.as_str(), &details["attempted"]), ("permission.denied", &json!("instruction.respond")));
        for role in [Role::Clerk, Role::Approver] {
            let session = user(&mut ws, &alice, &format!("{}1", role.as_str()), role);
            assert_eq!(all(&mut ws, &session, None).len(), 1);
        }
    }

    #[test]
    fn the_list_is_newest_first_paged_and_searchable() {
        let (_dir, mut ws, alice) = admin_workspace();
        let partner = ready_to_issue(&mut ws, &alice);
        let ids: Vec<String> = (0..3).map(|_| ws.issue(&alice, partner, ORG_PASSPHRASE).unwrap().id).collect();
        let listed = all(&mut ws, &alice, None);
        assert_eq!(listed.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), ids.iter().rev().cloned().collect::<Vec<_>>());
        assert!(listed.iter().all(|s| s.standing == IssuedStanding::Answerable && s.issued_by == "alice"));
        assert_eq!(listed[0].account.as_deref(), Some("DE02 1203 0000 0000 2020 51"));
        assert_eq!((listed[0].currency.as_deref(), listed[0].amount.as_deref()), (Some("EUR"), None));

        let first = ws.issued_instructions(&alice, None, &Page::new(Some(2), None).unwrap()).unwrap();
        assert_eq!(first.items.len(), 2);
        assert_eq!(first.next, Some(first.items[1].seq as i64));
        let second = ws.issued_instructions(&alice, None, &Page::new(Some(2), first.next).unwrap()).unwrap();
        assert_eq!((second.items.len(), second.next), (1, None));
        assert_eq!(second.items[0].id, ids[0]);

        let code = listed[1].confirmation_code.replace(' ', "");
        assert_eq!(all(&mut ws, &alice, Some(&code)).iter().map(|s| &s.id).collect::<Vec<_>>(), vec![&ids[1]]);
        assert_eq!(all(&mut ws, &alice, Some("globex corp")).len(), 3);
        assert_eq!(all(&mut ws, &alice, Some("2020 51")).len(), 3, "the account as typed with spaces");
        assert!(all(&mut ws, &alice, Some("umbrella")).is_empty());
    }

    #[test]
    fn a_copy_edited_in_the_database_is_never_answered_for() {
        let (dir, mut ws, alice) = sqlite_admin_workspace();
        let partner = ready_to_issue(&mut ws, &alice);
        let genuine = ws.issue(&alice, partner, ORG_PASSPHRASE).unwrap();
        let other = ws.issue(&alice, partner, ORG_PASSPHRASE).unwrap();
        // The attacker puts another of our signed files in the first one's event: each file is
        // ours and signed, but not the one that event issued.
        let db = rusqlite::Connection::open(dir.path().join("ws").join(countersign_store::sqlite::DATABASE_FILE)).unwrap();
        db.execute_batch("DROP TRIGGER audit_events_no_update;").unwrap();
        let seq: i64 =
            db.query_row("SELECT seq FROM audit_events WHERE action = 'instruction.issue' ORDER BY seq LIMIT 1", [], |r| r.get(0)).unwrap();
        let details: String = db.query_row("SELECT details FROM audit_events WHERE seq = ?1", [seq], |r| r.get(0)).unwrap();
        let mut details: Value = serde_json::from_str(&details).unwrap();
        details["file"] = json!(countersign_core::encoding::b64_encode(&other.bytes));
        db.execute("UPDATE audit_events SET details = ?1 WHERE seq = ?2", rusqlite::params![details.to_string(), seq]).unwrap();
        drop(db);

        let listed = all(&mut ws, &alice, None);
        assert_eq!(
            listed.iter().map(|s| (s.id.clone(), s.standing)).collect::<Vec<_>>(),
            vec![(other.id.clone(), IssuedStanding::Answerable), (genuine.id.clone(), IssuedStanding::Altered)]
        );
        assert_eq!(listed[1].amount, None, "nothing from an altered copy is shown as ours");
        let err = ws.answer_callback(&alice, &genuine.id, "305118", ORG_PASSPHRASE).unwrap_err();
        assert_eq!(err.code(), "check_failed");
        let (action, details) = last_event(&mut ws);
        assert_eq!(
            (action.as_str(), &details["id"], &details["refused"]),
            ("instruction.respond_refused", &json!(genuine.id), &json!("check_failed"))
        );
        ws.answer_callback(&alice, &other.id, "305118", ORG_PASSPHRASE).unwrap();
    }

    #[test]
    fn a_file_signed_by_another_key_or_a_retired_one_is_not_answered_for() {
        let (dir, mut ws, alice) = admin_workspace();
        let partner = ready_to_issue(&mut ws, &alice);
        let before_rotation = ws.issue(&alice, partner, ORG_PASSPHRASE).unwrap();
        // An event naming a file that someone else's key signed, as if we had issued it.
        let stranger = countersign_core::format::keys::KeyPair::generate(&mut OsRng);
        let mut instruction = Instruction::parse_signed(&Envelope::parse(&before_rotation.bytes, FileKind::Instruction).unwrap()).unwrap();
        instruction.id = "forged-1".into();
        instruction.issuer = stranger.fingerprint();
        let forged = sign_instruction(&stranger, &instruction, now()).unwrap();
        let details = json!({ "id": "forged-1", "confirmation_code": forged.confirmation_code.to_string(), "account": "DE02120300000000202051", "file": countersign_core::encoding::b64_encode(&forged.bytes) });
        ws.store.write(|tx| tx.append_event(&format_utc(now()), "alice", ISSUE_ACTION, &format!("partner:{partner}"), &details)).unwrap();
        assert_eq!(ws.answer_callback(&alice, "forged-1", "305118", ORG_PASSPHRASE).unwrap_err().code(), "check_failed");

        let request = crate::OrgKeyRotationRequest {
            passphrase: ORG_PASSPHRASE,
            new_passphrase: ORG_PASSPHRASE,
            statement_out: &dir.path().join("rotation.json"),
            card_out: None,
        };
        ws.rotate_org_key(&alice, &request).unwrap();
        let standing = |ws: &mut Workspace, id: &str| all(ws, &alice, None).into_iter().find(|s| s.id == id).unwrap().standing;
        assert_eq!(standing(&mut ws, &before_rotation.id), IssuedStanding::RetiredKey);
        assert_eq!(ws.answer_callback(&alice, &before_rotation.id, "305118", ORG_PASSPHRASE).unwrap_err().code(), "invalid_input");
        let after_rotation = ws.issue(&alice, partner, ORG_PASSPHRASE).unwrap();
        assert_eq!(standing(&mut ws, &after_rotation.id), IssuedStanding::Answerable);
    }

    #[test]
    fn a_version_2_file_is_answered_with_the_key_and_the_callback_key_it_names() {
        let (_dir, mut ws, alice) = admin_workspace();
        let partner = ready_to_issue(&mut ws, &alice);
        let issued = ws.issue(&alice, partner, ORG_PASSPHRASE).unwrap();
        // The same details as version 2, addressed to the customer's callback key, signed with
        // our organisation key and kept as `issue` keeps its files.
        let customer_callback = CallbackSecret::generate(&mut OsRng);
        let mut instruction = Instruction::parse_signed(&Envelope::parse(&issued.bytes, FileKind::Instruction).unwrap()).unwrap();
        instruction.id = "v2-1".into();
        instruction.callback_key = Some(customer_callback.public_key());
        let key = ws.unlock_org_key(ORG_PASSPHRASE).unwrap();
        let signed = sign_instruction(&key, &instruction, now()).unwrap();
        let details = json!({ "id": "v2-1", "confirmation_code": signed.confirmation_code.to_string(), "account": "DE02120300000000202051", "file": countersign_core::encoding::b64_encode(&signed.bytes) });
        ws.store.write(|tx| tx.append_event(&format_utc(now()), "alice", ISSUE_ACTION, &format!("partner:{partner}"), &details)).unwrap();

        let answer = ws.answer_callback(&alice, "v2-1", "305118", ORG_PASSPHRASE).unwrap();
        assert_eq!(answer.instruction.format_version, Some(2));
        // What the customer's approver checks with their callback secret and our public key.
        let envelope = Envelope::parse(&signed.bytes, FileKind::Instruction).unwrap();
        let shared = customer_callback.shared_secret(&key.public_key()).unwrap();
        let expected = ChallengeResponse::compute_v2(&shared, Challenge::parse("305118").unwrap(), envelope.payload());
        assert_eq!(answer.response, expected.to_string());
        assert_ne!(answer.response, ChallengeResponse::compute(Challenge::parse("305118").unwrap(), envelope.payload()).to_string());
    }
}
