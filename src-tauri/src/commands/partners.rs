//! Partners: the list, one partner's keys, on-file numbers and account history, the onboarding
//! wizard (a card read from a file the user chose, its fingerprint and QR code, then the
//! fingerprint typed as read back on the phone), key rotation (the new key's fingerprint read
//! back on a call to a number on file) and revocation. The core pins a key only when the typed
//! fingerprint matches, decides who may do what (admins), and whether the pinning waits for a
//! second person (issue 15); this module reads the chosen files and carries the words across.

use std::path::Path;

use countersign_service::core::encoding::format_utc;
use countersign_service::core::export::qr::{key_uri, Qr};
use countersign_service::core::format::card::{ContactKind, PartnerCard};
use countersign_service::core::format::envelope::MAX_FILE_SIZE;
use countersign_service::core::paging::Page;
use countersign_service::core::registry::{AccountStatus, KeyStatus, NumberSource};
use countersign_service::files::read_limited;
use countersign_service::{FreezeView, KeyRotation, NewNumber, NewPartner, PartnerDetail, PartnerSummary};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::{Runtime, State, WebviewWindow};
use ts_rs::TS;

use super::cases::QrView;
use super::changes::Outcome;
use crate::dialog;
use crate::error::{page_error, unreadable};
use crate::state::{blocking, AppState};
use crate::{CommandError, CommandResult};

/// A row of the partner list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PartnerRow {
    /// Partner id.
    #[ts(type = "number")]
    pub id: i64,
    /// Legal name.
    pub name: String,
    /// Country (ISO 3166 alpha-2).
    pub country: Option<String>,
    /// Fingerprints of the active keys.
    pub active_keys: Vec<String>,
    /// The current account, as people read it.
    pub current_account: Option<String>,
}

/// A pinned key.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PartnerKey {
    /// Fingerprint, six groups of five digits.
    pub fingerprint: String,
    /// Whether it may sign now.
    pub status: KeyStatus,
    /// How it was verified (read back on the phone, or a rotation statement).
    pub verified_how: String,
    /// By whom.
    pub verified_by: String,
    /// When (UTC).
    pub verified_at: String,
    /// When it was retired or revoked (UTC).
    pub status_changed_at: Option<String>,
    /// Why.
    pub status_reason: Option<String>,
}

/// An on-file number: the only kind a callback may dial.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PartnerPhone {
    /// E.164.
    pub e164: String,
    /// International format, to read and dial.
    pub display: String,
    /// Its label, when it was put on file with one.
    pub label: Option<String>,
    /// Where it came from, as the signed statements say (issue 20): worded by the UI.
    pub source: NumberSource,
    /// Who typed or chose it.
    pub recorded_by: String,
    /// Who approved it, when a second person did.
    pub approved_by: Option<String>,
    /// When it was put on file (UTC).
    pub recorded_at: String,
}

/// A number typed at onboarding, with the label the admin gives it.
#[derive(Debug, Deserialize, TS)]
pub struct PhoneInput {
    /// The number as typed.
    pub number: String,
    /// Its label, if any.
    pub label: Option<String>,
}

/// An account in the partner's history.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PartnerAccount {
    /// As people read it (IBAN in groups).
    pub display: String,
    /// BIC.
    pub bic: String,
    /// Country.
    pub country: String,
    /// Where it stands in the partner's history.
    pub status: AccountStatus,
    /// `contract` or `instruction`.
    pub source: String,
    /// First seen (UTC).
    pub first_seen: String,
    /// Last seen (UTC).
    pub last_seen: String,
    /// Cases that touched it.
    #[ts(type = "number[]")]
    pub cases: Vec<i64>,
}

