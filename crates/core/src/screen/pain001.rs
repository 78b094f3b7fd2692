//! The credit transfers of a pain.001.001.03 or .09 file, as the screening reads them: for each
//! `CdtTrfTxInf` the creditor, its account, agent, amount, references and remittance, with the
//! block (`PmtInf`) it is in and where it sits in the file's bytes, so that a copy without some
//! lines can be written that keeps every other byte ([`approved_copy`]). Reads events from
//! [`super::xml`] in the same pass as the schema check.

use std::ops::Range;

use super::decimal::{written_decimals, Decimal};
use super::xml::XmlEvent;
use super::Pain001Version;

/// A creditor account as the file names it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct FileAccount {
    /// `Id/IBAN`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    /// `Id/Othr/Id`, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_id: Option<String>,
    /// `Id/Othr/SchmeNm/Cd` or `Prtry`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_scheme: Option<String>,
}

/// One credit transfer (`CdtTrfTxInf`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreditLine {
    /// The position in the file, from 1, across blocks.
    pub number: usize,
    /// The index of its block in [`PaymentFile::blocks`].
    pub block: usize,
    /// `PmtId/InstrId`.
    pub instruction_id: Option<String>,
    /// `PmtId/EndToEndId`.
    pub end_to_end_id: String,
    /// `Amt/InstdAmt` (or `EqvtAmt/Amt`), as written.
    pub amount: String,
    /// Its `Ccy`.
    pub currency: String,
    /// `Cdtr/Nm` (empty when the file gives none).
    pub creditor_name: String,
    /// `CdtrAcct`.
    pub account: FileAccount,
    /// `CdtrAgt/FinInstnId/BIC` (.03) or `BICFI` (.09).
    pub bic: Option<String>,
    /// `CdtrAgt/FinInstnId/ClrSysMmbId/MmbId`: a routing code.
    pub routing_code: Option<String>,
    /// `CdtrAgt/FinInstnId/ClrSysMmbId/ClrSysId/Cd`.
    pub clearing_system: Option<String>,
    /// `CdtrAgt/FinInstnId/PstlAdr/Ctry`.
    pub agent_country: Option<String>,
    /// `PmtTpInf/SvcLvl/Cd` of the line, else of its block.
    pub service_level: Option<String>,
    /// `RmtInf/Ustrd` pieces joined by spaces, then `Strd/CdtrRefInf/Ref`s.
    pub remittance: String,
    /// The bytes of its `CdtTrfTxInf` element.
    pub span: Range<usize>,
}

/// A payment-information block (`PmtInf`): one debtor account, one execution date.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaymentBlock {
    /// `PmtInfId`.
    pub id: String,
    /// `BtchBookg`, when given.
    pub batch_booking: Option<bool>,
    /// `NbOfTxs`, when given, as written.
    pub count: Option<String>,
    /// `CtrlSum`, when given, as written.
    pub control_sum: Option<String>,
    /// `ReqdExctnDt` (.03) or `ReqdExctnDt/Dt` / the date of `ReqdExctnDt/DtTm` (.09).
    pub execution_date: String,
    /// `PmtTpInf/SvcLvl/Cd`: the default of its lines.
    pub service_level: Option<String>,
    /// `Dbtr/Nm`.
    pub debtor_name: String,
    /// `DbtrAcct`.
    pub debtor_account: FileAccount,
    /// The bytes of the `PmtInf` element.
    pub span: Range<usize>,
    /// The bytes of its `NbOfTxs` and `CtrlSum` elements, when given.
    pub count_span: Option<Range<usize>>,
    /// See `count_span`.
    pub control_sum_span: Option<Range<usize>>,
}

/// What the screening reads of a pain.001 file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFile {
    /// Which version it is.
    pub version: Pain001Version,
    /// `GrpHdr/MsgId`.
    pub message_id: String,
    /// `GrpHdr/CreDtTm`.
    pub created_at: String,
    /// `GrpHdr/NbOfTxs`, as written.
    pub count: String,
    /// `GrpHdr/CtrlSum`, when given.
    pub control_sum: Option<String>,
    /// The bytes of the header's `NbOfTxs` and `CtrlSum`.
    pub count_span: Range<usize>,
    /// See `count_span`.
    pub control_sum_span: Option<Range<usize>>,
    /// The payment-information blocks in order.
    pub blocks: Vec<PaymentBlock>,
    /// Every credit transfer in order.
    pub lines: Vec<CreditLine>,
}

