//! Finding and ordering cases in a long list (issue 19): what a search typed into the case list
//! means, and the columns the list sorts by. The store turns a [`CaseSearch`] and a [`CaseSort`]
//! into one keyset-paged query; nothing here reads a case, so every shell searches the same way.
//!
//! A search is words; a case matches when it matches every word. A word `#155` is case number 155
//! exactly. Any other word is looked for, case-insensitively, in the case number, the partner, the
//! payee, the reference, the currency, the file's name and the account (as shown, without its
//! spaces, and as its key); a word that reads as an amount (`48200`, `48200.5`, `48200.00`) also
//! matches a case of exactly that amount in its currency's units. Amounts as a locale shows them
//! (`€48,200.00`, `48.200,00 €`) are the shell's to normalise, as only it knows the locale.

use serde::{Deserialize, Serialize};

/// The most words a search may hold.
pub const MAX_WORDS: usize = 8;

/// The longest word a search may hold, in characters.
pub const MAX_WORD_CHARS: usize = 64;

/// One word of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchWord {
    /// `#155`: the case with this number, and no other.
    CaseNumber(i64),
    /// Any other word, lower-cased.
    Text {
        /// The word as typed, lower-cased: looked for inside the case's text fields.
        text: String,
        /// The amount the word reads as, if it is one.
        amount: Option<Amount>,
    },
}

/// An amount as typed: decimal digits with an optional fraction (`48200.50` is `4820050` with
/// two digits after the point).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    digits: u64,
    scale: u32,
}

impl Amount {
    /// Reads `48200`, `48200.5`, `48200.50`; anything else (signs, separators, exponents) is not an amount.
    pub fn parse(word: &str) -> Option<Amount> {
        let (whole, fraction) = word.split_once('.').unwrap_or((word, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || (word.contains('.') && fraction.is_empty()) {
            return None;
        }
        let digits = format!("{whole}{fraction}").parse::<u64>().ok()?;
        Some(Amount { digits, scale: u32::try_from(fraction.len()).ok()? })
    }

    /// The amount in minor units of a currency with `minor_digits` digits after the point, when it
    /// is a whole number of them (`48200.5` is 4820050 cents, but no whole number of yen).
    pub fn in_minor_units(self, minor_digits: u32) -> Option<u64> {
        if self.scale > minor_digits {
            let cut = 10u64.checked_pow(self.scale - minor_digits)?;
            return self.digits.is_multiple_of(cut).then_some(self.digits / cut);
        }
        self.digits.checked_mul(10u64.checked_pow(minor_digits - self.scale)?)
    }
}

/// A search typed into the case list, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseSearch {
    words: Vec<SearchWord>,
}

impl CaseSearch {
    /// Parses a search: words split on white space, at most [`MAX_WORDS`] of at most
    /// [`MAX_WORD_CHARS`] characters each; an empty search matches every case.
    pub fn parse(text: &str) -> Result<CaseSearch, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.len() > MAX_WORDS {
            return Err(format!("a search holds at most {MAX_WORDS} words, not {}", words.len()));
        }
        if let Some(long) = words.iter().find(|w| w.chars().count() > MAX_WORD_CHARS) {
            return Err(format!("a search word has at most {MAX_WORD_CHARS} characters ({long:.20}… is longer)"));
        }
        Ok(CaseSearch { words: words.into_iter().map(word).collect() })
    }

    /// The words, in the order typed.
    pub fn words(&self) -> &[SearchWord] {
        &self.words
    }

    /// Whether the search matches every case.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

fn word(w: &str) -> SearchWord {
    let number = w.strip_prefix('#').filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    match number.and_then(|n| n.parse::<i64>().ok()) {
        Some(id) => SearchWord::CaseNumber(id),
        // A `#` followed by something other than a number is looked for as text.
        None => SearchWord::Text { text: w.to_lowercase(), amount: Amount::parse(w) },
    }
}

/// A column of the case list to sort by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CaseSortKey {
    /// The case number: the order cases were opened in.
    #[default]
    Number,
    /// The verdict, from accepted to rejected.
    Verdict,
    /// The partner's name (cases of unknown signers first).
    Partner,
    /// The payee's name.
    Payee,
    /// The amount in minor units (cases without one first).
    Amount,
    /// When the case was received.
    Received,
    /// The status, in the order a case goes through them ([`super::flow::CaseStatus::ALL`]).
    Status,
}

impl CaseSortKey {
    /// Every key.
    pub const ALL: [Self; 7] = [Self::Number, Self::Verdict, Self::Partner, Self::Payee, Self::Amount, Self::Received, Self::Status];

