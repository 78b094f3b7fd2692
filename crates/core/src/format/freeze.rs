//! Freeze notices (`countersign/freeze-notice/v1`) and their lifts (`countersign/freeze-lift/v1`),
//! issue 20: a partner that learns its mail server (and maybe its signing key) was compromised
//! tells every customer at once to hold every payment to it, or every payment but those to one
//! account. A notice may be signed by the partner's active signing key or by its recovery key; a
//! lift only by the recovery key, so a stolen signing key can freeze (the safe direction) but
//! never lift. Which keys a partner has, with their roles and statuses, is the caller's to say
//! ([`CandidateKey`]); this module checks the file against them (docs/format.md §4.3).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::bank::{Country, Iban};
use crate::encoding::{format_utc, whole_seconds_utc};
use crate::format::envelope::{Envelope, EnvelopeError, FileKind};
use crate::format::fingerprint::Fingerprint;
use crate::format::instruction::{check_id, check_text, parse_time, PayloadError};
use crate::format::keys::{KeyPair, PublicKey};
use crate::registry::KeyStatus;

/// What a partner's key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyRole {
    /// The daily signing key (instructions, rotations).
    Signing,
    /// The offline recovery key: the only one that may lift a freeze.
    Recovery,
}

impl KeyRole {
    /// The stable string (`signing`, `recovery`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signing => "signing",
            Self::Recovery => "recovery",
        }
    }

    /// Parses [`KeyRole::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Signing, Self::Recovery].into_iter().find(|r| r.as_str() == text)
    }
}

/// One of a partner's keys that may have signed a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CandidateKey {
    /// The key.
    pub public_key: PublicKey,
    /// What it is for.
    pub role: KeyRole,
    /// Whether it may still sign.
    pub status: KeyStatus,
}

/// The accounts a freeze holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreezeScope {
    /// Every payment to the partner.
    All,
    /// Every payment to any account but this one.
    AllBut(ExceptedAccount),
}

/// The one account a freeze of scope `all_but` does not hold, as the notice names it (no BIC:
/// the same account is the same account whatever BIC is quoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExceptedAccount {
    /// An IBAN, electronic format.
    Iban(Iban),
    /// A domestic account.
    Local {
        /// The account number.
        account_number: String,
        /// The routing code.
        routing_code: String,
        /// Its country.
        country: Country,
    },
}

impl ExceptedAccount {
    /// The account's key, as [`crate::bank::BankAccount::key`] gives it for the same account.
    pub fn key(&self) -> String {
        match self {
            Self::Iban(iban) => format!("iban:{}", iban.electronic()),
            Self::Local { account_number, routing_code, country } => format!("local:{country}:{routing_code}:{account_number}"),
        }
    }

    /// The account as people read it.
    pub fn display(&self) -> String {
        match self {
            Self::Iban(iban) => iban.grouped(),
            Self::Local { account_number, routing_code, country } => format!("{account_number} (routing {routing_code}, {country})"),
        }
    }
}

impl FreezeScope {
    /// Whether a payment to the account of key `account_key` is held (an unknown account is).
    pub fn holds(&self, account_key: Option<&str>) -> bool {
        match self {
            Self::All => true,
            Self::AllBut(except) => account_key != Some(except.key().as_str()),
        }
    }

    /// With `all_but`: the one account not held.
    pub fn except(&self) -> Option<&ExceptedAccount> {
        match self {
            Self::All => None,
            Self::AllBut(except) => Some(except),
        }
    }

