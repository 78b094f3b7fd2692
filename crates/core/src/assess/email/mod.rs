//! Email evidence: reads the headers of the message (.eml) that carried an instruction or asked
//! for a change, and reports the tricks of business-email-compromise as findings of the "email
//! evidence" group (`email_*` reason codes; see docs/email-evidence.md for every rule, list and
//! threshold, with an example message per finding).
//!
//! Guarantees:
//! - Pure: no I/O, no clock, no network (no DNS look-ups: the rules read what the receiving mail
//!   server recorded, they do not repeat its checks).
//! - Total: any byte string gives `Ok` or a clear [`EmailError`], never a panic; input above
//!   [`MAX_EMAIL_SIZE`] is refused before parsing, and the work per message is bounded
//!   ([`MAX_ADDRESSES`], [`MAX_FINDINGS_PER_CODE`]).
//! - Email evidence only ever adds warnings (and one informational note when the message carries
//!   no authentication results): it can raise a verdict to `hold`, never lower one. Deciding the
//!   verdict is the service's job.
//! - Every value quoted in a message is made safe to show: control, bidirectional and invisible
//!   characters are written as `\u{…}` escapes and long values are cut short.

mod auth_results;
mod contacts;
pub(crate) mod domains;

use std::collections::HashSet;

use mail_parser::{HeaderName, HeaderValue, MessageParser};

use crate::assess::domain_name::DomainName;
use crate::assess::findings::{Finding, ReasonCode, Severity};
use crate::assess::payee_name::{compare_names, NameMatch};
use crate::encoding::sha256_hex;
use domains::{imitation, MailDomain};

/// Largest email accepted, in bytes (10 MiB): a message with its attachments, not a mailbox.
pub const MAX_EMAIL_SIZE: usize = 10 * 1024 * 1024;

/// Free-mail providers: anyone can open a mailbox there, so on these domains a Reply-To,
/// Return-Path or Sender is compared by mailbox, not by domain.
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "proton.me",
    "protonmail.com",
    "zoho.com",
    "yandex.com",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    "163.com",
];

/// At most this many addresses of a message are read (the sender's headers first, then To and
/// Cc); a message listing more is hostile or a mass mailing, and says so in a finding.
pub const MAX_ADDRESSES: usize = 1000;

/// At most this many findings of one reason code are reported; one more finding says how many
/// were left out.
pub const MAX_FINDINGS_PER_CODE: usize = 10;

/// Longest quoted value in a message, in characters.
const MAX_SHOWN_CHARS: usize = 100;

/// What the rules compare the message with. Borrowed, so the service builds it from the store
/// without copying.
#[derive(Debug, Clone, Copy)]
pub struct EmailContext<'a> {
    /// The legal name of the partner whose key signed the instruction.
    pub partner_name: &'a str,
    /// The partner's registered email domains (their subdomains count as the partner's too).
    pub partner_domains: &'a [DomainName],
    /// Names of people at the partner, if known (may be empty).
    pub partner_contacts: &'a [String],
    /// Our own organisation's domains (may be empty).
    pub our_domains: &'a [DomainName],
    /// Every other partner's registered domains: look-alikes of those count too.
    pub other_partner_domains: &'a [DomainName],
    /// The partner's numbers on file, E.164 (issue 20): a number the message gives that is not
    /// among them is a finding.
    pub partner_numbers: &'a [String],
    /// The partner's country (ISO 3166 alpha-2): how a number the message writes without a
    /// country code is read.
    pub partner_country: Option<&'a str>,
}

/// What the message says, as evidence for a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailEvidence {
    /// SHA-256 of the raw bytes, lower-case hex: what the audit event records.
    pub sha256: String,
    /// The first From address as shown (`Name <address>`), made safe to display.
    pub from: Option<String>,
    /// The subject, made safe to display.
    pub subject: Option<String>,
    /// The findings, in rule order: unregistered domain, reply-to mismatch, look-alike domain,
    /// authentication, display name, then the numbers and domains the text gives that are not on
    /// file.
    pub findings: Vec<Finding>,
    /// Every valid phone number the message's text gives, E.164, in order (issue 20): none of
    /// them is offered for the callback of the case the message came with.
    pub numbers: Vec<String>,
}

/// Why an email could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// The file is larger than [`MAX_EMAIL_SIZE`].
    #[error("the email is {size} bytes, more than the {limit} bytes accepted: attach the single message (.eml) that carried the instruction, not a mailbox export")]
    TooLarge {
        /// The size of the file, in bytes.
        size: usize,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The bytes are not an email message whose sender can be read.
    #[error(
        "the file is not a readable email ({0}): save the message from the mail program as .eml, with all its headers, and attach that"
    )]
    Unparseable(String),
}

