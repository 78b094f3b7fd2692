//! The receiving pipeline: checks a signed instruction against the workspace (pinned keys,
//! recipient, replay, the partner's history, every other partner's accounts) and yields a
//! verdict with findings. `verify` only reads (and logs that it verified); `receive` records
//! the file and opens a case, one transaction per file, so an interrupted batch keeps what it
//! finished and can simply be run again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::marks::check_mark;
use super::statements::{check_account, check_key, refresh};
use super::{now, Permission, ServiceError, ServiceResult, Session, Workspace};
use countersign_core::assess::email::attachment_sha256s;
use countersign_core::assess::findings::{Finding, ReasonCode, Verdict};
use countersign_core::assess::history::{assess_bank_details, AccountElsewhere, KnownAccount, PartnerHistory};
use countersign_core::assess::replay::{replay_finding, EarlierReceipt};
use countersign_core::audit::log::LoggedEvent;
use countersign_core::audit::state::ImpliedState;
use countersign_core::audit::statement::{sign, StatementFields};
use countersign_core::bank::BankAccount;
use countersign_core::cases::policy::Policy;
use countersign_core::changes::{ChangeKind, ChangeStatus, Proposal};
use countersign_core::encoding::{format_utc, parse_utc, sha256_hex};
use countersign_core::format::callback_key::CallbackPublicKey;
use countersign_core::format::envelope::MAX_FILE_SIZE;
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::instruction::Instruction;
use countersign_core::format::keys::PublicKey;
use countersign_core::format::verify::{
    check_instruction_file, CheckOptions, FileCheck, RetiredRecipient, SignerLookup, SignerStatus, DEFAULT_CLOCK_SKEW,
};
use countersign_core::paging::Page;
use countersign_core::registry::{AccountRecord, AccountStatus, KeyStatus};
use countersign_store::prelude::*;
use countersign_store::{FraudMark, NewAccount, NewCase, StoreError, Tx};

/// The partner an instruction came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRef {
    /// Partner id.
    pub id: i64,
    /// Legal name.
    pub name: String,
}

/// The instruction's essentials, for display.
#[derive(Debug, Clone)]
pub struct InstructionSummary {
    /// The parsed payload.
    pub instruction: Instruction,
    /// The account as people read it, when valid.
    pub account_display: Option<String>,
    /// Last four characters of the account, when valid.
    pub account_last4: Option<String>,
}

/// The result of checking one file against the workspace.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The file's name as given.
    pub file_name: String,
    /// SHA-256 of the file, hex.
    pub file_sha256: String,
    /// Every finding, in the order checked.
    pub findings: Vec<Finding>,
    /// The confirmation code, when the signature is valid.
    pub confirmation_code: Option<String>,
    /// The signer the file names.
    pub signer: Option<String>,
    /// The partner, when the signing key is pinned.
    pub partner: Option<PartnerRef>,
    /// The instruction, when the signature is valid.
    pub instruction: Option<InstructionSummary>,
    /// The case opened for it (`receive` only).
    pub case_id: Option<i64>,
    /// SHA-256 of the email that carried it, when one was given.
    pub email_sha256: Option<String>,
    /// The phone numbers that email gives, E.164 (issue 20): kept in the signed receipt, so none
    /// of them is offered for the case's callback.
    pub email_numbers: Vec<String>,
}

impl Assessment {
    /// The verdict: the worst severity among the findings, computed here and nowhere else.
    pub fn verdict(&self) -> Verdict {
        Verdict::from_findings(&self.findings)
    }
}

/// Pinned keys loaded once, for checking many files.
struct PinnedKeys {
    by_fingerprint: HashMap<Fingerprint, (i64, PublicKey, Option<String>)>,
}

impl PinnedKeys {
    fn load(tx: &dyn Tx) -> ServiceResult<Self> {
        let mut by_fingerprint = HashMap::new();
        for key in tx.all_keys()? {
            let fp = Fingerprint::parse_canonical(&key.fingerprint).ok_or_else(|| StoreError::Corrupt("key fingerprint".into()))?;
            let pk = PublicKey::from_bytes(&key.public_key).ok_or_else(|| StoreError::Corrupt("pinned key".into()))?;
            let why = match key.status {
                KeyStatus::Active => None,
                _ => Some(key.status_reason.clone().unwrap_or_else(|| key.status.to_string())),
            };
            let why = why.map(|reason| format!("{} on {}: {reason}", key.status, key.status_changed_at.clone().unwrap_or_default()));
            by_fingerprint.insert(fp, (key.partner_id, pk, why));
        }
        Ok(PinnedKeys { by_fingerprint })
    }

