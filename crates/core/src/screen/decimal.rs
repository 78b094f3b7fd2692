//! Exact decimal amounts as pain.001 writes them (`xs:decimal`, at most 18 digits): for the
//! control sums and for amounts in a currency's minor units. Integer arithmetic only, so that a
//! sum is right to the last digit whatever its size.

use std::fmt;

/// A non-negative decimal: `digits` × 10^-`scale`, with no trailing fraction zeros (so `==`
/// compares values).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Decimal {
    digits: u128,
    scale: u32,
}

/// The most fraction digits kept (pain.001's types allow 17 in `CtrlSum`).
const MAX_SCALE: u32 = 18;

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal { digits: 0, scale: 0 };

    /// Parses `123`, `123.45`, `.5`, `+1.0` (what `xs:decimal` allows, without a minus sign);
    /// `None` for anything else or more than 38 digits.
    pub fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let text = text.strip_prefix('+').unwrap_or(text);
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let frac = frac.trim_end_matches('0');
        let scale = u32::try_from(frac.len()).ok().filter(|&s| s <= MAX_SCALE)?;
        let mut digits: u128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            digits = digits.checked_mul(10)?.checked_add(u128::from(b - b'0'))?;
        }
        Some(Decimal { digits, scale })
    }

    /// The sum, `None` on overflow.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let a = self.digits.checked_mul(10u128.checked_pow(scale - self.scale)?)?;
        let b = other.digits.checked_mul(10u128.checked_pow(scale - other.scale)?)?;
        Some(Decimal { digits: a.checked_add(b)?, scale }.normalised())
    }

    /// Without trailing fraction zeros, so that equal values compare equal.
    fn normalised(mut self) -> Decimal {
        while self.scale > 0 && self.digits.is_multiple_of(10) {
            self.digits /= 10;
            self.scale -= 1;
        }
        self
    }

    /// The amount in minor units of a currency with `minor_digits` digits; `None` when it has
    /// more fraction digits than that or does not fit.
    pub fn to_minor(self, minor_digits: u32) -> Option<u64> {
        if self.scale > minor_digits {
            return None;
        }
        let minor = self.digits.checked_mul(10u128.checked_pow(minor_digits - self.scale)?)?;
        u64::try_from(minor).ok()
    }

    /// Written with at least `min_fraction` fraction digits (`1500.00` for 2).
    pub fn to_text(self, min_fraction: u32) -> String {
        let scale = self.scale.max(min_fraction);
        let digits = self.digits * 10u128.pow(scale - self.scale);
        if scale == 0 {
            return digits.to_string();
        }
        let unit = 10u128.pow(scale);
        format!("{}.{:0width$}", digits / unit, digits % unit, width = scale as usize)
    }
}

/// How many fraction digits a decimal is written with (`1500.50`: 2; `7`: 0), trailing zeros
/// counted: sums are written back with as many.
pub fn written_decimals(text: &str) -> u32 {
    text.trim().split_once('.').map_or(0, |(_, f)| u32::try_from(f.len()).unwrap_or(u32::MAX))
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_what_xs_decimal_allows_and_compares_by_value() {
        assert_eq!(Decimal::parse("1500.00"), Decimal::parse("1500"));
        assert_eq!(Decimal::parse("0.50"), Decimal::parse(".5"));
        assert_eq!(Decimal::parse("+7"), Decimal::parse("7.0"));
        for bad in ["", ".", "-1", "1e3", "1,5", "1.2.3", " 1 2", "x"] {
            assert_eq!(Decimal::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Decimal::parse(" 12.5 ").unwrap().to_text(2), "12.50");
    }

    #[test]
    fn minor_units_refuse_digits_the_currency_does_not_have() {
        let d = |t| Decimal::parse(t).unwrap();
        assert_eq!(d("1500.5").to_minor(2), Some(150050));
        assert_eq!(d("1500.500").to_minor(2), Some(150050), "trailing zeros are not digits");
        assert_eq!(d("10.123").to_minor(2), None);
        assert_eq!(d("1000").to_minor(0), Some(1000));
        assert_eq!(d("99999999999999999999").to_minor(2), None, "does not fit");
    }

    proptest! {
        #[test]
        fn sums_are_exact(amounts in proptest::collection::vec((0u64..10_000_000_000, 0u32..6), 0..50)) {
            let mut sum = Decimal::ZERO;
            let mut expected: u128 = 0;
            for (units, scale) in &amounts {
                let text = Decimal { digits: u128::from(*units), scale: *scale }.to_text(*scale);
                sum = sum.checked_add(Decimal::parse(&text).unwrap()).unwrap();
                expected += u128::from(*units) * 10u128.pow(5 - scale);
            }
            prop_assert_eq!(sum, Decimal { digits: expected, scale: 5 }.normalised());
            prop_assert_eq!(Decimal::parse(&sum.to_text(5)), Some(sum), "written and read back");
        }
    }
}
