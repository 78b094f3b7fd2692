//! Partners' freeze notices (issue 20): received like instructions (`receive_files` tells them
//! apart by their `format`), verified against the partner's keys, and applied at once, the safe
//! direction, as a `partner.freeze` statement that carries the notice's bytes, so the replay
//! verifies it again and no row can invent or lift a freeze. From then on nothing of that partner
//! is released (the core's `Refusal::PartnerFrozen`, from the state's freezes) and every later
//! instruction is held with `partner_frozen`. A freeze is lifted by a lift notice the partner's
//! recovery key signed, or by a callback to a number on file and a second person (a
//! `partner_unfreeze` change).

use serde_json::{json, Value};

use super::changes::{field, text_field, Applier, ChangeRequest, Outcome};
use super::receiving::{Assessment, PartnerRef};
use super::statements::{append_statement, check_key, refresh};
use super::{now, ErrorText, ServiceError, ServiceResult, Session, Workspace};
use countersign_core::assess::findings::{Finding, ReasonCode, Severity, Verdict};
use countersign_core::audit::freezes::FreezeState;
use countersign_core::audit::state::ImpliedState;
use countersign_core::auth::Permission;
use countersign_core::changes::{ChangeKind, ProposedEffect};
use countersign_core::encoding::{b64_encode, format_utc, sha256_hex};
use countersign_core::format::envelope::{kind_of_file, FileKind, MAX_FILE_SIZE};
use countersign_core::format::fingerprint::Fingerprint;
use countersign_core::format::freeze::{
    claimed_partner_key, claimed_signer, verify_freeze, verify_lift, CandidateKey, ExceptedAccount, FreezeNotice, KeyRole, LiftNotice,
    NoticeError,
};
use countersign_core::format::keys::PublicKey;
use countersign_core::paging::Page;
use countersign_store::prelude::*;
use countersign_store::{StoreError, Tx};

/// What `receive` made of one file: an instruction's assessment, or a partner's notice.
#[derive(Debug, Clone)]
pub enum Received {
    /// A signed instruction (or a file that is neither: assessed as an instruction, refused).
    Instruction(Assessment),
    /// A freeze notice or a lift notice.
    Notice(NoticeReceipt),
}

impl Received {
    /// The verdict the file counts as for the exit code: an instruction's own; a valid freeze
    /// notice whose freeze stands is `hold` (payments are held now and people must look), a valid
    /// lift (or a freeze received again after its lift) `accepted`, a refused notice `rejected`.
    pub fn verdict(&self) -> Verdict {
        match self {
            Received::Instruction(a) => a.verdict(),
            Received::Notice(n) => n.verdict(),
        }
    }
}

/// Which notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// `countersign/freeze-notice/v1`.
    Freeze,
    /// `countersign/freeze-lift/v1`.
    Lift,
}

impl NoticeKind {
    /// `freeze_notice` or `freeze_lift`.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Freeze => "freeze_notice",
            NoticeKind::Lift => "freeze_lift",
        }
    }
}

/// What became of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeOutcome {
    /// Verified and applied now.
    Applied,
    /// Verified, and applied before: nothing changed.
    AlreadyApplied,
    /// Refused: its finding says why; nothing changed.
    Refused,
}

impl NoticeOutcome {
    /// `applied`, `already_applied`, `refused`.
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeOutcome::Applied => "applied",
            NoticeOutcome::AlreadyApplied => "already_applied",
            NoticeOutcome::Refused => "refused",
        }
    }
}

/// A freeze as the shells show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeView {
    /// The notice's id.
    pub id: String,
    /// `all` or `all_but`.
    pub scope: &'static str,
    /// With `all_but`: the account not held, as people read it.
    pub except: Option<String>,
    /// From when (UTC).
    pub effective_from: String,
    /// The partner's reason.
    pub reason: String,
    /// `signing` or `recovery`.
    pub signed_by: &'static str,
    /// The key that signed it.
    pub signer: String,
    /// Who received it, and when.
    pub received_by: String,
    /// When (UTC).
    pub received_at: String,
    /// How it was lifted (`notice`, `callback`), by whom and when; `None` while it stands.
    pub lifted: Option<(String, String, String)>,
}