    fn partner_of(&self, fp: &Fingerprint) -> Option<i64> {
        self.by_fingerprint.get(fp).map(|(partner, _, _)| *partner)
    }
}

impl SignerLookup for PinnedKeys {
    fn lookup(&self, signer: &Fingerprint) -> SignerStatus {
        match self.by_fingerprint.get(signer) {
            Some((_, key, None)) => SignerStatus::Active(*key),
            Some((_, key, Some(why))) => SignerStatus::Revoked { key: *key, why: why.clone() },
            None => SignerStatus::Unknown,
        }
    }
}

/// Everything the pipeline needs that does not change between files of one batch.
struct Context {
    keys: PinnedKeys,
    /// The statement `keys` were loaded after ([`ImpliedState::keys_changed_at`] in the same
    /// snapshot): a later read (the callback key's) may see a newer state, and a revocation
    /// between the two must still make the run load the keys again.
    keys_as_of: u64,
    us: Fingerprint,
    policy: Policy,
    /// Our keys retired by rotation, to explain a file still addressed to one of them.
    retired_us: Vec<RetiredRecipient>,
    /// Our callback key, which a v2 file must name.
    callback_key: Option<CallbackPublicKey>,
    /// The new keys of rotations waiting for a second person (issue 15), by fingerprint: the
    /// change's id and summary, to explain why a file they sign is refused.
    pending_keys: HashMap<String, (i64, String)>,
}

/// The new keys of the pending key rotations (the `new` of each proposed `partner.rotate_key`).
fn pending_rotation_keys(tx: &dyn Tx) -> ServiceResult<HashMap<String, (i64, String)>> {
    let mut keys = HashMap::new();
    for change in tx.changes(Some(ChangeStatus::Pending), &Page::default())?.into_iter().filter(|c| c.kind == ChangeKind::PartnerRotateKey)
    {
        let proposal: Proposal = serde_json::from_str(&change.proposal).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for new in proposal.effects.iter().filter_map(|e| e.details["new"].as_str()) {
            keys.insert(new.to_string(), (change.id, proposal.summary.clone()));
        }
    }
    Ok(keys)
}

impl Workspace {
    /// The batch's context: our fingerprint, the policy and the pinned keys, each checked against
    /// the signed statements (a refusal is logged as `session`'s).
    fn context(&mut self, session: &Session) -> ServiceResult<Context> {
        let us = self.org_fingerprint()?;
        let policy = self.verified_policy(session.user())?;
        let (keys, keys_as_of) = self.verified(session.user(), "partners", |tx, state| {
            for key in tx.all_keys()? {
                check_key(state, &key)?;
            }
            Ok((PinnedKeys::load(tx)?, state.keys_changed_at))
        })?;
        let retired_us = self
            .retired_org_keys()?
            .into_iter()
            .map(|k| {
                let fingerprint = k.fingerprint.parse().map_err(|_| StoreError::Corrupt("a retired organisation key".into()))?;
                Ok(RetiredRecipient { fingerprint, retired_at: k.retired_at })
            })
            .collect::<ServiceResult<_>>()?;
        let callback_key = self.callback_public_key(session.user())?;
        let pending_keys = self.store.read(pending_rotation_keys)?;
        Ok(Context { keys, keys_as_of, us, policy, retired_us, callback_key, pending_keys })
    }

    /// Checks one file against the workspace without changing anything but the log, which
    /// records that a verification happened.
    /// With `email`, the message that carried the file is read too; its findings can only raise
    /// the verdict.
    pub fn verify(&mut self, session: &Session, file_name: &str, bytes: &[u8], email: Option<&[u8]>) -> ServiceResult<Assessment> {
        self.authorize(session, Permission::VerifyInstructions, "instructions")?;
        super::email_evidence::check_email_size(email)?;
        let ctx = self.context(session)?;
        let at = now();
        let checked = check_file(bytes, &ctx, at);
        let by = session.user().to_string();
        let state = &mut self.implied;
        let result = self.store.write(|tx| -> ServiceResult<Assessment> {
            refresh(tx, state)?;
            let (mut assessment, _) = assess(tx, &ctx, state, file_name, checked, at)?;
            if let Some(raw) = email {
                add_email_evidence(tx, state, &mut assessment, raw)?;
            }
            tx.append_event(
                &format_utc(at),
                &by,
                "instruction.verify",
                &format!("file:{}", assessment.file_sha256),
                &event_details(&assessment),
            )?;
            Ok(assessment)
        });
        self.log_unverified(&by, "instructions", result)
    }

