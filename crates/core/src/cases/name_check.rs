//! A bank's name check attached to a case as evidence (issue 20): the answer of the payee's bank
//! to a Verification of Payee (EU, `vop`, since October 2025) or Confirmation of Payee (UK, `cop`)
//! request. [`NameCheck::parse`] checks every field once (the scheme's answers, the times, the
//! lengths, the account against the case's); [`NameCheck::finding`] says what the answer means
//! for the case, computed whenever the case is shown; [`Outcome::holds`] is what puts a case back
//! on hold ([`crate::cases::flow::CaseAction::AttachNameCheck`]).
//!
//! What each answer means (docs/cli-cases.md, "Bank name checks"):
//!
//! | scheme | answer | outcome |
//! | --- | --- | --- |
//! | vop | `MTCH` | match |
//! | vop | `CMTC` (with the bank's name) | close match |
//! | vop | `NMTC` | no match: holds the case |
//! | vop | `NOAP` | no check possible |
//! | cop | `MTCH` | match |
//! | cop | `MBAM`, `BAMM`, `PAMM` (with the bank's name) | close match |
//! | cop | `ANNM`, `AC01`, `BANM`, `PANM` | no match: holds the case |
//! | cop | `IVCR`, `ACNS`, `OPTO`, `CASS`, `SCNS` | no check possible |

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::assess::findings::{Finding, ReasonCode};
use crate::encoding::{format_utc, parse_utc};

/// The longest request id kept (a bank's id is a UUID or an ISO 20022 `Max35Text`).
pub const MAX_REQUEST_ID_CHARS: usize = 100;
/// The longest name sent or returned (ISO 20022 `Max140Text`).
pub const MAX_NAME_CHARS: usize = 140;
/// The longest account sent (an IBAN has at most 34 characters; a sort code and account number fewer).
pub const MAX_ACCOUNT_CHARS: usize = 34;

/// Which name-check scheme answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Scheme {
    /// EU Verification of Payee (EPC VOP scheme).
    Vop,
    /// UK Confirmation of Payee (Pay.UK).
    Cop,
}

impl Scheme {
    /// The CLI's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Vop => "vop",
            Self::Cop => "cop",
        }
    }

    /// Parses the CLI's word.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Vop, Self::Cop].into_iter().find(|s| s.as_str() == text)
    }
}

/// How the answer was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Obtained {
    /// The bank's API (the saved response may be given as the evidence file).
    Api,
    /// An ISO 20022 pain.002 status report file (required as the evidence file).
    Pain002,
    /// A screenshot of the bank's answer (required as the evidence file).
    Screenshot,
}

impl Obtained {
    /// The CLI's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Pain002 => "pain002",
            Self::Screenshot => "screenshot",
        }
    }

    /// Parses the CLI's word.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Api, Self::Pain002, Self::Screenshot].into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the answer must come with its file (its SHA-256 is recorded): a status report or a
    /// screenshot without the file would be a claim with nothing to check it against.
    pub fn needs_file(self) -> bool {
        !matches!(self, Self::Api)
    }
}

/// What an answer means for the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "NameCheckOutcome"))]
pub enum Outcome {
    /// The name matches the account: supporting evidence.
    Match,
    /// A close match: the bank returned the name it holds, shown beside ours.
    CloseMatch,
    /// No match (or the account does not exist): the case is held.
    NoMatch,
    /// No check was possible: recorded, holds nothing.
    NotPossible,
}

impl Outcome {
    /// The code the shells receive.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Match => "match",
            Self::CloseMatch => "close_match",
            Self::NoMatch => "no_match",
            Self::NotPossible => "not_possible",
        }
    }

    /// Whether attaching the answer puts an open case back on hold.
    pub fn holds(self) -> bool {
        self == Self::NoMatch
    }

    /// Whether the answer carries the name the bank holds.
    pub fn carries_name(self) -> bool {
        self == Self::CloseMatch
    }
}

