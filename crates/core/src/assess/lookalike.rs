//! Look-alikes at onboarding (issue 15): a new partner whose name or domain imitates one on file,
//! or that duplicates one, is flagged on the pending change so that the checker looks twice; an
//! attacker onboarding "Glоbex Corporation" (with a Cyrillic `о`) beside the real Globex would
//! otherwise receive its payments under a name no clerk can tell apart.
//!
//! Names are compared with the payee-name rules ([`crate::assess::payee_name`]: legal forms such
//! as Ltd, GmbH, A.Ş. or S.L. and case ignored, confusable letters and small misspellings seen);
//! domains with the email rules (UTS #39 skeletons, other endings, added words, edit distance).

use crate::assess::email::domains::{imitation, MailDomain};
use crate::assess::payee_name::{compare_names, has_confusables, normalise_name, NameMatch};
use crate::changes::ChangeFlag;

/// A partner on file, as the comparison needs it.
#[derive(Debug, Clone)]
pub struct PartnerOnFile {
    /// Its id.
    pub id: i64,
    /// Its legal name.
    pub name: String,
    /// Its registered domains.
    pub domains: Vec<String>,
}

fn flag(code: &str, message: String) -> ChangeFlag {
    ChangeFlag { code: code.into(), message }
}

/// The flags for a new partner named `name` with `domains`, against the partners on file:
/// `partner_name_duplicate` (the same name once legal forms and case are set aside),
/// `partner_name_lookalike` (confusable letters, or a close match), `partner_domain_duplicate`
/// (a domain registered to another partner) and `partner_domain_lookalike`.
pub fn partner_lookalikes(name: &str, domains: &[String], on_file: &[PartnerOnFile]) -> Vec<ChangeFlag> {
    let mut flags = vec![];
    let confusable = has_confusables(name);
    if confusable {
        flags.push(flag(
            "partner_name_lookalike",
            format!("The name {name:?} is spelt with look-alike letters from another alphabet or invisible characters."),
        ));
    }
    for p in on_file {
        let comparison = compare_names(&p.name, name);
        let same = normalise_name(&p.name) == normalise_name(name) && !normalise_name(name).is_empty();
        if same && !confusable {
            flags.push(flag("partner_name_duplicate", format!("Partner {} is already on file as {:?}.", p.id, p.name)));
        } else if same || comparison.outcome() != NameMatch::NoMatch {
            flags.push(flag("partner_name_lookalike", format!("The name looks like that of partner {}, {:?}.", p.id, p.name)));
        }
        for domain in domains {
            flags.extend(domain_flag(domain, p));
        }
    }
    flags
}

fn domain_flag(domain: &str, partner: &PartnerOnFile) -> Option<ChangeFlag> {
    let candidate = MailDomain::parse(domain)?;
    for theirs in &partner.domains {
        let Some(protected) = MailDomain::parse(theirs) else { continue };
        if candidate.ascii() == protected.ascii() {
            return Some(flag(
                "partner_domain_duplicate",
                format!("The domain {domain} is registered to partner {}, {:?}.", partner.id, partner.name),
            ));
        }
        if let Some(how) = imitation(&candidate, &protected) {
            return Some(flag(
                "partner_domain_lookalike",
                format!(
                    "The domain {domain} imitates {theirs} of partner {}, {:?}: {}.",
                    partner.id,
                    partner.name,
                    how.explain(&candidate)
                ),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globex() -> Vec<PartnerOnFile> {
        vec![PartnerOnFile { id: 1, name: "Globex Corporation".into(), domains: vec!["globex.example".into()] }]
    }

    fn codes(name: &str, domains: &[&str]) -> Vec<String> {
        let domains: Vec<String> = domains.iter().map(|d| d.to_string()).collect();
        partner_lookalikes(name, &domains, &globex()).into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_cyrillic_letter_a_legal_form_or_a_typo_is_flagged() {
        assert_eq!(codes("Glоbex Corporation", &[]), ["partner_name_lookalike", "partner_name_lookalike"], "Cyrillic о");
        assert_eq!(codes("Globex Corporation", &[]), ["partner_name_duplicate"]);
        assert_eq!(codes("GLOBEX GmbH", &[]), ["partner_name_duplicate"], "another legal form, the same name");
        assert_eq!(codes("Globexx Corporation", &[]), ["partner_name_lookalike"]);
        assert!(codes("Initech Ltd", &[]).is_empty());
    }

    #[test]
    fn a_domain_of_another_partner_or_one_imitating_it_is_flagged() {
        assert_eq!(codes("Initech Ltd", &["globex.example"]), ["partner_domain_duplicate"]);
        assert_eq!(codes("Initech Ltd", &["g1obex.example"]), ["partner_domain_lookalike"]);
        assert_eq!(codes("Initech Ltd", &["globex-payments.example"]), ["partner_domain_lookalike"]);
        assert!(codes("Initech Ltd", &["initech.example"]).is_empty());
    }
}
