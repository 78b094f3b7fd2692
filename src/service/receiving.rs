//! The receiving pipeline: checks a signed instruction against the workspace (pinned keys,
//! recipient, replay, the partner's history, every other partner's accounts) and yields a
//! verdict with findings. `verify` only reads (and logs that it verified); `receive` records
//! the file and opens a case, one transaction per file, so an interrupted batch keeps what it
//! finished and can simply be run again.

use std::collections::HashMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{now, Role, ServiceResult, Session, Workspace};
use crate::assess::{assess_bank_details, AccountElsewhere, AccountStatus, KnownAccount, PartnerHistory};
use crate::encoding::{format_utc, parse_utc};
use crate::envelope::MAX_FILE_SIZE;
use crate::findings::{Finding, ReasonCode, Verdict};
use crate::fingerprint::Fingerprint;
use crate::instruction::Instruction;
use crate::keys::PublicKey;
use crate::policy::Policy;
use crate::store::{NewAccount, NewCase, StoreError, Tx};
use crate::verify::{check_instruction_file, CheckOptions, FileCheck, SignerLookup, SignerStatus, DEFAULT_CLOCK_SKEW};

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
    /// The verdict.
    pub verdict: Verdict,
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
}

/// Pinned keys loaded once, for checking many files.
struct PinnedKeys {
    by_fingerprint: HashMap<Fingerprint, (i64, PublicKey, Option<String>)>,
}