/// Collects a [`PaymentFile`] from the events of a schema-valid document. It relies on the
/// schema check for structure (every required element there, in order) and only takes values.
#[derive(Debug)]
pub(super) struct Extractor {
    file: PaymentFile,
    /// The open elements' local names below `CstmrCdtTrfInitn`, joined by `/`.
    path: String,
    /// Where each open element's name starts in `path`, and where the element starts in the file.
    open: Vec<(usize, usize)>,
    text: String,
    block: PaymentBlock,
    line: CreditLine,
}

/// The part of every path above the content: `Document/CstmrCdtTrfInitn`.
const TOP_LEVELS: usize = 2;

impl Extractor {
    pub(super) fn new(version: Pain001Version) -> Self {
        let file = PaymentFile {
            version,
            message_id: String::new(),
            created_at: String::new(),
            count: String::new(),
            control_sum: None,
            count_span: 0..0,
            control_sum_span: None,
            blocks: vec![],
            lines: vec![],
        };
        Extractor {
            file,
            path: String::new(),
            open: vec![],
            text: String::new(),
            block: PaymentBlock::default(),
            line: CreditLine::default(),
        }
    }

    pub(super) fn event(&mut self, event: &XmlEvent<'_>) {
        match event {
            XmlEvent::Start(e) => {
                let at = self.path.len();
                if self.open.len() >= TOP_LEVELS {
                    if !self.path.is_empty() {
                        self.path.push('/');
                    }
                    self.path.push_str(e.name);
                }
                self.open.push((at, e.start));
                self.text.clear();
                if self.path == "PmtInf/CdtTrfTxInf/Amt/InstdAmt" || self.path == "PmtInf/CdtTrfTxInf/Amt/EqvtAmt/Amt" {
                    self.line.currency = e.attributes.iter().find(|a| a.name == "Ccy").map(|a| a.value.clone()).unwrap_or_default();
                }
            }
            XmlEvent::Text(t) => self.text.push_str(t),
            XmlEvent::End { end } => {
                let (at, start) = self.open.pop().unwrap_or((0, 0));
                self.take(start..*end);
                self.path.truncate(at);
                self.text.clear();
            }
        }
    }

    pub(super) fn finish(self) -> PaymentFile {
        self.file
    }

    /// Takes the value of the element closing now, whose bytes are `span`.
    fn take(&mut self, span: Range<usize>) {
        // The buffer goes back afterwards, so that its allocation serves the next element.
        let text = std::mem::take(&mut self.text);
        self.assign(&text, span);
        self.text = text;
    }

