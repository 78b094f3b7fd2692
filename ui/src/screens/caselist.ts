// The case list of the inbox, for workspaces of any size (issue 19): the service searches, sorts
// and pages (`case_page`); this draws only the rows in view (virtuallist.ts) and asks for the next
// page as the list is scrolled. A click on a column's header sorts by it (again: the other way);
// a search is sent as typed, except that an amount as the chosen language displays it
// (`€48,200.00`, `48.200,00 €`) is sent as the service reads amounts (`48200.00`).
import { casePage, toCommandError, type CaseSortKey, type CaseSummary } from "../api";
import type { Shell } from "../app";
import type { CaseStatus } from "../codes";
import { errorBox, h } from "../dom";
import { formatNumber, localeTag, t, tn } from "../i18n";
import { setRowSource } from "../listnav";
import { VirtualList } from "../virtuallist";
import { caseRow, columns } from "./inbox";

/** Cases asked for at once. */
export const PAGE_SIZE = 100;

/** A row's height before one is measured, in pixels (the CSS's `#cases tbody tr`). */
export const ROW_HEIGHT = 36;

/** The sort key of each of `columns()`, in order; the age column sorts by the time received. */
export const COLUMN_KEYS: CaseSortKey[] = ["number", "verdict", "partner", "payee", "amount", "received", "status"];

/** The order of the list: a column and its direction. */
export interface CaseOrder {
  key: CaseSortKey;
  descending: boolean;
}

/** Newest first, as the list opens. */
export const DEFAULT_ORDER: CaseOrder = { key: "number", descending: true };

/** The order after a click on `key`'s header: the other way round on the same column, else ascending. */
export function nextOrder(current: CaseOrder, key: CaseSortKey): CaseOrder {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: false };
}

/**
 * `aria-sort` of a column's header. The age column shows how long ago a case came: sorted by the
 * time received ascending, its ages descend.
 */
export function ariaSort(order: CaseOrder, key: CaseSortKey): "ascending" | "descending" | "none" {
  if (order.key !== key) return "none";
  const descending = key === "received" ? !order.descending : order.descending;
  return descending ? "descending" : "ascending";
}

