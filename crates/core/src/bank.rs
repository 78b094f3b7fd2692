//! Bank formats, parsed once at the edge and trusted afterwards: IBAN (ISO 13616, country
//! format and mod-97, via the iban_validate crate), BIC (ISO 9362), ISO 3166 country codes,
//! ISO 4217 currencies and amounts in integer minor units (never floating point).

use std::fmt;

use iban::IbanLike;
use iso_currency::Currency as IsoCurrency;

use crate::assess::findings::{Finding, ReasonCode};

/// A valid IBAN, held in electronic format (no spaces, upper case).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Iban(iban::Iban);

impl Iban {
    /// Parses an IBAN, ignoring spaces; checks the country's format and the mod-97 checksum.
    pub fn parse(text: &str) -> Result<Self, BankError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        compact.parse::<iban::Iban>().map(Iban).map_err(|_| BankError::InvalidIban(text.to_string()))
    }

    /// Parses the electronic format only (what a signed file must carry).
    pub fn parse_electronic(text: &str) -> Result<Self, BankError> {
        let iban = Self::parse(text)?;
        if iban.electronic() != text {
            return Err(BankError::InvalidIban(text.to_string()));
        }
        Ok(iban)
    }

    /// Electronic format: `DE89370400440532013000`.
    pub fn electronic(&self) -> &str {
        self.0.electronic_str()
    }

    /// The two-letter country code.
    pub fn country(&self) -> &str {
        self.0.country_code()
    }

    /// Print format in groups of four: `DE89 3704 0044 0532 0130 00`.
    pub fn grouped(&self) -> String {
        self.0.to_string()
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.grouped())
    }
}

impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iban({})", self.electronic())
    }
}

/// A well-formed BIC (ISO 9362): 4 letters (institution), a valid ISO 3166 country, 2
/// alphanumerics (location), optionally 3 alphanumerics (branch).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Bic(String);

impl Bic {
    /// Parses a BIC (upper case only, no spaces).
    pub fn parse(text: &str) -> Result<Self, BankError> {
        let b = text.as_bytes();
        let well_formed = (b.len() == 8 || b.len() == 11)
            && b[..6].iter().all(u8::is_ascii_uppercase)
            && b[6..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if !well_formed || Country::parse(&text[4..6]).is_err() {
            return Err(BankError::InvalidBic(text.to_string()));
        }
        Ok(Bic(text.to_string()))
    }

    /// The BIC as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country part (letters 5 and 6).
    pub fn country(&self) -> &str {
        &self.0[4..6]
    }
}

impl fmt::Display for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ISO 3166-1 alpha-2 country code (upper case).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Country([u8; 2]);

impl Country {
    /// Parses an upper-case alpha-2 code that ISO 3166 assigns (plus XK, Kosovo, which banks use).
    pub fn parse(text: &str) -> Result<Self, BankError> {
        let valid = text.len() == 2
            && text.bytes().all(|b| b.is_ascii_uppercase())
            && (text == "XK" || isocountry::CountryCode::for_alpha2(text).is_ok());
        if !valid {
            return Err(BankError::InvalidCountry(text.to_string()));
        }
        let b = text.as_bytes();
        Ok(Country([b[0], b[1]]))
    }

    /// The two letters.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ISO 4217 currency with its number of minor-unit digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Currency(IsoCurrency);

impl Currency {
    /// Parses an upper-case ISO 4217 code; refuses codes without minor units (funds, metals).
    pub fn parse(text: &str) -> Result<Self, BankError> {
        let currency = IsoCurrency::from_code(text).ok_or_else(|| BankError::InvalidCurrency(text.to_string()))?;
        if currency.exponent().is_none() {
            return Err(BankError::InvalidCurrency(text.to_string()));
        }
        Ok(Currency(currency))
    }

    /// The three-letter code.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point (2 for EUR, 0 for JPY, 3 for KWD).
    pub fn minor_digits(&self) -> u32 {
        u32::from(self.0.exponent().expect("checked in parse"))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The most integer digits an amount may have (pain.001 allows 18 digits in all).
const MAX_INTEGER_DIGITS: usize = 15;

/// A positive amount of money in a currency, in integer minor units.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Money {
    minor: u64,
    currency: Currency,
}

impl Money {
    /// Parses a decimal string: digits, optionally a point and at most the currency's number of
    /// minor digits; no sign, no exponent, no leading zeros, greater than zero.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, BankError> {
        let bad = || BankError::InvalidAmount { amount: text.to_string(), currency: currency.code() };
        let (int_part, frac_part) = match text.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (text, None),
        };
        let digits_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok(int_part) || int_part.len() > MAX_INTEGER_DIGITS || (int_part.len() > 1 && int_part.starts_with('0')) {
            return Err(bad());
        }
        let digits = currency.minor_digits() as usize;
        let frac = match frac_part {
            None => String::new(),
            Some(f) if digits_ok(f) && f.len() <= digits => f.to_string(),
            Some(_) => return Err(bad()),
        };
        let padded = format!("{int_part}{frac:0<digits$}");
        let minor: u64 = padded.parse().map_err(|_| bad())?;
        if minor == 0 {
            return Err(bad());
        }
        Ok(Money { minor, currency })
    }