impl PinnedKeys {
    fn load(tx: &Tx<'_>) -> ServiceResult<Self> {
        let mut by_fingerprint = HashMap::new();
        for key in tx.all_keys()? {
            let fp = Fingerprint::parse_canonical(&key.fingerprint).ok_or_else(|| StoreError::Corrupt("key fingerprint".into()))?;
            let pk = PublicKey::from_bytes(&key.public_key).ok_or_else(|| StoreError::Corrupt("pinned key".into()))?;
            let why = match key.status.as_str() {
                "active" => None,
                _ => Some(key.status_reason.clone().unwrap_or_else(|| key.status.clone())),
            };
            let why = why.map(|reason| {
                format!("{} on {}: {reason}", key.status, key.status_changed_at.clone().unwrap_or_default())
            });
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

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn findings_json(findings: &[Finding]) -> Value {
    Value::Array(
        findings
            .iter()
            .map(|f| json!({ "code": f.code.as_str(), "severity": f.severity.as_str(), "message": f.message }))
            .collect(),
    )
}

fn account_status(text: &str) -> AccountStatus {
    match text {
        "current" => AccountStatus::Current,
        "retired" => AccountStatus::Retired,
        "fraudulent" => AccountStatus::Fraudulent,
        _ => AccountStatus::Pending,
    }
}

/// Everything the pipeline needs that does not change between files of one batch.
struct Context {
    keys: PinnedKeys,
    us: Fingerprint,
    policy: Policy,
}

impl Workspace {
    fn context(&mut self) -> ServiceResult<Context> {
        let us = self.org_fingerprint()?;
        let policy = self.policy()?;
        let keys = self.store.read(|tx| PinnedKeys::load(tx))?;
        Ok(Context { keys, us, policy })
    }

    /// Checks one file against the workspace without changing anything but the log, which
    /// records that a verification happened.
    pub fn verify(&mut self, session: &Session, file_name: &str, bytes: &[u8]) -> ServiceResult<Assessment> {
        self.authorize(session, &[Role::Clerk, Role::Approver, Role::Admin, Role::Auditor], "instruction.verify", "instructions", "verify")?;
        let ctx = self.context()?;
        let at = now();
        let check = check_file(bytes, &ctx, at);
        let by = session.user().to_string();
        self.store.write(|tx| -> ServiceResult<Assessment> {
            let assessment = assess(tx, &ctx, file_name, bytes, check, at)?;
            tx.append_event(
                &format_utc(at),
                &by,
                "instruction.verify",
                &format!("file:{}", assessment.file_sha256),
                &event_details(&assessment),
            )?;
            Ok(assessment)
        })
    }

    /// Receives files: each is checked, recorded with its case and audit event in a
    /// transaction of its own. Signatures are checked in parallel first. `progress` is called
    /// after each file with (done, total).
    pub fn receive(
        &mut self,
        session: &Session,
        files: &[(String, Vec<u8>)],
        progress: &mut dyn FnMut(usize, usize),
    ) -> ServiceResult<Vec<Assessment>> {
        self.authorize(session, &[Role::Clerk, Role::Approver, Role::Admin], "instruction.receive", "instructions", "receive instructions")?;
        let ctx = self.context()?;
        let at = now();
        let checks = check_files_in_parallel(files, &ctx, at);
        let by = session.user().to_string();
        let mut results = Vec::with_capacity(files.len());
        for (i, ((name, bytes), check)) in files.iter().zip(checks).enumerate() {
            let assessment = self.store.write(|tx| -> ServiceResult<Assessment> {
                let mut assessment = assess(tx, &ctx, name, bytes, check, at)?;
                let case_id = record(tx, &ctx, &assessment, bytes, &by, at)?;
                assessment.case_id = Some(case_id);
                tx.append_event(&format_utc(at), &by, "instruction.receive", &format!("case:{case_id}"), &event_details(&assessment))?;
                Ok(assessment)
            })?;
            results.push(assessment);
            progress(i + 1, files.len());
        }
        Ok(results)
    }
}

fn check_file(bytes: &[u8], ctx: &Context, at: OffsetDateTime) -> FileCheck {
    let options = CheckOptions { now: at, clock_skew: DEFAULT_CLOCK_SKEW, expected_recipient: Some(ctx.us) };
    check_instruction_file(bytes, &ctx.keys, &options)
}

/// Checks signatures on all cores; results keep the input order.
fn check_files_in_parallel(files: &[(String, Vec<u8>)], ctx: &Context, at: OffsetDateTime) -> Vec<FileCheck> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if files.len() < 16 || threads == 1 {
        return files.iter().map(|(_, b)| check_file(b, ctx, at)).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|(_, b)| check_file(b, ctx, at)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a verification thread panicked")).collect()
    })
}

/// Adds the workspace's findings (replay, history) to the file's own checks.
fn assess(tx: &Tx<'_>, ctx: &Context, file_name: &str, bytes: &[u8], check: FileCheck, at: OffsetDateTime) -> ServiceResult<Assessment> {
    let mut findings = check.findings.clone();
    let signer = check.claimed_signer;
    let partner_id = signer.as_ref().and_then(|s| ctx.keys.partner_of(s));
    let partner = match partner_id {
        Some(id) => tx.partner(id)?.map(|p| PartnerRef { id: p.id, name: p.name }),
        None => None,
    };
    let mut summary = None;
    let mut confirmation_code = None;
    if let (Some(verified), Some(partner)) = (&check.verified, &partner) {
        let instruction = verified.instruction();
        let signer_text = verified.signer().to_string();
        confirmation_code = Some(verified.confirmation_code().to_string());
        if let Some((case_id, received_at)) = tx.earlier_receipt(&signer_text, &instruction.id)? {
            findings.push(Finding::critical(
                ReasonCode::Replayed,
                format!("This instruction (id {}) was already received on {received_at} as case {case_id}.", instruction.id),
            ));
        } else if let Some(newest) = tx.newest_accepted_issue(&signer_text)?.as_deref().and_then(parse_utc) {
            if instruction.issued_at < newest {
                findings.push(Finding::critical(
                    ReasonCode::Replayed,
                    format!(
                        "Superseded: issued at {}, before the newest instruction already accepted from this key (issued at {}); an old instruction sent again is a replay.",
                        format_utc(instruction.issued_at),
                        format_utc(newest)
                    ),
                ));
            }
        }
        if let Some(account) = verified.account() {
            let accounts = tx.partner_accounts(partner.id)?;
            let partner_row = tx.partner(partner.id)?.ok_or_else(|| StoreError::Corrupt("partner vanished".into()))?;
            let history = PartnerHistory {
                legal_name: partner_row.name.clone(),
                country: partner_row.country.clone(),
                accounts: accounts
                    .iter()
                    .map(|a| KnownAccount {
                        key: a.account_key.clone(),
                        display: a.display.clone(),
                        country: a.country.clone(),
                        status: account_status(&a.status),
                        became_current_at: a.became_current_at.as_deref().and_then(parse_utc),
                    })
                    .collect(),
                last_key_rotation: tx.last_key_rotation(partner.id)?.as_deref().and_then(parse_utc),
                amounts_in_currency: tx.partner_amounts(partner.id, instruction.currency.code())?,
            };
            let key = account.key();
            let elsewhere = AccountElsewhere {
                fraudulent: tx.fraud_mark(&key)?.map(|(when, reason)| format!("marked fraudulent on {when}: {reason}")),
                other_partners: tx.other_partners_with_account(partner.id, &key)?,
            };
            findings.extend(assess_bank_details(verified, account, &history, &elsewhere, &ctx.policy, at));
        }
        summary = Some(InstructionSummary {
            instruction: instruction.clone(),
            account_display: verified.account().map(|a| a.display_number()),
            account_last4: verified.account().map(|a| a.last4()),
        });
    } else if let Some(verified) = &check.verified {
        confirmation_code = Some(verified.confirmation_code().to_string());
    }
    Ok(Assessment {
        file_name: file_name.to_string(),
        file_sha256: sha256_hex(&bytes[..bytes.len().min(MAX_FILE_SIZE + 1)]),
        verdict: Verdict::from_findings(&findings),
        findings,
        confirmation_code,
        signer: signer.map(|s| s.to_string()),
        partner,
        instruction: summary,
        case_id: None,
    })
}

/// Records a received file: the case, and the account in the partner's history.
fn record(tx: &Tx<'_>, _ctx: &Context, a: &Assessment, bytes: &[u8], by: &str, at: OffsetDateTime) -> ServiceResult<i64> {
    let at_text = format_utc(at);
    let findings = findings_json(&a.findings).to_string();
    let instruction = a.instruction.as_ref().map(|s| &s.instruction);
    let account = a.instruction.as_ref().and_then(|s| {
        s.instruction.account.validate().ok().map(|(account, _)| account)
    });
    let account_key = account.as_ref().map(|acc| acc.key());
    let issued_at = instruction.map(|i| format_utc(i.issued_at));
    let due_date = instruction.and_then(|i| i.due_date).map(|d| d.to_string());
    let stored_file: &[u8] = &bytes[..bytes.len().min(MAX_FILE_SIZE)];
    let case_id = tx.insert_case(&NewCase {
        status: a.verdict.as_str(),
        verdict: a.verdict.as_str(),
        findings: &findings,
        file_name: &a.file_name,
        file_sha256: &a.file_sha256,
        file: stored_file,
        signer: a.signer.as_deref(),
        partner_id: a.partner.as_ref().map(|p| p.id),
        instruction_id: instruction.map(|i| i.id.as_str()),
        issued_at: issued_at.as_deref(),
        confirmation_code: a.confirmation_code.as_deref(),
        beneficiary_name: instruction.map(|i| i.beneficiary_name.as_str()),
        account_key: account_key.as_deref(),
        account_display: a.instruction.as_ref().and_then(|s| s.account_display.as_deref()),
        currency: instruction.map(|i| i.currency.code()),
        amount_minor: instruction.and_then(|i| i.amount).map(|m| m.minor_units()),
        email_sha256: None,
        received_by: by,
        received_at: &at_text,
        account_bic: account.as_ref().map(|acc| acc.bic().as_str()),
        reference: instruction.and_then(|i| i.reference.as_deref()),
        due_date: due_date.as_deref(),
    })?;
    if let (Some(partner), Some(account), true) = (&a.partner, &account, a.verdict != Verdict::Rejected) {
        let key = account.key();
        tx.record_account(&NewAccount {
            partner_id: partner.id,
            account_key: &key,
            display: &account.display_number(),
            bic: account.bic().as_str(),
            country: account.country(),
            status: "pending",
            source: "instruction",
            seen_at: &at_text,
        })?;
        if a.verdict == Verdict::Accepted {
            tx.make_account_current(partner.id, &key, &at_text)?;
        }
    }
    Ok(case_id)
}

fn event_details(a: &Assessment) -> Value {
    json!({
        "file_name": a.file_name,
        "file_sha256": a.file_sha256,
        "verdict": a.verdict.as_str(),
        "codes": a.findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(),
        "signer": a.signer,
        "partner": a.partner.as_ref().map(|p| p.id),
        "instruction_id": a.instruction.as_ref().map(|s| s.instruction.id.clone()),
        "confirmation_code": a.confirmation_code,
    })
}
