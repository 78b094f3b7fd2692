//! How the CLI shows the partner registry: `partner list` a page at a time, and `partner show`:
//! a summary (counts, the active keys, the current account) with every history whole, the first
//! page of each (`--limit`), or one page of one history (`--history H --limit --after`).

use clap::ValueEnum;
use serde_json::{json, Value};

use countersign_service::core::registry::{NumberProvenance, NumberSource, PinnedKey};
use countersign_service::{AccountView, HistoryPage, PartnerDetail, PartnerHistory, PartnerSummary, PhoneView, Session, Workspace};

use super::cases::{case_json, list_line};
use super::exit::CliError;
use super::report::{more_line, Output, PageArgs};

/// A history of a partner that `partner show --history` pages through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryArg {
    /// Pinned keys, oldest first.
    Keys,
    /// On-file phone numbers, oldest first.
    Contacts,
    /// Accounts, oldest first, each with its first cases.
    Accounts,
    /// The partner's cases, newest first.
    Cases,
}

impl HistoryArg {
    fn name(self) -> &'static str {
        match self {
            HistoryArg::Keys => "keys",
            HistoryArg::Contacts => "contacts",
            HistoryArg::Accounts => "accounts",
            HistoryArg::Cases => "cases",
        }
    }

    fn service(self) -> PartnerHistory {
        match self {
            HistoryArg::Keys => PartnerHistory::Keys,
            HistoryArg::Contacts => PartnerHistory::Contacts,
            HistoryArg::Accounts => PartnerHistory::Accounts,
            HistoryArg::Cases => PartnerHistory::Cases,
        }
    }
}

/// `partner list [--limit N] [--after ID]`: partners by id.
pub fn list(ws: &mut Workspace, session: &Session, page: &PageArgs, output: Output) -> Result<(), CliError> {
    let listed = ws.partners_page(session, &page.page()?)?;
    let partners = &listed.items;
    output.emit(json!({ "partners": partners.iter().map(summary_json).collect::<Vec<_>>(), "next": listed.next }), || {
        if partners.is_empty() {
            return "No partners yet (countersign partner add).".into();
        }
        partners.iter().map(list_line_of).chain([more_line(listed.next)]).collect()
    });
    Ok(())
}

fn summary_json(p: &PartnerSummary) -> Value {
    json!({ "id": p.id, "name": p.name, "country": p.country, "active_keys": p.active_keys, "current_account": p.current_account })
}

fn list_line_of(p: &PartnerSummary) -> String {
    format!(
        "{:>4}  {:<32} {:<3} {}\n",
        p.id,
        p.name,
        p.country.as_deref().unwrap_or("-"),
        p.current_account.as_deref().unwrap_or("(no known account)")
    )
}

/// `partner show ID [--history H] [--limit N] [--after ID]`.
pub fn show(
    ws: &mut Workspace,
    session: &Session,
    id: i64,
    history: Option<HistoryArg>,
    page: &PageArgs,
    output: Output,
) -> Result<(), CliError> {
    let chosen = page.page()?;
    let Some(history) = history else {
        if chosen.after.is_some() {
            return Err(CliError::usage(
                "invalid_argument",
                "--after continues one history of the partner: say which with --history keys|contacts|accounts|cases",
            ));
        }
        let detail = ws.partner_page(session, id, &chosen)?;
        output.emit(partner_json(&detail), || partner_text(&detail));
        return Ok(());
    };
    let name = history.name();
    let (items, lines, next): (Vec<Value>, String, Option<i64>) = match ws.partner_history(session, id, history.service(), &chosen)? {
        HistoryPage::Keys(p) => (p.items.iter().map(key_json).collect(), p.items.iter().map(key_line).collect(), p.next),
        HistoryPage::Contacts(p) => (p.items.iter().map(phone_json).collect(), p.items.iter().map(phone_line).collect(), p.next),
        HistoryPage::Accounts(p) => (p.items.iter().map(account_json).collect(), p.items.iter().map(account_line).collect(), p.next),
        HistoryPage::Cases(p) => (p.items.iter().map(case_json).collect(), p.items.iter().map(list_line).collect(), p.next),
    };
    output.emit(json!({ "partner": id, "history": name, name: items, "next": next }), || {
        if lines.is_empty() {
            return format!("No {name} of partner {id} here.");
        }
        format!("{lines}{}", more_history_line(history, next))
    });
    Ok(())
}

/// The line after a history shown in part: how to ask for the rest of it.
fn more_history_line(history: HistoryArg, next: Option<i64>) -> String {
    next.map_or(String::new(), |n| format!("    More: --history {} --after {n}\n", history.name()))
}

fn key_json(k: &PinnedKey) -> Value {
    json!({
        "id": k.id, "fingerprint": k.fingerprint, "status": k.status.as_str(), "verified_how": k.verified_how,
        "verified_by": k.verified_by, "verified_at": k.verified_at,
        "status_changed_at": k.status_changed_at, "status_reason": k.status_reason,
    })
}

fn key_line(k: &PinnedKey) -> String {
    format!("    {}  {:<8} {}\n", k.fingerprint, k.status, k.status_reason.as_deref().unwrap_or(&k.verified_how))
}

fn phone_json(p: &PhoneView) -> Value {
    let mut v = json!({ "id": p.number.id, "kind": "phone", "number": p.number.e164, "display": p.display });
    provenance_json(&mut v, &p.provenance);
    v
}

fn phone_line(p: &PhoneView) -> String {
    let label = p.provenance.label.as_deref().map(|l| format!(" ({l})")).unwrap_or_default();
    format!("    {}{label}   {}\n", p.display, provenance_text(&p.provenance))
}