    /// An amount from integer minor units.
    pub fn from_minor(minor: u64, currency: Currency) -> Result<Self, BankError> {
        let money = Money { minor, currency };
        Self::parse(&money.decimal(), currency)
    }

    /// Integer minor units (cents for EUR).
    pub fn minor_units(&self) -> u64 {
        self.minor
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The canonical decimal string with exactly the currency's minor digits: `1250.00`.
    pub fn decimal(&self) -> String {
        let digits = self.currency.minor_digits();
        if digits == 0 {
            return self.minor.to_string();
        }
        let scale = 10u64.pow(digits);
        format!("{}.{:0width$}", self.minor / scale, self.minor % scale, width = digits as usize)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal(), self.currency.code())
    }
}

/// A bank account that has passed every format check.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum BankAccount {
    /// An IBAN with the bank's BIC.
    Iban {
        /// The account.
        iban: Iban,
        /// The bank.
        bic: Bic,
    },
    /// A domestic account number with a routing code (ABA, sort code, …), its country and BIC.
    Local {
        /// The account number.
        account_number: String,
        /// The bank's routing code.
        routing_code: String,
        /// The country the routing code belongs to.
        country: Country,
        /// The bank.
        bic: Bic,
    },
}

impl BankAccount {
    /// A stable identity for comparing accounts across instructions and partners:
    /// `iban:DE89370400440532013000` or `local:US:021000021:123456789`. The BIC is not part of
    /// it: the same account is the same account whatever BIC is quoted.
    pub fn key(&self) -> String {
        match self {
            Self::Iban { iban, .. } => format!("iban:{}", iban.electronic()),
            Self::Local { account_number, routing_code, country, .. } => {
                format!("local:{country}:{routing_code}:{account_number}")
            }
        }
    }

    /// Rebuilds an account from its [`BankAccount::key`] and BIC, as stored with a verified
    /// record; `None` if either does not parse.
    pub fn from_key(key: &str, bic: &str) -> Option<Self> {
        let bic = Bic::parse(bic).ok()?;
        if let Some(iban) = key.strip_prefix("iban:") {
            return Some(Self::Iban { iban: Iban::parse_electronic(iban).ok()?, bic });
        }
        let rest = key.strip_prefix("local:")?;
        let mut parts = rest.splitn(3, ':');
        let (country, routing_code, account_number) = (parts.next()?, parts.next()?, parts.next()?);
        Some(Self::Local {
            account_number: account_number.to_string(),
            routing_code: routing_code.to_string(),
            country: Country::parse(country).ok()?,
            bic,
        })
    }

    /// The country where the account is held.
    pub fn country(&self) -> &str {
        match self {
            Self::Iban { iban, .. } => iban.country(),
            Self::Local { country, .. } => country.as_str(),
        }
    }

    /// The bank's BIC.
    pub fn bic(&self) -> &Bic {
        match self {
            Self::Iban { bic, .. } | Self::Local { bic, .. } => bic,
        }
    }

    /// The account identifier as people read it.
    pub fn display_number(&self) -> String {
        match self {
            Self::Iban { iban, .. } => iban.grouped(),
            Self::Local { account_number, routing_code, country, .. } => {
                format!("{account_number} (routing {routing_code}, {country})")
            }
        }
    }

    /// The last four characters of the account number, which the partner reads back on a callback.
    pub fn last4(&self) -> String {
        let number = match self {
            Self::Iban { iban, .. } => iban.electronic(),
            Self::Local { account_number, .. } => account_number.as_str(),
        };
        number.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect()
    }
}

/// Bank details as written in a file, before their format is checked.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum AccountDetails {
    /// IBAN and BIC.
    Iban {
        /// As written.
        iban: String,
        /// As written.
        bic: String,
    },
    /// Local account.
    Local {
        /// As written.
        account_number: String,
        /// As written.
        routing_code: String,
        /// As written.
        country: String,
        /// As written.
        bic: String,
    },
}