    /// Receives files: each is checked, recorded with its case and audit event in a
    /// transaction of its own, in the order given. Signatures are checked on other threads,
    /// ahead of the recording. `progress` is called after each file with (done, total).
    pub fn receive(
        &mut self,
        session: &Session,
        files: &[(String, Vec<u8>)],
        email: Option<&[u8]>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> ServiceResult<Vec<Assessment>> {
        self.authorize(session, Permission::ReceiveInstructions, "instructions")?;
        super::email_evidence::check_email_size(email)?;
        let email_attachments = match email {
            Some(raw) => attachment_sha256s(raw).map_err(super::email_evidence::email_unreadable)?,

            None => vec![],
        };
        let ctx = self.context(session)?;
        // Files are checked as of the batch's start (on the checking threads, ahead of the
        // recording); each is recorded, and its event written, at its own time (issue 16: a batch
        // of 114 s gave every event its first second).
        let at = now();
        let by = session.user().to_string();
        let key = &session.keys().personal;
        let mut results = Vec::with_capacity(files.len());
        let state = &mut self.implied;
        let outcome = std::thread::scope(|scope| {
            // Each receipt is a statement signed with the clerk's key (issue 14), on this thread,
            // while the recording thread assesses the next files of the group.
            let (jobs, job_queue) = std::sync::mpsc::channel::<(String, String, Value)>();
            let (signatures, signed) = std::sync::mpsc::channel::<Value>();
            let actor = by.as_str();
            scope.spawn(move || {
                for (at, subject, details) in job_queue {
                    let fields = StatementFields { at: &at, actor, action: RECEIVE, subject: &subject };
                    if signatures.send(sign(key, &fields, details)).is_err() {
                        break;
                    }
                }
            });
            let run = PaymentRun { ctx: &ctx, files, email, email_attachments, by: actor, at, jobs, signed, reloaded: RefCell::new(None) };
            let outcome = self.store.bulk(|store| {
                let mut group = Vec::with_capacity(RECORD_GROUP);
                let mut flush = |group: &mut Vec<(usize, Checked)>| -> ServiceResult<()> {
                    yield_to_urgent_writes(&*store);
                    let recorded = store.write(|tx| run.record_group(tx, state, std::mem::take(group)))?;
                    for (i, assessment) in recorded {
                        results.push(assessment);
                        progress(i + 1, files.len());
                    }
                    Ok(())
                };
                for_each_checked(files, &ctx, at, |i, checked| {
                    group.push((i, checked));
                    match group.len() == RECORD_GROUP {
                        true => flush(&mut group),
                        false => Ok(()),
                    }
                })?;
                flush(&mut group)
            });
            drop(run);
            outcome
        });
        let outcome = outcome.map_err(ServiceError::from).and_then(|inner| inner);
        if outcome.is_err() {
            // Receipts applied to the cache in a group that did not commit: replay afresh.
            self.implied = ImpliedState::default();
        }
        self.log_unverified(&by, "instructions", outcome)?;
        Ok(results)
    }
}

/// The action of a receipt.
const RECEIVE: &str = "instruction.receive";

/// Files of a payment run recorded in one write transaction: a crash loses at most the group
/// being written, never part of a file, and the receipts' signatures are made on another thread
/// while the group's next files are assessed.
const RECORD_GROUP: usize = 64;

/// What recording a payment run needs besides the store and the implied state.
struct PaymentRun<'r> {
    ctx: &'r Context,
    files: &'r [(String, Vec<u8>)],
    email: Option<&'r [u8]>,
    /// The SHA-256 of each attachment of the email: with several files, its evidence goes only
    /// to the files it carried (issue 19: one email dropped with a batch marked every file).
    email_attachments: Vec<String>,
    /// The clerk.
    by: &'r str,
    /// When the files were checked.
    at: OffsetDateTime,
    /// Receipts to sign: (time, subject, details).
    jobs: std::sync::mpsc::Sender<(String, String, Value)>,
    /// Their signed details, in the same order.
    signed: std::sync::mpsc::Receiver<Value>,
    /// The keys loaded again after a partner key changed during the run (an emergency
    /// revocation in another process), with the statement they were loaded after.
    reloaded: RefCell<Option<(u64, Context)>>,
}

