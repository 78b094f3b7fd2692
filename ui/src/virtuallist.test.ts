import { describe, expect, it } from "vitest";
import { move, setRowSource } from "./listnav";
import { rowWindow, VirtualList } from "./virtuallist";

/** A viewport `height` pixels tall (happy-dom lays nothing out). */
function viewportOf(height: number): HTMLDivElement {
  const viewport = document.createElement("div");
  Object.defineProperty(viewport, "clientHeight", { configurable: true, value: height });
  return viewport;
}

function listOf(count: number, pages: number[][] = [], height = 200) {
  const viewport = viewportOf(height);
  const body = document.createElement("tbody");
  const asked: number[] = [];
  const list: VirtualList<number> = new VirtualList<number>({
    viewport,
    body,
    rowHeight: 20,
    overscan: 2,
    loadAhead: 5,
    key: (n) => n,
    renderRow: (n) => {
      const tr = document.createElement("tr");
      tr.textContent = `row ${n}`;
      return tr;
    },
    loadMore: async () => {
      asked.push(list.rows.length);
      const page = pages.shift() ?? [];
      list.append(page, pages.length > 0);
    },
  });
  list.reset(
    Array.from({ length: count }, (_, i) => i),
    pages.length > 0,
  );
  return { list, viewport, body, asked };
}

const drawn = (body: HTMLElement) => [...body.querySelectorAll("tr[data-row]")].map((tr) => Number(tr.getAttribute("data-row")));

describe("virtual list", () => {
  it("computes the rows in view with overscan and the spacers' heights", () => {
    expect(rowWindow(0, 200, 20, 1000, 2)).toEqual({ first: 0, end: 12, above: 0, below: 988 * 20 });
    expect(rowWindow(1000, 200, 20, 1000, 2)).toEqual({ first: 48, end: 62, above: 48 * 20, below: 938 * 20 });
    expect(rowWindow(1e9, 200, 20, 1000, 2)).toEqual({ first: 1000, end: 1000, above: 20000, below: 0 });
    expect(rowWindow(-50, 200, 20, 5, 2)).toEqual({ first: 0, end: 5, above: 0, below: 0 });
    expect(rowWindow(0, 200, 20, 0, 2)).toEqual({ first: 0, end: 0, above: 0, below: 0 });
  });

  it("keeps only the rows in view in the DOM, each with its index for keyboard navigation", () => {
    const { list, viewport, body } = listOf(10_000);
    expect(drawn(body)).toEqual([...Array(12).keys()]);
    const first = body.querySelector("tr[data-row]")!;
    expect([first.getAttribute("aria-rowindex"), first.getAttribute("aria-selected")]).toEqual(["2", "false"]);
    expect(body.querySelectorAll("tr").length, "the rows and one spacer below").toBe(13);
    viewport.scrollTop = 5000;
    list.draw();
    expect(drawn(body)).toEqual([...Array(14).keys()].map((i) => 248 + i));
    const [above, below] = [body.firstElementChild as HTMLElement, body.lastElementChild as HTMLElement];
    expect([above.className, above.style.height, below.style.height]).toEqual(["virtual-spacer", "4960px", `${(10_000 - 262) * 20}px`]);
    expect(above.getAttribute("aria-hidden")).toBe("true");
  });

  it("asks for the next page as the end comes into view, once at a time, until there is no more", async () => {
    const { list, viewport, body, asked } = listOf(20, [[20, 21, 22, 23, 24, 25, 26, 27, 28, 29], [30, 31]]);
    expect(asked, "the end is not near yet").toEqual([]);
    viewport.scrollTop = 200;
    list.draw();
    list.draw();
    await list.settled();
    expect(asked, "asked once, though drawn twice").toEqual([20]);
    expect(list.rows.length).toBe(30);
    viewport.scrollTop = 600;
    list.draw();
    await list.settled();
    expect(asked).toEqual([20, 30]);
    expect(list.hasMore).toBe(false);
    list.draw();
    await list.settled();
    expect(asked, "nothing more to ask for").toEqual([20, 30]);
    expect(drawn(body).at(-1)).toBe(31);
  });

  it("stops asking when a page fails", async () => {
    const viewport = viewportOf(200);
    let asked = 0;
    const list = new VirtualList<number>({
      viewport,
      body: document.createElement("tbody"),
      rowHeight: 20,
      key: (n) => n,
      renderRow: () => document.createElement("tr"),
      loadMore: async () => {
        asked++;
        throw new Error("refused");
      },
    });
    list.reset([1, 2], true);
    await list.settled();
    list.draw();
    await list.settled();
    expect([asked, list.hasMore]).toEqual([1, false]);
  });

  it("a new set of rows scrolls back to the top; rows replaced in place keep the place", () => {
    const { list, viewport } = listOf(1000);
    viewport.scrollTop = 4000;
    list.replace([...Array(1000).keys()], false);
    expect(viewport.scrollTop).toBe(4000);
    list.reset([1, 2, 3], false);
    expect(viewport.scrollTop).toBe(0);
  });
});

