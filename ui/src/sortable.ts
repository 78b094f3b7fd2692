// Sorting a table by any column (issue 19): each header becomes a button, the header cell says
// how the table is sorted (`aria-sort`), and a second press reverses the order. A cell sorts by
// its `data-sort` value, else the `datetime` of a <time> in it, else its text; two values that are
// both numbers compare as numbers, others in the chosen language's collation. A list sorted
// elsewhere (the case list, sorted by the service) passes `onSort` and keeps its rows as drawn.
import { h } from "./dom";
import { localeTag } from "./i18n";

export type Direction = "ascending" | "descending";

export interface SortOptions {
  /** Columns (by index) that are not sortable, e.g. a column of buttons. */
  skip?: number[];
  /** Sorting done elsewhere: called instead of reordering the rows here. */
  onSort?: (column: number, direction: Direction) => void;
  /** The order to start in (already how the rows come), shown by `aria-sort`. */
  initial?: { column: number; direction: Direction };
}

export interface Sortable {
  /** Sorts by `column` (index of the header cell); the same column again reverses. */
  sort(column: number, direction?: Direction): void;
  /** Sorts the rows again as last chosen (after rows were redrawn). */
  apply(): void;
  state(): { column: number; direction: Direction } | null;
}

/** The value a cell sorts by. */
export function sortValue(cell: Element | undefined): string {
  if (!cell) return "";
  const explicit = cell.getAttribute("data-sort");
  if (explicit !== null) return explicit;
  const time = cell.querySelector("time[datetime]");
  if (time) return time.getAttribute("datetime") ?? "";
  return (cell.textContent ?? "").trim();
}

const NUMBER = /^[-+]?\d+(\.\d+)?$/;

/** Compares two cell values: numerically when both are numbers, else by the locale's collation. */
export function compareValues(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return Number(a) - Number(b);
  return a.localeCompare(b, localeTag(), { numeric: true, sensitivity: "base" });
}

/** Makes `table`'s header cells sort its rows (every tbody's own rows, each tbody on its own). */
export function sortable(table: HTMLTableElement, options: SortOptions = {}): Sortable {
  const headers = Array.from(table.querySelector("thead tr")?.children ?? []).filter((c): c is HTMLElement => c instanceof HTMLElement);
  let current = options.initial ?? null;
  const show = () => {
    headers.forEach((th, i) => {
      if (options.skip?.includes(i)) return;
      th.setAttribute("aria-sort", current?.column === i ? current.direction : "none");
    });
  };
  const reorder = () => {
    if (!current || options.onSort) return;
    const { column, direction } = current;
    const sign = direction === "ascending" ? 1 : -1;
    for (const body of Array.from(table.querySelectorAll(":scope > tbody"))) {
      const rows = Array.from(body.children).filter((r): r is HTMLElement => r instanceof HTMLElement);
      rows.sort((a, b) => sign * compareValues(sortValue(a.children[column]), sortValue(b.children[column])));
      body.append(...rows);
    }
  };
  const control: Sortable = {
    sort(column, direction) {
      const next: Direction = direction ?? (current?.column === column && current.direction === "ascending" ? "descending" : "ascending");
      current = { column, direction: next };
      show();
      if (options.onSort) options.onSort(column, next);
      else reorder();
    },
    apply: reorder,
    state: () => current,
  };
  headers.forEach((th, i) => {
    if (options.skip?.includes(i)) return;
    if (!th.hasAttribute("scope")) th.setAttribute("scope", "col");
    const label = Array.from(th.childNodes);
    const button = h("button", { type: "button", class: "sort" }, h("span", { class: "sort-arrow", "aria-hidden": "true" }));
    button.prepend(...label);
    button.addEventListener("click", () => control.sort(i));
    th.replaceChildren(button);
  });
  table.classList.add("sortable");
  show();
  return control;
}