/// Adds where a number came from to its JSON object (issue 20): `source` (`onboarding`,
/// `partner_card`, `change`), `label`, `recorded_by`, `approved_by`, `recorded_at`, as the signed
/// statements say.
pub(super) fn provenance_json(v: &mut Value, p: &NumberProvenance) {
    v["source"] = json!(p.source.as_str());
    v["label"] = json!(p.label);
    v["recorded_by"] = json!(p.recorded_by);
    v["approved_by"] = json!(p.approved_by);
    v["recorded_at"] = json!(p.at);
}

/// Where a number came from, in words (issue 20).
pub(super) fn provenance_text(p: &NumberProvenance) -> String {
    let how = match p.source {
        NumberSource::Onboarding => format!("typed at onboarding by {} (contract or onboarding call)", p.recorded_by),
        NumberSource::PartnerCard => format!("from the partner's signed card, taken by {}", p.recorded_by),
        NumberSource::Change => format!("added by {}'s change", p.recorded_by),
    };
    let approved = p.approved_by.as_deref().map(|a| format!(", approved by {a}")).unwrap_or_default();
    format!("{how}{approved}, on {}", p.at)
}

fn account_json(view: &AccountView) -> Value {
    let a = &view.account;
    json!({
        "id": a.id, "account": a.display, "bic": a.bic, "country": a.country, "status": a.status.as_str(), "source": a.source,
        "first_seen": a.first_seen, "last_seen": a.last_seen, "cases": view.cases, "case_count": view.case_count,
    })
}

fn account_line(view: &AccountView) -> String {
    let a = &view.account;
    let cases = match (view.cases.is_empty(), view.case_count as usize > view.cases.len()) {
        (true, _) => String::new(),
        (false, false) => format!(", cases {:?}", view.cases),
        (false, true) => format!(", cases {:?} and {} more", view.cases, view.case_count as usize - view.cases.len()),
    };
    format!("    {}  {}  {:<10} from {}, seen {} to {}{cases}\n", a.display, a.bic, a.status, a.source, a.first_seen, a.last_seen)
}

/// `partner show`'s document: the partner, its summary and counts, and its histories (whole, or
/// their first pages with the cursor of each in `next`).
pub fn partner_json(d: &PartnerDetail) -> Value {
    let c = &d.counts;
    json!({
        "id": d.summary.id,
        "name": d.summary.name,
        "country": d.summary.country,
        "domains": d.domains,
        "created_at": d.created_at,
        "created_by": d.created_by,
        "active_keys": d.summary.active_keys,
        "current_account": d.summary.current_account,
        "counts": { "keys": c.keys, "contacts": c.phones, "accounts": c.accounts, "domains": c.domains, "cases": c.cases },
        "contacts": d.phones.iter().map(phone_json).collect::<Vec<_>>(),
        "keys": d.keys.iter().map(key_json).collect::<Vec<_>>(),
        "accounts": d.accounts.iter().map(account_json).collect::<Vec<_>>(),
        "next": { "keys": d.next.keys, "contacts": d.next.contacts, "accounts": d.next.accounts },
        "recovery_key": d.recovery_key.map(|r| json!({ "fingerprint": r.fingerprint.to_string(), "public_key": r.public_key.to_base64() })),
        "frozen": d.frozen(),
        "freezes": d.freezes.iter().map(super::freeze::freeze_json).collect::<Vec<_>>(),
    })
}

/// The line saying whether the partner has a recovery key (issue 20).
fn recovery_line(d: &PartnerDetail) -> String {
    match &d.recovery_key {
        Some(r) => format!("  recovery key  {} (only it can replace or revoke the signing key)\n", r.fingerprint),
        None => "  recovery key  none: a stolen signing key could rotate the partner's key away\n".to_string(),
    }
}

/// `partner show`'s text: the summary, then each history with how to see the rest of it.
pub fn partner_text(d: &PartnerDetail) -> String {
    let c = &d.counts;
    let mut out = format!(
        "Partner {}: {} ({})\n  domains   {}\n",
        d.summary.id,
        d.summary.name,
        d.summary.country.as_deref().unwrap_or("country not recorded"),
        if d.domains.is_empty() { "(none)".to_string() } else { d.domains.join(", ") }
    );
    out += &format!(
        "  active key  {}\n  current account  {}\n  history   {} key(s), {} number(s), {} account(s), {} case(s)\n",
        if d.summary.active_keys.is_empty() { "(none)".to_string() } else { d.summary.active_keys.join(", ") },
        d.summary.current_account.as_deref().unwrap_or("(no known account)"),
        c.keys,
        c.phones,
        c.accounts,
        c.cases
    );
    out += &recovery_line(d);
    if d.frozen() {
        out += "  FROZEN    the partner froze its payments with a signed notice: nothing to it is released until it is lifted\n";
    }
    if !d.freezes.is_empty() {
        out += "  freezes:\n";
        out += &d.freezes.iter().map(super::freeze::freeze_line).collect::<String>();
    }
    out += "  on-file numbers (the only ones to call back):\n";
    out += &d.phones.iter().map(phone_line).collect::<String>();
    out += &more_history_line(HistoryArg::Contacts, d.next.contacts);
    out += "  keys:\n";
    out += &d.keys.iter().map(key_line).collect::<String>();
    out += &more_history_line(HistoryArg::Keys, d.next.keys);
    out += "  accounts:\n";
    if d.accounts.is_empty() {
        out += "    (none known yet)\n";
    }
    out += &d.accounts.iter().map(account_line).collect::<String>();
    out += &more_history_line(HistoryArg::Accounts, d.next.accounts);
    out
}