/// How long a payment run yields, at most, to an urgent write announced by another process
/// ([`Store::announce_urgent_write`]) before it goes on.
const URGENT_YIELD: std::time::Duration = std::time::Duration::from_secs(2);

/// Waits between two transactions of a payment run while another process has announced an urgent
/// write (a revocation, disabling a user), so that it gets the lock now, not after the run (issue
/// 16: a revocation waited 20 s and failed).
fn yield_to_urgent_writes(store: &dyn Store) {
    let start = std::time::Instant::now();
    while store.urgent_write_waiting() && start.elapsed() < URGENT_YIELD {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

impl PaymentRun<'_> {
    /// The email that carried this file: the one given with a single file (the user chose the
    /// pair), or, with several, only if the file is one of its attachments.
    fn email_of(&self, bytes: &[u8]) -> Option<&[u8]> {
        let carried = self.files.len() == 1 || self.email_attachments.contains(&sha256_hex(bytes));
        self.email.filter(|_| carried)
    }

    /// Assesses and records a group of checked files in `tx`: each file's case and account history,
    /// its receipt applied to `state` as it will be logged (the next file's checks read it), then
    /// the receipts, signed meanwhile, appended in order.
    fn record_group(&self, tx: &dyn Tx, state: &mut ImpliedState, group: Vec<(usize, Checked)>) -> ServiceResult<Vec<(usize, Assessment)>> {
        refresh(tx, state)?;
        self.reload_keys_if_changed(tx, state)?;
        let first_seq = tx.event_count()? + 1;
        let mut recorded = Vec::with_capacity(group.len());
        for (n, (i, checked)) in group.into_iter().enumerate() {
            let (name, bytes) = &self.files[i];
            let checked = self.checked_again_if_its_key_changed(bytes, checked);
            let recorded_at = format_utc(now());
            let (mut assessment, account) = assess(tx, self.ctx, state, name, checked, self.at)?;
            let email = self.email_of(bytes);
            if let Some(raw) = email {
                add_email_evidence(tx, state, &mut assessment, raw)?;
            }
            let case_id = record(tx, &assessment, account.as_ref(), bytes, email, self.by, &recorded_at)?;
            assessment.case_id = Some(case_id);
            let details = receipt_details(&assessment, account.as_ref());
            let subject = format!("case:{case_id}");
            self.jobs.send((recorded_at.clone(), subject.clone(), details.clone())).expect("the signing thread runs until the run ends");
            let own = LoggedEvent {
                seq: first_seq + n as u64,
                at: recorded_at.clone(),
                actor: self.by.to_string(),
                action: RECEIVE.into(),
                subject: subject.clone(),
                details: String::new(),
                prev_hash: [0; 32],
                hash: [0; 32],
            };
            state.apply_own(&own, &details);
            recorded.push((i, assessment, recorded_at, subject));
        }
        let mut done = Vec::with_capacity(recorded.len());
        for (n, (i, assessment, recorded_at, subject)) in recorded.into_iter().enumerate() {
            let signed = self.signed.recv().expect("the signing thread answers every receipt");
            let seq = tx.append_event(&recorded_at, self.by, RECEIVE, &subject, &signed)?;
            if seq != first_seq + n as u64 {
                return Err(
                    StoreError::Corrupt(format!("receipt {subject} was logged as event {seq}, not {}", first_seq + n as u64)).into()
                );
            }
            done.push((i, assessment));
        }
        Ok(done)
    }
}

impl PaymentRun<'_> {
    /// Loads the pinned keys again (checked against the statements) when a statement since the
    /// last load pinned, retired or revoked one.
    fn reload_keys_if_changed(&self, tx: &dyn Tx, state: &ImpliedState) -> ServiceResult<()> {
        let loaded_after = self.reloaded.borrow().as_ref().map_or(self.ctx.keys_as_of, |(seq, _)| *seq);
        if state.keys_changed_at <= loaded_after {
            return Ok(());
        }
        for key in tx.all_keys()? {
            check_key(state, &key)?;
        }
        let ctx = Context {
            keys: PinnedKeys::load(tx)?,
            keys_as_of: state.keys_changed_at,
            us: self.ctx.us,
            policy: self.ctx.policy.clone(),
            retired_us: self.ctx.retired_us.clone(),
            callback_key: self.ctx.callback_key,
            pending_keys: pending_rotation_keys(tx)?,
        };
        *self.reloaded.borrow_mut() = Some((state.keys_changed_at, ctx));
        Ok(())
    }

    /// A file checked on the checking threads with the keys of the run's start, checked again if
    /// its signer's key has changed since (every file recorded after a revocation sees it).
    fn checked_again_if_its_key_changed(&self, bytes: &[u8], checked: Checked) -> Checked {
        let reloaded = self.reloaded.borrow();
        let (Some((_, fresh)), Some(signer)) = (reloaded.as_ref(), checked.check.claimed_signer.as_ref()) else { return checked };
        let (before, now) = (self.ctx.keys.lookup(signer), fresh.keys.lookup(signer));
        if std::mem::discriminant(&before) == std::mem::discriminant(&now) {
            return checked;
        }
        check_file(bytes, fresh, self.at)
    }
}

