//! On-file phone numbers: the numbers a clerk may dial for a callback, taken from an independent
//! source (the contract, a registry) and never from the email that asks for a payment.
//!
//! Guarantees:
//! - A [`PhoneNumber`] always holds a number that the libphonenumber metadata (through the
//!   `phonenumber` crate) considers valid for its country, in canonical E.164 form
//!   (`+4930123456`): no spaces, no extension.
//! - Two ways of writing the same number ("030 123456" in Germany, "+49 (0)30 123-456",
//!   "0049 30 123456") parse to the same value, so equality of [`PhoneNumber`] is the
//!   comparison: "is the number the clerk dialled on file?" is `==`.
//! - Pure: no I/O; parsing never panics.

use std::fmt;
use std::str::FromStr;

use phonenumber::{country, Mode};

/// Inputs longer than this many characters are refused before parsing.
pub const MAX_INPUT_CHARS: usize = 64;

/// Why a phone number was refused. Every variant names the input, so the message can be shown
/// as it is to the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// The default region is not an ISO 3166 alpha-2 code that the phone-number metadata knows.
    #[error("unknown country {region:?}: give a two-letter ISO 3166 code such as DE, GB, TR, ES or US")]
    UnknownRegion {
        /// The region as given.
        region: String,
    },
    /// The number has no country code (no leading `+` or `00`) and no default country was given.
    #[error("{input:?} has no country code: write it with + and the country code (e.g. +49 30 123456) or give the country it belongs to")]
    MissingCountryCode {
        /// The number as given.
        input: String,
    },
    /// The input could not be read as a phone number at all.
    #[error("{input:?} is not a phone number: {reason}")]
    Unparseable {
        /// The number as given (cut to [`MAX_INPUT_CHARS`] characters).
        input: String,
        /// What the parser found wrong.
        reason: String,
    },
    /// The input reads as a phone number, but not one that can exist (wrong length or a range
    /// that is not allocated in its country).
    #[error("{input:?} is not a valid phone number: check the digits and the country code")]
    Invalid {
        /// The number as given.
        input: String,
    },
    /// The input carries an extension, which E.164 cannot hold.
    #[error("{input:?} has an extension: record the number without it and keep the extension in a note")]
    Extension {
        /// The number as given.
        input: String,
    },
    /// A stored value that should be canonical E.164 is not.
    #[error("{input:?} is not in E.164 form (+ followed by the country code and number, no spaces)")]
    NotE164 {
        /// The value as found.
        input: String,
    },
}

/// A valid phone number in canonical E.164 form, e.g. `+4930123456`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a number as a person types it: spaces, dashes, dots and parentheses are ignored; a
    /// leading `+` or the international prefix `00` introduces the country code; a number
    /// without either is read as a national number of `default_region` (an ISO 3166 alpha-2
    /// code such as `"DE"`, case-insensitive), whose own international prefix (`011` in the US,
    /// `0011` in Australia) is also understood.
    pub fn parse(input: &str, default_region: Option<&str>) -> Result<Self, PhoneError> {
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(PhoneError::Unparseable {
                input: input.chars().take(MAX_INPUT_CHARS).collect(),
                reason: format!("longer than {MAX_INPUT_CHARS} characters"),
            });
        }
        let region = default_region.map(parse_region).transpose()?;
        let trimmed = input.trim();
        let mut candidates: Vec<(Option<country::Id>, String)> = Vec::with_capacity(2);
        if region.is_some() || trimmed.starts_with('+') {
            candidates.push((region, trimmed.to_owned()));
        }
        if let Some(rest) = trimmed.strip_prefix("00") {
            candidates.push((None, format!("+{rest}")));
        }
        if candidates.is_empty() {
            return Err(PhoneError::MissingCountryCode { input: input.to_owned() });
        }

        let mut first_error = None;
        for (region, text) in candidates {
            let error = match phonenumber::parse(region, &text) {
                Ok(number) if number.extension().is_some() => PhoneError::Extension { input: input.to_owned() },
                Ok(number) if number.is_valid() => {
                    return Ok(PhoneNumber(number.format().mode(Mode::E164).to_string()));
                }
                Ok(_) => PhoneError::Invalid { input: input.to_owned() },
                Err(e) => PhoneError::Unparseable { input: input.to_owned(), reason: e.to_string() },
            };
            first_error.get_or_insert(error);
        }
        Err(first_error.unwrap_or(PhoneError::Invalid { input: input.to_owned() }))
    }

    /// Reads back a stored value, which must already be canonical E.164 (`+` and digits only)
    /// and valid.
    pub fn from_e164(value: &str) -> Result<Self, PhoneError> {
        let canonical = value
            .strip_prefix('+')
            .is_some_and(|digits| !digits.is_empty() && digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()));
        if !canonical {
            return Err(PhoneError::NotE164 { input: value.chars().take(MAX_INPUT_CHARS).collect() });
        }
        let number = PhoneNumber::parse(value, None)?;
        if number.0 != value {
            return Err(PhoneError::NotE164 { input: value.to_owned() });
        }
        Ok(number)
    }

    /// The canonical E.164 form, e.g. `+4930123456`: what to store and compare.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// The international form for reading aloud or dialling, grouped the way the country
    /// writes it, e.g. `+49 30 123456`.
    pub fn international(&self) -> String {
        match phonenumber::parse(None, &self.0) {
            Ok(number) => number.format().mode(Mode::International).to_string(),
            Err(_) => self.0.clone(),
        }
    }

    /// The country calling code, e.g. `49`.
    pub fn country_code(&self) -> u16 {
        phonenumber::parse(None, &self.0).map(|n| n.code().value()).unwrap_or(0)
    }

    /// The ISO 3166 alpha-2 country the number belongs to, e.g. `"DE"`; `None` for numbers that
    /// belong to no single country (such as +800 freephone numbers).
    pub fn region(&self) -> Option<String> {
        let number = phonenumber::parse(None, &self.0).ok()?;
        let id = number.country().id()?;
        Some(id.as_ref().to_owned())
    }
}