impl FreezeView {
    pub(super) fn of(f: &FreezeState) -> Self {
        let n = &f.notice;
        FreezeView {
            id: n.id.clone(),
            scope: n.scope.as_str(),
            except: n.scope.except().map(ExceptedAccount::display),
            effective_from: format_utc(n.effective_from),
            reason: n.reason.clone(),
            signed_by: n.signed_by.as_str(),
            signer: n.signer.to_string(),
            received_by: f.received_by.clone(),
            received_at: f.received_at.clone(),
            lifted: f.lifted.as_ref().map(|l| (l.how.clone(), l.by.clone(), l.at.clone())),
        }
    }
}

/// A partner's freeze that stands now: what the banner of every desktop names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenPartner {
    /// The partner.
    pub partner: PartnerRef,
    /// Its standing freezes.
    pub freezes: Vec<FreezeView>,
}

/// The result of receiving a notice.
#[derive(Debug, Clone)]
pub struct NoticeReceipt {
    /// The file's name as given.
    pub file_name: String,
    /// SHA-256 of the file, hex.
    pub file_sha256: String,
    /// Freeze or lift.
    pub kind: NoticeKind,
    /// Applied, applied before, or refused.
    pub outcome: NoticeOutcome,
    /// `partner_frozen` for a freeze that stands; the refusal's finding for a refused notice.
    pub findings: Vec<Finding>,
    /// The partner, when known.
    pub partner: Option<PartnerRef>,
    /// The freeze it made or lifted.
    pub freeze: Option<FreezeView>,
    /// The open cases of the partner the freeze holds now (a freeze notice applied).
    pub held_cases: Vec<i64>,
}

impl NoticeReceipt {
    /// See [`Received::verdict`]; a freeze received again after its lift is `accepted`.
    pub fn verdict(&self) -> Verdict {
        let stands = self.freeze.as_ref().is_some_and(|f| f.lifted.is_none());
        match (self.outcome, self.kind) {
            (NoticeOutcome::Refused, _) => Verdict::Rejected,
            // A freeze received again after it was lifted holds nothing.
            (_, NoticeKind::Freeze) if stands => Verdict::Hold,
            _ => Verdict::Accepted,
        }
    }
}

/// The `partner_frozen` finding of a freeze (issue 20). A warning: the case is *held*, not
/// rejected (a rejection is final, a freeze is lifted); what makes it binding is that no release
/// goes while the freeze stands ([`countersign_core::cases::flow::Refusal::PartnerFrozen`]).
pub fn frozen_finding(freeze: &FreezeState) -> Finding {
    let n = &freeze.notice;
    let message = format!(
        "The partner froze its payments with a signed notice: {}. Nothing to it is released until the freeze is lifted by a notice its recovery key signs, or by a callback to a number on file and a second person.",
        freeze.describe()
    );
    let finding = Finding::new(ReasonCode::PartnerFrozen, Severity::Warning, message)
        .with("notice", n.id.clone())
        .with("since", format_utc(n.effective_from))
        .with("reason", n.reason.clone());
    match n.scope.except() {
        None => finding,
        Some(a) => finding.with("except", a.display()),
    }
}

/// The partner's recovery key, as a key a notice may be signed by: the one
/// [`pinned_recovery_key`](crate::recovery::pinned_recovery_key) gives (from the signed
/// statements), in force while it is pinned. A freeze may be signed by it, a lift only by it.
fn recovery_keys(state: &ImpliedState, partner_id: i64) -> Vec<CandidateKey> {
    crate::recovery::pinned_recovery_key(state, partner_id)
        .map(|k| CandidateKey { public_key: k.public_key, role: KeyRole::Recovery, status: countersign_core::registry::KeyStatus::Active })
        .into_iter()
        .collect()
}

/// The partner's signing keys, from their rows checked against the statements, and its recovery
/// keys: the keys a notice may be signed by.
fn candidate_keys(tx: &dyn Tx, state: &ImpliedState, partner_id: i64) -> ServiceResult<Vec<CandidateKey>> {
    let mut keys = Vec::new();
    for key in tx.partner_keys(partner_id, &Page::default())? {
        check_key(state, &key)?;
        let public_key = PublicKey::from_bytes(&key.public_key).ok_or_else(|| StoreError::Corrupt("pinned key".into()))?;
        keys.push(CandidateKey { public_key, role: KeyRole::Signing, status: key.status });
    }
    keys.extend(recovery_keys(state, partner_id));
    Ok(keys)
}