    // Long: one arm per element read, in the schema's order; splitting it would hide the mapping.
    fn assign(&mut self, text: &str, span: Range<usize>) {
        let path = self.path.as_str();
        let Some(rest) = path.strip_prefix("PmtInf/CdtTrfTxInf") else {
            match path {
                "GrpHdr/MsgId" => self.file.message_id = text.to_string(),
                "GrpHdr/CreDtTm" => self.file.created_at = text.to_string(),
                "GrpHdr/NbOfTxs" => (self.file.count, self.file.count_span) = (text.to_string(), span),
                "GrpHdr/CtrlSum" => (self.file.control_sum, self.file.control_sum_span) = (Some(text.to_string()), Some(span)),
                "PmtInf/PmtInfId" => self.block.id = text.to_string(),
                "PmtInf/BtchBookg" => self.block.batch_booking = Some(matches!(text.trim(), "true" | "1")),
                "PmtInf/NbOfTxs" => (self.block.count, self.block.count_span) = (Some(text.to_string()), Some(span)),
                "PmtInf/CtrlSum" => (self.block.control_sum, self.block.control_sum_span) = (Some(text.to_string()), Some(span)),
                "PmtInf/PmtTpInf/SvcLvl/Cd" => self.block.service_level = Some(text.to_string()),
                // In .09 the element holds `Dt` or `DtTm`, and only whitespace of its own.
                "PmtInf/ReqdExctnDt" if !text.trim().is_empty() => self.block.execution_date = text.trim().to_string(),
                "PmtInf/ReqdExctnDt/Dt" => self.block.execution_date = text.trim().to_string(),
                "PmtInf/ReqdExctnDt/DtTm" => self.block.execution_date = text.trim().chars().take(10).collect(),
                "PmtInf/Dbtr/Nm" => self.block.debtor_name = text.to_string(),
                "PmtInf/DbtrAcct/Id/IBAN" => self.block.debtor_account.iban = Some(text.to_string()),
                "PmtInf/DbtrAcct/Id/Othr/Id" => self.block.debtor_account.other_id = Some(text.to_string()),
                "PmtInf" => {
                    let mut block = std::mem::take(&mut self.block);
                    block.span = span;
                    self.file.blocks.push(block);
                }
                _ => {}
            }
            return;
        };
        let line = &mut self.line;
        match rest {
            "/PmtId/InstrId" => line.instruction_id = Some(text.to_string()),
            "/PmtId/EndToEndId" => line.end_to_end_id = text.to_string(),
            "/PmtTpInf/SvcLvl/Cd" => line.service_level = Some(text.to_string()),
            "/Amt/InstdAmt" | "/Amt/EqvtAmt/Amt" => line.amount = text.trim().to_string(),
            "/CdtrAgt/FinInstnId/BIC" | "/CdtrAgt/FinInstnId/BICFI" => line.bic = Some(text.to_string()),
            "/CdtrAgt/FinInstnId/ClrSysMmbId/MmbId" => line.routing_code = Some(text.to_string()),
            "/CdtrAgt/FinInstnId/ClrSysMmbId/ClrSysId/Cd" => line.clearing_system = Some(text.to_string()),
            "/CdtrAgt/FinInstnId/PstlAdr/Ctry" => line.agent_country = Some(text.to_string()),
            "/Cdtr/Nm" => line.creditor_name = text.to_string(),
            "/CdtrAcct/Id/IBAN" => line.account.iban = Some(text.to_string()),
            "/CdtrAcct/Id/Othr/Id" => line.account.other_id = Some(text.to_string()),
            "/CdtrAcct/Id/Othr/SchmeNm/Cd" | "/CdtrAcct/Id/Othr/SchmeNm/Prtry" => line.account.other_scheme = Some(text.to_string()),
            "/RmtInf/Ustrd" => append_remittance(&mut line.remittance, text),
            "/RmtInf/Strd/CdtrRefInf/Ref" => append_remittance(&mut line.remittance, text),
            "" => {
                let mut line = std::mem::take(&mut self.line);
                if line.service_level.is_none() {
                    line.service_level.clone_from(&self.block.service_level);
                }
                line.number = self.file.lines.len() + 1;
                line.block = self.file.blocks.len();
                line.span = span;
                self.file.lines.push(line);
            }
            _ => {}
        }
    }
}

fn append_remittance(remittance: &mut String, piece: &str) {
    let piece = piece.trim();
    if piece.is_empty() {
        return;
    }
    if !remittance.is_empty() {
        remittance.push(' ');
    }
    remittance.push_str(piece);
}

/// The file with only the lines `keep` says to keep (by [`CreditLine::number`]): the other
/// `CdtTrfTxInf` elements are cut out, a block left with none is cut out whole, and each
/// `NbOfTxs` and `CtrlSum` (of the header and of each block, where the file has one) is written
/// again for what is left. Every other byte stays as the ERP wrote it. Refused when no line is
/// kept or an amount of a kept line is not a decimal.
pub fn approved_copy(bytes: &[u8], file: &PaymentFile, keep: &dyn Fn(usize) -> bool) -> Result<Vec<u8>, String> {
    let mut edits: Vec<(Range<usize>, String)> = vec![];
    let mut total = Totals::default();
    for (index, block) in file.blocks.iter().enumerate() {
        let lines: Vec<&CreditLine> = file.lines.iter().filter(|l| l.block == index).collect();
        let kept: Vec<&CreditLine> = lines.iter().copied().filter(|l| keep(l.number)).collect();
        if kept.is_empty() {
            edits.push((with_leading_space(bytes, &block.span), String::new()));
            continue;
        }
        let sum = Totals::of(&kept)?;
        total.add(&sum)?;
        replace_content(bytes, block.count_span.as_ref(), sum.count.to_string(), &mut edits);
        replace_content(bytes, block.control_sum_span.as_ref(), sum.amount.to_text(sum.fraction), &mut edits);
        for line in lines.iter().filter(|l| !keep(l.number)) {
            edits.push((with_leading_space(bytes, &line.span), String::new()));
        }
    }
    if total.count == 0 {
        return Err("no line of the file can be kept: there is nothing left to pay".into());
    }
    replace_content(bytes, Some(&file.count_span), total.count.to_string(), &mut edits);
    replace_content(bytes, file.control_sum_span.as_ref(), total.amount.to_text(total.fraction), &mut edits);
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for (range, text) in edits {
        out.extend_from_slice(&bytes[at..range.start]);
        out.extend_from_slice(text.as_bytes());
        at = range.end;
    }
    out.extend_from_slice(&bytes[at..]);
    Ok(out)
}