impl AccountDetails {
    /// Checks the details. A valid account comes back with any warnings (an IBAN/BIC country
    /// mismatch); invalid details come back as critical findings naming the value.
    pub fn validate(&self) -> Result<(BankAccount, Vec<Finding>), Vec<Finding>> {
        let mut problems = Vec::new();
        let bic_text = match self {
            Self::Iban { bic, .. } | Self::Local { bic, .. } => bic,
        };
        match self {
            Self::Iban { iban, .. } => {
                let iban =
                    Iban::parse_electronic(iban).map_err(|e| problems.push(Finding::critical(ReasonCode::IbanInvalid, e.to_string()))).ok();
                let bic = Bic::parse(bic_text).map_err(|e| problems.push(Finding::critical(ReasonCode::BicInvalid, e.to_string()))).ok();
                let (Some(iban), Some(bic)) = (iban, bic) else { return Err(problems) };
                let mut warnings = Vec::new();
                if iban.country() != bic.country() {
                    warnings.push(Finding::warning(
                        ReasonCode::IbanBicCountryMismatch,
                        format!(
                            "The IBAN {} is from {} but the BIC {} is a bank in {}.",
                            iban.grouped(),
                            iban.country(),
                            bic,
                            bic.country()
                        ),
                    ));
                }
                Ok((BankAccount::Iban { iban, bic }, warnings))
            }
            Self::Local { account_number, routing_code, country, .. } => {
                let simple = |s: &str, max: usize| {
                    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                };
                // One `iban_invalid` however many of the account's fields are wrong (format §3.2),
                // its message naming each of them.
                let mut wrong = Vec::new();
                if !simple(account_number, 34) {
                    wrong.push(format!("the account number {account_number:?} is not 1 to 34 letters and digits"));
                }
                if !simple(routing_code, 20) {
                    wrong.push(format!("the routing code {routing_code:?} is not 1 to 20 letters and digits"));
                }
                let country = Country::parse(country).map_err(|e| wrong.push(e.to_string())).ok();
                if !wrong.is_empty() {
                    let message = wrong.join("; ");
                    let mut chars = message.chars();
                    let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
                    problems.push(Finding::critical(ReasonCode::IbanInvalid, format!("{first}{}.", chars.as_str())));
                }
                let bic = Bic::parse(bic_text).map_err(|e| problems.push(Finding::critical(ReasonCode::BicInvalid, e.to_string()))).ok();
                let (Some(country), Some(bic), true) = (country, bic, problems.is_empty()) else {
                    return Err(problems);
                };
                let mut warnings = Vec::new();
                if country.as_str() != bic.country() {
                    warnings.push(Finding::warning(
                        ReasonCode::IbanBicCountryMismatch,
                        format!("The account is in {country} but the BIC {bic} is a bank in {}.", bic.country()),
                    ));
                }
                let account =
                    BankAccount::Local { account_number: account_number.clone(), routing_code: routing_code.clone(), country, bic };
                Ok((account, warnings))
            }
        }
    }
}

