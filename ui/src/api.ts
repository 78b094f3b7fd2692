// The only module that talks to the Rust side. Each function sends one intent to one
// `#[tauri::command]` and returns what the core decided; the UI never decides anything itself.
// Every failure arrives as a CommandError.
// The types come from ./bindings/, generated from the Rust DTOs by ts-rs (never edited by hand).
import { Channel, invoke, type InvokeArgs } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { CallbackRequest } from "./bindings/CallbackRequest";
import type { CallbackScript } from "./bindings/CallbackScript";
import type { CardPreview } from "./bindings/CardPreview";
import type { IssuedView } from "./bindings/IssuedView";
import type { IssueRequest } from "./bindings/IssueRequest";
import type { NewPartnerRequest } from "./bindings/NewPartnerRequest";
import type { PartnerFile } from "./bindings/PartnerFile";
import type { PartnerRow } from "./bindings/PartnerRow";
import type { PartnerView } from "./bindings/PartnerView";
import type { CaseStatus } from "./bindings/CaseStatus";
import type { CaseSummary } from "./bindings/CaseSummary";
import type { CasePageRequest } from "./bindings/CasePageRequest";
import type { CasePageView } from "./bindings/CasePageView";
import type { CaseSortKey } from "./bindings/CaseSortKey";
import type { CaseView } from "./bindings/CaseView";
import type { CommandError } from "./bindings/CommandError";
import type { FindingView } from "./bindings/FindingView";
import type { LoginRequest } from "./bindings/LoginRequest";
import type { NewWorkspace } from "./bindings/NewWorkspace";
import type { Received } from "./bindings/Received";
import type { ReceiveProgress } from "./bindings/ReceiveProgress";
import type { ReleaseFormat } from "./bindings/ReleaseFormat";
import type { ReleaseView } from "./bindings/ReleaseView";
import type { UserView } from "./bindings/UserView";
import type { WorkspaceStatus } from "./bindings/WorkspaceStatus";
import type { WorkQueueView } from "./bindings/WorkQueueView";
import type { SetupChecklistView } from "./bindings/SetupChecklistView";
import type { KeyBackupRequest } from "./bindings/KeyBackupRequest";
import type { KeyBackupView } from "./bindings/KeyBackupView";
import type { KeyRotationRequest } from "./bindings/KeyRotationRequest";
import type { KeyRotationView } from "./bindings/KeyRotationView";
import type { NewUserRequest } from "./bindings/NewUserRequest";
import type { OrgAccountView } from "./bindings/OrgAccountView";
import type { OrgKeyView } from "./bindings/OrgKeyView";
import type { PolicyView } from "./bindings/PolicyView";
import type { ResetPasswordRequest } from "./bindings/ResetPasswordRequest";
import type { UserEntry } from "./bindings/UserEntry";
import type { ActivityDay } from "./bindings/ActivityDay";
import type { AuditEvent } from "./bindings/AuditEvent";
import type { AuditFileView } from "./bindings/AuditFileView";
import type { AuditFilter } from "./bindings/AuditFilter";
import type { AuditLogView } from "./bindings/AuditLogView";
import type { AuditProblem } from "./bindings/AuditProblem";
import type { AuditStatus } from "./bindings/AuditStatus";
import type { PasswordChangeRequest } from "./bindings/PasswordChangeRequest";
import type { TotpEnrolment } from "./bindings/TotpEnrolment";
import type { QrView } from "./bindings/QrView";
import type { ChangeEntry } from "./bindings/ChangeEntry";
import type { ChangeKind } from "./bindings/ChangeKind";
import type { ChangeStatus } from "./bindings/ChangeStatus";
import type { FieldChange } from "./bindings/FieldChange";
import type { FlagView } from "./bindings/FlagView";
import type { FraudMarkEntry } from "./bindings/FraudMarkEntry";
import type { Outcome } from "./bindings/Outcome";
import type { PartnerRotationRequest } from "./bindings/PartnerRotationRequest";
import type { PendingView } from "./bindings/PendingView";
import type { WorkspaceModeView } from "./bindings/WorkspaceModeView";
import type { DatabasePassword } from "./bindings/DatabasePassword";
import type { LiveEvent } from "./bindings/LiveEvent";
import type { NewTeamWorkspace } from "./bindings/NewTeamWorkspace";
import type { ServerRequest } from "./bindings/ServerRequest";
import type { TeamView } from "./bindings/TeamView";
import type { ApprovedCopyView } from "./bindings/ApprovedCopyView";
import type { CheckStanding } from "./bindings/CheckStanding";
import type { FileCheckView } from "./bindings/FileCheckView";
import type { ScreenFindingView } from "./bindings/ScreenFindingView";
import type { ScreenLineView } from "./bindings/ScreenLineView";
import type { ScreenReasonView } from "./bindings/ScreenReasonView";
import type { ScreeningEntry } from "./bindings/ScreeningEntry";
import type { ScreenView } from "./bindings/ScreenView";