/// The SHA-256 (hex) of each attachment the message carries, decoded: which files of a batch it
/// brought, so that its evidence is kept with those files and no other (issue 19).
pub fn attachment_sha256s(raw: &[u8]) -> Result<Vec<String>, EmailError> {
    if raw.len() > MAX_EMAIL_SIZE {
        return Err(EmailError::TooLarge { size: raw.len(), limit: MAX_EMAIL_SIZE });
    }
    let message = MessageParser::new().parse(raw).ok_or_else(|| EmailError::Unparseable("no mail headers found".to_string()))?;
    Ok(message.attachments().map(|part| sha256_hex(part.contents())).collect())
}

/// Reads an email and reports what its headers say about the partner's identity.
pub fn assess_email(raw: &[u8], ctx: &EmailContext<'_>) -> Result<EmailEvidence, EmailError> {
    if raw.len() > MAX_EMAIL_SIZE {
        return Err(EmailError::TooLarge { size: raw.len(), limit: MAX_EMAIL_SIZE });
    }
    let sha256 = sha256_hex(raw);
    let message = MessageParser::new().parse_headers(raw).ok_or_else(|| EmailError::Unparseable("no mail headers found".to_string()))?;

    let (mailboxes, skipped) = read_mailboxes(&message);
    let from = mailboxes
        .iter()
        .find(|m| m.field == Field::From)
        .cloned()
        .ok_or_else(|| EmailError::Unparseable("it has no From address".to_string()))?;

    let rules = Rules::new(ctx, &from);
    let auth_headers: Vec<&str> =
        message.headers_raw().filter(|(name, _)| name.eq_ignore_ascii_case("Authentication-Results")).map(|(_, value)| value).collect();

    let mut findings = Vec::new();
    if skipped > 0 {
        let listed = mailboxes.len() + skipped;
        findings.push(
            Finding::warning(
                ReasonCode::EmailLookalikeDomain,
                format!("The message lists {listed} addresses; only the first {MAX_ADDRESSES} were checked"),
            )
            .with("addresses", listed.to_string())
            .with("checked", MAX_ADDRESSES.to_string()),
        );
    }
    rules.unregistered_domain(&mailboxes, &mut findings);
    rules.reply_to_mismatch(&mailboxes, &mut findings);
    rules.lookalike_domains(&mailboxes, &mut findings);
    rules.authentication(&auth_headers, &mailboxes, &mut findings);
    rules.display_names(&mailboxes, &mut findings);
    let contacts = contacts::read_contacts(&message_text(raw), ctx.partner_country);
    rules.contacts_not_on_file(&contacts, &mailboxes, &mut findings);
    let findings = cap_per_code(findings);
    let numbers = contacts.numbers.iter().map(|n| n.as_e164().to_string()).collect();

    Ok(EmailEvidence { sha256, from: Some(from.describe()), subject: message.subject().map(shown), findings, numbers })
}

/// The message's text: its subject and text bodies (HTML bodies as text), as far as they can be
/// read; empty when they cannot.
fn message_text(raw: &[u8]) -> String {
    let Some(message) = MessageParser::new().parse(raw) else { return String::new() };
    let mut text = message.subject().unwrap_or_default().to_string();
    for i in 0..message.text_body_count() {
        if text.len() > contacts::MAX_TEXT_CHARS {
            break;
        }
        text.push('\n');
        text.push_str(&message.body_text(i).unwrap_or_default());
    }
    text
}

/// Reads the addresses of the headers the rules use: the sender's headers (From, Reply-To,
/// Sender, Return-Path) first, then the recipients (To, Cc), at most [`MAX_ADDRESSES`] in all.
/// Returns them with the number left out.
fn read_mailboxes(message: &mail_parser::Message<'_>) -> (Vec<Mailbox>, usize) {
    let mut mailboxes = Vec::new();
    let mut skipped = 0usize;
    for recipients in [false, true] {
        for header in message.headers() {
            let field = match header.name {
                HeaderName::From => Field::From,
                HeaderName::ReplyTo => Field::ReplyTo,
                HeaderName::Sender => Field::Sender,
                HeaderName::ReturnPath => Field::ReturnPath,
                HeaderName::To => Field::To,
                HeaderName::Cc => Field::Cc,
                _ => continue,
            };
            if matches!(field, Field::To | Field::Cc) != recipients {
                continue;
            }
            let mut add = |name: Option<&str>, address: &str| {
                if address.trim().is_empty() {
                    return;
                }
                if mailboxes.len() < MAX_ADDRESSES {
                    mailboxes.push(Mailbox::new(field, name, address));
                } else {
                    skipped += 1;
                }
            };
            match &header.value {
                HeaderValue::Address(list) => {
                    for addr in list.iter() {
                        if let Some(address) = addr.address.as_deref() {
                            add(addr.name.as_deref(), address);
                        }
                    }
                }
                HeaderValue::Text(text) => add(None, text),
                HeaderValue::TextList(list) => list.iter().for_each(|t| add(None, t)),
                _ => {}
            }
        }
    }
    mailboxes.retain(|m| !m.address.is_empty());
    (mailboxes, skipped)
}

/// An address header the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    ReplyTo,
    Sender,
    ReturnPath,
    To,
    Cc,
}

