//! The partner registry as the workspace records it: partners, their pinned keys, the numbers on
//! file for callbacks, and the history of their bank accounts. Plain, typed data that the store
//! reads back and the service hands to the shells; the rules that read it live in
//! [`crate::assess`] and [`crate::cases`].

use std::fmt;

/// A partner: who signs the instructions we receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    /// Id in the workspace.
    pub id: i64,
    /// Legal name, as on the card and the contract.
    pub name: String,
    /// ISO 3166 country code, when recorded.
    pub country: Option<String>,
    /// When onboarded (UTC).
    pub created_at: String,
    /// Who onboarded it.
    pub created_by: String,
}

/// Whether a pinned key may sign for its partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum KeyStatus {
    /// Signs for the partner now.
    Active,
    /// Replaced by a rotation the partner signed; its old instructions stay verifiable.
    Retired,
    /// Withdrawn: nothing it signs is accepted.
    Revoked,
}

/// A partner's key, pinned after an out-of-band fingerprint check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedKey {
    /// Id in the workspace.
    pub id: i64,
    /// The partner it signs for.
    pub partner_id: i64,
    /// Its fingerprint, canonical text.
    pub fingerprint: String,
    /// The Ed25519 public key.
    pub public_key: [u8; 32],
    /// Whether it may sign now.
    pub status: KeyStatus,
    /// How the fingerprint was checked (read back on the phone, a rotation statement, …).
    pub verified_how: String,
    /// Who checked it.
    pub verified_by: String,
    /// When (UTC).
    pub verified_at: String,
    /// When it was retired or revoked.
    pub status_changed_at: Option<String>,
    /// Why.
    pub status_reason: Option<String>,
}

/// A phone number on file for callbacks, from an independent source (the contract).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnFileNumber {
    /// Its row id (the cursor of `partner show --history contacts`).
    pub id: i64,
    /// The number in E.164.
    pub e164: String,
    /// Where it came from.
    pub source: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (UTC).
    pub recorded_at: String,
}

/// Where a number on file came from (issue 20): the callback is only as good as the number
/// dialled, so each number says how it reached the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum NumberSource {
    /// Typed at onboarding, from the contract or the onboarding call.
    Onboarding,
    /// Listed on the partner's signed card, whose key was pinned after a fingerprint check.
    PartnerCard,
    /// Added after onboarding by an admin's change that a second person approved.
    Change,
}

/// Where a number on file came from, as the signed statements say (issue 20): never a column
/// anyone could edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberProvenance {
    /// How it reached the file.
    pub source: NumberSource,
    /// How the partner's card, or the admin who typed it, names it ("Accounts receivable").
    pub label: Option<String>,
    /// Who typed or chose it (the maker of the change).
    pub recorded_by: String,
    /// Who approved it, when a second person did (none in setup mode).
    pub approved_by: Option<String>,
    /// When it was put on file (the statement's time, UTC).
    pub at: String,
    /// The statement that put it on file: its position in the log, which orders it against the
    /// receipt of an instruction.
    pub seq: u64,
}

/// The status of an account in a partner's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AccountStatus {
    /// The account payments currently go to.
    Current,
    /// Seen in an instruction, not (yet) confirmed.
    Pending,
    /// Used before, replaced since.
    Retired,
    /// Marked fraudulent after a denied callback.
    Fraudulent,
}

/// One bank account in a partner's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// Id in the workspace.
    pub id: i64,
    /// The partner whose history it is in.
    pub partner_id: i64,
    /// [`crate::bank::BankAccount::key`] of the account.
    pub account_key: String,
    /// How people read it (IBAN in groups).
    pub display: String,
    /// The BIC.
    pub bic: String,
    /// Country where it is held.
    pub country: String,
    /// Its status.
    pub status: AccountStatus,
    /// Where it was first learnt: `contract` or `instruction`.
    pub source: String,
    /// First seen (UTC).
    pub first_seen: String,
    /// Last seen (UTC).
    pub last_seen: String,
    /// When it became the current account, if it ever did.
    pub became_current_at: Option<String>,
}

macro_rules! contract_strings {
    ($name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stored and displayed string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }

            /// Parses the stored string.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

contract_strings!(KeyStatus { Active => "active", Retired => "retired", Revoked => "revoked" });
contract_strings!(NumberSource { Onboarding => "onboarding", PartnerCard => "partner_card", Change => "change" });
contract_strings!(AccountStatus { Current => "current", Pending => "pending", Retired => "retired", Fraudulent => "fraudulent" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_strings_and_serde_uses_the_same() {
        for s in KeyStatus::ALL {
            assert_eq!(KeyStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in AccountStatus::ALL {
            assert_eq!(AccountStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in NumberSource::ALL {
            assert_eq!(NumberSource::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(KeyStatus::parse("Active"), None);
        assert_eq!(AccountStatus::parse(""), None);
    }
}