    /// `all` or `all_but`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::All => "all",
            Self::AllBut(_) => "all_but",
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountWire {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    iban: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    account_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    routing_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    country: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeWire {
    id: String,
    partner_key: String,
    scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    except: Option<AccountWire>,
    effective_from: String,
    reason: String,
    issued_at: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LiftWire {
    id: String,
    freeze_id: String,
    partner_key: String,
    reason: String,
    issued_at: String,
}

/// Why a notice was refused. Each maps to a reason code of the contract ([`NoticeError::code`]).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum NoticeError {
    /// Not a well-formed notice envelope (`malformed_file`, `unsupported_version`, `file_too_large`).
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The signer is none of the partner's keys that may sign this kind of notice.
    #[error("{0}")]
    UnknownSigner(String),
    /// The signature does not verify with the key the file names.
    #[error("the signature is invalid")]
    SignatureInvalid,
    /// The signed content is not a valid notice.
    #[error("the signed content is not a valid notice: {0}")]
    Invalid(String),
    /// The key that signed it is retired or revoked.
    #[error("signed with the partner's {role} key {fingerprint}, which is {status}: a notice it signs is not accepted")]
    KeyRevoked {
        /// The key's role.
        role: &'static str,
        /// Its fingerprint.
        fingerprint: Fingerprint,
        /// `retired` or `revoked`.
        status: KeyStatus,
    },
}

impl NoticeError {
    /// The contract's reason code for the refusal.
    pub fn code(&self) -> crate::assess::findings::ReasonCode {
        use crate::assess::findings::ReasonCode;
        match self {
            Self::Envelope(EnvelopeError::TooLarge { .. }) => ReasonCode::FileTooLarge,
            Self::Envelope(EnvelopeError::UnsupportedVersion { .. }) => ReasonCode::UnsupportedVersion,
            Self::Envelope(EnvelopeError::Malformed(_)) | Self::Invalid(_) => ReasonCode::MalformedFile,
            Self::UnknownSigner(_) => ReasonCode::UnknownSigner,
            Self::SignatureInvalid => ReasonCode::SignatureInvalid,
            Self::KeyRevoked { .. } => ReasonCode::KeyRevoked,
        }
    }
}

impl From<PayloadError> for NoticeError {
    fn from(e: PayloadError) -> Self {
        NoticeError::Invalid(e.to_string())
    }
}

/// A freeze notice whose signature was checked against one of the partner's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeNotice {
    /// Unique per partner.
    pub id: String,
    /// The partner's signing key the notice is about.
    pub partner_key: Fingerprint,
    /// What it holds.
    pub scope: FreezeScope,
    /// From when.
    pub effective_from: OffsetDateTime,
    /// Why, in the partner's words.
    pub reason: String,
    /// When it was signed.
    pub issued_at: OffsetDateTime,
    /// The key that signed it.
    pub signer: Fingerprint,
    /// That key's role.
    pub signed_by: KeyRole,
}

impl FreezeNotice {
    /// Whether the freeze holds payments at `at`.
    pub fn in_force_at(&self, at: OffsetDateTime) -> bool {
        at >= self.effective_from
    }

    /// Whether it holds a payment to the account of key `account_key` at `at`: in force then, and
    /// its scope holding that account.
    pub fn holds(&self, account_key: Option<&str>, at: OffsetDateTime) -> bool {
        self.in_force_at(at) && self.scope.holds(account_key)
    }
}

/// A lift notice whose signature was checked against the partner's recovery key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiftNotice {
    /// Unique per partner.
    pub id: String,
    /// The freeze it lifts.
    pub freeze_id: String,
    /// The partner's signing key the freeze was about.
    pub partner_key: Fingerprint,
    /// Why.
    pub reason: String,
    /// When it was signed.
    pub issued_at: OffsetDateTime,
    /// The recovery key that signed it.
    pub signer: Fingerprint,
}

/// What a partner writes into a freeze notice ([`sign_freeze`]).
#[derive(Debug, Clone)]
pub struct FreezeRequest {
    /// Unique per partner (`freeze` uses a random UUID).
    pub id: String,
    /// The partner's signing key the notice is about.
    pub partner_key: Fingerprint,
    /// What it holds.
    pub scope: FreezeScope,
    /// From when.
    pub effective_from: OffsetDateTime,
    /// Why.
    pub reason: String,
}

fn account_wire(account: &ExceptedAccount) -> AccountWire {
    match account {
        ExceptedAccount::Iban(iban) => {
            AccountWire { iban: Some(iban.electronic().to_string()), account_number: None, routing_code: None, country: None }
        }
        ExceptedAccount::Local { account_number, routing_code, country } => AccountWire {
            iban: None,
            account_number: Some(account_number.clone()),
            routing_code: Some(routing_code.clone()),
            country: Some(country.to_string()),
        },
    }
}