/// Everything the partner page shows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PartnerView {
    /// The list row.
    pub summary: PartnerRow,
    /// Registered email domains.
    pub domains: Vec<String>,
    /// On-file numbers.
    pub phones: Vec<PartnerPhone>,
    /// Keys, oldest first.
    pub keys: Vec<PartnerKey>,
    /// Accounts, oldest first.
    pub accounts: Vec<PartnerAccount>,
    /// The fingerprint of the offline recovery key its pinned card names (issue 20); `null`: it
    /// has none, and a stolen signing key could rotate its key away.
    pub recovery_key: Option<String>,
    /// Onboarded when (UTC).
    pub created_at: String,
    /// By whom.
    pub created_by: String,
    /// A freeze stands (issue 20): nothing to the partner is released.
    pub frozen: bool,
    /// Its freezes, newest first, lifted ones included.
    pub freezes: Vec<FreezeEntry>,
}

/// A partner's freeze (issue 20), from its signed notice as the statements give it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FreezeEntry {
    /// The notice's id.
    pub id: String,
    /// `all` or `all_but`.
    pub scope: String,
    /// With `all_but`: the one account not held, as people read it.
    pub except: Option<String>,
    /// From when payments are held (UTC).
    pub effective_from: String,
    /// The partner's reason.
    pub reason: String,
    /// The role of the key that signed it: `signing` or `recovery`.
    pub signed_by: String,
    /// Who received it.
    pub received_by: String,
    /// When (UTC).
    pub received_at: String,
    /// How it was lifted (`notice` or `callback`); none while it stands.
    pub lifted_how: Option<String>,
    /// Who lifted it.
    pub lifted_by: Option<String>,
    /// When (UTC).
    pub lifted_at: Option<String>,
}

/// A partner whose freeze stands: what the banner of every desktop names.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FrozenPartnerView {
    /// Partner id.
    pub id: i64,
    /// Legal name.
    pub name: String,
    /// Its standing freezes.
    pub freezes: Vec<FreezeEntry>,
}

fn freeze_entry(f: &FreezeView) -> FreezeEntry {
    let lifted = f.lifted.clone();
    FreezeEntry {
        id: f.id.clone(),
        scope: f.scope.to_string(),
        except: f.except.clone(),
        effective_from: f.effective_from.clone(),
        reason: f.reason.clone(),
        signed_by: f.signed_by.to_string(),
        received_by: f.received_by.clone(),
        received_at: f.received_at.clone(),
        lifted_how: lifted.as_ref().map(|l| l.0.clone()),
        lifted_by: lifted.as_ref().map(|l| l.1.clone()),
        lifted_at: lifted.map(|l| l.2),
    }
}

/// Every partner whose freeze stands (issue 20), from the signed statements in the workspace, so
/// every desktop of a team workspace shows the same banner on its next refresh.
#[tauri::command]
pub async fn frozen_partners(state: State<'_, AppState>) -> CommandResult<Vec<FrozenPartnerView>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let frozen = ws.frozen_partners(session)?;
        Ok(frozen
            .into_iter()
            .map(|f| FrozenPartnerView { id: f.partner.id, name: f.partner.name, freezes: f.freezes.iter().map(freeze_entry).collect() })
            .collect())
    })
}

/// A contact as the card states it (informational: never an on-file number).
#[derive(Debug, Clone, Serialize, TS)]
pub struct CardContact {
    /// `phone` or `email`.
    pub kind: String,
    /// The number or address.
    pub value: String,
    /// Its label, if any.
    pub label: Option<String>,
}

/// A card read from a file, before anything is pinned.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CardPreview {
    /// The file it was read from (passed back to `add_partner`).
    pub path: String,
    /// The holder's legal name, as the card states it.
    pub name: String,
    /// Country, as the card states it.
    pub country: Option<String>,
    /// Email domains, as the card states them.
    pub domains: Vec<String>,
    /// Contacts, as the card states them.
    pub contacts: Vec<CardContact>,
    /// When the card was made (UTC).
    pub created_at: String,
    /// The fingerprint to read back on the phone, six groups of five digits.
    pub fingerprint: String,
    /// The fingerprint and key as a QR code (`countersign:key?fp=…&pk=…`).
    pub qr: QrView,
}

