// Four eyes against a mocked Rust side: the list of waiting changes and its filter; a change's
// page with its summary, maker, flags and the difference before → after (changed characters
// marked); Approve disabled for the maker with the reason beside it, and the core's refusal
// shown if it comes anyway; a checker's approval and a rejection with a reason; the pending
// notice; and the shell's setup-mode banner and count of waiting changes.
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { ChangeEntry } from "../api";
import { renderApp, showStatus, type Shell } from "../app";
import { setLocale } from "../i18n";
import { outcomeText, pendingNotice, renderChange, renderChanges } from "./changes";
import type { Role } from "../codes";
import { userOf } from "../testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const FPR = "36653 67829 08626 49703 65424 09250";

const onboarding: ChangeEntry = {
  id: 7,
  kind: "partner_add",
  status: "pending",
  summary: `Onboard Hooli Ltd and pin its key ${FPR}`,
  proposed_by: "alice",
  proposed_at: "2026-12-01T09:00:00Z",
  decided_by: null,
  decided_at: null,
  reason: null,
  flags: [{ code: "lookalike_name", message: "Hooli Ltd looks like Hooly Ltd, a partner on file" }],
  fields: [
    { name: "fingerprint", before: null, after: FPR, changed: true },
    { name: "known_account", before: null, after: "iban:GB33BUKB20201555555555", changed: true },
  ],
  effects: ["partner.add partner:new"],
};

const accountChange: ChangeEntry = {
  ...onboarding,
  id: 8,
  kind: "org_account",
  summary: "Set our own account to DE89370400440532013000 (COBADEFFXXX)",
  flags: [],
  fields: [
    { name: "bic", before: "BYLADEM1001", after: "COBADEFFXXX", changed: true },
    { name: "currency", before: "EUR", after: "EUR", changed: false },
    { name: "iban", before: "DE02120300000000202051", after: "DE02120300000000202052", changed: true },
  ],
};

type Opened = string[];

function shell(name: string, role: Role): Shell & { opened: Opened } {
  const opened: Opened = [];
  const s: Shell & { opened: Opened } = {
    opened,
    user: userOf(name, role),
    org: "Initech GmbH",
    content: document.createElement("div"),
    openQueue: vi.fn(),
    openInbox: vi.fn(),
    openCase: vi.fn(),
    openPartners: vi.fn(),
    openPartner: vi.fn(),
    openChanges: (filter, message) => opened.push(`changes ${filter ?? "pending"}${message ? `: ${message}` : ""}`),
    openChange: (id, message) => opened.push(`change ${id}${message ? `: ${message}` : ""}`),
    refreshStatus: () => opened.push("refresh"),
    setScreen: vi.fn(),
  };
  return s;
}

const click = (root: HTMLElement, id: string) => {
  const b = root.querySelector<HTMLButtonElement>(`#${id}`);
  if (!b) throw new Error(`no #${id}`);
  b.click();
};