/// Signs a freeze notice with `key` (the partner's signing or recovery key) at `now`, after
/// checking that a verifier would accept its content.
pub fn sign_freeze(key: &KeyPair, request: &FreezeRequest, now: OffsetDateTime) -> Result<Vec<u8>, NoticeError> {
    let wire = NoticeWire {
        id: request.id.clone(),
        partner_key: request.partner_key.to_string(),
        scope: request.scope.as_str().into(),
        except: request.scope.except().map(account_wire),
        effective_from: format_utc(whole_seconds_utc(request.effective_from)),
        reason: request.reason.clone(),
        issued_at: format_utc(whole_seconds_utc(now)),
    };
    let payload = serde_json::to_vec(&wire).expect("serialises");
    parse_freeze_payload(&payload)?;
    Ok(Envelope::sign(FileKind::FreezeNotice, key, payload).to_bytes())
}

/// Signs a lift of freeze `freeze_id` with `key` (the partner's recovery key) at `now`.
pub fn sign_lift(
    key: &KeyPair,
    id: &str,
    freeze_id: &str,
    partner_key: Fingerprint,
    reason: &str,
    now: OffsetDateTime,
) -> Result<Vec<u8>, NoticeError> {
    let wire = LiftWire {
        id: id.into(),
        freeze_id: freeze_id.into(),
        partner_key: partner_key.to_string(),
        reason: reason.into(),
        issued_at: format_utc(whole_seconds_utc(now)),
    };
    let payload = serde_json::to_vec(&wire).expect("serialises");
    parse_lift_payload(&payload)?;
    Ok(Envelope::sign(FileKind::FreezeLift, key, payload).to_bytes())
}

fn parse_fingerprint(name: &str, text: &str) -> Result<Fingerprint, NoticeError> {
    Fingerprint::parse_canonical(text).ok_or_else(|| NoticeError::Invalid(format!("`{name}` is not a fingerprint in canonical form")))
}

fn parse_account(wire: AccountWire) -> Result<ExceptedAccount, NoticeError> {
    let simple = |s: &str, max: usize| !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    match (wire.iban, wire.account_number, wire.routing_code, wire.country) {
        (Some(iban), None, None, None) => {
            Iban::parse_electronic(&iban).map(ExceptedAccount::Iban).map_err(|e| NoticeError::Invalid(format!("`except`: {e}")))
        }
        (None, Some(account_number), Some(routing_code), Some(country)) => {
            if !simple(&account_number, 34) || !simple(&routing_code, 20) {
                return Err(NoticeError::Invalid(
                    "`except`: the account number (1 to 34) and routing code (1 to 20) must be upper-case letters and digits".into(),
                ));
            }
            let country = Country::parse(&country).map_err(|e| NoticeError::Invalid(format!("`except`: {e}")))?;
            Ok(ExceptedAccount::Local { account_number, routing_code, country })
        }
        _ => Err(NoticeError::Invalid("`except` must hold either `iban`, or `account_number`, `routing_code` and `country`".into())),
    }
}

/// A freeze payload that keeps the format's own rules, before its signer is checked.
struct FreezePayload {
    id: String,
    partner_key: Fingerprint,
    scope: FreezeScope,
    effective_from: OffsetDateTime,
    reason: String,
    issued_at: OffsetDateTime,
}

/// The freeze payload's own rules (§4.3, the freeze payload), without the signer.
fn parse_freeze_payload(payload: &[u8]) -> Result<FreezePayload, NoticeError> {
    let wire: NoticeWire = serde_json::from_slice(payload).map_err(|e| NoticeError::Invalid(e.to_string()))?;
    check_id(&wire.id)?;
    let partner_key = parse_fingerprint("partner_key", &wire.partner_key)?;
    check_text("reason", &wire.reason)?;
    let scope = match (wire.scope.as_str(), wire.except) {
        ("all", None) => FreezeScope::All,
        ("all_but", Some(except)) => FreezeScope::AllBut(parse_account(except)?),
        ("all" | "all_but", _) => {
            return Err(NoticeError::Invalid("`except` is required with scope `all_but` and not allowed with `all`".into()))
        }
        (other, _) => return Err(NoticeError::Invalid(format!("`scope` {other:?} is neither `all` nor `all_but`"))),
    };
    let effective_from = parse_time("effective_from", &wire.effective_from)?;
    let issued_at = parse_time("issued_at", &wire.issued_at)?;
    Ok(FreezePayload { id: wire.id, partner_key, scope, effective_from, reason: wire.reason, issued_at })
}

