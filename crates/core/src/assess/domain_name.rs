//! Internet domain names as registered for partners and read from email addresses: lower-case
//! ASCII (internationalised names in their punycode `xn--` form), checked label by label.

use std::fmt;

/// A syntactically valid domain name, lower case.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct DomainName(String);

/// Why a domain name was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a valid domain name (labels of letters, digits and hyphens, like example.com; internationalised names in xn-- form)")]
pub struct DomainNameError(pub String);

impl DomainName {
    /// Parses a domain name; upper case is folded, one trailing dot is dropped.
    pub fn parse(text: &str) -> Result<Self, DomainNameError> {
        let lower = text.trim().trim_end_matches('.').to_ascii_lowercase();
        let labels: Vec<&str> = lower.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        let tld_ok = labels.last().is_some_and(|t| t.starts_with("xn--") || t.bytes().all(|b| b.is_ascii_lowercase()));
        if lower.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
            return Err(DomainNameError(text.to_string()));
        }
        Ok(DomainName(lower))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!(DomainName::parse("Globex.COM.").unwrap().as_str(), "globex.com");
        assert!(DomainName::parse("xn--glbex-jua.com").is_ok());
        assert!(DomainName::parse("mail.globex-corp.co.uk").is_ok());
        for bad in ["globex", "-globex.com", "globex-.com", "glo bex.com", "globex..com", "globex.c0m1", "glöbex.com", ""] {
            assert!(DomainName::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