describe("pending changes", () => {
  it("lists the waiting changes with their kind, maker and flags, and filters by status", async () => {
    const asked: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== "list_changes") throw new Error(cmd);
      asked.push((args as { status: unknown }).status);
      return [onboarding, accountChange];
    });
    const s = shell("dave", "approver");
    await renderChanges(s);
    expect(asked).toEqual(["pending"]);
    const rows = [...s.content.querySelectorAll<HTMLElement>("#changes-table tbody tr")];
    expect(rows.map((r) => r.dataset.changeId)).toEqual(["7", "8"]);
    expect(rows[0].textContent).toContain("Onboard a partner");
    expect(rows[0].textContent).toContain("alice");
    expect(rows[0].textContent).toContain("⚠ 1");
    click(s.content, "change-open-7");
    expect(s.opened).toContain("change 7");
    const filter = s.content.querySelector<HTMLSelectElement>("#changes-filter")!;
    filter.value = "";
    filter.dispatchEvent(new Event("change"));
    expect(s.opened).toContain("changes pending");
    filter.value = "rejected";
    filter.dispatchEvent(new Event("change"));
    expect(s.opened).toContain("changes rejected");

    mockIPC(() => []);
    await renderChanges(s, null);
    expect(s.content.querySelector("#changes-empty")?.textContent).toBe("Nothing waits for a second person.");
  });

  it("shows a change: summary, maker, flags highlighted and the difference field by field", async () => {
    mockIPC((_cmd, args) => ((args as { id: number }).id === 8 ? accountChange : onboarding));
    const s = shell("dave", "approver");
    await renderChange(s, 8);
    expect(s.content.querySelector("#change-title")?.textContent).toBe("Change 8: Change our own account");
    expect(s.content.querySelector("#change-summary")?.textContent).toBe(accountChange.summary);
    expect(s.content.querySelector("#change-proposed")?.textContent).toMatch(/^alice, /);
    const rows = [...s.content.querySelectorAll<HTMLElement>("#change-diff tbody tr")];
    expect(rows.map((r) => [r.dataset.field, r.dataset.changed])).toEqual([
      ["bic", "true"],
      ["currency", "false"],
      ["iban", "true"],
    ]);
    // Only the last digit of the IBAN differs: it alone is marked, on both sides.
    const iban = rows[2];
    expect([...iban.querySelectorAll("td.after mark.changed")].map((m) => m.textContent)).toEqual(["2"]);
    expect([...iban.querySelectorAll("td.before mark.changed")].map((m) => m.textContent)).toEqual(["1"]);
    expect(rows[1].querySelector("mark")).toBeNull();

    await renderChange(s, 7);
    const flag = s.content.querySelector<HTMLElement>("#change-flags li")!;
    expect(flag.className).toBe("warning");
    expect(flag.dataset.code).toBe("lookalike_name");
    expect(flag.textContent).toContain("looks like Hooly Ltd");
    // A field new with the change has nothing before it.
    const fingerprint = s.content.querySelector<HTMLElement>('#change-diff tr[data-field="fingerprint"]')!;
    expect(fingerprint.querySelector("td.before")?.textContent).toBe("—");
    expect(fingerprint.querySelector("td.after")?.textContent).toBe(FPR);
    expect(s.content.querySelector("#change-effects")?.textContent).toContain("partner.add partner:new");
  });

  it("does not let the maker approve, says why, and shows the core's refusal if it comes anyway", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === "change_detail") return onboarding;
      if (cmd === "approve_change") throw { code: "not_permitted", message: "you proposed change 7: another approver or admin must check it (four eyes)" };
      throw new Error(cmd);
    });
    const s = shell("alice", "admin");
    await renderChange(s, 7);
    const approve = s.content.querySelector<HTMLButtonElement>("#change-approve")!;
    expect(approve.disabled).toBe(true);
    expect(approve.getAttribute("aria-describedby")).toBe("change-own");
    expect(s.content.querySelector("#change-own")?.textContent).toContain("You proposed this change");
    expect(s.content.querySelector("#change-reject")?.textContent).toBe("Withdraw…");
    // Enabled by other means, the click still reaches the core, which refuses.
    approve.disabled = false;
    approve.click();
    await flush();
    expect(calls).toContain("approve_change");
    const error = s.content.querySelector<HTMLElement>("#change-error")!;
    expect(error.dataset.code).toBe("not_permitted");
    expect(error.textContent).toContain("another approver or admin must check it");
    expect(approve.disabled).toBe(true);
  });

  it("approves as a second person, and rejects only with a reason sent", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "change_detail") return onboarding;
      if (cmd === "approve_change") return { ...onboarding, status: "approved", decided_by: "dave", decided_at: "2026-12-01T10:00:00Z" };
      if (cmd === "reject_change") return { ...onboarding, status: "rejected", decided_by: "dave", reason: "not the card from the contract" };
      throw new Error(cmd);
    });
    const s = shell("dave", "approver");
    await renderChange(s, 7);
    expect(s.content.querySelector("#change-own")).toBeNull();
    click(s.content, "change-approve");
    await flush();
    expect(calls.find((c) => c.cmd === "approve_change")?.args).toEqual({ id: 7 });
    expect(s.opened).toEqual(["refresh", "change 7: Change 7 is approved and applied."]);

    await renderChange(s, 7);
    const form = s.content.querySelector<HTMLFormElement>("#change-reject-form")!;
    expect(form.hidden).toBe(true);
    click(s.content, "change-reject");
    expect(form.hidden).toBe(false);
    s.content.querySelector<HTMLInputElement>("#change-reject-reason")!.value = "not the card from the contract";
    form.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(calls.find((c) => c.cmd === "reject_change")?.args).toEqual({ id: 7, reason: "not the card from the contract" });
    expect(s.opened.at(-1)).toBe("change 7: Change 7 is rejected: nothing was applied.");
  });

  it("offers no decision on a change already decided", async () => {
    mockIPC(() => ({ ...onboarding, status: "rejected", decided_by: "dave", decided_at: "2026-12-01T10:00:00Z", reason: "wrong card" }));
    const s = shell("dave", "approver");
    await renderChange(s, 7);
    expect(s.content.querySelector("#change-decision")).toBeNull();
    expect(s.content.querySelector("#change-status")?.getAttribute("data-status")).toBe("rejected");
    expect(s.content.querySelector("#change-reason")?.textContent).toContain("wrong card");
  });

  it("says what waits for a second person, with its flags", () => {
    const change = { id: 3, kind: "partner_add" as const, summary: "Onboard Hooli Ltd", flags: onboarding.flags };
    const box = pendingNotice(change, "x");
    expect(box.dataset.changeId).toBe("3");
    expect(box.textContent).toContain("Pending change 3: Onboard Hooli Ltd — waits for another approver or admin.");
    expect(box.querySelector("li[data-code=lookalike_name]")).not.toBeNull();
    expect(outcomeText({ outcome: "applied", value: "x" }, (v) => `done ${v}`)).toBe("done x");
    expect(outcomeText({ outcome: "pending", change }, () => "no")).toContain("Pending change 3");
    setLocale("tr");
    expect(pendingNotice(change, "x").textContent).toContain("Bekleyen değişiklik 3");
    setLocale("es");
    expect(pendingNotice(change, "x").textContent).toContain("Cambio pendiente 3");
  });
});

