//! Set-up shared by the service's unit tests: a fresh workspace and its first admin signed in,
//! on the backend `COUNTERSIGN_TEST_BACKEND` names (`sqlite`, the default, or `postgres`, on the
//! server `make test` starts), so that the same tests run on both (issue 17).

use crate::{Credentials, InitRequest, NewPartner, Session, Workspace};
use countersign_core::format::card::{CardDetails, PartnerCard};
use countersign_core::format::instruction::Details;
use countersign_core::format::keys::KeyPair;
use countersign_core::format::signing::sign_instruction;
use time::OffsetDateTime;

/// The organisation passphrase of [`admin_workspace`].
pub(crate) const ORG_PASSPHRASE: &str = "organisation passphrase";

/// The environment variable choosing the backend of [`admin_workspace`].
pub(crate) const BACKEND_ENV: &str = "COUNTERSIGN_TEST_BACKEND";

fn request() -> InitRequest<'static> {
    InitRequest { org_name: "Initech GmbH", admin_name: "alice", org_passphrase: ORG_PASSPHRASE, admin_password: "alice password 1" }
}

/// A new workspace of "Initech GmbH" (its directory, or this desktop's for a team workspace, kept
/// alive by the returned guard), with alice (password "alice password 1") signed in as its admin.
pub(crate) fn admin_workspace() -> (tempfile::TempDir, Workspace, Session) {
    match std::env::var(BACKEND_ENV).as_deref() {
        Ok("postgres") => team_admin_workspace(),
        Ok("sqlite") | Err(_) => sqlite_admin_workspace(),
        Ok(other) => panic!("{BACKEND_ENV}={other}: the backends are sqlite and postgres"),
    }
}

/// [`admin_workspace`] in a SQLite file, whatever the backend chosen: for tests that edit the
/// file as an attacker would, or make it look like one an older version wrote.
pub(crate) fn sqlite_admin_workspace() -> (tempfile::TempDir, Workspace, Session) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(&dir.path().join("ws"), &request()).unwrap();
    let session = ws.login(&Credentials { user: "alice", password: "alice password 1", totp: None }).unwrap();
    (dir, ws, session)
}

/// [`admin_workspace`] on the PostgreSQL test server, in a schema of its own.
pub(crate) fn team_admin_workspace() -> (tempfile::TempDir, Workspace, Session) {
    let url = countersign_store::testing::fresh_database()
        .unwrap_or_else(|| panic!("{BACKEND_ENV}=postgres needs a test server: run the tests with `make test`"));
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init_team(&url, &dir.path().join("desktop"), None, &request()).unwrap();
    let session = ws.login(&Credentials { user: "alice", password: "alice password 1", totp: None }).unwrap();
    (dir, ws, session)
}

/// The legal name of the partner [`receive_from_a_new_partner`] onboards.
pub(crate) const PARTNER_NAME: &str = "Globex Corporation";
/// The IBAN its instruction asks to pay (and its BIC).
pub(crate) const PARTNER_IBAN: (&str, &str) = ("DE89370400440532013000", "COBADEFFXXX");

/// Onboards a partner named `PARTNER_NAME` with a key of the test's own (returned), one phone on
/// file and, when `account_on_file`, `PARTNER_IBAN` on file from the contract.
pub(crate) fn onboard_a_partner(ws: &mut Workspace, admin: &Session, account_on_file: bool) -> KeyPair {
    let key = KeyPair::from_seed(&[7; 32]);
    let details = CardDetails { name: PARTNER_NAME.into(), country: None, domains: vec![], contacts: vec![] };
    let card = PartnerCard::create(&key, details, OffsetDateTime::now_utc()).unwrap().to_bytes();
    let phones = [crate::NewNumber::plain("+49 30 1234567")];
    let fingerprint = key.fingerprint().to_string();
    let known_account = account_on_file.then_some(PARTNER_IBAN);
    let partner = NewPartner {
        card: &card,
        confirm_fingerprint: &fingerprint,
        phones: &phones,
        card_numbers: false,
        domains: &[],
        country: None,
        known_account,
    };
    ws.add_partner(admin, &partner).unwrap();
    key
}

/// Globex's TEST-ONLY card from keys/ and its fingerprint.
const GLOBEX_CARD: &[u8] = include_bytes!("../../../keys/globex.card");
const GLOBEX_FPR: &str = "36653 67829 08626 49703 65424 09250";

/// Onboards Globex from its TEST-ONLY card in keys/ (the demo's partner, whose key signs the
/// demo's files), one phone on file and no account: the partner's id.
pub(crate) fn onboard_globex(ws: &mut Workspace, admin: &Session) -> i64 {
    let partner = NewPartner {
        card: GLOBEX_CARD,
        confirm_fingerprint: GLOBEX_FPR,
        phones: &[crate::NewNumber::plain("+49 30 1234567")],
        card_numbers: false,
        domains: &[],
        country: None,
        known_account: None,
    };
    ws.add_partner(admin, &partner).unwrap().applied().unwrap()["partner_id"].as_i64().unwrap()
}

/// `clerk` receives the partner's instruction `id`, signed with `key`, to pay `amount` EUR to
/// `(iban, bic)`: the case's id and the file's bytes.
pub(crate) fn receive_an_instruction(
    ws: &mut Workspace,
    clerk: &Session,
    key: &KeyPair,
    id: &str,
    (iban, bic): (&str, &str),
    amount: &str,
) -> (i64, Vec<u8>) {
    receive_with_email(ws, clerk, key, id, (iban, bic), amount, None)
}

/// [`receive_an_instruction`], with the email that carried it.
pub(crate) fn receive_with_email(
    ws: &mut Workspace,
    clerk: &Session,
    key: &KeyPair,
    id: &str,
    (iban, bic): (&str, &str),
    amount: &str,
    email: Option<&[u8]>,
) -> (i64, Vec<u8>) {
    let now = OffsetDateTime::now_utc();
    let payment = format!(r#"{{"beneficiary_name":"{PARTNER_NAME}","iban":"{iban}","bic":"{bic}","currency":"EUR","amount":"{amount}"}}"#);
    let instruction = Details::from_json(payment.as_bytes())
        .unwrap()
        .to_instruction(id.into(), key.fingerprint(), ws.org_fingerprint().unwrap(), now)
        .unwrap();
    let signed = sign_instruction(key, &instruction, now).unwrap();
    let received = ws.receive(clerk, &[(format!("{id}.json"), signed.bytes.clone())], email, &mut |_, _| {}).unwrap();
    (received[0].case_id.expect("a case was opened"), signed.bytes)
}

/// [`onboard_a_partner`], then `clerk` receives its instruction to pay `amount` EUR to
/// `PARTNER_IBAN`: accepted when the account is on file, on hold (bank details changed) when
/// not. The case's id and the file's bytes.
pub(crate) fn receive_from_a_new_partner(
    ws: &mut Workspace,
    admin: &Session,
    clerk: &Session,
    account_on_file: bool,
    amount: &str,
) -> (i64, Vec<u8>) {
    let key = onboard_a_partner(ws, admin, account_on_file);
    receive_an_instruction(ws, clerk, &key, "INV-1", PARTNER_IBAN, amount)
}