/// Canonical E.164, e.g. `+4930123456`.
impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a number written with its country code (`+` or `00`), as [`PhoneNumber::parse`] with
/// no default region.
impl FromStr for PhoneNumber {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse(s, None)
    }
}

fn parse_region(region: &str) -> Result<country::Id, PhoneError> {
    let code = region.trim().to_ascii_uppercase();
    let unknown = || PhoneError::UnknownRegion { region: region.to_owned() };
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(unknown());
    }
    code.parse::<country::Id>().map_err(|_| unknown())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(input: &str, region: Option<&str>) -> String {
        match PhoneNumber::parse(input, region) {
            Ok(n) => n.as_e164().to_owned(),
            Err(e) => panic!("{input:?} ({region:?}) should parse: {e}"),
        }
    }

    #[test]
    fn german_numbers() {
        assert_eq!(e164("+49 30 123456", None), "+4930123456");
        assert_eq!(e164("030 123456", Some("DE")), "+4930123456");
        assert_eq!(e164("030/123456", Some("de")), "+4930123456");
        assert_eq!(e164("+49 (0)30 123-456", None), "+4930123456");
        assert_eq!(e164("0049 30 123456", None), "+4930123456");
        assert_eq!(e164("0049 30 123456", Some("DE")), "+4930123456");
        assert_eq!(e164("+49 151 23456789", None), "+4915123456789");
    }

    #[test]
    fn british_numbers() {
        assert_eq!(e164("+44 20 7946 0958", None), "+442079460958");
        assert_eq!(e164("020 7946 0958", Some("GB")), "+442079460958");
        assert_eq!(e164("(020) 7946-0958", Some("GB")), "+442079460958");
        assert_eq!(e164("07400 123456", Some("GB")), "+447400123456");
        assert_eq!(e164("0044 7400 123456", None), "+447400123456");
    }

    #[test]
    fn turkish_numbers() {
        assert_eq!(e164("+90 212 345 67 89", None), "+902123456789");
        assert_eq!(e164("0212 345 67 89", Some("TR")), "+902123456789");
        assert_eq!(e164("0 (501) 234 56 78", Some("TR")), "+905012345678");
        assert_eq!(e164("0090 501 234 5678", None), "+905012345678");
    }

    #[test]
    fn spanish_numbers() {
        assert_eq!(e164("+34 810 12 34 56", None), "+34810123456");
        assert_eq!(e164("810 123 456", Some("ES")), "+34810123456");
        assert_eq!(e164("612-34-56-78", Some("ES")), "+34612345678");
        assert_eq!(e164("0034 612 345 678", None), "+34612345678");
    }

    #[test]
    fn us_numbers() {
        assert_eq!(e164("+1 (201) 555-0123", None), "+12015550123");
        assert_eq!(e164("(201) 555-0123", Some("US")), "+12015550123");
        assert_eq!(e164("201.555.0123", Some("US")), "+12015550123");
        assert_eq!(e164("1-201-555-0123", Some("US")), "+12015550123");
        // From the US, the international prefix is 011.
        assert_eq!(e164("011 49 30 123456", Some("US")), "+4930123456");
    }

    #[test]
    fn the_same_number_written_differently_is_equal() {
        let a = PhoneNumber::parse("+49 30 123456", None).unwrap();
        let b = PhoneNumber::parse("030-123 456", Some("DE")).unwrap();
        let c: PhoneNumber = "0049 (30) 123456".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        let other = PhoneNumber::parse("030 123457", Some("DE")).unwrap();
        assert_ne!(a, other);
    }

    #[test]
    fn display_and_international_form() {
        let n = PhoneNumber::parse("020 7946 0958", Some("GB")).unwrap();
        assert_eq!(n.to_string(), "+442079460958");
        assert_eq!(n.international(), "+44 20 7946 0958");
        assert_eq!(n.country_code(), 44);
        assert_eq!(n.region().as_deref(), Some("GB"));
        let us = PhoneNumber::parse("(201) 555-0123", Some("US")).unwrap();
        assert_eq!(us.international(), "+1 201-555-0123");
        assert_eq!(us.region().as_deref(), Some("US"));
        let de = PhoneNumber::parse("+4930123456", None).unwrap();
        assert_eq!(de.international(), "+49 30 123456");
    }

    #[test]
    fn international_form_and_e164_parse_back_to_the_same_number() {
        for (input, region) in [
            ("030 123456", "DE"),
            ("0151 23456789", "DE"),
            ("020 7946 0958", "GB"),
            ("0212 345 67 89", "TR"),
            ("612 345 678", "ES"),
            ("(201) 555-0123", "US"),
        ] {
            let n = PhoneNumber::parse(input, Some(region)).unwrap();
            assert_eq!(PhoneNumber::parse(&n.international(), None), Ok(n.clone()));
            assert_eq!(PhoneNumber::from_e164(n.as_e164()), Ok(n.clone()));
            assert_eq!(n.region().as_deref(), Some(region));
        }
    }

    #[test]
    fn a_national_number_needs_a_country() {
        let err = PhoneNumber::parse("030 123456", None).unwrap_err();
        assert_eq!(err, PhoneError::MissingCountryCode { input: "030 123456".into() });
        assert!(err.to_string().contains("030 123456"));
    }

    #[test]
    fn unknown_region_is_refused() {
        for region in ["XX", "UK", "DEU", "", "1A"] {
            let err = PhoneNumber::parse("030 123456", Some(region)).unwrap_err();
            assert_eq!(err, PhoneError::UnknownRegion { region: region.into() });
        }
    }

    #[test]
    fn invalid_numbers_are_refused_naming_the_input() {
        for (input, region) in [
            ("+49 1", None),
            ("+1 555 0100", None),
            ("+44 20 7946", None),
            ("+999 123456789", None),
            ("123", Some("DE")),
            ("+90 000 000 00 00", None),
        ] {
            let err = PhoneNumber::parse(input, region).unwrap_err();
            assert!(matches!(err, PhoneError::Invalid { .. } | PhoneError::Unparseable { .. }), "{input}: {err:?}");
            assert!(err.to_string().contains(input), "{err}");
        }
        for input in ["", "   ", "hello", "+", "+-"] {
            assert!(PhoneNumber::parse(input, Some("DE")).is_err(), "{input:?}");
        }
    }

    #[test]
    fn extensions_are_refused() {
        let err = PhoneNumber::parse("+44 20 7946 0958 ext. 12", None).unwrap_err();
        assert_eq!(err, PhoneError::Extension { input: "+44 20 7946 0958 ext. 12".into() });
    }

    #[test]
    fn overlong_input_is_refused_before_parsing() {
        let long = "1".repeat(1000);
        let err = PhoneNumber::parse(&long, Some("DE")).unwrap_err();
        assert!(matches!(err, PhoneError::Unparseable { ref input, .. } if input.len() == MAX_INPUT_CHARS));
    }

    #[test]
    fn input_of_exactly_the_limit_is_parsed() {
        let at_limit = format!("{:<width$}", "+49 30 123456", width = MAX_INPUT_CHARS);
        assert_eq!(e164(&at_limit, None), "+4930123456");
        let over = format!("{at_limit} ");
        assert!(matches!(PhoneNumber::parse(&over, None), Err(PhoneError::Unparseable { .. })));
    }

    #[test]
    fn stored_values_must_be_canonical() {
        let n = PhoneNumber::from_e164("+4930123456").unwrap();
        assert_eq!(n.as_e164(), "+4930123456");
        for bad in ["4930123456", "+49 30 123456", "+49-30-123456", "0049301234567", "+", ""] {
            assert!(matches!(PhoneNumber::from_e164(bad), Err(PhoneError::NotE164 { .. })), "{bad:?}");
        }
        assert!(matches!(PhoneNumber::from_e164("+491"), Err(PhoneError::Invalid { .. } | PhoneError::Unparseable { .. })));
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in any::<String>(), region in prop::option::of("[A-Za-z]{0,3}")) {
            let _ = PhoneNumber::parse(&s, region.as_deref());
        }

        #[test]
        fn parsing_phone_like_text_never_panics(s in "[+0-9 ()./x-]{0,30}") {
            let _ = PhoneNumber::parse(&s, Some("DE"));
            let _ = PhoneNumber::parse(&s, None);
        }

        #[test]
        fn e164_round_trips(s in "\\+?[0-9 ()-]{4,20}", region in prop::sample::select(vec!["DE", "GB", "TR", "ES", "US"])) {
            if let Ok(n) = PhoneNumber::parse(&s, Some(region)) {
                prop_assert_eq!(PhoneNumber::from_e164(n.as_e164()), Ok(n.clone()));
                prop_assert_eq!(PhoneNumber::parse(&n.international(), None), Ok(n));
            }
        }
    }
}