impl Field {
    fn header(self) -> &'static str {
        match self {
            Field::From => "From",
            Field::ReplyTo => "Reply-To",
            Field::Sender => "Sender",
            Field::ReturnPath => "Return-Path",
            Field::To => "To",
            Field::Cc => "Cc",
        }
    }
}

/// One address read from a header.
#[derive(Debug, Clone)]
struct Mailbox {
    field: Field,
    name: Option<String>,
    address: String,
    domain: Option<MailDomain>,
}

impl Mailbox {
    fn new(field: Field, name: Option<&str>, address: &str) -> Mailbox {
        let address = address.trim().trim_start_matches('<').trim_end_matches('>').trim().to_string();
        let domain = address.rsplit_once('@').and_then(|(_, d)| MailDomain::parse(d));
        let name = name.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        Mailbox { field, name, address, domain }
    }

    /// `Name <address>` or the address, safe to show.
    fn describe(&self) -> String {
        match &self.name {
            Some(name) => format!("{} <{}>", shown(name), shown(&self.address)),
            None => shown(&self.address),
        }
    }
}

/// Who a protected domain belongs to.
#[derive(Debug, Clone, Copy)]
enum Owner {
    Partner,
    Us,
    OtherPartner,
}

struct Rules<'c> {
    ctx: &'c EmailContext<'c>,
    from: &'c Mailbox,
    partner: Vec<MailDomain>,
    ours: Vec<MailDomain>,
    protected: Vec<(MailDomain, Owner)>,
}

impl<'c> Rules<'c> {
    fn new(ctx: &'c EmailContext<'c>, from: &'c Mailbox) -> Self {
        let parse = |list: &[DomainName]| -> Vec<MailDomain> { list.iter().filter_map(|d| MailDomain::parse(d.as_str())).collect() };
        let partner = parse(ctx.partner_domains);
        let ours = parse(ctx.our_domains);
        let others = parse(ctx.other_partner_domains);
        let protected = partner
            .iter()
            .map(|d| (d.clone(), Owner::Partner))
            .chain(ours.iter().map(|d| (d.clone(), Owner::Us)))
            .chain(others.into_iter().map(|d| (d, Owner::OtherPartner)))
            .collect();
        Rules { ctx, from, partner, ours, protected }
    }

    fn partner_name(&self) -> String {
        shown(self.ctx.partner_name.trim())
    }

    fn is_partners(&self, domain: &MailDomain) -> bool {
        self.partner.iter().any(|p| domain.is_within(p))
    }

    fn is_ours(&self, domain: &MailDomain) -> bool {
        self.ours.iter().any(|p| domain.is_within(p))
    }

    /// The partner's registered domains as a clerk reads them ("globex.com or globex.de").
    fn partner_domain_list(&self) -> String {
        let names: Vec<String> = self.partner.iter().take(5).map(MailDomain::describe).collect();
        let mut text = names.join(" or ");
        if self.partner.len() > 5 {
            text.push_str(&format!(" (or {} more)", self.partner.len() - 5));
        }
        text
    }

    /// The domains an authentication result should name, as a value of a finding: the partner's,
    /// or the sender's own when the partner has none registered.
    fn expected_domains_value(&self) -> String {
        if self.partner.is_empty() {
            self.from.domain.as_ref().map(MailDomain::describe).unwrap_or_default()
        } else {
            self.partner_domains_value()
        }
    }

    /// The partner's registered domains as a value of a finding: a plain list, "…" after five.
    fn partner_domains_value(&self) -> String {
        let mut names: Vec<String> = self.partner.iter().take(5).map(MailDomain::describe).collect();
        if self.partner.len() > 5 {
            names.push("…".to_string());
        }
        names.join(", ")
    }

    /// email_unregistered_domain: a From domain not among the partner's registered domains.
    fn unregistered_domain(&self, mailboxes: &[Mailbox], out: &mut Vec<Finding>) {
        let mut seen = HashSet::new();
        for m in mailboxes.iter().filter(|m| m.field == Field::From) {
            if !seen.insert(m.address.to_lowercase()) {
                continue;
            }
            let mut values = vec![("address", shown(&m.address))];
            let message = match &m.domain {
                None => format!(
                    "The message is from {}, which has no valid domain, so it cannot be matched to {}",
                    shown(&m.address),
                    self.partner_name()
                ),
                Some(_) if self.partner.is_empty() => format!(
                    "The message is from {}, but {} has no registered email domains to check it against",
                    shown(&m.address),
                    self.partner_name()
                ),
                Some(d) if !self.is_partners(d) => {
                    values.push(("domain", d.describe()));
                    values.push(("domains", self.partner_domains_value()));
                    format!(
                        "The message is from {}: {} is not one of {}'s registered domains ({})",
                        shown(&m.address),
                        d.describe(),
                        self.partner_name(),
                        self.partner_domain_list()
                    )
                }
                Some(_) => continue,
            };
            out.push(with_values(Finding::warning(ReasonCode::EmailUnregisteredDomain, message), values));
        }
    }

