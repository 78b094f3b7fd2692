//! Canonical encodings shared by every file format: standard base64 with padding, decoded
//! strictly (no whitespace, no non-zero trailing bits), and UTC timestamps in one RFC 3339 shape.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Encodes bytes as standard base64 with padding.
pub fn b64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// SHA-256 of `bytes`, as lower-case hex: how a file is named in statements and receipts.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::audit::chain::hex(&Sha256::digest(bytes))
}

/// Decodes standard base64, accepting only the canonical encoding: the one [`b64_encode`] makes.
pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = STANDARD.decode(text).ok()?;
    // The engine already refuses non-zero trailing bits and missing padding; the round trip also
    // rules out anything else that is not the one canonical spelling.
    (STANDARD.encode(&bytes) == text).then_some(bytes)
}

/// Decodes canonical base64 into exactly `N` bytes.
pub fn b64_decode_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    b64_decode(text)?.try_into().ok()
}

/// Formats a UTC time as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds; the one form the files use).
pub fn format_utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` exactly: RFC 3339, UTC (`Z`), whole seconds, years 0001–9999.
pub fn parse_utc(text: &str) -> Option<OffsetDateTime> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    (format_utc(t) == text && in_years(t.year())).then_some(t)
}

/// Whether a year is one the formats allow: 0001 to 9999 (RFC 3339 also allows 0000).
pub fn in_years(year: i32) -> bool {
    (1..=9999).contains(&year)
}

/// Parses any RFC 3339 time (with an offset) and converts it to UTC, dropping fractions of a
/// second. For user input such as DETAILS.json, not for signed files.
pub fn parse_rfc3339_lenient(text: &str) -> Option<OffsetDateTime> {
    let t = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?;
    // The offset may move the time into year 0000 or 10000, which `to_offset` cannot represent.
    let utc = t.checked_to_offset(UtcOffset::UTC)?.replace_nanosecond(0).ok()?;
    in_years(utc.year()).then_some(utc)
}

/// Truncates a time to whole seconds in UTC, the precision the files carry.
pub fn whole_seconds_utc(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(UtcOffset::UTC).replace_nanosecond(0).expect("zero nanoseconds is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 16): year 0000 is RFC 3339 but not one of the formats' years (0001–9999).
    #[test]
    fn year_0000_is_refused_strictly_and_leniently() {
        assert!(parse_utc("0000-01-01T00:00:00Z").is_none());
        assert!(parse_utc("0001-01-01T00:00:00Z").is_some());
        assert!(parse_utc("9999-12-31T23:59:59Z").is_some());
        assert!(parse_rfc3339_lenient("0000-06-01T00:00:00Z").is_none());
        // An offset that moves the time across a year boundary out of range, both ways.
        assert!(parse_rfc3339_lenient("0001-01-01T00:30:00+01:00").is_none());
        assert!(parse_rfc3339_lenient("9999-12-31T23:30:00-01:00").is_none());
        assert!(parse_rfc3339_lenient("2026-01-01T00:30:00+01:00").is_some());
    }

    #[test]
    fn base64_round_trips_and_refuses_non_canonical_forms() {
        for n in 0..10 {
            let bytes: Vec<u8> = (0..n).collect();
            assert_eq!(b64_decode(&b64_encode(&bytes)), Some(bytes));
        }
        assert_eq!(b64_decode("AQ=="), Some(vec![1]));
        assert_eq!(b64_decode("AR=="), None, "non-zero trailing bits");
        assert_eq!(b64_decode("AQ"), None, "missing padding");
        assert_eq!(b64_decode("A Q=="), None, "whitespace");
        assert_eq!(b64_decode("AQ==\n"), None, "newline");
        assert_eq!(b64_decode("_w=="), None, "url-safe alphabet");
    }

    #[test]
    fn utc_times_have_one_spelling() {
        let t = parse_utc("2026-11-23T09:30:00Z").unwrap();
        assert_eq!(format_utc(t), "2026-11-23T09:30:00Z");
        assert_eq!(parse_utc("2026-11-23T09:30:00+00:00"), None);
        assert_eq!(parse_utc("2026-11-23T10:30:00+01:00"), None);
        assert_eq!(parse_utc("2026-11-23T09:30:00.5Z"), None);
        assert_eq!(parse_utc("2026-11-23t09:30:00z"), None);
        assert_eq!(parse_utc("2026-02-30T09:30:00Z"), None);
        let lenient = parse_rfc3339_lenient("2026-11-23T10:30:00.75+01:00").unwrap();
        assert_eq!(format_utc(lenient), "2026-11-23T09:30:00Z");
    }
}