    /// The shells' word for it (`case list --sort`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Verdict => "verdict",
            Self::Partner => "partner",
            Self::Payee => "payee",
            Self::Amount => "amount",
            Self::Received => "received",
            Self::Status => "status",
        }
    }

    /// Parses the shells' word.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// How the case list is ordered: by one column, ties broken by the case number in the same
/// direction, so every case has one place and a page's last case is a stable cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseSort {
    /// The column.
    pub key: CaseSortKey,
    /// Largest first.
    pub descending: bool,
}

impl Default for CaseSort {
    /// Newest first, as the list always was.
    fn default() -> Self {
        CaseSort { key: CaseSortKey::Number, descending: true }
    }
}

impl CaseSort {
    /// Parses `received` (ascending) or `-received` (descending).
    pub fn parse(text: &str) -> Result<CaseSort, String> {
        let (descending, name) = text.strip_prefix('-').map_or((false, text), |rest| (true, rest));
        let key = CaseSortKey::parse(name).ok_or_else(|| {
            let names: Vec<_> = CaseSortKey::ALL.iter().map(|k| k.as_str()).collect();
            format!("cases sort by {}, not {text:?} (a leading - sorts largest first)", names.join(", "))
        })?;
        Ok(CaseSort { key, descending })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(w: &str, amount: Option<Amount>) -> SearchWord {
        SearchWord::Text { text: w.into(), amount }
    }

    #[test]
    fn a_hash_and_digits_is_a_case_number_and_other_words_are_text() {
        let search = CaseSearch::parse("  #155 Globex  DE89370400440532013000 #x # ").unwrap();
        assert_eq!(
            search.words(),
            [SearchWord::CaseNumber(155), text("globex", None), text("de89370400440532013000", None), text("#x", None), text("#", None)]
        );
        assert!(CaseSearch::parse(" \t").unwrap().is_empty());
        assert_eq!(CaseSearch::parse("155").unwrap().words(), [text("155", Amount::parse("155"))]);
    }

    #[test]
    fn amounts_are_digits_with_an_optional_fraction() {
        assert_eq!(Amount::parse("48200"), Some(Amount { digits: 48200, scale: 0 }));
        assert_eq!(Amount::parse("48200.50"), Some(Amount { digits: 4820050, scale: 2 }));
        for not in ["", ".5", "48200.", "48,200.00", "-5", "1e3", "4 8", "€5", "99999999999999999999"] {
            assert_eq!(Amount::parse(not), None, "{not:?}");
        }
    }

    #[test]
    fn an_amount_is_a_whole_number_of_minor_units_or_none() {
        let a = Amount::parse("48200.5").unwrap();
        assert_eq!(a.in_minor_units(2), Some(4820050));
        assert_eq!(a.in_minor_units(3), Some(48200500));
        assert_eq!(a.in_minor_units(1), Some(482005));
        assert_eq!(a.in_minor_units(0), None, "no whole number of yen");
        assert_eq!(Amount::parse("48200.00").unwrap().in_minor_units(0), Some(48200));
        assert_eq!(Amount::parse("18446744073709551615").unwrap().in_minor_units(2), None, "too large, not wrapped");
    }

    #[test]
    fn searches_are_bounded() {
        assert!(CaseSearch::parse(&"a ".repeat(MAX_WORDS)).is_ok());
        assert!(CaseSearch::parse(&"a ".repeat(MAX_WORDS + 1)).is_err());
        assert!(CaseSearch::parse(&"é".repeat(MAX_WORD_CHARS)).is_ok());
        assert!(CaseSearch::parse(&"é".repeat(MAX_WORD_CHARS + 1)).is_err());
    }

    #[test]
    fn sorts_parse_with_an_optional_minus_for_largest_first() {
        assert_eq!(CaseSort::parse("amount"), Ok(CaseSort { key: CaseSortKey::Amount, descending: false }));
        assert_eq!(CaseSort::parse("-received"), Ok(CaseSort { key: CaseSortKey::Received, descending: true }));
        assert!(CaseSort::parse("size").unwrap_err().contains("number, verdict, partner, payee, amount, received, status"));
        assert_eq!(CaseSort::default(), CaseSort::parse("-number").unwrap());
        for key in CaseSortKey::ALL {
            assert_eq!(CaseSortKey::parse(key.as_str()), Some(key));
            assert_eq!(serde_json::to_value(key).unwrap(), key.as_str(), "serde's name is the shells' word");
        }
    }
}
