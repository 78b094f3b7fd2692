// The auditor's screen against a mocked Rust side: the log unchecked until verified, then intact
// with its counts and audit key, or broken at the event the core names, in red; a kept checkpoint
// picked and sent; the filters sent as the form says (a date, a blank field left out), and a
// reset; the log capped with "showing N of M"; the chart's bars and totals per series; the
// exports sending the current filter and saying where the file went; the core's refusals shown
// with their codes; the Audit button offered to auditors and admins only.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { ActivityDay, AuditEvent, AuditFilter, AuditStatus } from "../api";
import { renderApp, type Shell } from "../app";
import { setLocale } from "../i18n";
import { activityChart, CHART_DAYS, noFilter, renderAudit } from "./audit";
import { LIST_PAGE } from "../loadmore";
import type { Role } from "../codes";
import { shellOf, userOf } from "../testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const KEY = "11111 22222 33333 44444 55555 66666";

const intact: AuditStatus = { intact: true, events: 42, checkpoints: 3, witnessed: 40, root: "ab".repeat(32), audit_key: KEY, against: null, problem: null };

function event(seq: number, action = "instruction.receive"): AuditEvent {
  return { seq, at: "2026-11-02T09:00:00Z", actor: "carol", action, subject: `case:${seq}`, details: `{"verdict":"hold","n":${seq}}`, hash: "cd".repeat(32) };
}

const days: ActivityDay[] = [
  { day: "2026-11-02", accepted: 3, hold: 2, rejected: 1, denied: 0, refused: 0 },
  { day: "2026-11-03", accepted: 0, hold: 0, rejected: 0, denied: 0, refused: 0 },
  { day: "2026-11-04", accepted: 1, hold: 0, rejected: 0, denied: 1, refused: 2 },
];

function shell(role: Role = "auditor"): Shell {
  return shellOf(userOf("frank", role));
}

type Call = { cmd: string; args: Record<string, unknown> };

/** A mocked Rust side; `override` answers first (or throws). */
function backend(override: (cmd: string, args: Record<string, unknown>) => unknown = () => undefined): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const answer = override(cmd, args);
    if (answer !== undefined) return answer;
    switch (cmd) {
      case "list_partners":
        return [{ id: 1, name: "Globex Corporation", country: "DE", active_keys: [], current_account: null }];
      case "audit_log":
        return { events: [event(3), event(2), event(1, "partner.add")], total: 3, next: null };
      case "audit_activity":
        return days;
      case "verify_audit":
        return intact;
      case "pick_checkpoint_file":
        return "/home/frank/kept-checkpoint.txt";
      case "save_audit_checkpoint":
        return { saved_to: "/exports/audit-checkpoint.txt", events: 43 };
      case "export_audit_bundle":
        return { saved_to: "/exports/audit-bundle.json", events: 2 };
      case "export_audit_csv":
        return { saved_to: "/exports/audit-log.csv", events: 3 };
    }
    throw { code: "unexpected", message: `unexpected command ${cmd}` };
  });
  return calls;
}

function click(root: ParentNode, id: string): void {
  root.querySelector<HTMLButtonElement>(`#${id}`)!.click();
}

