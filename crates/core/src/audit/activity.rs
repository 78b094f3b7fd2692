//! Activity over time, for the auditor's chart (pure): per UTC day, how many received
//! instructions were accepted, held or rejected (`instruction.receive` events by verdict), how
//! many callbacks the partner denied (`case.callback` with outcome `denied`), and how many
//! attempts were refused (failed sign-ins and every event the service logged with a `refused`
//! code: a role without the right, a number not on file, …). Days without events between the
//! first and the last appear with zeros, so a chart's time axis has no holes.

use serde_json::Value;
use time::{Date, Duration};

use crate::audit::chain::EventFields;
use crate::encoding::parse_utc;

/// The counts of one UTC day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayActivity {
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Instructions received with the verdict `accepted`.
    pub accepted: u32,
    /// Instructions received with the verdict `hold`.
    pub hold: u32,
    /// Instructions received with the verdict `rejected`.
    pub rejected: u32,
    /// Callbacks in which the partner denied sending the instruction.
    pub denied: u32,
    /// Refused attempts: failed sign-ins and refusals the service logged.
    pub refused: u32,
}

impl DayActivity {
    /// Whether nothing was counted on this day.
    pub fn is_empty(&self) -> bool {
        self.accepted == 0 && self.hold == 0 && self.rejected == 0 && self.denied == 0 && self.refused == 0
    }
}

/// What one event adds to its day's counts, if anything.
fn count(event: &EventFields<'_>, day: &mut DayActivity) {
    let details: Value = serde_json::from_str(event.details).unwrap_or(Value::Null);
    let field = |name: &str| details.get(name).and_then(Value::as_str);
    match event.action {
        "instruction.receive" => match field("verdict") {
            Some("accepted") => day.accepted += 1,
            Some("hold") => day.hold += 1,
            Some("rejected") => day.rejected += 1,
            _ => {}
        },
        "case.callback" if field("outcome") == Some("denied") => day.denied += 1,
        "login.failed" => day.refused += 1,
        _ if details.get("refused").is_some() => day.refused += 1,
        _ => {}
    }
}

/// Per-day counts of events (added in any order), one event at a time, for a log read a row at a
/// time and never held whole.
#[derive(Debug, Default)]
pub struct DailyActivity {
    days: std::collections::BTreeMap<Date, DayActivity>,
}

impl DailyActivity {
    /// Counts one event (left out when its time does not parse).
    pub fn add(&mut self, event: &EventFields<'_>) {
        let Some(at) = parse_utc(event.at) else { return };
        count(event, self.days.entry(at.date()).or_default());
    }

    /// The days counted, oldest day first, one entry for every day from the first event's to the
    /// last's.
    pub fn finish(mut self) -> Vec<DayActivity> {
        let (Some(first), Some(last)) = (self.days.keys().next().copied(), self.days.keys().next_back().copied()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut date = first;
        while date <= last {
            let mut entry = self.days.remove(&date).unwrap_or_default();
            entry.day = format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day());
            out.push(entry);
            date += Duration::days(1);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(at: &'a str, action: &'a str, details: &'a str) -> EventFields<'a> {
        EventFields { seq: 1, at, actor: "dave", action, subject: "case:1", details }
    }

    fn daily_activity<'a>(events: impl IntoIterator<Item = EventFields<'a>>) -> Vec<DayActivity> {
        let mut days = DailyActivity::default();
        for event in events {
            days.add(&event);
        }
        days.finish()
    }

    #[test]
    fn days_count_verdicts_denials_and_refusals_with_the_gaps_filled() {
        let events = [
            event("2026-11-02T09:00:00Z", "instruction.receive", r#"{"verdict":"accepted"}"#),
            event("2026-11-02T23:59:59Z", "instruction.receive", r#"{"verdict":"hold"}"#),
            event("2026-11-02T10:00:00Z", "instruction.receive", r#"{"verdict":"hold"}"#),
            // A check without receiving is not a verification counted here.
            event("2026-11-02T10:00:00Z", "instruction.verify", r#"{"verdict":"rejected"}"#),
            event("2026-11-04T00:00:00Z", "instruction.receive", r#"{"verdict":"rejected"}"#),
            event("2026-11-04T08:00:00Z", "case.callback", r#"{"outcome":"denied","status":"rejected"}"#),
            event("2026-11-04T08:05:00Z", "case.callback", r#"{"outcome":"confirmed"}"#),
            event("2026-11-04T09:00:00Z", "permission.denied", r#"{"attempted":"case.approve","refused":"not_permitted"}"#),
            event("2026-11-04T09:01:00Z", "case.callback_refused", r#"{"dialed":"+4930","refused":"not_permitted"}"#),
            event("2026-11-04T09:02:00Z", "login.failed", r#"{"why":"wrong password","failures":1}"#),
            event("not a time", "instruction.receive", r#"{"verdict":"accepted"}"#),
        ];
        let days = daily_activity(events);
        assert_eq!(
            days,
            vec![
                DayActivity { day: "2026-11-02".into(), accepted: 1, hold: 2, ..Default::default() },
                DayActivity { day: "2026-11-03".into(), ..Default::default() },
                DayActivity { day: "2026-11-04".into(), rejected: 1, denied: 1, refused: 3, ..Default::default() },
            ]
        );
        assert!(days[1].is_empty());
        assert!(!days[0].is_empty());
    }

    #[test]
    fn no_events_no_days_and_a_month_boundary_is_crossed() {
        assert!(daily_activity([]).is_empty());
        let days =
            daily_activity([event("2026-12-01T00:00:00Z", "login.failed", "{}"), event("2026-11-30T12:00:00Z", "login.failed", "{}")]);
        assert_eq!(days.iter().map(|d| (d.day.as_str(), d.refused)).collect::<Vec<_>>(), [("2026-11-30", 1), ("2026-12-01", 1)]);
    }
}
