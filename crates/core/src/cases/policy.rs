//! The workspace's policy: which findings need a callback and the thresholds of the
//! assessment rules. Safe defaults; stored in the workspace as JSON and changed only by an
//! admin (the service enforces that). Pure data, no I/O.

use serde::{Deserialize, Serialize};

/// The assessment and control policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// `frequent_changes`: more than one account change within this many days.
    pub change_window_days: u32,
    /// `recent_key_rotation`: raised for this many days after a key rotation.
    pub rotation_window_days: u32,
    /// `amount_unusual`: an amount above this multiple of the largest earlier amount (same currency).
    pub amount_unusual_factor: u32,
    /// `amount_unusual` is judged only with at least this many earlier amounts in the currency.
    pub amount_history_min: u32,
    /// Whether a first instruction from a partner with no known account needs a callback.
    pub first_instruction_needs_callback: bool,
    /// Whether an account shared with another partner needs a callback (true) or is only noted.
    pub shared_account_needs_callback: bool,
    /// Whether a close (not exact) beneficiary-name match needs a callback.
    pub close_name_match_needs_callback: bool,
    /// Approvers and admins must use a TOTP second factor.
    pub require_totp_for_approvers: bool,
    /// Accepted cases with an amount above this (in minor units, any currency) need approval too.
    pub approval_threshold_minor: u64,
    /// After a partner's account changes, payments to the new account wait this many hours
    /// (0: no wait). The payment-file screening holds them (`account_cooling_off`).
    pub cooling_off_hours: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            change_window_days: 90,
            rotation_window_days: 30,
            amount_unusual_factor: 3,
            amount_history_min: 3,
            first_instruction_needs_callback: true,
            shared_account_needs_callback: true,
            close_name_match_needs_callback: false,
            require_totp_for_approvers: false,
            approval_threshold_minor: 10_000_00,
            cooling_off_hours: 24,
        }
    }
}

/// A number of the policy outside its bounds: the setting (its field name) and the bounds, so a
/// shell words it in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange {
    /// The setting's field name (`change_window_days`, …).
    pub setting: &'static str,
    /// The least value allowed.
    pub min: u32,
    /// The greatest value allowed.
    pub max: u32,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} must be between {} and {}", self.setting, self.min, self.max)?;
        if self.setting == "cooling_off_hours" {
            f.write_str(" (90 days)")?;
        }
        Ok(())
    }
}

impl Policy {
    /// Checks that the numbers make sense; the message names the field.
    pub fn validate(&self) -> Result<(), OutOfRange> {
        let bounds = [
            ("change_window_days", self.change_window_days, 1, 3650),
            ("rotation_window_days", self.rotation_window_days, 1, 3650),
            ("amount_unusual_factor", self.amount_unusual_factor, 2, 1000),
            ("amount_history_min", self.amount_history_min, 1, 1000),
            ("cooling_off_hours", self.cooling_off_hours, 0, 24 * 90),
        ];
        match bounds.into_iter().find(|(_, value, min, max)| !(*min..=*max).contains(value)) {
            Some((setting, _, min, max)) => Err(OutOfRange { setting, min, max }),
            None => Ok(()),
        }
    }

