//! Findings and verdicts: what an assessment says about an instruction, as stable reason codes
//! (the strings in CONTRACT.md), a severity and a sentence a clerk understands.

use std::fmt;

/// A stable reason code. The strings returned by [`ReasonCode::as_str`] are part of the external
/// contract: scripts and partners match on them, so they never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReasonCode {
    // Format and identity.
    /// The file is not a well-formed signed instruction.
    MalformedFile,
    /// The file names a format version this build does not understand.
    UnsupportedVersion,
    /// The file is larger than the format allows.
    FileTooLarge,
    /// The signature does not verify.
    SignatureInvalid,
    /// The signing key is not pinned for any partner (or is not the given card's key).
    UnknownSigner,
    /// The signing key has been revoked or retired.
    KeyRevoked,
    /// The instruction is addressed to someone else.
    WrongRecipient,
    /// The validity window has ended.
    Expired,
    /// The validity window has not started yet.
    NotYetValid,
    /// The instruction was received before, or an newer one from the same key was already accepted.
    Replayed,
    // Bank details.
    /// The IBAN fails its country format or checksum.
    IbanInvalid,
    /// The BIC is not a well-formed business identifier code.
    BicInvalid,
    /// The IBAN's country and the BIC's country differ.
    IbanBicCountryMismatch,
    /// No account of this partner is known yet.
    FirstInstruction,
    /// The account differs from the partner's current one.
    BankDetailsChanged,
    /// The account was used before and later retired.
    AccountPreviouslyRetired,
    /// The account was marked fraudulent after a denied callback, and a second person confirmed it.
    AccountKnownFraudulent,
    /// A callback about the account was denied: it is suspected until a second person confirms or
    /// clears the mark (issue 15).
    AccountSuspected,
    /// The account is registered to another partner.
    AccountUsedByOtherPartner,
    /// The beneficiary name does not match the partner's legal name.
    BeneficiaryNameMismatch,
    /// The account's country differs from the partner's previous account or registered country.
    CountryChanged,
    /// The partner's key was rotated recently.
    RecentKeyRotation,
    /// The partner's account changed more than once in the policy window.
    FrequentChanges,
    /// The amount is far outside the partner's history.
    AmountUnusual,
    // Email evidence.
    /// Replies or bounces go to a different domain than the sender's.
    EmailReplyToMismatch,
    /// An address imitates a registered partner domain or our own.
    EmailLookalikeDomain,
    /// SPF, DKIM or DMARC did not pass, or passed for another domain.
    EmailAuthFailed,
    /// The display name imitates a partner or contact on an outside address.
    EmailDisplayNameSpoof,
    /// The sender's domain is not registered for the partner.
    EmailUnregisteredDomain,
    /// The message gives a phone number that is not on file for the partner (issue 20).
    EmailNumberNotOnFile,
    /// The message's text gives an address or link on a domain registered neither for the
    /// partner nor for us (issue 20).
    EmailDomainNotOnFile,
    // Bank name checks attached to a case (issue 20; `vop_` for both VoP and CoP).
    /// The payee's bank says the account is not held in the name sent (VoP `NMTC`; CoP `ANNM`,
    /// `AC01`, `BANM`, `PANM`): the case is held.
    VopNoMatch,
    /// The payee's bank found a close match and returned the name it holds.
    VopCloseMatch,
    /// The payee's bank confirmed the name: supporting evidence.
    VopMatch,
    /// The payee's bank could not check the name (VoP `NOAP`, CoP `OPTO`, …): holds nothing.
    VopNotPossible,
    // The partner's own word.
    /// The partner froze its payments with a signed notice (issue 20): nothing to it is released
    /// until the freeze is lifted.
    PartnerFrozen,
}

