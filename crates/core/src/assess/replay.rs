//! Replay: a signed instruction received again, or an older one sent after a newer one was
//! accepted from the same key. Pure: what the workspace already holds comes in as parameters.

use time::OffsetDateTime;

use crate::assess::findings::{Finding, ReasonCode};
use crate::encoding::format_utc;
use crate::format::instruction::Instruction;

/// An earlier case that holds the same signed instruction (same signer, same id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierReceipt {
    /// The earlier case.
    pub case_id: i64,
    /// When it was received (UTC, as the log writes it).
    pub received_at: String,
}

/// The `replayed` finding for `instruction`, if it is one: the same instruction received before,
/// or one issued before the newest instruction already accepted from its key (superseded).
pub fn replay_finding(
    instruction: &Instruction,
    earlier: Option<&EarlierReceipt>,
    newest_accepted: Option<OffsetDateTime>,
) -> Option<Finding> {
    if let Some(earlier) = earlier {
        return Some(Finding::critical(
            ReasonCode::Replayed,
            format!(
                "This instruction (id {}) was already received on {} as case {}.",
                instruction.id, earlier.received_at, earlier.case_id
            ),
        ));
    }
    let newest = newest_accepted.filter(|newest| instruction.issued_at < *newest)?;
    Some(Finding::critical(
        ReasonCode::Replayed,
        format!(
            "Superseded: issued at {}, before the newest instruction already accepted from this key (issued at {}); an old instruction sent again is a replay.",
            format_utc(instruction.issued_at),
            format_utc(newest)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::parse_utc;
    use crate::format::instruction::Details;
    use crate::format::keys::KeyPair;

    fn instruction(issued_at: &str) -> Instruction {
        let details =
            Details::from_json(br#"{"beneficiary_name":"Globex","iban":"DE89370400440532013000","bic":"COBADEFFXXX","currency":"EUR"}"#)
                .unwrap();
        let key = KeyPair::from_seed(&[3; 32]);
        details.to_instruction("i-1".into(), key.fingerprint(), key.fingerprint(), parse_utc(issued_at).unwrap()).unwrap()
    }

    #[test]
    fn the_same_instruction_again_is_replayed_and_names_the_earlier_case() {
        let earlier = EarlierReceipt { case_id: 7, received_at: "2026-11-20T10:00:00Z".into() };
        let finding = replay_finding(&instruction("2026-11-20T09:00:00Z"), Some(&earlier), None).unwrap();
        assert_eq!(finding.code, ReasonCode::Replayed);
        assert!(finding.message.contains("case 7") && finding.message.contains("2026-11-20T10:00:00Z"), "{}", finding.message);
    }

    #[test]
    fn an_instruction_older_than_the_newest_accepted_is_superseded_and_the_same_time_is_not() {
        let newest = parse_utc("2026-11-20T09:00:00Z");
        let older = replay_finding(&instruction("2026-11-20T08:59:59Z"), None, newest).unwrap();
        assert!(older.message.starts_with("Superseded"), "{}", older.message);
        assert_eq!(replay_finding(&instruction("2026-11-20T09:00:00Z"), None, newest), None);
        assert_eq!(replay_finding(&instruction("2026-11-21T09:00:00Z"), None, newest), None);
        assert_eq!(replay_finding(&instruction("2026-11-21T09:00:00Z"), None, None), None);
    }
}