/** A list of `count` rows in a table with keyboard navigation, in the document (for the focus). */
function navigable(count: number, pages: number[][] = []) {
  const made = listOf(count, pages);
  const table = document.createElement("table");
  table.setAttribute("data-listnav", "tr[data-row]");
  table.append(made.body);
  made.viewport.tabIndex = 0;
  made.viewport.append(table);
  document.body.replaceChildren(made.viewport);
  setRowSource(table, made.list);
  return { ...made, table };
}

const selectedRows = (body: HTMLElement) => [...body.querySelectorAll("tr[aria-selected=true]")].map((tr) => Number(tr.getAttribute("data-row")));
const focusedRow = () => Number(document.activeElement?.getAttribute("data-row") ?? NaN);

describe("the selection in a virtual list", () => {
  it("follows j far past the rows first drawn, each selected row drawn, focused and in the window", () => {
    const { table, body } = navigable(1000);
    expect(drawn(body).at(-1), "12 rows drawn at first").toBe(11);
    for (let i = 0; i < 150; i++) move(table, 1);
    expect(focusedRow()).toBe(149);
    expect(selectedRows(body)).toEqual([149]);
    expect(drawn(body)).toContain(149);
    expect(drawn(body).length, "still only a window of rows").toBeLessThan(20);
    for (let i = 0; i < 40; i++) move(table, -1);
    expect(focusedRow()).toBe(109);
    expect(selectedRows(body)).toEqual([109]);
  });

  it("keeps the focused row itself when a page arrives", async () => {
    const { table, body, list, viewport } = navigable(20, [[...Array(10).keys()].map((i) => 20 + i)]);
    for (let i = 0; i < 10; i++) move(table, 1);
    const row = document.activeElement;
    expect(focusedRow()).toBe(9);
    viewport.scrollTop = 100;
    list.draw();
    await list.settled();
    expect(list.rows.length, "the next page came").toBe(30);
    expect(document.activeElement, "the same element, never removed").toBe(row);
    expect(selectedRows(body)).toEqual([9]);
    move(table, 1);
    expect(focusedRow()).toBe(10);
  });

  it("selects the same row again when the rows are replaced or a search answers, by its key", () => {
    const { table, body, list } = navigable(100);
    for (let i = 0; i < 5; i++) move(table, 1);
    expect(focusedRow()).toBe(4);
    // Another desktop's change: the same rows afresh, one more on top.
    list.replace([-1, ...Array(100).keys()], false);
    expect(selectedRows(body)).toEqual([5]);
    expect(focusedRow(), "the new row element took the focus").toBe(5);
    expect(document.activeElement?.textContent).toBe("row 4");
    // A search whose answer holds the selected row: still selected, and j goes on from it.
    list.reset([2, 3, 4, 50, 60], false);
    expect(selectedRows(body)).toEqual([2]);
    move(table, 1);
    expect(document.activeElement?.textContent).toBe("row 50");
    // One that does not: nothing is selected, and j starts at the first row in view.
    list.reset([7, 8, 9], false);
    expect(selectedRows(body)).toEqual([]);
    move(table, 1);
    expect(document.activeElement?.textContent).toBe("row 7");
  });

  it("goes on from the selected row after it was scrolled out of the DOM, the focus kept in the list", () => {
    const { table, body, list, viewport } = navigable(1000);
    for (let i = 0; i < 3; i++) move(table, 1);
    viewport.scrollTop = 10_000;
    list.draw();
    expect(drawn(body)).not.toContain(2);
    expect(document.activeElement, "the viewport holds the focus").toBe(viewport);
    move(table, 1);
    expect(focusedRow()).toBe(3);
    expect(selectedRows(body)).toEqual([3]);
  });

  it("selects the row whose button takes the focus (a click)", () => {
    const { body, list } = navigable(10);
    const button = document.createElement("button");
    body.querySelector('tr[data-row="4"] td, tr[data-row="4"]')!.append(button);
    button.focus();
    expect(selectedRows(body)).toEqual([4]);
    expect(list.selectedIndex()).toBe(4);
  });
});