/// The receipt statement's details: the assessment's, and what the state keeps of the case.
fn receipt_details(assessment: &Assessment, account: Option<&ValidAccount>) -> Value {
    let mut details = event_details(assessment);
    details["account_key"] = json!(account.map(|a| a.key.as_str()));
    details["account_bic"] = json!(account.map(|a| a.account.bic().as_str()));
    let instruction = assessment.instruction.as_ref().map(|s| &s.instruction);
    details["amount_minor"] = json!(instruction.and_then(|i| i.amount).map(|m| m.minor_units()));
    details["currency"] = json!(instruction.map(|i| i.currency.code()));
    details
}

/// What can be known of a file without the workspace's history, worked out on the checking
/// threads: the checks of [`check_instruction_file`], the file's hash, and the forms of the
/// instruction that the assessment and the case keep.
struct Checked {
    check: FileCheck,
    file_sha256: String,
    /// The claimed signer, canonical text.
    signer: Option<String>,
    /// When the signature verified.
    prepared: Option<Prepared>,
}

/// What is derived from a verified instruction alone.
struct Prepared {
    confirmation_code: String,
    summary: InstructionSummary,
    /// The account, when its format is valid.
    account: Option<ValidAccount>,
}

/// A validated account with the forms the store keeps.
struct ValidAccount {
    account: BankAccount,
    /// [`BankAccount::key`].
    key: String,
    /// [`BankAccount::display_number`].
    display: String,
    /// Whether the partner's history, as read in the assessment's transaction, has another
    /// account that is current (true until the assessment has looked).
    another_current: bool,
}

fn check_file(bytes: &[u8], ctx: &Context, at: OffsetDateTime) -> Checked {
    let options = CheckOptions {
        now: at,
        clock_skew: DEFAULT_CLOCK_SKEW,
        expected_recipient: Some(ctx.us),
        retired_recipients: ctx.retired_us.clone(),
        expected_callback_key: ctx.callback_key,
    };
    let mut check = check_instruction_file(bytes, &ctx.keys, &options);
    // A key a pending rotation names is not pinned yet: say so, and what to do (issue 15).
    if let Some((change, summary)) = check.claimed_signer.and_then(|s| ctx.pending_keys.get(&s.to_string())) {
        for finding in check.findings.iter_mut().filter(|f| f.code == ReasonCode::UnknownSigner) {
            finding.message = format!(
                "Signed with a key that is not pinned yet: a key rotation names it and waits for a second person's approval \
                 (change {change}: {summary}). Files it signs are refused until the change is approved; receive this one again then."
            );
        }
    }
    let prepared = check.verified.as_ref().map(|verified| {
        let account = verified.account().map(|a| ValidAccount {
            key: a.key(),
            display: a.display_number(),
            account: a.clone(),
            another_current: true,
        });
        Prepared {
            confirmation_code: verified.confirmation_code().to_string(),
            summary: InstructionSummary {
                instruction: verified.instruction().clone(),
                account_display: account.as_ref().map(|a| a.display.clone()),
                account_last4: verified.account().map(|a| a.last4()),
            },
            account,
        }
    });
    Checked {
        file_sha256: sha256_hex(&bytes[..bytes.len().min(MAX_FILE_SIZE + 1)]),
        signer: check.claimed_signer.map(|s| s.to_string()),
        prepared,
        check,
    }
}

