//! Known transfers through both exports, pinned in the core so that a change to either format is
//! caught by the core's own tests (and by mutation testing, which runs only those). The four
//! pain.001 documents are the snapshots of the root package's `tests/exports.rs`, which also
//! validates them against the official schema with xmllint; here they are compared byte for byte.

use time::macros::{date, datetime};

use super::*;
use crate::bank::{Country, Currency};
use crate::export::qr::Qr;

fn money(amount: &str, currency: &str) -> Money {
    Money::parse(amount, Currency::parse(currency).unwrap()).unwrap()
}

fn iban_account(iban: &str, bic: &str) -> BankAccount {
    BankAccount::Iban { iban: Iban::parse_electronic(iban).unwrap(), bic: Bic::parse(bic).unwrap() }
}

fn local_account(number: &str, routing: &str, country: &str, bic: &str) -> BankAccount {
    BankAccount::Local {
        account_number: number.into(),
        routing_code: routing.into(),
        country: Country::parse(country).unwrap(),
        bic: Bic::parse(bic).unwrap(),
    }
}

fn debtor() -> Debtor {
    Debtor {
        name: "Countersign Demo GmbH".into(),
        iban: Iban::parse_electronic("DE89370400440532013000").unwrap(),
        bic: Bic::parse("COBADEFFXXX").unwrap(),
    }
}

/// EUR from a German IBAN to a French one: SEPA; markup and accents in the texts.
fn sepa() -> CreditTransfer {
    CreditTransfer {
        message_id: "CS-20261123-0001".into(),
        created_at: datetime!(2026-11-23 09:30:15.75 +01:00),
        execution_date: date!(2026 - 11 - 24),
        debtor: debtor(),
        end_to_end_id: "0f4c1e0e4b8b4f3a9d2e6b7c8a9d0e1f".into(),
        creditor_name: "Müller & Söhne <Bâtiment> SARL".into(),
        creditor_account: iban_account("FR1420041010050500013M02606", "PSSTFRPPPAR"),
        amount: money("1250.5", "EUR"),
        remittance: Some("Facture 2026-117 & 118 <acompte> «été»".into()),
    }
}

fn usd_local() -> CreditTransfer {
    CreditTransfer {
        message_id: "CS-20261123-0002".into(),
        end_to_end_id: "7a1d2c3b4e5f60718293a4b5c6d7e8f9".into(),
        creditor_name: "Acme Supplies, Inc.".into(),
        creditor_account: local_account("123456789", "021000021", "US", "CHASUS33"),
        amount: money("98765.43", "USD"),
        remittance: Some("PO 4471".into()),
        ..sepa()
    }
}

fn jpy_local() -> CreditTransfer {
    CreditTransfer {
        message_id: "CS-20261123-0003".into(),
        end_to_end_id: "b2c3d4e5f60718293a4b5c6d7e8f9a0b".into(),
        creditor_name: "Yamada Shoji K.K. 山田商事株式会社".into(),
        creditor_account: local_account("1234567", "0005001", "JP", "BOTKJPJT"),
        amount: money("1250000", "JPY"),
        remittance: None,
        ..sepa()
    }
}

fn eur_to_turkey() -> CreditTransfer {
    CreditTransfer {
        message_id: "CS-20261123-0004".into(),
        end_to_end_id: "c3d4e5f60718293a4b5c6d7e8f9a0b1c".into(),
        creditor_name: "Çağrı Şahin İthalat ve Dış Ticaret Ltd. Şti.".into(),
        creditor_account: iban_account("TR330006100519786457841326", "ISBKTRISXXX"),
        amount: money("48000", "EUR"),
        remittance: Some("Fatura ĞÜŞİÖÇ ğüşıöç 2026/45".into()),
        ..sepa()
    }
}

fn gbp_iban() -> CreditTransfer {
    CreditTransfer {
        creditor_name: "O'Brien & Partners Ltd".into(),
        creditor_account: iban_account("GB82WEST12345698765432", "NWBKGB2L"),
        amount: money("3100.00", "GBP"),
        ..sepa()
    }
}

#[test]
fn the_known_documents_are_the_snapshots_byte_for_byte() {
    for (t, snapshot) in [
        (sepa(), include_str!("../../../../tests/snapshots/pain001-sepa-eur.xml")),
        (usd_local(), include_str!("../../../../tests/snapshots/pain001-usd-local-account.xml")),
        (jpy_local(), include_str!("../../../../tests/snapshots/pain001-jpy-local-account.xml")),
        (eur_to_turkey(), include_str!("../../../../tests/snapshots/pain001-eur-outside-sepa.xml")),
    ] {
        assert_eq!(pain001_xml(&t).unwrap(), snapshot, "{}", t.message_id);
    }
}

