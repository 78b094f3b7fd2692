//! ISO 20022 pain.001.001.09 (Customer Credit Transfer Initiation): one message, one payment
//! information block, one transaction. Written by hand, element by element in the schema's
//! order, so the output is byte-for-byte stable and needs no XML library; text is escaped and
//! checked against the schema's types before anything is written.

use std::fmt::Write as _;

use super::{check_identifier, checked_dates, checked_text, CreditTransfer, ExportError, MAX_TEXT_CHARS, SEPA_MAX_NAME_CHARS};
use crate::bank::BankAccount;

/// The pain.001.001.09 XML namespace (the official schema's target namespace).
pub const PAIN001_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

/// Longest account number in `CdtrAcct/Id/Othr/Id` (`Max34Text`).
const MAX_ACCOUNT_NUMBER_CHARS: usize = 34;
/// Longest routing code in `ClrSysMmbId/MmbId` (`Max35Text`).
const MAX_ROUTING_CODE_CHARS: usize = 35;

/// Clearing-system codes (ISO 20022 ExternalClearingSystemIdentification1Code) for the
/// routing codes of countries that use local account numbers. For other countries the member
/// id is sent without a clearing-system code, which the schema allows.
const CLEARING_SYSTEMS: &[(&str, &str)] = &[
    ("AU", "AUBSB"), // BSB number
    ("CA", "CACPA"), // Payments Canada routing number
    ("GB", "GBDSC"), // sort code
    ("IN", "INFSC"), // IFSC
    ("NZ", "NZNCC"), // New Zealand national clearing code
    ("US", "USABA"), // ABA routing number
];

/// Builds the pain.001.001.09 document for one credit transfer (UTF-8, with an XML
/// declaration, two-space indentation and a final newline).
///
/// A SEPA transfer ([`CreditTransfer::is_sepa`]) carries service level `SEPA`, charge bearer
/// `SLEV`, and party names of at most 70 characters; any other carries no service level,
/// charge bearer `SHAR`, and names of at most 140 characters. A local creditor account is
/// written as `Othr/Id` with its routing code as the creditor agent's clearing-system member id.
pub fn pain001_xml(t: &CreditTransfer) -> Result<String, ExportError> {
    let c = checked_fields(t)?;
    let mut x = Xml::default();
    x.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.raw_line(&format!("<Document xmlns=\"{PAIN001_NAMESPACE}\">"));
    x.depth = 1;
    x.open("CstmrCdtTrfInitn");
    write_group_header(&mut x, t, &c);
    write_payment_information(&mut x, t, &c);
    x.close("CstmrCdtTrfInitn");
    x.depth = 0;
    x.raw_line("</Document>");
    Ok(x.out)
}

/// The transfer's texts as written: checked against the schema's types, names within the format's limit.
struct Checked {
    created_at: String,
    execution_date: String,
    sepa: bool,
    debtor_name: String,
    creditor_name: String,
    remittance: Option<String>,
    amount: String,
    currency: &'static str,
}

/// Checks everything the document will carry before anything is written.
fn checked_fields(t: &CreditTransfer) -> Result<Checked, ExportError> {
    check_identifier("message id", &t.message_id)?;
    check_identifier("end-to-end id", &t.end_to_end_id)?;
    let (created_at, execution_date) = checked_dates(t)?;
    let sepa = t.is_sepa();
    let (name_format, name_max) = if sepa { ("a SEPA credit transfer", SEPA_MAX_NAME_CHARS) } else { ("pain.001", MAX_TEXT_CHARS) };
    let debtor_name = checked_text("debtor name", name_format, &t.debtor.name, name_max)?;
    let creditor_name = checked_text("creditor name", name_format, &t.creditor_name, name_max)?;
    let remittance = t.remittance.as_deref().map(|r| checked_text("remittance information", "pain.001", r, MAX_TEXT_CHARS)).transpose()?;
    if let BankAccount::Local { account_number, routing_code, .. } = &t.creditor_account {
        check_account_part("account number", account_number, MAX_ACCOUNT_NUMBER_CHARS)?;
        check_account_part("routing code", routing_code, MAX_ROUTING_CODE_CHARS)?;
    }
    let amount = t.amount.decimal();
    let currency = t.amount.currency().code();
    Ok(Checked { created_at, execution_date, sepa, debtor_name, creditor_name, remittance, amount, currency })
}

/// `GrpHdr`: the message id, creation time, one transaction, its sum, and the initiating party.
fn write_group_header(x: &mut Xml, t: &CreditTransfer, c: &Checked) {
    x.open("GrpHdr");
    x.leaf("MsgId", &t.message_id);
    x.leaf("CreDtTm", &c.created_at);
    x.leaf("NbOfTxs", "1");
    x.leaf("CtrlSum", &c.amount);
    x.open("InitgPty");
    x.leaf("Nm", &c.debtor_name);
    x.close("InitgPty");
    x.close("GrpHdr");
}