function type(root: ParentNode, id: string, value: string): void {
  root.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`)!.value = value;
}

async function screen(override?: (cmd: string, args: Record<string, unknown>) => unknown): Promise<{ s: Shell; calls: Call[] }> {
  const calls = backend(override);
  const s = shell();
  await renderAudit(s);
  await flush();
  return { s, calls };
}

describe("the audit screen", () => {
  it("shows the log unchecked, then intact with its counts and audit key", async () => {
    const { s, calls } = await screen();
    const result = () => s.content.querySelector<HTMLElement>("#audit-result")!;
    expect(result().dataset.intact).toBe("unknown");
    expect(calls.some((c) => c.cmd === "verify_audit")).toBe(false);
    click(s.content, "audit-verify");
    await flush();
    expect(calls.find((c) => c.cmd === "verify_audit")?.args.against).toBeNull();
    expect(result().dataset.intact).toBe("true");
    expect(result().textContent).toContain("✓ The log is intact: 42 events");
    expect(result().textContent).toContain("3 signed checkpoints verified (the newest covers 40 events)");
    expect(s.content.querySelector("#audit-key")?.textContent).toBe(KEY);
    expect(s.content.querySelector("#audit-against")).toBeNull();
  });

  it("says when no checkpoint has been signed yet", async () => {
    const { s } = await screen((cmd) => (cmd === "verify_audit" ? { ...intact, checkpoints: 0, witnessed: 0 } : undefined));
    click(s.content, "audit-verify");
    await flush();
    expect(s.content.querySelector("#audit-result")?.textContent).toContain("✓ The log is intact: 42 events, each hash and link recomputed; no signed checkpoint yet");
  });

  it("names the first bad event and what is wrong, in red", async () => {
    const broken: AuditStatus = { ...intact, intact: false, problem: { code: "changed", seq: 7, message: "event 7's hash does not match its contents" } };
    const { s } = await screen((cmd) => (cmd === "verify_audit" ? broken : undefined));
    click(s.content, "audit-verify");
    await flush();
    const result = s.content.querySelector<HTMLElement>("#audit-result")!;
    expect(result.dataset.intact).toBe("false");
    expect(result.classList.contains("error")).toBe(true);
    expect(result.dataset.problem).toBe("changed");
    expect(result.textContent).toBe("✗ Broken at event 7: event changed — event 7's hash does not match its contents");
  });

  it("verifies against a kept checkpoint the auditor picks, and saves one", async () => {
    const { s, calls } = await screen((cmd) => (cmd === "verify_audit" ? { ...intact, against: 30 } : undefined));
    click(s.content, "audit-verify-against");
    await flush();
    expect(calls.find((c) => c.cmd === "verify_audit")?.args.against).toBe("/home/frank/kept-checkpoint.txt");
    expect(s.content.querySelector("#audit-against")?.textContent).toContain("kept checkpoint of 30 events");
    click(s.content, "audit-checkpoint");
    await flush();
    expect(s.content.querySelector("#audit-checkpoint-notice")?.textContent).toContain("/exports/audit-checkpoint.txt");
  });

  it("sends nothing when no checkpoint is picked", async () => {
    const { s, calls } = await screen((cmd) => (cmd === "pick_checkpoint_file" ? null : undefined));
    click(s.content, "audit-verify-against");
    await flush();
    expect(calls.some((c) => c.cmd === "verify_audit")).toBe(false);
  });

  it("lists the events newest first, a page with the total", async () => {
    const { s, calls } = await screen((cmd) => (cmd === "audit_log" ? { events: [event(900), event(899)], total: 900, next: 899 } : undefined));
    expect(calls.find((c) => c.cmd === "audit_log")?.args).toEqual({ filter: noFilter(), limit: LIST_PAGE, after: null });
    expect(s.content.querySelector("#audit-count")?.textContent).toBe("Showing the newest 2 of 900 events.");
    const rows = [...s.content.querySelectorAll<HTMLElement>("#audit-table tbody tr")];
    expect(rows.map((r) => r.dataset.seq)).toEqual(["900", "899"]);
    // In words: what the actor did and the details people read, never the action code or JSON.
    expect(rows[0].dataset.action).toBe("instruction.receive");
    expect(rows[0].querySelector(".event")?.textContent).toBe("received the instruction");
    expect(rows[0].querySelector(".details")?.textContent).toContain("verdict: hold");
    expect(rows[0].textContent).not.toContain("instruction.receive");
    expect(rows[0].textContent).not.toMatch(/[{}"]/);
  });

  it("loads older pages below the last event shown, with the filter, until none is left", async () => {
    const { s, calls } = await screen((cmd, args) => {
      if (cmd !== "audit_log") return undefined;
      if (args.after === null) return { events: [event(5), event(4)], total: 4, next: 4 };
      if (args.after === 4) return { events: [event(3), event(2)], total: null, next: null };
      return { events: [], total: null, next: null };
    });
    expect(s.content.querySelector("#audit-count")?.textContent).toBe("Showing the newest 2 of 4 events.");
    click(s.content, "audit-more");
    await flush();
    const more = calls.filter((c) => c.cmd === "audit_log")[1];
    expect(more.args).toEqual({ filter: noFilter(), limit: LIST_PAGE, after: 4 });
    const rows = [...s.content.querySelectorAll<HTMLElement>("#audit-table tbody tr")];
    expect(rows.map((r) => r.dataset.seq)).toEqual(["5", "4", "3", "2"]);
    expect(s.content.querySelector("#audit-count")?.textContent).toBe("4 events.");
    expect(s.content.querySelector("#audit-more")).toBeNull();
  });

  it("says when an older page could not be read, and keeps the rows shown", async () => {
    const { s } = await screen((cmd, args) => {
      if (cmd !== "audit_log") return undefined;
      if (args.after === null) return { events: [event(5), event(4)], total: 4, next: 4 };
      throw { code: "not_permitted", message: "signed out" };
    });
    click(s.content, "audit-more");
    await flush();
    expect(s.content.querySelector("#audit-more-error")?.getAttribute("data-code")).toBe("not_permitted");
    expect(s.content.querySelectorAll("#audit-table tbody tr")).toHaveLength(2);
    expect(s.content.querySelector("#audit-more")).not.toBeNull();
  });

  it("sends the filters as typed, and clears them", async () => {
    const { s, calls } = await screen();
    type(s.content, "filter-case", "12");
    type(s.content, "filter-partner", "1");
    type(s.content, "filter-actor", " carol ");
    type(s.content, "filter-action", "case");
    type(s.content, "filter-from", "2026-11-01");
    s.content.querySelector<HTMLFormElement>("#audit-filter-form")!.requestSubmit();
    await flush();
    const expected: AuditFilter = { case: 12, partner: 1, actor: "carol", action: "case", from: "2026-11-01", until: null };
    const logs = calls.filter((c) => c.cmd === "audit_log");
    expect(logs[logs.length - 1].args.filter).toEqual(expected);
    const charts = calls.filter((c) => c.cmd === "audit_activity");
    expect(charts[charts.length - 1].args.filter).toEqual(expected);
    // The exports take the same filter.
    click(s.content, "audit-export-bundle");
    await flush();
    expect(calls.find((c) => c.cmd === "export_audit_bundle")?.args.filter).toEqual(expected);
    expect(s.content.querySelector("#audit-export-notice")?.textContent).toBe("Evidence bundle of 2 events saved to /exports/audit-bundle.json.");
    click(s.content, "audit-export-csv");
    await flush();
    expect(calls.find((c) => c.cmd === "export_audit_csv")?.args.filter).toEqual(expected);
    expect(s.content.querySelector("#audit-export-notice")?.textContent).toBe("CSV of 3 events saved to /exports/audit-log.csv.");
    s.content.querySelector<HTMLFormElement>("#audit-filter-form")!.reset();
    await flush();
    const after = calls.filter((c) => c.cmd === "audit_log");
    expect(after[after.length - 1].args.filter).toEqual(noFilter());
  });

  it("shows the core's refusals with their codes", async () => {
    const refused = { code: "not_permitted", message: "alice (admin) may not export evidence bundles" };
    const { s } = await screen((cmd, args) => {
      if (cmd === "export_audit_bundle") throw refused;
      if (cmd === "audit_log" && (args.filter as AuditFilter).actor === "nobody") throw { code: "invalid_input", message: "no such user" };
    });
    click(s.content, "audit-export-bundle");
    await flush();
    expect(s.content.querySelector("#audit-export-error")?.getAttribute("data-code")).toBe("not_permitted");
    type(s.content, "filter-actor", "nobody");
    s.content.querySelector<HTMLFormElement>("#audit-filter-form")!.requestSubmit();
    await flush();
    expect(s.content.querySelector("#audit-log-error")?.getAttribute("data-code")).toBe("invalid_input");
    expect(s.content.querySelector("#audit-chart-svg")).not.toBeNull();
  });

  it("is in the chosen language", async () => {
    setLocale("tr");
    const { s } = await screen();
    expect(s.content.querySelector("#audit-title")?.textContent).toBe("Denetim kaydı");
    click(s.content, "audit-verify");
    await flush();
    expect(s.content.querySelector("#audit-result")?.textContent).toContain("Kayıt bozulmamış: 42 olay");
  });
});

describe("the activity chart", () => {
  it("stacks verifications and denials per day, with totals per series", () => {
    const root = document.createElement("div");
    root.append(...activityChart(days));
    const groups = [...root.querySelectorAll<SVGGElement>("g.day")];
    expect(groups.map((g) => g.dataset.day)).toEqual(["2026-11-02", "2026-11-03", "2026-11-04"]);
    const bars = (g: SVGGElement) => [...g.querySelectorAll("rect")].map((r) => `${r.getAttribute("data-series")}=${r.getAttribute("data-count")}`);
    expect(bars(groups[0])).toEqual(["accepted=3", "hold=2", "rejected=1"]);
    expect(bars(groups[1])).toEqual([]);
    expect(bars(groups[2])).toEqual(["accepted=1", "denied=1", "refused=2"]);
    // The tallest stack (6) fills the plot; the others are in proportion.
    const height = (g: SVGGElement, series: string) => Number(g.querySelector(`rect[data-series=${series}]`)!.getAttribute("height"));
    expect(height(groups[0], "accepted")).toBeCloseTo(3 * height(groups[2], "accepted"));
    const totals = Object.fromEntries([...root.querySelectorAll<HTMLElement>("[data-series-total]")].map((e) => [e.dataset.seriesTotal, e.textContent]));
    expect(totals).toEqual({ accepted: "4", hold: "2", rejected: "1", denied: "1", refused: "2" });
    expect(groups[0].querySelector("title")?.textContent).toContain("Accepted 3, Held 2, Rejected 1");
    expect(root.querySelector("[style]")).toBeNull();
  });

  it("draws the newest days only, and says when there is nothing", () => {
    const many: ActivityDay[] = Array.from({ length: 40 }, (_, i) => ({ ...days[0], day: `2026-10-${String((i % 28) + 1).padStart(2, "0")}` }));
    const root = document.createElement("div");
    root.append(...activityChart(many));
    expect(root.querySelectorAll("g.day").length).toBe(CHART_DAYS);
    const empty = document.createElement("div");
    empty.append(...activityChart([]));
    expect(empty.querySelector("#audit-chart-empty")).not.toBeNull();
  });
});

describe("the Audit button", () => {
  async function app(role: string): Promise<HTMLElement> {
    backend((cmd) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return { dir: "/ws", exists: true, org_name: "Initech GmbH", user: userOf("frank", role as Role) };
      if (cmd === "case_page") return { cases: [], next: null };
    });
    const root = document.createElement("main");
    await renderApp(root);
    await flush();
    return root;
  }

  it("is offered to auditors and admins and opens the audit view", async () => {
    for (const role of ["auditor", "admin"]) {
      const root = await app(role);
      click(root, "nav-audit");
      await flush();
      expect(root.dataset.screen).toBe("audit");
      expect(root.querySelector("#audit-status")).not.toBeNull();
      clearMocks();
    }
  });

  it("is not offered to clerks and approvers", async () => {
    for (const role of ["clerk", "approver"]) {
      const root = await app(role);
      expect(root.querySelector("#nav-audit")).toBeNull();
      clearMocks();
    }
  });
});