#[test]
fn sepa_is_euro_between_ibans_of_the_sepa_area() {
    assert!(sepa().is_sepa());
    assert!(!usd_local().is_sepa() && !eur_to_turkey().is_sepa() && !gbp_iban().is_sepa());
    let from_turkey =
        CreditTransfer { debtor: Debtor { iban: Iban::parse_electronic("TR330006100519786457841326").unwrap(), ..debtor() }, ..sepa() };
    assert!(!from_turkey.is_sepa(), "the debtor's IBAN counts too");
    assert!(!CreditTransfer { amount: money("100", "EUR"), ..usd_local() }.is_sepa(), "a local account is never SEPA");
    let xml = pain001_xml(&gbp_iban()).unwrap();
    assert!(!xml.contains("<PmtTpInf>") && xml.contains("<ChrgBr>SHAR</ChrgBr>"));
    assert!(xml.contains("<IBAN>GB82WEST12345698765432</IBAN>") && xml.contains("<Nm>O'Brien &amp; Partners Ltd</Nm>"));
}

#[test]
fn name_limits_depend_on_sepa() {
    assert!(pain001_xml(&CreditTransfer { creditor_name: "é".repeat(70), ..sepa() }).is_ok());
    let err = pain001_xml(&CreditTransfer { creditor_name: "é".repeat(71), ..sepa() }).unwrap_err();
    assert!(
        matches!(err, ExportError::TooLong { field: "creditor name", format: "a SEPA credit transfer", chars: 71, max: 70 }),
        "{err:?}"
    );
    let debtor_long = CreditTransfer { debtor: Debtor { name: "D".repeat(71), ..debtor() }, ..sepa() };
    assert!(matches!(pain001_xml(&debtor_long), Err(ExportError::TooLong { field: "debtor name", max: 70, .. })));
    assert!(pain001_xml(&CreditTransfer { creditor_name: "é".repeat(140), ..usd_local() }).is_ok());
    assert!(matches!(
        pain001_xml(&CreditTransfer { creditor_name: "é".repeat(141), ..usd_local() }),
        Err(ExportError::TooLong { field: "creditor name", format: "pain.001", chars: 141, max: 140 })
    ));
    assert!(matches!(
        pain001_xml(&CreditTransfer { remittance: Some("r".repeat(141)), ..sepa() }),
        Err(ExportError::TooLong { field: "remittance information", max: 140, .. })
    ));
}

#[test]
fn pain001_refuses_each_field_the_schema_cannot_carry() {
    let refused = |t: CreditTransfer| pain001_xml(&t).unwrap_err();
    assert!(matches!(
        refused(CreditTransfer { message_id: "CS 1".into(), ..sepa() }),
        ExportError::InvalidIdentifier { field: "message id", .. }
    ));
    assert!(matches!(
        refused(CreditTransfer { end_to_end_id: String::new(), ..sepa() }),
        ExportError::InvalidIdentifier { field: "end-to-end id", .. }
    ));
    assert!(matches!(
        refused(CreditTransfer { creditor_name: "Acme\nLtd".into(), ..sepa() }),
        ExportError::ForbiddenCharacter { field: "creditor name", .. }
    ));
    assert!(matches!(
        refused(CreditTransfer { remittance: Some(String::new()), ..sepa() }),
        ExportError::Empty { field: "remittance information" }
    ));
    let spaced = CreditTransfer { creditor_account: local_account("1234 5678", "021000021", "US", "CHASUS33"), ..usd_local() };
    assert!(matches!(refused(spaced), ExportError::InvalidAccountPart { field: "account number", max: 34, .. }));
    let hyphen = CreditTransfer { creditor_account: local_account("12345678", "02-10-00", "GB", "NWBKGB2L"), ..usd_local() };
    assert!(matches!(refused(hyphen), ExportError::InvalidAccountPart { field: "routing code", max: 35, .. }));
    let early = refused(CreditTransfer { execution_date: date!(2026 - 11 - 22), ..sepa() });
    assert!(
        matches!(early, ExportError::ExecutionDateInPast { execution, created } if execution == date!(2026 - 11 - 22) && created == date!(2026 - 11 - 23))
    );
    let ancient = refused(CreditTransfer { execution_date: date!(0999 - 12 - 31), ..sepa() });
    assert!(matches!(ancient, ExportError::YearOutOfRange { field: "requested execution date", year: 999 }), "{ancient:?}");
    let clock = refused(CreditTransfer { created_at: datetime!(0999-12-31 12:00 UTC), ..sepa() });
    assert!(matches!(clock, ExportError::YearOutOfRange { field: "creation time", year: 999 }), "{clock:?}");
    // The creation date is taken in UTC: 00:30 in Berlin on the 24th is still the 23rd in UTC,
    // and the same day is not in the past.
    let t = CreditTransfer { created_at: datetime!(2026-11-24 00:30 +01:00), execution_date: date!(2026 - 11 - 23), ..sepa() };
    assert!(pain001_xml(&t).unwrap().contains("<CreDtTm>2026-11-23T23:30:00Z</CreDtTm>\n"));
}

