//! The signed payment instruction, formats v1 and v2 (v2 adds the recipient's callback key, format
//! §3.7): the payload's fields, strict parsing of the signed payload bytes, and building a payload
//! from the partner's `DETAILS.json`.
//!
//! The payload is a JSON object with no unknown, duplicate or `null` fields. Structural problems
//! (a missing field, a bad time, an unknown currency) make the file `malformed_file`; bank
//! details are kept as written and checked separately, so that an invalid IBAN or BIC can be
//! reported with its own reason code.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::bank::{AccountDetails, BankError, Currency, Iban, Money};
use crate::encoding::{format_utc, parse_rfc3339_lenient, parse_utc, whole_seconds_utc};
use crate::format::callback_key::CallbackPublicKey;
use crate::format::envelope::Envelope;
use crate::format::fingerprint::Fingerprint;

/// Longest beneficiary name or reference (the ISO 20022 `Max140Text`).
pub const MAX_TEXT_CHARS: usize = 140;
/// Longest instruction id.
pub const MAX_ID_CHARS: usize = 64;
/// Longest validity window.
pub const MAX_VALIDITY: Duration = Duration::days(400);
/// Validity window used when DETAILS.json names none.
pub const DEFAULT_VALIDITY: Duration = Duration::days(30);

/// A structurally valid instruction payload (bank details not yet checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Unique id chosen by the issuer (a UUID when made by `sign`).
    pub id: String,
    /// Fingerprint of the key that signed it; must equal the envelope's `signer`.
    pub issuer: Fingerprint,
    /// Fingerprint of the one recipient it is meant for.
    pub recipient: Fingerprint,
    /// The recipient's callback key (format v2 only): the partner's response to a callback
    /// challenge rests on it, so only the partner's key or the recipient's callback secret gives it.
    pub callback_key: Option<CallbackPublicKey>,
    /// When it was signed.
    pub issued_at: OffsetDateTime,
    /// Start of validity.
    pub valid_from: OffsetDateTime,
    /// End of validity.
    pub valid_until: OffsetDateTime,
    /// Who is paid.
    pub beneficiary_name: String,
    /// Where, as written.
    pub account: AccountDetails,
    /// In which currency.
    pub currency: Currency,
    /// Optional amount.
    pub amount: Option<Money>,
    /// Optional reference (invoice numbers).
    pub reference: Option<String>,
    /// Optional due date.
    pub due_date: Option<Date>,
}

/// The bank account as it appears in the payload JSON.
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
    bic: String,
}

/// The payload as it appears in JSON. Field order here is the order written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PayloadWire {
    id: String,
    issuer: String,
    recipient: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    callback_key: Option<String>,
    issued_at: String,
    valid_from: String,
    valid_until: String,
    beneficiary_name: String,
    account: AccountWire,
    currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::json::present")]
    due_date: Option<String>,
}

/// Why a payload (or DETAILS.json) was refused; the text names the field and the problem.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PayloadError {
    /// Not a JSON object of the right shape.
    #[error("the payload is not a valid instruction: {0}")]
    Json(String),
    /// A field's value is not acceptable.
    #[error("field `{field}`: {problem}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
}

fn field(field: &'static str, problem: impl Into<String>) -> PayloadError {
    PayloadError::Field { field, problem: problem.into() }
}

/// Checks a free-text field: trimmed, 1 to `MAX_TEXT_CHARS` characters, no control characters.
pub(crate) fn check_text(name: &'static str, value: &str) -> Result<(), PayloadError> {
    let chars = value.chars().count();
    if chars == 0 || chars > MAX_TEXT_CHARS {
        return Err(field(name, format!("must have 1 to {MAX_TEXT_CHARS} characters")));
    }
    if value.trim() != value {
        return Err(field(name, "must not start or end with spaces"));
    }
    if value.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(field(name, "must not contain control or text-direction characters"));
    }
    Ok(())
}