/// What onboarding needs: the card (by path), the fingerprint as typed, and the on-file details
/// from an independent source (the contract).
#[derive(Debug, Deserialize, TS)]
pub struct NewPartnerRequest {
    /// The card file chosen in the first step.
    pub card_path: String,
    /// The fingerprint the partner read back on the phone, as typed.
    pub confirm_fingerprint: String,
    /// On-file phone numbers, each with its label.
    pub phones: Vec<PhoneInput>,
    /// Also put on file the numbers the partner's signed card lists.
    pub card_numbers: bool,
    /// Email domains (added to the card's).
    pub domains: Vec<String>,
    /// Country (ISO 3166 alpha-2); the card's when absent.
    pub country: Option<String>,
    /// The IBAN known from the contract.
    pub iban: Option<String>,
    /// Its BIC.
    pub bic: Option<String>,
}

/// Which file the chooser asks for.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PartnerFile {
    /// A partner card (onboarding).
    Card,
    /// A key-rotation statement.
    Statement,
    /// A key revocation signed by the partner's recovery key (issue 20).
    Revocation,
}

fn row(p: PartnerSummary) -> PartnerRow {
    PartnerRow { id: p.id, name: p.name, country: p.country, active_keys: p.active_keys, current_account: p.current_account }
}

fn view(d: PartnerDetail) -> PartnerView {
    let frozen = d.frozen();
    PartnerView {
        recovery_key: d.recovery_key.map(|r| r.fingerprint.to_string()),
        summary: row(d.summary),
        domains: d.domains,
        phones: d
            .phones
            .into_iter()
            .map(|p| PartnerPhone {
                e164: p.number.e164,
                display: p.display,
                label: p.provenance.label,
                source: p.provenance.source,
                recorded_by: p.provenance.recorded_by,
                approved_by: p.provenance.approved_by,
                recorded_at: p.provenance.at,
            })
            .collect(),
        keys: d
            .keys
            .into_iter()
            .map(|k| PartnerKey {
                fingerprint: k.fingerprint,
                status: k.status,
                verified_how: k.verified_how,
                verified_by: k.verified_by,
                verified_at: k.verified_at,
                status_changed_at: k.status_changed_at,
                status_reason: k.status_reason,
            })
            .collect(),
        accounts: d
            .accounts
            .into_iter()
            .map(|view| {
                let a = view.account;
                PartnerAccount {
                    display: a.display,
                    bic: a.bic,
                    country: a.country,
                    status: a.status,
                    source: a.source,
                    first_seen: a.first_seen,
                    last_seen: a.last_seen,
                    cases: view.cases,
                }
            })
            .collect(),
        frozen,
        freezes: d.freezes.iter().map(freeze_entry).collect(),
        created_at: d.created_at,
        created_by: d.created_by,
    }
}

/// A code's module matrix for the UI to draw.
pub(crate) fn qr_matrix(payload: String) -> CommandResult<QrView> {
    let qr = Qr::new(&payload).map_err(|e| CommandError::new("qr_failed", e.to_string()))?;
    let (width, dark) = qr.modules();
    Ok(QrView { width: width as u32, dark, payload })
}

/// Reads a file the user chose (a card or a statement), within the signed-file size limit.
fn read_chosen(path: &str) -> CommandResult<Vec<u8>> {
    if path.trim().is_empty() {
        return Err(CommandError::detailed("invalid_input", "file_needed", "Choose a file first.", &[]));
    }
    read_limited(Path::new(path), MAX_FILE_SIZE).map_err(unreadable)
}

/// Partners by id (any signed-in user; the core decides): all of them, or a page of `limit` after
/// partner `after`.
#[tauri::command]
pub async fn list_partners(state: State<'_, AppState>, limit: Option<u32>, after: Option<i64>) -> CommandResult<Vec<PartnerRow>> {
    blocking(|| {
        let page = Page::new(limit, after).map_err(page_error)?;
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.partners_page(session, &page)?.items.into_iter().map(row).collect())
    })
}

