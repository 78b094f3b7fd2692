//! The case list's search and sort as one SQL query, shared by both backends (issue 19): the
//! conditions a [`CaseQuery`] names, the column it sorts by with the case number as tie-break, and
//! a keyset cursor (the page before's last case: its sort value is read back in the query, so the
//! cursor stays a case number). Only the page's ids are sorted; its rows are read afterwards, so a
//! sort over many cases never carries their findings and files along.

use countersign_core::cases::flow::CaseStatus;
use countersign_core::cases::search::{CaseSort, CaseSortKey};
use countersign_core::paging::Page;

/// One word of a search, resolved by the service for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseWord {
    /// `#155`: this case number only.
    Number(i64),
    /// A word looked for inside the case's text fields (lower-case) and, when it reads as an
    /// amount, the amounts it can be.
    Text {
        /// Lower-case; matched as a substring (no wildcard of its own).
        text: String,
        /// Each amount in minor units with the currencies in which the word means it.
        amounts: Vec<(i64, Vec<String>)>,
    },
}

/// The cases to list: a status, the words they must all match, an order and a page of it.
#[derive(Debug, Clone, Copy)]
pub struct CaseQuery<'a> {
    /// Only cases with this status.
    pub status: Option<CaseStatus>,
    /// Every word must match.
    pub words: &'a [CaseWord],
    /// The order.
    pub sort: CaseSort,
    /// The cases after `page.after` (a case number) in that order, one more than `page.limit`.
    pub page: &'a Page,
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Param {
    Int(i64),
    Text(String),
}

/// How a backend spells what differs: its placeholders and the collation of sorted text.
pub(crate) struct Dialect {
    /// `?` (SQLite) or `$` (PostgreSQL), followed by the parameter's number.
    pub placeholder: char,
    /// Appended to a text sort key, so both backends order text byte by byte.
    pub text_collation: &'static str,
}

/// The SQL of a query and its parameters, in order.
pub(crate) struct BuiltQuery {
    pub sql: String,
    pub params: Vec<Param>,
}

struct Builder<'d> {
    dialect: &'d Dialect,
    params: Vec<Param>,
}

impl Builder<'_> {
    fn bind(&mut self, param: Param) -> String {
        self.params.push(param);
        format!("{}{}", self.dialect.placeholder, self.params.len())
    }
}

/// The sort key of a case, as an SQL expression over `cases c LEFT JOIN partners p`.
fn sort_expression(key: CaseSortKey, dialect: &Dialect) -> String {
    let rank = |column: &str, values: &[&str]| {
        let whens: String = values.iter().enumerate().map(|(i, v)| format!(" WHEN '{v}' THEN {i}")).collect();
        format!("(CASE {column}{whens} ELSE {} END)", values.len())
    };
    match key {
        CaseSortKey::Number => "c.id".into(),
        CaseSortKey::Verdict => rank("c.verdict", &["accepted", "hold", "rejected"]),
        CaseSortKey::Partner => format!("lower(COALESCE(p.name, '')){}", dialect.text_collation),
        CaseSortKey::Payee => format!("lower(COALESCE(c.beneficiary_name, '')){}", dialect.text_collation),
        CaseSortKey::Amount => "COALESCE(c.amount_minor, -1)".into(),
        CaseSortKey::Received => format!("c.received_at{}", dialect.text_collation),
        CaseSortKey::Status => rank("c.status", &CaseStatus::ALL.map(CaseStatus::as_str)),
    }
}

/// What a text word is looked for in: every text field a person would type, one string.
const HAYSTACK: &str = "lower(COALESCE(p.name, '') || ' ' || COALESCE(c.beneficiary_name, '') || ' ' || COALESCE(c.reference, '')
    || ' ' || COALESCE(c.currency, '') || ' ' || c.file_name || ' ' || COALESCE(c.account_display, '')
    || ' ' || REPLACE(COALESCE(c.account_display, ''), ' ', '') || ' ' || COALESCE(c.account_key, ''))";