/// Text-direction overrides and isolates, which can make a name display differently from what it
/// says ("Trojan Source").
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `value` is 1 to `max` printable characters without surrounding spaces: no control or
/// text-direction character (the short texts of cards and recovery statements).
pub(crate) fn is_short_text(value: &str, max: usize) -> bool {
    let n = value.chars().count();
    n > 0 && n <= max && value.trim() == value && !value.chars().any(|c| c.is_control() || is_bidi_control(c))
}

pub(crate) fn check_id(id: &str) -> Result<(), PayloadError> {
    let ok = !id.is_empty() && id.len() <= MAX_ID_CHARS && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !ok {
        return Err(field("id", format!("must be 1 to {MAX_ID_CHARS} letters, digits, '-', '_' or '.'")));
    }
    Ok(())
}

pub(crate) fn parse_time(name: &'static str, text: &str) -> Result<OffsetDateTime, PayloadError> {
    parse_utc(text).ok_or_else(|| field(name, format!("{text:?} is not a UTC time of the form 2026-01-31T09:00:00Z (years 0001 to 9999)")))
}

fn parse_date(name: &'static str, text: &str) -> Result<Date, PayloadError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format)
        .ok()
        .filter(|d| crate::encoding::in_years(d.year()))
        .ok_or_else(|| field(name, format!("{text:?} is not a date of the form 2026-01-31 (years 0001 to 9999)")))
}

fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

impl Instruction {
    /// Parses the exact signed payload bytes of a version-1 file strictly.
    pub fn parse(bytes: &[u8]) -> Result<Self, PayloadError> {
        Self::parse_version(bytes, 1)
    }

    /// Parses the payload of an envelope, by the envelope's version (its signature is not checked here).
    pub fn parse_signed(envelope: &Envelope) -> Result<Self, PayloadError> {
        Self::parse_version(envelope.payload(), envelope.version())
    }

    /// Parses the exact signed payload bytes of a file of format `version` strictly: `callback_key`
    /// is required in version 2 and not a member of version 1.
    pub fn parse_version(bytes: &[u8], version: u32) -> Result<Self, PayloadError> {
        let text = std::str::from_utf8(bytes).map_err(|_| PayloadError::Json("not valid UTF-8".into()))?;
        let wire: PayloadWire = serde_json::from_str(text).map_err(|e| PayloadError::Json(e.to_string()))?;
        match (version, &wire.callback_key) {
            (1, Some(_)) => return Err(PayloadError::Json("unknown field `callback_key`: it is a member of version 2 only".into())),
            (2, None) => return Err(PayloadError::Json("missing field `callback_key`".into())),
            _ => {}
        }
        Self::from_wire(wire)
    }

    /// The format version this instruction is signed in: 2 when it names a callback key.
    pub fn version(&self) -> u32 {
        if self.callback_key.is_some() {
            2
        } else {
            1
        }
    }