    /// email_number_not_on_file and email_domain_not_on_file (issue 20): a number the message's
    /// text gives that is not on file for the partner, and an address or link on a domain
    /// registered neither for the partner nor for us. A domain of the address headers is left to
    /// the rules above (a quoted reply repeats the thread's addresses in its text).
    fn contacts_not_on_file(&self, contacts: &contacts::Contacts, mailboxes: &[Mailbox], out: &mut Vec<Finding>) {
        let in_headers = |d: &MailDomain| mailboxes.iter().filter_map(|m| m.domain.as_ref()).any(|h| h.ascii() == d.ascii());
        let partner = self.partner_name();
        for number in contacts.numbers.iter().filter(|n| !self.ctx.partner_numbers.iter().any(|p| p == n.as_e164())) {
            let message = format!(
                "The message gives the phone number {}, which is not on file for {partner}: never call it; call back only on a number on file",
                number.international()
            );
            out.push(
                Finding::warning(ReasonCode::EmailNumberNotOnFile, message).with("number", number.as_e164()).with("partner", &partner),
            );
        }
        for domain in contacts.domains.iter().filter(|d| !self.is_partners(d) && !self.is_ours(d) && !in_headers(d)) {
            let message = format!(
                "The message's text gives an address or link on {}, which is registered neither for {partner} nor for us",
                domain.describe()
            );
            out.push(Finding::warning(ReasonCode::EmailDomainNotOnFile, message).with("domain", domain.ascii()).with("partner", &partner));
        }
    }

    /// Whether two domains belong to the same organisation: the same registrable domain, or
    /// both registered to the partner.
    fn same_organisation(&self, a: &MailDomain, b: &MailDomain) -> bool {
        a.registrable() == b.registrable() || (self.is_partners(a) && self.is_partners(b))
    }

    /// email_reply_to_mismatch: Reply-To, Return-Path or Sender elsewhere than From.
    fn reply_to_mismatch(&self, mailboxes: &[Mailbox], out: &mut Vec<Finding>) {
        let Some(from_domain) = &self.from.domain else {
            return;
        };
        let free_mail = FREE_MAIL_DOMAINS.contains(&from_domain.registrable().as_str());
        let mut seen = HashSet::new();
        for m in mailboxes {
            if !matches!(m.field, Field::ReplyTo | Field::ReturnPath | Field::Sender) {
                continue;
            }
            if !seen.insert((m.field.header(), m.address.to_lowercase())) {
                continue;
            }
            let other_domain = match &m.domain {
                Some(d) => !self.same_organisation(d, from_domain),
                None => true,
            };
            let other_mailbox = free_mail && !m.address.eq_ignore_ascii_case(&self.from.address);
            if !other_domain && !other_mailbox {
                continue;
            }
            let target = if other_domain {
                format!("not to {}", from_domain.describe())
            } else {
                format!("not to the sender's own mailbox {} on the free-mail service {}", shown(&self.from.address), from_domain.describe())
            };
            let message = match m.field {
                Field::ReplyTo => {
                    format!("Replies go to {}, {} (Reply-To differs from From {})", shown(&m.address), target, shown(&self.from.address))
                }
                Field::ReturnPath => format!(
                    "Bounced mail goes to {}, {} (Return-Path differs from From {})",
                    shown(&m.address),
                    target,
                    shown(&self.from.address)
                ),
                _ => format!(
                    "The message was sent by {} on behalf of {} (Sender differs from From): the sending mailbox is {}",
                    shown(&m.address),
                    shown(&self.from.address),
                    target.replacen("not to", "not", 1)
                ),
            };
            let values = [("header", m.field.header().to_string()), ("address", shown(&m.address)), ("sender", shown(&self.from.address))];
            out.push(with_values(Finding::warning(ReasonCode::EmailReplyToMismatch, message), values));
        }
    }

    /// email_lookalike_domain: an address whose domain imitates a protected one.
    fn lookalike_domains(&self, mailboxes: &[Mailbox], out: &mut Vec<Finding>) {
        let mut seen = HashSet::new();
        for m in mailboxes {
            let Some(domain) = &m.domain else { continue };
            if !seen.insert(domain.ascii().to_string()) {
                continue;
            }
            if self.protected.iter().any(|(p, _)| domain.is_within(p)) || FREE_MAIL_DOMAINS.contains(&domain.registrable().as_str()) {
                continue;
            }
            let hit = self.protected.iter().find_map(|(p, owner)| imitation(domain, p).map(|how| (p, *owner, how)));
            if let Some((p, owner, how)) = hit {
                let whose = match owner {
                    Owner::Partner => format!("{}'s registered domain", self.partner_name()),
                    Owner::Us => "our own domain".to_string(),
                    Owner::OtherPartner => "another partner's registered domain".to_string(),
                };
                let message = format!(
                    "The {} address {} uses {}, which imitates {} ({}): {}",
                    m.field.header(),
                    shown(&m.address),
                    domain.describe(),
                    p.describe(),
                    whose,
                    how.explain(domain)
                );
                let values = [
                    ("header", m.field.header().to_string()),
                    ("address", shown(&m.address)),
                    ("domain", domain.describe()),
                    ("imitates", p.describe()),
                ];
                out.push(with_values(Finding::warning(ReasonCode::EmailLookalikeDomain, message), values));
            }
        }
    }