/// `%word%` with LIKE's own characters escaped (the query says `ESCAPE '\'`).
fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

fn word_condition(b: &mut Builder<'_>, word: &CaseWord) -> String {
    match word {
        CaseWord::Number(id) => format!("c.id = {}", b.bind(Param::Int(*id))),
        CaseWord::Text { text, amounts } => {
            let pattern = b.bind(Param::Text(like_pattern(text)));
            let mut any = vec![format!("CAST(c.id AS TEXT) LIKE {pattern} ESCAPE '\\'"), format!("{HAYSTACK} LIKE {pattern} ESCAPE '\\'")];
            for (minor, currencies) in amounts.iter().filter(|(_, currencies)| !currencies.is_empty()) {
                let minor = b.bind(Param::Int(*minor));
                let codes: Vec<String> = currencies.iter().map(|c| b.bind(Param::Text(c.clone()))).collect();
                any.push(format!("(c.amount_minor = {minor} AND c.currency IN ({}))", codes.join(", ")));
            }
            format!("({})", any.join(" OR "))
        }
    }
}

/// The query for one page of the case list: the page's ids and sort values in a CTE, then their rows.
pub(crate) fn build(query: &CaseQuery<'_>, dialect: &Dialect, columns: &str) -> BuiltQuery {
    let mut b = Builder { dialect, params: Vec::new() };
    let key = sort_expression(query.sort.key, dialect);
    let (direction, beyond) = if query.sort.descending { ("DESC", "<") } else { ("ASC", ">") };
    let from = "FROM cases c LEFT JOIN partners p ON p.id = c.partner_id";
    let mut conditions = Vec::new();
    let mut anchor = String::new();
    if let Some(status) = query.status {
        conditions.push(format!("c.status = {}", b.bind(Param::Text(status.as_str().into()))));
    }
    if let Some(after) = query.page.after {
        let after = b.bind(Param::Int(after));
        anchor = format!("anchor AS (SELECT {key} AS k {from} WHERE c.id = {after}), ");
        conditions.push(format!("({key}, c.id) {beyond} ((SELECT k FROM anchor), {after})"));
    }
    for word in query.words {
        conditions.push(word_condition(&mut b, word));
    }
    let filter = match conditions.is_empty() {
        true => String::new(),
        false => format!("WHERE {}", conditions.join(" AND ")),
    };
    let limit = query.page.fetch().map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    let sql = format!(
        "WITH {anchor}chosen AS (SELECT c.id AS id, {key} AS k {from} {filter} ORDER BY k {direction}, c.id {direction}{limit})
         SELECT {columns} FROM chosen JOIN cases c ON c.id = chosen.id LEFT JOIN partners p ON p.id = c.partner_id
         ORDER BY chosen.k {direction}, chosen.id {direction}"
    );
    BuiltQuery { sql, params: b.params }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQLITE: Dialect = Dialect { placeholder: '?', text_collation: "" };

    #[test]
    fn like_characters_in_a_word_are_matched_as_themselves() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn parameters_are_numbered_in_the_order_bound() {
        let page = Page::new(Some(50), Some(7)).unwrap();
        let words = [CaseWord::Number(155), CaseWord::Text { text: "globex".into(), amounts: vec![(100, vec!["EUR".into()])] }];
        let query = CaseQuery { status: Some(CaseStatus::Hold), words: &words, sort: CaseSort::default(), page: &page };
        let built = build(&query, &SQLITE, "c.id");
        assert_eq!(
            built.params,
            [
                Param::Text("hold".into()),
                Param::Int(7),
                Param::Int(155),
                Param::Text("%globex%".into()),
                Param::Int(100),
                Param::Text("EUR".into())
            ]
        );
        for n in 1..=6 {
            assert!(built.sql.contains(&format!("?{n}")), "?{n} in {}", built.sql);
        }
        assert!(built.sql.contains("LIMIT 51"), "one more than the page");
        assert!(built.sql.contains("(c.id, c.id) < ((SELECT k FROM anchor), ?2)"), "newest first: the cases below the cursor");
    }
}