export type {
  AppInfo,
  SetupChecklistView,
  WorkQueueView,
  CallbackRequest,
  CallbackScript,
  CardPreview,
  IssuedView,
  IssueRequest,
  NewPartnerRequest,
  PartnerFile,
  PartnerRow,
  PartnerView,
  CaseSummary,
  CasePageRequest,
  CasePageView,
  CaseSortKey,
  CaseView,
  CommandError,
  FindingView,
  LoginRequest,
  NewWorkspace,
  Received,
  ReceiveProgress,
  ReleaseFormat,
  ReleaseView,
  UserView,
  WorkspaceStatus,
  KeyBackupRequest,
  KeyBackupView,
  KeyRotationRequest,
  KeyRotationView,
  NewUserRequest,
  OrgAccountView,
  OrgKeyView,
  PolicyView,
  ResetPasswordRequest,
  UserEntry,
  ActivityDay,
  AuditEvent,
  AuditFileView,
  AuditFilter,
  AuditLogView,
  AuditProblem,
  AuditStatus,
  PasswordChangeRequest,
  TotpEnrolment,
  QrView,
  ChangeEntry,
  ChangeKind,
  ChangeStatus,
  FieldChange,
  FlagView,
  FraudMarkEntry,
  Outcome,
  PartnerRotationRequest,
  PendingView,
  WorkspaceModeView,
  DatabasePassword,
  LiveEvent,
  NewTeamWorkspace,
  ServerRequest,
  TeamView,
  ApprovedCopyView,
  CheckStanding,
  FileCheckView,
  ScreenFindingView,
  ScreenLineView,
  ScreenReasonView,
  ScreeningEntry,
  ScreenView,
};

/** Code for a failure that did not come from a command: Tauri refused or lost the call. */
export const IPC_ERROR = "ipc_error";

export function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as CommandError).code === "string" &&
    typeof (value as CommandError).message === "string"
  );
}

/** Turns whatever an invoke rejected with into a CommandError. */
export function toCommandError(reason: unknown): CommandError {
  if (isCommandError(reason)) {
    return { code: reason.code, message: reason.message };
  }
  const message =
    typeof reason === "string" ? reason : reason instanceof Error ? reason.message : String(reason);
  return { code: IPC_ERROR, message };
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toCommandError(reason);
  }
}

/** The app's name and version. */
export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

/** Which workspace the app is on, and who is signed in. */
export function workspaceStatus(): Promise<WorkspaceStatus> {
  return call("workspace_status");
}

/** First run: creates the workspace. */
export function createWorkspace(request: NewWorkspace): Promise<WorkspaceStatus> {
  return call("create_workspace", { request });
}

/** First run: joins the team workspace on a server (the password is held in memory only). */
export function joinTeam(request: ServerRequest): Promise<WorkspaceStatus> {
  return call("join_team", { request });
}

