//! ERP-shaped payment files through the whole screening in the core (issue 18): read against the
//! official schema, judged line by line, and the approved copy read back (and so schema-checked
//! again). Several payment blocks with batch booking on, off and absent; a non-SEPA block in USD
//! to a local account with its clearing code, and one to an account of another scheme; names
//! with accents and legal forms; and a held line in every position of a file, each time cut
//! from the approved copy with the counts and sums right.

use std::collections::BTreeMap;

use countersign_core::assess::history::EarlierAmounts;
use countersign_core::cases::policy::Policy;
use countersign_core::registry::AccountStatus;
use countersign_core::screen::pain001::approved_copy;
use countersign_core::screen::read_payment_file;
use countersign_core::screen::rules::{screen, LineVerdict, PartnerAccount, PartnerFacts, PartnerRef, ScreenFacts, ScreenReason};
use countersign_core::screen::sample::{SampleBlock, SampleFile, SampleLine};
use countersign_core::screen::Pain001Version;
use time::macros::datetime;

const OURS: &str = "DE75512108001245126199";
const SOCIETE: &str = "FR7630006000011234567890189";
const MULLER: &str = "DE89370400440532013000";
/// A US account as `local:US:ROUTING:NUMBER`.
const INITECH_ROUTING: &str = "021000021";
const INITECH_NUMBER: &str = "123456789";

fn partner(id: i64, name: &str, key: &str, currency: &str) -> PartnerFacts {
    PartnerFacts {
        partner: PartnerRef { id, name: name.into() },
        has_active_key: true,
        accounts: vec![PartnerAccount { key: key.into(), status: AccountStatus::Current, signed: true, changed_at: None }],
        amounts: BTreeMap::from([(currency.to_string(), EarlierAmounts::of(&[50_000, 90_000, 70_000]))]),
        freezes: vec![],
    }
}

fn facts() -> ScreenFacts {
    ScreenFacts {
        partners: vec![
            partner(1, "Société Générale Équipements", &format!("iban:{SOCIETE}"), "EUR"),
            partner(2, "Müller & Söhne", &format!("iban:{MULLER}"), "EUR"),
            partner(3, "Initech Inc", &format!("local:US:{INITECH_ROUTING}:{INITECH_NUMBER}"), "USD"),
        ],
        marks: BTreeMap::new(),
        our_accounts: vec![format!("iban:{OURS}")],
        policy: Policy::default(),
        now: datetime!(2026-12-03 12:00 UTC),
    }
}

fn eur(e2e: &str, amount: &str, name: &str, iban: &str) -> SampleLine {
    SampleLine::sepa(e2e, amount, name, iban, "BNPAFRPPXXX")
}

fn usd(e2e: &str, amount: &str) -> SampleLine {
    SampleLine {
        end_to_end_id: e2e.into(),
        amount: amount.into(),
        currency: "USD".into(),
        creditor_name: "INITECH, INC.".into(),
        account: INITECH_NUMBER.into(),
        routing: Some(("USABA".into(), INITECH_ROUTING.into())),
        other_scheme: None,
        bic: None,
        remittance: None,
        structured_reference: Some(format!("PO-{e2e}")),
    }
}

fn block(id: &str, batch_booking: Option<bool>, sepa: bool, lines: Vec<SampleLine>) -> SampleBlock {
    SampleBlock { id: id.into(), batch_booking, execution_date: "2026-12-04".into(), debtor_iban: OURS.into(), sepa, lines }
}

fn erp_file(version: Pain001Version) -> SampleFile {
    SampleFile {
        version,
        message_id: "SAP-F110-20261203-0001".into(),
        debtor_name: "Initech GmbH".into(),
        control_sums: true,
        blocks: vec![
            block(
                "EUR-BATCH",
                Some(true),
                true,
                vec![
                    eur("A1", "450.00", "SOCIETE GENERALE EQUIPEMENTS SA", SOCIETE),
                    eur("A2", "880.10", "Müller und Söhne GmbH & Co. KG", MULLER),
                ],
            ),
            block("EUR-SINGLE", Some(false), true, vec![eur("B1", "12.00", "Muller & Sohne", MULLER)]),
            block("USD", None, false, vec![usd("C1", "640.00"), usd("C2", "99.95")]),
        ],
    }
}

