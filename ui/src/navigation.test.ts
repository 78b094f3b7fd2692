// Moving quickly between screens (issue 19): a screen still waiting for its command's answer when
// the user went elsewhere must not draw over the screen they went to, nor answer for it when the
// workspace changes. The answers here are deferred promises, resolved only after the next screen
// is on show, so each test reproduces the race deterministically, whatever the screen.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { renderApp } from "./app";
import type { LiveEvent } from "./api";
import type { Channel } from "@tauri-apps/api/core";
import { setLocale } from "./i18n";
import { caseViewOf, queueOf, summaryOf, userOf } from "./testing";
import type { Shell } from "./app";

afterEach(() => {
  live = null;
  pages = [];
  searches = [];
  teamWorkspace = false;
  status = "hold";
  cases = 3;
  clearMocks();
  setLocale("en");
  document.body.replaceChildren();
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

/** Case `id` in the list, with the status every case has now. */
const summary = (id: number) => summaryOf(id, { status });

/** The live queue of a team workspace, once the app listens to it. */
let live: Channel<LiveEvent> | null = null;
/** Whether the workspace is a team's (with a live queue). */
let teamWorkspace = false;
/** The status filter of each case page asked for. */
let pages: (string | null)[] = [];
/** The search of each case page asked for. */
let searches: string[] = [];
/** The status of every case. */
let status: "hold" | "approved" = "hold";
/** How many cases the list holds; more than a page makes the list ask for pages in the order asked. */
let cases = 3;

/** What the mocked Rust side answers at once. */
function answer(cmd: string, args: unknown): unknown {
  switch (cmd) {
    case "app_info":
      return { name: "Countersign", version: "1" };
    case "workspace_status": {
      const team = teamWorkspace ? { team: { server: "cs@127.0.0.1:5432/postgres", schema: "team" }, needs_password: false } : {};
      return { dir: "/tmp/ws", exists: true, org_name: "Initech GmbH", user: userOf("dave", "approver"), ...team };
    }
    case "watch_workspace":
      live = (args as { channel: Channel<LiveEvent> }).channel;
      return null;
    case "watch_drops":
      return null;
    case "work_queue":
      return queueOf("call_back", [summary(2)]);
    case "workspace_mode":
      return { setup: false, checkers: ["dave", "erin"] };
    case "list_changes":
    case "list_fraud_marks":
      return [];
    case "list_partners":
      return [{ id: 1, name: "Globex Corporation", country: "DE", active_keys: [], current_account: null }];
    case "case_page": {
      const request = (args as { request: { status: string | null; descending: boolean; limit: number; after: number | null } }).request;
      pages.push(request.status);
      searches.push((args as { request: { search: string } }).request.search);
      if (cases <= 3) return { cases: [summary(2), summary(3), summary(4)], next: null };
      // Cases 1..n by number, in the order asked, a page at a time (`after`: where the last ended).
      const ids = Array.from({ length: cases }, (_, i) => (request.descending ? cases - i : i + 1));
      const start = request.after ?? 0;
      const page = ids.slice(start, start + request.limit);
      return { cases: page.map(summary), next: start + page.length < ids.length ? start + page.length : null };
    }
    case "case_detail":
      return caseViewOf(summary((args as { id: number }).id));
    default:
      throw new Error(cmd);
  }
}

/**
 * The mocked Rust side, where `held(cmd, args)` says which calls wait: their answers are deferred
 * until `release()`.
 */
function backend(held: (cmd: string, args: unknown) => boolean) {
  const waiting: (() => void)[] = [];
  mockIPC((cmd, args) => {
    if (!held(cmd, args)) return answer(cmd, args);
    return new Promise((resolve, reject) => {
      waiting.push(() => {
        try {
          resolve(answer(cmd, args));
        } catch (e) {
          reject(e);
        }
      });
    });
  });
  return {
    /** Answers every call held so far. */
    release: async () => {
      for (const done of waiting.splice(0)) done();
      await flush();
    },
    get pending() {
      return waiting.length;
    },
  };
}

async function app(): Promise<HTMLElement> {
  const root = document.createElement("main");
  document.body.append(root);
  await renderApp(root);
  await flush();
  return root;
}

const click = async (root: HTMLElement, selector: string) => {
  const target = root.querySelector<HTMLElement>(selector);
  if (!target) throw new Error(`no ${selector}`);
  target.focus();
  target.click();
  await flush();
};

describe("a screen that answers after the user went elsewhere", () => {
  it("My work, still waiting, does not draw over the case list opened after it", async () => {
    const side = backend((cmd) => cmd === "work_queue");
    const root = await app();
    expect(root.querySelector("#queue-summary"), "My work is waiting for its answer").toBeNull();
    await click(root, "#nav-inbox");
    expect(root.dataset.screen).toBe("inbox");
    expect(root.querySelectorAll("#cases tbody tr[data-case-id]")).toHaveLength(3);
    expect(side.pending).toBeGreaterThan(0);
    await side.release();
    expect(root.dataset.screen).toBe("inbox");
    expect(root.querySelector("#queue-summary"), "My work's late answer is drawn nowhere").toBeNull();
    expect(root.querySelector("#cases")).not.toBeNull();
    expect(root.querySelector("#queue-count")?.textContent, "the count still shows").toBe("1");
  });

  it("My work, answering late, is not what another desktop's change refreshes: the screen on show is", async () => {
    teamWorkspace = true;
    const side = backend((cmd) => cmd === "work_queue");
    const root = await app();
    await click(root, "#nav-inbox");
    await side.release();
    status = "approved";
    live!.onmessage("changed");
    await side.release();
    expect(root.dataset.screen).toBe("inbox");
    expect(root.querySelector("#queue-summary")).toBeNull();
    expect(root.querySelector("#cases tbody tr")?.getAttribute("data-status"), "the case list asked again").toBe("approved");
  });

  it("the case list, still waiting, does not draw over the partners opened after it", async () => {
    const side = backend((cmd) => cmd === "case_page");
    const root = await app();
    await click(root, "#nav-inbox");
    await click(root, "#nav-partners");
    expect(root.querySelector("#partners-table")).not.toBeNull();
    await side.release();
    expect(root.dataset.screen).toBe("partners");
    expect(root.querySelector("#partners-table")).not.toBeNull();
    expect(root.querySelector("#cases"), "the case list's late answer is drawn nowhere").toBeNull();
    expect(root.querySelector("#case-count")).toBeNull();
  });

  it("the partners, still waiting, do not draw over My work opened after them", async () => {
    const side = backend((cmd) => cmd === "list_partners");
    const root = await app();
    await click(root, "#nav-partners");
    await click(root, "#nav-queue");
    await side.release();
    expect(root.dataset.screen).toBe("queue");
    expect(root.querySelector("#queue-summary")).not.toBeNull();
    expect(root.querySelector("#partners-table")).toBeNull();
  });

  it("a case beside the list, still waiting, does not draw over the partners opened after it", async () => {
    const side = backend((cmd) => cmd === "case_detail");
    const root = await app();
    await click(root, "#nav-inbox");
    await click(root, '#cases button[data-case-id="3"]');
    await click(root, "#nav-partners");
    await side.release();
    expect(root.dataset.screen).toBe("partners");
    expect(root.querySelector("#case-title"), "the case's late answer is drawn nowhere").toBeNull();
    expect(root.querySelector("#partners-table")).not.toBeNull();
  });

  it("a case opened from My work, still waiting, does not draw over the case list opened after it", async () => {
    const side = backend((cmd) => cmd === "case_detail");
    const root = await app();
    await click(root, '#queue-call_back button[data-case-id="2"]');
    await click(root, "#nav-inbox");
    await side.release();
    expect(root.dataset.screen).toBe("inbox");
    expect(root.querySelector("#case-title")).toBeNull();
    expect(root.querySelector("#cases")).not.toBeNull();
  });

  it("the list coming back from its detail is the screen the workspace's changes refresh, not the closed case", async () => {
    const side = backend((cmd, args) => cmd === "case_detail" && (args as { id: number }).id === 3);
    const root = await app();
    await click(root, "#nav-inbox");
    await click(root, '#cases button[data-case-id="3"]');
    await click(root, "#split-back");
    expect(root.dataset.screen).toBe("inbox");
    await side.release();
    expect(root.querySelector("#split-cases")?.getAttribute("data-detail")).toBe("closed");
    expect(root.querySelector("#case-title"), "the closed case's late answer is drawn nowhere").toBeNull();
  });

  it("goes back from a case to the list as it was, but a view opened from the navigation is drawn afresh", async () => {
    backend(() => false);
    const root = await app();
    await click(root, "#nav-inbox");
    await click(root, '#cases button[data-case-id="3"]');
    await click(root, "#split-back");
    expect(pages, "back: the same list asked again in place").toEqual([null, null]);
    await click(root, '#cases button[data-case-id="3"]');
    await click(root, "#nav-approvals");
    expect(pages.at(-1), "Awaiting approval, not the list that was open").toBe("callback_confirmed");
    expect(root.querySelector<HTMLSelectElement>("#filter-status")?.value).toBe("callback_confirmed");
    expect(root.querySelector("#split-cases")?.getAttribute("data-detail")).toBe("closed");
  });

  it("a search typed while the case list opened from the navigation is still waiting keeps the focus and what was typed", async () => {
    // tests/e2e/scale.test.mjs: a case open beside the list, Inbox pressed, a search typed at
    // once; the first page's late answer took the focus to the list, so the rest of the typing
    // went there and the search held only its first characters.
    let hold = false;
    const side = backend((cmd) => hold && cmd === "case_page");
    const root = await app();
    await click(root, "#nav-inbox");
    await click(root, '#cases button[data-case-id="3"]');
    expect(root.querySelector("#split-cases")?.getAttribute("data-detail")).toBe("open");
    hold = true;
    await click(root, "#nav-inbox");
    const search = root.querySelector<HTMLInputElement>("#search")!;
    search.focus();
    search.value = "DE89";
    search.dispatchEvent(new Event("input"));
    await side.release();
    expect(document.activeElement, "the focus stays in the search while it is typed").toBe(search);
    expect(search.isConnected && search.value).toBe("DE89");
    search.value = "DE89 3704";
    search.dispatchEvent(new Event("input"));
    await new Promise((r) => setTimeout(r, 60));
    await side.release();
    expect(root.querySelector<HTMLInputElement>("#search")).toBe(search);
    expect(searches.at(-1), "the list asked for what was typed").toBe("DE89 3704");
    expect(document.activeElement).toBe(search);
  });

  it("the list drawn afresh from the navigation, with nothing typed meanwhile, selects the row that opened the case", async () => {
    backend(() => false);
    const root = await app();
    await click(root, "#nav-inbox");
    await click(root, '#cases button[data-case-id="3"]');
    await click(root, "#nav-inbox");
    expect(root.querySelector("#split-cases")?.getAttribute("data-detail")).toBe("closed");
    expect(document.activeElement?.closest("tr")?.getAttribute("data-case-id")).toBe("3");
  });
});

describe("the way back from a case", () => {
  it("goes back to My work from a case opened there, the focus on the case's row", async () => {
    backend(() => false);
    const root = await app();
    await click(root, '#queue-call_back button[data-case-id="2"]');
    expect(root.dataset.screen).toBe("case");
    expect(root.querySelector("#split-queue")?.getAttribute("data-detail")).toBe("open");
    expect(root.querySelector("#case-title")?.textContent).toContain("#2");
    // One way back, the split's.
    const backs = [...root.querySelectorAll<HTMLElement>("#content button")].filter((b) => /^(split-|case-)?back/.test(b.id)).map((b) => b.id);
    expect(backs).toEqual(["split-back"]);
    expect(root.querySelector("#nav-queue")?.getAttribute("aria-current"), "the navigation says where the case was opened").toBe("page");
    expect(root.querySelector("#nav-inbox")?.getAttribute("aria-current")).toBeNull();
    await click(root, "#split-back");
    expect(root.dataset.screen, "My work, not All cases").toBe("queue");
    expect(root.querySelector("#queue-summary")).not.toBeNull();
    expect(root.querySelector("#cases")).toBeNull();
    expect(root.querySelector("#nav-queue")?.getAttribute("aria-current")).toBe("page");
    expect(document.activeElement?.closest("tr")?.getAttribute("data-case-id")).toBe("2");
  });

  it("goes back to where the user came from from a case opened on its own", async () => {
    backend(() => false);
    const root = document.createElement("main");
    document.body.append(root);
    let shell: Shell | null = null;
    await renderApp(root, {
      reopen: (s) => {
        shell = s;
        s.openPartner(1);
      },
    });
    await flush();
    expect(root.dataset.screen).toBe("partner");
    shell!.openCase(3);
    await flush();
    expect(root.dataset.screen).toBe("case");
    expect(root.querySelector(".split-detail #case-title"), "on its own, beside no list").toBeNull();
    await click(root, "#case-back");
    expect(root.dataset.screen, "back to the partner's page").toBe("partner");
    // With nowhere it came from (the app opened on the case), back goes to All cases.
    await renderApp(root, { reopen: (s) => s.openCase(3) });
    await flush();
    await click(root, "#case-back");
    expect(root.dataset.screen).toBe("inbox");
  });

  it("gives the focus back to the case's row after the list was sorted again while the case was open", async () => {
    cases = 250;
    backend(() => false);
    const root = await app();
    await click(root, "#nav-inbox");
    // Newest first: case 249 is the second row.
    await click(root, '#cases button[data-case-id="249"]');
    expect(root.querySelector("#case-title")?.textContent).toContain("#249");
    // Sorted the other way while the case is open: case 249 is now far beyond the first page.
    await click(root, '#cases th button[data-sort="number"]');
    expect(root.querySelector('#cases tr[data-case-id="249"]'), "not loaded in the new order").toBeNull();
    await click(root, "#split-back");
    expect(root.dataset.screen).toBe("inbox");
    const row = document.activeElement?.closest("tr");
    expect(row?.getAttribute("data-case-id"), "the focus on the case's row, wherever it now is").toBe("249");
    expect(row?.getAttribute("aria-selected")).toBe("true");
  });
});
