//! Domains read from email addresses, and the rules that say when one imitates another.
//!
//! Every domain is held in three forms: its ASCII (`xn--`) form, its Unicode form (what a mail
//! client shows), and its UTS #39 confusable *skeleton* (lower case, combining marks dropped), so
//! `glоbex.com` (Cyrillic `о`), `xn--glbex-8of.com`, `g1obex.com` and `gl0bex.com` all have the
//! skeleton `globex.com`. Pure and total: no I/O, no panics, bounded work per domain.

use unicode_normalization::UnicodeNormalization;

/// Longest domain text considered (DNS allows 253 octets; Unicode forms are longer). A longer
/// "domain" cannot exist in DNS, so nobody can receive mail there; it is not compared.
pub(crate) const MAX_DOMAIN_CHARS: usize = 512;

/// Shortest registrable label compared by containment ("globex" inside "globex-corp"): shorter
/// names occur inside too many unrelated words.
pub(crate) const MIN_CONTAINED_LABEL: usize = 4;

/// Second-level labels under which a country code's registrable names sit (`globex.co.uk`,
/// `globex.com.tr`): a small list in place of the full public-suffix list, enough to tell the
/// registrable label of business domains.
pub(crate) const SECOND_LEVEL_LABELS: &[&str] =
    &["co", "com", "net", "org", "gov", "edu", "ac", "ltd", "plc", "or", "ne", "gob", "biz", "info", "nom", "gen", "firm", "web"];

/// A domain taken from an email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MailDomain {
    ascii: String,
    unicode: String,
    skeleton: String,
}

impl MailDomain {
    /// Reads the domain part of an address (`text` is what follows the last `@`). `None` for an
    /// empty, bracketed (IP literal) or absurdly long domain.
    pub(crate) fn parse(text: &str) -> Option<MailDomain> {
        let t = text.trim().trim_end_matches('.');
        if t.is_empty() || t.chars().count() > MAX_DOMAIN_CHARS || t.starts_with('[') {
            return None;
        }
        let lower = t.to_lowercase();
        let ascii = match idna::domain_to_ascii(&lower) {
            Ok(a) if !a.is_empty() => a,
            _ => lower.clone(),
        };
        let (unicode, decoded) = idna::domain_to_unicode(&ascii);
        let unicode = if decoded.is_ok() && !unicode.is_empty() { unicode } else { lower };
        let skeleton = skeleton(&unicode);
        Some(MailDomain { ascii, unicode, skeleton })
    }

    /// The ASCII form (`xn--` for internationalised names).
    pub(crate) fn ascii(&self) -> &str {
        &self.ascii
    }

    /// The Unicode form, as a mail client shows it.
    #[cfg(test)]
    pub(crate) fn unicode(&self) -> &str {
        &self.unicode
    }

    /// Whether the name contains anything but ASCII once decoded (an internationalised name).
    pub(crate) fn is_international(&self) -> bool {
        !self.unicode.is_ascii()
    }

    /// The domain as a clerk should read it: the Unicode form, with the real `xn--` form beside
    /// it when the two differ.
    pub(crate) fn describe(&self) -> String {
        if self.ascii != self.unicode {
            format!("{} (really {})", super::shown(&self.unicode), super::shown(&self.ascii))
        } else {
            super::shown(&self.ascii)
        }
    }

    /// Whether this domain is `other` or one of its subdomains (`mail.globex.com` is within
    /// `globex.com`).
    pub(crate) fn is_within(&self, other: &MailDomain) -> bool {
        self.ascii == other.ascii
            || (self.ascii.len() > other.ascii.len()
                && self.ascii.ends_with(&other.ascii)
                && self.ascii.as_bytes()[self.ascii.len() - other.ascii.len() - 1] == b'.')
    }

    /// The registrable domain (`globex.co.uk` for `mail.globex.co.uk`), by the small list of
    /// second-level labels: used to tell whether two addresses belong to the same organisation.
    pub(crate) fn registrable(&self) -> String {
        let labels: Vec<&str> = self.ascii.split('.').collect();
        let suffix = suffix_len(&labels);
        let keep = (suffix + 1).min(labels.len());
        labels[labels.len() - keep..].join(".")
    }
}

/// How many trailing labels make the public suffix: one, or two for `co.uk`-style names.
fn suffix_len(labels: &[&str]) -> usize {
    let n = labels.len();
    if n >= 3 && labels[n - 1].chars().count() == 2 && SECOND_LEVEL_LABELS.contains(&labels[n - 2]) {
        2
    } else {
        1
    }
}