/// The lift payload's own rules (§4.3, the lift payload), without the signer: the wire, its `partner_key` and
/// when it was issued.
fn parse_lift_payload(payload: &[u8]) -> Result<(LiftWire, Fingerprint, OffsetDateTime), NoticeError> {
    let wire: LiftWire = serde_json::from_slice(payload).map_err(|e| NoticeError::Invalid(e.to_string()))?;
    check_id(&wire.id)?;
    check_id(&wire.freeze_id).map_err(|_| NoticeError::Invalid("`freeze_id` is not a valid id".into()))?;
    let partner_key = parse_fingerprint("partner_key", &wire.partner_key)?;
    check_text("reason", &wire.reason)?;
    let issued_at = parse_time("issued_at", &wire.issued_at)?;
    Ok((wire, partner_key, issued_at))
}

/// The envelope checked against the candidates that may sign `kind`: found, signature valid.
/// Returns the envelope and the candidate that signed it.
fn checked_envelope(bytes: &[u8], kind: FileKind, candidates: &[CandidateKey]) -> Result<(Envelope, CandidateKey), NoticeError> {
    let envelope = Envelope::parse(bytes, kind)?;
    let signer = envelope.signer();
    let may_sign = |c: &&CandidateKey| kind == FileKind::FreezeNotice || c.role == KeyRole::Recovery;
    let Some(candidate) = candidates.iter().filter(may_sign).find(|c| c.public_key.fingerprint() == signer).copied() else {
        let why = match candidates.iter().any(|c| c.public_key.fingerprint() == signer) {
            true => format!("a freeze is lifted only by the partner's recovery key; {signer} is its signing key"),
            false => format!("signed by {signer}, which is none of the partner's keys"),
        };
        return Err(NoticeError::UnknownSigner(why));
    };
    if !envelope.verify_with(&candidate.public_key) {
        return Err(NoticeError::SignatureInvalid);
    }
    Ok((envelope, candidate))
}

/// Refuses a retired or revoked signer (after the payload parsed, as §3.3 for instructions).
fn check_status(candidate: &CandidateKey) -> Result<(), NoticeError> {
    match candidate.status {
        KeyStatus::Active => Ok(()),
        status => Err(NoticeError::KeyRevoked { role: candidate.role.as_str(), fingerprint: candidate.public_key.fingerprint(), status }),
    }
}

/// `partner_key` must name one of the partner's signing keys; signed by a signing key, that key.
fn check_partner_key(partner_key: Fingerprint, signer: &CandidateKey, candidates: &[CandidateKey]) -> Result<(), NoticeError> {
    let is_signing_key = candidates.iter().any(|c| c.role == KeyRole::Signing && c.public_key.fingerprint() == partner_key);
    if !is_signing_key {
        return Err(NoticeError::Invalid(format!("`partner_key` {partner_key} is not a signing key of the partner")));
    }
    if signer.role == KeyRole::Signing && signer.public_key.fingerprint() != partner_key {
        return Err(NoticeError::Invalid("`partner_key` is not the signing key that signed the notice".into()));
    }
    Ok(())
}

/// Verifies a freeze notice against the partner's keys: signed by one of them (signing or
/// recovery), the signature valid, the payload valid, the key active, `partner_key` one of the
/// partner's signing keys (the signer itself when a signing key signed).
pub fn verify_freeze(bytes: &[u8], candidates: &[CandidateKey]) -> Result<FreezeNotice, NoticeError> {
    let (envelope, candidate) = checked_envelope(bytes, FileKind::FreezeNotice, candidates)?;
    let FreezePayload { id, partner_key, scope, effective_from, reason, issued_at } = parse_freeze_payload(envelope.payload())?;
    check_status(&candidate)?;
    check_partner_key(partner_key, &candidate, candidates)?;
    Ok(FreezeNotice { id, partner_key, scope, effective_from, reason, issued_at, signer: envelope.signer(), signed_by: candidate.role })
}