/// Every answer each scheme gives, with what it means.
pub const ANSWERS: &[(Scheme, &str, Outcome)] = &[
    (Scheme::Vop, "MTCH", Outcome::Match),
    (Scheme::Vop, "CMTC", Outcome::CloseMatch),
    (Scheme::Vop, "NMTC", Outcome::NoMatch),
    (Scheme::Vop, "NOAP", Outcome::NotPossible),
    (Scheme::Cop, "MTCH", Outcome::Match),
    (Scheme::Cop, "MBAM", Outcome::CloseMatch),
    (Scheme::Cop, "BAMM", Outcome::CloseMatch),
    (Scheme::Cop, "PAMM", Outcome::CloseMatch),
    (Scheme::Cop, "ANNM", Outcome::NoMatch),
    (Scheme::Cop, "AC01", Outcome::NoMatch),
    (Scheme::Cop, "BANM", Outcome::NoMatch),
    (Scheme::Cop, "PANM", Outcome::NoMatch),
    (Scheme::Cop, "IVCR", Outcome::NotPossible),
    (Scheme::Cop, "ACNS", Outcome::NotPossible),
    (Scheme::Cop, "OPTO", Outcome::NotPossible),
    (Scheme::Cop, "CASS", Outcome::NotPossible),
    (Scheme::Cop, "SCNS", Outcome::NotPossible),
];

/// The outcome of `answer` in `scheme`, if the scheme gives that answer.
pub fn outcome_of(scheme: Scheme, answer: &str) -> Option<Outcome> {
    ANSWERS.iter().find(|(s, a, _)| *s == scheme && *a == answer).map(|(_, _, o)| *o)
}

/// The name check as typed, before any check.
#[derive(Debug, Clone, Default)]
pub struct NameCheckInput<'a> {
    /// `vop` or `cop`.
    pub scheme: &'a str,
    /// The bank's id of the request.
    pub request_id: &'a str,
    /// When the request was sent (RFC 3339 UTC).
    pub requested_at: &'a str,
    /// When the bank answered (RFC 3339 UTC).
    pub answered_at: &'a str,
    /// The payee's name sent.
    pub name_sent: &'a str,
    /// The account sent: an IBAN, or a sort code (routing code) followed by the account number.
    pub account_sent: &'a str,
    /// The bank's answer code.
    pub answer: &'a str,
    /// The name the bank returned with a close match.
    pub matched_name: Option<&'a str>,
    /// `api`, `pain002` or `screenshot`.
    pub obtained: &'a str,
    /// SHA-256 (hex) of the evidence file, when one was given: set by the service from the
    /// file it hashed (a shell passes the file, never a hash).
    pub evidence_sha256: Option<&'a str>,
}

/// Why a name check was refused: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameCheckError {
    /// A field is missing, too long or malformed.
    #[error("{field}: {problem}")]
    Invalid {
        /// The field (the CLI's option name without dashes).
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The account sent is not the one the case pays.
    #[error("the account sent ({sent}) is not the account this case pays ({case}): a name check of another account is no evidence for this payment")]
    OtherAccount {
        /// The account sent, normalised.
        sent: String,
        /// The case's account, as people read it.
        case: String,
    },
}

fn invalid<T>(field: &'static str, problem: impl Into<String>) -> Result<T, NameCheckError> {
    Err(NameCheckError::Invalid { field, problem: problem.into() })
}

/// A bank's name check, every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCheck {
    scheme: Scheme,
    request_id: String,
    requested_at: String,
    answered_at: String,
    name_sent: String,
    account_sent: String,
    answer: String,
    matched_name: Option<String>,
    obtained: Obtained,
    evidence_sha256: Option<String>,
}

/// A free-text field: trimmed, not empty, at most `max` characters, no control characters.
fn text(field: &'static str, value: &str, max: usize) -> Result<String, NameCheckError> {
    let value = value.trim();
    if value.is_empty() {
        return invalid(field, "it is empty");
    }
    let chars = value.chars().count();
    if chars > max {
        return invalid(field, format!("it has {chars} characters, at most {max} are kept"));
    }
    if value.chars().any(char::is_control) {
        return invalid(field, "it contains a control character");
    }
    Ok(value.to_string())
}

fn time_of(field: &'static str, value: &str) -> Result<OffsetDateTime, NameCheckError> {
    parse_utc(value.trim()).map_or_else(|| invalid(field, format!("{value:?} is not a UTC time such as 2026-12-04T09:30:00Z")), Ok)
}

