// The inbox and its case list against a mocked Rust side: the service searches, sorts and pages
// (`case_page`); the list asks for the first page, the next as it is scrolled, searches once typing
// pauses with amounts as displayed normalised, sorts by a click on a header, and drops a page that
// answers an older question.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { CasePageRequest, CaseSummary } from "../api";
import { setLocale, t } from "../i18n";
import { age, caseRow, isEmailPath, renderInbox, SEARCH_DELAY_MS } from "./inbox";
import { ariaSort, DEFAULT_ORDER, nextOrder, normaliseSearch, PAGE_SIZE, ROW_HEIGHT } from "./caselist";
import { shellOf, userOf } from "../testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const row = (id: number): CaseSummary => ({
  id,
  status: "hold",
  verdict: "hold",
  partner: "Globex Corporation",
  payee: "Globex Corporation",
  amount: "12400.00 EUR",
  account: "DE89 3704 0044 0532 0130 00",
  account_fraudulent: false,
  file_name: `f${id}.json`,
  received_at: "2026-01-01T00:00:00Z",
  received_by: "carol",
});

/** A Rust side holding cases `total` down to 1 (newest first), paging as the service does. */
function serve(total: number) {
  const asked: CasePageRequest[] = [];
  mockIPC((cmd, args) => {
    if (cmd !== "case_page") throw new Error(cmd);
    const request = (args as { request: CasePageRequest }).request;
    asked.push(request);
    const start = request.after === null ? total : request.after - 1;
    const ids = Array.from({ length: Math.max(0, Math.min(request.limit, start)) }, (_, i) => start - i);
    const last = ids.at(-1);
    return { cases: ids.map(row), next: last !== undefined && last > 1 ? last : null };
  });
  return asked;
}

function viewportOf(root: HTMLElement): HTMLElement {
  const viewport = root.querySelector<HTMLElement>("#cases-viewport")!;
  Object.defineProperty(viewport, "clientHeight", { configurable: true, value: 720 });
  return viewport;
}