    /// The settings in which `self` is looser than `old`: fewer findings raised, fewer cases
    /// held, fewer people or factors asked for. Loosening a control needs a second person
    /// (issue 15); tightening takes effect at once.
    pub fn loosened_from(&self, old: &Policy) -> Vec<&'static str> {
        let mut looser = vec![];
        let mut check = |name, loosens: bool| {
            if loosens {
                looser.push(name);
            }
        };
        check("change_window_days", self.change_window_days < old.change_window_days);
        check("rotation_window_days", self.rotation_window_days < old.rotation_window_days);
        check("amount_unusual_factor", self.amount_unusual_factor > old.amount_unusual_factor);
        check("amount_history_min", self.amount_history_min > old.amount_history_min);
        check("first_instruction_needs_callback", old.first_instruction_needs_callback && !self.first_instruction_needs_callback);
        check("shared_account_needs_callback", old.shared_account_needs_callback && !self.shared_account_needs_callback);
        check("close_name_match_needs_callback", old.close_name_match_needs_callback && !self.close_name_match_needs_callback);
        check("require_totp_for_approvers", old.require_totp_for_approvers && !self.require_totp_for_approvers);
        check("approval_threshold_minor", self.approval_threshold_minor > old.approval_threshold_minor);
        check("cooling_off_hours", self.cooling_off_hours < old.cooling_off_hours);
        looser
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let p = Policy::default();
        p.validate().unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Policy>(&json).unwrap(), p);
        assert_eq!(serde_json::from_str::<Policy>("{}").unwrap(), p, "missing fields take defaults");
        assert!(serde_json::from_str::<Policy>(r#"{"nope":1}"#).is_err());
        assert!(Policy { amount_unusual_factor: 1, ..p }.validate().is_err());
    }

    /// Each bound of `validate`: the edge values pass, one past them is refused with the field named.
    #[test]
    fn every_bound_of_validate_is_where_its_message_says() {
        let p = Policy::default();
        type With = fn(u32) -> Policy;
        let cases: [(&str, With, u32, u32); 5] = [
            ("change_window_days", |v| Policy { change_window_days: v, ..Policy::default() }, 1, 3650),
            ("rotation_window_days", |v| Policy { rotation_window_days: v, ..Policy::default() }, 1, 3650),
            ("amount_unusual_factor", |v| Policy { amount_unusual_factor: v, ..Policy::default() }, 2, 1000),
            ("amount_history_min", |v| Policy { amount_history_min: v, ..Policy::default() }, 1, 1000),
            ("cooling_off_hours", |v| Policy { cooling_off_hours: v, ..Policy::default() }, 0, 2160),
        ];
        for (field, with, low, high) in cases {
            assert_eq!(with(low).validate(), Ok(()), "{field} = {low}");
            assert_eq!(with(high).validate(), Ok(()), "{field} = {high}");
            let above = with(high + 1).validate().unwrap_err();
            assert_eq!(above, OutOfRange { setting: field, min: low, max: high }, "{field} = {}", high + 1);
            assert!(above.to_string().starts_with(&format!("{field} must be between {low} and {high}")), "{above}");
            if low > 0 {
                assert_eq!(with(low - 1).validate().unwrap_err().setting, field, "{field} = {}", low - 1);
            }
        }
        let hours = Policy { cooling_off_hours: 2161, ..Policy::default() }.validate().unwrap_err();
        assert_eq!(hours.to_string(), "cooling_off_hours must be between 0 and 2160 (90 days)");

        assert_eq!(p.validate(), Ok(()));
    }

    /// Every setting, one at a time: moving it the loose way is named, the strict way is not.
    #[test]
    fn each_setting_loosens_one_way_only() {
        let p = Policy::default();
        // The two checks off by default are loosened from a policy that has them on.
        let on = Policy { close_name_match_needs_callback: true, require_totp_for_approvers: true, ..p.clone() };
        let cases: [(&str, &Policy, Policy); 10] = [
            ("change_window_days", &p, Policy { change_window_days: 89, ..p.clone() }),
            ("rotation_window_days", &p, Policy { rotation_window_days: 29, ..p.clone() }),
            ("amount_unusual_factor", &p, Policy { amount_unusual_factor: 4, ..p.clone() }),
            ("amount_history_min", &p, Policy { amount_history_min: 4, ..p.clone() }),
            ("first_instruction_needs_callback", &p, Policy { first_instruction_needs_callback: false, ..p.clone() }),
            ("shared_account_needs_callback", &p, Policy { shared_account_needs_callback: false, ..p.clone() }),
            ("close_name_match_needs_callback", &on, Policy { close_name_match_needs_callback: false, ..on.clone() }),
            ("require_totp_for_approvers", &on, Policy { require_totp_for_approvers: false, ..on.clone() }),
            ("approval_threshold_minor", &p, Policy { approval_threshold_minor: p.approval_threshold_minor + 1, ..p.clone() }),
            ("cooling_off_hours", &p, Policy { cooling_off_hours: 23, ..p.clone() }),
        ];
        for (field, base, loose) in cases {
            assert_eq!(loose.loosened_from(base), [field], "{field} loosened");
            assert!(base.loosened_from(&loose).is_empty(), "{field} tightened back");
            assert!(loose.loosened_from(&loose).is_empty(), "{field} unchanged");
        }
    }

    #[test]
    fn raising_a_threshold_or_dropping_a_check_loosens_and_the_opposite_tightens() {
        let p = Policy::default();
        assert!(p.loosened_from(&p).is_empty());
        let raised = Policy { approval_threshold_minor: p.approval_threshold_minor + 1, ..p.clone() };
        assert_eq!(raised.loosened_from(&p), ["approval_threshold_minor"]);
        assert!(p.loosened_from(&raised).is_empty(), "lowering the threshold tightens");
        let at_threshold = Policy { approval_threshold_minor: p.approval_threshold_minor, ..p.clone() };
        assert!(at_threshold.loosened_from(&p).is_empty(), "the same value is no change");
        let dropped = Policy { first_instruction_needs_callback: false, change_window_days: 1, amount_unusual_factor: 4, ..p.clone() };
        assert_eq!(dropped.loosened_from(&p), ["change_window_days", "amount_unusual_factor", "first_instruction_needs_callback"]);
        let strict = Policy { require_totp_for_approvers: true, ..p.clone() };
        assert_eq!(p.loosened_from(&strict), ["require_totp_for_approvers"]);
        assert_eq!(
            Policy { amount_history_min: 4, rotation_window_days: 29, ..p.clone() }.loosened_from(&p),
            ["rotation_window_days", "amount_history_min"]
        );
    }
}
