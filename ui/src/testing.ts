// What the Rust side sends, for the UI's tests: users of each role, whose permissions are the
// core's table (bindings/rolePermissions.ts, generated, never a list written here), work queues,
// held cases (a summary, a case page's view), and a shell whose every `open…` is a mock.
import { vi } from "vitest";
import type { CaseSummary, CaseView, UserView, WorkQueueView } from "./api";
import type { Shell } from "./app";
import type { CaseStep } from "./bindings/CaseStep";
import type { Role } from "./bindings/Role";
import { ROLE_PERMISSIONS } from "./bindings/rolePermissions";

/** The `UserView` of `name` with `role`, as a signed-in session of that role gets it. */
export function userOf(name: string, role: Role, extra: Partial<UserView> = {}): UserView {
  const permissions = extra.must_enrol_totp ? [] : ROLE_PERMISSIONS[role];
  return { name, role, permissions, ...extra };
}

/** A work queue with nothing waiting (`work_queue`), or with `cases` waiting for `step`. */
export function queueOf(step: CaseStep | null = null, cases: CaseSummary[] = []): WorkQueueView {
  const steps: CaseStep[] = ["call_back", "approve", "release", "reopen"];
  return {
    groups: steps.map((s) => (s === step ? { step: s, count: cases.length, cases } : { step: s, count: 0, cases: [] })),
    changes_to_check: 0,
    cooling_off_count: 0,
    cooling_off: [],
  };
}

/** A shell for `user` rendering into a fresh element, every `open…` a mock; `extra` adds or replaces. */
export function shellOf(user: UserView, extra: Partial<Shell> = {}): Shell {
  return {
    user,
    org: "Initech GmbH",
    content: document.createElement("div"),
    openQueue: vi.fn(),
    openInbox: vi.fn(),
    openCase: vi.fn(),
    openPartners: vi.fn(),
    openPartner: vi.fn(),
    openChanges: vi.fn(),
    setScreen: vi.fn(),
    ...extra,
  };
}

/** Case `id` as a list shows it: Globex's held payment, `extra` changing what a test needs. */
export function summaryOf(id: number, extra: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id,
    status: "hold",
    verdict: "hold",
    partner: "Globex Corporation",
    payee: "Globex Corporation",
    amount: "48200.00 EUR",
    account: "GB82 WEST 1234 5698 7654 32",
    account_fraudulent: false,
    file_name: `globex-${id}.json`,
    received_at: "2026-01-01T00:00:00Z",
    received_by: "carol",
    ...extra,
  };
}

/** The case page's view of `summary`: a changed account, one number on file, a callback to make. */
export function caseViewOf(summary: CaseSummary, extra: Partial<CaseView> = {}): CaseView {
  return {
    summary,
    findings: [{ code: "bank_details_changed", severity: "warning", message: "The account differs from the one on file.", values: {} }],
    email_sha256: null,
    partner_id: 1,
    confirmation_code: "1234 5678",
    bic: "WESTGB2L",
    reference: "INV-1",
    wrong_responses: 0,
    decided_by: null,
    decision_reason: null,
    released_by: null,
    on_file_account: { display: "DE89 3704 0044 0532 0130 00", bic: "COBADEFFXXX", status: "current", first_seen: "x", last_seen: "y", became_current_at: "2025-11-02T09:00:00Z" },
    pays_account_on_file: false,
    account_history: [],
    on_file_numbers: [{ e164: "+4930123456", display: "+49 30 123456", label: null, source: "onboarding", recorded_by: "alice", approved_by: null, recorded_at: "2025-10-01T08:00:00Z", withheld: null }],
    callbacks: [],
    timeline: [],
    next_steps: ["call_back"],
    cooling_off: null,
    name_checks: [],
    may_attach_name_check: false,
    partner_frozen: null,
    ...extra,
  };
}
