//! The replay's part of partners' freezes (issue 20): a `partner.freeze` statement counts only
//! if the partner's notice it carries verifies again, here, with the partner's keys as the
//! statements before it give them (their status from the state, their bytes from the statement,
//! bound by the fingerprint); a `partner.unfreeze` only with a lift notice its recovery key signed,
//! or as the effect of an approved four-eyes change after a confirmed callback to a number on
//! file. So no row, and no statement a user could sign alone, invents or lifts a freeze.

use serde_json::Value;
use time::OffsetDateTime;

use super::log::LoggedEvent;
use super::state::{id_subject, Fault, ImpliedState, StatementFault};
use crate::auth::Role;
use crate::encoding::{b64_decode, format_utc};
use crate::format::freeze::{verify_freeze, verify_lift, CandidateKey, FreezeNotice, KeyRole};
use crate::format::keys::PublicKey;
use crate::registry::KeyStatus;

/// A freeze as the statements make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeState {
    /// The partner's notice, verified.
    pub notice: FreezeNotice,
    /// Who received it.
    pub received_by: String,
    /// When (UTC text).
    pub received_at: String,
    /// The statement that applied it.
    pub seq: u64,
    /// How it was lifted, once it was.
    pub lifted: Option<Lift>,
}

/// How a freeze was lifted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lift {
    /// `notice` (the recovery key's lift) or `callback` (a callback and a second person).
    pub how: String,
    /// Who wrote the statement (for a callback: the checker who approved the change).
    pub by: String,
    /// When (UTC text).
    pub at: String,
}

impl FreezeState {
    /// A sentence naming the freeze, for the refusals and findings that cite it.
    pub fn describe(&self) -> String {
        let n = &self.notice;
        let scope = match n.scope.except() {
            None => "every payment".to_string(),
            Some(a) => format!("every payment but those to {}", a.display()),
        };
        format!("notice {} holds {scope} from {} (\"{}\")", n.id, format_utc(n.effective_from), n.reason)
    }
}

/// The roles that receive notices (as instructions).
const RECEIVERS: &[Role] = &[Role::Clerk, Role::Approver, Role::Admin];

impl ImpliedState {
    /// The freeze of `partner` that holds a payment to `account_key` at `at`, if any: not lifted,
    /// in force from its `effective_from`, and its scope holding that account.
    pub fn freeze_holding(&self, partner: i64, account_key: Option<&str>, at: OffsetDateTime) -> Option<&FreezeState> {
        self.freezes.get(&partner)?.iter().find(|f| f.lifted.is_none() && f.notice.holds(account_key, at))
    }

    /// The freeze `id` of `partner` (standing or lifted), if the statements applied one.
    pub fn freeze(&self, partner: i64, id: &str) -> Option<&FreezeState> {
        self.freezes.get(&partner)?.iter().find(|f| f.notice.id == id)
    }

    /// The freezes of `partner` not lifted (in force or from a later time).
    pub fn standing_freezes(&self, partner: i64) -> impl Iterator<Item = &FreezeState> {
        self.freezes.get(&partner).into_iter().flatten().filter(|f| f.lifted.is_none())
    }

    /// The status of a recovery key of `partner`, by fingerprint, as the statements give it: the
    /// recovery key its last pinned card named is in force (a replaced one is no longer the
    /// partner's, so it signs nothing for it). The one place the replay learns them.
    fn recovery_key_status(&self, partner: i64, fingerprint: &str) -> Option<KeyStatus> {
        let key = self.partners.get(&partner)?.recovery_key?;
        (key.fingerprint().to_string() == fingerprint).then_some(KeyStatus::Active)
    }

    /// The partner's keys a notice statement offers (`keys`: public key and role of each),
    /// each checked to be the partner's per the statements, with the status they give it.
    fn notice_candidates(&self, partner: i64, d: &Value) -> Result<Vec<CandidateKey>, Fault> {
        let state =
            self.partners.get(&partner).ok_or_else(|| Fault::new(StatementFault::Missing, format!("partner {partner} does not exist")))?;
        let offered = d["keys"].as_array().ok_or("it names no keys")?;
        offered
            .iter()
            .map(|k| {
                let public_key = k["public_key"].as_str().and_then(PublicKey::from_base64).ok_or("a key it names is not a public key")?;
                let role = k["role"].as_str().and_then(KeyRole::parse).ok_or("a key it names has no role")?;
                let fingerprint = public_key.fingerprint().to_string();
                let status = match role {
                    KeyRole::Signing => state.keys.get(&fingerprint).copied(),
                    KeyRole::Recovery => self.recovery_key_status(partner, &fingerprint),
                };
                let status = status.ok_or_else(|| {
                    Fault::new(StatementFault::Rules, format!("{fingerprint} is not a {} key of partner {partner}", role.as_str()))
                })?;
                Ok(CandidateKey { public_key, role, status })
            })
            .collect()
    }

    /// `partner.freeze` and `partner.unfreeze`.
    pub(super) fn freeze_effect(&mut self, event: &LoggedEvent, d: &Value) -> Result<(), Fault> {
        let partner = id_subject(event, "partner:")?;
        let bytes =
            |member: &str| d[member].as_str().and_then(b64_decode).ok_or_else(|| Fault::from(format!("its `{member}` is not base64")));
        let rules = |why: String| Fault::new(StatementFault::Rules, why);
        if event.action == "partner.freeze" {
            self.require(event, RECEIVERS)?;
            let notice =
                verify_freeze(&bytes("notice")?, &self.notice_candidates(partner, d)?).map_err(|e| rules(format!("its notice: {e}")))?;
            if self.freeze(partner, &notice.id).is_some() {
                return Err(rules(format!("notice {} of partner {partner} was applied already", notice.id)));
            }
            let freeze =
                FreezeState { notice, received_by: event.actor.clone(), received_at: event.at.clone(), seq: event.seq, lifted: None };
            self.freezes.entry(partner).or_default().push(freeze);
            return Ok(());
        }
        let freeze_id = d["freeze_id"].as_str().ok_or("it names no freeze")?.to_string();
        let how = match d.get("lift_notice") {
            Some(_) => {
                self.require(event, RECEIVERS)?;
                let lift = verify_lift(&bytes("lift_notice")?, &self.notice_candidates(partner, d)?)
                    .map_err(|e| rules(format!("its lift notice: {e}")))?;
                if lift.freeze_id != freeze_id {
                    return Err(rules(format!("its lift notice lifts {}, not {freeze_id}", lift.freeze_id)));
                }
                "notice"
            }
            None => {
                // The effect of an approved change (the four-eyes rule refuses it written alone).
                self.require(event, &[Role::Admin])?;
                let dialed = d["dialed"].as_str().ok_or("it names no number dialled")?;
                if !self.partners.get(&partner).is_some_and(|p| p.phones.contains(dialed)) {
                    return Err(rules(format!("{dialed} is not on file for partner {partner}")));
                }
                if d["outcome"] != "confirmed" {
                    return Err(rules("the callback did not confirm the lift".into()));
                }
                "callback"
            }
        };
        let freeze = self
            .freezes
            .get_mut(&partner)
            .and_then(|all| all.iter_mut().find(|f| f.notice.id == freeze_id && f.lifted.is_none()))
            .ok_or_else(|| Fault::new(StatementFault::Missing, format!("partner {partner} has no standing freeze {freeze_id}")))?;
        freeze.lifted = Some(Lift { how: how.into(), by: event.actor.clone(), at: event.at.clone() });
        Ok(())
    }
}