describe("inbox", () => {
  it("recognises the email that carried the files by its .eml extension", () => {
    expect(isEmailPath("/home/carol/Downloads/Updated bank details.eml")).toBe(true);
    expect(isEmailPath("C:\\mail\\MESSAGE.EML ")).toBe(true);
    expect(isEmailPath("/in/invoice.json")).toBe(false);
    expect(isEmailPath("/in/eml")).toBe(false);
  });

  it("sends an amount as the language displays it as the service reads amounts, and every other word as typed", () => {
    expect(normaliseSearch("#155")).toBe("#155");
    expect(normaliseSearch("  €48,200.00  Globex ")).toBe("48200.00 Globex");
    expect(normaliseSearch("48,200.00 €")).toBe("48200.00");
    expect(normaliseSearch("$1,234,567.5")).toBe("1234567.5");
    expect(normaliseSearch("48200")).toBe("48200");
    expect(normaliseSearch("DE89370400440532013000 de89 3704")).toBe("DE89370400440532013000 de89 3704");
    expect(normaliseSearch("INV-7,760"), "a word with letters is not an amount").toBe("INV-7,760");
    setLocale("es");
    expect(normaliseSearch("48.200,00 €")).toBe("48200.00");
    expect(normaliseSearch("1200,5")).toBe("1200.5");
    setLocale("tr");
    expect(normaliseSearch("₺48.200,00")).toBe("48200.00");
  });

  it("sorts by a column ascending first, then the other way, and says so in aria-sort", () => {
    expect(nextOrder(DEFAULT_ORDER, "number")).toEqual({ key: "number", descending: false });
    expect(nextOrder(DEFAULT_ORDER, "amount")).toEqual({ key: "amount", descending: false });
    expect(nextOrder({ key: "amount", descending: false }, "amount")).toEqual({ key: "amount", descending: true });
    expect(ariaSort(DEFAULT_ORDER, "number")).toBe("descending");
    expect(ariaSort(DEFAULT_ORDER, "amount")).toBe("none");
    expect(ariaSort({ key: "received", descending: false }, "received"), "oldest first: the ages descend").toBe("descending");
  });

  it("draws only the rows in view of 10,000 cases and asks for the next page as the list is scrolled", async () => {
    const asked = serve(10_000);
    const shell = shellOf(userOf("carol", "clerk"));
    await renderInbox(shell);
    const viewport = viewportOf(shell.content);
    expect(asked).toEqual([{ status: null, search: "", sort: "number", descending: true, limit: PAGE_SIZE, after: null }]);
    const rows = () => [...shell.content.querySelectorAll<HTMLElement>("#cases tbody tr[data-row]")];
    expect(rows().length).toBeLessThan(60);
    expect(rows()[0].dataset.caseId).toBe("10000");
    expect(rows()[0].getAttribute("aria-selected")).toBe("false");
    expect(shell.content.querySelector("#case-count")?.textContent).toBe("100 cases so far; more load as you scroll");
    viewport.scrollTop = 2500;
    viewport.dispatchEvent(new Event("scroll"));
    await new Promise((r) => requestAnimationFrame(r));
    await flush();
    expect(asked.at(-1)?.after, "the next page after the last case loaded").toBe(9901);
    expect(rows().length).toBeLessThan(60);
    expect(Number(rows()[0].dataset.row)).toBeGreaterThan(50);
    rows()[0].querySelector<HTMLButtonElement>(".open-case")!.click();
    expect(shell.openCase).toHaveBeenCalledWith(Number(rows()[0].dataset.caseId));
  });

  it("searches on the service once typing pauses, from the first page, and sorts by a header's column", async () => {
    const asked = serve(300);
    const shell = shellOf(userOf("carol", "clerk"));
    await renderInbox(shell, "hold");
    viewportOf(shell.content);
    const search = shell.content.querySelector<HTMLInputElement>("#search")!;
    for (const typed of ["€", "€48", "€48,200.00"]) {
      search.value = typed;
      search.dispatchEvent(new Event("input"));
    }
    await new Promise((r) => setTimeout(r, SEARCH_DELAY_MS + 20));
    await flush();
    expect(asked.length, "one question for the three keystrokes").toBe(2);
    expect(asked[1]).toMatchObject({ status: "hold", search: "48200.00", after: null });
    const amount = shell.content.querySelector<HTMLButtonElement>('button.sort[data-sort="amount"]')!;
    amount.click();
    await flush();
    expect(asked.at(-1)).toMatchObject({ sort: "amount", descending: false, search: "48200.00", after: null });
    expect(amount.parentElement?.getAttribute("aria-sort")).toBe("ascending");
    amount.click();
    await flush();
    expect(asked.at(-1)).toMatchObject({ sort: "amount", descending: true });
    expect(amount.parentElement?.getAttribute("aria-sort")).toBe("descending");
    expect(shell.content.querySelector('button.sort[data-sort="number"]')?.parentElement?.getAttribute("aria-sort")).toBe("none");
  });

  it("keeps the answer to the newest question only, and shows a refusal with its code", async () => {
    let answer: (value: unknown) => void = () => undefined;
    let calls = 0;
    mockIPC((cmd, args) => {
      if (cmd !== "case_page") return null;
      calls++;
      const request = (args as { request: CasePageRequest }).request;
      if (request.search === "slow") return new Promise((resolve) => (answer = resolve));
      if (request.search === "bad") throw { code: "invalid_input", message: "a search holds at most 8 words" };
      return { cases: [row(7)], next: null };
    });
    const shell = shellOf(userOf("carol", "clerk"));
    await renderInbox(shell);
    const input = shell.content.querySelector<HTMLInputElement>("#search")!;
    input.value = "slow";
    input.dispatchEvent(new Event("input"));
    await new Promise((r) => setTimeout(r, SEARCH_DELAY_MS + 20));
    input.value = "globex";
    input.dispatchEvent(new Event("input"));
    await new Promise((r) => setTimeout(r, SEARCH_DELAY_MS + 20));
    answer({ cases: [row(1), row(2)], next: null });
    await flush();
    const ids = [...shell.content.querySelectorAll<HTMLElement>("#cases tbody tr[data-row]")].map((r) => r.dataset.caseId);
    expect(ids).toEqual(["7"]);
    expect(shell.content.querySelector("#case-count")?.textContent).toBe("1 case");
    input.value = "bad";
    input.dispatchEvent(new Event("input"));
    await new Promise((r) => setTimeout(r, SEARCH_DELAY_MS + 20));
    await flush();
    expect(shell.content.querySelector("#cases-error")?.getAttribute("data-code")).toBe("invalid_input");
    expect(calls).toBe(4);
  });

  it("drops a next page asked before a refresh's answer and answered after it: no case is skipped", async () => {
    // The Rust side of 10,000 cases answers when told: each question waits until released.
    const waiting: { request: CasePageRequest; answer: () => void }[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== "case_page") throw new Error(cmd);
      const request = (args as { request: CasePageRequest }).request;
      const start = request.after === null ? 10_000 : request.after - 1;
      const ids = Array.from({ length: Math.min(request.limit, start) }, (_, i) => start - i);
      const page = { cases: ids.map(row), next: ids.at(-1)! > 1 ? ids.at(-1)! : null };
      return new Promise((resolve) => waiting.push({ request, answer: () => resolve(page) }));
    });
    const answer = async (after: number | null) => {
      const at = waiting.findIndex((w) => w.request.after === after);
      waiting.splice(at, 1)[0].answer();
      await flush();
    };
    const asked = () => waiting.map((w) => w.request.after);
    const shell = shellOf(userOf("carol", "clerk"));
    const rendered = renderInbox(shell);
    await flush();
    await answer(null);
    await rendered;
    const viewport = viewportOf(shell.content);
    const scrollTo = async (row: number) => {
      viewport.scrollTop = row * ROW_HEIGHT;
      viewport.dispatchEvent(new Event("scroll"));
      await new Promise((r) => requestAnimationFrame(r));
      await flush();
    };
    await scrollTo(100);
    expect(asked()).toEqual([9901]);
    // Another desktop's change: the rows loaded are asked again; that answer is slow.
    shell.live?.();
    await flush();
    expect(asked()).toEqual([9901, null]);
    // The page asked before the refresh answers first: dropped, and asked again.
    await answer(9901);
    expect(asked()).toEqual([null, 9901]);
    await answer(9901);
    await scrollTo(200);
    expect(asked(), "200 rows loaded, the next page asked").toEqual([null, 9801]);
    // The refresh answers: the 100 rows it asked for, the next page after 9901 again. The page
    // after 9801 follows no row of the list now: dropped, and the one after 9901 asked instead.
    await answer(null);
    await answer(9801);
    expect(asked()).toEqual([9901]);
    await answer(9901);
    await scrollTo(90);
    const drawn = [...shell.content.querySelectorAll<HTMLElement>("#cases tbody tr[data-row]")];
    expect(drawn.length).toBeGreaterThan(20);
    for (const tr of drawn) expect(Number(tr.dataset.caseId), `row ${tr.dataset.row}`).toBe(10_000 - Number(tr.dataset.row));
    expect(shell.content.querySelector("#case-count")?.textContent).toBe("200 cases so far; more load as you scroll");
  });

  it("names a row by every column, so a narrow list that hides some still says them all", () => {
    const c = { ...row(7), payee: "Globex Treasury Services", account_fraudulent: true };
    const tr = caseRow(c, shellOf(userOf("carol", "clerk")), new Date("2026-01-03T00:00:00Z"));
    expect(tr.getAttribute("aria-label")).toBe(
      `Case: #7, Verdict: hold, Partner: Globex Corporation, Payee: Globex Treasury Services, Amount: €12,400.00, Age: 2 d, Status: hold ${t("inbox.fraudulentAccount")}`,
    );
    expect(tr.children[3].getAttribute("title"), "a payee cut short keeps its whole text").toBe("Globex Treasury Services");
  });

  it("says how old a case is", () => {
    const now = new Date("2026-01-03T01:00:00Z");
    expect(age("2026-01-03T00:59:30Z", now)).toBe("just now");
    expect(age("2026-01-03T00:30:00Z", now)).toBe("30 min");
    expect(age("2026-01-02T22:00:00Z", now)).toBe("3 h");
    expect(age("2026-01-01T00:00:00Z", now)).toBe("2 d");
  });

  it("says how old a case is in the chosen language", () => {
    const now = new Date("2026-01-03T01:00:00Z");
    setLocale("tr");
    expect(age("2026-01-03T00:59:30Z", now)).toBe("az önce");
    expect(age("2026-01-02T22:00:00Z", now)).toBe("3 sa");
    setLocale("es");
    expect(age("2026-01-01T00:00:00Z", now)).toBe("2 d");
  });
});