/// `PmtInf`: the payment information block, with the debtor's side and the one transaction.
fn write_payment_information(x: &mut Xml, t: &CreditTransfer, c: &Checked) {
    x.open("PmtInf");
    x.leaf("PmtInfId", &t.message_id);
    x.leaf("PmtMtd", "TRF");
    x.leaf("NbOfTxs", "1");
    x.leaf("CtrlSum", &c.amount);
    if c.sepa {
        x.open("PmtTpInf");
        x.open("SvcLvl");
        x.leaf("Cd", "SEPA");
        x.close("SvcLvl");
        x.close("PmtTpInf");
    }
    x.open("ReqdExctnDt");
    x.leaf("Dt", &c.execution_date);
    x.close("ReqdExctnDt");
    x.open("Dbtr");
    x.leaf("Nm", &c.debtor_name);
    x.close("Dbtr");
    x.open("DbtrAcct");
    x.open("Id");
    x.leaf("IBAN", t.debtor.iban.electronic());
    x.close("Id");
    x.close("DbtrAcct");
    x.open("DbtrAgt");
    x.open("FinInstnId");
    x.leaf("BICFI", t.debtor.bic.as_str());
    x.close("FinInstnId");
    x.close("DbtrAgt");
    x.leaf("ChrgBr", if c.sepa { "SLEV" } else { "SHAR" });
    write_transaction(x, t, c);
    x.close("PmtInf");
}

/// `CdtTrfTxInf`: the transaction's id, amount, creditor agent, creditor, account and remittance information.
fn write_transaction(x: &mut Xml, t: &CreditTransfer, c: &Checked) {
    x.open("CdtTrfTxInf");
    x.open("PmtId");
    x.leaf("EndToEndId", &t.end_to_end_id);
    x.close("PmtId");
    x.open("Amt");
    x.indent();
    let (currency, amount) = (c.currency, &c.amount);
    let _ = writeln!(x.out, "<InstdAmt Ccy=\"{currency}\">{amount}</InstdAmt>");
    x.close("Amt");
    write_creditor_agent(x, &t.creditor_account);
    x.open("Cdtr");
    x.leaf("Nm", &c.creditor_name);
    x.close("Cdtr");
    write_creditor_account(x, &t.creditor_account);
    if let Some(remittance) = &c.remittance {
        x.open("RmtInf");
        x.leaf("Ustrd", remittance);
        x.close("RmtInf");
    }
    x.close("CdtTrfTxInf");
}

/// `CdtrAgt`: the creditor's BIC and, for a local account, its routing code as clearing-system member id.
fn write_creditor_agent(x: &mut Xml, account: &BankAccount) {
    x.open("CdtrAgt");
    x.open("FinInstnId");
    x.leaf("BICFI", account.bic().as_str());
    if let BankAccount::Local { routing_code, country, .. } = account {
        x.open("ClrSysMmbId");
        if let Some((_, code)) = CLEARING_SYSTEMS.iter().find(|(c, _)| *c == country.as_str()) {
            x.open("ClrSysId");
            x.leaf("Cd", code);
            x.close("ClrSysId");
        }
        x.leaf("MmbId", routing_code);
        x.close("ClrSysMmbId");
    }
    x.close("FinInstnId");
    x.close("CdtrAgt");
}

/// `CdtrAcct`: the creditor's IBAN, or a local account number as `Othr/Id`.
fn write_creditor_account(x: &mut Xml, account: &BankAccount) {
    x.open("CdtrAcct");
    x.open("Id");
    match account {
        BankAccount::Iban { iban, .. } => x.leaf("IBAN", iban.electronic()),
        BankAccount::Local { account_number, .. } => {
            x.open("Othr");
            x.leaf("Id", account_number);
            x.close("Othr");
        }
    }
    x.close("Id");
    x.close("CdtrAcct");
}

/// A local account number or routing code: ASCII letters and digits only, as the bank formats
/// check them when they are parsed, and within the schema's length.
fn check_account_part(field: &'static str, value: &str, max: usize) -> Result<(), ExportError> {
    if value.is_empty() || value.len() > max || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ExportError::InvalidAccountPart { field, value: value.to_string(), max });
    }
    Ok(())
}

/// A tiny indenting XML writer: elements only, text escaped.
#[derive(Default)]
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn raw_line(&mut self, line: &str) {
        self.indent();
        self.out.push_str(line);
        self.out.push('\n');
    }

    fn open(&mut self, tag: &str) {
        self.raw_line(&format!("<{tag}>"));
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.raw_line(&format!("</{tag}>"));
    }

    fn leaf(&mut self, tag: &str, text: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}>{}</{tag}>", escape(text));
    }
}

/// Escapes text content: `&`, `<` and `>` (the last so that `]]>` can never appear).
/// Characters XML cannot carry at all were refused before, by `checked_text`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("A & B <C> ]]> \"q\" 'a' é"), "A &amp; B &lt;C&gt; ]]&gt; \"q\" 'a' é");
        assert_eq!(escape("&amp;"), "&amp;amp;", "already-escaped text is escaped again, never trusted");
    }

    #[test]
    fn account_parts() {
        assert!(check_account_part("account number", "123456789", 34).is_ok());
        assert!(check_account_part("account number", &"1".repeat(34), 34).is_ok());
        for bad in ["", "12 34", "12-34", "1234<", &"1".repeat(35)] {
            assert!(matches!(check_account_part("account number", bad, 34), Err(ExportError::InvalidAccountPart { .. })));
        }
    }

    #[test]
    fn clearing_systems_are_sorted_and_five_characters() {
        assert!(CLEARING_SYSTEMS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(CLEARING_SYSTEMS.iter().all(|(_, code)| code.len() == 5));
    }
}