impl ReasonCode {
    /// Every reason code, in contract order.
    pub const ALL: [ReasonCode; 36] = [
        Self::MalformedFile,
        Self::UnsupportedVersion,
        Self::FileTooLarge,
        Self::SignatureInvalid,
        Self::UnknownSigner,
        Self::KeyRevoked,
        Self::WrongRecipient,
        Self::Expired,
        Self::NotYetValid,
        Self::Replayed,
        Self::IbanInvalid,
        Self::BicInvalid,
        Self::IbanBicCountryMismatch,
        Self::FirstInstruction,
        Self::BankDetailsChanged,
        Self::AccountPreviouslyRetired,
        Self::AccountKnownFraudulent,
        Self::AccountSuspected,
        Self::AccountUsedByOtherPartner,
        Self::BeneficiaryNameMismatch,
        Self::CountryChanged,
        Self::RecentKeyRotation,
        Self::FrequentChanges,
        Self::AmountUnusual,
        Self::EmailReplyToMismatch,
        Self::EmailLookalikeDomain,
        Self::EmailAuthFailed,
        Self::EmailDisplayNameSpoof,
        Self::EmailUnregisteredDomain,
        Self::EmailNumberNotOnFile,
        Self::EmailDomainNotOnFile,
        Self::VopNoMatch,
        Self::VopCloseMatch,
        Self::VopMatch,
        Self::VopNotPossible,
        Self::PartnerFrozen,
    ];

    /// The stable string of the contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedFile => "malformed_file",
            Self::UnsupportedVersion => "unsupported_version",
            Self::FileTooLarge => "file_too_large",
            Self::SignatureInvalid => "signature_invalid",
            Self::UnknownSigner => "unknown_signer",
            Self::KeyRevoked => "key_revoked",
            Self::WrongRecipient => "wrong_recipient",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::Replayed => "replayed",
            Self::IbanInvalid => "iban_invalid",
            Self::BicInvalid => "bic_invalid",
            Self::IbanBicCountryMismatch => "iban_bic_country_mismatch",
            Self::FirstInstruction => "first_instruction",
            Self::BankDetailsChanged => "bank_details_changed",
            Self::AccountPreviouslyRetired => "account_previously_retired",
            Self::AccountKnownFraudulent => "account_known_fraudulent",
            Self::AccountSuspected => "account_suspected",
            Self::AccountUsedByOtherPartner => "account_used_by_other_partner",
            Self::BeneficiaryNameMismatch => "beneficiary_name_mismatch",
            Self::CountryChanged => "country_changed",
            Self::RecentKeyRotation => "recent_key_rotation",
            Self::FrequentChanges => "frequent_changes",
            Self::AmountUnusual => "amount_unusual",
            Self::EmailReplyToMismatch => "email_reply_to_mismatch",
            Self::EmailLookalikeDomain => "email_lookalike_domain",
            Self::EmailAuthFailed => "email_auth_failed",
            Self::EmailDisplayNameSpoof => "email_display_name_spoof",
            Self::EmailUnregisteredDomain => "email_unregistered_domain",
            Self::EmailNumberNotOnFile => "email_number_not_on_file",
            Self::EmailDomainNotOnFile => "email_domain_not_on_file",
            Self::VopNoMatch => "vop_no_match",
            Self::VopCloseMatch => "vop_close_match",
            Self::VopMatch => "vop_match",
            Self::VopNotPossible => "vop_not_possible",
            Self::PartnerFrozen => "partner_frozen",
        }
    }

    /// Parses a contract string back into a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// True for the format and identity group: any of these makes the instruction unusable.
    pub fn is_identity_failure(self) -> bool {
        matches!(
            self,
            Self::MalformedFile
                | Self::UnsupportedVersion
                | Self::FileTooLarge
                | Self::SignatureInvalid
                | Self::UnknownSigner
                | Self::KeyRevoked
                | Self::WrongRecipient
                | Self::Expired
                | Self::NotYetValid
                | Self::Replayed
        )
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Severity {
    /// Worth knowing; needs no action.
    Info,
    /// Needs a control (callback, approval) before payment.
    Warning,
    /// The instruction must not be paid.
    Critical,
}

impl Severity {
    /// The stable string of the contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }
}

use std::collections::BTreeMap;

/// One thing an assessment found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The stable reason code.
    pub code: ReasonCode,
    /// How much it weighs.
    pub severity: Severity,
    /// A sentence a clerk understands, naming the value that caused it.
    pub message: String,
    /// The values the message names (an account, an amount, a time, a count), by name, so that a
    /// shell can word the finding in the user's language; absent when the message names none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
}