/// How many lines and their amounts' sum.
#[derive(Default)]
struct Totals {
    count: usize,
    amount: Decimal,
    /// The most fraction digits an amount was written with: the sum is written with as many.
    fraction: u32,
}

impl Totals {
    fn of(lines: &[&CreditLine]) -> Result<Totals, String> {
        let mut totals = Totals::default();
        for line in lines {
            let amount = Decimal::parse(&line.amount)
                .ok_or_else(|| format!("line {}: the amount {:?} is not a decimal", line.number, line.amount))?;
            let fraction = written_decimals(&line.amount);
            totals.add(&Totals { count: 1, amount, fraction })?;
        }
        Ok(totals)
    }

    fn add(&mut self, other: &Totals) -> Result<(), String> {
        self.count += other.count;
        self.fraction = self.fraction.max(other.fraction);
        self.amount = self.amount.checked_add(other.amount).ok_or("the sum of the amounts is too large")?;
        Ok(())
    }
}

/// The element's bytes with the indentation before it, so that cutting it leaves no blank line.
fn with_leading_space(bytes: &[u8], span: &Range<usize>) -> Range<usize> {
    let mut start = span.start;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t' | b'\r' | b'\n') {
        start -= 1;
    }
    start..span.end
}

/// Replaces the text of a simple element (`<NbOfTxs>3</NbOfTxs>`), keeping its tags.
fn replace_content(bytes: &[u8], span: Option<&Range<usize>>, text: String, edits: &mut Vec<(Range<usize>, String)>) {
    let Some(span) = span else { return };
    let element = &bytes[span.clone()];
    let mut quote = None;
    let Some(open_end) = element.iter().position(|&b| {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            _ => {}
        }
        quote.is_none() && b == b'>'
    }) else {
        return;
    };
    if element[open_end - 1] == b'/' {
        return; // `<NbOfTxs/>` is not schema-valid; nothing to keep.
    }
    let Some(close_start) = element.iter().rposition(|&b| b == b'<') else { return };
    edits.push((span.start + open_end + 1..span.start + close_start, text));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::sample::{SampleBlock, SampleFile, SampleLine};
    use crate::screen::xml::{read_xml, XmlLimits};

    /// The extraction alone (the schema check is tested in its own module).
    fn extract(xml: &str, version: Pain001Version) -> PaymentFile {
        let mut extractor = Extractor::new(version);
        read_xml(xml.as_bytes(), &XmlLimits { max_bytes: 1 << 24, max_depth: 32 }, &mut |e| {
            extractor.event(&e);
            Ok(())
        })
        .unwrap();
        extractor.finish()
    }

    fn sample(version: Pain001Version) -> SampleFile {
        let globex = SampleLine::sepa("E2E-1", "1500.00", "Globex Corporation", "DE89370400440532013000", "COBADEFFXXX");
        let mut acme = SampleLine::sepa("E2E-2", "20.5", "Acme & Söhne GmbH", "FR1420041010050500013M02606", "BNPAFRPPXXX");
        acme.structured_reference = Some("RF18539007547034".into());
        let local = SampleLine {
            end_to_end_id: "E2E-3".into(),
            amount: "99.99".into(),
            currency: "USD".into(),
            creditor_name: "Initech Inc.".into(),
            account: "123456789".into(),
            routing: Some(("USABA".into(), "021000021".into())),
            other_scheme: None,
            bic: None,
            remittance: None,
            structured_reference: None,
        };
        SampleFile {
            version,
            message_id: "RUN-2026-12-01".into(),
            debtor_name: "Our Company".into(),
            control_sums: true,
            blocks: vec![
                SampleBlock {
                    id: "B1".into(),
                    batch_booking: Some(true),
                    execution_date: "2026-12-02".into(),
                    debtor_iban: "DE02120300000000202051".into(),
                    sepa: true,
                    lines: vec![globex, acme],
                },
                SampleBlock {
                    id: "B2".into(),
                    batch_booking: None,
                    execution_date: "2026-12-03".into(),
                    debtor_iban: "DE02120300000000202051".into(),
                    sepa: false,
                    lines: vec![local],
                },
            ],
        }
    }

    #[test]
    fn every_line_is_read_with_its_block_in_both_versions() {
        for version in Pain001Version::ALL {
            let xml = sample(version).xml();
            let file = extract(&xml, version);
            assert_eq!(
                (file.message_id.as_str(), file.count.as_str(), file.control_sum.as_deref()),
                ("RUN-2026-12-01", "3", Some("1620.49"))
            );
            assert_eq!(file.blocks.len(), 2);
            let b1 = &file.blocks[0];
            assert_eq!((b1.id.as_str(), b1.batch_booking, b1.execution_date.as_str()), ("B1", Some(true), "2026-12-02"));
            assert_eq!(b1.debtor_account.iban.as_deref(), Some("DE02120300000000202051"));
            assert_eq!(file.blocks[1].batch_booking, None);
            let [globex, acme, local] = &file.lines[..] else { panic!("three lines: {:?}", file.lines) };
            assert_eq!((globex.number, globex.block, globex.amount.as_str(), globex.currency.as_str()), (1, 0, "1500.00", "EUR"));
            assert_eq!(globex.service_level.as_deref(), Some("SEPA"), "the block's service level applies");
            assert_eq!(globex.bic.as_deref(), Some("COBADEFFXXX"));
            assert_eq!(acme.creditor_name, "Acme & Söhne GmbH");
            assert_eq!(acme.remittance, "Invoice E2E-2 RF18539007547034");
            assert_eq!((local.block, local.service_level.as_deref()), (1, None));
            assert_eq!(local.account.other_id.as_deref(), Some("123456789"));
            assert_eq!((local.routing_code.as_deref(), local.clearing_system.as_deref()), (Some("021000021"), Some("USABA")));
            assert!(xml[globex.span.clone()].starts_with("<CdtTrfTxInf>") && xml[globex.span.clone()].ends_with("</CdtTrfTxInf>"));
            assert_eq!(&xml[file.count_span.clone()], "<NbOfTxs>3</NbOfTxs>");
        }
    }

    #[test]
    fn the_approved_copy_cuts_lines_and_blocks_and_recounts() {
        let xml = sample(Pain001Version::V09).xml();
        let file = extract(&xml, Pain001Version::V09);
        let copy = String::from_utf8(approved_copy(xml.as_bytes(), &file, &|n| n == 1).unwrap()).unwrap();
        let again = extract(&copy, Pain001Version::V09);
        assert_eq!(again.lines.len(), 1);
        assert_eq!(again.lines[0].end_to_end_id, "E2E-1");
        assert_eq!((again.count.as_str(), again.control_sum.as_deref()), ("1", Some("1500.00")));
        assert_eq!(again.blocks.len(), 1, "block B2 lost its only line and went");
        assert_eq!((again.blocks[0].count.as_deref(), again.blocks[0].control_sum.as_deref()), (Some("1"), Some("1500.00")));
        assert!(!copy.contains("Acme") && !copy.contains("<PmtInfId>B2"), "{copy}");
        assert!(!copy.contains("\n\n"), "no blank lines are left behind:\n{copy}");
        let unchanged = approved_copy(xml.as_bytes(), &file, &|_| true).unwrap();
        let unchanged = String::from_utf8(unchanged).unwrap();
        assert_eq!(unchanged, xml, "keeping every line changes no byte");
        assert!(approved_copy(xml.as_bytes(), &file, &|_| false).unwrap_err().contains("nothing left to pay"));
    }
}
