//! The bank-ready exports, checked from the outside.
//!
//! - pain.001.001.09: every generated document is validated against the official ISO 20022
//!   schema (tests/data/pain.001.001.09.xsd, an unmodified copy) with
//!   `xmllint --noout --schema`; names are read back with XPath to show that escaping kept them
//!   exactly; the documents are compared byte for byte with tests/snapshots/*.xml.
//! - EPC QR (EPC069-12 version 002): the exact payload of a known transfer, every limit on both
//!   sides of its boundary, and the refusals.
//!
//! xmllint comes from the Debian package libxml2-utils. Without it the schema tests fail (they
//! never skip). After a deliberate change to the XML, regenerate the snapshots with
//! `COUNTERSIGN_UPDATE_SNAPSHOTS=1 cargo test --test exports` and review the diff.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use countersign_core::bank::{BankAccount, Bic, Country, Currency, Iban, Money};
use countersign_core::export::{epc_qr, epc_qr_payload, pain001_xml, CreditTransfer, Debtor, ExportError, EPC_MAX_PAYLOAD_BYTES};
use time::macros::{date, datetime};

// ---------------------------------------------------------------------------------------------
// Fixtures

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

/// Our organisation: a German account.
fn debtor() -> Debtor {
    Debtor {
        name: "Countersign Demo GmbH".into(),
        iban: Iban::parse_electronic("DE89370400440532013000").unwrap(),
        bic: Bic::parse("COBADEFFXXX").unwrap(),
    }
}

/// EUR from a German IBAN to a French IBAN: a SEPA credit transfer, with markup characters and
/// accents in the names and the remittance.
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

/// USD to a local US account with an ABA routing number.
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

/// JPY (no minor digits) to a local Japanese account (no clearing-system code known).
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

/// EUR to a Turkish IBAN: euro, but outside SEPA; Turkish letters in the name.
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

/// GBP to a British IBAN: an IBAN, but not euro.
fn gbp_iban() -> CreditTransfer {
    CreditTransfer {
        message_id: "CS-20261123-0005".into(),
        end_to_end_id: "d4e5f60718293a4b5c6d7e8f9a0b1c2d".into(),
        creditor_name: "O'Brien & Partners Ltd".into(),
        creditor_account: iban_account("GB82WEST12345698765432", "NWBKGB2L"),
        amount: money("3100.00", "GBP"),
        remittance: Some("INV-0042".into()),
        ..sepa()
    }
}

/// KWD (three minor digits) to a local account.
fn kwd_local() -> CreditTransfer {
    CreditTransfer {
        message_id: "CS-20261123-0006".into(),
        end_to_end_id: "e5f60718293a4b5c6d7e8f9a0b1c2d3e".into(),
        creditor_name: "Gulf Trading Co.".into(),
        creditor_account: local_account("0012345678", "NBOK", "KW", "NBOKKWKW"),
        amount: money("1.5", "KWD"),
        remittance: None,
        ..sepa()
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers: xmllint and snapshots

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> PathBuf {
    manifest_dir().join("tests/data/pain.001.001.09.xsd")
}

/// Runs xmllint; fails the test (never skips it) when xmllint is not installed.
fn xmllint(args: &[&str], file: &Path) -> std::process::Output {
    match Command::new("xmllint").args(args).arg(file).output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "xmllint is not installed, so the pain.001 exports cannot be validated against the ISO 20022 schema: \
             install the package libxml2-utils (`apt-get install -y libxml2-utils`) and run the tests again"
        ),
        Err(e) => panic!("could not run xmllint: {e}"),
    }
}

/// Writes the document to a temporary file and returns the file (kept alive by the directory).
fn write_temp(name: &str, xml: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, xml).unwrap();
    (dir, path)
}

