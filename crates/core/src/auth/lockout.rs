//! The lockout policy against password guessing and credential stuffing: after a few
//! consecutive wrong passwords, an account is locked for a delay that doubles with every
//! further failure, up to a cap.
//!
//! Guarantees:
//! - Pure and total: the caller passes the count of consecutive failures and the time of the
//!   last one; nothing here reads a clock or panics, whatever the numbers (overflowing delays
//!   and dates saturate at the cap or the latest representable time).
//! - With the default policy: failures 1–4 never lock; the 5th locks for 1 minute, the 6th for
//!   2, the 7th for 4, … the 15th for 1024 minutes, and from the 16th on for the 24-hour cap.
//!
//! What the caller does with it: count consecutive failures per user and reset the count on a
//! successful login; while [`LockoutPolicy::is_locked`], refuse the login *without* checking the
//! password (so guesses made during a lock learn nothing and cost nothing), and log each failure
//! and each lock. A wrong second-factor code counts as a failure like a wrong password.

use time::{Duration, OffsetDateTime};

/// The numbers of the lockout policy; [`Default`] gives the values above, and a workspace policy
/// may set others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive failures that never lock the account (default 4).
    pub free_failures: u32,
    /// Lock after the first failure beyond the free ones (default 1 minute); each further
    /// failure doubles it. Zero or negative disables locking.
    pub first_lock: Duration,
    /// The longest lock (default 24 hours). Zero or negative disables locking.
    pub max_lock: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy { free_failures: 4, first_lock: Duration::minutes(1), max_lock: Duration::hours(24) }
    }
}

impl LockoutPolicy {
    /// How long the account is locked after `failures` consecutive failures, counted from the
    /// last one; `None` when it is not locked at all.
    pub fn lock_duration(&self, failures: u32) -> Option<Duration> {
        if failures <= self.free_failures || !self.first_lock.is_positive() || !self.max_lock.is_positive() {
            return None;
        }
        let doublings = failures - self.free_failures - 1;
        let delay = if doublings >= 31 { self.max_lock } else { self.first_lock.checked_mul(1i32 << doublings).unwrap_or(self.max_lock) };
        Some(delay.min(self.max_lock))
    }

    /// Until when the account is locked after `failures` consecutive failures, the last at
    /// `last_failure`; `None` when this many failures do not lock. The time may already be past:
    /// use [`LockoutPolicy::is_locked`] to ask about a given moment.
    pub fn locked_until(&self, failures: u32, last_failure: OffsetDateTime) -> Option<OffsetDateTime> {
        self.lock_duration(failures).map(|delay| last_failure.saturating_add(delay))
    }

    /// Whether the account is locked at `now`: the lock ends at [`LockoutPolicy::locked_until`],
    /// exclusive.
    pub fn is_locked(&self, failures: u32, last_failure: OffsetDateTime, now: OffsetDateTime) -> bool {
        self.locked_until(failures, last_failure).is_some_and(|until| now < until)
    }
}

/// [`LockoutPolicy::locked_until`] under the default policy.
pub fn locked_until(failures: u32, last_failure: OffsetDateTime) -> Option<OffsetDateTime> {
    LockoutPolicy::default().locked_until(failures, last_failure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const T: OffsetDateTime = datetime!(2025-03-01 09:00:00 UTC);

    #[test]
    fn first_four_failures_never_lock() {
        for failures in 0..=4 {
            assert_eq!(locked_until(failures, T), None, "{failures}");
        }
    }

    #[test]
    fn fifth_failure_locks_for_a_minute_then_doubles() {
        assert_eq!(locked_until(5, T), Some(T + Duration::minutes(1)));
        assert_eq!(locked_until(6, T), Some(T + Duration::minutes(2)));
        assert_eq!(locked_until(7, T), Some(T + Duration::minutes(4)));
        assert_eq!(locked_until(15, T), Some(T + Duration::minutes(1024)));
    }

    #[test]
    fn lock_is_capped_at_a_day() {
        assert_eq!(locked_until(16, T), Some(T + Duration::hours(24)));
        assert_eq!(locked_until(17, T), Some(T + Duration::hours(24)));
        assert_eq!(locked_until(40, T), Some(T + Duration::hours(24)));
        assert_eq!(locked_until(u32::MAX, T), Some(T + Duration::hours(24)));
    }

    #[test]
    fn lock_ends_exactly_at_locked_until() {
        let policy = LockoutPolicy::default();
        assert!(policy.is_locked(5, T, T));
        assert!(policy.is_locked(5, T, T + Duration::seconds(59)));
        assert!(!policy.is_locked(5, T, T + Duration::seconds(60)));
        assert!(!policy.is_locked(4, T, T));
    }

    #[test]
    fn a_workspace_can_change_the_numbers() {
        let policy = LockoutPolicy { free_failures: 2, first_lock: Duration::seconds(30), max_lock: Duration::minutes(5) };
        assert_eq!(policy.locked_until(2, T), None);
        assert_eq!(policy.locked_until(3, T), Some(T + Duration::seconds(30)));
        assert_eq!(policy.locked_until(6, T), Some(T + Duration::minutes(4)));
        assert_eq!(policy.locked_until(7, T), Some(T + Duration::minutes(5)));
    }

    #[test]
    fn cap_below_first_lock_still_caps() {
        let policy = LockoutPolicy { max_lock: Duration::seconds(10), ..LockoutPolicy::default() };
        assert_eq!(policy.lock_duration(5), Some(Duration::seconds(10)));
    }

    #[test]
    fn zero_or_negative_delays_disable_locking() {
        for policy in [
            LockoutPolicy { first_lock: Duration::ZERO, ..LockoutPolicy::default() },
            LockoutPolicy { first_lock: Duration::minutes(-1), ..LockoutPolicy::default() },
            LockoutPolicy { max_lock: Duration::ZERO, ..LockoutPolicy::default() },
        ] {
            assert_eq!(policy.locked_until(100, T), None);
        }
    }

    #[test]
    fn far_future_saturates_instead_of_panicking() {
        let late = OffsetDateTime::new_utc(time::Date::MAX, time::Time::MAX);
        assert_eq!(locked_until(5, late), Some(late));
        let huge = LockoutPolicy { first_lock: Duration::MAX, max_lock: Duration::MAX, free_failures: 0 };
        assert_eq!(huge.lock_duration(3), Some(Duration::MAX));
    }

    proptest! {
        #[test]
        fn lock_never_shrinks_and_never_exceeds_the_cap(failures in 0u32..200, secs in -1_000_000_000i64..1_000_000_000) {
            let policy = LockoutPolicy::default();
            let last = OffsetDateTime::from_unix_timestamp(secs).unwrap();
            let this = policy.lock_duration(failures).unwrap_or(Duration::ZERO);
            let next = policy.lock_duration(failures + 1).unwrap_or(Duration::ZERO);
            prop_assert!(next >= this);
            prop_assert!(this <= policy.max_lock);
            if let Some(until) = policy.locked_until(failures, last) {
                prop_assert_eq!(until - last, this);
            }
        }
    }
}
