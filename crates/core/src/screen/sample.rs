//! ERP-shaped pain.001 files for tests and benchmarks (feature `samples`): several payment
//! blocks, batch booking on or off, IBAN and other account schemes, postal addresses, structured
//! and unstructured remittance, written the way ERP payment runs write them. Not used by the
//! product itself.

use std::fmt::Write as _;

use super::Pain001Version;

/// One credit transfer to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleLine {
    /// `EndToEndId`.
    pub end_to_end_id: String,
    /// The amount as written (`1500.00`).
    pub amount: String,
    /// Its currency.
    pub currency: String,
    /// `Cdtr/Nm`.
    pub creditor_name: String,
    /// An IBAN, or a local account number when `routing` is set.
    pub account: String,
    /// `ClrSysMmbId` (clearing-system code, member id) for a local account.
    pub routing: Option<(String, String)>,
    /// `Othr/SchmeNm/Prtry`: the account is `Othr/Id` of this scheme (as with `routing`).
    pub other_scheme: Option<String>,
    /// The creditor agent's BIC.
    pub bic: Option<String>,
    /// `RmtInf/Ustrd`.
    pub remittance: Option<String>,
    /// `RmtInf/Strd/CdtrRefInf/Ref`.
    pub structured_reference: Option<String>,
}

impl SampleLine {
    /// A SEPA transfer of `amount` EUR to an IBAN.
    pub fn sepa(end_to_end_id: &str, amount: &str, creditor_name: &str, iban: &str, bic: &str) -> Self {
        SampleLine {
            end_to_end_id: end_to_end_id.into(),
            amount: amount.into(),
            currency: "EUR".into(),
            creditor_name: creditor_name.into(),
            account: iban.into(),
            routing: None,
            other_scheme: None,
            bic: Some(bic.into()),
            remittance: Some(format!("Invoice {end_to_end_id}")),
            structured_reference: None,
        }
    }
}

/// One payment-information block to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleBlock {
    /// `PmtInfId`.
    pub id: String,
    /// `BtchBookg`, when written.
    pub batch_booking: Option<bool>,
    /// `ReqdExctnDt`.
    pub execution_date: String,
    /// `DbtrAcct/Id/IBAN`.
    pub debtor_iban: String,
    /// Service level `SEPA` on the block.
    pub sepa: bool,
    /// The transfers.
    pub lines: Vec<SampleLine>,
}

/// A file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFile {
    /// Which version.
    pub version: Pain001Version,
    /// `MsgId`.
    pub message_id: String,
    /// The debtor's name.
    pub debtor_name: String,
    /// The blocks.
    pub blocks: Vec<SampleBlock>,
    /// Write `CtrlSum` in the header and the blocks.
    pub control_sums: bool,
}

impl SampleFile {
    /// A payment run as most ERPs write one: one SEPA block with batch booking, executed on the
    /// last day of 2099, from `debtor_iban`, with control sums.
    pub fn one_block(version: Pain001Version, message_id: &str, debtor_iban: &str, lines: Vec<SampleLine>) -> SampleFile {
        SampleFile {
            version,
            message_id: message_id.into(),
            debtor_name: "Initech GmbH".into(),
            control_sums: true,
            blocks: vec![SampleBlock {
                id: format!("{message_id}-1"),
                batch_booking: Some(true),
                execution_date: "2099-12-31".into(),
                debtor_iban: debtor_iban.into(),
                sepa: true,
                lines,
            }],
        }
    }

    /// The XML, with the header's and the blocks' counts and sums computed from the lines.
    pub fn xml(&self) -> String {
        let mut x = String::with_capacity(1024 + 900 * self.blocks.iter().map(|b| b.lines.len()).sum::<usize>());
        let all: Vec<&SampleLine> = self.blocks.iter().flat_map(|b| &b.lines).collect();
        let _ = write!(
            x,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"{}\">\n  <CstmrCdtTrfInitn>\n",
            self.version.namespace()
        );
        let _ =
            write!(x, "    <GrpHdr>\n      <MsgId>{}</MsgId>\n      <CreDtTm>2026-12-01T09:30:00</CreDtTm>\n", escape(&self.message_id));
        let _ = writeln!(x, "      <NbOfTxs>{}</NbOfTxs>", all.len());
        if self.control_sums {
            let _ = writeln!(x, "      <CtrlSum>{}</CtrlSum>", sum(&all));
        }
        let _ = write!(x, "      <InitgPty>\n        <Nm>{}</Nm>\n      </InitgPty>\n    </GrpHdr>\n", escape(&self.debtor_name));
        for block in &self.blocks {
            self.write_block(&mut x, block);
        }
        x.push_str("  </CstmrCdtTrfInitn>\n</Document>\n");
        x
    }