/** First run: creates a new team workspace on a server. */
export function createTeamWorkspace(request: NewTeamWorkspace): Promise<WorkspaceStatus> {
  return call("create_team_workspace", { request });
}

/** The database password the team workspace's server asks for. */
export function unlockTeam(request: DatabasePassword): Promise<WorkspaceStatus> {
  return call("unlock_team", { request });
}

/** Opens the file chooser on the Rust side for the server's CA certificate; null when cancelled. */
export function pickCaFile(): Promise<string | null> {
  return call("pick_ca_file");
}

/** What happens on the team workspace's server is passed to `onEvent` (the live queue). */
export function watchWorkspace(onEvent: (event: LiveEvent) => void): Promise<null> {
  const channel = new Channel<LiveEvent>();
  channel.onmessage = onEvent;
  return call("watch_workspace", { channel });
}

export function login(request: LoginRequest): Promise<UserView> {
  return call("login", { request });
}

export function logout(): Promise<null> {
  return call("logout");
}

/** Changes the signed-in user's own password (the core checks the current one). */
export function changePassword(request: PasswordChangeRequest): Promise<null> {
  return call("change_password", { request });
}

/** Enrols a second factor for the signed-in user; the secret is shown once and not kept. */
export function enrolTotp(password: string): Promise<TotpEnrolment> {
  return call("enrol_totp", { request: { password } });
}

/** What waits for the signed-in user, as the core decides: per step, the count and the oldest cases. */
export function workQueue(): Promise<WorkQueueView> {
  return call("work_queue");
}

/** What the workspace has done of its set-up (the admin's checklist on My work). */
export function setupChecklist(): Promise<SetupChecklistView> {
  return call("setup_checklist");
}

/**
 * One page of the cases with a status that a search finds, in the order of one column; the
 * service searches, sorts and pages (`next` is the `after` of the following page).
 */
export function casePage(request: CasePageRequest): Promise<CasePageView> {
  return call("case_page", { request });
}

/** Receives files (read on the Rust side); `onProgress` hears after each file. */
export function receiveFiles(
  paths: string[],
  onProgress: (p: ReceiveProgress) => void,
): Promise<Received[]> {
  const progress = new Channel<ReceiveProgress>();
  progress.onmessage = onProgress;
  return call("receive_files", { paths, progress });
}

/** Opens the file chooser on the Rust side; the chosen paths (none when cancelled). */
export function pickFiles(): Promise<string[]> {
  return call("pick_files");
}

/** Paths of files dropped on the window are passed to `onDrop`. */
export function watchDrops(onDrop: (paths: string[]) => void): Promise<null> {
  const channel = new Channel<string[]>();
  channel.onmessage = onDrop;
  return call("watch_drops", { channel });
}

export function caseDetail(id: number): Promise<CaseView> {
  return call("case_detail", { id });
}

export function approveCase(id: number): Promise<CaseStatus> {
  return call("approve_case", { id });
}

export function rejectCase(id: number, reason: string): Promise<CaseStatus> {
  return call("reject_case", { id, reason });
}

/** Reopens a callback locked after wrong responses (approvers). */
export function reopenCase(id: number): Promise<CaseStatus> {
  return call("reopen_case", { id });
}

export function releaseCase(id: number, format: ReleaseFormat): Promise<ReleaseView> {
  return call("release_case", { id, format });
}

/** A fresh challenge and the script around it. */
export function startCallback(id: number): Promise<CallbackScript> {
  return call("start_callback", { id });
}

/** What the clerk heard; resolves to the case's new status. */
export function recordCallback(request: CallbackRequest): Promise<CaseStatus> {
  return call("record_callback", { request });
}

/** Partners by id, all or a page of `limit` after `after` (any signed-in user may look; the core decides). */
export function listPartners(page: { limit: number; after: number | null } | null = null): Promise<PartnerRow[]> {
  return call("list_partners", page ?? {});
}

