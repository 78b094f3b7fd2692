//! Property tests of the payment-file reader (issue 18): any payment run the sample writer makes
//! (blocks, lines, names with accents and XML's special characters, amounts, references) reads
//! back line for line; a file cut short anywhere or with any byte changed is either read or
//! refused with a line inside the file, never a panic; and an approved copy keeping any subset
//! of the lines reads back with exactly those lines and their counts.

use countersign_core::screen::pain001::approved_copy;
use countersign_core::screen::read_payment_file;
use countersign_core::screen::sample::{SampleBlock, SampleFile, SampleLine};
use countersign_core::screen::Pain001Version;
use proptest::prelude::*;

/// Valid IBANs of several countries (checksums right), for creditors.
const IBANS: [&str; 4] = ["DE89370400440532013000", "FR7630006000011234567890189", "ES9121000418450200051332", "GB29NWBK60161331926819"];

fn line_strategy() -> impl Strategy<Value = SampleLine> {
    (
        "[A-Za-z0-9-]{1,35}",
        (1u64..10_000_000, 0u64..100),
        "[A-Za-zÀ-ÿ0-9 &<>'\".,()-]{1,60}",
        0..IBANS.len(),
        proptest::option::of("[A-Za-z0-9 /-]{1,100}"),
    )
        .prop_filter("a name is not only spaces", |(_, _, name, _, _)| !name.trim().is_empty())
        .prop_map(|(e2e, (units, cents), name, iban, remittance)| {
            let mut line = SampleLine::sepa(&e2e, &format!("{units}.{cents:02}"), name.trim(), IBANS[iban], "COBADEFFXXX");
            line.remittance = remittance.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
            line
        })
}

fn file_strategy() -> impl Strategy<Value = SampleFile> {
    let block = (proptest::option::of(any::<bool>()), proptest::collection::vec(line_strategy(), 1..5));
    (prop_oneof![Just(Pain001Version::V03), Just(Pain001Version::V09)], proptest::collection::vec(block, 1..4), any::<bool>()).prop_map(
        |(version, blocks, control_sums)| SampleFile {
            version,
            message_id: "ERP-RUN-PROPERTY".into(),
            debtor_name: "Initech GmbH".into(),
            control_sums,
            blocks: blocks
                .into_iter()
                .enumerate()
                .map(|(i, (batch_booking, lines))| SampleBlock {
                    id: format!("BLOCK-{i}"),
                    batch_booking,
                    execution_date: "2026-12-04".into(),
                    debtor_iban: "DE75512108001245126199".into(),
                    sepa: true,
                    lines,
                })
                .collect(),
        },
    )
}

fn line_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count() + 1
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_written_run_reads_back_line_for_line(sample in file_strategy()) {
        let xml = sample.xml();
        let file = read_payment_file(xml.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        let written: Vec<&SampleLine> = sample.blocks.iter().flat_map(|b| &b.lines).collect();
        prop_assert_eq!(file.lines.len(), written.len());
        prop_assert_eq!(file.blocks.len(), sample.blocks.len());
        for (read, (number, wrote)) in file.lines.iter().zip(written.iter().enumerate()) {
            prop_assert_eq!(read.number, number + 1);
            prop_assert_eq!(&read.end_to_end_id, &wrote.end_to_end_id);
            prop_assert_eq!(&read.creditor_name, &wrote.creditor_name);
            prop_assert_eq!(&read.amount, &wrote.amount);
            prop_assert_eq!(read.account.iban.as_deref(), Some(wrote.account.as_str()));
            prop_assert!(xml.as_bytes()[read.span.clone()].starts_with(b"<CdtTrfTxInf>"), "line {} spans its element", read.number);
        }
        for (read, wrote) in file.blocks.iter().zip(&sample.blocks) {
            prop_assert_eq!(read.batch_booking, wrote.batch_booking);
            prop_assert_eq!(read.count.clone(), Some(wrote.lines.len().to_string()));
        }
    }

    #[test]
    fn a_run_cut_short_anywhere_is_refused_with_a_line_inside_it(sample in file_strategy(), cut in any::<prop::sample::Index>()) {
        let xml = sample.xml();
        let end = xml.trim_end().len();
        let at = cut.index(end);
        let bytes = &xml.as_bytes()[..at];
        let refused = read_payment_file(bytes).expect_err("a run without its closing tags is not a document");
        prop_assert!(refused.line >= 1 && refused.line <= line_count(bytes), "line {} of {}", refused.line, line_count(bytes));
        prop_assert!(!refused.to_string().is_empty());
    }

    #[test]
    fn any_byte_changed_is_read_or_refused_never_a_panic(sample in file_strategy(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = sample.xml().into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        match read_payment_file(&bytes) {
            Ok(file) => prop_assert!(!file.lines.is_empty()),
            Err(refused) => prop_assert!(refused.line >= 1 && refused.line <= line_count(&bytes)),
        }
    }

    #[test]
    fn an_approved_copy_keeps_exactly_the_lines_chosen(sample in file_strategy(), keep in proptest::collection::vec(any::<bool>(), 20)) {
        let xml = sample.xml();
        let file = read_payment_file(xml.as_bytes()).expect("valid");
        let kept = |number: usize| keep[(number - 1) % keep.len()];
        let wanted: Vec<&str> = file.lines.iter().filter(|l| kept(l.number)).map(|l| l.end_to_end_id.as_str()).collect();
        match approved_copy(xml.as_bytes(), &file, &kept) {
            Ok(copy) => {
                let again = read_payment_file(&copy).map_err(|e| TestCaseError::fail(format!("the copy: {e}")))?;
                let ids: Vec<&str> = again.lines.iter().map(|l| l.end_to_end_id.as_str()).collect();
                prop_assert_eq!(&ids, &wanted);
                prop_assert_eq!(again.count.clone(), wanted.len().to_string());
                prop_assert!(again.blocks.iter().all(|b| b.count.as_deref() != Some("0")));
            }
            Err(_) => prop_assert!(wanted.is_empty(), "only a copy with no line may be refused"),
        }
    }
}