/// One partner in full.
#[tauri::command]
pub async fn partner_detail(state: State<'_, AppState>, id: i64) -> CommandResult<PartnerView> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(view(ws.partner(session, id)?))
    })
}

/// Opens the file chooser for a card, a rotation statement or a recovery key's revocation; the
/// chosen path, none when cancelled.
#[tauri::command]
pub async fn pick_partner_file<R: Runtime>(window: WebviewWindow<R>, kind: PartnerFile) -> CommandResult<Option<String>> {
    let title = match kind {
        PartnerFile::Card => "Choose the partner's card",
        PartnerFile::Statement => "Choose the key-rotation statement",
        PartnerFile::Revocation => "Choose the revocation signed by the recovery key",
    };
    let chosen = dialog::ask(&window, dialog::Ask::OpenFile(title)).await?;
    Ok(chosen.into_iter().next().map(|p| p.display().to_string()))
}

/// Reads a card and shows what it says and its fingerprint. Pins nothing: a card proves only
/// that its maker holds the key.
#[tauri::command]
pub async fn preview_card(state: State<'_, AppState>, path: String) -> CommandResult<CardPreview> {
    blocking(|| {
        state.lock().signed_in()?;
        let card = PartnerCard::parse(&read_chosen(&path)?).map_err(|e| CommandError::new("invalid_card", e.to_string()))?;
        let details = card.details();
        Ok(CardPreview {
            path,
            name: details.name.clone(),
            country: details.country.as_ref().map(|c| c.to_string()),
            domains: details.domains.iter().map(|d| d.to_string()).collect(),
            contacts: details
                .contacts
                .iter()
                .map(|c| CardContact {
                    kind: match c.kind {
                        ContactKind::Phone => "phone".into(),
                        ContactKind::Email => "email".into(),
                    },
                    value: c.value.clone(),
                    label: c.label.clone(),
                })
                .collect(),
            created_at: format_utc(card.created_at()),
            fingerprint: card.fingerprint().to_string(),
            qr: qr_matrix(key_uri(&card.public_key()))?,
        })
    })
}

/// The wizard's read-back step: the fingerprint typed as the partner read it on the phone,
/// checked by the core against the card (`check_failed`, logged, when it differs). Pins
/// nothing; `add_partner` checks again.
#[tauri::command]
pub async fn confirm_fingerprint(state: State<'_, AppState>, card_path: String, fingerprint: String) -> CommandResult<String> {
    blocking(|| {
        let card = read_chosen(&card_path)?;
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.confirm_partner_fingerprint(session, &card, &fingerprint)?)
    })
}

/// Onboards a partner: the core pins the card's key only if the typed fingerprint matches it
/// (`check_failed` otherwise, logged, nothing pinned). In setup mode it applies at once (the
/// partner as pinned); afterwards it is a pending change another approver or admin approves.
#[tauri::command]
pub async fn add_partner(state: State<'_, AppState>, request: NewPartnerRequest) -> CommandResult<Outcome<PartnerView>> {
    blocking(|| {
        let card = read_chosen(&request.card_path)?;
        let blank = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let phones: Vec<NewNumber> = request
            .phones
            .iter()
            .filter(|p| !p.number.trim().is_empty())
            .map(|p| NewNumber { number: p.number.trim().to_string(), label: p.label.clone() })
            .collect();
        let domains: Vec<String> = request.domains.iter().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect();
        let (country, iban, bic) = (blank(&request.country), blank(&request.iban), blank(&request.bic));
        let known_account = match (&iban, &bic) {
            (Some(iban), Some(bic)) => Some((iban.as_str(), bic.as_str())),
            (None, None) => None,
            _ => {
                let message = "Give both the IBAN and the BIC of the known account, or neither.";
                return Err(CommandError::detailed("invalid_input", "iban_and_bic", message, &[]));
            }
        };
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let outcome = ws.add_partner(
            session,
            &NewPartner {
                card: &card,
                confirm_fingerprint: &request.confirm_fingerprint,
                phones: &phones,
                card_numbers: request.card_numbers,
                domains: &domains,
                country: country.as_deref(),
                known_account,
            },
        )?;
        Outcome::from_service(outcome, |made| Ok(view(ws.partner(session, applied_id(&made, "partner_id")?)?)))
    })
}

