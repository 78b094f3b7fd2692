//! What a [`ServiceError`](crate::ServiceError) says: its English sentence (what the CLI prints,
//! unchanged) and, where the error names particulars (a case, a user, a field, a limit), those
//! particulars by name with the `detail` that says which sentence they belong to, so a shell words
//! the error in the user's language (issue 19). [`ERROR_DETAILS`] is the one list of the details
//! and the values each may carry; the app's catalogues are checked against it.

use std::fmt;
use std::ops::Deref;

/// One wording of an error code that names particulars: the error's `code`, the `detail` that
/// tells it from the code's other errors, and the names of the values it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorDetail {
    /// The error's stable code (`not_found`, `invalid_input`, …).
    pub code: &'static str,
    /// Which of that code's errors it is (`case`, `too_long`, …); stable like the code.
    pub detail: &'static str,
    /// The names of the values it carries.
    pub values: &'static [&'static str],
}

/// Every error detail the service gives, with the values each carries. A shell words
/// `code` + `detail` with these values as placeholders; an error without a detail is worded by its
/// code alone.
pub const ERROR_DETAILS: &[ErrorDetail] = &[
    ErrorDetail { code: "not_found", detail: "case", values: &["case"] },
    ErrorDetail { code: "not_found", detail: "partner", values: &["partner"] },
    ErrorDetail { code: "not_found", detail: "user", values: &["user"] },
    ErrorDetail { code: "not_found", detail: "change", values: &["change"] },
    ErrorDetail { code: "not_found", detail: "instruction", values: &["instruction"] },
    ErrorDetail { code: "not_found", detail: "bank_file", values: &["case"] },
    ErrorDetail { code: "not_found", detail: "mark", values: &["account"] },
    ErrorDetail { code: "invalid_input", detail: "too_long", values: &["field", "chars", "max"] },
    ErrorDetail { code: "invalid_input", detail: "name", values: &["field", "name"] },
    ErrorDetail { code: "invalid_input", detail: "user_exists", values: &["user"] },
    ErrorDetail { code: "invalid_input", detail: "nothing_to_pay", values: &["case", "field"] },
    ErrorDetail { code: "invalid_input", detail: "key_pinned", values: &["fingerprint", "partner"] },
    ErrorDetail { code: "invalid_input", detail: "reason_needed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "password_too_short", values: &["field", "min"] },
    ErrorDetail { code: "invalid_input", detail: "password_too_long", values: &["field", "max"] },
    ErrorDetail { code: "invalid_input", detail: "password_repeated", values: &["field"] },
    ErrorDetail { code: "check_failed", detail: "change_decided", values: &["change", "status"] },
    ErrorDetail { code: "check_failed", detail: "not_released", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "not_marked", values: &["account"] },
    ErrorDetail { code: "check_failed", detail: "confirmed_already", values: &["account"] },
    ErrorDetail { code: "check_failed", detail: "changed_meanwhile", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "name_check_field", values: &["field"] },
    ErrorDetail { code: "check_failed", detail: "name_check_account", values: &["case", "account"] },
    ErrorDetail { code: "check_failed", detail: "fingerprint_mismatch", values: &["typed", "partner", "fingerprint"] },
    ErrorDetail { code: "check_failed", detail: "rotation_fingerprint_mismatch", values: &["typed", "partner", "fingerprint"] },
    ErrorDetail { code: "not_permitted", detail: "role", values: &["user", "role", "roles"] },
    ErrorDetail { code: "not_permitted", detail: "number_not_on_file", values: &["number", "partner", "numbers"] },
    ErrorDetail { code: "not_permitted", detail: "callback_key_missing", values: &["case", "user"] },
    ErrorDetail { code: "check_failed", detail: "response_wrong", values: &["case"] },
    ErrorDetail { code: "check_failed", detail: "response_mismatch", values: &["case", "left"] },
    ErrorDetail { code: "check_failed", detail: "response_mismatch_locked", values: &["case"] },
    ErrorDetail { code: "recovery_key_required", detail: "recovery_key_required", values: &["partner", "fingerprint"] },
    ErrorDetail { code: "authentication_failed", detail: "disabled", values: &["user"] },
    ErrorDetail { code: "file_too_large", detail: "email", values: &["limit"] },
    // The case flow's refusals (the core's `REFUSAL_DETAILS`, each with the case).
    ErrorDetail { code: "not_permitted", detail: "callback_role", values: &["case", "user", "role"] },
    ErrorDetail { code: "not_permitted", detail: "clerk_holds_no_callback_key", values: &["case", "user"] },
    ErrorDetail { code: "not_permitted", detail: "approve_role", values: &["case", "user", "role"] },
    ErrorDetail { code: "not_permitted", detail: "approver_received_it", values: &["case", "user"] },
    ErrorDetail { code: "not_permitted", detail: "approver_called_back", values: &["case", "user"] },
    ErrorDetail { code: "not_permitted", detail: "reject_role", values: &["case", "user", "role"] },
    ErrorDetail { code: "not_permitted", detail: "release_role", values: &["case", "user", "role"] },
    ErrorDetail { code: "not_permitted", detail: "early_release_role", values: &["case", "user", "role"] },
    ErrorDetail { code: "not_permitted", detail: "name_check_role", values: &["case", "user", "role"] },
    ErrorDetail { code: "not_permitted", detail: "early_release_took_part", values: &["case", "user", "approvers"] },
    ErrorDetail { code: "not_permitted", detail: "reopen_role", values: &["case", "user", "role"] },
    ErrorDetail { code: "check_failed", detail: "not_on_hold", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "callback_locked", values: &["case", "status", "max"] },
    ErrorDetail { code: "check_failed", detail: "response_checked_at_callback", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "response_unchecked", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "no_unchecked_response", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "needs_no_approval", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "callback_first", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "cannot_approve", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "closed", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "not_cooling_off", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "asked_early_already", values: &["case", "status", "user"] },
    ErrorDetail { code: "check_failed", detail: "released_twice", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "cannot_release", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "over_threshold", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "callback_and_approval_first", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "approval_first", values: &["case", "status"] },
    ErrorDetail { code: "check_failed", detail: "not_locked", values: &["case", "status"] },
    ErrorDetail {
        code: "cooling_off",
        detail: "cooling_off",
        values: &["case", "since", "hours", "hours_left", "minutes_left", "until", "approvers", "asked"],
    },
    ErrorDetail { code: "partner_frozen", detail: "partner_frozen", values: &["case"] },
    // The rest of the case flow's errors (cases.rs).
    ErrorDetail { code: "check_failed", detail: "callback_key_unusable", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "challenge_first", values: &["case", "minutes"] },
    ErrorDetail { code: "invalid_input", detail: "response_needed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "response_unreadable", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "reached_needed", values: &[] },
    ErrorDetail { code: "check_failed", detail: "no_partner_to_call", values: &["case"] },
    ErrorDetail { code: "number_withheld", detail: "withheld_in_email", values: &["number"] },
    ErrorDetail { code: "number_withheld", detail: "withheld_added_after_instruction", values: &["number"] },
    ErrorDetail { code: "invalid_input", detail: "number_unreadable", values: &["number"] },
    ErrorDetail { code: "invalid_input", detail: "paid_in_other_format", values: &["case", "format", "made"] },
    ErrorDetail { code: "invalid_input", detail: "org_account_needed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "bank_file_impossible", values: &["case"] },
    // Users, sign-in and roles (access.rs).
    ErrorDetail { code: "authentication_failed", detail: "bad_login", values: &[] },
    ErrorDetail { code: "authentication_failed", detail: "totp_needed", values: &["user"] },
    ErrorDetail { code: "authentication_failed", detail: "totp_reused", values: &[] },
    ErrorDetail { code: "authentication_failed", detail: "totp_wrong", values: &[] },
    ErrorDetail { code: "authentication_failed", detail: "session_changed", values: &["user"] },
    ErrorDetail { code: "authentication_failed", detail: "wrong_current_password", values: &[] },
    ErrorDetail { code: "authentication_failed", detail: "wrong_password", values: &[] },
    ErrorDetail { code: "not_permitted", detail: "totp_enrol_first", values: &["user"] },
    ErrorDetail { code: "not_permitted", detail: "last_checkers", values: &["user", "checkers"] },
    ErrorDetail { code: "invalid_input", detail: "reset_own_password", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "password_not_hashed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "disable_yourself", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "after_no_user", values: &["after"] },
    // The team workspace this desktop keeps records of (team.rs), keys and four eyes (keyring.rs, changes.rs, marks.rs).
    ErrorDetail { code: "invalid_input", detail: "folder_unusable", values: &["folder"] },
    ErrorDetail { code: "invalid_input", detail: "file_not_written", values: &["file"] },
    ErrorDetail { code: "invalid_input", detail: "file_not_read", values: &["file"] },
    ErrorDetail { code: "invalid_input", detail: "not_a_team_file", values: &["file"] },
    ErrorDetail { code: "check_failed", detail: "team_log_rewritten", values: &["server", "file"] },
    ErrorDetail { code: "check_failed", detail: "team_log_record_unreadable", values: &["file"] },
    ErrorDetail { code: "authentication_failed", detail: "no_personal_key", values: &["user"] },
    ErrorDetail { code: "not_permitted", detail: "own_change", values: &["change"] },
    ErrorDetail { code: "not_permitted", detail: "change_about_you", values: &["change"] },
    ErrorDetail { code: "not_permitted", detail: "own_mark", values: &["account"] },
    // Partners, their cards, numbers and keys (partners.rs), and values that do not parse.
    ErrorDetail { code: "invalid_input", detail: "country_invalid", values: &["country"] },
    ErrorDetail { code: "invalid_input", detail: "phone_invalid", values: &["number"] },
    ErrorDetail { code: "invalid_input", detail: "domain_invalid", values: &["domain"] },
    ErrorDetail { code: "invalid_input", detail: "phone_needed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "card_invalid", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "statement_invalid", values: &[] },
    ErrorDetail { code: "check_failed", detail: "signer_not_active", values: &["fingerprint", "partner"] },
    ErrorDetail { code: "check_failed", detail: "statement_unverified", values: &[] },
    ErrorDetail { code: "check_failed", detail: "keys_changed_meanwhile", values: &["partner"] },
    ErrorDetail { code: "invalid_input", detail: "number_on_file", values: &["number", "partner"] },
    ErrorDetail { code: "invalid_input", detail: "iban_invalid", values: &["iban"] },
    ErrorDetail { code: "invalid_input", detail: "account_invalid", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "fingerprint_invalid", values: &["typed"] },
    ErrorDetail { code: "invalid_input", detail: "after_needs_history", values: &[] },
    ErrorDetail { code: "not_found", detail: "key_to_revoke", values: &["partner"] },
    ErrorDetail { code: "invalid_input", detail: "several_active_keys", values: &[] },
    // The workspace, its policy and the organisation key (lib.rs, org_keys.rs), files, and partners' recovery keys (recovery.rs).
    ErrorDetail { code: "authentication_failed", detail: "wrong_org_passphrase", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "role_unknown", values: &["role"] },
    ErrorDetail { code: "invalid_input", detail: "policy_out_of_range", values: &["field", "min", "max"] },
    ErrorDetail { code: "check_failed", detail: "policy_changed_meanwhile", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "org_name_length", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "passphrase_is_password", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "org_key_not_made", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "not_a_regular_file", values: &["file"] },
    ErrorDetail { code: "invalid_input", detail: "file_exists_already", values: &["file"] },
    ErrorDetail { code: "invalid_input", detail: "folder_missing", values: &["folder"] },
    ErrorDetail { code: "invalid_input", detail: "two_files_needed", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "recovery_key_as_signer", values: &["fingerprint"] },
    ErrorDetail { code: "invalid_input", detail: "recovery_key_pinned_as_signer", values: &["fingerprint"] },
    ErrorDetail { code: "check_failed", detail: "recovery_signed_none_pinned", values: &["fingerprint", "partner"] },
    ErrorDetail { code: "check_failed", detail: "signed_not_by_recovery_key", values: &["fingerprint", "partner", "recovery"] },
    ErrorDetail { code: "check_failed", detail: "replaces_no_current_key", values: &["fingerprint", "partner"] },
    ErrorDetail { code: "invalid_input", detail: "revocation_invalid", values: &[] },
    ErrorDetail { code: "check_failed", detail: "revoke_no_recovery_key", values: &["partner"] },
    ErrorDetail { code: "not_found", detail: "key_of_partner", values: &["fingerprint", "partner"] },
    ErrorDetail { code: "invalid_input", detail: "revoked_already", values: &["fingerprint"] },
    // Partners' freezes (freezes.rs).
    ErrorDetail { code: "check_failed", detail: "freeze_lifted_meanwhile", values: &["freeze"] },
    ErrorDetail { code: "not_permitted", detail: "lift_number_not_on_file", values: &["number", "partner"] },
    ErrorDetail { code: "check_failed", detail: "lift_not_confirmed", values: &["outcome"] },
    ErrorDetail { code: "not_found", detail: "no_standing_freeze", values: &["partner", "freeze"] },
    ErrorDetail { code: "invalid_input", detail: "several_freezes", values: &["partner", "freezes"] },
    // Backups, restores and the move to a team workspace (backup.rs, moving.rs).
    ErrorDetail { code: "invalid_input", detail: "not_sqlite", values: &["file"] },
    ErrorDetail { code: "invalid_input", detail: "sqlite_not_workspace", values: &["file"] },
    ErrorDetail { code: "check_failed", detail: "copy_untrusted", values: &["file"] },
    ErrorDetail { code: "check_failed", detail: "copy_log_unverified", values: &["file"] },
    ErrorDetail { code: "invalid_input", detail: "leftover_journal", values: &["file"] },
    ErrorDetail { code: "invalid_input", detail: "team_already", values: &[] },
    ErrorDetail { code: "check_failed", detail: "log_not_intact_before_move", values: &[] },
    ErrorDetail { code: "check_failed", detail: "log_not_intact_after_move", values: &[] },
    ErrorDetail { code: "check_failed", detail: "logs_differ_after_move", values: &[] },
    // The audit log, screening, signed statements, answering callbacks, emails and our own account (audit.rs, screening.rs, statements.rs, answering.rs, email_evidence.rs, lookalikes.rs, name_checks.rs, organisation.rs).
    ErrorDetail { code: "not_permitted", detail: "no_audit_key", values: &["user"] },
    ErrorDetail { code: "invalid_input", detail: "time_invalid", values: &["time"] },
    ErrorDetail { code: "invalid_input", detail: "filter_time_invalid", values: &["field", "time"] },
    ErrorDetail { code: "payment_file_invalid", detail: "payment_file_unreadable", values: &["file"] },
    ErrorDetail { code: "check_failed", detail: "copy_not_made", values: &[] },
    ErrorDetail { code: "check_failed", detail: "copy_not_schema_valid", values: &[] },
    ErrorDetail { code: "state_unverified", detail: "row_unbacked", values: &["table", "row"] },
    ErrorDetail { code: "invalid_input", detail: "challenge_invalid", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "signed_with_retired_key", values: &["instruction", "partner"] },
    ErrorDetail { code: "check_failed", detail: "issued_copy_changed", values: &["instruction"] },
    ErrorDetail { code: "check_failed", detail: "answer_key_unusable", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "email_unreadable", values: &[] },
    ErrorDetail { code: "check_failed", detail: "contract_account_fraudulent", values: &["account"] },
    ErrorDetail { code: "file_too_large", detail: "evidence", values: &["limit"] },
    ErrorDetail { code: "invalid_input", detail: "bic_invalid", values: &["bic"] },
    ErrorDetail { code: "invalid_input", detail: "currency_invalid", values: &["currency"] },
    ErrorDetail { code: "invalid_input", detail: "account_name_length", values: &[] },
    ErrorDetail { code: "invalid_input", detail: "active_keys_not_one", values: &["partner", "keys"] },
    ErrorDetail { code: "invalid_input", detail: "instruction_not_signed", values: &[] },
];

/// The English sentence of an error, with the particulars it names when it has a detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorText {
    text: String,
    detail: Option<&'static str>,
    values: Vec<(&'static str, String)>,
}

impl ErrorText {
    /// A sentence of the detail `detail` (one of [`ERROR_DETAILS`]); add its values with
    /// [`ErrorText::with`].
    pub fn detailed(detail: &'static str, text: impl Into<String>) -> Self {
        debug_assert!(ERROR_DETAILS.iter().any(|d| d.detail == detail), "the error detail {detail} is not in ERROR_DETAILS");
        ErrorText { text: text.into(), detail: Some(detail), values: Vec::new() }
    }

    /// The same error with one more particular, by the name [`ERROR_DETAILS`] gives it.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        debug_assert!(
            ERROR_DETAILS.iter().any(|d| Some(d.detail) == self.detail && d.values.contains(&name)),
            "the error detail {:?} carries no value {name}",
            self.detail
        );
        self.values.push((name, value.to_string()));
        self
    }

    /// The English sentence.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Which wording of its code this is, when it names particulars.
    pub fn detail(&self) -> Option<&'static str> {
        self.detail
    }

    /// The particulars, by name.
    pub fn values(&self) -> &[(&'static str, String)] {
        &self.values
    }
}

impl From<String> for ErrorText {
    fn from(text: String) -> Self {
        ErrorText { text, detail: None, values: Vec::new() }
    }
}

impl From<&str> for ErrorText {
    fn from(text: &str) -> Self {
        text.to_string().into()
    }
}

impl Deref for ErrorText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for ErrorText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_unique_and_their_values_named_once() {
        for (i, d) in ERROR_DETAILS.iter().enumerate() {
            assert!(ERROR_DETAILS[..i].iter().all(|e| e.detail != d.detail), "{} twice", d.detail);
            assert!(crate::ServiceError::CODES.contains(&d.code), "{} is no code of the service", d.code);
            for (j, v) in d.values.iter().enumerate() {
                assert!(!d.values[..j].contains(v), "{}: {v} twice", d.detail);
            }
        }
    }

    fn detail_and_values(error: &crate::ServiceError) -> (&'static str, Option<&'static str>, Vec<(&'static str, &str)>) {
        (error.code(), error.detail(), error.values().iter().map(|(n, v)| (*n, v.as_str())).collect())
    }

    /// The service's errors carry their particulars as values beside the English sentence, which
    /// stays what the CLI prints.
    #[test]
    fn errors_name_their_particulars_as_values() {
        let long = crate::check_free_text(("reason", "the reason"), &"x".repeat(1001), 1000).unwrap_err();
        assert_eq!(long.to_string(), "the reason is 1001 characters long; at most 1000 are kept: shorten it");
        assert_eq!(
            detail_and_values(&long),
            ("invalid_input", Some("too_long"), vec![("field", "reason"), ("chars", "1001"), ("max", "1000")])
        );

        let (_dir, mut ws, admin) = crate::test_support::admin_workspace();
        let missing = ws.case(&admin, 999).unwrap_err();
        assert_eq!(missing.to_string(), "no case with id 999");
        assert_eq!(detail_and_values(&missing), ("not_found", Some("case"), vec![("case", "999")]));

        let role = admin.require(&[crate::Role::Approver, crate::Role::Auditor], "do this").unwrap_err();
        assert_eq!(role.to_string(), "alice is an admin; only approver or auditor may do this");
        assert_eq!(
            detail_and_values(&role),
            ("not_permitted", Some("role"), vec![("user", "alice"), ("role", "admin"), ("roles", "approver,auditor")])
        );

        let weak = crate::weak_password(
            ("new_password", "the new password"),
            countersign_core::auth::password::check_password_policy("short").unwrap_err(),
        );
        assert_eq!(
            weak.to_string(),
            "the new password: the password is too short: use at least 10 characters (a few unrelated words make a good one)"
        );
        assert_eq!(detail_and_values(&weak), ("invalid_input", Some("password_too_short"), vec![("field", "new_password"), ("min", "10")]));

        let plain = crate::ServiceError::CheckFailed("the fingerprint does not match".into());
        assert_eq!(detail_and_values(&plain), ("check_failed", None, vec![]));
    }

    /// Errors beyond the case flow name theirs too (issue 19, item 4): a bound of the policy, a
    /// value that does not parse, a file; the English sentence is the one the CLI printed before.
    #[test]
    fn errors_beyond_the_case_flow_name_their_particulars() {
        let (_dir, mut ws, admin) = crate::test_support::admin_workspace();
        let policy = crate::WorkspacePolicy { cooling_off_hours: 2161, ..ws.policy().unwrap() };
        let bound = ws.set_policy(&admin, &policy).unwrap_err();
        assert_eq!(bound.to_string(), "cooling_off_hours must be between 0 and 2160 (90 days)");
        assert_eq!(
            detail_and_values(&bound),
            ("invalid_input", Some("policy_out_of_range"), vec![("field", "cooling_off_hours"), ("min", "0"), ("max", "2160")])
        );

        let currency = ws.set_org_account(&admin, None, "DE89370400440532013000", "COBADEFFXXX", "EU").unwrap_err();
        assert_eq!(detail_and_values(&currency), ("invalid_input", Some("currency_invalid"), vec![("currency", "EU")]));

        let missing = crate::file_error(crate::files::FileError::NoDirectory("/no/such".into()));
        assert_eq!(missing.to_string(), "/no/such is not a directory");
        assert_eq!(detail_and_values(&missing), ("invalid_input", Some("folder_missing"), vec![("folder", "/no/such")]));

        let disabled = ws.set_user_disabled(&admin, "alice", true).unwrap_err();
        assert_eq!(disabled.to_string(), "you cannot disable yourself");
        assert_eq!(detail_and_values(&disabled), ("invalid_input", Some("disable_yourself"), vec![]));
    }

    /// Each refusal of the case flow is a detail of the service, with the core's values and the
    /// case, so the app has a sentence for it (issue 19: they showed in English).
    #[test]
    fn every_refusal_of_the_case_flow_is_a_detail() {
        for (detail, values) in countersign_core::cases::flow::REFUSAL_DETAILS {
            let listed = ERROR_DETAILS.iter().find(|d| d.detail == *detail).unwrap_or_else(|| panic!("{detail} is not in ERROR_DETAILS"));
            let with_case: Vec<&str> = std::iter::once("case").chain(values.iter().copied()).collect();
            assert_eq!(listed.values, &with_case[..], "{detail}");
        }
    }

    /// Every error of the service names its detail, so the app words each one in the user's
    /// language (issue 19): a plain sentence (`"…".into()`) in any source file fails this, and so
    /// does a detail named in the source that [`ERROR_DETAILS`] does not list.
    #[test]
    fn every_service_error_has_a_detail() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files: Vec<_> = std::fs::read_dir(&src).unwrap().map(|e| e.unwrap().path()).collect();
        files.retain(|p| p.extension().is_some_and(|e| e == "rs"));
        assert!(files.len() > 20, "{src:?}");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            let name = path.file_name().unwrap().to_string_lossy();
            assert_eq!(plain_errors(code), Vec::<String>::new(), "{name}");
            for detail in details_named(code) {
                assert!(ERROR_DETAILS.iter().any(|d| d.detail == detail), "{name}: {detail} is not in ERROR_DETAILS");
            }
        }
        assert_eq!(plain_errors("Err(ServiceError::NotFound(\"no such case\".into()))"), ["\"no such case\".into()))"]);
        assert_eq!(plain_errors("ServiceError::PartnerFrozen(format!(\"frozen\").into())"), ["format!(\"frozen\").into())"]);
        let named = details_named(
            "ErrorText::detailed(\n \"case\", t); f(invalid(\"card_invalid\")); invalid_value(\"x\", \"y\", z); ErrorText::detailed(d, t)",
        );
        assert_eq!(named, ["case", "card_invalid", "x"]);
    }

    /// The details `code` names: the first argument of [`ErrorText::detailed`] and of the
    /// service's `invalid` and `invalid_value`, when it is a literal.
    fn details_named(code: &str) -> Vec<&str> {
        let mut named = Vec::new();
        for call in ["ErrorText::detailed(", " invalid(", "(invalid(", " invalid_value(", "(invalid_value("] {
            for part in code.split(call).skip(1) {
                if let Some(literal) = part.trim_start().strip_prefix('"') {
                    named.push(literal.split('"').next().unwrap());
                }
            }
        }
        named
    }

    /// The errors in `code` made of a plain sentence rather than a detailed [`ErrorText`].
    fn plain_errors(code: &str) -> Vec<String> {
        let worded = ["ErrorText::detailed(", "refused_text(", "withheld_text(", "text)", "text.with(", "_)"];
        let mut plain = Vec::new();
        let variants = [
            "AuthenticationFailed",
            "NotPermitted",
            "NumberWithheld",
            "InvalidInput",
            "CheckFailed",
            "NotFound",
            "TooLarge",
            "PaymentFileInvalid",
            "StateUnverified",
            "CoolingOff",
            "RecoveryKeyRequired",
            "PartnerFrozen",
        ];
        for variant in variants {
            for part in code.split(&format!("ServiceError::{variant}(")).skip(1) {
                let after = part.trim_start();
                if !worded.iter().any(|w| after.starts_with(w)) {
                    plain.push(after.chars().take(40).collect());
                }
            }
        }
        plain
    }

    #[test]
    fn the_english_sentence_is_kept_whole() {
        let text = ErrorText::detailed("case", "no case with id 7").with("case", 7);
        assert_eq!(text.to_string(), "no case with id 7");
        assert_eq!((text.detail(), text.values()), (Some("case"), &[("case", "7".to_string())][..]));
        let plain = ErrorText::from("the case changed meanwhile");
        assert_eq!((plain.detail(), plain.values().len()), (None, 0));
    }
}
