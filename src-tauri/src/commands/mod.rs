//! The app's `#[tauri::command]`s, one module per domain: the app itself, the session (first
//! run, sign-in; team workspaces on a server and their live queue), my account (own password, second factor), the inbox (receiving, the case list), one case (view, approve, reject,
//! reopen, release), the callback wizard, partners (onboarding, rotation, revocation) and outgoing
//! instructions (issuing them, answering a customer's callback about one), the admin's settings (users, policy, our account, the organisation key), the
//! pending changes a second person checks (four eyes), the marked accounts, and the ERP's payment
//! file (screening, its approved copy, the check whether a file is the one screened). Each
//! command is a few lines: parse the UI's arguments,
//! call the core, convert the result.
//!
//! Adding a command: write it in its domain's module, list it in [`handler`] below and in
//! `COMMANDS` in `build.rs` (which generates its `allow-*` permission), and grant it in
//! `capabilities/main.json`. A command not granted there is refused before it runs. Types the UI
//! sees derive `ts_rs::TS` and are listed in `bindings::all`. The UI's function for the command
//! is generated from its signature and doc comment into ui/src/bindings/commands.ts
//! (tests/bindings.rs fails when ui/src/bindings/ is stale, and when the three lists above and
//! the commands disagree); regenerate with `UPDATE_BINDINGS=1 cargo test -p countersign-app --test bindings`.

pub mod account;
pub mod answer;
pub mod app;
pub mod audit;
pub mod callbacks;
pub mod cases;
pub mod changes;
pub mod inbox;
pub mod issue;
pub mod marks;
pub mod partners;
mod save;
pub mod screening;
pub mod session;
pub mod settings;
pub mod team;

/// The invoke handler for every command of the app.
pub(crate) fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_info,
        session::workspace_status,
        session::create_workspace,
        session::login,
        session::logout,
        session::switch_user,
        team::join_team,
        team::create_team_workspace,
        team::unlock_team,
        team::watch_workspace,
        team::pick_ca_file,
        account::change_password,
        account::enrol_totp,
        inbox::case_page,
        inbox::work_queue,
        inbox::setup_checklist,
        inbox::receive_files,
        inbox::pick_files,
        inbox::watch_drops,
        cases::case_detail,
        cases::approve_case,
        cases::reject_case,
        cases::reopen_case,
        cases::release_early,
        cases::attach_name_check,
        cases::pick_evidence_file,
        cases::release_case,
        callbacks::start_callback,
        callbacks::record_callback,
        partners::list_partners,
        partners::partner_detail,
        partners::pick_partner_file,
        partners::preview_card,
        partners::confirm_fingerprint,
        partners::add_partner,
        partners::rotate_partner_key,
        partners::revoke_partner_key,
        partners::import_key_revocation,
        partners::add_partner_phone,
        issue::issue_instruction,
        answer::list_issued_instructions,
        answer::answer_callback,
        settings::list_users,
        settings::add_user,
        settings::set_user_disabled,
        settings::reset_user_password,
        settings::get_policy,
        settings::set_policy,
        settings::get_org_account,
        settings::set_org_account,
        settings::org_key_info,
        settings::backup_org_key,
        settings::rotate_org_key,
        audit::audit_log,
        audit::audit_activity,
        audit::pick_checkpoint_file,
        audit::verify_audit,
        audit::export_audit_bundle,
        audit::export_audit_csv,
        audit::save_audit_checkpoint,
        changes::workspace_mode,
        partners::frozen_partners,
        changes::list_changes,
        changes::change_detail,
        changes::approve_change,
        changes::reject_change,
        marks::list_fraud_marks,
        marks::confirm_fraud,
        marks::clear_fraud_mark,
        screening::pick_payment_file,
        screening::screen_payment_file,
        screening::save_approved_copy,
        screening::check_payment_file,
    ]
}