/// Validates a document against the official schema; panics with xmllint's report otherwise.
fn assert_schema_valid(name: &str, xml: &str) {
    let (_dir, path) = write_temp(name, xml);
    let schema = schema();
    let out = xmllint(&["--noout", "--schema", schema.to_str().unwrap()], &path);
    assert!(
        out.status.success(),
        "{name} does not validate against pain.001.001.09.xsd (xmllint exit {:?}):\n{}\n--- document ---\n{xml}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The string value of an element, by its path of local names (namespace-independent).
fn xpath_text(xml: &str, path: &[&str]) -> String {
    let (_dir, file) = write_temp("doc.xml", xml);
    let expr: String = path.iter().map(|p| format!("/*[local-name()='{p}']")).collect();
    let out = xmllint(&["--xpath", &format!("string({expr})")], &file);
    assert!(out.status.success(), "xpath {expr}: {}", String::from_utf8_lossy(&out.stderr));
    // xmllint prints the string followed by a newline (the values never contain one).
    let text = String::from_utf8(out.stdout).unwrap();
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

const CDTR_NM: &[&str] = &["Document", "CstmrCdtTrfInitn", "PmtInf", "CdtTrfTxInf", "Cdtr", "Nm"];
const USTRD: &[&str] = &["Document", "CstmrCdtTrfInitn", "PmtInf", "CdtTrfTxInf", "RmtInf", "Ustrd"];

/// Compares with tests/snapshots/NAME byte for byte, or rewrites it when
/// COUNTERSIGN_UPDATE_SNAPSHOTS is set.
fn assert_snapshot(name: &str, actual: &str) {
    let path = manifest_dir().join("tests/snapshots").join(name);
    if std::env::var_os("COUNTERSIGN_UPDATE_SNAPSHOTS").is_some() {
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the snapshot {}: {e}; create it with COUNTERSIGN_UPDATE_SNAPSHOTS=1 cargo test --test exports and review it",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{name} differs from its snapshot. If the change is deliberate, run \
         COUNTERSIGN_UPDATE_SNAPSHOTS=1 cargo test --test exports and review the diff.\n--- expected ---\n{expected}\n--- actual ---\n{actual}"
    );
}

// ---------------------------------------------------------------------------------------------
// pain.001.001.09

#[test]
fn pain001_sepa_eur_iban_to_iban() {
    let t = sepa();
    assert!(t.is_sepa());
    let xml = pain001_xml(&t).unwrap();
    assert_schema_valid("sepa.xml", &xml);
    assert_snapshot("pain001-sepa-eur.xml", &xml);
    assert!(xml.contains("<SvcLvl>\n          <Cd>SEPA</Cd>"));
    assert!(xml.contains("<ChrgBr>SLEV</ChrgBr>"));
    assert!(xml.contains("<InstdAmt Ccy=\"EUR\">1250.50</InstdAmt>"));
    assert!(xml.contains("<CreDtTm>2026-11-23T08:30:15Z</CreDtTm>"), "UTC, whole seconds");
    assert!(xml.contains("<Nm>Müller &amp; Söhne &lt;Bâtiment&gt; SARL</Nm>"));
    assert_eq!(xpath_text(&xml, CDTR_NM), t.creditor_name, "escaping keeps the name exactly");
    assert_eq!(xpath_text(&xml, USTRD), t.remittance.unwrap());
}

#[test]
fn pain001_usd_to_a_local_us_account_with_routing_code() {
    let t = usd_local();
    assert!(!t.is_sepa());
    let xml = pain001_xml(&t).unwrap();
    assert_schema_valid("usd.xml", &xml);
    assert_snapshot("pain001-usd-local-account.xml", &xml);
    assert!(!xml.contains("<PmtTpInf>"), "no service level outside SEPA");
    assert!(xml.contains("<ChrgBr>SHAR</ChrgBr>"));
    assert!(xml.contains("<InstdAmt Ccy=\"USD\">98765.43</InstdAmt>"));
    assert!(xml.contains("<ClrSysId>\n                <Cd>USABA</Cd>\n              </ClrSysId>\n              <MmbId>021000021</MmbId>"));
    assert!(xml.contains("<BICFI>CHASUS33</BICFI>"));
    assert!(xml.contains("<Othr>\n              <Id>123456789</Id>"));
}

#[test]
fn pain001_jpy_has_no_decimals_and_kwd_three() {
    let xml = pain001_xml(&jpy_local()).unwrap();
    assert_schema_valid("jpy.xml", &xml);
    assert_snapshot("pain001-jpy-local-account.xml", &xml);
    assert!(xml.contains("<InstdAmt Ccy=\"JPY\">1250000</InstdAmt>"));
    assert!(xml.contains("<CtrlSum>1250000</CtrlSum>"));
    assert!(!xml.contains("<ClrSysId>"), "no clearing-system code known for JP; the member id alone");
    assert!(xml.contains("<MmbId>0005001</MmbId>"));
    assert!(!xml.contains("<RmtInf>"), "no remittance, no RmtInf");
    assert_eq!(xpath_text(&xml, CDTR_NM), "Yamada Shoji K.K. 山田商事株式会社");

    let xml = pain001_xml(&kwd_local()).unwrap();
    assert_schema_valid("kwd.xml", &xml);
    assert!(xml.contains("<InstdAmt Ccy=\"KWD\">1.500</InstdAmt>"));
}

#[test]
fn pain001_euro_outside_sepa_with_turkish_names() {
    let t = eur_to_turkey();
    assert!(!t.is_sepa(), "TR is not in the SEPA area");
    let xml = pain001_xml(&t).unwrap();
    assert_schema_valid("tr.xml", &xml);
    assert_snapshot("pain001-eur-outside-sepa.xml", &xml);
    assert!(!xml.contains("<PmtTpInf>"));
    assert!(xml.contains("<ChrgBr>SHAR</ChrgBr>"));
    assert!(xml.contains("<IBAN>TR330006100519786457841326</IBAN>"));
    assert_eq!(xpath_text(&xml, CDTR_NM), "Çağrı Şahin İthalat ve Dış Ticaret Ltd. Şti.");
    assert_eq!(xpath_text(&xml, USTRD), "Fatura ĞÜŞİÖÇ ğüşıöç 2026/45");
}

#[test]
fn pain001_non_euro_iban_is_not_sepa() {
    let t = gbp_iban();
    assert!(!t.is_sepa());
    let xml = pain001_xml(&t).unwrap();
    assert_schema_valid("gbp.xml", &xml);
    assert!(!xml.contains("<PmtTpInf>"));
    assert!(xml.contains("<IBAN>GB82WEST12345698765432</IBAN>"));
    assert!(xml.contains("<Nm>O'Brien &amp; Partners Ltd</Nm>"));
}

#[test]
fn pain001_at_every_limit_still_validates() {
    // 35-character ids, a 140-character name of multi-byte letters, 140 characters of
    // remittance made of markup, and the largest amount Money allows (18 digits in all).
    let t = CreditTransfer {
        message_id: "M".repeat(35),
        end_to_end_id: "E".repeat(35),
        creditor_name: "Ş".repeat(140),
        remittance: Some("<&>".repeat(46) + "ab"),
        amount: money("999999999999999.99", "USD"),
        execution_date: date!(2026 - 11 - 23),
        ..usd_local()
    };
    let xml = pain001_xml(&t).unwrap();
    assert_schema_valid("limits.xml", &xml);
    assert_eq!(xpath_text(&xml, CDTR_NM).chars().count(), 140);
    assert_eq!(xpath_text(&xml, USTRD), t.remittance.unwrap());
}

#[test]
fn pain001_writes_names_in_nfc() {
    let t = CreditTransfer { creditor_name: "Mu\u{308}ller".into(), ..sepa() };
    let xml = pain001_xml(&t).unwrap();
    assert!(xml.contains("<Nm>M\u{fc}ller</Nm>"));
}

#[test]
fn xmllint_really_checks_the_schema() {
    // A control: if xmllint accepted anything, the tests above would prove nothing.
    let xml = pain001_xml(&sepa()).unwrap();
    for (what, bad) in [
        ("a letter in NbOfTxs", xml.replacen("<NbOfTxs>1</NbOfTxs>", "<NbOfTxs>one</NbOfTxs>", 1)),
        ("a lower-case BIC", xml.replacen("COBADEFFXXX", "cobadeffxxx", 1)),
        (
            "elements out of order",
            xml.replacen("<PmtMtd>TRF</PmtMtd>", "", 1).replacen(
                "</PmtInfId>",
                "</PmtInfId><BtchBookg>true</BtchBookg><PmtMtd>TRF</PmtMtd>",
                1,
            ),
        ),
        ("a 36-character MsgId", xml.replacen("CS-20261123-0001", &"X".repeat(36), 1)),
    ] {
        let (_dir, path) = write_temp("bad.xml", &bad);
        let schema = schema();
        let out = xmllint(&["--noout", "--schema", schema.to_str().unwrap()], &path);
        assert!(!out.status.success(), "xmllint accepted a document with {what}");
    }
}

#[test]
fn pain001_name_limits_depend_on_sepa() {
    // SEPA: party names at most 70 characters (EPC usage rule).
    let ok = CreditTransfer { creditor_name: "é".repeat(70), ..sepa() };
    assert_schema_valid("sepa70.xml", &pain001_xml(&ok).unwrap());
    let long = CreditTransfer { creditor_name: "é".repeat(71), ..sepa() };
    let err = pain001_xml(&long).unwrap_err();
    assert!(matches!(err, ExportError::TooLong { field: "creditor name", chars: 71, max: 70, .. }), "{err:?}");
    assert!(err.to_string().contains("SEPA") && err.to_string().contains("shorten"), "{err}");
    let debtor_long = CreditTransfer { debtor: Debtor { name: "D".repeat(71), ..debtor() }, ..sepa() };
    assert!(matches!(pain001_xml(&debtor_long), Err(ExportError::TooLong { field: "debtor name", max: 70, .. })));

    // Elsewhere: Max140Text.
    assert!(pain001_xml(&CreditTransfer { creditor_name: "é".repeat(140), ..usd_local() }).is_ok());
    assert!(matches!(
        pain001_xml(&CreditTransfer { creditor_name: "é".repeat(141), ..usd_local() }),
        Err(ExportError::TooLong { field: "creditor name", chars: 141, max: 140, .. })
    ));
    assert!(matches!(
        pain001_xml(&CreditTransfer { remittance: Some("r".repeat(141)), ..sepa() }),
        Err(ExportError::TooLong { field: "remittance information", max: 140, .. })
    ));
}

#[test]
fn pain001_refuses_what_the_schema_or_xml_cannot_carry() {
    let cases: Vec<(&str, CreditTransfer)> = vec![
        ("empty name", CreditTransfer { creditor_name: String::new(), ..sepa() }),
        ("name with a line break", CreditTransfer { creditor_name: "Acme\nLtd".into(), ..sepa() }),
        ("name with NUL", CreditTransfer { creditor_name: "Acme\0".into(), ..sepa() }),
        ("name with an RTL override", CreditTransfer { creditor_name: "Acme \u{202e}dtL".into(), ..sepa() }),
        ("remittance with a tab", CreditTransfer { remittance: Some("a\tb".into()), ..sepa() }),
        ("remittance with U+FFFF", CreditTransfer { remittance: Some("a\u{ffff}".into()), ..sepa() }),
        ("empty remittance", CreditTransfer { remittance: Some(String::new()), ..sepa() }),
        ("name ending in a space", CreditTransfer { creditor_name: "Acme ".into(), ..sepa() }),
        ("36-character message id", CreditTransfer { message_id: "M".repeat(36), ..sepa() }),
        ("message id with a space", CreditTransfer { message_id: "CS 1".into(), ..sepa() }),
        ("message id with markup", CreditTransfer { message_id: "CS<1>".into(), ..sepa() }),
        (
            "end-to-end id: a UUID with its hyphens (36 characters)",
            CreditTransfer { end_to_end_id: "0f4c1e0e-4b8b-4f3a-9d2e-6b7c8a9d0e1f".into(), ..sepa() },
        ),
        ("empty end-to-end id", CreditTransfer { end_to_end_id: String::new(), ..sepa() }),
        ("execution before creation", CreditTransfer { execution_date: date!(2026 - 11 - 22), ..sepa() }),
        (
            "account number with a space",
            CreditTransfer { creditor_account: local_account("1234 5678", "021000021", "US", "CHASUS33"), ..usd_local() },
        ),
        (
            "routing code with a hyphen",
            CreditTransfer { creditor_account: local_account("12345678", "02-10-00", "GB", "NWBKGB2L"), ..usd_local() },
        ),
    ];
    for (what, t) in cases {
        match pain001_xml(&t) {
            Err(e) => assert!(e.to_string().starts_with("the "), "{what}: {e}"),
            Ok(xml) => panic!("{what}: accepted\n{xml}"),
        }
    }
    let e = pain001_xml(&CreditTransfer { creditor_name: "A\u{202e}B".into(), ..sepa() }).unwrap_err();
    assert!(matches!(e, ExportError::ForbiddenCharacter { field: "creditor name", code: 0x202e, .. }), "{e:?}");
    let e = pain001_xml(&CreditTransfer { execution_date: date!(2026 - 11 - 22), ..sepa() }).unwrap_err();
    assert!(matches!(e, ExportError::ExecutionDateInPast { .. }), "{e:?}");
    assert!(e.to_string().contains("choose that day or a later one"));
    // The creation date is taken in UTC: 00:30 in Berlin on the 24th is still the 23rd in UTC.
    let t = CreditTransfer { created_at: datetime!(2026-11-24 00:30 +01:00), execution_date: date!(2026 - 11 - 23), ..sepa() };
    assert!(pain001_xml(&t).is_ok());
}

// ---------------------------------------------------------------------------------------------
// EPC QR (EPC069-12 version 002)

#[test]
fn epc_payload_of_a_known_transfer() {
    let payload = epc_qr_payload(&sepa()).unwrap();
    assert_eq!(
        payload,
        "BCD\n002\n1\nSCT\nPSSTFRPPPAR\nMüller & Söhne <Bâtiment> SARL\nFR1420041010050500013M02606\nEUR1250.50\n\n\nFacture 2026-117 & 118 <acompte> «été»"
    );
    // Without remittance, nothing follows the amount: no trailing separator.
    let payload = epc_qr_payload(&CreditTransfer { remittance: None, amount: money("0.01", "EUR"), ..sepa() }).unwrap();
    assert_eq!(payload, "BCD\n002\n1\nSCT\nPSSTFRPPPAR\nMüller & Söhne <Bâtiment> SARL\nFR1420041010050500013M02606\nEUR0.01");
}

#[test]
fn epc_qr_renders() {
    let qr = epc_qr(&sepa()).unwrap();
    assert!(qr.to_svg().starts_with("<?xml"));
    assert_eq!(&qr.to_png().unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    assert!(qr.to_terminal().contains('█'));
}

#[test]
fn epc_limits() {
    // Name: 70 characters.
    assert!(epc_qr_payload(&CreditTransfer { creditor_name: "N".repeat(70), ..sepa() }).is_ok());
    assert!(matches!(
        epc_qr_payload(&CreditTransfer { creditor_name: "N".repeat(71), ..sepa() }),
        Err(ExportError::TooLong { field: "creditor name", chars: 71, max: 70, .. })
    ));
    // Remittance: 140 characters.
    assert!(epc_qr_payload(&CreditTransfer { remittance: Some("r".repeat(140)), ..sepa() }).is_ok());
    assert!(matches!(
        epc_qr_payload(&CreditTransfer { remittance: Some("r".repeat(141)), ..sepa() }),
        Err(ExportError::TooLong { field: "remittance information", chars: 141, max: 140, .. })
    ));
    // Amount: EUR 0.01 to EUR 999999999.99.
    let max = epc_qr_payload(&CreditTransfer { amount: money("999999999.99", "EUR"), ..sepa() }).unwrap();
    assert!(max.contains("\nEUR999999999.99\n"));
    let e = epc_qr_payload(&CreditTransfer { amount: money("1000000000", "EUR"), ..sepa() }).unwrap_err();
    assert!(matches!(e, ExportError::EpcAmountTooLarge { ref amount } if amount == "1000000000.00"), "{e:?}");
    assert!(e.to_string().contains("use the pain.001 export"));
    // Whole payload: 331 bytes. With a 70-letter name of two-byte letters (140 bytes) the
    // remittance limit of 140 characters is no longer enough to stay under it.
    let fill = |n: usize| CreditTransfer { creditor_name: "ğ".repeat(70), remittance: Some("a".repeat(n)), ..sepa() };
    let base = epc_qr_payload(&fill(1)).unwrap().len() - 1;
    let room = EPC_MAX_PAYLOAD_BYTES - base;
    let exact = epc_qr_payload(&fill(room)).unwrap();
    assert_eq!(exact.len(), 331);
    assert!(epc_qr(&fill(room)).is_ok(), "the longest payload fits a QR code at level M");
    let e = epc_qr_payload(&fill(room + 1)).unwrap_err();
    assert!(matches!(e, ExportError::EpcPayloadTooLong { bytes: 332 }), "{e:?}");
    assert!(e.to_string().contains("shorten"));
}

#[test]
fn epc_refuses_what_is_not_a_sepa_euro_transfer() {
    let e = epc_qr_payload(&usd_local()).unwrap_err();
    assert!(matches!(e, ExportError::EpcNotEuro { currency: "USD" }), "{e:?}");
    assert!(e.to_string().contains("SEPA euro") && e.to_string().contains("pain.001"), "{e}");
    assert!(matches!(epc_qr_payload(&gbp_iban()), Err(ExportError::EpcNotEuro { currency: "GBP" })));
    assert!(matches!(epc_qr_payload(&jpy_local()), Err(ExportError::EpcNotEuro { .. })));

    let local_eur = CreditTransfer { amount: money("100", "EUR"), ..usd_local() };
    let e = epc_qr_payload(&local_eur).unwrap_err();
    assert!(matches!(e, ExportError::EpcNotIban), "{e:?}");
    assert!(e.to_string().contains("SEPA euro"));

    let e = epc_qr_payload(&eur_to_turkey()).unwrap_err();
    assert!(matches!(e, ExportError::EpcOutsideSepa { ref country } if country == "TR"), "{e:?}");
    assert!(matches!(epc_qr(&eur_to_turkey()), Err(ExportError::EpcOutsideSepa { .. })));

    for (what, t) in [
        ("line break in the name", CreditTransfer { creditor_name: "Acme\nEvil".into(), ..sepa() }),
        ("CR in the remittance", CreditTransfer { remittance: Some("a\rb".into()), ..sepa() }),
        ("line separator in the remittance", CreditTransfer { remittance: Some("a\u{2028}b".into()), ..sepa() }),
        ("empty name", CreditTransfer { creditor_name: String::new(), ..sepa() }),
    ] {
        assert!(epc_qr_payload(&t).is_err(), "{what}");
    }
}