#[test]
fn several_blocks_schemes_accents_and_legal_forms_are_read_and_judged() {
    for version in Pain001Version::ALL {
        let xml = erp_file(version).xml();
        let file = read_payment_file(xml.as_bytes()).unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(file.blocks.iter().map(|b| b.batch_booking).collect::<Vec<_>>(), [Some(true), Some(false), None]);
        let report = screen(&file, &facts());
        let seen: Vec<(usize, LineVerdict, Option<i64>)> =
            report.lines.iter().map(|l| (l.number, l.verdict, l.partner.as_ref().map(|p| p.id))).collect();
        assert_eq!(
            seen,
            [
                (1, LineVerdict::Ok, Some(1)),
                (2, LineVerdict::Ok, Some(2)),
                (3, LineVerdict::Ok, Some(2)),
                (4, LineVerdict::Ok, Some(3)),
                (5, LineVerdict::Ok, Some(3))
            ],
            "{version:?}: {:#?}",
            report.lines
        );
        assert_eq!(report.lines[3].account_key, format!("local:US:{INITECH_ROUTING}:{INITECH_NUMBER}"));
        assert!(report.file_findings.is_empty(), "{:?}", report.file_findings);
        assert_eq!(report.verdict, LineVerdict::Ok);
    }
}

#[test]
fn another_account_scheme_is_judged_by_name_and_held() {
    let mut file = erp_file(Pain001Version::V09);
    let mut other = usd("D1", "10.00");
    other.routing = None;
    other.other_scheme = Some("VENDOR-LEDGER".into());
    other.creditor_name = "Initech Inc".into();
    file.blocks[2].lines.push(other);
    let report = screen(&read_payment_file(file.xml().as_bytes()).unwrap(), &facts());
    let last = report.lines.last().unwrap();
    assert_eq!(last.account_key, format!("other:VENDOR-LEDGER:{INITECH_NUMBER}"));
    assert_eq!(last.account, format!("{INITECH_NUMBER} (VENDOR-LEDGER)"));
    assert_eq!((last.verdict, last.reasons[0].code), (LineVerdict::Hold, ScreenReason::AccountNotOnFile));
}

#[test]
fn a_held_line_in_every_position_is_the_only_one_cut_from_the_approved_copy() {
    let base = erp_file(Pain001Version::V03);
    let positions: Vec<(usize, usize)> =
        base.blocks.iter().enumerate().flat_map(|(b, block)| (0..block.lines.len()).map(move |l| (b, l))).collect();
    for (n, &(b, l)) in positions.iter().enumerate() {
        let mut file = base.clone();
        let line = &mut file.blocks[b].lines[l];
        line.creditor_name = "Hooli Ltd".into();
        line.account = if line.routing.is_some() { "999999999".into() } else { "GB29NWBK60161331926819".into() };
        let xml = file.xml();
        let read = read_payment_file(xml.as_bytes()).unwrap();
        let report = screen(&read, &facts());
        let held: Vec<usize> = report.lines.iter().filter(|l| l.verdict != LineVerdict::Ok).map(|l| l.number).collect();
        assert_eq!(held, [n + 1], "the stranger at position {}", n + 1);
        let copy = approved_copy(xml.as_bytes(), &read, &|number| number != n + 1).unwrap();
        let again = read_payment_file(&copy).unwrap_or_else(|e| panic!("the copy without line {} is not schema-valid: {e}", n + 1));
        assert_eq!(again.lines.len(), positions.len() - 1);
        assert!(screen(&again, &facts()).file_findings.is_empty(), "counts and sums recomputed (without line {})", n + 1);
        let blocks_left = if base.blocks[b].lines.len() == 1 { base.blocks.len() - 1 } else { base.blocks.len() };
        assert_eq!(again.blocks.len(), blocks_left, "a block left empty is cut whole");
    }
}
