// The only module the screens call to talk to the Rust side. Each command is one typed function,
// generated from the Rust command itself into ./bindings/commands.ts (its name, parameters, result
// and doc written once, in Rust) and re-exported here; this module adds only the wrappers that turn
// a Channel into a callback. Every failure arrives as a CommandError (./ipc.ts). The types come
// from ./bindings/, generated from the Rust DTOs by ts-rs (never edited by hand); the UI never
// decides anything itself.
import { Channel } from "@tauri-apps/api/core";
import {
  receiveFiles as receiveFilesOn,
  watchDrops as watchDropsOn,
  watchWorkspace as watchWorkspaceOn,
} from "./bindings/commands";
import type { AppInfo } from "./bindings/AppInfo";
import type { CallbackRequest } from "./bindings/CallbackRequest";
import type { CallbackScript } from "./bindings/CallbackScript";
import type { CardPreview } from "./bindings/CardPreview";
import type { IssuedView } from "./bindings/IssuedView";
import type { IssueRequest } from "./bindings/IssueRequest";
import type { AnswerRequest } from "./bindings/AnswerRequest";
import type { AnswerView } from "./bindings/AnswerView";
import type { IssuedEntry } from "./bindings/IssuedEntry";
import type { IssuedPage } from "./bindings/IssuedPage";
import type { NewPartnerRequest } from "./bindings/NewPartnerRequest";
import type { PartnerFile } from "./bindings/PartnerFile";
import type { PartnerRow } from "./bindings/PartnerRow";
import type { PartnerView } from "./bindings/PartnerView";
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
  AnswerRequest,
  AnswerView,
  IssuedEntry,
  IssuedPage,
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

export { IPC_ERROR, isCommandError, toCommandError } from "./ipc";
export * from "./bindings/commands";

/** What happens on the team workspace's server is passed to `onEvent` (the live queue). */
export function watchWorkspace(onEvent: (event: LiveEvent) => void): Promise<null> {
  const channel = new Channel<LiveEvent>();
  channel.onmessage = onEvent;
  return watchWorkspaceOn(channel);
}

/** Receives files (read on the Rust side); `onProgress` hears after each file. */
export function receiveFiles(
  paths: string[],
  onProgress: (p: ReceiveProgress) => void,
): Promise<Received[]> {
  const progress = new Channel<ReceiveProgress>();
  progress.onmessage = onProgress;
  return receiveFilesOn(paths, progress);
}

/** Paths of files dropped on the window are passed to `onDrop`. */
export function watchDrops(onDrop: (paths: string[]) => void): Promise<null> {
  const channel = new Channel<string[]>();
  channel.onmessage = onDrop;
  return watchDropsOn(channel);
}