/// The keys as a statement carries them, for the replay to verify the notice with.
fn keys_member(keys: &[CandidateKey]) -> Value {
    json!(keys.iter().map(|k| json!({ "public_key": k.public_key.to_base64(), "role": k.role.as_str() })).collect::<Vec<_>>())
}

/// The partner a notice is about: the one whose pinned key signed it, else the one whose key it
/// names as `partner_key` (a notice signed by a recovery key).
fn partner_of_notice(tx: &dyn Tx, bytes: &[u8], kind: FileKind) -> ServiceResult<Option<PartnerRef>> {
    let mut named: Vec<Fingerprint> = claimed_signer(bytes, kind).ok().into_iter().collect();
    named.extend(claimed_partner_key(bytes, kind));
    for fingerprint in named {
        if let Some(key) = tx.key_by_fingerprint(&fingerprint.to_string())? {
            let partner = tx.partner(key.partner_id)?.ok_or_else(|| StoreError::Corrupt("a key's partner".into()))?;
            return Ok(Some(PartnerRef { id: partner.id, name: partner.name }));
        }
    }
    Ok(None)
}

/// A refused notice's receipt, with the finding of its reason code.
/// Refuses a notice: `receipt` (its file, kind and partner, if known) becomes a refusal saying
/// why, and `partner.freeze_refused` is logged; nothing else changes.
fn refuse_notice(tx: &dyn Tx, at_text: &str, by: &str, receipt: NoticeReceipt, error: &NoticeError) -> ServiceResult<NoticeReceipt> {
    let partner = receipt.partner.as_ref().map(|p| p.id);
    let details = json!({ "file_sha256": receipt.file_sha256, "kind": receipt.kind.as_str(), "refused": error.code().as_str(), "reason": error.to_string(), "partner": partner });
    let subject = partner.map_or("instructions".to_string(), |id| format!("partner:{id}"));
    tx.append_event(at_text, by, "partner.freeze_refused", &subject, &details)?;
    let message = format!("The {} was refused: {error}. Nothing was changed.", kind_words(receipt.kind));
    Ok(NoticeReceipt {
        outcome: NoticeOutcome::Refused,
        findings: vec![Finding::critical(error.code(), message)],
        freeze: None,
        held_cases: vec![],
        ..receipt
    })
}

fn kind_words(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Freeze => "freeze notice",
        NoticeKind::Lift => "lift notice",
    }
}

/// The open cases (not released, not rejected) of `partner` that `freeze` holds at `at`.
fn held_cases(state: &ImpliedState, partner: i64, freeze: &FreezeNotice, at: time::OffsetDateTime) -> Vec<i64> {
    let open = |c: &&countersign_core::audit::state::CaseState| {
        c.partner == Some(partner) && c.status.is_open() && freeze.holds(c.account_key.as_deref(), at)
    };
    state.cases.iter().filter(|(_, c)| open(c)).map(|(id, _)| *id).collect()
}