/// The account as sent, normalised: spaces and hyphens removed, upper case.
pub fn normalise_account(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

/// Whether the account sent (normalised) is the account of [`crate::bank::BankAccount::key`]
/// `case_key`: the IBAN; for a local account its routing code followed by its number; for a UK
/// IBAN also its sort code followed by its account number (what a CoP request sends).
pub fn same_account(sent: &str, case_key: &str) -> bool {
    if let Some(iban) = case_key.strip_prefix("iban:") {
        return sent == iban || (iban.starts_with("GB") && iban.len() == 22 && sent == &iban[8..]);
    }
    let mut parts = case_key.strip_prefix("local:").unwrap_or_default().splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(routing), Some(number)) => sent == format!("{routing}{number}"),
        _ => false,
    }
}

impl NameCheck {
    /// Checks a name check typed for the case paying `case_account` (its `BankAccount::key`, shown
    /// as `case_account_display`) at time `now`: the scheme's answers, a bank's name only with a
    /// close match (and then required), times not after `now` and the answer not before the
    /// request, lengths, the evidence file when the way it was obtained needs one.
    pub fn parse(
        input: &NameCheckInput<'_>,
        case_account: Option<&str>,
        case_account_display: &str,
        now: OffsetDateTime,
    ) -> Result<Self, NameCheckError> {
        let scheme = Scheme::parse(input.scheme.trim()).map_or_else(|| invalid("scheme", "use vop or cop"), Ok)?;
        let answer = input.answer.trim().to_ascii_uppercase();
        let Some(outcome) = outcome_of(scheme, &answer) else {
            let known: Vec<&str> = ANSWERS.iter().filter(|(s, ..)| *s == scheme).map(|(_, a, _)| *a).collect();
            return invalid("answer", format!("{:?} is not a {} answer: use {}", input.answer, scheme.as_str(), known.join(", ")));
        };
        let matched_name = match (outcome.carries_name(), input.matched_name.filter(|n| !n.trim().is_empty())) {
            (true, Some(name)) => Some(text("matched-name", name, MAX_NAME_CHARS)?),
            (true, None) => return invalid("matched-name", format!("a close match ({answer}) comes with the name the bank holds")),
            (false, Some(_)) => {
                return invalid("matched-name", format!("the bank returns a name only with a close match, not with {answer}"))
            }
            (false, None) => None,
        };
        let requested = time_of("requested-at", input.requested_at)?;
        let answered = time_of("answered-at", input.answered_at)?;
        if answered > now {
            return invalid("answered-at", "it is in the future");
        }
        if answered < requested {
            return invalid("answered-at", "the bank cannot answer before it was asked (requested-at)");
        }
        let obtained = Obtained::parse(input.obtained.trim()).map_or_else(|| invalid("obtained", "use api, pain002 or screenshot"), Ok)?;
        let evidence_sha256 = input.evidence_sha256.map(str::to_ascii_lowercase);
        if let Some(sha) = &evidence_sha256 {
            if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                return invalid("evidence", "its SHA-256 is not 64 hexadecimal digits");
            }
        } else if obtained.needs_file() {
            return invalid("evidence", format!("an answer obtained as {} comes with its file (--evidence FILE)", obtained.as_str()));
        }
        let account_sent = normalise_account(&text("account-sent", input.account_sent, MAX_ACCOUNT_CHARS)?);
        if !account_sent.chars().all(|c| c.is_ascii_alphanumeric()) {
            return invalid("account-sent", "an account is letters and digits (spaces and hyphens are ignored)");
        }
        if !case_account.is_some_and(|key| same_account(&account_sent, key)) {
            return Err(NameCheckError::OtherAccount { sent: account_sent, case: case_account_display.to_string() });
        }
        Ok(NameCheck {
            scheme,
            request_id: text("request-id", input.request_id, MAX_REQUEST_ID_CHARS)?,
            requested_at: format_utc(requested),
            answered_at: format_utc(answered),
            name_sent: text("name-sent", input.name_sent, MAX_NAME_CHARS)?,
            account_sent,
            answer,
            matched_name,
            obtained,
            evidence_sha256,
        })
    }

    /// The name check a statement's details give, checked as [`NameCheck::parse`] checks it at
    /// the statement's own time `at` (the replay of `audit verify`).
    pub fn from_statement(details: &Value, case_account: Option<&str>, at: OffsetDateTime) -> Result<Self, NameCheckError> {
        let field = |name: &str| details[name].as_str().unwrap_or_default();
        let input = NameCheckInput {
            scheme: field("scheme"),
            request_id: field("request_id"),
            requested_at: field("requested_at"),
            answered_at: field("answered_at"),
            name_sent: field("name_sent"),
            account_sent: field("account_sent"),
            answer: field("answer"),
            matched_name: details["matched_name"].as_str(),
            obtained: field("obtained"),
            evidence_sha256: details["evidence_sha256"].as_str(),
        };
        let check = Self::parse(&input, case_account, "the case's account", at)?;
        if check.statement_fields() != fields_only(details) {
            return invalid("statement", "its fields are not written as the check gives them");
        }
        Ok(check)
    }

    /// The fields as a statement's details carry them (an absent name or hash is left out).
    pub fn statement_fields(&self) -> Value {
        let mut v = json!({
            "scheme": self.scheme.as_str(),
            "request_id": self.request_id,
            "requested_at": self.requested_at,
            "answered_at": self.answered_at,
            "name_sent": self.name_sent,
            "account_sent": self.account_sent,
            "answer": self.answer,
            "outcome": self.outcome().as_str(),
            "obtained": self.obtained.as_str(),
        });
        if let Some(name) = &self.matched_name {
            v["matched_name"] = json!(name);
        }
        if let Some(sha) = &self.evidence_sha256 {
            v["evidence_sha256"] = json!(sha);
        }
        v
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }
    /// The bank's request id.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
    /// When the request was sent (UTC).
    pub fn requested_at(&self) -> &str {
        &self.requested_at
    }
    /// When the bank answered (UTC).
    pub fn answered_at(&self) -> &str {
        &self.answered_at
    }
    /// The name sent.
    pub fn name_sent(&self) -> &str {
        &self.name_sent
    }
    /// The account sent, normalised.
    pub fn account_sent(&self) -> &str {
        &self.account_sent
    }
    /// The answer code, upper case.
    pub fn answer(&self) -> &str {
        &self.answer
    }
    /// The name the bank returned with a close match.
    pub fn matched_name(&self) -> Option<&str> {
        self.matched_name.as_deref()
    }
    /// How it was obtained.
    pub fn obtained(&self) -> Obtained {
        self.obtained
    }
    /// SHA-256 (hex) of the evidence file, when one was given.
    pub fn evidence_sha256(&self) -> Option<&str> {
        self.evidence_sha256.as_deref()
    }

    /// What the answer means.
    pub fn outcome(&self) -> Outcome {
        outcome_of(self.scheme, &self.answer).expect("parse checked the answer")
    }

    /// What the answer says about the case paying `our_name`: `vop_no_match` (critical: the case
    /// is held), `vop_close_match` (warning, the bank's name beside ours), `vop_match` or
    /// `vop_not_possible` (info). The codes are `vop_` for both schemes.
    pub fn finding(&self, our_name: Option<&str>) -> Finding {
        let scheme = self.scheme.as_str().to_ascii_uppercase();
        let (answer, sent) = (&self.answer, &self.name_sent);
        let finding = match self.outcome() {
            Outcome::NoMatch => Finding::critical(
                ReasonCode::VopNoMatch,
                format!("the payee's bank answered {answer} to the {scheme} name check of {sent}: the account is not held in that name. Do not pay before the partner confirms the account on a number on file"),
            ),
            Outcome::CloseMatch => {
                let bank = self.matched_name.as_deref().unwrap_or_default();
                let ours = our_name.unwrap_or(sent);
                Finding::warning(
                    ReasonCode::VopCloseMatch,
                    format!("the payee's bank answered {answer} to the {scheme} name check: a close match. The account is held by {bank:?}; we pay {ours:?}"),
                )
                .with("bank_name", bank)
                .with("our_name", ours)
            }
            Outcome::Match => Finding::info(
                ReasonCode::VopMatch,
                format!("the payee's bank confirmed ({scheme} {answer}) that the account is held by {sent}"),
            ),
            Outcome::NotPossible => Finding::info(
                ReasonCode::VopNotPossible,
                format!("the payee's bank could not check the name ({scheme} {answer}): the check says nothing about the account"),
            ),
        };
        finding.with("scheme", &scheme).with("answer", answer.as_str()).with("name_sent", sent.as_str())
    }
}