/// A number member of what an applied change made.
fn applied_id(made: &Value, member: &str) -> CommandResult<i64> {
    made[member].as_i64().ok_or_else(|| CommandError::new("unexpected", format!("the change made no {member}")))
}

/// A key rotation: the statement the partner sent, and the read-back on a call.
#[derive(Debug, Deserialize, TS)]
pub struct PartnerRotationRequest {
    /// The partner.
    #[ts(type = "number")]
    pub id: i64,
    /// The rotation statement file chosen.
    pub statement_path: String,
    /// The new key's fingerprint, as the partner read it back on the call.
    pub confirm_fingerprint: String,
    /// The number dialled for that call: one of the partner's on-file numbers (E.164).
    pub dialed: String,
}

/// Accepts a key-rotation statement read from the chosen file, once the new key's fingerprint
/// was read back on a call to a number on file (the core checks both, logs a refusal). Applied,
/// it gives the new key's fingerprint; otherwise the pending change.
#[tauri::command]
pub async fn rotate_partner_key(state: State<'_, AppState>, request: PartnerRotationRequest) -> CommandResult<Outcome<String>> {
    blocking(|| {
        let statement = read_chosen(&request.statement_path)?;
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let rotation = KeyRotation { statement: &statement, confirm_fingerprint: &request.confirm_fingerprint, dialed: &request.dialed };
        let outcome = ws.rotate_partner_key(session, request.id, &rotation)?;
        Outcome::from_service(outcome, |made| {
            made["new"].as_str().map(str::to_string).ok_or_else(|| CommandError::new("unexpected", "the rotation named no new key"))
        })
    })
}

/// Puts one more number on file for a partner, with its label (issue 20): in setup mode at once
/// (the partner as it is then), otherwise a pending change another approver or admin approves. It
/// is never offered for the callback of an instruction that arrived before it.
#[tauri::command]
pub async fn add_partner_phone(state: State<'_, AppState>, id: i64, phone: PhoneInput) -> CommandResult<Outcome<PartnerView>> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        let outcome = ws.add_partner_phone(session, id, &NewNumber { number: phone.number.trim().to_string(), label: phone.label })?;
        Outcome::from_service(outcome, |_| Ok(view(ws.partner(session, id)?)))
    })
}

/// Applies a key revocation read from the chosen file, signed by the partner's pinned recovery
/// key (issue 20; the CLI's `partner revoke-key ID --statement FILE`): the core checks the
/// signature against the recovery key the signed statements give, and the key named is revoked at
/// once (it only takes trust away). The revoked fingerprint.
#[tauri::command]
pub async fn import_key_revocation(state: State<'_, AppState>, id: i64, statement_path: String) -> CommandResult<String> {
    blocking(|| {
        let statement = read_chosen(&statement_path)?;
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.revoke_partner_key_with_recovery(session, id, &statement)?)
    })
}

/// Revokes a key (the active one, or the one named) with a reason; the revoked fingerprint.
#[tauri::command]
pub async fn revoke_partner_key(state: State<'_, AppState>, id: i64, fingerprint: Option<String>, reason: String) -> CommandResult<String> {
    blocking(|| {
        let mut inner = state.lock();
        let (ws, session) = inner.signed_in()?;
        Ok(ws.revoke_partner_key(session, id, fingerprint.as_deref().filter(|f| !f.trim().is_empty()), &reason)?)
    })
}