impl Workspace {
    /// Receives files as `receive` does, telling partners' notices apart by their `format`: each
    /// notice is verified and applied in a transaction of its own, in the order given; the
    /// instructions between them are received as one batch each.
    pub fn receive_files(
        &mut self,
        session: &Session,
        files: &[(String, Vec<u8>)],
        email: Option<&[u8]>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> ServiceResult<Vec<Received>> {
        self.authorize(session, Permission::ReceiveInstructions, "instructions")?;
        let is_notice = |bytes: &[u8]| matches!(kind_of_file(bytes), Some(FileKind::FreezeNotice | FileKind::FreezeLift));
        let mut results = Vec::with_capacity(files.len());
        let mut start = 0;
        while start < files.len() {
            if is_notice(&files[start].1) {
                let (name, bytes) = &files[start];
                results.push(Received::Notice(self.receive_notice(session, name, bytes)?));
                start += 1;
                progress(start, files.len());
                continue;
            }
            let end = (start..files.len()).find(|&i| is_notice(&files[i].1)).unwrap_or(files.len());
            let done_before = start;
            let mut inner = |done: usize, _: usize| progress(done_before + done, files.len());
            for assessment in self.receive(session, &files[start..end], email, &mut inner)? {
                results.push(Received::Instruction(assessment));
            }
            start = end;
        }
        Ok(results)
    }

    /// Verifies and applies one freeze or lift notice. A refused notice is logged
    /// (`partner.freeze_refused`) and changes nothing; one applied before is logged
    /// (`partner.freeze_repeated`) and changes nothing either.
    pub fn receive_notice(&mut self, session: &Session, file_name: &str, bytes: &[u8]) -> ServiceResult<NoticeReceipt> {
        self.authorize(session, Permission::ReceiveInstructions, "instructions")?;
        let kind = match kind_of_file(bytes) {
            Some(FileKind::FreezeLift) => NoticeKind::Lift,
            _ => NoticeKind::Freeze,
        };
        let sha = sha256_hex(&bytes[..bytes.len().min(MAX_FILE_SIZE + 1)]);
        let at = now();
        let at_text = format_utc(at);
        let by = session.user().to_string();
        let state = &mut self.implied;
        let result = self.store.write(|tx| -> ServiceResult<NoticeReceipt> {
            refresh(tx, state)?;
            let file_kind = if kind == NoticeKind::Lift { FileKind::FreezeLift } else { FileKind::FreezeNotice };
            let partner = partner_of_notice(tx, bytes, file_kind)?;
            let keys = match &partner {
                Some(p) => candidate_keys(tx, state, p.id)?,
                None => vec![],
            };
            let verified = match (kind, &partner) {
                (NoticeKind::Lift, Some(_)) if !keys.iter().any(|k| k.role == KeyRole::Recovery) => {
                    Err(NoticeError::UnknownSigner("this partner has no recovery key, and only its recovery key lifts a freeze: lift it by a callback to a number on file and a second person (`partner unfreeze`)".into()))
                }
                (NoticeKind::Freeze, _) => verify_freeze(bytes, &keys).map(Ok),
                (NoticeKind::Lift, _) => verify_lift(bytes, &keys).map(Err),
            };
            let receipt = NoticeReceipt {
                file_name: file_name.into(),
                file_sha256: sha.clone(),
                kind,
                outcome: NoticeOutcome::Applied,
                findings: vec![],
                partner,
                freeze: None,
                held_cases: vec![],
            };
            let notice = match verified {
                Ok(notice) => notice,
                Err(error) => return refuse_notice(tx, &at_text, &by, receipt, &error),
            };
            let partner = receipt.partner.as_ref().expect("a verified notice's partner is known");
            let subject = format!("partner:{}", partner.id);
            match notice {
                Ok(freeze) => apply_freeze(tx, state, session, receipt, freeze, bytes, &keys, &at_text, at),
                Err(lift) => apply_lift(tx, state, session, receipt, lift, bytes, &keys, &at_text, &subject),
            }
        });
        if result.is_err() {
            self.implied = ImpliedState::default();
        }
        self.log_unverified(&by, "instructions", result)
    }
}

/// Applies a verified freeze notice (or says it was applied before): the statement with the
/// notice's bytes, then an event per open case it holds.
#[allow(clippy::too_many_arguments)]
fn apply_freeze(
    tx: &dyn Tx,
    state: &mut ImpliedState,
    session: &Session,
    mut receipt: NoticeReceipt,
    notice: FreezeNotice,
    bytes: &[u8],
    keys: &[CandidateKey],
    at_text: &str,
    at: time::OffsetDateTime,
) -> ServiceResult<NoticeReceipt> {
    let partner = receipt.partner.clone().expect("a verified notice's partner");
    let subject = format!("partner:{}", partner.id);
    let known = state.freeze(partner.id, &notice.id).cloned();
    if let Some(known) = known {
        receipt.outcome = NoticeOutcome::AlreadyApplied;
        receipt.freeze = Some(FreezeView::of(&known));
        receipt.findings = known.lifted.is_none().then(|| frozen_finding(&known)).into_iter().collect();
        let details = json!({ "file_sha256": receipt.file_sha256, "freeze_id": notice.id, "lifted": known.lifted.is_some() });
        tx.append_event(at_text, session.user(), "partner.freeze_repeated", &subject, &details)?;
        return Ok(receipt);
    }
    let held = held_cases(state, partner.id, &notice, at);
    let details = json!({
        "notice": b64_encode(bytes),
        "keys": keys_member(keys),
        "freeze_id": notice.id,
        "scope": notice.scope.as_str(),
        "effective_from": format_utc(notice.effective_from),
        "reason": notice.reason,
        "signed_by": notice.signed_by.as_str(),
        "file_sha256": receipt.file_sha256,
        "held_cases": held,
    });
    append_statement(tx, session, at_text, "partner.freeze", &subject, details)?;
    for case in &held {
        tx.append_event(
            at_text,
            session.user(),
            "case.frozen",
            &format!("case:{case}"),
            &json!({ "partner": partner.id, "freeze_id": notice.id }),
        )?;
    }
    refresh(tx, state)?;
    let applied =
        state.freeze(partner.id, &notice.id).ok_or_else(|| StoreError::Corrupt("the freeze just written does not count".into()))?;
    receipt.findings = vec![frozen_finding(applied)];
    receipt.freeze = Some(FreezeView::of(applied));
    receipt.held_cases = held;
    Ok(receipt)
}

/// Applies a verified lift notice: the statement with its bytes.
#[allow(clippy::too_many_arguments)]
fn apply_lift(
    tx: &dyn Tx,
    state: &mut ImpliedState,
    session: &Session,
    mut receipt: NoticeReceipt,
    lift: LiftNotice,
    bytes: &[u8],
    keys: &[CandidateKey],
    at_text: &str,
    subject: &str,
) -> ServiceResult<NoticeReceipt> {
    let partner_id = receipt.partner.as_ref().expect("a verified notice's partner").id;
    let freeze = state.freeze(partner_id, &lift.freeze_id).cloned();
    let Some(freeze) = freeze else {
        let error = NoticeError::Invalid(format!("the partner has no freeze {}", lift.freeze_id));
        return refuse_notice(tx, at_text, session.user(), receipt, &error);
    };
    if freeze.lifted.is_some() {
        receipt.outcome = NoticeOutcome::AlreadyApplied;
        receipt.freeze = Some(FreezeView::of(&freeze));
        let details = json!({ "file_sha256": receipt.file_sha256, "freeze_id": lift.freeze_id, "lifted": true });
        tx.append_event(at_text, session.user(), "partner.freeze_repeated", subject, &details)?;
        return Ok(receipt);
    }
    let details = json!({
        "freeze_id": lift.freeze_id,
        "how": "notice",
        "lift_notice": b64_encode(bytes),
        "keys": keys_member(keys),
        "reason": lift.reason,
        "file_sha256": receipt.file_sha256,
    });
    append_statement(tx, session, at_text, "partner.unfreeze", subject, details)?;
    refresh(tx, state)?;
    receipt.freeze = state.freeze(partner_id, &lift.freeze_id).map(FreezeView::of);
    Ok(receipt)
}

/// Applies a `partner_unfreeze` change (a callback and a second person), if the freeze still
/// stands in `state` (a lift notice may have come since the change was proposed: the replay would
/// not count a second lift).
pub(super) fn apply_partner_unfreeze(tx: &dyn Tx, state: &ImpliedState, request: &Value, applier: &Applier<'_>) -> ServiceResult<Value> {
    let partner_id = field(request, "partner")?.as_i64().ok_or_else(|| StoreError::Corrupt("the change's partner".into()))?;
    let freeze_id = text_field(request, "freeze_id")?;
    if !state.standing_freezes(partner_id).any(|f| f.notice.id == freeze_id) {
        let text = format!("the freeze {freeze_id} was lifted meanwhile; reject the change");
        return Err(ServiceError::CheckFailed(ErrorText::detailed("freeze_lifted_meanwhile", text).with("freeze", freeze_id)));
    }
    let subject = format!("partner:{partner_id}");
    applier.write(tx, 0, &subject)?;
    Ok(json!({ "partner_id": partner_id, "freeze_id": freeze_id }))
}

impl Workspace {
    /// Asks to lift a partner's freeze after a callback to a number on file (admin; issue 20):
    /// the partner confirmed on the phone that it may be lifted. A change a second approver or
    /// admin approves once two people can check. `freeze_id` may be left out when one freeze
    /// stands.
    pub fn unfreeze_partner(
        &mut self,
        session: &Session,
        partner_id: i64,
        freeze_id: Option<&str>,
        dialed: &str,
        outcome: countersign_core::cases::flow::CallbackOutcome,
    ) -> ServiceResult<Outcome> {
        let subject = format!("partner:{partner_id}");
        self.authorize(session, Permission::UnfreezePartners, &subject)?;
        let phones = self.verified_phones(session.user(), partner_id)?;
        let (name, country) = self.store.read(|tx| -> ServiceResult<_> {
            let p = super::partners::existing_partner(tx, partner_id)?;
            Ok((p.name, p.country))
        })?;
        let number = countersign_core::assess::phone::PhoneNumber::parse(dialed, country.as_deref()).map_err(super::invalid_value(
            "phone_invalid",
            "number",
            dialed,
        ))?;
        if !phones.iter().any(|p| p == number.as_e164()) {
            let text = format!("{} is not on file for {name}: call a number on file to confirm the lift", number.international());
            return Err(ServiceError::NotPermitted(
                ErrorText::detailed("lift_number_not_on_file", text).with("number", number.international()).with("partner", &name),
            ));
        }
        if outcome != countersign_core::cases::flow::CallbackOutcome::Confirmed {
            let text = format!("the callback did not confirm the lift ({}): the freeze stands", outcome.as_str());
            return Err(ServiceError::CheckFailed(ErrorText::detailed("lift_not_confirmed", text).with("outcome", outcome.as_str())));
        }
        let standing: Vec<String> = self.implied_state()?.standing_freezes(partner_id).map(|f| f.notice.id.clone()).collect();
        let freeze_id = match (freeze_id, standing.as_slice()) {
            (Some(id), _) if standing.iter().any(|s| s == id) => id.to_string(),
            (None, [one]) => one.clone(),
            (None, []) | (Some(_), _) => {
                let freeze = freeze_id.unwrap_or_default();
                let text = format!("{name} has no standing freeze {freeze}");
                return Err(ServiceError::NotFound(
                    ErrorText::detailed("no_standing_freeze", text).with("partner", &name).with("freeze", freeze),
                ));
            }
            (None, _) => {
                let text = format!("{name} has several freezes: name one ({})", standing.join(", "));
                return Err(ServiceError::InvalidInput(
                    ErrorText::detailed("several_freezes", text).with("partner", &name).with("freezes", standing.join(", ")),
                ));
            }
        };
        let details = json!({ "freeze_id": freeze_id, "how": "callback", "dialed": number.as_e164(), "outcome": "confirmed", "called_by": session.user() });
        self.submit(
            session,
            ChangeRequest {
                kind: ChangeKind::PartnerUnfreeze,
                summary: format!("Lift the freeze {freeze_id} of {name} (confirmed on {})", number.international()),
                request: json!({ "partner": partner_id, "freeze_id": freeze_id }),
                effects: vec![ProposedEffect { action: "partner.unfreeze".into(), subject, details: details.clone() }],
                flags: vec![],
                before: json!({ "frozen": freeze_id }),
                after: details,
            },
        )
    }

