import { describe, expect, it } from "vitest";
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
    columns: 3,
    rowHeight: 20,
    overscan: 2,
    loadAhead: 5,
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
      columns: 1,
      rowHeight: 20,
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