    fn from_wire(w: PayloadWire) -> Result<Self, PayloadError> {
        check_id(&w.id)?;
        let issuer = Fingerprint::parse_canonical(&w.issuer).ok_or_else(|| field("issuer", "is not a fingerprint in canonical form"))?;
        let recipient =
            Fingerprint::parse_canonical(&w.recipient).ok_or_else(|| field("recipient", "is not a fingerprint in canonical form"))?;
        let callback_key = w
            .callback_key
            .as_deref()
            .map(|k| {
                CallbackPublicKey::from_base64(k)
                    .ok_or_else(|| field("callback_key", "is not 32 bytes of canonical base64, or is a low-order point"))
            })
            .transpose()?;
        let issued_at = parse_time("issued_at", &w.issued_at)?;
        let valid_from = parse_time("valid_from", &w.valid_from)?;
        let valid_until = parse_time("valid_until", &w.valid_until)?;
        if valid_until < valid_from {
            return Err(field("valid_until", "is before valid_from"));
        }
        if valid_until - valid_from > MAX_VALIDITY {
            return Err(field("valid_until", format!("the validity window may be at most {} days", MAX_VALIDITY.whole_days())));
        }
        if issued_at > valid_until {
            return Err(field("issued_at", "is after valid_until"));
        }
        check_text("beneficiary_name", &w.beneficiary_name)?;
        let a = w.account;
        let account = match (a.iban, a.account_number, a.routing_code, a.country) {
            (Some(iban), None, None, None) => AccountDetails::Iban { iban, bic: a.bic },
            (None, Some(account_number), Some(routing_code), Some(country)) => {
                AccountDetails::Local { account_number, routing_code, country, bic: a.bic }
            }
            _ => {
                return Err(field("account", "must hold either `iban` and `bic`, or `account_number`, `routing_code`, `country` and `bic`"))
            }
        };
        let currency = Currency::parse(&w.currency).map_err(|e| field("currency", e.to_string()))?;
        let amount = w.amount.map(|a| Money::parse(&a, currency).map_err(|e| field("amount", e.to_string()))).transpose()?;
        if let Some(reference) = &w.reference {
            check_text("reference", reference)?;
        }
        let due_date = w.due_date.map(|d| parse_date("due_date", &d)).transpose()?;
        Ok(Instruction {
            id: w.id,
            issuer,
            recipient,
            callback_key,
            issued_at,
            valid_from,
            valid_until,
            beneficiary_name: w.beneficiary_name,
            account,
            currency,
            amount,
            reference: w.reference,
            due_date,
        })
    }

    /// The payload bytes to sign: compact JSON in the field order of the format.
    pub fn to_payload_bytes(&self) -> Vec<u8> {
        let (iban, account_number, routing_code, country, bic) = match &self.account {
            AccountDetails::Iban { iban, bic } => (Some(iban.clone()), None, None, None, bic.clone()),
            AccountDetails::Local { account_number, routing_code, country, bic } => {
                (None, Some(account_number.clone()), Some(routing_code.clone()), Some(country.clone()), bic.clone())
            }
        };
        let wire = PayloadWire {
            id: self.id.clone(),
            issuer: self.issuer.to_string(),
            recipient: self.recipient.to_string(),
            callback_key: self.callback_key.map(|k| k.to_base64()),
            issued_at: format_utc(self.issued_at),
            valid_from: format_utc(self.valid_from),
            valid_until: format_utc(self.valid_until),
            beneficiary_name: self.beneficiary_name.clone(),
            account: AccountWire { iban, account_number, routing_code, country, bic },
            currency: self.currency.code().into(),
            amount: self.amount.map(|m| m.decimal()),
            reference: self.reference.clone(),
            due_date: self.due_date.map(format_date),
        };
        serde_json::to_vec(&wire).expect("payload serialises")
    }
}

/// What a partner writes in `DETAILS.json` for `sign`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Details {
    /// Who is paid.
    pub beneficiary_name: String,
    /// IBAN (spaces and lower case allowed here).
    #[serde(default)]
    pub iban: Option<String>,
    /// Local account number (with `routing_code` and `country`).
    #[serde(default)]
    pub account_number: Option<String>,
    /// Local routing code.
    #[serde(default)]
    pub routing_code: Option<String>,
    /// Country of a local account.
    #[serde(default)]
    pub country: Option<String>,
    /// The bank's BIC.
    pub bic: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// Amount as a decimal string, e.g. "1250.00".
    #[serde(default)]
    pub amount: Option<String>,
    /// Amount as integer minor units (cents), instead of `amount`.
    #[serde(default)]
    pub amount_minor: Option<u64>,
    /// Reference, e.g. invoice numbers.
    #[serde(default)]
    pub reference: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// Start of validity (RFC 3339; default: now).
    #[serde(default)]
    pub valid_from: Option<String>,
    /// End of validity (RFC 3339; default: 30 days after `valid_from`).
    #[serde(default)]
    pub valid_until: Option<String>,
}