/// Why a bank value was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum BankError {
    /// Fails the IBAN country format or checksum.
    #[error("{0:?} is not a valid IBAN (wrong length or format for its country, or the check digits do not match)")]
    InvalidIban(String),
    /// Not a well-formed BIC.
    #[error("{0:?} is not a valid BIC (8 or 11 characters: bank, country, location, optional branch)")]
    InvalidBic(String),
    /// Not an ISO 3166 country code.
    #[error("{0:?} is not an ISO 3166 two-letter country code")]
    InvalidCountry(String),
    /// Not an ISO 4217 currency.
    #[error("{0:?} is not an ISO 4217 currency code")]
    InvalidCurrency(String),
    /// Not a valid amount for the currency.
    #[error("{amount:?} is not a valid {currency} amount (digits, a point and at most the currency's decimals; more than zero)")]
    InvalidAmount {
        /// As written.
        amount: String,
        /// The currency code.
        currency: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn ibans() {
        let iban = Iban::parse("de89 3704 0044 0532 0130 00").unwrap();
        assert_eq!(iban.electronic(), "DE89370400440532013000");
        assert_eq!(iban.grouped(), "DE89 3704 0044 0532 0130 00");
        assert_eq!(iban.country(), "DE");
        assert!(Iban::parse("DE88370400440532013000").is_err(), "bad checksum");
        assert!(Iban::parse("DE8937040044053201300").is_err(), "too short for DE");
        assert!(Iban::parse_electronic("DE89 3704 0044 0532 0130 00").is_err());
        assert!(Iban::parse_electronic("GB82WEST12345698765432").is_ok());
    }

    #[test]
    fn bics() {
        assert_eq!(Bic::parse("COBADEFFXXX").unwrap().country(), "DE");
        assert!(Bic::parse("COBADEFF").is_ok());
        assert!(Bic::parse("cobadeff").is_err());
        assert!(Bic::parse("COBAZZFF").is_err(), "ZZ is not a country");
        assert!(Bic::parse("COBADEFFXX").is_err());
        assert!(Bic::parse("CO1ADEFF").is_err());
    }

    #[test]
    fn amounts() {
        assert_eq!(Money::parse("1250.5", eur()).unwrap().decimal(), "1250.50");
        assert_eq!(Money::parse("1250", eur()).unwrap().minor_units(), 125_000);
        assert_eq!(Money::parse("0.01", eur()).unwrap().minor_units(), 1);
        for bad in ["", "0", "0.00", "-5", "+5", "1.234", "1e3", "01", "1.", ".5", "1,5", " 1", "1000000000000000"] {
            assert!(Money::parse(bad, eur()).is_err(), "{bad:?} accepted");
        }
        let jpy = Currency::parse("JPY").unwrap();
        assert!(Money::parse("100.5", jpy).is_err());
        assert_eq!(Money::parse("100", jpy).unwrap().decimal(), "100");
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Money::parse("1.5", kwd).unwrap().decimal(), "1.500");
        assert!(Currency::parse("XAU").is_err(), "no minor units");
        assert!(Currency::parse("eur").is_err());
        assert!(Currency::parse("ABC").is_err());
    }

    #[test]
    fn account_validation_reports_findings() {
        let good = AccountDetails::Iban { iban: "DE89370400440532013000".into(), bic: "COBADEFFXXX".into() };
        let (account, warnings) = good.validate().unwrap();
        assert!(warnings.is_empty());
        assert_eq!(account.key(), "iban:DE89370400440532013000");
        assert_eq!(account.last4(), "3000");
        let mismatch = AccountDetails::Iban { iban: "DE89370400440532013000".into(), bic: "BNPAFRPPXXX".into() };
        assert_eq!(mismatch.validate().unwrap().1[0].code, ReasonCode::IbanBicCountryMismatch);
        let both_bad = AccountDetails::Iban { iban: "DE00370400440532013000".into(), bic: "nope".into() };
        let codes: Vec<_> = both_bad.validate().unwrap_err().iter().map(|f| f.code).collect();
        assert_eq!(codes, vec![ReasonCode::IbanInvalid, ReasonCode::BicInvalid]);
        // Regression (issue 16): a domestic account with every field wrong was reported as
        // `iban_invalid` three times; it is one finding that names each field.
        let all_wrong =
            AccountDetails::Local { account_number: "12 34".into(), routing_code: "".into(), country: "ZZ".into(), bic: "CHASUS33".into() };
        let findings = all_wrong.validate().unwrap_err();
        assert_eq!(findings.iter().map(|f| f.code).collect::<Vec<_>>(), vec![ReasonCode::IbanInvalid]);
        for field in ["account number", "routing code", "ZZ"] {
            assert!(findings[0].message.contains(field), "{field} in {}", findings[0].message);
        }
        // Settled in format §3.2 (issue 16): the account comes first in both shapes, so a
        // domestic account with wrong fields and a wrong BIC gives iban_invalid, then bic_invalid.
        let both_bad_domestic =
            AccountDetails::Local { account_number: "".into(), routing_code: "021000021".into(), country: "US".into(), bic: "nope".into() };
        let codes: Vec<_> = both_bad_domestic.validate().unwrap_err().iter().map(|f| f.code).collect();
        assert_eq!(codes, vec![ReasonCode::IbanInvalid, ReasonCode::BicInvalid]);
        let local = AccountDetails::Local {
            account_number: "123456789".into(),
            routing_code: "021000021".into(),
            country: "US".into(),
            bic: "CHASUS33".into(),
        };
        let (local, _) = local.validate().unwrap();
        assert_eq!(local.key(), "local:US:021000021:123456789");
        assert_eq!(BankAccount::from_key(&local.key(), "CHASUS33"), Some(local));
        assert_eq!(BankAccount::from_key(&account.key(), "COBADEFFXXX"), Some(account));
        assert_eq!(BankAccount::from_key("iban:DE00", "COBADEFFXXX"), None);
    }

    proptest! {
        #[test]
        fn money_decimal_round_trips(minor in 1u64..999_999_999_999_999) {
            let m = Money::from_minor(minor, eur()).unwrap();
            prop_assert_eq!(Money::parse(&m.decimal(), eur()).unwrap(), m);
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = Iban::parse(&s);
            let _ = Bic::parse(&s);
            let _ = Country::parse(&s);
            let _ = Currency::parse(&s);
            let _ = Money::parse(&s, eur());
        }
    }
}
