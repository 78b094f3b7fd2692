//! Bank-ready exports of a released payment: an ISO 20022 pain.001.001.09 credit-transfer
//! initiation for the bank's upload and an EPC069-12 ("GiroCode", SCT) QR code for a banking app.
//!
//! Both are built from a [`CreditTransfer`] that the service assembles from the verified,
//! approved record and our organisation's account, never from an incoming file. The functions
//! are pure (no I/O, no clock): the creation time and execution date come in as fields.
//!
//! What they guarantee: every text field is checked against the limits of the format it goes
//! into (lengths in characters, identifiers' character set, characters XML or a QR line cannot
//! carry) and refused with an [`ExportError`] that says what to change; nothing is truncated or
//! transliterated. Free text is written in Unicode NFC, so that a name typed with combining
//! accents is counted and sent like the same name typed with precomposed letters. The
//! pain.001 output validates against the official XSD (tests/exports.rs runs xmllint on it).
//! docs/exports.md describes both formats field by field.

use time::{Date, OffsetDateTime, UtcOffset};
use unicode_normalization::UnicodeNormalization;

use crate::bank::{BankAccount, Bic, Iban, Money};
use crate::export::qr::QrError;

mod epc_qr;
#[cfg(test)]
mod known_transfers;
mod pain001;
pub mod qr;

pub use epc_qr::{epc_qr, epc_qr_payload, EPC_MAX_AMOUNT_MINOR, EPC_MAX_NAME_CHARS, EPC_MAX_PAYLOAD_BYTES, EPC_MAX_REMITTANCE_CHARS};
pub use pain001::{pain001_xml, PAIN001_NAMESPACE};

/// Longest message id and end-to-end id (ISO 20022 `Max35Text`).
pub const MAX_ID_CHARS: usize = 35;
/// Longest name or unstructured remittance in pain.001 (ISO 20022 `Max140Text`).
pub const MAX_TEXT_CHARS: usize = 140;
/// Longest party name in a SEPA credit transfer (EPC implementation guidelines usage rule).
pub const SEPA_MAX_NAME_CHARS: usize = 70;

/// Our organisation's account: the debtor, who pays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Debtor {
    /// The account holder's name; also the initiating party in pain.001.
    pub name: String,
    /// The account paid from.
    pub iban: Iban,
    /// Our bank (the debtor agent).
    pub bic: Bic,
}

/// One credit transfer, as approved for release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditTransfer {
    /// Unique per message sent to the bank; 1 to 35 of `A-Z a-z 0-9 - . / ? : ( ) , ' +`.
    pub message_id: String,
    /// When the message is made (written in UTC, whole seconds).
    pub created_at: OffsetDateTime,
    /// The requested execution date; not before `created_at`'s date (UTC).
    pub execution_date: Date,
    /// Who pays.
    pub debtor: Debtor,
    /// Travels with the payment to the creditor; same character set as `message_id`. The
    /// instruction id without hyphens fits.
    pub end_to_end_id: String,
    /// Who is paid; at most 140 characters (70 for a SEPA transfer, 70 for the EPC QR code).
    pub creditor_name: String,
    /// Where the money goes.
    pub creditor_account: BankAccount,
    /// How much, in the account's currency.
    pub amount: Money,
    /// Unstructured remittance information (invoice numbers), at most 140 characters.
    pub remittance: Option<String>,
}

impl CreditTransfer {
    /// Whether this is a SEPA credit transfer: in euro, from and to IBANs of countries in the
    /// SEPA schemes' geographical scope ([`is_sepa_country`]). pain.001 then carries service
    /// level `SEPA` and charge bearer `SLEV`; otherwise neither the service level nor the
    /// SEPA-only rules apply and charges are shared (`SHAR`).
    pub fn is_sepa(&self) -> bool {
        self.amount.currency().code() == "EUR"
            && is_sepa_country(self.debtor.iban.country())
            && matches!(&self.creditor_account, BankAccount::Iban { iban, .. } if is_sepa_country(iban.country()))
    }
}

/// IBAN country codes of the SEPA schemes' geographical scope (EPC409-09): the EU, the EEA,
/// Switzerland, the United Kingdom, Monaco, San Marino, Vatican City, Andorra and Gibraltar.
/// Territories that use another country's IBAN (Åland, the French overseas departments, the
/// Channel Islands, the Isle of Man) are covered by that country's code. Countries admitted
/// since 2023 whose banks are still joining (Albania, Montenegro, Moldova, North Macedonia,
/// Serbia) are left out on purpose: a euro payment there is exported as an ordinary
/// cross-border transfer, which a bank executes either way.
const SEPA_COUNTRIES: &[&str] = &[
    "AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GI", "GR", "HR", "HU", "IE", "IS", "IT", "LI",
    "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM", "VA",
];

/// Whether an IBAN country code belongs to the SEPA schemes' geographical scope.
pub fn is_sepa_country(code: &str) -> bool {
    SEPA_COUNTRIES.contains(&code)
}

