// The live queue of a team workspace (issue 17) in the UI: the status line follows the
// connection, and what another desktop changed reaches the inbox, the nav's count and the open
// case without a reload and without taking away what is being typed.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { Channel } from "@tauri-apps/api/core";
import { renderApp } from "./app";
import type { CaseSummary, CaseView, LiveEvent } from "./api";
import { h } from "./dom";
import { setLocale } from "./i18n";
import { busy, differs, teamLine, teamStatus, viewRefresh } from "./live";
import { caseViewOf, queueOf, summaryOf, userOf } from "./testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
  document.body.replaceChildren();
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const team = { server: "cs@127.0.0.1:5432/postgres", schema: "team" };

describe("the status line", () => {
  it("names the server and schema, says when the connection is lost and when it is back", () => {
    const line = teamStatus(team);
    expect(line.element.textContent).toBe("Team workspace on cs@127.0.0.1:5432/postgres (schema team)");
    line.update("changed");
    expect(line.element.textContent).toBe("Team workspace on cs@127.0.0.1:5432/postgres (schema team)");
    line.update("lost");
    expect(line.element.dataset.connection).toBe("lost");
    expect(line.element.textContent).toBe("Connection to the team workspace on cs@127.0.0.1:5432/postgres lost: reconnecting…");
    line.update("restored");
    expect(line.element.dataset.connection).toBe("connected");
    expect(line.element.textContent).toMatch(/^Connected again to the team workspace on cs@127\.0\.0\.1:5432\/postgres \(schema team\) at /);
  });

  it("is in the chosen language", () => {
    setLocale("es");
    expect(teamLine(team, null)).toBe("Espacio de trabajo de equipo en cs@127.0.0.1:5432/postgres (esquema team)");
    setLocale("tr");
    expect(teamLine(team, "lost")).toContain("bağlantı koptu");
  });
});

describe("a refresh", () => {
  it("counts a focused field or typed text as busy, a search or an empty form as not", () => {
    const text = h("input", { type: "text" });
    const search = h("input", { type: "search" });
    const root = h("div", {}, text, search, h("textarea", {}));
    document.body.append(root);
    expect(busy(root, null)).toBe(false);
    search.value = "globex";
    expect(busy(root, null)).toBe(false);
    expect(busy(root, search)).toBe(true);
    text.value = "half a reason";
    expect(busy(root, null)).toBe(true);
    // A field the screen filled in itself is not someone typing, until they change it.
    const filled = h("input", { type: "text", value: "Globex Corporation" });
    const quiet = h("div", {}, filled);
    document.body.append(quiet);
    expect(busy(quiet, null)).toBe(false);
    filled.value = "Globex Corp";
    expect(busy(quiet, null)).toBe(true);
    expect(differs({ a: 1 }, { a: 1 })).toBe(false);
    expect(differs({ a: 1 }, { a: 2 })).toBe(true);
  });

  it("redraws a view that changed, leaves one that did not, and only offers it while someone types", async () => {
    const slot = h("div", {});
    const reason = h("input", { type: "text" });
    const root = h("div", {}, slot, reason);
    document.body.append(root);
    let redrawn = 0;
    let fresh = { status: "hold" };
    const refresh = () => viewRefresh(root, slot, { status: "hold" }, async () => fresh, () => (redrawn += 1))();
    await refresh();
    expect(redrawn).toBe(0);
    fresh = { status: "callback_confirmed" };
    await refresh();
    expect(redrawn).toBe(1);
    reason.value = "the partner says";
    await refresh();
    await refresh();
    expect(redrawn).toBe(1);
    expect(slot.querySelectorAll("#live-changed")).toHaveLength(1);
    expect(slot.textContent).toContain("This changed on another desktop.");
    slot.querySelector<HTMLButtonElement>("#live-show")!.click();
    expect(redrawn).toBe(2);
  });
});

const summary = summaryOf(2, { file_name: "globex.json" });

const caseView = (status: string): CaseView =>
  caseViewOf(
    { ...summary, status: status as CaseView["summary"]["status"] },
    {
      findings: [],
      on_file_account: null,
      pays_account_on_file: null,
      next_steps: status === "hold" ? ["call_back", "reject"] : status === "callback_confirmed" ? ["approve", "reject"] : ["release", "reject"],
    },
  );

describe("another desktop's change", () => {
  it("reaches the inbox, the count of pending changes and the open case without a reload", async () => {
    let live: Channel<LiveEvent> | null = null;
    let status = "hold";
    let pending = 0;
    const asked: string[] = [];
    mockIPC((cmd, args) => {
      asked.push(cmd);
      switch (cmd) {
        case "app_info":
          return { name: "Countersign", version: "1" };
        case "workspace_status":
          return { dir: "/d", exists: true, org_name: "Initech GmbH", user: userOf("dave", "approver"), team, needs_password: false };
        case "watch_workspace":
          live = (args as { channel: Channel<LiveEvent> }).channel;
          return null;
        case "watch_drops":
          return null;
        case "workspace_mode":
          return { setup: false, checkers: ["alice", "dave"] };
        case "list_changes":
          return Array.from({ length: pending }, (_, i) => ({ id: i + 1 }));
        case "case_page":
          return { cases: [{ ...summary, status }], next: null };
        case "work_queue":
          return queueOf(status === "hold" ? "call_back" : "approve", [{ ...summary, status } as unknown as CaseSummary]);
        case "case_detail":
          return caseView(status);
        default:
          throw new Error(cmd);
      }
    });
    const root = document.createElement("main");
    document.body.append(root);
    await renderApp(root);
    await flush();
    expect(root.dataset.screen).toBe("queue");
    expect(root.querySelector("#queue-call_back")?.getAttribute("data-count")).toBe("1");
    root.querySelector<HTMLButtonElement>("#nav-inbox")!.click();
    await flush();
    expect(root.dataset.screen).toBe("inbox");
    const paths = root.querySelector<HTMLTextAreaElement>("#receive-paths")!;
    paths.value = "/in/half-typed";
    status = "callback_confirmed";
    pending = 2;
    live!.onmessage("changed");
    await flush();
    expect(root.querySelector("#cases tbody tr")?.getAttribute("data-status")).toBe("callback_confirmed");
    expect(root.querySelector<HTMLTextAreaElement>("#receive-paths")!.value).toBe("/in/half-typed");
    expect(root.querySelector("#changes-count")?.textContent).toBe("2");

    root.querySelector<HTMLButtonElement>(".open-case")!.click();
    await flush();
    expect(root.dataset.screen).toBe("case");
    expect(root.querySelector("#case-status")?.textContent).toBe("callback confirmed");
    status = "approved";
    live!.onmessage("lost");
    await flush();
    expect(root.querySelector<HTMLElement>("#team-status")!.dataset.connection).toBe("lost");
    expect(root.querySelector("#case-status")?.textContent).toBe("callback confirmed");
    const before = asked.filter((c) => c === "case_detail").length;
    live!.onmessage("restored");
    await flush();
    expect(asked.filter((c) => c === "case_detail").length).toBeGreaterThan(before);
    expect(root.querySelector<HTMLElement>("#team-status")!.dataset.connection).toBe("connected");
    expect(root.querySelector("#case-status")?.textContent).toBe("approved");
  });
});