/// Files handed to a checking thread at a time.
const CHECK_BLOCK: usize = 32;

/// Calls `each(i, checked)` for every file, in the input order, on this thread, while other
/// threads check the files ahead (signatures, parsing, hashes), so that checking later files
/// overlaps with recording earlier ones. Stops at the first error `each` returns.
fn for_each_checked(
    files: &[(String, Vec<u8>)],
    ctx: &Context,
    at: OffsetDateTime,
    mut each: impl FnMut(usize, Checked) -> ServiceResult<()>,
) -> ServiceResult<()> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if files.len() < 16 || threads == 1 {
        for (i, (_, bytes)) in files.iter().enumerate() {
            each(i, check_file(bytes, ctx, at))?;
        }
        return Ok(());
    }
    // This thread records (the longer part of the work); the other cores check.
    let workers = threads - 1;
    let blocks = files.len().div_ceil(CHECK_BLOCK);
    let next_block = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel::<(usize, Vec<Checked>)>();
        for _ in 0..workers {
            let sender = sender.clone();
            let (next_block, stop) = (&next_block, &stop);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let block = next_block.fetch_add(1, Ordering::Relaxed);
                    if block >= blocks {
                        break;
                    }
                    let part = &files[block * CHECK_BLOCK..files.len().min((block + 1) * CHECK_BLOCK)];
                    let checked = part.iter().map(|(_, bytes)| check_file(bytes, ctx, at)).collect();
                    if sender.send((block, checked)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut early: HashMap<usize, Vec<Checked>> = HashMap::new();
        let mut consume = || -> ServiceResult<()> {
            for block in 0..blocks {
                let checked = loop {
                    if let Some(checked) = early.remove(&block) {
                        break checked;
                    }
                    let (done, checked) = receiver.recv().expect("a verification thread panicked");
                    early.insert(done, checked);
                };
                for (k, one) in checked.into_iter().enumerate() {
                    each(block * CHECK_BLOCK + k, one)?;
                }
            }
            Ok(())
        };
        let result = consume();
        stop.store(true, Ordering::Relaxed);
        result
    })
}

/// Adds the workspace's findings (replay, history) to the file's own checks. Also returns the
/// instruction's validated account when the file is a verified instruction from a known partner.
fn assess(
    tx: &dyn Tx,
    ctx: &Context,
    state: &ImpliedState,
    file_name: &str,
    checked: Checked,
    at: OffsetDateTime,
) -> ServiceResult<(Assessment, Option<ValidAccount>)> {
    let Checked { check, file_sha256, signer: signer_text, prepared } = checked;
    let mut findings = check.findings;
    let partner_id = check.claimed_signer.as_ref().and_then(|s| ctx.keys.partner_of(s));
    let partner_row = match partner_id {
        Some(id) => tx.partner(id)?,
        None => None,
    };
    let partner = partner_row.as_ref().map(|p| PartnerRef { id: p.id, name: p.name.clone() });
    let mut summary = None;
    let mut confirmation_code = None;
    let mut valid_account = None;
    let mut another_current = true;
    if let (Some(verified), Some(prepared)) = (&check.verified, prepared) {
        confirmation_code = Some(prepared.confirmation_code);
        if let Some(partner_row) = &partner_row {
            let instruction = verified.instruction();
            // The verified signer is the claimed one: the signature was checked with the pinned
            // key of that fingerprint.
            let signer_text = signer_text.as_deref().ok_or_else(|| StoreError::Corrupt("a verified file without a signer".into()))?;
            let earlier =
                tx.earlier_receipt(signer_text, &instruction.id)?.map(|(case_id, received_at)| EarlierReceipt { case_id, received_at });
            let newest_accepted = match earlier {
                Some(_) => None,
                None => tx.newest_accepted_issue(signer_text)?.as_deref().and_then(parse_utc),
            };
            findings.extend(replay_finding(instruction, earlier.as_ref(), newest_accepted));
            let account_key = prepared.account.as_ref().map(|a| a.key.as_str());
            findings.extend(super::freezes::frozen_finding_for(state, partner_row.id, account_key, at));
            if let (Some(account), Some(valid)) = (verified.account(), &prepared.account) {
                let (accounts, fraud_mark) = checked_history(tx, state, partner_row.id, &valid.key)?;
                another_current = accounts.iter().any(|a| a.status == AccountStatus::Current && a.account_key != valid.key);
                let history = PartnerHistory {
                    legal_name: partner_row.name.clone(),
                    country: partner_row.country.clone(),
                    accounts: accounts
                        .iter()
                        .map(|a| KnownAccount {
                            key: a.account_key.clone(),
                            display: a.display.clone(),
                            country: a.country.clone(),
                            status: a.status,
                            became_current_at: a.became_current_at.as_deref().and_then(parse_utc),
                        })
                        .collect(),
                    last_key_rotation: tx.last_key_rotation(partner_row.id)?.as_deref().and_then(parse_utc),
                    amounts_in_currency: tx.partner_amounts(partner_row.id, instruction.currency.code(), ctx.policy.amount_history_min)?,
                };
                let elsewhere = AccountElsewhere {
                    suspected: fraud_mark.as_ref().is_some_and(|m| m.confirmed.is_none()),
                    fraudulent: fraud_mark.map(|m| format!("marked on {} after a denied callback: {}", m.marked_at, m.reason)),
                    other_partners: tx.other_partners_with_account(partner_row.id, &valid.key)?,
                };
                findings.extend(assess_bank_details(verified, account, &history, &elsewhere, &ctx.policy, at));
            }
            summary = Some(prepared.summary);
            valid_account = prepared.account.map(|valid| ValidAccount { another_current, ..valid });
        }
    }
    let assessment = Assessment {
        file_name: file_name.to_string(),
        file_sha256,
        findings,
        confirmation_code,
        signer: signer_text,
        partner,
        instruction: summary,
        case_id: None,
        email_sha256: None,
        email_numbers: vec![],
    };
    Ok((assessment, valid_account))
}