/// Why an export could not be made. Every message names the field and what to change.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A required text field is empty.
    #[error("the {field} is empty: fill it in and export again")]
    Empty {
        /// Which field.
        field: &'static str,
    },
    /// A text field is longer than the format allows (counted in Unicode characters, NFC).
    #[error("the {field} has {chars} characters but {format} allows at most {max}: shorten it in the record and export again (nothing is cut off automatically)")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// The format whose rule it breaks.
        format: &'static str,
        /// Its length.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// A text field starts or ends with white space.
    #[error("the {field} starts or ends with a space: remove it and export again")]
    Untrimmed {
        /// Which field.
        field: &'static str,
    },
    /// A character the format cannot carry: control characters (line breaks, tabs),
    /// text-direction controls and Unicode non-characters.
    #[error("the {field} contains the character U+{code:04X}, which is not allowed in {format} (control, line-break and text-direction characters are refused): remove it and export again")]
    ForbiddenCharacter {
        /// Which field.
        field: &'static str,
        /// The format whose rule it breaks.
        format: &'static str,
        /// The character's code point.
        code: u32,
    },
    /// An identifier that is not 1 to 35 characters of the restricted set.
    #[error("the {field} {value:?} must be 1 to 35 of A-Z a-z 0-9 - . / ? : ( ) , ' + (no spaces, not starting or ending with '/', no '//'): use an id such as the instruction id without hyphens")]
    InvalidIdentifier {
        /// Which field.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// A local account number or routing code that does not fit pain.001.
    #[error("the {field} {value:?} must be 1 to {max} letters and digits: correct the partner's bank details")]
    InvalidAccountPart {
        /// Which field.
        field: &'static str,
        /// The value given.
        value: String,
        /// The longest allowed.
        max: usize,
    },
    /// The requested execution date is before the day the message is made.
    #[error(
        "the requested execution date {execution} is before the message's creation date {created} (UTC): choose that day or a later one"
    )]
    ExecutionDateInPast {
        /// The requested execution date.
        execution: Date,
        /// The creation date, in UTC.
        created: Date,
    },
    /// A date outside the years an XML Schema date can carry here (1000 to 9999).
    #[error("the {field} is in the year {year}: check the computer's clock and the date entered")]
    YearOutOfRange {
        /// Which date.
        field: &'static str,
        /// Its year.
        year: i32,
    },
    /// The EPC QR code is for euro only.
    #[error("the EPC QR code is for SEPA euro transfers and this transfer is in {currency}: use the pain.001 export instead")]
    EpcNotEuro {
        /// The transfer's currency.
        currency: &'static str,
    },
    /// The EPC QR code needs the creditor's IBAN.
    #[error("the EPC QR code is for SEPA euro transfers to an IBAN and this creditor has a local account number: use the pain.001 export instead")]
    EpcNotIban,
    /// The creditor's IBAN is from a country outside the SEPA schemes' scope.
    #[error("the EPC QR code is for SEPA euro transfers and the creditor's IBAN is from {country}, outside the SEPA area: use the pain.001 export instead")]
    EpcOutsideSepa {
        /// The IBAN's country code.
        country: String,
    },
    /// The amount is over the EPC QR code's maximum.
    #[error("the EPC QR code carries at most EUR 999999999.99 and this transfer is EUR {amount}: use the pain.001 export instead")]
    EpcAmountTooLarge {
        /// The amount, as a decimal.
        amount: String,
    },
    /// The payload is longer than the EPC QR code allows.
    #[error("the EPC QR payload would be {bytes} bytes but the standard allows at most 331: shorten the creditor name or the remittance text (letters outside ASCII take 2 to 4 bytes each)")]
    EpcPayloadTooLong {
        /// The payload's length in bytes (UTF-8).
        bytes: usize,
    },
    /// The QR code could not be made.
    #[error("could not make the QR code: {0}")]
    Qr(#[from] QrError),
}

/// Checks a free-text field for a format and returns it in NFC: not empty, no leading or
/// trailing white space, at most `max` characters, and only characters both XML 1.0 and a
/// line-based QR payload can carry.
pub(crate) fn checked_text(field: &'static str, format: &'static str, value: &str, max: usize) -> Result<String, ExportError> {
    let text: String = value.nfc().collect();
    if text.is_empty() {
        return Err(ExportError::Empty { field });
    }
    if text.trim() != text {
        return Err(ExportError::Untrimmed { field });
    }
    if let Some(c) = text.chars().find(|&c| is_forbidden_char(c)) {
        return Err(ExportError::ForbiddenCharacter { field, format, code: u32::from(c) });
    }
    let chars = text.chars().count();
    if chars > max {
        return Err(ExportError::TooLong { field, format, chars, max });
    }
    Ok(text)
}

