// What the Rust side sends, for the UI's tests: users of each role, whose permissions are the
// core's table (bindings/rolePermissions.ts, generated, never a list written here), work queues,
// and a shell whose every `open…` is a mock.
import { vi } from "vitest";
import type { CaseSummary, UserView, WorkQueueView } from "./api";
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