impl Finding {
    /// A finding with the given code, severity and message.
    pub fn new(code: ReasonCode, severity: Severity, message: impl Into<String>) -> Self {
        Finding { code, severity, message: message.into(), values: BTreeMap::new() }
    }

    /// The finding with one more value its message names (`name` in snake_case: `from`,
    /// `amount`, `at`, …); times in the UTC spelling, amounts as `Money` writes them.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_string(), value.into());
        self
    }

    /// A critical finding.
    pub fn critical(code: ReasonCode, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Critical, message)
    }

    /// A warning.
    pub fn warning(code: ReasonCode, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
    }

    /// An informational finding.
    pub fn info(code: ReasonCode, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Info, message)
    }
}

/// The outcome of an assessment. Ordered from best to worst, so the worst of several is `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Verdict {
    /// Valid and consistent with everything known: may be paid under the normal controls.
    Accepted,
    /// Valid, but needs a callback and a second approval before payment.
    Hold,
    /// Must not be paid.
    Rejected,
}

impl Verdict {
    /// The stable string of the contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Hold => "hold",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the contract's string.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Accepted, Self::Hold, Self::Rejected].into_iter().find(|v| v.as_str() == text)
    }

    /// The verdict implied by a set of findings: any critical finding rejects, any warning holds.
    pub fn from_findings(findings: &[Finding]) -> Self {
        match findings.iter().map(|f| f.severity).max() {
            Some(Severity::Critical) => Self::Rejected,
            Some(Severity::Warning) => Self::Hold,
            _ => Self::Accepted,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The format and identity group (docs/format.md): exactly these codes make a file unusable.
    #[test]
    fn the_identity_group_is_the_format_and_identity_codes() {
        use ReasonCode::*;
        let group = [
            MalformedFile,
            UnsupportedVersion,
            FileTooLarge,
            SignatureInvalid,
            UnknownSigner,
            KeyRevoked,
            WrongRecipient,
            Expired,
            NotYetValid,
            Replayed,
        ];
        for code in ReasonCode::ALL {
            assert_eq!(code.is_identity_failure(), group.contains(&code), "{code}");
        }
    }

    /// Codes and verdicts show as their contract strings, padded like any string.
    #[test]
    fn codes_and_verdicts_display_as_their_strings() {
        assert_eq!(format!("[{:<24}]", ReasonCode::BankDetailsChanged), format!("[{:<24}]", "bank_details_changed"));
        for v in [Verdict::Accepted, Verdict::Hold, Verdict::Rejected] {
            assert_eq!(format!("{v:>9}"), format!("{:>9}", v.as_str()));
        }
    }

    #[test]
    fn every_code_round_trips_and_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ReasonCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {}", code);
            assert_eq!(ReasonCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ReasonCode::parse("no_such_code"), None);
    }

    #[test]
    fn verdict_follows_the_worst_severity() {
        let info = Finding::info(ReasonCode::FirstInstruction, "x");
        let warn = Finding::warning(ReasonCode::BankDetailsChanged, "x");
        let crit = Finding::critical(ReasonCode::SignatureInvalid, "x");
        assert_eq!(Verdict::from_findings(&[]), Verdict::Accepted);
        assert_eq!(Verdict::from_findings(std::slice::from_ref(&info)), Verdict::Accepted);
        assert_eq!(Verdict::from_findings(&[info.clone(), warn.clone()]), Verdict::Hold);
        assert_eq!(Verdict::from_findings(&[warn, crit, info]), Verdict::Rejected);
        assert!(Verdict::Rejected > Verdict::Hold && Verdict::Hold > Verdict::Accepted);
    }
}