/// Characters no export carries: control characters (C0, DEL, C1: XML 1.0 forbids most of C0,
/// and a line break would split an EPC QR field), Unicode line and paragraph separators,
/// text-direction controls ("Trojan Source") and non-characters (XML forbids U+FFFE, U+FFFF).
fn is_forbidden_char(c: char) -> bool {
    let code = u32::from(c);
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}')
        || crate::format::instruction::is_bidi_control(c)
        || (0xFDD0..=0xFDEF).contains(&code)
        || code & 0xFFFE == 0xFFFE
}

/// Checks a message or end-to-end id: 1 to 35 characters of the SEPA identifier set
/// (`A-Z a-z 0-9 - . / ? : ( ) , ' +`, no space), not starting or ending with `/`, no `//`.
pub(crate) fn check_identifier(field: &'static str, value: &str) -> Result<(), ExportError> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-./?:(),'+".contains(&b);
    let ok = !value.is_empty()
        && value.len() <= MAX_ID_CHARS
        && value.bytes().all(allowed)
        && !value.starts_with('/')
        && !value.ends_with('/')
        && !value.contains("//");
    if !ok {
        return Err(ExportError::InvalidIdentifier { field, value: value.to_string() });
    }
    Ok(())
}

/// Formats a date as `YYYY-MM-DD`, refusing years XML Schema dates would misread here.
pub(crate) fn iso_date(field: &'static str, date: Date) -> Result<String, ExportError> {
    let year = date.year();
    if !(1000..=9999).contains(&year) {
        return Err(ExportError::YearOutOfRange { field, year });
    }
    Ok(format!("{year:04}-{:02}-{:02}", u8::from(date.month()), date.day()))
}

/// Checks the creation time and the requested execution date; returns both as written.
pub(crate) fn checked_dates(t: &CreditTransfer) -> Result<(String, String), ExportError> {
    let created = t.created_at.to_offset(UtcOffset::UTC);
    iso_date("creation time", created.date())?;
    let execution = iso_date("requested execution date", t.execution_date)?;
    if t.execution_date < created.date() {
        return Err(ExportError::ExecutionDateInPast { execution: t.execution_date, created: created.date() });
    }
    Ok((crate::encoding::format_utc(created), execution))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn text_is_normalised_and_checked() {
        let f = "creditor name";
        assert_eq!(checked_text(f, "x", "Mu\u{308}ller", 140).unwrap(), "M\u{fc}ller");
        assert_eq!(checked_text(f, "x", "Çağrı Şahin İthalat", 19).unwrap(), "Çağrı Şahin İthalat");
        assert!(matches!(checked_text(f, "x", "", 140), Err(ExportError::Empty { .. })));
        assert!(matches!(checked_text(f, "x", " A", 140), Err(ExportError::Untrimmed { .. })));
        assert!(matches!(checked_text(f, "x", "A\u{a0}", 140), Err(ExportError::Untrimmed { .. })));
        assert!(matches!(checked_text(f, "x", &"é".repeat(71), 70), Err(ExportError::TooLong { chars: 71, max: 70, .. })));
        assert_eq!(checked_text(f, "x", &"e\u{301}".repeat(70), 70).unwrap().chars().count(), 70, "counted after NFC");
        for bad in [
            '\n',
            '\r',
            '\t',
            '\0',
            '\u{7f}',
            '\u{85}',
            '\u{2028}',
            '\u{202e}',
            '\u{2066}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{fdd0}',
            '\u{1fffe}',
        ] {
            let value = format!("A{bad}B");
            match checked_text(f, "x", &value, 140) {
                Err(ExportError::ForbiddenCharacter { code, .. }) => assert_eq!(code, u32::from(bad)),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(checked_text(f, "x", "A & B <C> \"D\" 'E' € 日本 😀", 140).is_ok());
    }

    #[test]
    fn identifiers() {
        for good in ["a", "MSG-2026-0001", "0f4c1e0e4b8b4f3a9d2e6b7c8a9d0e1f", "A/B", "x.y:z(1),'+?", &"9".repeat(35)] {
            assert!(check_identifier("message id", good).is_ok(), "{good:?}");
        }
        for bad in ["", "a b", "a_b", "/a", "a/", "a//b", "é", "a&b", &"9".repeat(36)] {
            assert!(matches!(check_identifier("message id", bad), Err(ExportError::InvalidIdentifier { .. })), "{bad:?}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(iso_date("d", date!(2026 - 01 - 05)).unwrap(), "2026-01-05");
        assert!(matches!(iso_date("d", date!(999 - 12 - 31)), Err(ExportError::YearOutOfRange { year: 999, .. })));
        assert!(matches!(iso_date("d", date!(-1 - 01 - 01)), Err(ExportError::YearOutOfRange { .. })));
    }

    #[test]
    fn sepa_countries() {
        for c in ["DE", "FR", "GB", "CH", "NO", "MC", "SM"] {
            assert!(is_sepa_country(c), "{c}");
        }
        for c in ["TR", "US", "BR", "RU", "AE", "de", ""] {
            assert!(!is_sepa_country(c), "{c}");
        }
        assert!(SEPA_COUNTRIES.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
    }
}