/** The group and decimal separators of the chosen language's numbers. */
function separators(): { group: string; decimal: string } {
  const parts = new Intl.NumberFormat(localeTag()).formatToParts(12345.6);
  return { group: parts.find((p) => p.type === "group")?.value ?? ",", decimal: parts.find((p) => p.type === "decimal")?.value ?? "." };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A search as the service reads it: each word that is an amount as the chosen language displays it
 * (with its currency sign, group separators and decimal separator) becomes digits and a point;
 * a word that is only a currency sign is dropped; every other word is kept as typed.
 */
export function normaliseSearch(query: string): string {
  const { group, decimal } = separators();
  const g = escape(group === "\u00a0" || group === "\u202f" ? " " : group);
  const d = escape(decimal);
  const grouped = new RegExp(`^(\\d{1,3}(?:${g}\\d{3})+|\\d+)(?:${d}(\\d+))?$`);
  return query
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      if (word.startsWith("#")) return word;
      const bare = word.replace(/^[^\p{L}\p{N}]+|[^\p{N}]+$/gu, "");
      if (bare === "" && /^\p{Sc}+$/u.test(word)) return "";
      const m = bare.match(grouped);
      if (!m || !/\p{N}/u.test(word) || !/^[\p{Sc}\s]*[\d.,'\u00a0\u202f]+[\p{Sc}\s]*$/u.test(word)) return word;
      const whole = m[1].split(group).join("");
      return m[2] === undefined ? whole : `${whole}.${m[2]}`;
    })
    .filter(Boolean)
    .join(" ");
}

/** Where the case list reads its filter and search, and where it says how many it holds. */
export interface CaseListInputs {
  status: () => CaseStatus | null;
  search: () => string;
  count: HTMLElement;
  error: HTMLElement;
}

/** The case list: its table in a scrolling viewport, and how to (re)load it. */
export interface CaseListView {
  element: HTMLElement;
  /** The first page for the current filter, search and order, from the top. */
  load: () => Promise<void>;
  /** The rows loaded so far asked again, where they are (another desktop's change). */
  refresh: () => Promise<void>;
  /** The list itself, for tests. */
  list: VirtualList<CaseSummary>;
}

// Long: the table, its sortable headers, the virtual list and the three ways of loading it.
export function caseListView(shell: Shell, inputs: CaseListInputs): CaseListView {
  let order = DEFAULT_ORDER;
  let next: number | null = null;
  // Each load has a number; a page that answers an older load is dropped.
  let generation = 0;
  const now = new Date();
  const body = h("tbody", {});
  const heads = columns().map((name, i) => {
    const key = COLUMN_KEYS[i];
    const button = h("button", { type: "button", class: "sort", "data-sort": key }, name);
    button.addEventListener("click", () => {
      order = nextOrder(order, key);
      void load();
    });
    return h("th", { scope: "col", "aria-sort": ariaSort(order, key) }, button);
  });
  // Rows move with j/k and the arrows, Enter opens (listnav.ts).
  const table = h(
    "table",
    { id: "cases", "aria-rowcount": -1, "data-listnav": "tr[data-case-id]" },
    h("thead", {}, h("tr", { "aria-rowindex": 1 }, ...heads)),
    body,
  );
  const viewport = h("div", { id: "cases-viewport", class: "virtual-viewport", tabindex: 0, "aria-label": t("inbox.casesTitle") }, table);
  const request = (after: number | null, limit: number) =>
    casePage({ status: inputs.status(), search: normaliseSearch(inputs.search()), sort: order.key, descending: order.descending, limit, after });
  const counted = () => {
    const shown = list.rows.length;
    inputs.count.textContent = list.hasMore ? t("inbox.countMore", { shown: formatNumber(shown) }) : tn("inbox.countAll", shown);
    table.setAttribute("aria-rowcount", list.hasMore ? "-1" : String(list.rows.length + 1));
  };
  const failed = (reason: unknown) => inputs.error.replaceChildren(errorBox(toCommandError(reason), "cases-error"));
  const list = new VirtualList<CaseSummary>({
    viewport,
    body,
    rowHeight: ROW_HEIGHT,
    key: (c) => c.id,
    renderRow: (c) => caseRow(c, shell, now),
    loadMore: async () => {
      const mine = generation;
      const from = next;
      try {
        const page = await request(from, PAGE_SIZE);
        // A page of an older question, or one that no longer follows the rows loaded (a refresh
        // answered meanwhile and put the cursor elsewhere): dropped; the list asks again from there.
        if (mine !== generation || from !== next) return;
        next = page.next;
        list.append(page.cases, page.next !== null);
        counted();
      } catch (reason) {
        if (mine === generation) failed(reason);
        throw reason;
      }
    },
  });
  // j/k move through every case loaded, drawn or not; the selection outlives the list's redraws.
  setRowSource(table, list);
  const fetchFirst = async (limit: number, keepPlace: boolean) => {
    const mine = ++generation;
    inputs.error.replaceChildren();
    for (const [i, th] of heads.entries()) th.setAttribute("aria-sort", ariaSort(order, COLUMN_KEYS[i]));
    try {
      const page = await request(null, limit);
      if (mine !== generation) return;
      next = page.next;
      if (keepPlace) list.replace(page.cases, page.next !== null);
      else list.reset(page.cases, page.next !== null);
      counted();
    } catch (reason) {
      if (mine === generation) failed(reason);
    }
  };
  const load = () => fetchFirst(PAGE_SIZE, false);
  const refresh = () => fetchFirst(Math.min(10_000, Math.max(PAGE_SIZE, list.rows.length)), true);
  return { element: viewport, load, refresh, list };
}