export function partnerDetail(id: number): Promise<PartnerView> {
  return call("partner_detail", { id });
}

/** Opens the file chooser on the Rust side for a card or a rotation statement; null when cancelled. */
export function pickPartnerFile(kind: PartnerFile): Promise<string | null> {
  return call("pick_partner_file", { kind });
}

/** Reads a card (on the Rust side) and shows what it says and its fingerprint; pins nothing. */
export function previewCard(path: string): Promise<CardPreview> {
  return call("preview_card", { path });
}

/** The fingerprint as the partner read it on the phone, checked by the core; pins nothing. */
export function confirmFingerprint(cardPath: string, fingerprint: string): Promise<string> {
  return call("confirm_fingerprint", { cardPath, fingerprint });
}

/**
 * Onboards a partner; the core pins the key only if the typed fingerprint matches the card. Once
 * two people can check changes, the pinning is a pending change another approver or admin approves.
 */
export function addPartner(request: NewPartnerRequest): Promise<Outcome<PartnerView>> {
  return call("add_partner", { request });
}

/**
 * Accepts a key-rotation statement, with the new key's fingerprint as read back on a call to the
 * on-file number dialled; applied, the new key's fingerprint, else the pending change.
 */
export function rotatePartnerKey(request: PartnerRotationRequest): Promise<Outcome<string>> {
  return call("rotate_partner_key", { request });
}

/** Revokes a key (the active one when `fingerprint` is null); the revoked fingerprint. */
export function revokePartnerKey(id: number, fingerprint: string | null, reason: string): Promise<string> {
  return call("revoke_partner_key", { id, fingerprint, reason });
}

/** Signs our bank details for a partner and saves the file (the save dialog is Rust's). */
export function issueInstruction(request: IssueRequest): Promise<IssuedView> {
  return call("issue_instruction", { request });
}

/** Users and their roles (admins and auditors). */
export function listUsers(): Promise<UserEntry[]> {
  return call("list_users");
}

/** Adds a user with a first password (admins). */
export function addUser(request: NewUserRequest): Promise<Outcome<UserEntry>> {
  return call("add_user", { request });
}

/** Disables or enables a user (admins). */
export function setUserDisabled(name: string, disabled: boolean): Promise<Outcome<null>> {
  return call("set_user_disabled", { name, disabled });
}

/** Sets a new first password for another user (admins). */
export function resetUserPassword(request: ResetPasswordRequest): Promise<Outcome<null>> {
  return call("reset_user_password", { request });
}

export function getPolicy(): Promise<PolicyView> {
  return call("get_policy");
}

/** Changes the policy (admins; the core validates it); the policy as stored, or a pending change when it loosens. */
export function setPolicy(policy: PolicyView): Promise<Outcome<PolicyView>> {
  return call("set_policy", { policy });
}

/** Our organisation's bank account, null while unset. */
export function getOrgAccount(): Promise<OrgAccountView | null> {
  return call("get_org_account");
}

/** Sets our organisation's bank account (admins); an empty name means the organisation's. */
export function setOrgAccount(account: OrgAccountView): Promise<Outcome<OrgAccountView>> {
  return call("set_org_account", { account });
}

/** The organisation key's fingerprint and the keys rotations retired. */
export function orgKeyInfo(): Promise<OrgKeyView> {
  return call("org_key_info");
}

/** Saves a backup of the sealed organisation key (the save dialog is Rust's). */
export function backupOrgKey(request: KeyBackupRequest): Promise<KeyBackupView> {
  return call("backup_org_key", { request });
}

/** Rotates the organisation key and saves the statement for partners (the save dialog is Rust's). */
export function rotateOrgKey(request: KeyRotationRequest): Promise<KeyRotationView> {
  return call("rotate_org_key", { request });
}

/** The audit log's events a filter chooses: the newest 500, newest first, and the total. */
export function auditLog(filter: AuditFilter): Promise<AuditLogView> {
  return call("audit_log", { filter });
}