    /// email_auth_failed: the topmost Authentication-Results header with SPF, DKIM or DMARC
    /// results (the one the receiving server added last) reports a failure, or a pass for a
    /// domain that is not the partner's.
    fn authentication(&self, headers: &[&str], mailboxes: &[Mailbox], out: &mut Vec<Finding>) {
        const METHODS: [&str; 3] = ["spf", "dkim", "dmarc"];
        let results = headers.iter().map(|h| auth_results::parse(h)).find(|r| r.iter().any(|m| METHODS.contains(&m.method.as_str())));
        let Some(results) = results else {
            out.push(Finding::info(
                ReasonCode::EmailAuthFailed,
                "The message has no Authentication-Results header, so whether SPF, DKIM and DMARC passed is unknown (save the message as received by our mail server, with all its headers)",
            ));
            return;
        };
        let expected: Vec<&MailDomain> =
            if self.partner.is_empty() { self.from.domain.iter().collect() } else { self.partner.iter().collect() };
        let expected_text = if self.partner.is_empty() {
            self.from.domain.as_ref().map(MailDomain::describe).unwrap_or_else(|| "the sender's domain".into())
        } else {
            self.partner_domain_list()
        };
        let expected_value = self.expected_domains_value();
        let return_path = mailboxes.iter().find(|m| m.field == Field::ReturnPath).and_then(|m| m.domain.clone());
        // Failures are reported together, passes for foreign domains one finding per domain.
        let mut failures: Vec<String> = Vec::new();
        let mut failed_methods: Vec<&str> = Vec::new();
        let mut foreign: Vec<(String, Vec<&str>)> = Vec::new();
        for method in METHODS {
            let of_method: Vec<_> = results.iter().filter(|r| r.method == method).collect();
            if of_method.is_empty() {
                continue;
            }
            let named = |r: &auth_results::MethodResult| -> Option<MailDomain> {
                let property = match method {
                    "spf" => r.property("smtp.mailfrom").or(r.property("smtp.helo")),
                    "dkim" => r.property("header.d").or(r.property("header.i")),
                    _ => r.property("header.from"),
                };
                property.and_then(|v| MailDomain::parse(v.rsplit('@').next().unwrap_or(v)))
            };
            // A pass without a named domain is for the envelope sender (SPF) or the From domain.
            let domain_of = |r: &auth_results::MethodResult| -> Option<MailDomain> {
                named(r).or_else(|| match method {
                    "spf" => return_path.clone().or_else(|| self.from.domain.clone()),
                    _ => self.from.domain.clone(),
                })
            };
            let aligned = |d: &Option<MailDomain>| d.as_ref().is_some_and(|d| expected.iter().any(|e| d.is_within(e)));
            if of_method.iter().any(|r| r.result == "pass" && aligned(&domain_of(r))) {
                continue;
            }
            if let Some(r) = of_method.iter().find(|r| r.result != "pass") {
                let for_domain = named(r).map(|d| format!(" for {}", d.describe())).unwrap_or_default();
                failures.push(format!("{method}={}{for_domain}", shown(&r.result)));
                failed_methods.push(method);
            } else {
                let d = domain_of(of_method[0]).map(|d| d.describe()).unwrap_or_else(|| "an unnamed domain".into());
                match foreign.iter_mut().find(|(x, _)| *x == d) {
                    Some((_, methods)) => methods.push(method),
                    None => foreign.push((d, vec![method])),
                }
            }
        }
        if !failures.is_empty() {
            let message = format!(
                "Authentication-Results: {} did not pass ({}), so the message is not proven to come from {expected_text}",
                method_list(&failed_methods),
                failures.join(", ")
            );
            let values =
                [("methods", method_names(&failed_methods)), ("result", failures.join(", ")), ("expected", expected_value.clone())];
            out.push(with_values(Finding::warning(ReasonCode::EmailAuthFailed, message), values));
        }
        for (domain, methods) in foreign {
            let message = format!(
                "Authentication-Results: {} passed, but for {domain}, not for {expected_text}: the message was sent through a server that is not {}'s",
                method_list(&methods),
                self.partner_name()
            );
            let values = [("methods", method_names(&methods)), ("domain", domain), ("expected", expected_value.clone())];
            out.push(with_values(Finding::warning(ReasonCode::EmailAuthFailed, message), values));
        }
    }