/// A partner's account history and the mark of `account_key`, from their rows checked against
/// the signed statements (issue 14: a mule account set to current by hand was accepted).
fn checked_history(
    tx: &dyn Tx,
    state: &ImpliedState,
    partner_id: i64,
    account_key: &str,
) -> ServiceResult<(Vec<AccountRecord>, Option<FraudMark>)> {
    let accounts = tx.partner_accounts(partner_id, &Page::default())?;
    for a in &accounts {
        check_account(state, a)?;
    }
    let fraud_mark = tx.fraud_mark(account_key)?;
    check_mark(state, account_key, fraud_mark.as_ref())?;
    Ok((accounts, fraud_mark))
}

/// Records a received file: the case, and the account in the partner's history. `account` is
/// the instruction's account as validated by the checks (None when there is no verified
/// instruction from a known partner, or its account is not valid).
fn record(
    tx: &dyn Tx,
    a: &Assessment,
    account: Option<&ValidAccount>,
    bytes: &[u8],
    email: Option<&[u8]>,
    by: &str,
    at_text: &str,
) -> ServiceResult<i64> {
    let findings = serde_json::to_string(&a.findings).expect("findings serialise");
    let instruction = a.instruction.as_ref().map(|s| &s.instruction);
    let issued_at = instruction.map(|i| format_utc(i.issued_at));
    let due_date = instruction.and_then(|i| i.due_date).map(|d| d.to_string());
    let stored_file: &[u8] = &bytes[..bytes.len().min(MAX_FILE_SIZE)];
    let case_id = tx.insert_case(&NewCase {
        status: a.verdict().as_str(),
        verdict: a.verdict().as_str(),
        findings: &findings,
        file_name: stored_name(&a.file_name),
        file_sha256: &a.file_sha256,
        file: stored_file,
        signer: a.signer.as_deref(),
        partner_id: a.partner.as_ref().map(|p| p.id),
        instruction_id: instruction.map(|i| i.id.as_str()),
        issued_at: issued_at.as_deref(),
        confirmation_code: a.confirmation_code.as_deref(),
        beneficiary_name: instruction.map(|i| i.beneficiary_name.as_str()),
        account_key: account.map(|acc| acc.key.as_str()),
        account_display: a.instruction.as_ref().and_then(|s| s.account_display.as_deref()),
        currency: instruction.map(|i| i.currency.code()),
        amount_minor: instruction.and_then(|i| i.amount).map(|m| m.minor_units()),
        email_sha256: a.email_sha256.as_deref(),
        email,
        received_by: by,
        received_at: at_text,
        account_bic: account.map(|acc| acc.account.bic().as_str()),
        reference: instruction.and_then(|i| i.reference.as_deref()),
        due_date: due_date.as_deref(),
    })?;
    if let (Some(partner), Some(account), true) = (&a.partner, account, a.verdict() != Verdict::Rejected) {
        let seen = NewAccount {
            partner_id: partner.id,
            account_key: &account.key,
            display: &account.display,
            bic: account.account.bic().as_str(),
            country: account.account.country(),
            status: AccountStatus::Pending,
            source: "instruction",
            seen_at: at_text,
        };
        if a.verdict() == Verdict::Accepted {
            // Seen, then made current (retiring the partner's other current account, if any).
            tx.note_current_account(&seen, account.another_current)?;
        } else {
            tx.note_account(&seen)?;
        }
    }
    Ok(case_id)
}

