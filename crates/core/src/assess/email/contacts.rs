//! The phone numbers and domains a message's text gives (issue 20): a signature's "call me on",
//! an address to write to, a link. They are compared with the partner's numbers and domains on
//! file (a number or domain the message gives that is not on file is a finding), and the numbers
//! are kept with the case: a number that appears in the email is never offered for the callback.
//!
//! Pure and total: the text read is bounded ([`MAX_TEXT_CHARS`] per message), so is the number of
//! contacts taken ([`MAX_CONTACTS`] of each kind); any input gives a list, never a panic.

use super::domains::MailDomain;
use crate::assess::phone::PhoneNumber;

/// At most this many characters of the message's text are read for contacts.
pub const MAX_TEXT_CHARS: usize = 256 * 1024;

/// At most this many numbers, and this many domains, are taken from one message.
pub const MAX_CONTACTS: usize = 50;

/// Shortest and longest run of digits read as a phone number (E.164 has at most 15, and an
/// international prefix `00` adds two).
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 17;

/// What the message's text gives, in the order it gives them, without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Contacts {
    /// Valid phone numbers.
    pub numbers: Vec<PhoneNumber>,
    /// Domains of addresses and links.
    pub domains: Vec<MailDomain>,
}

/// Reads the contacts of a message's text (`text`: its text bodies, HTML turned into text).
/// A number written without a country code is read as one of `region` (the partner's country).
pub(crate) fn read_contacts(text: &str, region: Option<&str>) -> Contacts {
    let text: String = text.chars().take(MAX_TEXT_CHARS).collect();
    let mut contacts = Contacts::default();
    for candidate in number_candidates(&text) {
        if contacts.numbers.len() >= MAX_CONTACTS {
            break;
        }
        if let Ok(number) = PhoneNumber::parse(&candidate, region) {
            if !contacts.numbers.contains(&number) {
                contacts.numbers.push(number);
            }
        }
    }
    for candidate in domain_candidates(&text) {
        if contacts.domains.len() >= MAX_CONTACTS {
            break;
        }
        if let Some(domain) = MailDomain::parse(&candidate) {
            if !contacts.domains.iter().any(|d| d.ascii() == domain.ascii()) {
                contacts.domains.push(domain);
            }
        }
    }
    contacts
}

/// Runs of text that may be a phone number: starting with `+`, `(` or a `0` (an international or
/// trunk prefix: a bare run of digits is more often an invoice or account number), not inside a
/// word, made of digits and the separators people write between them.
fn number_candidates(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = matches!(chars[i], '+' | '(' | '0') && (i == 0 || !chars[i - 1].is_alphanumeric());
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && (chars[j].is_ascii_digit() || matches!(chars[j], ' ' | '-' | '.' | '(' | ')' | '/')) {
            // One space at a time: two spaces end a number.
            if chars[j] == ' ' && chars.get(j + 1).is_some_and(|c| *c == ' ') {
                break;
            }
            j += 1;
        }
        let run: String = chars[i..j].iter().collect();
        let run = run.trim_end_matches([' ', '-', '.', '(', '/']).to_string();
        let digits = run.chars().filter(char::is_ascii_digit).count();
        let followed_by_word = chars.get(i + run.chars().count()).is_some_and(|c| c.is_alphanumeric());
        if (MIN_DIGITS..=MAX_DIGITS).contains(&digits) && !followed_by_word {
            out.push(run);
        }
        i = j.max(i + 1);
    }
    out
}

/// The domains of the addresses (`name@domain`) and links (`https://host`, `www.host`) in `text`.
fn domain_candidates(text: &str) -> Vec<String> {
    let host_char = |c: char| c.is_alphanumeric() || c == '-' || c == '.';
    let mut out = Vec::new();
    let take_host = |rest: &str| -> Option<String> {
        let host: String = rest.chars().take_while(|c| host_char(*c)).collect();
        let host = host.trim_matches(['.', '-']).to_lowercase();
        let tld = host.rsplit('.').next().unwrap_or_default();
        (host.contains('.') && tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)).then_some(host)
    };
    for (at, _) in text.match_indices('@') {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || "._%+-".contains(c)) {
            if let Some(host) = take_host(&text[at + 1..]) {
                out.push(host);
            }
        }
    }
    let lower = text.to_lowercase();
    for prefix in ["https://", "http://", "www."] {
        for (at, _) in lower.match_indices(prefix) {
            let starts_word = lower[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            if !starts_word || (prefix == "www." && lower[..at].ends_with("//")) {
                continue;
            }
            let rest = if prefix == "www." { &lower[at..] } else { &lower[at + prefix.len()..] };
            if let Some(host) = take_host(rest) {
                out.push(host);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str, region: Option<&str>) -> Vec<String> {
        read_contacts(text, region).numbers.iter().map(|n| n.as_e164().to_string()).collect()
    }

    fn domains(text: &str) -> Vec<String> {
        read_contacts(text, None).domains.iter().map(|d| d.ascii().to_string()).collect()
    }

    #[test]
    fn a_signatures_numbers_are_read_in_any_usual_spelling() {
        let text = "Best regards,\nHank\nTel. +44 20 7946 0999 | Mobile: 030 1234567\nFax (030) 123-4568\n";
        assert_eq!(numbers(text, Some("DE")), ["+442079460999", "+49301234567", "+49301234568"]);
        assert_eq!(numbers("call 0044 20 7946 0999 today", None), ["+442079460999"]);
        // The same number twice is one number.
        assert_eq!(numbers("+49 30 1234567 or +49-30-1234567", None), ["+49301234567"]);
    }

    #[test]
    fn invoice_account_and_amount_figures_are_not_numbers() {
        let text = "Invoice INV-7731 of 1,840.00 EUR, due 2026-12-01, to DE89 3704 0044 0532 0130 00 (ref 55501234567).";
        assert_eq!(numbers(text, Some("DE")), Vec::<String>::new());
        // Without a country, a national number cannot be read.
        assert_eq!(numbers("Tel. 030 1234567", None), Vec::<String>::new());
    }

    #[test]
    fn addresses_and_links_give_their_domains() {
        let text = "Write to payments@Globex-Payments.example or see https://portal.globex.example/pay and www.bank.example. \
                    Not a domain: user@localhost, 3.5 kg, @handle.";
        assert_eq!(domains(text), ["globex-payments.example", "portal.globex.example", "www.bank.example"]);
    }

    #[test]
    fn the_contacts_taken_are_bounded() {
        let text: String = (0..200).map(|i| format!("+49 30 12345{i:02} x{i}@d{i}.example\n")).collect();
        let contacts = read_contacts(&text, None);
        assert_eq!((contacts.numbers.len(), contacts.domains.len()), (MAX_CONTACTS, MAX_CONTACTS));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,300}") {
            let _ = read_contacts(&text, Some("DE"));
        }
    }
}
