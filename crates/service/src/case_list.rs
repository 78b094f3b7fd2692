//! The case list of a long workspace (issue 19): a page of the cases a search finds, in the order
//! of one column, for the app's virtual list and `case list --search --sort`. The words' meaning is
//! the core's ([`countersign_core::cases::search`]); the service turns an amount typed into the
//! minor units it means in each currency the cases are in; the store runs one keyset-paged query.
//! Any signed-in user may list the cases, as `case list` always allowed.

use std::collections::BTreeMap;

use countersign_core::bank::Currency;
use countersign_core::cases::flow::CaseStatus;
use countersign_core::cases::record::Case;
use countersign_core::cases::search::{CaseSearch, CaseSort, SearchWord};
use countersign_core::paging::{Page, Paged};
use countersign_store::prelude::*;
use countersign_store::{CaseQuery, CaseWord, Tx};

use super::{ServiceResult, Session, Workspace};

/// What the case list asks for: the cases with a status (any when `None`) that a search finds, in
/// an order.
#[derive(Debug, Clone, Copy)]
pub struct CaseListQuery<'a> {
    /// Only cases with this status.
    pub status: Option<CaseStatus>,
    /// The words every case listed matches.
    pub search: &'a CaseSearch,
    /// The order.
    pub sort: CaseSort,
}

impl Workspace {
    /// One page of the cases a search finds, in the order asked for. The cursor (`page.after`) is
    /// the page before's last case; the next page starts after it in the same order.
    pub fn case_list_page(&mut self, session: &Session, query: &CaseListQuery<'_>, page: &Page) -> ServiceResult<Paged<Case>> {
        self.require_signed_in(session)?;
        let rows = self.store.read(|tx| -> ServiceResult<Vec<Case>> {
            let words = store_words(tx, query.search)?;
            let store_query = CaseQuery { status: query.status, words: &words, sort: query.sort, page };
            Ok(tx.search_cases(&store_query)?)
        })?;
        Ok(Paged::of(rows, page, |c| c.id))
    }
}