/// The name a received file is kept under in its case and its event: the last part of the path
/// it was given as, so the log does not record where it lay on someone's disk.
fn stored_name(file_name: &str) -> &str {
    std::path::Path::new(file_name).file_name().and_then(|n| n.to_str()).unwrap_or(file_name)
}

fn event_details(a: &Assessment) -> Value {
    let mut details = json!({
        "file_name": stored_name(&a.file_name),
        "file_sha256": a.file_sha256,
        "verdict": a.verdict().as_str(),
        "codes": a.findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(),
        "signer": a.signer,
        "partner": a.partner.as_ref().map(|p| p.id),
        "instruction_id": a.instruction.as_ref().map(|s| s.instruction.id.clone()),
        "confirmation_code": a.confirmation_code,
        "email_sha256": a.email_sha256,
    });
    if !a.email_numbers.is_empty() {
        // Never offered for the case's callback (issue 20; the replay's rule too).
        details["email_numbers"] = json!(a.email_numbers);
    }
    // A v2 file: its callback response is checked with the callback secret (the replay's rule too).
    if let Some(key) = a.instruction.as_ref().and_then(|s| s.instruction.callback_key) {
        details["callback_key"] = json!(key.to_base64());
    }
    details
}

/// Reads the email that carried the file and adds its findings; they can only raise the
/// verdict (warnings hold; the one informational finding changes nothing).
fn add_email_evidence(tx: &dyn Tx, state: &ImpliedState, a: &mut Assessment, raw: &[u8]) -> ServiceResult<()> {
    let evidence = super::email_evidence::read_email(tx, state, a.partner.as_ref().map(|p| p.id), raw)?;
    a.findings.extend(evidence.findings);
    a.email_sha256 = Some(evidence.sha256);
    a.email_numbers = evidence.numbers;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::stored_name;
    use crate::test_support::admin_workspace;
    use countersign_core::audit::log::EventFilter;
    use countersign_store::prelude::*;

    /// Regression (issue 16): every event of a batch carried the batch's start time (one batch ran
    /// 114 s); each file is recorded, and its event written, at its own time.
    #[test]
    fn each_file_of_a_batch_is_recorded_at_its_own_time() {
        let (_dir, mut ws, admin) = admin_workspace();
        // Unreadable files are recorded too (rejected, malformed_file), which is all this needs.
        // One more than a group: the last file is recorded after the first group was reported.
        let files: Vec<(String, Vec<u8>)> =
            (0..=super::RECORD_GROUP).map(|i| (format!("{i}.csi"), b"not an instruction".to_vec())).collect();
        let mut slow = |done: usize, _total: usize| {
            if done == super::RECORD_GROUP {
                std::thread::sleep(std::time::Duration::from_millis(1_100));
            }
        };
        ws.receive(&admin, &files, None, &mut slow).unwrap();
        let filter = EventFilter { action: Some("instruction.receive".into()), ..Default::default() };
        let events = ws.store.read(|tx| tx.events_matching(&filter)).unwrap();
        assert_eq!(events.len(), files.len());
        let (before, after) = (&events[super::RECORD_GROUP - 1], &events[super::RECORD_GROUP]);
        assert!(before.at < after.at, "{} then {}", before.at, after.at);
        assert!(ws.implied_state().unwrap().problems.is_empty(), "every receipt signed and counted");
    }

    #[test]
    fn a_received_file_is_kept_under_its_own_name_without_its_folders() {
        assert_eq!(stored_name("/home/dave/Downloads/globex-inv-7760.json"), "globex-inv-7760.json");
        assert_eq!(stored_name("run/0001.csi"), "0001.csi");
        assert_eq!(stored_name("Überweisung 114.countersign"), "Überweisung 114.countersign");
        assert_eq!(stored_name(""), "");
    }
}