/// A name check as attached to a case: by whom, when, and the statement that attached it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedNameCheck {
    /// The check.
    pub check: NameCheck,
    /// The approver who attached it.
    pub attached_by: String,
    /// When (UTC).
    pub attached_at: String,
}

/// The name check's own fields of a statement's details (the case's status change left out).
fn fields_only(details: &Value) -> Value {
    let mut d = Value::Object(Default::default());
    for key in [
        "scheme",
        "request_id",
        "requested_at",
        "answered_at",
        "name_sent",
        "account_sent",
        "answer",
        "outcome",
        "obtained",
        "matched_name",
        "evidence_sha256",
    ] {
        if let Some(v) = details.get(key) {
            d[key] = v.clone();
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::findings::Severity;

    const CASE: &str = "iban:DE89370400440532013000";

    fn now() -> OffsetDateTime {
        parse_utc("2026-12-04T12:00:00Z").unwrap()
    }

    fn input<'a>() -> NameCheckInput<'a> {
        NameCheckInput {
            scheme: "vop",
            request_id: "VOP-2026-0001",
            requested_at: "2026-12-04T09:30:00Z",
            answered_at: "2026-12-04T09:30:02Z",
            name_sent: "Globex GmbH",
            account_sent: "DE89 3704 0044 0532 0130 00",
            answer: "MTCH",
            matched_name: None,
            obtained: "api",
            evidence_sha256: None,
        }
    }

    fn parse(i: &NameCheckInput<'_>) -> Result<NameCheck, NameCheckError> {
        NameCheck::parse(i, Some(CASE), "DE89 3704 0044 0532 0130 00", now())
    }

    fn field_of(e: NameCheckError) -> &'static str {
        match e {
            NameCheckError::Invalid { field, .. } => field,
            NameCheckError::OtherAccount { .. } => "account",
        }
    }

    #[test]
    fn each_scheme_takes_only_its_own_answers() {
        for (scheme, answer, outcome) in ANSWERS {
            let matched_name = outcome.carries_name().then_some("Globex Trading GmbH");
            let i = NameCheckInput { scheme: scheme.as_str(), answer, matched_name, ..input() };
            assert_eq!(parse(&i).unwrap().outcome(), *outcome, "{scheme:?} {answer}");
        }
        assert_eq!(field_of(parse(&NameCheckInput { answer: "ANNM", ..input() }).unwrap_err()), "answer", "ANNM is CoP's");
        assert_eq!(field_of(parse(&NameCheckInput { scheme: "cop", answer: "NMTC", ..input() }).unwrap_err()), "answer");
        assert_eq!(field_of(parse(&NameCheckInput { scheme: "sepa", ..input() }).unwrap_err()), "scheme");
        assert_eq!(parse(&NameCheckInput { answer: "nmtc", ..input() }).unwrap().answer(), "NMTC", "codes are read in any case");
    }

    #[test]
    fn a_close_match_needs_the_banks_name_and_nothing_else_takes_one() {
        let close = NameCheckInput { answer: "CMTC", ..input() };
        assert_eq!(field_of(parse(&close).unwrap_err()), "matched-name");
        let named = parse(&NameCheckInput { matched_name: Some("Globex Trading GmbH"), ..close }).unwrap();
        assert_eq!(named.matched_name(), Some("Globex Trading GmbH"));
        let with_match = NameCheckInput { matched_name: Some("Globex"), ..input() };
        assert_eq!(field_of(parse(&with_match).unwrap_err()), "matched-name");
    }

    #[test]
    fn times_are_utc_not_in_the_future_and_the_answer_follows_the_request() {
        assert_eq!(field_of(parse(&NameCheckInput { requested_at: "yesterday", ..input() }).unwrap_err()), "requested-at");
        let future = NameCheckInput { requested_at: "2026-12-04T12:00:00Z", answered_at: "2026-12-04T12:00:01Z", ..input() };
        assert_eq!(field_of(parse(&future).unwrap_err()), "answered-at");
        let before = NameCheckInput { answered_at: "2026-12-04T09:29:59Z", ..input() };
        assert_eq!(field_of(parse(&before).unwrap_err()), "answered-at");
        assert!(parse(&NameCheckInput { answered_at: "2026-12-04T09:30:00Z", ..input() }).is_ok(), "an answer in the same second");
    }

    #[test]
    fn lengths_and_control_characters_are_refused() {
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(field_of(parse(&NameCheckInput { name_sent: &long, ..input() }).unwrap_err()), "name-sent");
        assert_eq!(field_of(parse(&NameCheckInput { name_sent: " ", ..input() }).unwrap_err()), "name-sent");
        let id = "r".repeat(MAX_REQUEST_ID_CHARS + 1);
        assert_eq!(field_of(parse(&NameCheckInput { request_id: &id, ..input() }).unwrap_err()), "request-id");
        assert_eq!(field_of(parse(&NameCheckInput { request_id: "a\u{7}b", ..input() }).unwrap_err()), "request-id");
    }

    #[test]
    fn a_file_is_needed_for_a_status_report_or_a_screenshot_and_its_hash_is_hex() {
        for obtained in ["pain002", "screenshot"] {
            assert_eq!(field_of(parse(&NameCheckInput { obtained, ..input() }).unwrap_err()), "evidence", "{obtained}");
        }
        let sha = "AB".repeat(32);
        let ok = parse(&NameCheckInput { obtained: "pain002", evidence_sha256: Some(&sha), ..input() }).unwrap();
        assert_eq!(ok.evidence_sha256(), Some("ab".repeat(32).as_str()));
        assert_eq!(field_of(parse(&NameCheckInput { evidence_sha256: Some("abc"), ..input() }).unwrap_err()), "evidence");
        assert_eq!(field_of(parse(&NameCheckInput { obtained: "fax", ..input() }).unwrap_err()), "obtained");
    }

    #[test]
    fn the_account_sent_must_be_the_cases() {
        let other = NameCheckInput { account_sent: "DE02120300000000202051", ..input() };
        assert!(matches!(parse(&other), Err(NameCheckError::OtherAccount { .. })));
        assert!(matches!(NameCheck::parse(&input(), None, "", now()), Err(NameCheckError::OtherAccount { .. })), "a case with no account");
        assert_eq!(parse(&input()).unwrap().account_sent(), "DE89370400440532013000");
        assert!(same_account("40478470872490", "local:GB:404784:70872490"));
        assert!(same_account("40478470872490", "iban:GB33BUKB40478470872490"), "a UK IBAN's sort code and account number");
        assert!(!same_account("40478470872491", "local:GB:404784:70872490"));
        assert_eq!(normalise_account("40-47-84 70872490"), "40478470872490");
    }

    #[test]
    fn the_finding_says_what_the_answer_means() {
        let no = parse(&NameCheckInput { answer: "NMTC", ..input() }).unwrap();
        assert!(no.outcome().holds());
        let f = no.finding(Some("Globex GmbH"));
        assert_eq!((f.code, f.severity), (ReasonCode::VopNoMatch, Severity::Critical));
        let close = parse(&NameCheckInput { scheme: "cop", answer: "MBAM", matched_name: Some("Globex Trading Ltd"), ..input() }).unwrap();
        let f = close.finding(Some("Globex GmbH"));
        assert_eq!((f.code, f.severity), (ReasonCode::VopCloseMatch, Severity::Warning));
        assert_eq!((f.values["bank_name"].as_str(), f.values["our_name"].as_str()), ("Globex Trading Ltd", "Globex GmbH"));
        assert!(!close.outcome().holds());
        let f = parse(&NameCheckInput { answer: "NOAP", ..input() }).unwrap().finding(None);
        assert_eq!((f.code, f.severity), (ReasonCode::VopNotPossible, Severity::Info));
        assert_eq!(parse(&input()).unwrap().finding(None).code, ReasonCode::VopMatch);
    }

    #[test]
    fn a_statement_gives_back_the_check_and_an_edited_one_does_not() {
        let check = parse(&NameCheckInput { answer: "CMTC", matched_name: Some("Globex Trading GmbH"), ..input() }).unwrap();
        let mut details = check.statement_fields();
        details["from"] = json!("accepted");
        assert_eq!(NameCheck::from_statement(&details, Some(CASE), now()).unwrap(), check);
        details["outcome"] = json!("match");
        assert!(NameCheck::from_statement(&details, Some(CASE), now()).is_err(), "an outcome the answer does not give");
        let early = parse_utc("2026-12-04T09:00:00Z").unwrap();
        assert!(NameCheck::from_statement(&check.statement_fields(), Some(CASE), early).is_err(), "an answer after the statement");
    }
}
