//! The EPC QR code (EPC069-12, "Quick Response Code: guidelines to enable data capture for the
//! initiation of a SEPA credit transfer", version 002, often called GiroCode): a few lines of
//! text that a banking app reads to fill in a SEPA euro transfer. Only for euro to an IBAN in
//! the SEPA area; the QR code itself uses error correction M, as the guidelines require.

use super::{checked_text, is_sepa_country, CreditTransfer, ExportError};
use crate::bank::BankAccount;
use crate::export::qr::Qr;

/// Longest beneficiary name (characters).
pub const EPC_MAX_NAME_CHARS: usize = 70;
/// Longest unstructured remittance information (characters).
pub const EPC_MAX_REMITTANCE_CHARS: usize = 140;
/// Longest payload, all lines and separators, in bytes (UTF-8).
pub const EPC_MAX_PAYLOAD_BYTES: usize = 331;
/// Largest amount, in euro cents: EUR 999999999.99.
pub const EPC_MAX_AMOUNT_MINOR: u64 = 999_999_999_99;

const FORMAT: &str = "the EPC QR code";

/// The EPC QR payload, version 002, character set 1 (UTF-8), lines separated by LF:
///
/// ```text
/// BCD / 002 / 1 / SCT / BIC / creditor name / IBAN / EUR<amount> / purpose (empty) /
/// structured reference (empty) / unstructured remittance
/// ```
///
/// The BIC is included although version 002 makes it optional in the EEA. Nothing follows the
/// last populated line: without remittance information the payload ends with the amount.
pub fn epc_qr_payload(t: &CreditTransfer) -> Result<String, ExportError> {
    let currency = t.amount.currency().code();
    if currency != "EUR" {
        return Err(ExportError::EpcNotEuro { currency });
    }
    let BankAccount::Iban { iban, bic } = &t.creditor_account else {
        return Err(ExportError::EpcNotIban);
    };
    if !is_sepa_country(iban.country()) {
        return Err(ExportError::EpcOutsideSepa { country: iban.country().to_string() });
    }
    if t.amount.minor_units() > EPC_MAX_AMOUNT_MINOR {
        return Err(ExportError::EpcAmountTooLarge { amount: t.amount.decimal() });
    }
    let name = checked_text("creditor name", FORMAT, &t.creditor_name, EPC_MAX_NAME_CHARS)?;
    let remittance =
        t.remittance.as_deref().map(|r| checked_text("remittance information", FORMAT, r, EPC_MAX_REMITTANCE_CHARS)).transpose()?;

    let mut lines = vec![
        "BCD".to_string(),
        "002".to_string(),
        "1".to_string(),
        "SCT".to_string(),
        bic.as_str().to_string(),
        name,
        iban.electronic().to_string(),
        format!("EUR{}", t.amount.decimal()),
    ];
    if let Some(remittance) = remittance {
        // Purpose and structured reference stay empty; the two are never both used anyway.
        lines.extend([String::new(), String::new(), remittance]);
    }
    let payload = lines.join("\n");
    if payload.len() > EPC_MAX_PAYLOAD_BYTES {
        return Err(ExportError::EpcPayloadTooLong { bytes: payload.len() });
    }
    Ok(payload)
}

/// The EPC QR code for a transfer, ready to render as SVG, PNG or terminal text (error
/// correction M).
pub fn epc_qr(t: &CreditTransfer) -> Result<Qr, ExportError> {
    Ok(Qr::new(&epc_qr_payload(t)?)?)
}
