// The contract's codes as the Rust side sends them. Their types are generated from the core's
// enums (bindings/CaseStatus.ts, …); each record below names every member once, and TypeScript
// refuses a record that misses a member or names one that does not exist, so a status, verdict,
// severity, role, outcome, key or account status, change kind or status, reason code, or a
// payment file's line verdict or screening reason added in Rust fails the type check here until
// the UI knows it.
import type { AccountStatus } from "./bindings/AccountStatus";
import type { CallbackOutcome } from "./bindings/CallbackOutcome";
import type { CaseStatus } from "./bindings/CaseStatus";
import type { CheckStanding } from "./bindings/CheckStanding";
import type { ChangeKind } from "./bindings/ChangeKind";
import type { ChangeStatus } from "./bindings/ChangeStatus";
import type { KeyStatus } from "./bindings/KeyStatus";
import type { ReasonCode } from "./bindings/ReasonCode";
import type { LineVerdict } from "./bindings/LineVerdict";
import type { Role } from "./bindings/Role";
import type { ScreenReason } from "./bindings/ScreenReason";
import type { Severity } from "./bindings/Severity";
import type { Verdict } from "./bindings/Verdict";

export type { AccountStatus, CallbackOutcome, CaseStatus, ChangeKind, CheckStanding, ChangeStatus, KeyStatus, LineVerdict, ReasonCode, Role, ScreenReason, Severity, Verdict };

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
/** What a pending change does (four eyes, issue 15), in the order of the core's `ChangeKind::ALL`. */
const CHANGE_KINDS: Record<ChangeKind, true> = {
  partner_add: true,
  partner_rotate_key: true,
  partner_add_phone: true,
  user_add: true,
  user_reset_password: true,
  user_enable: true,
  policy_set: true,
  org_account: true,
  account_clear: true,
  partner_unfreeze: true,
};
const CHANGE_STATUSES: Record<ChangeStatus, true> = { pending: true, approved: true, rejected: true };
/** A marked account's status (`FraudMarkEntry.status`). */
const MARK_STATUSES: Record<"suspected" | "fraudulent", true> = { suspected: true, fraudulent: true };

/**
 * Every reason code a finding can carry. The core words each finding's message itself; this list
 * only makes a code added in Rust fail the type check until the UI has looked at it.
 */
const REASONS: Record<ReasonCode, true> = {
  malformed_file: true,
  unsupported_version: true,
  file_too_large: true,
  signature_invalid: true,
  unknown_signer: true,
  key_revoked: true,
  wrong_recipient: true,
  expired: true,
  not_yet_valid: true,
  replayed: true,
  iban_invalid: true,
  bic_invalid: true,
  iban_bic_country_mismatch: true,
  first_instruction: true,
  bank_details_changed: true,
  account_previously_retired: true,
  account_known_fraudulent: true,
  // A callback about this account was denied: it is *suspected* (blocked for every partner) until
  // an approver or admin other than the one who recorded the callback confirms the fraud
  // (`account_known_fraudulent` from then on) or a clearing of the mark is approved by a second
  // person (four eyes). Named for people as `reason.account_suspected`; see Partners → Marked accounts.
  account_suspected: true,
  account_used_by_other_partner: true,
  beneficiary_name_mismatch: true,
  country_changed: true,
  recent_key_rotation: true,
  frequent_changes: true,
  amount_unusual: true,
  email_reply_to_mismatch: true,
  email_lookalike_domain: true,
  email_auth_failed: true,
  email_display_name_spoof: true,
  email_unregistered_domain: true,
  // Issue 20: a number or a domain the email's text gives that is not on file.
  email_number_not_on_file: true,
  email_domain_not_on_file: true,
  vop_no_match: true,
  vop_close_match: true,
  vop_match: true,
  vop_not_possible: true,
  partner_frozen: true,
};

/** A payment-file line's verdict (issue 18), best first. */
const LINE_VERDICTS: Record<LineVerdict, true> = { ok: true, hold: true, blocked: true };

/**
 * Every reason the payment-file screening gives, in the core's order (`ScreenReason::ALL`). Each
 * has a title in every language (`screenReason.<code>`, i18n/screening.ts); the sentence with the
 * facts is the core's.
 */
const SCREEN_REASONS: Record<ScreenReason, true> = {
  account_known_fraudulent: true,
  account_suspected: true,
  account_used_by_other_partner: true,
  account_previously_retired: true,
  partner_key_revoked: true,
  partner_frozen: true,
  creditor_not_partner: true,
  account_not_on_file: true,
  iban_invalid: true,
  bic_invalid: true,
  account_unconfirmed: true,
  account_not_signed: true,
  account_cooling_off: true,
  beneficiary_name_mismatch: true,
  beneficiary_name_close: true,
  amount_unusual: true,
  amount_invalid: true,
  currency_invalid: true,
  currency_unusual: true,
  duplicate_line: true,
  duplicate_end_to_end_id: true,
  debtor_account_not_ours: true,
  execution_date_past: true,
  transaction_count_mismatch: true,
  control_sum_mismatch: true,
};

/** What the log says about a payment file checked (`FileCheckView.standing`). */
const CHECK_STANDINGS: Record<CheckStanding, true> = { screened_ok: true, approved_copy: true, screened_not_ok: true, changed: true, not_screened: true };

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
export const CHANGE_KIND_CODES = members(CHANGE_KINDS);
export const CHANGE_STATUS_CODES = members(CHANGE_STATUSES);
export const MARK_STATUS_CODES = members(MARK_STATUSES);
export const REASON_CODES = members(REASONS);
export const LINE_VERDICT_CODES = members(LINE_VERDICTS);
export const SCREEN_REASON_CODES = members(SCREEN_REASONS);
export const CHECK_STANDING_CODES = members(CHECK_STANDINGS);

/** Whether `text` is a case status (a value read back from a form field). */
export function isCaseStatus(text: string): text is CaseStatus {
  return text in CASE_STATUSES;
}