/// The UTS #39 skeleton of a text, lower case, with combining marks removed (so `ö` and `o`
/// compare equal, as they nearly do to the eye).
pub(crate) fn skeleton(text: &str) -> String {
    unicode_security::skeleton(text)
        .filter(|&c| !unicode_normalization::char::is_combining_mark(c))
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .nfc()
        .collect()
}

/// Why a domain is taken for an imitation of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Imitation {
    /// Same skeleton, different name: look-alike characters (`g1obex`, Cyrillic `о`, `xn--`).
    Confusable,
    /// The same name under another ending (`globex.co`, `globex.com.tr`).
    OtherEnding,
    /// The name with words or hyphens added (`globex-corp`, `mail-globex`, `glo-bex`).
    AddedWords,
    /// The name with this many letters changed, added, removed or swapped (1 or 2).
    Misspelt(usize),
}

impl Imitation {
    /// A clause a clerk understands, completing "… which imitates globex.com: …".
    pub(crate) fn explain(self, domain: &MailDomain) -> String {
        match self {
            Imitation::Confusable if domain.is_international() => "it is spelt with look-alike letters from another alphabet".to_string(),
            Imitation::Confusable => "it is spelt with look-alike characters (such as 1 for l, 0 for o, rn for m)".to_string(),
            Imitation::OtherEnding => "the same name with a different ending".to_string(),
            Imitation::AddedWords => "the same name with words or hyphens added".to_string(),
            Imitation::Misspelt(1) => "the name with one letter changed".to_string(),
            Imitation::Misspelt(n) => format!("the name with {n} letters changed"),
        }
    }
}