    fn write_block(&self, x: &mut String, b: &SampleBlock) {
        let lines: Vec<&SampleLine> = b.lines.iter().collect();
        let _ = write!(x, "    <PmtInf>\n      <PmtInfId>{}</PmtInfId>\n      <PmtMtd>TRF</PmtMtd>\n", escape(&b.id));
        if let Some(batch) = b.batch_booking {
            let _ = writeln!(x, "      <BtchBookg>{batch}</BtchBookg>");
        }
        let _ = writeln!(x, "      <NbOfTxs>{}</NbOfTxs>", lines.len());
        if self.control_sums {
            let _ = writeln!(x, "      <CtrlSum>{}</CtrlSum>", sum(&lines));
        }
        if b.sepa {
            x.push_str("      <PmtTpInf>\n        <SvcLvl>\n          <Cd>SEPA</Cd>\n        </SvcLvl>\n      </PmtTpInf>\n");
        }
        match self.version {
            Pain001Version::V03 => {
                let _ = writeln!(x, "      <ReqdExctnDt>{}</ReqdExctnDt>", b.execution_date);
            }
            Pain001Version::V09 => {
                let _ = writeln!(x, "      <ReqdExctnDt>\n        <Dt>{}</Dt>\n      </ReqdExctnDt>", b.execution_date);
            }
        }
        let bic = match self.version {
            Pain001Version::V03 => "BIC",
            Pain001Version::V09 => "BICFI",
        };
        let _ = write!(x, "      <Dbtr>\n        <Nm>{}</Nm>\n      </Dbtr>\n", escape(&self.debtor_name));
        let _ = write!(x, "      <DbtrAcct>\n        <Id>\n          <IBAN>{}</IBAN>\n        </Id>\n      </DbtrAcct>\n", b.debtor_iban);
        let _ = write!(
            x,
            "      <DbtrAgt>\n        <FinInstnId>\n          <{bic}>COBADEFFXXX</{bic}>\n        </FinInstnId>\n      </DbtrAgt>\n"
        );
        x.push_str("      <ChrgBr>SLEV</ChrgBr>\n");
        for line in &b.lines {
            write_line(x, line, bic);
        }
        x.push_str("    </PmtInf>\n");
    }
}

fn write_line(x: &mut String, l: &SampleLine, bic: &str) {
    let _ = write!(
        x,
        "      <CdtTrfTxInf>\n        <PmtId>\n          <EndToEndId>{}</EndToEndId>\n        </PmtId>\n",
        escape(&l.end_to_end_id)
    );
    let _ = write!(x, "        <Amt>\n          <InstdAmt Ccy=\"{}\">{}</InstdAmt>\n        </Amt>\n", l.currency, l.amount);
    let mut agent = String::new();
    if let Some((system, member)) = &l.routing {
        let _ = write!(agent, "<ClrSysMmbId><ClrSysId><Cd>{system}</Cd></ClrSysId><MmbId>{member}</MmbId></ClrSysMmbId>");
    }
    if let Some(b) = &l.bic {
        agent = format!("<{bic}>{b}</{bic}>{agent}");
    }
    if !agent.is_empty() {
        let _ = writeln!(x, "        <CdtrAgt><FinInstnId>{agent}</FinInstnId></CdtrAgt>");
    }
    let _ = write!(
        x,
        "        <Cdtr>\n          <Nm>{}</Nm>\n          <PstlAdr>\n            <Ctry>DE</Ctry>\n          </PstlAdr>\n        </Cdtr>\n",
        escape(&l.creditor_name)
    );
    match (&l.routing, &l.other_scheme) {
        (None, None) => {
            let _ = writeln!(
                x,
                "        <CdtrAcct>\n          <Id>\n            <IBAN>{}</IBAN>\n          </Id>\n        </CdtrAcct>",
                l.account
            );
        }
        (_, scheme) => {
            let scheme = scheme.as_ref().map_or(String::new(), |s| format!("<SchmeNm><Prtry>{}</Prtry></SchmeNm>", escape(s)));
            let othr = format!("<Othr><Id>{}</Id>{scheme}</Othr>", l.account);
            let _ = writeln!(x, "        <CdtrAcct>\n          <Id>{othr}</Id>\n        </CdtrAcct>");
        }
    }
    if l.remittance.is_some() || l.structured_reference.is_some() {
        x.push_str("        <RmtInf>\n");
        if let Some(r) = &l.remittance {
            let _ = writeln!(x, "          <Ustrd>{}</Ustrd>", escape(r));
        }
        if let Some(r) = &l.structured_reference {
            let _ = writeln!(
                x,
                "          <Strd>\n            <CdtrRefInf>\n              <Ref>{}</Ref>\n            </CdtrRefInf>\n          </Strd>",
                escape(r)
            );
        }
        x.push_str("        </RmtInf>\n");
    }
    x.push_str("      </CdtTrfTxInf>\n");
}

/// The amounts' sum with two decimals (the samples' amounts have at most two).
fn sum(lines: &[&SampleLine]) -> String {
    let total = lines.iter().fold(super::decimal::Decimal::ZERO, |s, l| {
        s.checked_add(super::decimal::Decimal::parse(&l.amount).expect("a sample's amount is a decimal")).expect("fits")
    });
    total.to_text(2)
}

/// Escapes text for an element.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