    /// Every partner with a standing freeze (any signed-in user): what the banner of every
    /// desktop names, from the signed statements in the workspace.
    pub fn frozen_partners(&mut self, session: &Session) -> ServiceResult<Vec<FrozenPartner>> {
        self.require_signed_in(session)?;
        let state = self.implied_state()?;
        let standing: Vec<(i64, String, Vec<FreezeView>)> = state
            .freezes
            .keys()
            .filter_map(|id| {
                let freezes: Vec<FreezeView> = state.standing_freezes(*id).map(FreezeView::of).collect();
                let name = state.partners.get(id).map(|p| p.name.clone()).unwrap_or_default();
                (!freezes.is_empty()).then_some((*id, name, freezes))
            })
            .collect();
        Ok(standing.into_iter().map(|(id, name, freezes)| FrozenPartner { partner: PartnerRef { id, name }, freezes }).collect())
    }
}

/// The `partner_frozen` finding of the freeze that holds a payment of `partner` to
/// `account_key` at `at`, if one does: added to an instruction's findings at receipt, and to an
/// open case's when it is shown.
pub(super) fn frozen_finding_for(
    state: &ImpliedState,
    partner: i64,
    account_key: Option<&str>,
    at: time::OffsetDateTime,
) -> Option<Finding> {
    state.freeze_holding(partner, account_key, at).map(frozen_finding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{admin_workspace, onboard_a_partner, receive_an_instruction, PARTNER_IBAN};
    use countersign_core::format::freeze::{sign_freeze, FreezeRequest, FreezeScope};
    use countersign_core::format::keys::KeyPair;

    fn notice(key: &KeyPair, id: &str) -> Vec<u8> {
        let now = now();
        let request = FreezeRequest {
            id: id.into(),
            partner_key: key.fingerprint(),
            scope: FreezeScope::All,
            effective_from: now - time::Duration::hours(1),
            reason: "Mail server compromised".into(),
        };
        sign_freeze(key, &request, now).unwrap()
    }

    /// On either backend: one receive applies the notice and holds the open case; the freeze is
    /// read back from the log by a state replayed afresh (what another desktop does); a release is
    /// refused with `partner_frozen`; the same notice again changes nothing; `audit verify` holds.
    #[test]
    fn a_freeze_notice_is_applied_once_holds_the_open_case_and_is_replayed_from_the_log() {
        let (_dir, mut ws, admin) = admin_workspace();
        let key = onboard_a_partner(&mut ws, &admin, true);
        let (case, _) = receive_an_instruction(&mut ws, &admin, &key, "INV-1", PARTNER_IBAN, "100.00");
        let files = [("freeze.json".to_string(), notice(&key, "f-1"))];
        let received = ws.receive_files(&admin, &files, None, &mut |_, _| {}).unwrap();
        let [Received::Notice(receipt)] = received.as_slice() else { panic!("{received:?}") };
        assert_eq!(
            (receipt.outcome, receipt.verdict(), receipt.held_cases.as_slice()),
            (NoticeOutcome::Applied, Verdict::Hold, &[case][..])
        );
        ws.implied = ImpliedState::default();
        let frozen = ws.frozen_partners(&admin).unwrap();
        assert_eq!(frozen.len(), 1);
        assert_eq!(frozen[0].freezes[0].id, "f-1");
        assert!(ws.case(&admin, case).unwrap().partner_frozen.is_some_and(|f| f.code == ReasonCode::PartnerFrozen));
        // What a release's `decide` reads: the freeze holds the payment.
        assert!(ws.implied_state().unwrap().case_facts(case, now()).unwrap().partner_frozen.is_some());
        let again = ws.receive_notice(&admin, "freeze.json", &files[0].1).unwrap();
        assert_eq!(again.outcome, NoticeOutcome::AlreadyApplied);
        assert_eq!(ws.frozen_partners(&admin).unwrap()[0].freezes.len(), 1);
        assert!(ws.verify_audit(&admin, None).unwrap().problem().is_none());
    }

    /// A partner whose card names `recovery` (the key returned signs its notices): its id.
    fn onboard_with_recovery(ws: &mut Workspace, admin: &Session, recovery: &KeyPair) -> (i64, KeyPair) {
        use countersign_core::format::card::{CardDetails, CardKeys, PartnerCard};
        let key = KeyPair::from_seed(&[21; 32]);
        let keys = CardKeys { callback_key: None, recovery_key: Some(recovery.public_key()) };
        let details = CardDetails { name: "Globex Corporation".into(), ..Default::default() };
        let card = PartnerCard::create_with_keys(&key, details, keys, now()).unwrap().to_bytes();
        let fingerprint = key.fingerprint().to_string();
        let partner = crate::NewPartner {
            card: &card,
            confirm_fingerprint: &fingerprint,
            phones: &[crate::NewNumber::plain("+49 30 1234567")],
            card_numbers: false,
            domains: &[],
            country: None,
            known_account: None,
        };
        let id = ws.add_partner(admin, &partner).unwrap().applied().unwrap()["partner_id"].as_i64().unwrap();
        (id, key)
    }

    /// Regression: a lift for a freeze the partner does not have was refused without logging
    /// `partner.freeze_refused`, which every refused notice is.
    #[test]
    fn a_lift_of_a_freeze_the_partner_does_not_have_is_refused_and_logged() {
        let (_dir, mut ws, admin) = admin_workspace();
        let recovery = KeyPair::from_seed(&[22; 32]);
        let (id, key) = onboard_with_recovery(&mut ws, &admin, &recovery);
        let lift = countersign_core::format::freeze::sign_lift(&recovery, "l-1", "f-9", key.fingerprint(), "fixed", now()).unwrap();
        let refused = ws.receive_notice(&admin, "lift.json", &lift).unwrap();
        assert_eq!(refused.outcome, NoticeOutcome::Refused);
        assert!(refused.findings[0].message.contains("the partner has no freeze f-9"), "{:?}", refused.findings);
        let newest =
            countersign_core::audit::log::EventFilter { page: Page::new(Some(1), None).unwrap(), newest_first: true, ..Default::default() };
        let log = ws.audit_log(&admin, &newest).unwrap().items;
        let last = &log[0];
        assert_eq!((last.action.as_str(), last.subject.clone()), ("partner.freeze_refused", format!("partner:{id}")));
        assert!(last.details.contains("the partner has no freeze f-9"), "{}", last.details);
        assert!(ws.verify_audit(&admin, None).unwrap().problem().is_none());
    }

    /// Regression: approving a callback lift after a lift notice had lifted the freeze signed a
    /// `partner.unfreeze` the replay did not count; the approval is refused and changes nothing.
    #[test]
    fn a_callback_lift_of_a_freeze_lifted_meanwhile_is_not_approved() {
        let (_dir, mut ws, admin) = admin_workspace();
        let recovery = KeyPair::from_seed(&[22; 32]);
        let (id, key) = onboard_with_recovery(&mut ws, &admin, &recovery);
        assert_eq!(ws.receive_notice(&admin, "freeze.json", &notice(&key, "f-1")).unwrap().outcome, NoticeOutcome::Applied);
        assert!(ws.add_user(&admin, "dave", crate::Role::Admin, "dave password 1").unwrap().applied().is_some(), "setup mode");
        let dave = ws.login(&crate::Credentials { user: "dave", password: "dave password 1", totp: None }).unwrap();
        let confirmed = countersign_core::cases::flow::CallbackOutcome::Confirmed;
        let Outcome::Pending(change) = ws.unfreeze_partner(&admin, id, Some("f-1"), "+49 30 1234567", confirmed).unwrap() else {
            panic!("four eyes")
        };
        let lift = countersign_core::format::freeze::sign_lift(&recovery, "l-1", "f-1", key.fingerprint(), "fixed", now()).unwrap();
        assert_eq!(ws.receive_notice(&admin, "lift.json", &lift).unwrap().outcome, NoticeOutcome::Applied);
        let refused = ws.approve_change(&dave, change.id).unwrap_err();
        assert_eq!(refused.code(), "check_failed", "{refused}");
        assert!(refused.to_string().contains("the freeze f-1 was lifted meanwhile; reject the change"), "{refused}");
        let state = ws.implied_state().unwrap();
        assert!(state.problems.is_empty(), "{:?}", state.problems);
        assert_eq!(state.freezes[&id][0].lifted.as_ref().map(|l| l.how.as_str()), Some("notice"));
        assert!(ws.verify_audit(&admin, None).unwrap().problem().is_none());
    }

    /// A notice by a revoked key, and a lift while the partner has no recovery key, are refused
    /// and change nothing.
    #[test]
    fn a_revoked_key_and_a_lift_without_a_recovery_key_change_nothing() {
        let (_dir, mut ws, admin) = admin_workspace();
        let key = onboard_a_partner(&mut ws, &admin, true);
        let stale = notice(&key, "f-1");
        let partner = ws.frozen_partners(&admin).unwrap();
        assert!(partner.is_empty());
        let id = ws.partners_page(&admin, &Page::default()).unwrap().items[0].id;
        ws.revoke_partner_key(&admin, id, None, "stolen").unwrap();
        let refused = ws.receive_notice(&admin, "freeze.json", &stale).unwrap();
        assert_eq!((refused.outcome, refused.findings[0].code), (NoticeOutcome::Refused, ReasonCode::KeyRevoked));
        let lift = countersign_core::format::freeze::sign_lift(&key, "l-1", "f-1", key.fingerprint(), "fixed", now()).unwrap();
        let refused = ws.receive_notice(&admin, "lift.json", &lift).unwrap();
        assert!(refused.findings[0].message.contains("this partner has no recovery key"), "{:?}", refused.findings);
        assert!(ws.frozen_partners(&admin).unwrap().is_empty());
        assert!(ws.verify_audit(&admin, None).unwrap().problem().is_none());
    }
}