/// Whether `candidate` imitates `protected` without being it (or one of its subdomains).
///
/// Rules, on skeletons, in this order: equal skeletons; the same registrable label under another
/// suffix; a label equal to the registrable label once hyphens are removed; an edit distance
/// (optimal string alignment) of the registrable labels of 1 for names of 4 or 5 characters and
/// up to 2 from 6; the registrable label (of at least [`MIN_CONTAINED_LABEL`] characters)
/// contained in one of the candidate's labels.
pub(crate) fn imitation(candidate: &MailDomain, protected: &MailDomain) -> Option<Imitation> {
    if candidate.is_within(protected) {
        return None;
    }
    if candidate.skeleton == protected.skeleton {
        return Some(Imitation::Confusable);
    }
    // Labels and suffixes are told on the Unicode form (the skeleton of `com` is `corn`), then
    // compared by skeleton.
    let c_plain: Vec<&str> = candidate.unicode.split('.').collect();
    let p_plain: Vec<&str> = protected.unicode.split('.').collect();
    let (c_suffix, p_suffix) = (suffix_len(&c_plain), suffix_len(&p_plain));
    if c_plain.len() <= c_suffix || p_plain.len() <= p_suffix {
        return None;
    }
    let c_labels: Vec<String> = c_plain.iter().map(|l| skeleton(l)).collect();
    let p_labels: Vec<String> = p_plain.iter().map(|l| skeleton(l)).collect();
    let c_name = c_labels[c_labels.len() - c_suffix - 1].as_str();
    let p_name = p_labels[p_labels.len() - p_suffix - 1].as_str();
    if c_name.is_empty() || p_name.is_empty() {
        return None;
    }
    if c_name == p_name {
        let same_suffix = c_labels[c_labels.len() - c_suffix..] == p_labels[p_labels.len() - p_suffix..];
        return Some(if same_suffix { Imitation::Confusable } else { Imitation::OtherEnding });
    }
    let p_len = p_plain[p_plain.len() - p_suffix - 1].chars().count();
    let c_names = &c_labels[..c_labels.len() - c_suffix];
    let unhyphenated = |l: &str| l.chars().filter(|&c| c != '-').collect::<String>();
    if c_names.iter().any(|l| unhyphenated(l) == p_name) {
        return Some(Imitation::AddedWords);
    }
    let allowed = match p_len {
        0..=3 => 0,
        4 | 5 => 1,
        _ => 2,
    };
    if allowed > 0 && c_name.chars().count() <= 63 && p_len <= 63 {
        let distance = strsim::osa_distance(c_name, p_name);
        if distance > 0 && distance <= allowed {
            return Some(Imitation::Misspelt(distance));
        }
    }
    if p_len >= MIN_CONTAINED_LABEL && c_names.iter().any(|l| l.contains(p_name)) {
        return Some(Imitation::AddedWords);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> MailDomain {
        MailDomain::parse(s).unwrap()
    }

    fn imitates(candidate: &str, protected: &str) -> Option<Imitation> {
        imitation(&d(candidate), &d(protected))
    }

    #[test]
    fn the_domain_itself_and_its_subdomains_are_not_imitations() {
        assert_eq!(imitates("globex.com", "globex.com"), None);
        assert_eq!(imitates("GLOBEX.COM.", "globex.com"), None);
        assert_eq!(imitates("mail.globex.com", "globex.com"), None);
        assert!(d("mail.globex.com").is_within(&d("globex.com")));
        assert!(!d("xglobex.com").is_within(&d("globex.com")));
    }

    #[test]
    fn confusable_characters() {
        assert_eq!(imitates("g1obex.com", "globex.com"), Some(Imitation::Confusable));
        assert_eq!(imitates("gl0bex.com", "globex.com"), Some(Imitation::Confusable));
        assert_eq!(imitates("rnicrosoft.com", "microsoft.com"), Some(Imitation::Confusable));
        // Cyrillic о, written in Unicode and in its xn-- form.
        let cyrillic = d("gl\u{043E}bex.com");
        assert!(cyrillic.ascii().starts_with("xn--"));
        assert!(cyrillic.is_international());
        assert_eq!(imitation(&cyrillic, &d("globex.com")), Some(Imitation::Confusable));
        let puny = d(cyrillic.ascii());
        assert_eq!(puny.unicode(), "gl\u{043E}bex.com");
        assert_eq!(imitation(&puny, &d("globex.com")), Some(Imitation::Confusable));
        // Latin with a diaeresis, in xn-- form.
        let umlaut = d(d("glöbex.com").ascii());
        assert!(umlaut.ascii().starts_with("xn--"));
        assert_eq!(umlaut.unicode(), "glöbex.com");
        assert_eq!(imitation(&umlaut, &d("globex.com")), Some(Imitation::Confusable));
    }

    #[test]
    fn other_endings() {
        for c in ["globex.co", "globex.com.tr", "globex.net", "globex.co.uk", "pay.globex.io"] {
            assert_eq!(imitates(c, "globex.com"), Some(Imitation::OtherEnding), "{c}");
        }
        assert_eq!(imitates("globex.com", "globex.co.uk"), Some(Imitation::OtherEnding));
    }

    #[test]
    fn added_words_and_hyphens() {
        for c in [
            "globex-corp.com",
            "globexpayments.com",
            "mail-globex.com",
            "globex-com.net",
            "glo-bex.com",
            "g1obex-corp.com",
            "globex.com.secure-login.net",
        ] {
            assert_eq!(imitates(c, "globex.com"), Some(Imitation::AddedWords), "{c}");
        }
    }

    #[test]
    fn misspellings_within_the_distance() {
        assert_eq!(imitates("glbex.com", "globex.com"), Some(Imitation::Misspelt(1)));
        assert_eq!(imitates("golbex.com", "globex.com"), Some(Imitation::Misspelt(1)));
        assert_eq!(imitates("glovexx.com", "globex.com"), Some(Imitation::Misspelt(2)));
        assert_eq!(imitates("acne.com", "acme.com"), Some(Imitation::Misspelt(1)));
        assert_eq!(imitates("initec.de", "initech.de"), Some(Imitation::Misspelt(1)));
    }

    #[test]
    fn unrelated_and_distant_names_are_not_imitations() {
        for (c, p) in [
            ("gmail.com", "globex.com"),
            ("umbrella.com", "globex.com"),
            ("glaxo.com", "globex.com"),
            ("ibn.com", "ibm.com"),      // too short for a distance rule
            ("acmeeee.com", "acme.com"), // contains "acme": that one *is* caught, see below
            ("thirdparty.example", "globex.com"),
        ] {
            if c == "acmeeee.com" {
                assert_eq!(imitates(c, p), Some(Imitation::AddedWords));
            } else {
                assert_eq!(imitates(c, p), None, "{c} vs {p}");
            }
        }
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(d("mail.globex.co.uk").registrable(), "globex.co.uk");
        assert_eq!(d("mx1.eu.globex.com").registrable(), "globex.com");
        assert_eq!(d("globex.com").registrable(), "globex.com");
        assert_eq!(d("localhost").registrable(), "localhost");
    }

    #[test]
    fn hostile_domains_are_refused_or_bounded() {
        assert!(MailDomain::parse("").is_none());
        assert!(MailDomain::parse("[192.0.2.1]").is_none());
        assert!(MailDomain::parse(&"a".repeat(10_000)).is_none());
        let odd = d("..\u{202E}moc.xebolg");
        let _ = imitation(&odd, &d("globex.com"));
        let _ = d("xn--").describe();
    }
}