/// The search's words for the store: an amount typed becomes the minor units it means in each
/// currency the cases are in (48200.5 is 4820050 cents, and no amount in yen).
fn store_words(tx: &dyn Tx, search: &CaseSearch) -> ServiceResult<Vec<CaseWord>> {
    let any_amount = search.words().iter().any(|w| matches!(w, SearchWord::Text { amount: Some(_), .. }));
    let mut by_digits: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for code in if any_amount { tx.case_currencies()? } else { vec![] } {
        // A currency that does not parse was never written by Countersign; no amount can mean it.
        if let Ok(currency) = Currency::parse(&code) {
            by_digits.entry(currency.minor_digits()).or_default().push(code);
        }
    }
    let word = |w: &SearchWord| match w {
        SearchWord::CaseNumber(id) => CaseWord::Number(*id),
        SearchWord::Text { text, amount } => {
            let in_digits = |(digits, codes): (&u32, &Vec<String>)| {
                let minor = amount.and_then(|a| a.in_minor_units(*digits)).and_then(|m| i64::try_from(m).ok());
                minor.map(|m| (m, codes.clone()))
            };
            CaseWord::Text { text: text.clone(), amounts: by_digits.iter().filter_map(in_digits).collect() }
        }
    };
    Ok(search.words().iter().map(word).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::admin_workspace;
    use crate::NewPartner;
    use countersign_core::cases::search::CaseSortKey;
    use countersign_core::format::card::{CardDetails, PartnerCard};
    use countersign_core::format::envelope::{Envelope, FileKind};
    use countersign_core::format::instruction::Details;
    use countersign_core::format::keys::KeyPair;
    use rand_core::OsRng;
    use time::OffsetDateTime;

    const IBAN: &str = "DE89 3704 0044 0532 0130 00";

    /// A partner onboarded with a fresh key, and files of it paying `(amount, currency)` to its
    /// known account, received in that order (cases 1, 2, …).
    fn workspace_with_cases(payments: &[(&str, &str)]) -> (tempfile::TempDir, Workspace, Session) {
        let (dir, mut ws, alice) = admin_workspace();
        let key = KeyPair::generate(&mut OsRng);
        let now = OffsetDateTime::now_utc();
        let card = PartnerCard::create(&key, CardDetails { name: "Globex Corporation".into(), ..Default::default() }, now).unwrap();
        let phones = ["+49 30 1234567".to_string()];
        let typed = card.fingerprint().to_string();
        let new = NewPartner {
            card: &card.to_bytes(),
            confirm_fingerprint: &typed,
            phones: &phones.iter().map(|p| crate::NewNumber::plain(p)).collect::<Vec<_>>(),
            card_numbers: false,
            domains: &[],
            country: Some("DE"),
            known_account: Some((IBAN, "COBADEFFXXX")),
        };
        ws.add_partner(&alice, &new).unwrap();
        let us = ws.org_fingerprint().unwrap();
        let files: Vec<(String, Vec<u8>)> = payments
            .iter()
            .enumerate()
            .map(|(i, (amount, currency))| {
                let details = Details {
                    beneficiary_name: "Globex Corporation".into(),
                    iban: Some(IBAN.into()),
                    account_number: None,
                    routing_code: None,
                    country: None,
                    bic: "COBADEFFXXX".into(),
                    currency: (*currency).into(),
                    amount: Some((*amount).into()),
                    amount_minor: None,
                    reference: Some(format!("INV-{i}")),
                    due_date: None,
                    valid_from: None,
                    valid_until: None,
                };
                let issued = now - time::Duration::minutes(1);
                let instruction = details.to_instruction(format!("i{i}"), key.fingerprint(), us, issued).unwrap();
                (format!("i{i}.csi"), Envelope::sign(FileKind::Instruction, &key, instruction.to_payload_bytes()).to_bytes())
            })
            .collect();
        ws.receive(&alice, &files, None, &mut |_, _| {}).unwrap();
        (dir, ws, alice)
    }

    fn found(ws: &mut Workspace, session: &Session, search: &str, sort: CaseSort) -> Vec<i64> {
        let search = CaseSearch::parse(search).unwrap();
        let query = CaseListQuery { status: None, search: &search, sort };
        ws.case_list_page(session, &query, &Page::default()).unwrap().items.iter().map(|c| c.id).collect()
    }

    /// An amount typed means as many minor units as each case's currency has digits, on the
    /// backend the tests run on.
    #[test]
    fn an_amount_typed_finds_the_cases_of_that_amount_in_their_own_currency() {
        let (_dir, mut ws, alice) = workspace_with_cases(&[("48200.50", "EUR"), ("48200", "JPY"), ("48200.00", "EUR"), ("482.00", "EUR")]);
        let newest = CaseSort::default();
        assert_eq!(found(&mut ws, &alice, "48200.5", newest), [1]);
        assert_eq!(found(&mut ws, &alice, "48200", newest), [3, 2], "48200 yen and 48200.00 euro, not 482.00 euro");
        assert_eq!(found(&mut ws, &alice, "#2", newest), [2]);
        assert_eq!(found(&mut ws, &alice, "de89370400440532013000 inv-3", newest), [4], "an IBAN without spaces and a reference");
        let by_amount = CaseSort { key: CaseSortKey::Amount, descending: true };
        // 482.00 euro and 48200 yen are both 48200 minor units: the tie goes by number, largest first.
        assert_eq!(found(&mut ws, &alice, "globex", by_amount), [1, 3, 4, 2], "in minor units");
        let page = Page::new(Some(2), None).unwrap();
        let search = CaseSearch::default();
        let query = CaseListQuery { status: None, search: &search, sort: by_amount };
        let first = ws.case_list_page(&alice, &query, &page).unwrap();
        assert_eq!((first.items.len(), first.next), (2, Some(3)), "the cursor is the page's last case");
        let rest = ws.case_list_page(&alice, &query, &Page::new(Some(2), first.next).unwrap()).unwrap();
        assert_eq!((rest.items.iter().map(|c| c.id).collect::<Vec<_>>(), rest.next), (vec![4, 2], None));
    }
}
