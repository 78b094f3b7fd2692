//! The auditor's chart: per-day counts of verifications by verdict, denied callbacks and
//! refusals over the events a filter chooses (auditors and admins, like the log itself). The
//! counting is pure ([`countersign_core::audit::activity`]); this module checks the role and the
//! filter as `audit_log` does and hands the core the log one event at a time as the store reads
//! it, so the chart never holds the whole log (100,000 events at issue 19's scale).

use super::audit::check_filter;
use super::{Permission, ServiceResult, Session, Workspace};
use countersign_core::audit::activity::{DailyActivity, DayActivity};
use countersign_core::audit::chain::EventFields;
use countersign_core::audit::log::EventFilter;
use countersign_core::paging::Page;
use countersign_store::prelude::*;

impl Workspace {
    /// Per-day activity of the events `filter` chooses, oldest day first (auditors and admins).
    pub fn activity(&mut self, session: &Session, filter: &EventFilter) -> ServiceResult<Vec<DayActivity>> {
        self.check_allowed(session, Permission::ReadAuditLog)?;
        check_filter(filter)?;
        // Every event the filter chooses, whatever page it names.
        let whole = EventFilter { page: Page::default(), newest_first: false, ..filter.clone() };
        let mut days = DailyActivity::default();
        self.store.read(|tx| {
            tx.visit_events_matching(&whole, &mut |e| {
                days.add(&EventFields {
                    seq: e.seq,
                    at: &e.at,
                    actor: &e.actor,
                    action: &e.action,
                    subject: &e.subject,
                    details: &e.details,
                })
            })
        })?;
        Ok(days.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Credentials, InitRequest, Role, ServiceError};
    use super::*;

    #[test]
    fn auditors_and_admins_see_the_activity_and_clerks_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(
            dir.path(),
            &InitRequest {
                org_name: "Initech GmbH",
                admin_name: "alice",
                org_passphrase: "organisation passphrase",
                admin_password: "alice password 1",
            },
        )
        .unwrap();
        let admin = ws.login(&Credentials { user: "alice", password: "alice password 1", totp: None }).unwrap();
        ws.add_user(&admin, "frank", Role::Auditor, "frank password 1").unwrap();
        ws.add_user(&admin, "clara", Role::Clerk, "clara password 1").unwrap();
        let frank = ws.login(&Credentials { user: "frank", password: "frank password 1", totp: None }).unwrap();
        let clara = ws.login(&Credentials { user: "clara", password: "clara password 1", totp: None }).unwrap();
        // Two refusals today: a failed sign-in and clara's attempt to read the log.
        assert!(ws.login(&Credentials { user: "clara", password: "not her password", totp: None }).is_err());
        assert!(matches!(ws.activity(&clara, &EventFilter::default()), Err(ServiceError::NotPermitted(_))));
        let days = ws.activity(&frank, &EventFilter::default()).unwrap();
        assert_eq!(days.len(), 1, "{days:?}");
        assert_eq!(days[0].refused, 2);
        assert_eq!((days[0].accepted, days[0].hold, days[0].rejected, days[0].denied), (0, 0, 0, 0));
        // The filter applies: only clara's events.
        let hers = ws.activity(&admin, &EventFilter { actor: Some("clara".into()), ..Default::default() }).unwrap();
        assert_eq!(hers[0].refused, 2);
        let none = ws.activity(&frank, &EventFilter { actor: Some("nobody".into()), ..Default::default() }).unwrap();
        assert!(none.is_empty());
        assert!(matches!(
            ws.activity(&frank, &EventFilter { from: Some("yesterday".into()), ..Default::default() }),
            Err(ServiceError::InvalidInput(_))
        ));
    }
}