    /// email_display_name_spoof: the partner's or a contact's name on an outside address.
    fn display_names(&self, mailboxes: &[Mailbox], out: &mut Vec<Finding>) {
        let mut seen = HashSet::new();
        for m in mailboxes {
            let Some(name) = &m.name else { continue };
            if let Some(d) = &m.domain {
                if self.is_partners(d) || self.is_ours(d) {
                    continue;
                }
            }
            if !seen.insert((name.clone(), m.address.to_lowercase())) {
                continue;
            }
            let place = if self.partner.is_empty() {
                format!("an address that is not registered for {}", self.partner_name())
            } else {
                format!("an address outside {}", self.partner_domain_list())
            };
            let intro = format!("The {} name \"{}\" is on {} ({})", m.field.header(), shown(name), place, shown(&m.address));
            let embedded = name
                .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '(' | ')' | ',' | ';'))
                .filter_map(|t| t.rsplit_once('@'))
                .filter_map(|(_, d)| MailDomain::parse(d))
                .find(|d| self.is_partners(d));
            let reason = if let Some(d) = embedded {
                Some((format!("the name shows an address at {}, but the mail comes from elsewhere", d.describe()), d.describe()))
            } else if let Some(c) = self.ctx.partner_contacts.iter().find(|c| close(c, name)) {
                // A person's name is the more specific match, so it is named first.
                Some((format!("it reads like {}, a contact at {}", shown(c.trim()), self.partner_name()), shown(c.trim())))
            } else if close(self.ctx.partner_name, name) {
                Some((format!("it reads like {}", self.partner_name()), self.partner_name()))
            } else {
                None
            };
            if let Some((reason, imitated)) = reason {
                let values = [
                    ("header", m.field.header().to_string()),
                    ("name", shown(name)),
                    ("address", shown(&m.address)),
                    ("imitates", imitated),
                ];
                out.push(with_values(Finding::warning(ReasonCode::EmailDisplayNameSpoof, format!("{intro}: {reason}")), values));
            }
        }
    }
}

