//! Which numbers on file a case's callback may use (issue 20). The callback is only as good as the
//! number dialled: a number that appears in the email that came with the instruction may be the
//! fraudster's (or one an admin once typed from such an email), and a number put on file after the
//! instruction arrived may have been put there for it. Neither is offered for that case, and a
//! callback recorded to one is refused; the reason is said.
//!
//! Pure: the facts (each number's provenance, the receipt's position in the log and the numbers
//! of its email) come from the signed statements, gathered by the service.

use crate::registry::NumberProvenance;

/// Why a number on file is not offered for a case's callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Withheld {
    /// The number appears in the email that came with the instruction.
    InEmail,
    /// The number was put on file after the instruction arrived.
    AddedAfterInstruction,
}

impl Withheld {
    /// Every reason.
    pub const ALL: [Withheld; 2] = [Withheld::InEmail, Withheld::AddedAfterInstruction];

    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Withheld::InEmail => "in_email",
            Withheld::AddedAfterInstruction => "added_after_instruction",
        }
    }

    /// The reason in a sentence, for the number `shown` (as people read it).
    pub fn explain(self, shown: &str) -> String {
        match self {
            Withheld::InEmail => format!(
                "{shown} appears in the email that came with this instruction, so it may be the fraudster's: call another number on file"
            ),
            Withheld::AddedAfterInstruction => format!(
                "{shown} was put on file after this instruction arrived, so it may have been put there for it: call a number on file from before"
            ),
        }
    }
}

/// What the signed receipt of a case says that the rule reads.
#[derive(Debug, Clone, Copy)]
pub struct Receipt<'a> {
    /// The position in the log of the statement that received the instruction.
    pub seq: u64,
    /// The numbers the email that came with it gives, E.164 (none without an email).
    pub email_numbers: &'a [String],
}

/// Why the number `e164`, on file with `provenance`, is not offered for the callback of the case
/// received as `receipt`; `None` when it is offered. The email comes first: it is the stronger
/// reason.
pub fn withheld(e164: &str, provenance: &NumberProvenance, receipt: &Receipt<'_>) -> Option<Withheld> {
    if receipt.email_numbers.iter().any(|n| n == e164) {
        Some(Withheld::InEmail)
    } else if provenance.seq > receipt.seq {
        Some(Withheld::AddedAfterInstruction)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::NumberSource;

    fn on_file(seq: u64) -> NumberProvenance {
        NumberProvenance {
            source: NumberSource::Onboarding,
            label: None,
            recorded_by: "alice".into(),
            approved_by: Some("dave".into()),
            at: "2026-12-04T09:00:00Z".into(),
            seq,
        }
    }

    #[test]
    fn a_number_on_file_before_the_instruction_and_not_in_its_email_is_offered() {
        let email = ["+442079460999".to_string()];
        let receipt = Receipt { seq: 10, email_numbers: &email };
        assert_eq!(withheld("+49301234567", &on_file(4), &receipt), None);
    }

    #[test]
    fn a_number_in_the_email_is_withheld_even_when_it_was_on_file_before() {
        let email = ["+49301234567".to_string()];
        let receipt = Receipt { seq: 10, email_numbers: &email };
        assert_eq!(withheld("+49301234567", &on_file(4), &receipt), Some(Withheld::InEmail));
        assert_eq!(withheld("+49301234567", &on_file(11), &receipt), Some(Withheld::InEmail), "the email is the stronger reason");
    }

    #[test]
    fn a_number_put_on_file_after_the_receipt_is_withheld_and_one_just_before_is_not() {
        let receipt = Receipt { seq: 10, email_numbers: &[] };
        assert_eq!(withheld("+49301234567", &on_file(11), &receipt), Some(Withheld::AddedAfterInstruction));
        assert_eq!(withheld("+49301234567", &on_file(9), &receipt), None);
    }

    #[test]
    fn the_reasons_have_stable_codes_serde_uses_and_sentences_naming_the_number() {
        for reason in Withheld::ALL {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
            assert!(reason.explain("+49 30 1234567").starts_with("+49 30 1234567 "));
        }
    }
}