/** Verifications by verdict, denied callbacks and refusals per day, for the chart. */
export function auditActivity(filter: AuditFilter): Promise<ActivityDay[]> {
  return call("audit_activity", { filter });
}

/** Asks for a checkpoint kept outside the workspace (the open dialog is Rust's); null if cancelled. */
export function pickCheckpointFile(): Promise<string | null> {
  return call("pick_checkpoint_file");
}

/** Checks the whole audit log, optionally against a kept checkpoint file (the check is logged). */
export function verifyAudit(against: string | null): Promise<AuditStatus> {
  return call("verify_audit", { against });
}

/** Saves an evidence bundle of the filtered events (auditors; the save dialog is Rust's). */
export function exportAuditBundle(filter: AuditFilter): Promise<AuditFileView> {
  return call("export_audit_bundle", { filter });
}

/** Saves the filtered events as CSV (the save dialog is Rust's). */
export function exportAuditCsv(filter: AuditFilter): Promise<AuditFileView> {
  return call("export_audit_csv", { filter });
}

/** Signs a checkpoint of the log now and saves it to keep outside the workspace. */
export function saveAuditCheckpoint(): Promise<AuditFileView> {
  return call("save_audit_checkpoint");
}

/** Whether the workspace is in setup mode (changes apply at once), and who can check changes. */
export function workspaceMode(): Promise<WorkspaceModeView> {
  return call("workspace_mode");
}

/** Changes, newest first; only those with `status` when given; all, or a page of `limit` older than `after`. */
export function listChanges(status: ChangeStatus | null, page: { limit: number; after: number | null } | null = null): Promise<ChangeEntry[]> {
  return call("list_changes", { status, ...page });
}

export function changeDetail(id: number): Promise<ChangeEntry> {
  return call("change_detail", { id });
}

/** Approves another person's change, which then applies (the core refuses its maker). */
export function approveChange(id: number): Promise<ChangeEntry> {
  return call("approve_change", { id });
}

/** Rejects a change with a reason (or withdraws one's own); nothing is applied. */
export function rejectChange(id: number, reason: string): Promise<ChangeEntry> {
  return call("reject_change", { id, reason });
}

/** Accounts marked suspected (a denied callback) or fraudulent (confirmed), newest first; all, or a page of `limit` after `after`. */
export function listFraudMarks(page: { limit: number; after: number | null } | null = null): Promise<FraudMarkEntry[]> {
  return call("list_fraud_marks", page ?? {});
}

/** Confirms a suspected account as fraudulent (a second person: not who recorded the callback). */
export function confirmFraud(accountKey: string, reason: string): Promise<FraudMarkEntry> {
  return call("confirm_fraud", { accountKey, reason });
}

/** Proposes clearing an account's mark (four eyes); applied, the account's key. */
export function clearFraudMark(accountKey: string, reason: string): Promise<Outcome<string>> {
  return call("clear_fraud_mark", { accountKey, reason });
}

/** Asks for a payment file (the open dialog is Rust's); its path, null when cancelled. */
export function pickPaymentFile(): Promise<string | null> {
  return call("pick_payment_file");
}

/**
 * Screens the ERP's payment file at `path` (read on the Rust side; clerks, approvers, admins):
 * every line's verdict and reasons, logged as one signed statement.
 */
export function screenPaymentFile(path: string): Promise<ScreenView> {
  return call("screen_payment_file", { path });
}

/** Saves the approved copy of screening `event` (the save dialog is Rust's). */
export function saveApprovedCopy(event: number): Promise<ApprovedCopyView> {
  return call("save_approved_copy", { event });
}

/** Whether the file at `path` is one screened (as all ok, an approved copy, with holds), changed, or never screened. */
export function checkPaymentFile(path: string): Promise<FileCheckView> {
  return call("check_payment_file", { path });
}