#[test]
fn epc_payload_of_a_known_transfer() {
    assert_eq!(
        epc_qr_payload(&sepa()).unwrap(),
        "BCD\n002\n1\nSCT\nPSSTFRPPPAR\nMüller & Söhne <Bâtiment> SARL\nFR1420041010050500013M02606\nEUR1250.50\n\n\nFacture 2026-117 & 118 <acompte> «été»"
    );
    let payload = epc_qr_payload(&CreditTransfer { remittance: None, amount: money("0.01", "EUR"), ..sepa() }).unwrap();
    assert_eq!(payload, "BCD\n002\n1\nSCT\nPSSTFRPPPAR\nMüller & Söhne <Bâtiment> SARL\nFR1420041010050500013M02606\nEUR0.01");
    let (width, _) = epc_qr(&sepa()).unwrap().modules();
    assert_eq!(width, Qr::new(&epc_qr_payload(&sepa()).unwrap()).unwrap().modules().0);
}

#[test]
fn epc_limits_on_both_sides() {
    assert!(epc_qr_payload(&CreditTransfer { creditor_name: "N".repeat(70), ..sepa() }).is_ok());
    assert!(matches!(
        epc_qr_payload(&CreditTransfer { creditor_name: "N".repeat(71), ..sepa() }),
        Err(ExportError::TooLong { field: "creditor name", chars: 71, max: 70, .. })
    ));
    assert!(epc_qr_payload(&CreditTransfer { remittance: Some("r".repeat(140)), ..sepa() }).is_ok());
    assert!(matches!(
        epc_qr_payload(&CreditTransfer { remittance: Some("r".repeat(141)), ..sepa() }),
        Err(ExportError::TooLong { field: "remittance information", chars: 141, max: 140, .. })
    ));
    assert!(epc_qr_payload(&CreditTransfer { amount: money("999999999.99", "EUR"), ..sepa() }).unwrap().contains("\nEUR999999999.99\n"));
    let e = epc_qr_payload(&CreditTransfer { amount: money("1000000000", "EUR"), ..sepa() }).unwrap_err();
    assert!(matches!(e, ExportError::EpcAmountTooLarge { ref amount } if amount == "1000000000.00"), "{e:?}");
    // The whole payload: 331 bytes at most.
    let fill = |n: usize| CreditTransfer { creditor_name: "ğ".repeat(70), remittance: Some("a".repeat(n)), ..sepa() };
    let room = EPC_MAX_PAYLOAD_BYTES - (epc_qr_payload(&fill(1)).unwrap().len() - 1);
    assert_eq!(epc_qr_payload(&fill(room)).unwrap().len(), EPC_MAX_PAYLOAD_BYTES);
    assert!(matches!(epc_qr_payload(&fill(room + 1)), Err(ExportError::EpcPayloadTooLong { bytes: 332 })));
}

#[test]
fn epc_refuses_what_is_not_a_sepa_euro_transfer() {
    assert!(matches!(epc_qr_payload(&usd_local()), Err(ExportError::EpcNotEuro { currency: "USD" })));
    assert!(matches!(epc_qr_payload(&gbp_iban()), Err(ExportError::EpcNotEuro { currency: "GBP" })));
    let local_eur = CreditTransfer { amount: money("100", "EUR"), ..usd_local() };
    assert!(matches!(epc_qr_payload(&local_eur), Err(ExportError::EpcNotIban)));
    assert!(matches!(epc_qr_payload(&eur_to_turkey()), Err(ExportError::EpcOutsideSepa { ref country }) if country == "TR"));
    assert!(matches!(epc_qr(&eur_to_turkey()), Err(ExportError::EpcOutsideSepa { .. })));
    let broken = CreditTransfer { remittance: Some("a\u{2028}b".into()), ..sepa() };
    assert!(matches!(epc_qr_payload(&broken), Err(ExportError::ForbiddenCharacter { field: "remittance information", .. })));
}