describe("the shell", () => {
  it("shows the setup-mode banner while fewer than two can check, and the count of waiting changes", async () => {
    let setup = true;
    mockIPC((cmd) => {
      if (cmd === "workspace_mode") return { setup, checkers: setup ? ["alice"] : ["alice", "dave"] };
      if (cmd === "list_changes") return [onboarding, accountChange];
      throw new Error(cmd);
    });
    const banner = document.createElement("div");
    const count = document.createElement("span");
    await showStatus(banner, count);
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain("Setup mode");
    expect(banner.textContent).toContain("Can check changes now: alice.");
    expect(count.textContent).toBe("2");
    expect(count.hidden).toBe(false);
    setup = false;
    await showStatus(banner, count);
    expect(banner.hidden).toBe(true);
    // No answer: both stay as they were.
    mockIPC(() => {
      throw { code: "not_signed_in", message: "Sign in first." };
    });
    await showStatus(banner, count);
    expect(banner.hidden).toBe(true);
    expect(count.textContent).toBe("2");
  });

  it("offers Pending changes to approvers and admins, with the banner on every screen", async () => {
    for (const [role, offered] of [["approver", true], ["admin", true], ["clerk", false], ["auditor", false]] as const) {
      mockIPC((cmd) => {
        if (cmd === "app_info") return { name: "Countersign", version: "1" };
        if (cmd === "workspace_status") return { dir: "/tmp/ws", exists: true, org_name: "Initech GmbH", user: userOf("x", role as Role) };
        if (cmd === "workspace_mode") return { setup: true, checkers: ["alice"] };
        if (cmd === "list_changes") return [onboarding];
        if (cmd === "case_page") return { cases: [], next: null };
        throw new Error(cmd);
      });
      const root = document.createElement("main");
      await renderApp(root);
      await flush();
      expect(root.querySelector("#nav-changes") !== null).toBe(offered);
      expect(root.querySelector<HTMLElement>("#setup-banner")?.hidden).toBe(false);
      if (offered) {
        expect(root.querySelector("#changes-count")?.textContent).toBe("1");
        root.querySelector<HTMLButtonElement>("#nav-changes")!.click();
        await flush();
        expect(root.dataset.screen).toBe("changes");
        expect(root.querySelector("#changes-table")).not.toBeNull();
      }
    }
  });
});