/// Verifies a lift notice against the partner's keys: only an active recovery key may sign it.
pub fn verify_lift(bytes: &[u8], candidates: &[CandidateKey]) -> Result<LiftNotice, NoticeError> {
    let (envelope, candidate) = checked_envelope(bytes, FileKind::FreezeLift, candidates)?;
    let (wire, partner_key, issued_at) = parse_lift_payload(envelope.payload())?;
    check_status(&candidate)?;
    check_partner_key(partner_key, &candidate, candidates)?;
    Ok(LiftNotice { id: wire.id, freeze_id: wire.freeze_id, partner_key, reason: wire.reason, issued_at, signer: envelope.signer() })
}

/// The fingerprint a notice or lift file names as its signer, to find the partner before
/// verifying (`None` when the file is not a well-formed envelope of `kind`).
pub fn claimed_signer(bytes: &[u8], kind: FileKind) -> Result<Fingerprint, NoticeError> {
    Ok(Envelope::parse(bytes, kind)?.signer())
}

/// The `partner_key` a well-formed envelope's payload names, unverified: which partner a notice
/// signed by a recovery key is about (the service finds the partner by it, then verifies).
pub fn claimed_partner_key(bytes: &[u8], kind: FileKind) -> Option<Fingerprint> {
    #[derive(Deserialize)]
    struct PartnerKeyOnly {
        partner_key: String,
    }
    let envelope = Envelope::parse(bytes, kind).ok()?;
    let found: PartnerKeyOnly = serde_json::from_slice(envelope.payload()).ok()?;
    Fingerprint::parse_canonical(&found.partner_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::findings::ReasonCode;
    use crate::encoding::parse_utc;

    fn t(text: &str) -> OffsetDateTime {
        parse_utc(text).unwrap()
    }

    struct Partner {
        signing: KeyPair,
        recovery: KeyPair,
    }

    fn partner() -> Partner {
        Partner { signing: KeyPair::from_seed(&[1; 32]), recovery: KeyPair::from_seed(&[9; 32]) }
    }

    fn candidates(p: &Partner, signing: KeyStatus, recovery: KeyStatus) -> Vec<CandidateKey> {
        vec![
            CandidateKey { public_key: p.signing.public_key(), role: KeyRole::Signing, status: signing },
            CandidateKey { public_key: p.recovery.public_key(), role: KeyRole::Recovery, status: recovery },
        ]
    }

    fn request(p: &Partner, scope: FreezeScope) -> FreezeRequest {
        FreezeRequest {
            id: "freeze-1".into(),
            partner_key: p.signing.fingerprint(),
            scope,
            effective_from: t("2026-12-04T08:00:00Z"),
            reason: "Our mail server was compromised".into(),
        }
    }

    fn signed_payload(key: &KeyPair, kind: FileKind, payload: &str) -> Vec<u8> {
        Envelope::sign(kind, key, payload.as_bytes().to_vec()).to_bytes()
    }

    #[test]
    fn a_notice_signed_by_the_signing_or_the_recovery_key_verifies() {
        let p = partner();
        let keys = candidates(&p, KeyStatus::Active, KeyStatus::Active);
        for (key, role) in [(&p.signing, KeyRole::Signing), (&p.recovery, KeyRole::Recovery)] {
            let bytes = sign_freeze(key, &request(&p, FreezeScope::All), t("2026-12-04T09:00:00Z")).unwrap();
            let notice = verify_freeze(&bytes, &keys).unwrap();
            assert_eq!((notice.signed_by, notice.signer, notice.partner_key), (role, key.fingerprint(), p.signing.fingerprint()));
            assert_eq!((notice.id.as_str(), &notice.scope), ("freeze-1", &FreezeScope::All));
            assert!(notice.in_force_at(t("2026-12-04T08:00:00Z")) && !notice.in_force_at(t("2026-12-04T07:59:59Z")));
        }
    }

    #[test]
    fn a_retired_or_revoked_key_is_key_revoked_and_an_unknown_one_unknown_signer() {
        let p = partner();
        let bytes = sign_freeze(&p.signing, &request(&p, FreezeScope::All), t("2026-12-04T09:00:00Z")).unwrap();
        for status in [KeyStatus::Retired, KeyStatus::Revoked] {
            let error = verify_freeze(&bytes, &candidates(&p, status, KeyStatus::Active)).unwrap_err();
            assert_eq!(error.code(), ReasonCode::KeyRevoked, "{status}");
        }
        let by_recovery = sign_freeze(&p.recovery, &request(&p, FreezeScope::All), t("2026-12-04T09:00:00Z")).unwrap();
        let error = verify_freeze(&by_recovery, &candidates(&p, KeyStatus::Active, KeyStatus::Revoked)).unwrap_err();
        assert_eq!(error.code(), ReasonCode::KeyRevoked);
        let mallory = KeyPair::from_seed(&[7; 32]);
        let forged = sign_freeze(&mallory, &request(&p, FreezeScope::All), t("2026-12-04T09:00:00Z")).unwrap();
        let error = verify_freeze(&forged, &candidates(&p, KeyStatus::Active, KeyStatus::Active)).unwrap_err();
        assert_eq!(error.code(), ReasonCode::UnknownSigner);
        // Without a recovery key on file, a notice the recovery key signed has no known signer.
        let only_signing = &candidates(&p, KeyStatus::Active, KeyStatus::Active)[..1];
        assert_eq!(verify_freeze(&by_recovery, only_signing).unwrap_err().code(), ReasonCode::UnknownSigner);
    }

    #[test]
    fn a_lift_verifies_only_with_an_active_recovery_key() {
        let p = partner();
        let keys = candidates(&p, KeyStatus::Active, KeyStatus::Active);
        let at = t("2026-12-05T09:00:00Z");
        let lift = sign_lift(&p.recovery, "lift-1", "freeze-1", p.signing.fingerprint(), "New server in place", at).unwrap();
        let verified = verify_lift(&lift, &keys).unwrap();
        assert_eq!((verified.freeze_id.as_str(), verified.signer), ("freeze-1", p.recovery.fingerprint()));
        let by_signing = sign_lift(&p.signing, "lift-1", "freeze-1", p.signing.fingerprint(), "New server in place", at).unwrap();
        let error = verify_lift(&by_signing, &keys).unwrap_err();
        assert_eq!(error.code(), ReasonCode::UnknownSigner);
        assert!(error.to_string().contains("only by the partner's recovery key"), "{error}");
        let error = verify_lift(&lift, &candidates(&p, KeyStatus::Active, KeyStatus::Revoked)).unwrap_err();
        assert_eq!(error.code(), ReasonCode::KeyRevoked);
        assert_eq!(verify_lift(&lift, &keys[..1]).unwrap_err().code(), ReasonCode::UnknownSigner);
    }

    #[test]
    fn the_scope_all_but_names_one_account_and_holds_every_other() {
        let p = partner();
        let iban = ExceptedAccount::Iban(Iban::parse_electronic("DE89370400440532013000").unwrap());
        let bytes = sign_freeze(&p.signing, &request(&p, FreezeScope::AllBut(iban.clone())), t("2026-12-04T09:00:00Z")).unwrap();
        let notice = verify_freeze(&bytes, &candidates(&p, KeyStatus::Active, KeyStatus::Active)).unwrap();
        assert_eq!(notice.scope, FreezeScope::AllBut(iban));
        assert!(!notice.scope.holds(Some("iban:DE89370400440532013000")));
        assert!(notice.scope.holds(Some("iban:GB82WEST12345698765432")) && notice.scope.holds(None));
        let local = ExceptedAccount::Local {
            account_number: "000123456789".into(),
            routing_code: "021000021".into(),
            country: Country::parse("US").unwrap(),
        };
        assert_eq!(local.key(), "local:US:021000021:000123456789");
        assert!(FreezeScope::All.holds(Some("iban:DE89370400440532013000")));
    }

    /// docs/format.md §4.3: exactly these members; a bad one is `malformed_file` after the signature.
    #[test]
    fn the_payload_is_exactly_as_specified() {
        let p = partner();
        let keys = candidates(&p, KeyStatus::Active, KeyStatus::Active);
        let fp = p.signing.fingerprint().to_string();
        let notice = |scope: &str, extra: &str| {
            format!(
                r#"{{"id":"f-1","partner_key":"{fp}","scope":{scope},"effective_from":"2026-12-04T08:00:00Z","reason":"Compromised","issued_at":"2026-12-04T09:00:00Z"{extra}}}"#
            )
        };
        assert!(verify_freeze(&signed_payload(&p.signing, FileKind::FreezeNotice, &notice(r#""all""#, "")), &keys).is_ok());
        let except = r#","except":{"iban":"DE89370400440532013000"}"#;
        assert!(verify_freeze(&signed_payload(&p.signing, FileKind::FreezeNotice, &notice(r#""all_but""#, except)), &keys).is_ok());
        let other_fp = KeyPair::from_seed(&[3; 32]).fingerprint().to_string();
        for (what, payload) in [
            ("an unknown member", notice(r#""all""#, r#","note":"x""#)),
            ("a null member", notice(r#""all""#, r#","except":null"#)),
            ("except with all", notice(r#""all""#, except)),
            ("all_but without except", notice(r#""all_but""#, "")),
            ("another scope", notice(r#""some""#, "")),
            ("a number as scope", notice("1", "")),
            ("an IBAN with spaces", notice(r#""all_but""#, r#","except":{"iban":"DE89 3704 0044 0532 0130 00"}"#)),
            ("an account with a BIC", notice(r#""all_but""#, r#","except":{"iban":"DE89370400440532013000","bic":"COBADEFFXXX"}"#)),
            ("half a local account", notice(r#""all_but""#, r#","except":{"account_number":"1","country":"US"}"#)),
            ("a repeated member", notice(r#""all""#, r#","id":"f-2""#)),
            ("partner_key not the signer", notice(r#""all""#, "").replace(&fp, &other_fp)),
            ("a time with an offset", notice(r#""all""#, "").replace("2026-12-04T08:00:00Z", "2026-12-04T08:00:00+00:00")),
            ("an empty reason", notice(r#""all""#, "").replace("Compromised", "")),
        ] {
            let error = verify_freeze(&signed_payload(&p.signing, FileKind::FreezeNotice, &payload), &keys).unwrap_err();
            assert_eq!(error.code(), ReasonCode::MalformedFile, "{what}: {error}");
        }
        // Signed as another file type: the identifier is part of the signed message.
        let as_lift = Envelope::from_parts(
            FileKind::FreezeNotice,
            p.signing.fingerprint(),
            notice(r#""all""#, "").into_bytes(),
            *Envelope::sign(FileKind::FreezeLift, &p.signing, notice(r#""all""#, "").into_bytes()).signature(),
        );
        assert_eq!(verify_freeze(&as_lift.to_bytes(), &keys).unwrap_err().code(), ReasonCode::SignatureInvalid);
    }

    #[test]
    fn claimed_keys_are_read_without_verifying() {
        let p = partner();
        let bytes = sign_freeze(&p.recovery, &request(&p, FreezeScope::All), t("2026-12-04T09:00:00Z")).unwrap();
        assert_eq!(claimed_signer(&bytes, FileKind::FreezeNotice).unwrap(), p.recovery.fingerprint());
        assert_eq!(claimed_partner_key(&bytes, FileKind::FreezeNotice), Some(p.signing.fingerprint()));
        assert_eq!(claimed_partner_key(b"{}", FileKind::FreezeNotice), None);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever bytes come in, the parser answers with a notice or an error, never a panic;
            /// and a byte changed in a valid notice is never accepted as a different notice.
            #[test]
            fn the_notice_parser_never_panics_and_never_accepts_an_altered_file(
                noise in proptest::collection::vec(any::<u8>(), 0..512),
                at in 0usize..2048,
                byte in any::<u8>(),
            ) {
                let p = partner();
                let keys = candidates(&p, KeyStatus::Active, KeyStatus::Active);
                let _ = verify_freeze(&noise, &keys);
                let _ = verify_lift(&noise, &keys);
                let bytes = sign_freeze(&p.signing, &request(&p, FreezeScope::All), t("2026-12-04T09:00:00Z")).unwrap();
                let original = verify_freeze(&bytes, &keys).unwrap();
                let mut altered = bytes.clone();
                let i = at % altered.len();
                altered[i] = byte;
                if let Ok(notice) = verify_freeze(&altered, &keys) {
                    prop_assert_eq!(notice, original);
                }
            }
        }
    }
}