impl Details {
    /// Parses DETAILS.json.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PayloadError> {
        serde_json::from_slice(bytes).map_err(|e| PayloadError::Json(e.to_string()))
    }

    /// Builds the instruction these details describe, normalising what people type (spaces in
    /// an IBAN, lower case) into the canonical forms the format requires.
    pub fn to_instruction(
        &self,
        id: String,
        issuer: Fingerprint,
        recipient: Fingerprint,
        now: OffsetDateTime,
    ) -> Result<Instruction, PayloadError> {
        let issued_at = whole_seconds_utc(now);
        let lenient_time = |name: &'static str, text: &Option<String>| {
            text.as_deref()
                .map(|t| parse_rfc3339_lenient(t).ok_or_else(|| field(name, format!("{t:?} is not an RFC 3339 time"))))
                .transpose()
        };
        let valid_from = lenient_time("valid_from", &self.valid_from)?.unwrap_or(issued_at);
        let valid_until = match lenient_time("valid_until", &self.valid_until)? {
            Some(until) => until,
            None => valid_from
                .checked_add(DEFAULT_VALIDITY)
                .filter(|t| crate::encoding::in_years(t.year()))
                .ok_or_else(|| field("valid_until", "cannot default to 30 days after valid_from: that is after the year 9999"))?,
        };
        let bic = self.bic.trim().to_ascii_uppercase();
        let account = match (&self.iban, &self.account_number, &self.routing_code, &self.country) {
            (Some(iban), None, None, None) => AccountDetails::Iban {
                iban: Iban::parse(iban).map(|i| i.electronic().to_string()).map_err(|e: BankError| field("iban", e.to_string()))?,
                bic,
            },
            (None, Some(number), Some(routing), Some(country)) => AccountDetails::Local {
                account_number: number.split_whitespace().collect::<String>().to_ascii_uppercase(),
                routing_code: routing.split_whitespace().collect::<String>().to_ascii_uppercase(),
                country: country.trim().to_ascii_uppercase(),
                bic,
            },
            _ => return Err(field("iban", "give either `iban`, or `account_number` with `routing_code` and `country`")),
        };
        let currency_text = self.currency.trim().to_ascii_uppercase();
        let currency = Currency::parse(&currency_text).map_err(|e| field("currency", e.to_string()))?;
        let amount = match (&self.amount, self.amount_minor) {
            (Some(_), Some(_)) => return Err(field("amount", "give `amount` or `amount_minor`, not both")),
            (Some(text), None) => Some(Money::parse(text.trim(), currency).map_err(|e| field("amount", e.to_string()))?),
            (None, Some(minor)) => Some(Money::from_minor(minor, currency).map_err(|e| field("amount_minor", e.to_string()))?),
            (None, None) => None,
        };
        let due_date = self.due_date.as_deref().map(|d| parse_date("due_date", d.trim())).transpose()?;
        let instruction = Instruction {
            id,
            issuer,
            recipient,
            callback_key: None,
            issued_at,
            valid_from,
            valid_until,
            beneficiary_name: self.beneficiary_name.trim().to_string(),
            account,
            currency,
            amount,
            reference: self.reference.as_ref().map(|r| r.trim().to_string()),
            due_date,
        };
        // Whatever we would sign must parse back exactly as a verifier parses it.
        Instruction::parse(&instruction.to_payload_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fp(n: u8) -> Fingerprint {
        Fingerprint::of_public_key(&[n; 32])
    }

    fn details() -> Details {
        Details::from_json(
            br#"{"beneficiary_name":"Globex Corporation","iban":"de89 3704 0044 0532 0130 00","bic":"cobadeffxxx",
                 "currency":"eur","amount":"1250.5","reference":"INV-2026-114","due_date":"2026-12-01"}"#,
        )
        .unwrap()
    }

    fn now() -> OffsetDateTime {
        parse_utc("2026-11-23T09:00:00Z").unwrap()
    }

    #[test]
    fn details_build_a_canonical_payload_that_parses_back() {
        let instruction = details().to_instruction("id-1".into(), fp(1), fp(2), now()).unwrap();
        assert_eq!(instruction.account, AccountDetails::Iban { iban: "DE89370400440532013000".into(), bic: "COBADEFFXXX".into() });
        assert_eq!(instruction.amount.unwrap().decimal(), "1250.50");
        assert_eq!(instruction.valid_until - instruction.valid_from, DEFAULT_VALIDITY);
        let bytes = instruction.to_payload_bytes();
        assert_eq!(Instruction::parse(&bytes).unwrap(), instruction);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(r#"{"id":"id-1","issuer":""#), "{text}");
    }

    #[test]
    fn strict_payload_parsing() {
        let good = String::from_utf8(details().to_instruction("id-1".into(), fp(1), fp(2), now()).unwrap().to_payload_bytes()).unwrap();
        let cases = [
            good.replacen("{", r#"{"extra":1,"#, 1),
            good.replacen("{", r#"{"id":"dup","#, 1),
            good.replace(r#""reference":"INV-2026-114""#, r#""reference":null"#),
            good.replace("2026-11-23T09:00:00Z", "2026-11-23T09:00:00+00:00"),
            good.replace("\"EUR\"", "\"EURO\""),
            good.replace("1250.50", "1250.505"),
            good.replace("\"id-1\"", "\"id 1\""),
            good.replace("Globex Corporation", " Globex"),
            good.replace("Globex Corporation", "Globex\\u0000"),
            good.replace("Globex Corporation", "Globex\\u202eroC"),
        ];
        for case in cases {
            assert!(Instruction::parse(case.as_bytes()).is_err(), "accepted: {case}");
        }
        assert!(Instruction::parse(b"\xff").is_err());
        assert!(Instruction::parse(b"[]").is_err());
    }

    /// Regression (issue 16): year 0000 was accepted in `issued_at` and `due_date`, and a
    /// `valid_from` of year 0000 was reported as a window too long; each is now refused for what
    /// it is, by the field's name.
    /// Format §3.7: `callback_key` is required in a v2 payload and not a member of v1; it must be
    /// a usable X25519 key.
    #[test]
    fn callback_key_belongs_to_version_2_only() {
        let key = crate::format::callback_key::CallbackSecret::from_bytes(&[9; 32]).public_key();
        let mut instruction = details().to_instruction("id-1".into(), fp(1), fp(2), now()).unwrap();
        let v1 = instruction.to_payload_bytes();
        instruction.callback_key = Some(key);
        assert_eq!(instruction.version(), 2);
        let v2 = instruction.to_payload_bytes();
        assert_eq!(Instruction::parse_version(&v2, 2).unwrap(), instruction);
        assert!(String::from_utf8(v2.clone()).unwrap().contains(&format!(r#""recipient":"{}","callback_key":"#, fp(2))));
        assert!(Instruction::parse(&v2).is_err(), "v1 has no callback_key");
        assert!(Instruction::parse_version(&v1, 2).is_err(), "v2 requires it");
        let zero = String::from_utf8(v2).unwrap().replace(&key.to_base64(), &crate::encoding::b64_encode(&[0; 32]));
        assert!(matches!(Instruction::parse_version(zero.as_bytes(), 2), Err(PayloadError::Field { field: "callback_key", .. })));
    }

    #[test]
    fn year_0000_is_refused_in_every_time_and_date_field() {
        let good = String::from_utf8(details().to_instruction("id-1".into(), fp(1), fp(2), now()).unwrap().to_payload_bytes()).unwrap();
        let issued = good.replacen("\"issued_at\":\"2026-11-23T09:00:00Z\"", "\"issued_at\":\"0000-01-01T00:00:00Z\"", 1);
        let due = good.replace("\"due_date\":\"2026-12-01\"", "\"due_date\":\"0000-01-01\"");
        let from = good.replacen("\"valid_from\":\"2026-11-23T09:00:00Z\"", "\"valid_from\":\"0000-01-01T00:00:00Z\"", 1);
        for (case, name) in [(issued, "issued_at"), (due, "due_date"), (from, "valid_from")] {
            assert_ne!(case, good, "the replacement for {name} must apply");
            match Instruction::parse(case.as_bytes()) {
                Err(PayloadError::Field { field, problem: message }) => {
                    assert_eq!(field, name);
                    assert!(message.contains("0001 to 9999"), "{message}");
                }
                other => panic!("{name}: expected a field error, got {other:?}"),
            }
        }
    }

    /// Regression (issue 16): a `valid_from` in the last days of year 9999 with no `valid_until`
    /// defaulted to 30 days later and overflowed; `sign` now says why it cannot.
    #[test]
    fn a_default_window_past_year_9999_is_refused_not_a_panic() {
        let mut d = details();
        d.valid_from = Some("9999-12-25T00:00:00Z".into());
        let at = parse_utc("9999-12-24T00:00:00Z").unwrap();
        assert!(matches!(d.to_instruction("x".into(), fp(1), fp(2), at), Err(PayloadError::Field { field: "valid_until", .. })));
    }

    #[test]
    fn details_errors_name_the_field() {
        let mut d = details();
        d.iban = Some("DE00 0000".into());
        assert!(matches!(d.to_instruction("x".into(), fp(1), fp(2), now()), Err(PayloadError::Field { field: "iban", .. })));
        let mut d = details();
        d.amount_minor = Some(5);
        assert!(matches!(d.to_instruction("x".into(), fp(1), fp(2), now()), Err(PayloadError::Field { field: "amount", .. })));
        let mut d = details();
        d.valid_until = Some("2026-11-01T00:00:00Z".into());
        assert!(matches!(d.to_instruction("x".into(), fp(1), fp(2), now()), Err(PayloadError::Field { field: "valid_until", .. })));
    }

    /// The payload of [`details`] with `edit` applied to its JSON, parsed as version 1.
    fn parse_edited(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Instruction, PayloadError> {
        let bytes = details().to_instruction("id-1".into(), fp(1), fp(2), now()).unwrap().to_payload_bytes();
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        edit(&mut value);
        Instruction::parse(&serde_json::to_vec(&value).unwrap())
    }

    fn field_error(result: Result<Instruction, PayloadError>) -> (&'static str, String) {
        match result {
            Err(PayloadError::Field { field, problem }) => (field, problem),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn the_validity_window_is_ordered_and_at_most_400_days() {
        let window = |from: &str, until: &str, issued: &str| {
            let (from, until, issued) = (from.to_string(), until.to_string(), issued.to_string());
            parse_edited(move |v| {
                v["valid_from"] = from.into();
                v["valid_until"] = until.into();
                v["issued_at"] = issued.into();
            })
        };
        let longest = window("2026-01-01T00:00:00Z", "2027-02-05T00:00:00Z", "2027-02-05T00:00:00Z").unwrap();
        assert_eq!(longest.valid_until - longest.valid_from, MAX_VALIDITY);
        assert!(window("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2025-01-01T00:00:00Z").is_ok(), "an empty window is ordered");
        assert_eq!(
            field_error(window("2026-01-01T00:00:00Z", "2027-02-05T00:00:01Z", "2026-01-01T00:00:00Z")),
            ("valid_until", "the validity window may be at most 400 days".into())
        );
        assert_eq!(field_error(window("2026-01-02T00:00:00Z", "2026-01-01T23:59:59Z", "2026-01-01T00:00:00Z")).0, "valid_until");
        assert_eq!(
            field_error(window("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-02T00:00:01Z")),
            ("issued_at", "is after valid_until".into())
        );
    }

    #[test]
    fn ids_and_texts_have_their_limits_and_characters() {
        let id = |text: String| parse_edited(move |v| v["id"] = text.into());
        assert_eq!(id("a-b_c.D9".repeat(8)).unwrap().id.len(), MAX_ID_CHARS);
        for bad in ["x".repeat(65), String::new(), "a/b".into(), "é".into()] {
            assert_eq!(field_error(id(bad.clone())), ("id", "must be 1 to 64 letters, digits, '-', '_' or '.'".into()), "{bad:?}");
        }
        let name = |text: String| parse_edited(move |v| v["beneficiary_name"] = text.into());
        assert_eq!(name("N".repeat(140)).unwrap().beneficiary_name.len(), MAX_TEXT_CHARS);
        assert_eq!(field_error(name("N".repeat(141))), ("beneficiary_name", "must have 1 to 140 characters".into()));
        assert_eq!(field_error(name(String::new())), ("beneficiary_name", "must have 1 to 140 characters".into()));
        assert_eq!(field_error(name("Globex ".into())), ("beneficiary_name", "must not start or end with spaces".into()));
        for c in ['\u{200E}', '\u{200F}', '\u{061C}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{7}'] {
            let (field, problem) = field_error(name(format!("Glo{c}bex")));
            assert_eq!((field, problem.as_str()), ("beneficiary_name", "must not contain control or text-direction characters"), "{c:?}");
        }
        assert!(!is_bidi_control('\u{2065}') && !is_bidi_control('\u{202F}') && !is_bidi_control('\u{200D}'));
        let reference = |text: String| parse_edited(move |v| v["reference"] = text.into());
        assert_eq!(field_error(reference("r".repeat(141))).0, "reference");
        assert!(reference("r".repeat(140)).is_ok());
    }

    #[test]
    fn a_local_account_round_trips_and_an_account_is_one_shape_or_the_other() {
        let d = Details::from_json(
            br#"{"beneficiary_name":" Acme ","account_number":"1234 5678","routing_code":"021 000 021","country":" us",
                 "bic":" chasus33 ","currency":" usd ","amount_minor":9876543,"due_date":" 2026-12-01 "}"#,
        )
        .unwrap();
        let instruction = d.to_instruction("id-2".into(), fp(1), fp(2), now()).unwrap();
        let local = AccountDetails::Local {
            account_number: "12345678".into(),
            routing_code: "021000021".into(),
            country: "US".into(),
            bic: "CHASUS33".into(),
        };
        assert_eq!(instruction.account, local);
        assert_eq!((instruction.beneficiary_name.as_str(), instruction.currency.code()), ("Acme", "USD"));
        assert_eq!(instruction.amount.unwrap().decimal(), "98765.43");
        assert_eq!(instruction.due_date.map(format_date).as_deref(), Some("2026-12-01"));
        assert_eq!(instruction.version(), 1);
        let envelope = Envelope::sign(
            crate::format::envelope::FileKind::Instruction,
            &crate::format::keys::KeyPair::from_seed(&[1; 32]),
            instruction.to_payload_bytes(),
        );
        assert_eq!(Instruction::parse_signed(&envelope).unwrap(), instruction);
        let mixed = parse_edited(|v| v["account"]["country"] = "DE".into());
        assert_eq!(field_error(mixed).0, "account");
        let mut both = details();
        both.amount_minor = Some(125_050);
        assert_eq!(
            field_error(both.to_instruction("x".into(), fp(1), fp(2), now())),
            ("amount", "give `amount` or `amount_minor`, not both".into())
        );
        let mut neither = details();
        neither.iban = None;
        assert_eq!(field_error(neither.to_instruction("x".into(), fp(1), fp(2), now())).0, "iban");
    }

    #[test]
    fn dates_are_written_with_four_digit_years() {
        assert_eq!(format_date(time::macros::date!(0999 - 01 - 05)), "0999-01-05");
        assert_eq!(field_error(parse_edited(|v| v["due_date"] = "2026-1-5".into())).0, "due_date");
        assert_eq!(field_error(parse_edited(|v| v["currency"] = "XXY".into())).0, "currency");
        assert_eq!(field_error(parse_edited(|v| v["amount"] = "12.345".into())).0, "amount");
        assert_eq!(field_error(parse_edited(|v| v["issuer"] = "123".into())), ("issuer", "is not a fingerprint in canonical form".into()));
        assert_eq!(field_error(parse_edited(|v| v["recipient"] = "123".into())).0, "recipient");
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Instruction::parse(&bytes);
        }
    }
}