/// A finding with the values its message names (by name, for a shell to word in another language).
fn with_values(finding: Finding, values: impl IntoIterator<Item = (&'static str, String)>) -> Finding {
    values.into_iter().fold(finding, |f, (name, value)| f.with(name, value))
}

/// The methods' names as a list without words: "SPF", "SPF, DKIM" (a shell words the list).
fn method_names(methods: &[&str]) -> String {
    methods.iter().map(|m| m.to_ascii_uppercase()).collect::<Vec<_>>().join(", ")
}

/// "SPF", "SPF and DKIM", "SPF, DKIM and DMARC".
fn method_list(methods: &[&str]) -> String {
    let upper: Vec<String> = methods.iter().map(|m| m.to_ascii_uppercase()).collect();
    match upper.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether a display name equals or closely resembles a name (payee-name rules).
fn close(known: &str, display: &str) -> bool {
    !known.trim().is_empty() && matches!(compare_names(known, display).outcome(), NameMatch::Match | NameMatch::CloseMatch)
}

/// Keeps at most [`MAX_FINDINGS_PER_CODE`] findings of each code, adding one that counts the rest.
fn cap_per_code(findings: Vec<Finding>) -> Vec<Finding> {
    let mut kept = Vec::with_capacity(findings.len().min(64));
    let mut left_out: Vec<(ReasonCode, usize)> = Vec::new();
    for f in findings {
        let count = kept.iter().filter(|k: &&Finding| k.code == f.code).count();
        if count < MAX_FINDINGS_PER_CODE {
            kept.push(f);
        } else if let Some(entry) = left_out.iter_mut().find(|(c, _)| *c == f.code) {
            entry.1 += 1;
        } else {
            left_out.push((f.code, 1));
        }
    }
    for (code, n) in left_out {
        kept.push(Finding::new(code, Severity::Warning, format!("… and {n} more like these, not listed")).with("more", n.to_string()));
    }
    kept
}

/// A value from the message made safe to show: control, bidirectional and invisible characters
/// escaped, at most [`MAX_SHOWN_CHARS`] characters.
pub(crate) fn shown(value: &str) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == MAX_SHOWN_CHARS {
            out.push('…');
            break;
        }
        let hidden = c.is_control()
            || matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{180E}'
                | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
                | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}');
        if hidden {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn domains(list: &[&str]) -> Vec<DomainName> {
        list.iter().map(|d| DomainName::parse(d).unwrap()).collect()
    }

    #[test]
    fn the_attachments_are_named_by_the_sha256_of_their_decoded_contents() {
        let first = b"{\"format\":\"countersign\"}";
        let second = b"second file";
        let raw = format!(
            "From: Hank <hank@globex.com>\r\nTo: ap@initech.example\r\nSubject: New details\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nPlease pay the new account.\r\n\
             --b\r\nContent-Type: application/json\r\nContent-Disposition: attachment; filename=\"a.csi\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
             --b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"b.csi\"\r\n\r\nsecond file\r\n\
             --b--\r\n",
            base64_of(first)
        );
        assert_eq!(attachment_sha256s(raw.as_bytes()).unwrap(), vec![sha256_hex(first), sha256_hex(second)]);
        let plain = "From: Hank <hank@globex.com>\r\nSubject: hi\r\n\r\nno attachment\r\n";
        assert_eq!(attachment_sha256s(plain.as_bytes()).unwrap(), Vec::<String>::new());
        let huge = vec![b'a'; MAX_EMAIL_SIZE + 1];
        assert!(matches!(attachment_sha256s(&huge), Err(EmailError::TooLarge { .. })));
    }

    fn base64_of(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn assess(raw: &str) -> EmailEvidence {
        let partner = domains(&["globex.com"]);
        let ours = domains(&["initech.example"]);
        let others = domains(&["umbrella-corp.com"]);
        let contacts = vec!["Hank Scorpio".to_string()];
        let ctx = EmailContext {
            partner_name: "Globex Corporation",
            partner_domains: &partner,
            partner_contacts: &contacts,
            our_domains: &ours,
            other_partner_domains: &others,
            partner_numbers: &[],
            partner_country: None,
        };
        assess_email(raw.as_bytes(), &ctx).unwrap()
    }

    fn codes(e: &EmailEvidence) -> Vec<&'static str> {
        let mut c: Vec<_> = e.findings.iter().map(|f| f.code.as_str()).collect();
        c.dedup();
        c
    }

    const AUTH_OK: &str = "Authentication-Results: mx.initech.example; spf=pass smtp.mailfrom=globex.com; dkim=pass header.d=globex.com; dmarc=pass header.from=globex.com\r\n";

    #[test]
    fn a_clean_message_yields_nothing() {
        let e =
            assess(&format!("{AUTH_OK}From: Hank Scorpio <hank@globex.com>\r\nTo: ap@initech.example\r\nSubject: Invoice 42\r\n\r\nHello"));
        assert!(e.findings.is_empty(), "{:?}", e.findings);
        assert_eq!(e.from.as_deref(), Some("Hank Scorpio <hank@globex.com>"));
        assert_eq!(e.subject.as_deref(), Some("Invoice 42"));
        assert_eq!(e.sha256.len(), 64);
    }

    #[test]
    fn reply_to_on_another_domain_is_named() {
        let e = assess(&format!("{AUTH_OK}From: hank@globex.com\r\nReply-To: billing@g1obex-corp.com\r\n\r\n"));
        assert_eq!(codes(&e), ["email_reply_to_mismatch", "email_lookalike_domain"]);
        assert!(e.findings[0].message.starts_with("Replies go to billing@g1obex-corp.com, not to globex.com"), "{}", e.findings[0].message);
        assert!(e.findings.iter().all(|f| f.severity == Severity::Warning));
    }

    /// The email findings name their particulars as values (issue 19: shown on the case page in
    /// the user's language, as the other findings' values are).
    #[test]
    fn email_findings_carry_their_particulars_as_values() {
        let value = |f: &Finding, name: &str| f.values.get(name).cloned().unwrap_or_default();
        let e = assess(&format!("{AUTH_OK}From: hank@globex.com\r\nReply-To: billing@g1obex-corp.com\r\n\r\n"));
        let reply = &e.findings[0];
        assert_eq!(
            (value(reply, "header"), value(reply, "address"), value(reply, "sender")),
            ("Reply-To".into(), "billing@g1obex-corp.com".into(), "hank@globex.com".into())
        );
        let lookalike = &e.findings[1];
        assert_eq!((value(lookalike, "domain"), value(lookalike, "imitates")), ("g1obex-corp.com".into(), "globex.com".into()));

        let e = assess("Authentication-Results: mx; spf=fail smtp.mailfrom=globex.com; dkim=pass header.d=mailer.example\r\nFrom: Hank Scorpio <hank@mailer.example>\r\n\r\n");
        let by_code = |code: ReasonCode| e.findings.iter().filter(move |f| f.code == code);
        let auth: Vec<_> = by_code(ReasonCode::EmailAuthFailed).collect();
        assert_eq!(
            (value(auth[0], "methods"), value(auth[0], "result"), value(auth[0], "expected")),
            ("SPF".into(), "spf=fail for globex.com".into(), "globex.com".into())
        );
        assert_eq!((value(auth[1], "methods"), value(auth[1], "domain")), ("DKIM".into(), "mailer.example".into()));
        let unregistered = by_code(ReasonCode::EmailUnregisteredDomain).next().unwrap();
        assert_eq!(
            (value(unregistered, "address"), value(unregistered, "domain"), value(unregistered, "domains")),
            ("hank@mailer.example".into(), "mailer.example".into(), "globex.com".into())
        );
        let spoof = by_code(ReasonCode::EmailDisplayNameSpoof).next().unwrap();
        assert_eq!(
            (value(spoof, "name"), value(spoof, "address"), value(spoof, "imitates")),
            ("Hank Scorpio".into(), "hank@mailer.example".into(), "Hank Scorpio".into())
        );
        assert!(e.findings.iter().all(|f| !f.values.is_empty()), "{:?}", e.findings);
    }

    #[test]
    fn missing_authentication_results_is_only_information() {
        let e = assess("From: hank@globex.com\r\n\r\n");
        assert_eq!(e.findings.len(), 1);
        assert_eq!(e.findings[0].code, ReasonCode::EmailAuthFailed);
        assert_eq!(e.findings[0].severity, Severity::Info);
    }

    #[test]
    fn hidden_characters_are_escaped_and_long_values_cut() {
        assert_eq!(shown("a\u{202E}b\r\n"), "a\\u{202e}b\\u{d}\\u{a}");
        assert_eq!(shown(&"x".repeat(500)).chars().count(), MAX_SHOWN_CHARS + 1);
    }

    #[test]
    fn findings_are_capped_per_code() {
        let mut raw = String::from(AUTH_OK);
        raw.push_str("From: hank@globex.com\r\nCc: ");
        for i in 0..30 {
            raw.push_str(&format!("x{i}@globex{i}-corp.com, "));
        }
        raw.push_str("y@initech.example\r\n\r\n");
        let e = assess(&raw);
        let lookalikes: Vec<_> = e.findings.iter().filter(|f| f.code == ReasonCode::EmailLookalikeDomain).collect();
        assert_eq!(lookalikes.len(), MAX_FINDINGS_PER_CODE + 1);
        assert!(lookalikes.last().unwrap().message.contains("20 more"));
    }

    /// Issue 20: the numbers and domains the text gives are compared with those on file.
    #[test]
    fn numbers_and_domains_the_text_gives_are_compared_with_those_on_file() {
        let partner = domains(&["globex.com"]);
        let ours = domains(&["initech.example"]);
        let on_file = ["+49301234567".to_string()];
        let ctx = EmailContext {
            partner_name: "Globex",
            partner_domains: &partner,
            partner_contacts: &[],
            our_domains: &ours,
            other_partner_domains: &[],
            partner_numbers: &on_file,
            partner_country: Some("DE"),
        };
        let raw = "From: Hank <hank@globex.com>\r\nTo: ap@initech.example\r\nCc: maria@umbrella.example\r\nSubject: new bank\r\n\r\n\
                   Call me on +44 20 7946 0999 or at the office, 030 1234567.\r\n\
                   Write to ap@initech.example, hank@globex.com or pay@globex-payments.com.\r\n\
                   > On Monday, maria@umbrella.example wrote: (a quoted reply names the thread's addresses)\r\n";
        let evidence = assess_email(raw.as_bytes(), &ctx).unwrap();
        assert_eq!(evidence.numbers, ["+442079460999", "+49301234567"], "every number the text gives, on file or not");
        let found: Vec<_> = evidence
            .findings
            .iter()
            .filter(|f| matches!(f.code, ReasonCode::EmailNumberNotOnFile | ReasonCode::EmailDomainNotOnFile))
            .map(|f| (f.code.as_str(), f.values.get("number").or(f.values.get("domain")).cloned().unwrap_or_default()))
            .collect();
        assert_eq!(
            found,
            [("email_number_not_on_file", "+442079460999".to_string()), ("email_domain_not_on_file", "globex-payments.com".to_string())]
        );
        assert!(evidence.findings.iter().all(|f| f.severity != Severity::Critical), "email evidence only holds");
    }

    #[test]
    fn errors_are_clear() {
        let partner = domains(&["globex.com"]);
        let ctx = EmailContext {
            partner_name: "Globex",
            partner_domains: &partner,
            partner_contacts: &[],
            our_domains: &[],
            other_partner_domains: &[],
            partner_numbers: &[],
            partner_country: None,
        };
        let big = vec![b'a'; MAX_EMAIL_SIZE + 1];
        assert!(matches!(assess_email(&big, &ctx), Err(EmailError::TooLarge { .. })));
        let e = assess_email(b"", &ctx).unwrap_err();
        assert!(matches!(e, EmailError::Unparseable(_)), "{e:?}");
        let e = assess_email(b"Subject: hi\r\n\r\nno sender", &ctx).unwrap_err();
        assert!(e.to_string().contains("no From address"), "{e}");
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(raw in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let partner = domains(&["globex.com"]);
            let ctx = EmailContext { partner_name: "Globex", partner_domains: &partner, partner_contacts: &[], our_domains: &[], other_partner_domains: &[], partner_numbers: &[], partner_country: None };
            let _ = assess_email(&raw, &ctx);
        }

        #[test]
        fn never_panics_on_header_like_text(raw in "((From|Reply-To|Sender|Return-Path|Cc|To|Authentication-Results): [ -~\u{430}-\u{44f}<>@.;=()\"]{0,60}\r\n){0,8}\r\n") {
            let partner = domains(&["globex.com"]);
            let contacts = vec!["Hank Scorpio".to_string()];
            let ctx = EmailContext { partner_name: "Globex", partner_domains: &partner, partner_contacts: &contacts, our_domains: &partner, other_partner_domains: &partner, partner_numbers: &[], partner_country: None };
            let _ = assess_email(raw.as_bytes(), &ctx);
        }
    }
}
