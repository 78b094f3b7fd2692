// The contract's codes as the Rust side sends them. Their types are generated from the core's
// enums (bindings/CaseStatus.ts, …); each record below names every member once, and TypeScript
// refuses a record that misses a member or names one that does not exist, so a status, verdict,
// severity, role, outcome, key or account status added in Rust fails the type check here until the UI knows it.
import type { AccountStatus } from "./bindings/AccountStatus";
import type { CallbackOutcome } from "./bindings/CallbackOutcome";
import type { CaseStatus } from "./bindings/CaseStatus";
import type { KeyStatus } from "./bindings/KeyStatus";
import type { ReasonCode } from "./bindings/ReasonCode";
import type { Role } from "./bindings/Role";
import type { Severity } from "./bindings/Severity";
import type { Verdict } from "./bindings/Verdict";

export type { AccountStatus, CallbackOutcome, CaseStatus, KeyStatus, ReasonCode, Role, Severity, Verdict };

/** Every case status, in the order a case usually goes through them (the filter's order). */
const CASE_STATUSES: Record<CaseStatus, true> = {
  accepted: true,
  hold: true,
  callback_confirmed: true,
  approved: true,
  released: true,
  rejected: true,
  quarantined: true,
};
const VERDICTS: Record<Verdict, true> = { accepted: true, hold: true, rejected: true };
const SEVERITIES: Record<Severity, true> = { info: true, warning: true, critical: true };
const ROLES: Record<Role, true> = { clerk: true, approver: true, admin: true, auditor: true };
const OUTCOMES: Record<CallbackOutcome, true> = { confirmed: true, denied: true, unreachable: true };
const KEY_STATUSES: Record<KeyStatus, true> = { active: true, retired: true, revoked: true };
const ACCOUNT_STATUSES: Record<AccountStatus, true> = { current: true, pending: true, retired: true, fraudulent: true };

function members<T extends string>(record: Record<T, true>): readonly T[] {
  return Object.keys(record) as T[];
}

export const STATUSES = members(CASE_STATUSES);
export const VERDICT_CODES = members(VERDICTS);
export const SEVERITY_CODES = members(SEVERITIES);
export const ROLE_CODES = members(ROLES);
export const OUTCOME_CODES = members(OUTCOMES);
export const KEY_STATUS_CODES = members(KEY_STATUSES);
export const ACCOUNT_STATUS_CODES = members(ACCOUNT_STATUSES);

/** Whether `text` is a case status (a value read back from a form field). */
export function isCaseStatus(text: string): text is CaseStatus {
  return text in CASE_STATUSES;
}
