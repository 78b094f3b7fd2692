// The work tool's layout (issue 19) against a mocked Rust side: the side navigation offers each
// role the views its permissions allow (with their shortcuts, the counts, the user, the language
// and the density), a case opened from the case list shows beside the list, which stays as it
// was, and the back control and Escape bring the list back.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { renderApp } from "./app";
import { setLocale } from "./i18n";
import { caseViewOf, queueOf, summaryOf, userOf } from "./testing";
import { ROLE_CODES } from "./codes";
import type { Role } from "./bindings/Role";

afterEach(() => {
  clearMocks();
  setLocale("en");
  localStorage.clear();
  document.body.replaceChildren();
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const summary = (id: number) => summaryOf(id);
const caseOf = (id: number) => caseViewOf(summary(id));

function signedIn(role: Role) {
  mockIPC((cmd, args) => {
    switch (cmd) {
      case "app_info":
        return { name: "Countersign", version: "1" };
      case "workspace_status":
        return { dir: "/tmp/ws", exists: true, org_name: "Initech GmbH", user: userOf("pat", role) };
      case "work_queue":
        return queueOf("call_back", [summary(2)]);
      case "workspace_mode":
        return { setup: false, checkers: ["dave", "erin"] };
      case "list_changes":
        return [];
      case "case_page":
        return { cases: [summary(2), summary(3), summary(4)], next: null };
      case "case_detail":
        return caseOf((args as { id: number }).id);
      default:
        throw new Error(cmd);
    }
  });
}

async function app(role: Role): Promise<HTMLElement> {
  signedIn(role);
  const root = document.createElement("main");
  document.body.append(root);
  await renderApp(root);
  await flush();
  return root;
}

const entries = (root: HTMLElement) => Array.from(root.querySelectorAll<HTMLElement>("#sidebar nav button")).map((b) => b.id);

describe("the side navigation", () => {
  it.each(ROLE_CODES)("offers a %s the views the core's permissions allow, and nothing else", async (role) => {
    const root = await app(role);
    expect(root.dataset.layout).toBe("work");
    const offered = entries(root);
    expect(offered.slice(0, 5)).toEqual(["nav-queue", "nav-inbox", "nav-approvals", "nav-partners", "nav-screening"]);
    expect(offered.includes("nav-changes")).toBe(role === "approver" || role === "admin");
    expect(offered.includes("nav-audit")).toBe(role === "auditor" || role === "admin");
    expect(offered.includes("nav-settings")).toBe(role === "admin");
  });

  it("holds the counts, the shortcuts, the user, the language and the density", async () => {
    const root = await app("approver");
    const sidebar = root.querySelector("#sidebar")!;
    expect(sidebar.querySelector("#queue-count")?.textContent).toBe("1");
    expect(sidebar.querySelector("#changes-count")?.getAttribute("data-count")).toBe("0");
    expect(sidebar.querySelector("#nav-inbox")?.getAttribute("aria-keyshortcuts")).toBe("g i");
    expect(sidebar.querySelector("#nav-inbox + kbd")?.textContent).toBe("g i");
    expect(sidebar.querySelector("#current-user")?.textContent).toBe("pat (approver)");
    expect(sidebar.querySelector("#switch-user")).not.toBeNull();
    expect(sidebar.querySelector("#logout")).not.toBeNull();
    expect(sidebar.querySelector("select#language")).not.toBeNull();
    expect(sidebar.querySelector("#app-version")?.textContent).toBe("1");
    const keys = Array.from(sidebar.querySelectorAll<HTMLElement>("nav [data-shortcut]")).map((b) => b.dataset.shortcut);
    expect(new Set(keys).size).toBe(keys.length);
    // The open view is marked.
    expect(sidebar.querySelector("#nav-queue")?.getAttribute("aria-current")).toBe("page");
    root.querySelector<HTMLButtonElement>("#nav-inbox")!.click();
    await flush();
    expect(sidebar.querySelector("#nav-queue")?.hasAttribute("aria-current")).toBe(false);
    expect(sidebar.querySelector("#nav-inbox")?.getAttribute("aria-current")).toBe("page");
  });

  it("switches to compact rows and remembers it", async () => {
    const root = await app("clerk");
    const box = root.querySelector<HTMLInputElement>("#density-compact")!;
    expect(box.checked).toBe(false);
    box.checked = true;
    box.dispatchEvent(new Event("change"));
    expect(document.documentElement.dataset.density).toBe("compact");
    const again = await app("clerk");
    expect(again.querySelector<HTMLInputElement>("#density-compact")!.checked).toBe(true);
  });

  it("is not shown before sign-in", async () => {
    mockIPC((cmd) => {
      if (cmd === "app_info") return { name: "Countersign", version: "1" };
      if (cmd === "workspace_status") return { dir: "/tmp/ws", exists: true, org_name: "Initech GmbH", user: null };
      throw new Error(cmd);
    });
    const root = document.createElement("main");
    await renderApp(root);
    expect(root.dataset.layout).toBe("plain");
    expect(root.querySelector("#sidebar")).toBeNull();
    expect(root.querySelector("header #language")).not.toBeNull();
  });
});

describe("a case beside the case list", () => {
  it("opens beside the list, which stays as it was, and closes with the back control", async () => {
    const root = await app("clerk");
    root.querySelector<HTMLButtonElement>("#nav-inbox")!.click();
    await flush();
    const table = root.querySelector("#cases")!;
    const open = root.querySelector<HTMLButtonElement>('#cases button[data-case-id="3"]')!;
    open.focus();
    open.click(); // as a person clicks: the button has the focus
    await flush();
    expect(root.dataset.screen).toBe("case");
    const split = root.querySelector<HTMLElement>("#split-cases")!;
    expect(split.dataset.detail).toBe("open");
    expect(split.querySelector(".split-detail #case-title")?.textContent).toContain("#3");
    expect(root.querySelector("#cases")).toBe(table); // the same list, not drawn again
    // One way back: the split's own, none drawn by the case page beside it.
    const backs = [...root.querySelectorAll<HTMLElement>("#content button")].filter((b) => /^(split-)?back/.test(b.id)).map((b) => b.id);
    expect(backs).toEqual(["split-back"]);
    // Another case from the same list replaces the detail only.
    const next = root.querySelector<HTMLButtonElement>('#cases button[data-case-id="4"]')!;
    next.focus();
    next.click();
    await flush();
    expect(split.querySelector(".split-detail #case-title")?.textContent).toContain("#4");
    expect(root.querySelectorAll("#case-title")).toHaveLength(1);
    // Back: the list drawn afresh (what the case page changed shows), the same row selected.
    root.querySelector<HTMLButtonElement>("#split-back")!.click();
    await flush();
    expect(split.dataset.detail).toBe("closed");
    expect(root.querySelector("#split-cases")).toBe(split);
    expect(root.dataset.screen).toBe("inbox");
    expect(root.querySelector("#case-title")).toBeNull();
    expect(document.activeElement?.getAttribute("data-case-id")).toBe("4");
    expect(document.activeElement?.getAttribute("aria-selected")).toBe("true");
  });

  it("goes through the list with j and opens with Enter, and Escape goes back to it", async () => {
    const root = await app("clerk");
    root.querySelector<HTMLButtonElement>("#nav-inbox")!.click();
    await flush();
    const press = (key: string) => (document.activeElement ?? document.body).dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
    (document.activeElement as HTMLElement | null)?.blur();
    press("j");
    press("j");
    expect(document.activeElement?.getAttribute("data-case-id")).toBe("3");
    expect(document.activeElement?.getAttribute("aria-selected")).toBe("true");
    press("Enter");
    await flush();
    expect(root.dataset.screen).toBe("case");
    expect(root.querySelector("#case-title")?.textContent).toContain("#3");
    (document.activeElement as HTMLElement | null)?.blur();
    press("Escape");
    await flush();
    expect(root.dataset.screen).toBe("inbox");
    expect(document.activeElement?.getAttribute("data-case-id")).toBe("3");
  });

  it("opens a case from My work beside My work, whose back control returns there", async () => {
    const root = await app("clerk");
    root.querySelector<HTMLButtonElement>('#queue-call_back button[data-case-id="2"]')!.click();
    await flush();
    expect(root.dataset.screen).toBe("case");
    expect(root.querySelector("#split-queue")?.getAttribute("data-detail")).toBe("open");
    expect(root.querySelector("#split-queue .split-detail #case-title")?.textContent).toContain("#2");
    // Beside its list, the split's back control is the one way back.
    expect(root.querySelector("#case-back")).toBeNull();
    root.querySelector<HTMLButtonElement>("#split-back")!.click();
    await flush();
    expect(root.dataset.screen).toBe("queue");
    expect(root.querySelector("#split-queue")?.getAttribute("data-detail")).toBe("closed");
  });
});
