//! The service's clock: the system's, which tests move forward instead of waiting (a cooling-off
//! of 24 hours, a challenge's lifetime). The core takes every time as a parameter; this is the
//! one place the service reads how far ahead of the system clock it runs.
//!
//! - The service's own unit tests move the clock of their thread with [`move_ahead`].
//! - A debug build reads [`AHEAD_ENV`] (whole seconds, at most a year) once per process, so the
//!   CLI's scenario tests can act a day later. A release build ignores it: there, the clock is
//!   the system's.

use std::sync::OnceLock;

use time::Duration;

/// Seconds a debug build's clock runs ahead of the system's (tests only).
pub const AHEAD_ENV: &str = "COUNTERSIGN_TEST_CLOCK_AHEAD";

/// The most a test may move the clock: a year.
const MAX_AHEAD_SECONDS: i64 = 366 * 24 * 3600;

/// How far ahead of the system clock the service's clock runs (zero in a release build).
pub(crate) fn ahead() -> Duration {
    from_environment() + of_this_thread()
}

fn from_environment() -> Duration {
    if !cfg!(debug_assertions) {
        return Duration::ZERO;
    }
    static AHEAD: OnceLock<Duration> = OnceLock::new();
    *AHEAD.get_or_init(|| std::env::var(AHEAD_ENV).ok().map_or(Duration::ZERO, |v| parse_ahead(&v)))
}

/// Whole seconds from 0 to a year; anything else is a mistake in a test, which must not pass
/// silently.
fn parse_ahead(text: &str) -> Duration {
    match text.trim().parse::<i64>() {
        Ok(s) if (0..=MAX_AHEAD_SECONDS).contains(&s) => Duration::seconds(s),
        _ => panic!("{AHEAD_ENV}={text:?}: give whole seconds from 0 to {MAX_AHEAD_SECONDS}"),
    }
}

#[cfg(test)]
thread_local! {
    static THREAD_AHEAD: std::cell::Cell<Duration> = const { std::cell::Cell::new(Duration::ZERO) };
}

#[cfg(test)]
fn of_this_thread() -> Duration {
    THREAD_AHEAD.with(|a| a.get())
}

#[cfg(not(test))]
fn of_this_thread() -> Duration {
    Duration::ZERO
}

/// Moves the clock of the calling test's thread forward by `by`.
#[cfg(test)]
pub(crate) fn move_ahead(by: Duration) {
    THREAD_AHEAD.with(|a| a.set(a.get() + by));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_moves_its_own_threads_clock_only() {
        let before = crate::now();
        move_ahead(Duration::hours(25));
        let after = crate::now();
        assert!(after - before >= Duration::hours(25), "{before} → {after}");
        let other = std::thread::spawn(crate::now).join().unwrap();
        assert!(other < after - Duration::hours(24), "another thread's clock stays");
    }

    #[test]
    fn the_environment_gives_whole_seconds_up_to_a_year() {
        assert_eq!(parse_ahead("90000"), Duration::seconds(90_000));
        assert_eq!(parse_ahead("0"), Duration::ZERO);
        for bad in ["-1", "1.5", "25h", "", "31708801"] {
            assert!(std::panic::catch_unwind(|| parse_ahead(bad)).is_err(), "{bad:?}");
        }
    }
}
