//! How the CLI shows things: JSON views of the core's types (serialisation stays at the edge)
//! and short human-readable text.

use std::io::Write;

use serde_json::{json, Value};

use countersign_service::core::assess::findings::{Finding, Severity};
use countersign_service::core::bank::AccountDetails;
use countersign_service::core::encoding::format_utc;
use countersign_service::core::format::instruction::Instruction;
use countersign_service::core::format::verify::FileCheck;

/// Where output goes: one JSON document, or text for people.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json` was given.
    pub json: bool,
}

impl Output {
    /// Prints either the JSON document or the human text.
    pub fn emit(&self, document: Value, human: impl FnOnce() -> String) {
        if self.json {
            print_out(&format!("{}\n", serde_json::to_string_pretty(&document).expect("JSON serialises")));
        } else {
            let text = human();
            if !text.is_empty() {
                print_out(&format!("{}\n", text.trim_end()));
            }
        }
    }
}

/// Writes to standard output. A closed output (`countersign … | head -1`, `>&-`) is no error:
/// whatever the command did is done and logged, and its exit code still says how it went, so
/// the text is dropped rather than the process panicking halfway (issue 16).
pub fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes a line to standard error, dropping it when standard error is closed (as [`print_out`]).
pub fn print_err(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A finding as JSON.
pub fn finding_json(f: &Finding) -> Value {
    json!({ "code": f.code.as_str(), "severity": f.severity.as_str(), "message": f.message })
}

/// An instruction's payload as JSON.
pub fn instruction_json(i: &Instruction) -> Value {
    let account = match &i.account {
        AccountDetails::Iban { iban, bic } => json!({ "iban": iban, "bic": bic }),
        AccountDetails::Local { account_number, routing_code, country, bic } => {
            json!({ "account_number": account_number, "routing_code": routing_code, "country": country, "bic": bic })
        }
    };
    json!({
        "id": i.id,
        "issuer": i.issuer.to_string(),
        "recipient": i.recipient.to_string(),
        "issued_at": format_utc(i.issued_at),
        "valid_from": format_utc(i.valid_from),
        "valid_until": format_utc(i.valid_until),
        "beneficiary_name": i.beneficiary_name,
        "account": account,
        "currency": i.currency.code(),
        "amount": i.amount.map(|m| m.decimal()),
        "reference": i.reference,
        "due_date": i.due_date.map(|d| d.to_string()),
    })
}

/// The contract's object for one verified file (without workspace fields).
pub fn check_json(file: &str, check: &FileCheck) -> Value {
    json!({
        "file": file,
        "verdict": check.verdict().as_str(),
        "findings": check.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "confirmation_code": check.confirmation_code().map(|c| c.to_string()),
        "signer": check.claimed_signer.map(|f| f.to_string()),
        "instruction": check.verified.as_ref().map(|v| instruction_json(v.instruction())),
    })
}

/// A finding as a line of text.
pub fn finding_line(f: &Finding) -> String {
    let mark = match f.severity {
        Severity::Critical => "✗",
        Severity::Warning => "!",
        Severity::Info => "·",
    };
    format!("  {mark} {:<28} {}", f.code.as_str(), f.message)
}

/// The instruction's essentials as labelled lines.
pub fn instruction_lines(i: &Instruction) -> String {
    let account = match &i.account {
        AccountDetails::Iban { iban, bic } => {
            let shown = countersign_service::core::bank::Iban::parse_electronic(iban).map(|v| v.grouped()).unwrap_or_else(|_| iban.clone());
            format!("{shown} · {bic}")
        }
        AccountDetails::Local { account_number, routing_code, country, bic } => {
            format!("{account_number} · routing {routing_code} · {country} · {bic}")
        }
    };
    let mut out = format!("  payee         {}\n  account       {account}\n", i.beneficiary_name);
    let amount = i.amount.map(|m| m.to_string()).unwrap_or_else(|| format!("(no amount) {}", i.currency));
    match &i.reference {
        Some(r) => out += &format!("  amount        {amount} · ref {r}\n"),
        None => out += &format!("  amount        {amount}\n"),
    }
    out += &format!("  valid         {} to {}\n", format_utc(i.valid_from), format_utc(i.valid_until));
    out
}

/// The human text for one checked file; `signer_name` names the signer when known.
pub fn check_text(file: &str, check: &FileCheck, signer_name: Option<&str>) -> String {
    let mut out = format!("{:<9} {file}\n", check.verdict().as_str().to_uppercase());
    if let Some(v) = &check.verified {
        match signer_name {
            Some(name) => out += &format!("  signed by     {name} ({})\n", v.signer()),
            None => out += &format!("  signed by     {}\n", v.signer()),
        }
        out += &format!("  confirmation  {}\n", v.confirmation_code());
        out += &instruction_lines(v.instruction());
    }
    if check.findings.is_empty() {
        out += "  no findings\n";
    }
    for f in &check.findings {
        out += &finding_line(f);
        out.push('\n');
    }
    out
}

/// `--limit` and `--after`: one page of a list that grows (the contract's paging).
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct PageArgs {
    /// At most this many items (1 to 10000); the output says where the next page starts.
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// Continue after the item with this id (the `next` of the page before).
    #[arg(long, value_name = "ID")]
    pub after: Option<i64>,
}

impl PageArgs {
    /// The page asked for, checked (exit 2 otherwise).
    pub fn page(&self) -> Result<countersign_service::core::paging::Page, super::exit::CliError> {
        countersign_service::core::paging::Page::new(self.limit, self.after)
            .map_err(|message| super::exit::CliError::usage("invalid_argument", message))
    }

    /// Whether a page was asked for at all.
    pub fn given(&self) -> bool {
        self.limit.is_some() || self.after.is_some()
    }
}

/// The line after a page that another page follows.
pub fn more_line(next: Option<i64>) -> String {
    next.map_or(String::new(), |n| format!("More: --after {n}\n"))
}
