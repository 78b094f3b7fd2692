//! Generates the Tauri context and the `allow-*`/`deny-*` permissions of the app's own commands.

/// Every `#[tauri::command]` the app registers (see `src/commands/mod.rs`). A command missing
/// here gets no permission, so no capability can grant it and the UI's call is refused.
const COMMANDS: &[&str] = &[
    "app_info",
    "workspace_status",
    "create_workspace",
    "login",
    "logout",
    "change_password",
    "enrol_totp",
    "list_cases",
    "receive_files",
    "pick_files",
    "watch_drops",
    "case_detail",
    "approve_case",
    "reject_case",
    "reopen_case",
    "release_case",
    "start_callback",
    "record_callback",
    "list_partners",
    "partner_detail",
    "pick_partner_file",
    "preview_card",
    "confirm_fingerprint",
    "add_partner",
    "rotate_partner_key",
    "revoke_partner_key",
    "issue_instruction",
    "list_users",
    "add_user",
    "set_user_disabled",
    "reset_user_password",
    "get_policy",
    "set_policy",
    "get_org_account",
    "set_org_account",
    "org_key_info",
    "backup_org_key",
    "rotate_org_key",
    "audit_log",
    "audit_activity",
    "pick_checkpoint_file",
    "verify_audit",
    "export_audit_bundle",
    "export_audit_csv",
    "save_audit_checkpoint",
];

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("tauri-build failed");
}
